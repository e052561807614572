"""Reference solution of exercise conv2d-loops: convolution with loops."""

import numpy as np


def conv_output_size(size, kernel, stride=1, pad=0):
    """(W - K + 2P) // S + 1."""
    return (size - kernel + 2 * pad) // stride + 1


def conv2d_loops(x, w, b, stride=1, pad=0):
    """out[n, f, i, j] = b[f] + Σ window · w[f], one output cell at a time: (N, F, H', W')."""
    n_count, _, h, wd = x.shape
    f_count, _, k, _ = w.shape
    ho, wo = conv_output_size(h, k, stride, pad), conv_output_size(wd, k, stride, pad)
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((n_count, f_count, ho, wo), dtype=np.result_type(x, w, float))
    for n in range(n_count):
        for f in range(f_count):
            for i in range(ho):
                for j in range(wo):
                    window = xp[n, :, i * stride:i * stride + k, j * stride:j * stride + k]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return out
