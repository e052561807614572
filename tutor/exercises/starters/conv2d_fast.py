"""Exercise conv2d-fast: convolution vectorised (im2col), forward and backward.

Loops over every output cell are far too slow to train on. Gather every window into the
columns of one matrix (im2col): the whole convolution is then one matrix product, and so is
most of its backward pass. The LeNet-5 exercise trains with these two functions.

Check your work:  dl-tutor exercises check conv2d-fast
Stuck?            dl-tutor exercises hint conv2d-fast
"""

import numpy as np


def conv_forward(x, w, b, stride=1, pad=0):
    """The convolution of a batch with F filters, as one matrix product over all windows.

    Formula: im2col: out = W_mat · cols + b, with W_mat (F, C·K·K) and cols (C·K·K, N·H'·W').

    Args:
        x: inputs, shape (N, C, H, W).
        w: filters, shape (F, C, K, K).
        b: biases, shape (F,).
        stride, pad: S and P.

    Returns:
        (out, cache): out of shape (N, F, H', W') in x's dtype, and what conv_backward needs.
    """
    raise NotImplementedError("conv_forward: im2col, then one matrix product")


def conv_backward(dout, cache):
    """The convolution's backward pass.

    Formula: dw = dout_mat · colsᵀ, db = Σ dout, dcols = W_matᵀ · dout_mat, then col2im (the
    adjoint of im2col: add every column back onto the inputs it came from).

    Args:
        dout: the upstream gradient, shape (N, F, H', W').
        cache: from conv_forward.

    Returns:
        (dx, dw, db): shapes (N, C, H, W), (F, C, K, K), (F,).
    """
    raise NotImplementedError("conv_backward: dw, db, then dx through col2im")
