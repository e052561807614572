"""Exercise minibatch-sgd: mini-batch stochastic gradient descent.

Full-batch descent computes the gradient on all n examples before every step; mini-batch SGD
steps on the gradient of a small batch, so it takes n / B steps per epoch (B = 1 is "stochastic"
descent). Here it fits the line a = w·x + b by the quadratic cost.

Check your work:  dl-tutor exercises check minibatch-sgd
Stuck?            dl-tutor exercises hint minibatch-sgd
"""

import numpy as np


def batch_gradient(w, b, x, t):
    """The quadratic cost's gradient on one batch.

    Formula: the gradient of C = 1/(2B) Σ (t - a)² over the batch: (dC/dw, dC/db).

    Args:
        w, b: the current weight and bias.
        x, t: the batch's inputs and targets, shape (B,) each.

    Returns:
        (dC/dw, dC/db): two floats.
    """
    raise NotImplementedError("batch_gradient: the quadratic cost's gradient on this batch")


def minibatch_sgd(x, t, start, lr, batch_size, epochs, seed=0):
    """Mini-batch SGD on (w, b).

    Formula: the SGD step (w, b) ← (w, b) - lr·∇C_batch(w, b), one per batch.

    Order of the batches (so that a run can be checked exactly): make one generator
    rng = np.random.default_rng(seed) before the first epoch; at the start of every epoch draw
    order = rng.permutation(n), and take batches order[0:B], order[B:2B], ... (the last one may
    be smaller). When batch_size >= n, do not shuffle: each epoch is one step on all the data,
    in order.

    Args:
        x, t: inputs and targets, shape (n,) each.
        start: the starting (w, b).
        lr: the learning rate.
        batch_size: B, the examples per step.
        epochs: passes over the data.
        seed: seeds the generator.

    Returns:
        A list of (w, b) pairs: the parameters after every update, in order.
    """
    raise NotImplementedError("minibatch_sgd: epochs, a shuffle each, a step per batch")
