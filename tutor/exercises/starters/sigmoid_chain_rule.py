"""Exercise sigmoid-chain-rule: sigmoid forward and backward, and the chain rule.

Backpropagation is the chain rule applied node by node: each node multiplies the gradient that
arrives from above (dout) by its own local derivative.

Check your work:  dl-tutor exercises check sigmoid-chain-rule
Stuck?            dl-tutor exercises hint sigmoid-chain-rule
"""

import numpy as np


def sigmoid(x):
    """The logistic sigmoid, computed without overflow (x = -1000 must give 0, not a warning).

    Formula: the logistic function σ(x) = 1 / (1 + e^-x).

    Args:
        x: an array of any shape.

    Returns:
        σ(x), a float array of x's shape, every value in [0, 1].
    """
    raise NotImplementedError("sigmoid: 1 / (1 + e^-x), without overflow")


def sigmoid_backward(dout, x):
    """The sigmoid node's backward pass.

    Formula: the chain rule through σ: dx = dout · σ'(x), with σ'(x) = σ(x)(1 - σ(x)).

    Args:
        dout: the upstream gradient, shape of x.
        x: the node's input, any shape.

    Returns:
        dx, a float array of x's shape.
    """
    raise NotImplementedError("sigmoid_backward: dout times the sigmoid's derivative")


def chain_rule_example(x, y, z):
    """Forward and backward pass of f = (x + y)·z, by hand (q = x + y, f = q·z).

    Formula: the chain rule on a computational graph: df/dx = df/dq · dq/dx, and so on.

    Args:
        x, y, z: numbers.

    Returns:
        (f, df/dx, df/dy, df/dz): four floats.
    """
    raise NotImplementedError("chain_rule_example: forward pass, then the gradients backwards")
