"""Exercise perceptron-rule: the perceptron learning rule and its training loop.

Rosenblatt's perceptron outputs a = hardlim(w·p + b). Presented a pattern p with target t, it
learns from its error e = t - a. Training presents the patterns in order, epoch after epoch,
until one whole epoch makes no error.

Check your work:  dl-tutor exercises check perceptron-rule
Stuck?            dl-tutor exercises hint perceptron-rule
"""

import numpy as np


def hardlim(n):
    """The hard limit.

    Formula: hardlim(n) = 1 if n >= 0, else 0 (so hardlim(0) = 1).

    Args:
        n: net inputs, an array of any shape.

    Returns:
        An integer array of n's shape, of 0s and 1s.
    """
    raise NotImplementedError("hardlim: 1 where n >= 0, else 0")


def perceptron_update(w, b, p, t, use_bias=True):
    """Present one pattern and apply the perceptron learning rule once.

    Formula: the perceptron rule: e = t - hardlim(w·p + b), w_new = w + e·p, b_new = b + e
    (without a bias, b stays as it is).

    Args:
        w: weights, shape (n,).
        b: the bias, a number.
        p: the pattern, shape (n,).
        t: its target, 0 or 1.
        use_bias: whether the bias learns too.

    Returns:
        (w_new, b_new): a float array of shape (n,) and a float.
    """
    raise NotImplementedError("perceptron_update: compute a, then e = t - a, then the new w and b")


def train_perceptron(inputs, targets, w0, b0=0.0, use_bias=True, max_epochs=20):
    """Train from (w0, b0), presenting the patterns in order, epoch after epoch.

    Formula: the perceptron rule applied to every pattern in turn; stop after the first
    complete epoch in which no pattern was wrong (that clean epoch counts), or after
    max_epochs epochs.

    Args:
        inputs: the patterns, shape (N, n).
        targets: N targets, each 0 or 1.
        w0: the starting weights, shape (n,).
        b0: the starting bias.
        use_bias: whether the bias learns.
        max_epochs: the most epochs to run.

    Returns:
        (w, b, epochs): the final weights (float array (n,)), the final bias (float), and how
        many epochs ran.
    """
    raise NotImplementedError("train_perceptron: loop over epochs, and over the patterns inside")
