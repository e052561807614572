"""Exercise quadratic-cost: the quadratic cost and its gradient.

The line a = w·x + b is scored on data (x, t) by the quadratic cost (mean squared error).
Gradient descent needs its two partial derivatives.

Check your work:  dl-tutor exercises check quadratic-cost
Stuck?            dl-tutor exercises hint quadratic-cost
"""

import numpy as np


def quadratic_cost(w, b, x, t):
    """The quadratic cost of the line a = w·x + b.

    Formula: the quadratic cost (MSE): C(w, b) = 1/(2n) Σ (t - a)².

    Args:
        w, b: the weight and the bias (numbers).
        x: inputs, shape (n,).
        t: targets, shape (n,).

    Returns:
        C as a Python float.
    """
    raise NotImplementedError("quadratic_cost: the outputs a, then the mean of the squared misses / 2")


def quadratic_cost_grad(w, b, x, t):
    """The gradient of the quadratic cost.

    Formula: the partial derivatives of C(w, b): dC/dw and dC/db (chain rule on (t - a)²).

    Args:
        w, b: the weight and the bias.
        x: inputs, shape (n,).
        t: targets, shape (n,).

    Returns:
        (dC/dw, dC/db): two Python floats.
    """
    raise NotImplementedError("quadratic_cost_grad: differentiate C with respect to w and to b")
