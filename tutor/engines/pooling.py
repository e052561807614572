"""Pooling, the readable way: slide a small window over a feature map and keep its max or mean.

A 2x2 window with stride 2 cuts a 24x24 feature map into 144 non-overlapping blocks and keeps
one number per block, so the map shrinks to 12x12. Max pooling keeps the strongest response
(and we remember where it was); average pooling keeps the mean. Each feature map is pooled on
its own.

This module is the teaching version: explicit loops that a scene can step through one output
cell at a time (`pool_steps`), plus the pieces of the translation demo: shift an image by a
pixel (`shift_image`), compute a simple edge feature map (`vertical_edge_map`) and compare the
pooled maps (`compare_pooled`). The fast batched layers live in `tutor.engines.layers`; the
tests check that both agree.

Everything works on NumPy arrays (CuPy inputs are copied to the host first): these maps are
small and the point is to be read, not to be fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from tutor.backend import to_numpy

__all__ = [
    "KINDS",
    "VERTICAL_EDGE",
    "PoolResult",
    "PoolStep",
    "PoolComparison",
    "pool2d",
    "pool_steps",
    "pooled_size",
    "shift_image",
    "vertical_edge_map",
    "compare_pooled",
]

#: The pooling kinds this module knows.
KINDS: tuple[str, ...] = ("max", "avg")

#: A 5x5 vertical-edge kernel, shape (5, 5): dark on the left, bright on the right gives a
#: positive response; the weights sum to 0, so flat regions give 0. Scaled so a sharp 0 -> 1
#: edge gives 1.
VERTICAL_EDGE: np.ndarray = np.array([[-1.0, -1.0, 0.0, 1.0, 1.0]] * 5) / 10.0


@dataclass(frozen=True)
class PoolResult:
    """The pooled map and, for max pooling, where each maximum came from.

    Attributes:
        output: pooled values, shape (H', W') with H' = (H - size) // stride + 1.
        positions: for "max", the input (row, col) of each chosen maximum, shape (H', W', 2),
            int; None for "avg".
        kind: "max" or "avg".
        size: window size.
        stride: step between windows.
    """

    output: np.ndarray
    positions: np.ndarray | None
    kind: str
    size: int
    stride: int


@dataclass(frozen=True)
class PoolStep:
    """One output cell of a pooling pass.

    Attributes:
        index: position in visiting order (row by row), from 0.
        out_row, out_col: the output cell.
        rows, cols: half-open input ranges (start, stop) of the window.
        window: the window's values, shape (size, size).
        value: the pooled value written to the output cell.
        position: for "max", the input (row, col) of the maximum (the first one on a tie);
            None for "avg".
    """

    index: int
    out_row: int
    out_col: int
    rows: tuple[int, int]
    cols: tuple[int, int]
    window: np.ndarray
    value: float
    position: tuple[int, int] | None


@dataclass(frozen=True)
class PoolComparison:
    """How much two pooled maps agree (e.g. an image's and its shifted copy's).

    A cell counts as *unchanged* when the two values differ by at most `tol` times the larger
    map's peak. Cells that are zero in both maps agree trivially, so the counts are also given
    for the *active* cells only (non-zero in at least one map).

    Attributes:
        pooled_a, pooled_b: the two pooled maps, shape (H', W').
        unchanged: unchanged pooled cells, out of `cells`.
        cells: pooled cells in all.
        active: pooled cells non-zero in at least one map.
        active_unchanged: active pooled cells that are unchanged.
        similarity: cosine similarity of the pooled maps (1 = same pattern).
        raw_active, raw_active_unchanged, raw_similarity: the same for the maps before pooling.
    """

    pooled_a: np.ndarray
    pooled_b: np.ndarray
    unchanged: int
    cells: int
    active: int
    active_unchanged: int
    similarity: float
    raw_active: int
    raw_active_unchanged: int
    raw_similarity: float

    @property
    def active_share(self) -> float:
        """Share of active pooled cells that stayed the same (1.0 when none is active)."""
        return self.active_unchanged / self.active if self.active else 1.0

    @property
    def raw_active_share(self) -> float:
        """Share of active cells before pooling that stayed the same."""
        return self.raw_active_unchanged / self.raw_active if self.raw_active else 1.0


def _as_map(feature: Any) -> np.ndarray:
    """A feature map as a float64 NumPy array of shape (H, W)."""
    array = np.asarray(to_numpy(feature), dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"A feature map must be 2-D (H, W); got shape {array.shape}.")
    return array


def pooled_size(height: int, size: int = 2, stride: int = 2) -> int:
    """Output size along one axis: (H - size) // stride + 1 (leftover edge cells are dropped).

    Raises:
        ValueError: when the window is larger than the input or size/stride is below 1.
    """
    if size < 1 or stride < 1:
        raise ValueError(f"Pooling needs a window and stride of at least 1, got {size} and {stride}.")
    if size > height:
        raise ValueError(f"A {size}x{size} pooling window does not fit in a map {height} cells wide.")
    return (height - size) // stride + 1


def pool_steps(feature: Any, size: int = 2, stride: int = 2, kind: str = "max") -> Iterator[PoolStep]:
    """Pool `feature` (H, W) one output cell at a time, row by row.

    Args:
        feature: the feature map, shape (H, W).
        size: window size (2 for the classic 2x2).
        stride: step between windows (2: the windows do not overlap).
        kind: "max" or "avg".

    Yields:
        One PoolStep per output cell.
    """
    if kind not in KINDS:
        raise ValueError(f"Pooling kind must be 'max' or 'avg', got {kind!r}.")
    data = _as_map(feature)
    out_h = pooled_size(data.shape[0], size, stride)
    out_w = pooled_size(data.shape[1], size, stride)
    index = 0
    for i in range(out_h):
        for j in range(out_w):
            r0, c0 = i * stride, j * stride
            window = data[r0 : r0 + size, c0 : c0 + size].copy()
            if kind == "max":
                flat = int(np.argmax(window))  # first maximum in reading order
                dr, dc = divmod(flat, size)
                value, position = float(window[dr, dc]), (r0 + dr, c0 + dc)
            else:
                value, position = float(window.mean()), None
            yield PoolStep(index, i, j, (r0, r0 + size), (c0, c0 + size), window, value, position)
            index += 1


def pool2d(feature: Any, size: int = 2, stride: int = 2, kind: str = "max") -> PoolResult:
    """Pool a whole feature map (H, W) -> (H', W'); for max, also the argmax positions.

    A 24x24 map with size = stride = 2 becomes 12x12.
    """
    data = _as_map(feature)
    out_h = pooled_size(data.shape[0], size, stride)
    out_w = pooled_size(data.shape[1], size, stride)
    output = np.zeros((out_h, out_w))
    positions = np.zeros((out_h, out_w, 2), dtype=np.intp) if kind == "max" else None
    for step in pool_steps(data, size, stride, kind):
        output[step.out_row, step.out_col] = step.value
        if positions is not None and step.position is not None:
            positions[step.out_row, step.out_col] = step.position
    return PoolResult(output, positions, kind, size, stride)


def shift_image(image: Any, dy: int = 0, dx: int = 0) -> np.ndarray:
    """Move an image (H, W) down by dy and right by dx pixels (negative: up/left).

    Pixels that move out are lost; the uncovered border is filled with 0 (no wrap-around).
    """
    data = np.asarray(to_numpy(image))
    out = np.zeros_like(data)
    h, w = data.shape[:2]
    dy, dx = int(dy), int(dx)
    if abs(dy) >= h or abs(dx) >= w:
        return out
    src_r = slice(max(0, -dy), h - max(0, dy))
    dst_r = slice(max(0, dy), h - max(0, -dy))
    src_c = slice(max(0, -dx), w - max(0, dx))
    dst_c = slice(max(0, dx), w - max(0, -dx))
    out[dst_r, dst_c] = data[src_r, src_c]
    return out


def vertical_edge_map(image: Any, relu: bool = True) -> np.ndarray:
    """A feature map: `image` (H, W) slid under VERTICAL_EDGE without padding -> (H-4, W-4).

    uint8 images (0..255) are scaled to 0..1 first. Each output cell is the sum of the 5x5
    window times the kernel (stride 1, no padding, so 28x28 becomes 24x24); with `relu`,
    negative responses (bright-to-dark edges) become 0.
    """
    data = np.asarray(to_numpy(image))
    data = data / 255.0 if data.dtype == np.uint8 else data.astype(np.float64)
    windows = np.lib.stride_tricks.sliding_window_view(data, VERTICAL_EDGE.shape)  # (H-4, W-4, 5, 5)
    feature = np.einsum("ijkl,kl->ij", windows, VERTICAL_EDGE)
    return np.maximum(feature, 0.0) if relu else feature


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two arrays seen as vectors (1.0 when both are all zero)."""
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na == 0.0 and nb == 0.0:
        return 1.0
    if na == 0.0 or nb == 0.0:
        return 0.0
    return float(np.sum(a * b) / (na * nb))


def _agreement(a: np.ndarray, b: np.ndarray, tol: float) -> tuple[int, int, int]:
    """(unchanged cells, active cells, active unchanged cells) of two maps of one shape."""
    peak = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))), 1e-12)
    same = np.abs(a - b) <= tol * peak
    active = (np.abs(a) > tol * peak) | (np.abs(b) > tol * peak)
    return int(same.sum()), int(active.sum()), int((same & active).sum())


def compare_pooled(
    feature_a: Any, feature_b: Any, size: int = 2, stride: int = 2, kind: str = "max",
    tol: float = 0.1,
) -> PoolComparison:
    """Pool two feature maps (H, W) the same way and measure how much the results agree.

    Used for the translation demo: `feature_b` is the feature map of the image shifted by a
    pixel. Before pooling almost every active cell changes; after max pooling many stay put,
    because the maximum often moves within its 2x2 window.

    Args:
        feature_a, feature_b: maps of one shape (H, W).
        size, stride, kind: as for pool2d.
        tol: cells within tol x (largest absolute value) count as unchanged.
    """
    a, b = _as_map(feature_a), _as_map(feature_b)
    if a.shape != b.shape:
        raise ValueError(f"Both maps must have one shape; got {a.shape} and {b.shape}.")
    pa = pool2d(a, size, stride, kind).output
    pb = pool2d(b, size, stride, kind).output
    unchanged, active, active_unchanged = _agreement(pa, pb, tol)
    _, raw_active, raw_active_unchanged = _agreement(a, b, tol)
    return PoolComparison(
        pa, pb, unchanged, pa.size, active, active_unchanged, _cosine(pa, pb),
        raw_active, raw_active_unchanged, _cosine(a, b),
    )
