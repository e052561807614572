"""Exercise softmax-cross-entropy: softmax, cross-entropy and its gradient p - y.

Softmax turns K scores (logits) into probabilities; the cross-entropy loss of the true class y
is -ln p_y; and its gradient with respect to the logits is remarkably simple.

Check your work:  dl-tutor exercises check softmax-cross-entropy
Stuck?            dl-tutor exercises hint softmax-cross-entropy
"""

import numpy as np


def softmax(z):
    """The softmax of every row, computed stably (logits like [1000, 1001, 999] must work).

    Formula: softmax p_k = e^{z_k} / Σ_j e^{z_j}, along the last axis.

    Args:
        z: logits, shape (K,) or (N, K).

    Returns:
        p, a float array of z's shape; every row sums to 1.
    """
    raise NotImplementedError("softmax: exponentiate (shifted) and normalise each row")


def cross_entropy(p, y):
    """The mean cross-entropy loss of the true classes.

    Formula: the cross-entropy H = -ln p[y], averaged over the N rows.

    Args:
        p: probabilities, shape (N, K).
        y: the true classes, N integers in 0..K-1.

    Returns:
        The mean loss, a Python float.
    """
    raise NotImplementedError("cross_entropy: -log of each row's probability of its true class")


def softmax_cross_entropy_grad(z, y):
    """The gradient of cross_entropy(softmax(z), y) with respect to the logits.

    Formula: the softmax cross-entropy gradient (p - onehot(y)) / N.

    Args:
        z: logits, shape (N, K).
        y: the true classes, shape (N,).

    Returns:
        (loss, dz): the mean loss (a float) and its gradient, shape (N, K).
    """
    raise NotImplementedError("softmax_cross_entropy_grad: p minus the one-hot targets, over N")
