"""Exercise descent-one-weight: gradient descent on one weight, and when it diverges.

The bias-free unit z = w·x is scored by J(w) = 1/(2m) Σ (z - w·x)². Gradient descent walks w
downhill, w ← w - lr·J'(w); a learning rate that is too large makes every step overshoot
further than the last, and the weight blows up.

Check your work:  dl-tutor exercises check descent-one-weight
Stuck?            dl-tutor exercises hint descent-one-weight
"""

import math

import numpy as np


def one_weight_grad(w, x, z):
    """The derivative of the one-weight cost.

    Formula: J'(w), the derivative of J(w) = 1/(2m) Σ (z - w·x)².

    Args:
        w: the weight (a number).
        x: inputs, shape (m,).
        z: targets, shape (m,).

    Returns:
        J'(w) as a Python float.
    """
    raise NotImplementedError("one_weight_grad: differentiate J with respect to w")


def gradient_descent(grad, w0, lr, steps, limit=1e6):
    """Plain gradient descent on one weight, stopping when it diverges.

    Formula: the gradient descent step w ← w - lr·grad(w).

    Args:
        grad: a function of w returning the derivative (a float).
        w0: the starting weight.
        lr: the learning rate.
        steps: how many steps to take.
        limit: the weight has diverged once |w| > limit, or once it is inf or nan.

    Returns:
        (weights, diverged): the list [w0, w1, ...] of every weight visited (steps + 1 of them,
        or fewer when it diverged: the first diverged weight is the last in the list), and
        True when the run diverged.
    """
    raise NotImplementedError("gradient_descent: step, remember the weight, stop if it blew up")
