"""Forward/backward pairs for the layers a convolutional network is built from, on any `xp`.

CS231n style: every `*_forward` returns `(out, cache)` and its `*_backward(dout, cache)` returns
the gradients in input order. Arrays live on the backend's array module (NumPy or CuPy: each
function takes the module from its input with `array_module`), so the same code trains on a
CPU and on a GPU. Shapes are written in every docstring; N is the batch.

The convolution is the fast *im2col* version used for training: the input windows are gathered
with one strided view and one copy into a matrix, so the whole layer becomes one matrix product.
`tutor.engines.conv` holds the readable loop version the lessons animate; the tests check that
the two agree. `numerical_gradient` is the finite-difference checker the tests use on every
backward function here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tutor.engines import gradcheck
from tutor.engines.activations import softmax
from tutor.engines.spec import ACTIVATIONS, output_size

__all__ = [
    "ACTIVATIONS",
    "activation_backward",
    "activation_forward",
    "array_module",
    "avgpool_backward",
    "avgpool_forward",
    "col2im",
    "col2im_into",
    "column_blocks",
    "conv_windows",
    "conv_backward",
    "conv_backward_chwn",
    "conv_forward",
    "conv_forward_chwn",
    "dense_backward",
    "dense_forward",
    "im2col",
    "maxpool_backward",
    "maxpool_forward",
    "numerical_gradient",
    "output_size",
    "to_chwn",
    "to_nchw",
    "softmax",
    "softmax_cross_entropy",
    "softmax_cross_entropy_device",
]

def array_module(a: Any) -> Any:
    """NumPy for a NumPy array, CuPy for a CuPy array (without importing CuPy otherwise)."""
    module = type(a).__module__
    if module.startswith("cupy"):
        import cupy  # noqa: PLC0415 - only reached when the caller already uses CuPy

        return cupy
    return np


# ---------------------------------------------------------------------------------------------
# Convolution (im2col)
# ---------------------------------------------------------------------------------------------


def im2col(x: Any, kernel: int, stride: int = 1, pad: int = 0) -> tuple[Any, int, int]:
    """The receptive fields of a batch as the columns of one matrix.

    Args:
        x: (C, H, W, N) input: the training layout, batch last, so that every slab the loops
            below copy is a run of W*N contiguous numbers and a convolution's matrix product
            lands in the same layout with no transpose.
    Returns:
        cols (C*K*K, H'*W'*N): column (i, j, n) holds the C*K*K inputs that output position
        (i, j) of image n sees, in (channel, kernel row, kernel column) order; H'; W'.
    """
    xp = array_module(x)
    c, h, w, n = x.shape
    ho = output_size(h, kernel, stride, pad)
    wo = output_size(w, kernel, stride, pad)
    if pad:
        x = xp.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    if xp is not np and _gpu_kernels_enabled():
        # On a GPU one strided view copied by a single kernel beats K*K small launches.
        x = xp.ascontiguousarray(x)
        sc, sh, sw, sn = x.strides
        windows = xp.lib.stride_tricks.as_strided(
            x, shape=(c, kernel, kernel, ho, wo, n), strides=(sc, sh, sw, sh * stride, sw * stride, sn)
        )
        return xp.ascontiguousarray(windows).reshape(c * kernel * kernel, ho * wo * n), ho, wo
    cols = xp.empty((c, kernel, kernel, ho, wo, n), dtype=x.dtype)
    # One strided slab per kernel offset (u, v): K*K block copies.
    for u in range(kernel):
        for v in range(kernel):
            cols[:, u, v] = x[:, u : u + stride * ho : stride, v : v + stride * wo : stride]
    return cols.reshape(c * kernel * kernel, ho * wo * n), ho, wo


def col2im(dcols: Any, x_shape: tuple[int, ...], kernel: int, stride: int, pad: int, ho: int, wo: int) -> Any:
    """The adjoint of `im2col`: add each column's gradient back onto the inputs it came from.

    Args:
        dcols: (C*K*K, H'*W'*N); x_shape: the (C, H, W, N) input shape.
    Returns:
        dx (C, H, W, N).
    """
    xp = array_module(dcols)
    c, h, w, n = x_shape
    if xp is not np and _gpu_kernels_enabled():
        dx = xp.empty((c, h + 2 * pad, w + 2 * pad, n), dtype=dcols.dtype)
        _col2im_kernel()(xp.ascontiguousarray(dcols), n, h + 2 * pad, w + 2 * pad, kernel, stride, ho, wo, dx)
        return dx[:, pad : pad + h, pad : pad + w] if pad else dx
    dcols = dcols.reshape(c, kernel, kernel, ho, wo, n)
    dx = xp.zeros((c, h + 2 * pad, w + 2 * pad, n), dtype=dcols.dtype)
    for u in range(kernel):
        for v in range(kernel):
            dx[:, u : u + stride * ho : stride, v : v + stride * wo : stride] += dcols[:, u, v]
    if pad:
        dx = dx[:, pad:-pad, pad:-pad]
    return dx


def conv_windows(x: Any, kernel: int, stride: int = 1) -> Any:
    """Every receptive field of a padded (C, H, W, N) batch as one strided view, no copy.

    Returns:
        (C, K, K, H', W', N): [c, u, v, i, j, n] is x[c, i*stride + u, j*stride + v, n], so
        copying it (or a block of its (i, j) positions) into a matrix is im2col in one call.
        The view aliases x: read it, never write to it.
    """
    xp = array_module(x)
    c, h, w, n = x.shape
    ho, wo = (h - kernel) // stride + 1, (w - kernel) // stride + 1
    sc, sh, sw, sn = x.strides
    return xp.lib.stride_tricks.as_strided(
        x, shape=(c, kernel, kernel, ho, wo, n), strides=(sc, sh, sw, sh * stride, sw * stride, sn)
    )


def column_blocks(ho: int, wo: int, n: int, max_columns: int) -> list[tuple[int, int, int, int]]:
    """Split a convolution's H'*W'*N output columns into blocks of at most `max_columns`
    (at least one position's N columns), each a contiguous range of the (i, j, n) column order.

    Returns:
        (i0, i1, j0, j1) per block: output rows i0..i1-1, columns j0..j1-1; a block is either
        whole rows (j0 = 0, j1 = W') or a part of one row. Its columns are
        (i0*W' + j0)*N .. ((i1-1)*W' + j1)*N.
    """
    def even(total: int, most: int) -> list[tuple[int, int]]:
        parts = -(-total // max(1, most))
        cuts = [total * k // parts for k in range(parts + 1)]
        return list(zip(cuts[:-1], cuts[1:]))

    if wo * n <= max_columns:
        return [(i0, i1, 0, wo) for i0, i1 in even(ho, max_columns // (wo * n))]
    return [(i, i + 1, j0, j1) for i in range(ho) for j0, j1 in even(wo, max_columns // n)]


def col2im_into(dcols: Any, dx: Any, kernel: int, stride: int, ho: int, wo: int) -> Any:
    """`col2im` into a zeroed, padded (C, H+2P, W+2P, N) buffer `dx` (adds in place, returns it).

    Args:
        dcols: (C*K*K, H'*W'*N) column gradients, C-contiguous.
    """
    c, n = dx.shape[0], dx.shape[3]
    blocks = dcols.reshape(c, kernel, kernel, ho, wo, n)
    for u in range(kernel):
        for v in range(kernel):
            dx[:, u : u + stride * ho : stride, v : v + stride * wo : stride] += blocks[:, u, v]
    return dx


def conv_forward_chwn(x: Any, w: Any, b: Any, stride: int = 1, pad: int = 0) -> tuple[Any, tuple]:
    """Convolution in the training layout.

    Args:
        x: (C, H, W, N); w: (F, C, K, K); b: (F,).
    Returns:
        out (F, H', W', N) and the cache for `conv_backward_chwn`.
    """
    f, c, k, _ = w.shape
    n = x.shape[3]
    cols, ho, wo = im2col(x, k, stride, pad)  # (C*K*K, H'*W'*N)
    out = w.reshape(f, c * k * k) @ cols  # (F, H'*W'*N)
    out += b[:, None]
    return out.reshape(f, ho, wo, n), (x.shape, cols, w, stride, pad, ho, wo)


def conv_backward_chwn(dout: Any, cache: tuple, need_dx: bool = True) -> tuple[Any, Any, Any]:
    """Gradients of `conv_forward_chwn`: dx (C, H, W, N) or None, dw (F, C, K, K), db (F,)."""
    x_shape, cols, w, stride, pad, ho, wo = cache
    f, c, k, _ = w.shape
    dmat = dout.reshape(f, -1)  # (F, H'*W'*N), free
    dw = (dmat @ cols.T).reshape(w.shape)
    db = dmat.sum(axis=1)
    if not need_dx:
        return None, dw, db
    dcols = w.reshape(f, c * k * k).T @ dmat  # (C*K*K, H'*W'*N)
    return col2im(dcols, x_shape, k, stride, pad, ho, wo), dw, db


def to_chwn(x: Any) -> Any:
    """(N, C, H, W) -> (C, H, W, N), contiguous."""
    return array_module(x).ascontiguousarray(x.transpose(1, 2, 3, 0))


def to_nchw(x: Any) -> Any:
    """(C, H, W, N) -> (N, C, H, W), a view."""
    return x.transpose(3, 0, 1, 2)


def conv_forward(x: Any, w: Any, b: Any, stride: int = 1, pad: int = 0) -> tuple[Any, tuple]:
    """Convolution (cross-correlation, as in deep learning) of a batch with F filters.

    Args:
        x: (N, C, H, W) input.
        w: (F, C, K, K) filters.
        b: (F,) one bias per filter (shared by every position of its feature map).
    Returns:
        out (N, F, H', W') with H' = (H - K + 2P) / S + 1, and the cache for `conv_backward`.
    """
    out, cache = conv_forward_chwn(to_chwn(x), w, b, stride, pad)
    return to_nchw(out), cache


def conv_backward(dout: Any, cache: tuple, need_dx: bool = True) -> tuple[Any, Any, Any]:
    """Gradients of `conv_forward`.

    Args:
        dout: (N, F, H', W') upstream gradient.
        need_dx: False skips dx (the first layer of a network needs no input gradient).
    Returns:
        dx (N, C, H, W) or None, dw (F, C, K, K), db (F,).
    """
    dx, dw, db = conv_backward_chwn(to_chwn(dout), cache, need_dx)
    return (None if dx is None else to_nchw(dx)), dw, db


# ---------------------------------------------------------------------------------------------
# Pooling (size x size windows with stride = size: the windows tile the map)
# ---------------------------------------------------------------------------------------------


def _window(layout: str, u: int, v: int, size: int) -> tuple:
    """The index picking input (u, v) of every window, for "NCHW" or the training "CHWN"."""
    if layout == "CHWN":
        return (slice(None), slice(u, None, size), slice(v, None, size))
    return (Ellipsis, slice(u, None, size), slice(v, None, size))


def _check_tiles(x: Any, size: int, layout: str) -> None:
    """ValueError unless the map splits into size x size windows."""
    h, w = x.shape[1:3] if layout == "CHWN" else x.shape[-2:]
    if h % size or w % size:
        raise ValueError(f"a {h}x{w} map does not split into {size}x{size} pooling windows")


def avgpool_forward(x: Any, size: int = 2, layout: str = "NCHW") -> tuple[Any, tuple]:
    """Average pooling with a size x size window and stride = size.

    Args:
        x: (N, C, H, W), or (C, H, W, N) with layout="CHWN".
    Returns:
        out with H/size, W/size in place of H, W, and the cache.
    """
    _check_tiles(x, size, layout)
    out = x[_window(layout, 0, 0, size)].copy()
    for u in range(size):
        for v in range(size):
            if u or v:
                out += x[_window(layout, u, v, size)]
    out *= x.dtype.type(1 / (size * size))
    return out, (x.shape, size, layout)


def avgpool_backward(dout: Any, cache: tuple) -> Any:
    """dx, shaped like the input: each window's inputs share its gradient equally."""
    x_shape, size, layout = cache
    xp = array_module(dout)
    share = dout * dout.dtype.type(1 / (size * size))
    dx = xp.empty(x_shape, dtype=dout.dtype)
    for u in range(size):
        for v in range(size):
            dx[_window(layout, u, v, size)] = share
    return dx


def maxpool_forward(x: Any, size: int = 2, layout: str = "NCHW") -> tuple[Any, tuple]:
    """Max pooling with a size x size window and stride = size.

    Args:
        x: (N, C, H, W), or (C, H, W, N) with layout="CHWN".
    Returns:
        out with H/size, W/size in place of H, W, and the cache (which input won each window:
        the first maximum in reading order, as the frameworks do on ties).
    """
    _check_tiles(x, size, layout)
    xp = array_module(x)
    out = x[_window(layout, 0, 0, size)].copy()
    winner = xp.zeros(out.shape, dtype=xp.int8)
    for u in range(size):
        for v in range(size):
            if u or v:
                candidate = x[_window(layout, u, v, size)]
                better = candidate > out
                out = xp.where(better, candidate, out)
                winner = xp.where(better, xp.int8(u * size + v), winner)
    return out, (x.shape, size, layout, winner)


def maxpool_backward(dout: Any, cache: tuple) -> Any:
    """dx, shaped like the input: each window's gradient goes to the input that was its maximum."""
    x_shape, size, layout, winner = cache
    xp = array_module(dout)
    dx = xp.empty(x_shape, dtype=dout.dtype)
    zero = dout.dtype.type(0)
    for u in range(size):
        for v in range(size):
            dx[_window(layout, u, v, size)] = xp.where(winner == u * size + v, dout, zero)
    return dx


# ---------------------------------------------------------------------------------------------
# Dense layers and activations
# ---------------------------------------------------------------------------------------------


def dense_forward(x: Any, w: Any, b: Any) -> tuple[Any, tuple]:
    """A fully connected layer: out = x·w + b.

    Args:
        x: (N, D) inputs; w: (D, M) weights; b: (M,) biases.
    Returns:
        out (N, M) and the cache.
    """
    return x @ w + b, (x, w)


def dense_backward(dout: Any, cache: tuple, need_dx: bool = True) -> tuple[Any, Any, Any]:
    """dx (N, D) (or None), dw (D, M), db (M,) from dout (N, M)."""
    x, w = cache
    dx = dout @ w.T if need_dx else None
    return dx, x.T @ dout, dout.sum(axis=0)


def activation_forward(name: str, x: Any, inplace: bool = False) -> tuple[Any, Any]:
    """Apply `name` (one of ACTIVATIONS) element-wise; the cache is what the backward needs.

    inplace=True overwrites x (the training loop does this when nothing else needs x).
    """
    xp = array_module(x)
    target = x if inplace else None
    if name == "tanh":
        out = xp.tanh(x, out=target)
    elif name == "relu":
        out = xp.maximum(x, 0, out=target)
    elif name == "sigmoid":
        out = xp.negative(x, out=target)
        xp.exp(out, out=out)
        out += 1
        xp.reciprocal(out, out=out)
    elif name == "linear":
        out = x
    else:
        raise ValueError(f"unknown activation {name!r}: expected one of {', '.join(ACTIVATIONS)}")
    return out, out


def activation_backward(name: str, dout: Any, cache: Any) -> Any:
    """The upstream gradient times the activation's derivative, written with its output y."""
    y = cache
    xp = array_module(y)
    if getattr(dout, "dtype", None) != y.dtype or dout.shape != y.shape:
        # Mixed precision or broadcasting: let NumPy's rules pick the result's dtype and shape.
        if name == "tanh":
            return dout * (1 - y * y)
        if name == "sigmoid":
            return dout * y * (1 - y)
    if name == "tanh":
        d = xp.multiply(y, y)  # one temporary, reused: (1 - y²)·dout
        xp.subtract(1, d, out=d)
        d *= dout
        return d
    if name == "relu":
        return dout * (y > 0)
    if name == "sigmoid":
        d = xp.subtract(1, y)
        d *= y
        d *= dout
        return d
    if name == "linear":
        return dout
    raise ValueError(f"unknown activation {name!r}: expected one of {', '.join(ACTIVATIONS)}")


# ---------------------------------------------------------------------------------------------
# Softmax and cross-entropy
# ---------------------------------------------------------------------------------------------


# `softmax` (row-wise, shifted by each row's maximum) is `tutor.engines.activations.softmax`.


def softmax_cross_entropy(logits: Any, labels: Any) -> tuple[float, Any, Any]:
    """Mean cross-entropy of softmax(logits) against integer labels, and its gradient.

    Args:
        logits: (N, K) scores; labels: (N,) integers in 0..K-1.
    Returns:
        loss (a Python float: the mean of -ln p[label]), probs (N, K), dlogits (N, K) = (p - onehot) / N.
    """
    loss, probs, dlogits = softmax_cross_entropy_device(logits, labels)
    return float(loss), probs, dlogits


def softmax_cross_entropy_device(logits: Any, labels: Any) -> tuple[Any, Any, Any]:
    """`softmax_cross_entropy` with the loss left as a 0-d array on the device (no GPU sync)."""
    xp = array_module(logits)
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_norm = xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
    log_probs = shifted - log_norm
    probs = xp.exp(log_probs)
    rows = xp.arange(n)
    loss = -log_probs[rows, labels].mean()
    dlogits = probs.copy()
    dlogits[rows, labels] -= 1
    dlogits /= n
    return loss, probs, dlogits


# ---------------------------------------------------------------------------------------------
# Numerical gradients (for the tests)
# ---------------------------------------------------------------------------------------------


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar f() with respect to every entry of the float64 array x
    (changed in place and restored): `tutor.engines.gradcheck.numerical_gradient`."""
    return gradcheck.numerical_gradient(lambda _: f(), x, h)


# ---------------------------------------------------------------------------------------------
# GPU helpers (used only when the arrays are CuPy arrays)
# ---------------------------------------------------------------------------------------------

_COL2IM_SOURCE = """
int b = i % n; int t = i / n; int col = t % wp; t /= wp; int row = t % hp; int c = t / hp;
T acc = 0;
for (int u = 0; u < k; ++u) {
    int y = row - u;
    if (y < 0 || y % s) continue;
    y /= s;
    if (y >= ho) continue;
    for (int v = 0; v < k; ++v) {
        int x = col - v;
        if (x < 0 || x % s) continue;
        x /= s;
        if (x >= wo) continue;
        acc += dcols[((((long long)(c * k + u) * k + v) * ho + y) * wo + x) * n + b];
    }
}
dx = acc;
"""
_kernel_cache: dict[str, Any] = {}


def _gpu_kernels_enabled() -> bool:
    """False when DL_TUTOR_GPU_KERNELS=0 (to compare against the plain xp code path)."""
    import os  # noqa: PLC0415

    return os.environ.get("DL_TUTOR_GPU_KERNELS", "1") != "0"


def _col2im_kernel() -> Any:
    """col2im as one CuPy kernel: each input pixel (C, H, W, N layout) gathers the column entries that saw it."""
    if "col2im" not in _kernel_cache:
        import cupy  # noqa: PLC0415

        _kernel_cache["col2im"] = cupy.ElementwiseKernel(
            "raw T dcols, int32 n, int32 hp, int32 wp, int32 k, int32 s, int32 ho, int32 wo",
            "T dx",
            _COL2IM_SOURCE,
            "tutor_col2im",
        )
    return _kernel_cache["col2im"]
