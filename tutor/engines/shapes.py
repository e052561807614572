"""Output size of a convolution or pooling window: (W - K + 2P) / S + 1, and what a cell sees.

A K x K window slides over a W x W input that has P rows and columns of zeros added on every
side, moving S cells at a time. The window fits at positions 0, S, 2S, ... as long as it stays
inside the padded input (W + 2P wide), which gives

    output size = (W - K + 2P) / S + 1.

The combination is *valid* when that is a whole number of at least 1: the last window then ends
exactly on the padded edge. `check_size` says so, or names what goes wrong (`SizeProblem`) with
the numbers a sentence about it needs and the nearest values that would work (the conv sandbox
scene words it); `receptive_field` lists the input cells one output cell sees, padding included.
Pure Python (no NumPy), so lessons and tests can use it anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "SizeCheck",
    "SizeProblem",
    "ReceptiveField",
    "check_size",
    "conv_output_size",
    "output_size",
    "receptive_field",
    "valid_paddings",
    "valid_strides",
    "window_starts",
]


class SizeProblem(StrEnum):
    """What is wrong with a (W, K, S, P) combination."""

    NONE = ""
    WIDTH = "width"  # W < 1
    KERNEL = "kernel"  # K < 1
    STRIDE = "stride"  # S < 1
    PAD = "pad"  # P < 0
    TOO_BIG = "too-big"  # K > W + 2P: the kernel fits nowhere
    UNEVEN = "uneven"  # (W - K + 2P) / S is not a whole number


@dataclass(frozen=True)
class SizeCheck:
    """The verdict on one (W, K, S, P) combination.

    Attributes:
        width: input size W (the input is W x W).
        kernel: window size K.
        stride: step S between window positions.
        pad: zeros P added on each side.
        valid: whether (W - K + 2P) / S + 1 is a whole number >= 1 with all values sensible.
        size: the output size when valid, else None.
        padded: W + 2P, the width the window slides over.
        span: W - K + 2P, how far the window's first cell can travel.
        exact: the unrounded (W - K + 2P) / S + 1 (None when S <= 0).
        problem: what is wrong (`SizeProblem.NONE` when valid).
        floor_size: what most libraries would give by rounding down (None when not meaningful).
        leftover: cells at the right (and bottom) edge that no window covers when rounding down.
        min_pad: for TOO_BIG, the least padding with which the kernel fits.
        fixes: for UNEVEN, the nearest values that work, changing one letter at a time:
            ("P", 1), ("S", 1), ("K", 4), in that order, each only when one exists.
    """

    width: int
    kernel: int
    stride: int
    pad: int
    valid: bool
    size: int | None
    padded: int
    span: int
    exact: float | None
    problem: SizeProblem = SizeProblem.NONE
    floor_size: int | None = None
    leftover: int = 0
    min_pad: int = 0
    fixes: tuple[tuple[str, int], ...] = ()

    @property
    def formula(self) -> str:
        """The formula with the numbers put in, e.g. "(28 - 5 + 2·0)/1 + 1 = 24"."""
        head = f"({self.width} - {self.kernel} + 2·{self.pad})/{self.stride} + 1"
        if self.exact is None:
            return f"{head} = undefined"
        return f"{head} = {_number(self.exact)}"


@dataclass(frozen=True)
class ReceptiveField:
    """The input cells that one output cell's window covers.

    Coordinates are in the *unpadded* input: row/column 0 is the first real pixel, so padding
    cells have negative coordinates or coordinates >= W.

    Attributes:
        out_row, out_col: the output cell.
        rows: half-open row range (start, stop) of the window in input coordinates.
        cols: half-open column range (start, stop) of the window in input coordinates.
        padded_rows, padded_cols: the same ranges in padded coordinates (start + P), which are
            never negative.
        cells: every covered cell (row, col), row by row.
        padding: the covered cells that are padding (outside 0..W-1), row by row; when the
            input width was not given, only the top/left padding (negative coordinates) is known.
    """

    out_row: int
    out_col: int
    rows: tuple[int, int]
    cols: tuple[int, int]
    padded_rows: tuple[int, int]
    padded_cols: tuple[int, int]
    cells: tuple[tuple[int, int], ...]
    padding: tuple[tuple[int, int], ...]

    @property
    def real_cells(self) -> int:
        """How many covered cells are real input pixels (not padding)."""
        return len(self.cells) - len(self.padding)


def _number(value: float) -> str:
    """A whole number without decimals, anything else with up to 3."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3f}".rstrip("0").rstrip(".")


def conv_output_size(size: int, kernel: int, stride: int = 1, pad: int = 0) -> int:
    """The output size of a convolution or pooling window along one side: (W - K + 2P) / S + 1.

    The one place this formula is computed: the readable convolution (`tutor.engines.conv`), the
    network's layer shapes (`tutor.engines.spec`) and `check_size` all call it.

    Args:
        size: input size W along the side.
        kernel: window size K.
        stride: step S.
        pad: zeros P added on each side.

    Raises:
        ValueError: (one sentence) when a size is below 1 or the padding negative, when the
            kernel is larger than the padded input, or when the window would not end exactly on
            the padded edge (W - K + 2P is not a multiple of S).
    """
    if size < 1 or kernel < 1 or stride < 1 or pad < 0:
        raise ValueError(
            f"Sizes must be positive and padding not negative (got W={size}, K={kernel}, "
            f"S={stride}, P={pad})."
        )
    span = size - kernel + 2 * pad
    if span < 0:
        raise ValueError(
            f"A {kernel}x{kernel} kernel does not fit a {size + 2 * pad}-wide padded input."
        )
    if span % stride:
        raise ValueError(
            f"(W - K + 2P) / S = ({size} - {kernel} + {2 * pad}) / {stride} is not a whole number, "
            "so the last window would not end on the edge."
        )
    return span // stride + 1


def valid_paddings(width: int, kernel: int, stride: int, limit: int = 8) -> tuple[int, ...]:
    """Paddings 0..limit for which (W - K + 2P) / S + 1 is a whole number >= 1."""
    if width < 1 or kernel < 1 or stride < 1:
        return ()
    return tuple(
        p for p in range(limit + 1)
        if width - kernel + 2 * p >= 0 and (width - kernel + 2 * p) % stride == 0
    )


def valid_strides(width: int, kernel: int, pad: int, limit: int = 8) -> tuple[int, ...]:
    """Strides 1..limit for which (W - K + 2P) / S + 1 is a whole number >= 1."""
    span = width - kernel + 2 * pad
    if width < 1 or kernel < 1 or pad < 0 or span < 0:
        return ()
    return tuple(s for s in range(1, limit + 1) if span % s == 0)


def _nearest(values: tuple[int, ...], target: int) -> int | None:
    """The value closest to `target` (the smaller one on a tie), or None."""
    return min(values, key=lambda v: (abs(v - target), v)) if values else None


def check_size(width: int, kernel: int, stride: int = 1, pad: int = 0) -> SizeCheck:
    """Check one combination: the output size, or what goes wrong and what would work instead.

    Args:
        width: input size W (square input W x W).
        kernel: window size K.
        stride: step S.
        pad: padding P on each side.

    Returns:
        A SizeCheck; `valid` tells which of `size` / `problem` applies.
    """
    w, k, s, p = int(width), int(kernel), int(stride), int(pad)
    padded, span = w + 2 * p, w - k + 2 * p
    exact = span / s + 1 if s > 0 else None

    def bad(problem: SizeProblem, **details: object) -> SizeCheck:
        return SizeCheck(w, k, s, p, False, None, padded, span, exact, problem, **details)  # type: ignore[arg-type]

    for problem, wrong in (
        (SizeProblem.WIDTH, w < 1), (SizeProblem.KERNEL, k < 1), (SizeProblem.STRIDE, s < 1),
        (SizeProblem.PAD, p < 0),
    ):
        if wrong:
            return bad(problem)
    if k > padded:
        return bad(SizeProblem.TOO_BIG, min_pad=(k - w + 1) // 2)
    if span % s:
        fixes = []
        nearest_pad = _nearest(valid_paddings(w, k, s, limit=max(8, p + s)), p)
        if nearest_pad is not None:
            fixes.append(("P", nearest_pad))
        nearest_stride = _nearest(valid_strides(w, k, p), s)
        if nearest_stride is not None:
            fixes.append(("S", nearest_stride))
        kernels = tuple(q for q in range(1, padded + 1) if (w - q + 2 * p) % s == 0)
        nearest_kernel = _nearest(kernels, k)
        if nearest_kernel is not None:
            fixes.append(("K", nearest_kernel))
        return bad(
            SizeProblem.UNEVEN, floor_size=span // s + 1, leftover=span % s, fixes=tuple(fixes)
        )
    return SizeCheck(w, k, s, p, True, conv_output_size(w, k, s, p), padded, span, exact)


def output_size(width: int, kernel: int, stride: int = 1, pad: int = 0) -> int:
    """(W - K + 2P) / S + 1 for a valid combination: `conv_output_size`.

    Raises:
        ValueError: with one sentence naming what does not work.
    """
    return conv_output_size(width, kernel, stride, pad)


def window_starts(width: int, kernel: int, stride: int = 1, pad: int = 0) -> tuple[int, ...]:
    """Where each window starts, in input coordinates (negative = in the padding).

    Rounds down like most libraries when the stride does not divide evenly; empty when the
    kernel fits nowhere or a value is out of range.
    """
    if width < 1 or kernel < 1 or stride < 1 or pad < 0 or kernel > width + 2 * pad:
        return ()
    count = (width - kernel + 2 * pad) // stride + 1
    return tuple(i * stride - pad for i in range(count))


def receptive_field(
    out_row: int, out_col: int, kernel: int, stride: int = 1, pad: int = 0, width: int | None = None
) -> ReceptiveField:
    """The input cells output cell (out_row, out_col) sees.

    Args:
        out_row, out_col: output cell, counted from 0.
        kernel: window size K.
        stride: step S.
        pad: padding P.
        width: the input size W, to also recognise padding on the right and bottom; None
            recognises only the top and left padding.

    Returns:
        A ReceptiveField; its window starts at input row out_row·S - P and column out_col·S - P.
    """
    r0 = out_row * stride - pad
    c0 = out_col * stride - pad
    rows, cols = (r0, r0 + kernel), (c0, c0 + kernel)

    def outside(i: int) -> bool:
        return i < 0 or (width is not None and i >= width)

    cells = tuple((r, c) for r in range(*rows) for c in range(*cols))
    padding = tuple((r, c) for r, c in cells if outside(r) or outside(c))
    return ReceptiveField(
        out_row, out_col, rows, cols,
        (r0 + pad, r0 + pad + kernel), (c0 + pad, c0 + pad + kernel), cells, padding,
    )
