"""Convolution, the readable way: one output cell at a time, with explicit loops (as in d2l).

This is the teaching version. A convolutional layer slides a small grid of weights, the kernel
(or filter), over the image; at every position it multiplies the K x K pixels under the window
by the K x K weights, adds the products and one bias, and writes the result into one cell of the
output, the feature map. Deep-learning "convolution" is really cross-correlation: the kernel is
not flipped. Every cell of the map uses the same weights and the same bias (shared weights), so
the whole map looks for one pattern, one feature, wherever it appears.

* `conv2d_loop` computes a whole map with two loops over the output cells.
* `conv_cell` explains one cell: its window, the 25 products, their sum, the output
  (`CellRecord`), exactly what a scene shows; `conv_steps` yields them in reading order.
* `conv_multi_channel_loop` handles C input channels and F filters: per output map, the sum of
  one convolution per channel plus one bias.
* `KERNELS` holds hand-picked 5x5 kernels; `param_count_conv`, `param_count_dense` and
  `compare_param_counts` count parameters the way the workshop does (26 per 5x5 map,
  520 for 20 maps, 23,550 for 784 inputs into 30 dense units).

The fast version used for training (im2col) lives in `tutor.engines.layers`; the tests check
that both agree. Everything here takes an optional `xp` (NumPy by default).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from tutor.engines.shapes import conv_output_size

__all__ = [
    "CellRecord", "ParamComparison", "KERNELS", "conv_output_size", "conv2d_loop",
    "conv_cell", "conv_steps", "conv_multi_channel_loop", "param_count_conv", "param_count_dense",
    "compare_param_counts", "ToyChannels", "toy_channels",
]


def _kernel(rows: list[list[float]], scale: float = 1.0) -> np.ndarray:
    """A read-only float64 kernel (K, K) from nested lists, each weight multiplied by `scale`."""
    array = np.asarray(rows, dtype=np.float64) * scale
    array.setflags(write=False)
    return array


#: Hand-picked 5x5 kernels, shape (5, 5) each, read-only. Applied to a digit scaled to 0..1:
#:
#: * "vertical edge": -1 in the two left columns, +1 in the two right ones. Large and positive
#:   where ink starts to the right of background (the left side of a stroke), negative on the
#:   right side of a stroke, near 0 on flat areas, inside or outside the ink.
#: * "horizontal edge": the same turned by 90 degrees: positive on the top side of a stroke.
#: * "diagonal edge": +1 above the main diagonal, -1 below it: strokes running from top left
#:   to bottom right light up along one side.
#: * "blur": every weight 1/25 = 0.04, so the output is the window's mean: a softened digit.
#: * "sharpen": 5 in the centre, -1 on its four neighbours: the centre pixel minus the local
#:   average (times 4), which makes edges crisper.
#: * "identity": 1 in the centre, 0 elsewhere: the output copies the centre pixel (and the map
#:   is the digit without its 2-pixel border).
KERNELS: dict[str, np.ndarray] = {
    "vertical edge": _kernel([[-1, -1, 0, 1, 1]] * 5),
    "horizontal edge": _kernel([[-1] * 5, [-1] * 5, [0] * 5, [1] * 5, [1] * 5]),
    "diagonal edge": _kernel([[int(np.sign(j - i)) for j in range(5)] for i in range(5)]),
    "blur": _kernel([[1] * 5] * 5, 1 / 25),
    "sharpen": _kernel([
        [0, 0, 0, 0, 0],
        [0, 0, -1, 0, 0],
        [0, -1, 5, -1, 0],
        [0, 0, -1, 0, 0],
        [0, 0, 0, 0, 0],
    ]),
    "identity": _kernel([[1 if (i, j) == (2, 2) else 0 for j in range(5)] for i in range(5)]),
}

@dataclass(frozen=True, eq=False)
class CellRecord:
    """One output cell of a convolution, explained.

    Attributes:
        row, col: the output cell (row, col) in the feature map.
        window: the K x K input values under the kernel, shape (K, K) (zeros where the window
            covers padding).
        products: window * kernel, element by element, shape (K, K): the K*K products.
        total: the sum of the products.
        bias: the shared bias added to every cell.
        output: total + bias, the value written into the map at (row, col).
        top, left: the input coordinate of the window's top-left pixel, in the unpadded image
            (negative when the window starts in the padding).
    """

    row: int
    col: int
    window: np.ndarray
    products: np.ndarray
    total: float
    bias: float
    output: float
    top: int
    left: int


@dataclass(frozen=True)
class ParamComparison:
    """Parameter counts of a convolutional layer against a fully connected one.

    Attributes:
        per_map: weights + bias of one feature map, C*K*K + 1 (5x5, 1 channel: 26).
        conv_total: all feature maps together, filters * per_map (20 maps: 520).
        dense_total: inputs * units + units (784 inputs, 30 units: 23,550).
        ratio: dense_total / conv_total (about 45.3 for the workshop's numbers).
    """

    per_map: int
    conv_total: int
    dense_total: int
    ratio: float


def _prepare(image: Any, kernel: Any, pad: int, xp: Any) -> tuple[Any, Any]:
    """The padded image (H+2P, W+2P) and kernel (K, K) as float64 xp arrays, after shape checks."""
    x = xp.asarray(image, dtype=xp.float64)
    w = xp.asarray(kernel, dtype=xp.float64)
    if x.ndim != 2:
        raise ValueError(f"The image must be 2-D (H, W); got shape {tuple(x.shape)}.")
    if w.ndim != 2 or w.shape[0] != w.shape[1]:
        raise ValueError(f"The kernel must be square (K, K); got shape {tuple(w.shape)}.")
    if pad:
        x = xp.pad(x, pad)  # zeros all around
    return x, w


def conv2d_loop(image: Any, kernel: Any, bias: float = 0.0, stride: int = 1, pad: int = 0,
                xp: Any = np) -> Any:
    """Slide `kernel` over `image` and return the feature map, one cell per loop turn.

    Args:
        image: (H, W) input values.
        kernel: (K, K) weights; not flipped (cross-correlation, as in deep learning).
        bias: added to every cell.
        stride: how many pixels the window moves between cells.
        pad: rings of zeros added around the image first.
        xp: the array module (numpy or cupy).
    Returns:
        (H', W') float64 with H' = (H - K + 2P) / S + 1:
        out[i, j] = bias + sum over l, m of kernel[l, m] * padded[i*S + l, j*S + m].
    """
    x, w = _prepare(image, kernel, pad, xp)
    k = w.shape[0]
    rows = conv_output_size(x.shape[0] - 2 * pad, k, stride, pad)
    cols = conv_output_size(x.shape[1] - 2 * pad, k, stride, pad)
    out = xp.zeros((rows, cols), dtype=xp.float64)
    for i in range(rows):
        for j in range(cols):
            window = x[i * stride: i * stride + k, j * stride: j * stride + k]  # (K, K)
            out[i, j] = xp.sum(window * w) + bias
    return out


def conv_cell(image: Any, kernel: Any, row: int, col: int, bias: float = 0.0, stride: int = 1,
              pad: int = 0, xp: Any = np) -> CellRecord:
    """Explain output cell (row, col): its window, the K*K products, their sum and the output.

    Args:
        image: (H, W) input values.
        kernel: (K, K) weights.
        row, col: the output cell, 0 <= row < H', 0 <= col < W'.
    Returns:
        A CellRecord with NumPy arrays (K, K) and Python floats.
    Raises:
        IndexError: when (row, col) lies outside the feature map.
    """
    x, w = _prepare(image, kernel, pad, xp)
    k = w.shape[0]
    rows = conv_output_size(x.shape[0] - 2 * pad, k, stride, pad)
    cols = conv_output_size(x.shape[1] - 2 * pad, k, stride, pad)
    if not (0 <= row < rows and 0 <= col < cols):
        raise IndexError(f"Cell ({row}, {col}) is outside the {rows}x{cols} feature map.")
    window = x[row * stride: row * stride + k, col * stride: col * stride + k]
    products = window * w
    total = float(xp.sum(products))
    window_np = np.array(_to_numpy(window), dtype=np.float64)
    products_np = np.array(_to_numpy(products), dtype=np.float64)
    window_np.setflags(write=False)
    products_np.setflags(write=False)
    return CellRecord(
        row=row, col=col, window=window_np, products=products_np, total=total,
        bias=float(bias), output=total + float(bias),
        top=row * stride - pad, left=col * stride - pad,
    )


def conv_steps(image: Any, kernel: Any, bias: float = 0.0, stride: int = 1, pad: int = 0,
               xp: Any = np) -> Iterator[CellRecord]:
    """Yield the CellRecord of every output cell in reading order (row by row): the animation."""
    x, w = _prepare(image, kernel, 0, xp)
    k = w.shape[0]
    rows = conv_output_size(x.shape[0], k, stride, pad)
    cols = conv_output_size(x.shape[1], k, stride, pad)
    for i in range(rows):
        for j in range(cols):
            yield conv_cell(image, kernel, i, j, bias=bias, stride=stride, pad=pad, xp=xp)


def conv_multi_channel_loop(x: Any, w: Any, b: Any, stride: int = 1, pad: int = 0,
                            xp: Any = np) -> Any:
    """Convolve a C-channel input with F filters: each output map sums C convolutions plus a bias.

    Args:
        x: (C, H, W) input, e.g. the red, green and blue planes, or the maps of a layer below.
        w: (F, C, K, K) filters: filter f has one K x K kernel per input channel.
        b: (F,) one bias per output map.
    Returns:
        (F, H', W') float64 where out[f] = b[f] + sum over c of conv2d_loop(x[c], w[f, c]).
    """
    x = xp.asarray(x, dtype=xp.float64)
    w = xp.asarray(w, dtype=xp.float64)
    b = xp.asarray(b, dtype=xp.float64).reshape(-1)
    if x.ndim != 3 or w.ndim != 4 or w.shape[1] != x.shape[0] or b.shape[0] != w.shape[0]:
        raise ValueError(
            f"Expected x (C, H, W), w (F, C, K, K) and b (F,) with matching C and F; got "
            f"{tuple(x.shape)}, {tuple(w.shape)} and {tuple(b.shape)}."
        )
    maps = []
    for f in range(w.shape[0]):
        total = None
        for c in range(x.shape[0]):
            part = conv2d_loop(x[c], w[f, c], 0.0, stride, pad, xp=xp)  # (H', W')
            total = part if total is None else total + part
        maps.append(total + b[f])
    return xp.stack(maps)  # (F, H', W')


@dataclass(frozen=True, eq=False)
class ToyChannels:
    """A small multi-channel convolution to follow by hand (the convolution scene's channels mode).

    Attributes:
        x: (C, 5, 5) input of small integers 0..3.
        w: (C, 3, 3) one kernel per channel, integers -1..1.
        b: the one bias of the output map, an integer -2..2.
        parts: (C, 3, 3) each channel's own convolution, conv2d_loop(x[c], w[c]).
        out: (3, 3) the output map, parts summed over channels plus b.
    """

    x: np.ndarray
    w: np.ndarray
    b: float
    parts: np.ndarray
    out: np.ndarray


def toy_channels(seed: int, channels: int) -> ToyChannels:
    """A seeded `ToyChannels` of `channels` channels (float64 throughout)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, size=(channels, 5, 5)).astype(np.float64)
    w = rng.integers(-1, 2, size=(channels, 3, 3)).astype(np.float64)
    b = float(rng.integers(-2, 3))
    parts = np.stack([conv2d_loop(x[c], w[c]) for c in range(channels)])
    return ToyChannels(x, w, b, parts, parts.sum(axis=0) + b)  # out: (3, 3)


def param_count_conv(filters: int, kernel: int, channels: int = 1) -> int:
    """Weights and biases of a convolutional layer: filters * (channels * K * K + 1).

    Every cell of a map shares the same weights and bias, so the image size does not appear:
    20 filters of 5x5 on one channel have 20 * 26 = 520 parameters.
    """
    return int(filters) * (int(channels) * int(kernel) ** 2 + 1)


def param_count_dense(inputs: int, units: int) -> int:
    """Weights and biases of a fully connected layer: inputs * units + units (784, 30: 23,550)."""
    return int(inputs) * int(units) + int(units)


def compare_param_counts(filters: int = 20, kernel: int = 5, channels: int = 1,
                         inputs: int = 784, units: int = 30) -> ParamComparison:
    """The workshop's comparison: 20 maps of 5x5 (520) against 30 dense units on 784 pixels."""
    per_map = param_count_conv(1, kernel, channels)
    conv_total = param_count_conv(filters, kernel, channels)
    dense_total = param_count_dense(inputs, units)
    return ParamComparison(per_map=per_map, conv_total=conv_total, dense_total=dense_total,
                           ratio=dense_total / conv_total)


def _to_numpy(array: Any) -> np.ndarray:
    """A NumPy copy of an xp array (CuPy arrays come back from the device)."""
    get = getattr(array, "get", None)
    return np.asarray(get() if callable(get) else array)
