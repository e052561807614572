"""Reference solution of exercise conv2d-fast: convolution vectorised (im2col)."""

import numpy as np


def conv_forward(x, w, b, stride=1, pad=0):
    """im2col, then out = W_mat · cols + b: x (N, C, H, W), w (F, C, K, K) -> (N, F, H', W')."""
    n, c, h, wd = x.shape
    f, _, k, _ = w.shape
    ho, wo = (h - k + 2 * pad) // stride + 1, (wd - k + 2 * pad) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = np.empty((c, k, k, n, ho, wo), dtype=x.dtype)
    for u in range(k):  # one strided slab per kernel offset: K*K copies, not N*H'*W'
        for v in range(k):
            cols[:, u, v] = xp[:, :, u:u + stride * ho:stride, v:v + stride * wo:stride].transpose(1, 0, 2, 3)
    cols = cols.reshape(c * k * k, n * ho * wo)
    out = w.reshape(f, -1) @ cols + b[:, None]  # (F, N*H'*W')
    out = out.reshape(f, n, ho, wo).transpose(1, 0, 2, 3)  # (N, F, H', W')
    return out, (x.shape, cols, w, stride, pad, ho, wo)


def conv_backward(dout, cache):
    """dw = dout_mat · colsᵀ, db = Σ dout, dx = col2im(W_matᵀ · dout_mat)."""
    (n, c, h, wd), cols, w, stride, pad, ho, wo = cache
    f, _, k, _ = w.shape
    dmat = dout.transpose(1, 0, 2, 3).reshape(f, -1)  # (F, N*H'*W')
    dw = (dmat @ cols.T).reshape(w.shape)
    db = dmat.sum(axis=1)
    dcols = (w.reshape(f, -1).T @ dmat).reshape(c, k, k, n, ho, wo)
    dxp = np.zeros((n, c, h + 2 * pad, wd + 2 * pad), dtype=dout.dtype)
    for u in range(k):
        for v in range(k):
            dxp[:, :, u:u + stride * ho:stride, v:v + stride * wo:stride] += dcols[:, u, v].transpose(1, 0, 2, 3)
    dx = dxp[:, :, pad:pad + h, pad:pad + wd]
    return dx, dw, db
