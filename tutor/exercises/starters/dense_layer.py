"""Exercise dense-layer: a dense layer and ReLU, forward and backward.

CS231n style: every *_forward returns (out, cache), and its *_backward(dout, cache) returns
the gradients in input order. The MNIST and LeNet-5 exercises import these functions.

Check your work:  dl-tutor exercises check dense-layer
Stuck?            dl-tutor exercises hint dense-layer
"""

import numpy as np


def dense_forward(x, w, b):
    """A fully connected (affine) layer.

    Formula: the affine map out = x·w + b.

    Args:
        x: inputs, shape (N, D).
        w: weights, shape (D, M).
        b: biases, shape (M,).

    Returns:
        (out, cache): out of shape (N, M) (x's dtype), and what dense_backward needs.
    """
    raise NotImplementedError("dense_forward: one matrix product and a bias")


def dense_backward(dout, cache):
    """The dense layer's backward pass.

    Formula: the gradients of x·w + b: dx = dout·wᵀ, dw = xᵀ·dout, db = Σ over the batch.

    Args:
        dout: the upstream gradient, shape (N, M).
        cache: from dense_forward.

    Returns:
        (dx, dw, db): shapes (N, D), (D, M), (M,).
    """
    raise NotImplementedError("dense_backward: dx, dw and db from dout and the cache")


def relu_forward(x):
    """The rectified linear unit.

    Formula: relu(x) = max(0, x), element-wise.

    Args:
        x: any shape.

    Returns:
        (out, cache): out of x's shape and dtype.
    """
    raise NotImplementedError("relu_forward: max(0, x)")


def relu_backward(dout, cache):
    """ReLU's backward pass.

    Formula: relu'(x) = 1 where x > 0, else 0 (0 at the kink).

    Args:
        dout: the upstream gradient, shape of x.
        cache: from relu_forward.

    Returns:
        dx, shape of x.
    """
    raise NotImplementedError("relu_backward: let the gradient through where x > 0")
