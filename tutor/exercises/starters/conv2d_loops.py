"""Exercise conv2d-loops: convolution with loops.

A convolutional layer slides each filter over the input; at every position it multiplies the
window by the filter's weights, adds the products and the filter's bias, and writes one cell of
the output map. Write it the readable way, one output cell at a time.

Check your work:  dl-tutor exercises check conv2d-loops
Stuck?            dl-tutor exercises hint conv2d-loops
"""

import numpy as np


def conv_output_size(size, kernel, stride=1, pad=0):
    """The output size along one axis.

    Formula: (W - K + 2P) / S + 1 (whole windows only: integer division).

    Returns:
        An int.
    """
    raise NotImplementedError("conv_output_size: (W - K + 2P) // S + 1")


def conv2d_loops(x, w, b, stride=1, pad=0):
    """The convolution (cross-correlation, as in deep learning) of a batch with F filters.

    Formula: out[n, f, i, j] = b[f] + Σ_c Σ_u Σ_v x_padded[n, c, i·S + u, j·S + v] · w[f, c, u, v].

    Args:
        x: inputs, shape (N, C, H, W).
        w: filters, shape (F, C, K, K).
        b: biases, shape (F,).
        stride: S, the step between windows.
        pad: P, the rows and columns of zeros added on every side.

    Returns:
        out, a float array of shape (N, F, H', W') with H' = (H - K + 2P) // S + 1.
    """
    raise NotImplementedError("conv2d_loops: pad, then loop over n, f, i, j")
