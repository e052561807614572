"""Turn a hand-drawn 28x28 canvas into an MNIST-style input, the way MNIST itself was made.

The MNIST digits were not simply scanned at 28x28. Each digit was cropped to its ink, scaled
(keeping its aspect ratio) so that its larger side is 20 pixels, with anti-aliasing, placed in a
28x28 field, and moved so that its centre of mass sits at the centre of the field. A network
trained on those images expects every input to look like that; a digit drawn small in a corner
confuses it. :func:`mnist_preprocess` repeats those steps on any canvas and reports each one in a
:class:`PreprocessRecord`, so a scene can show them and a test can check them.

:func:`brush` and :func:`brush_line` paint soft round dots and strokes, like a pen, onto a
canvas; the digit-canvas widget uses them.

Everything here is pure NumPy on small arrays (no Pillow or SciPy): functions return new arrays
and never change their arguments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np


__all__ = [
    "SIZE",
    "BOX",
    "TARGET_CENTRE",
    "PreprocessRecord",
    "as_unit_float",
    "ink_bbox",
    "centre_of_mass",
    "resize",
    "mnist_preprocess",
    "brush",
    "brush_line",
]

#: Side of the canvas and of the model's input, in pixels.
SIZE = 28

#: Side of the box the larger side of a digit is scaled to.
BOX = 20

#: Where the centre of mass of an MNIST digit sits, as (row, col) pixel indices. Measured on the
#: MNIST test set: the mean centre of mass is (13.99, 14.00), every digit within half a pixel.
TARGET_CENTRE = (14.0, 14.0)

#: Pixels at or below this value (in 0..1) count as background when finding the ink's box.
INK_THRESHOLD = 0.0


@dataclass(frozen=True)
class PreprocessRecord:
    """Every step of :func:`mnist_preprocess` for one canvas.

    Attributes:
        image: the model's input, shape ``(28, 28)`` float32 in [0, 1]; all zeros when empty.
        bbox: the ink's bounding box on the canvas, ``(row, col, height, width)`` in pixels;
            ``(0, 0, 0, 0)`` when empty.
        scale: the resampling factor, 20 / the larger side of `bbox` (1.0 when empty).
        resized: ``(height, width)`` of the digit after scaling; the larger one is 20.
        centre_of_mass: ``(row, col)`` of the scaled digit pasted in the middle of the
            28x28 field, before the shift; ``(14.0, 14.0)`` when empty.
        shift: ``(rows, cols)`` the digit was moved by (integers, clipped so no ink leaves).
        final_centre: ``(row, col)`` centre of mass of `image`.
        empty: True when the canvas had no ink at all.
    """

    image: np.ndarray
    bbox: tuple[int, int, int, int]
    scale: float
    resized: tuple[int, int]
    centre_of_mass: tuple[float, float]
    shift: tuple[int, int]
    final_centre: tuple[float, float]
    empty: bool


def as_unit_float(canvas: Any) -> np.ndarray:
    """A copy of `canvas` as float64 in [0, 1].

    Args:
        canvas: ``(H, W)`` array, uint8 in 0..255 or float in 0..1 (clipped).

    Returns:
        ``(H, W)`` float64 array in [0, 1].

    Raises:
        ValueError: when `canvas` is not 2-D.
    """
    array = np.asarray(canvas)
    if array.ndim != 2:
        raise ValueError(f"a canvas must be 2-D (H, W); got shape {array.shape}")
    if array.dtype == np.uint8:
        return array.astype(np.float64) / 255.0
    return np.clip(np.nan_to_num(array.astype(np.float64)), 0.0, 1.0)


def ink_bbox(image: np.ndarray, threshold: float = INK_THRESHOLD) -> tuple[int, int, int, int] | None:
    """The bounding box of the pixels above `threshold`.

    Args:
        image: ``(H, W)`` values.
        threshold: pixels ``> threshold`` are ink.

    Returns:
        ``(row, col, height, width)``, or None when there is no ink.
    """
    ink = np.asarray(image) > threshold
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(cols[0]), int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """Intensity-weighted mean ``(row, col)`` pixel index of `image` ``(H, W)``.

    Returns the geometric centre ``((H - 1) / 2, (W - 1) / 2)`` for an all-zero image.
    """
    array = np.asarray(image, dtype=np.float64)
    total = float(array.sum())
    height, width = array.shape
    if total <= 0.0:
        return (height - 1) / 2.0, (width - 1) / 2.0
    row = float(array.sum(axis=1) @ np.arange(height)) / total
    col = float(array.sum(axis=0) @ np.arange(width)) / total
    return row, col


def _area_weights(n_in: int, n_out: int) -> np.ndarray:
    """Box-filter (area-averaging) weights ``(n_out, n_in)`` for shrinking one axis.

    Output pixel ``j`` covers the input interval ``[j, j + 1) * n_in / n_out``; its value is the
    mean of the input over that interval, each input pixel weighted by how much of it is covered.
    """
    step = n_in / n_out
    starts = np.arange(n_out)[:, None] * step  # (n_out, 1)
    ends = starts + step
    left = np.arange(n_in)[None, :]  # (1, n_in)
    overlap = np.clip(np.minimum(ends, left + 1) - np.maximum(starts, left), 0.0, None)
    return overlap / step


def _bilinear_weights(n_in: int, n_out: int) -> np.ndarray:
    """Linear-interpolation weights ``(n_out, n_in)`` for enlarging one axis (pixel centres aligned)."""
    weights = np.zeros((n_out, n_in))
    source = (np.arange(n_out) + 0.5) * n_in / n_out - 0.5
    source = np.clip(source, 0.0, n_in - 1)
    low = np.floor(source).astype(int)
    high = np.minimum(low + 1, n_in - 1)
    frac = source - low
    rows = np.arange(n_out)
    np.add.at(weights, (rows, low), 1.0 - frac)
    np.add.at(weights, (rows, high), frac)
    return weights


def _axis_weights(n_in: int, n_out: int) -> np.ndarray:
    """Resampling weights ``(n_out, n_in)``: identity, area averaging (shrink) or bilinear (grow)."""
    if n_in == n_out:
        return np.eye(n_in)
    if n_out < n_in:
        return _area_weights(n_in, n_out)
    return _bilinear_weights(n_in, n_out)


def resize(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Resample `image` ``(H, W)`` to `shape` ``(h, w)`` with anti-aliasing.

    Each axis is resampled on its own: area averaging where it shrinks (every input pixel
    contributes, so thin strokes fade instead of vanishing), bilinear interpolation where it
    grows, and nothing where it keeps its size.

    Returns:
        ``(h, w)`` float64 array.
    """
    array = np.asarray(image, dtype=np.float64)
    rows = _axis_weights(array.shape[0], int(shape[0]))  # (h, H)
    cols = _axis_weights(array.shape[1], int(shape[1]))  # (w, W)
    return rows @ array @ cols.T


def round_half_up(value: float) -> int:
    """`value` rounded to the nearest integer, halves upwards (no banker's rounding)."""
    return int(math.floor(value + 0.5 + 1e-9))


def mnist_preprocess(
    canvas: Any,
    *,
    box: int = BOX,
    size: int = SIZE,
    target: tuple[float, float] = TARGET_CENTRE,
    threshold: float = INK_THRESHOLD,
) -> PreprocessRecord:
    """Prepare a drawn digit the way MNIST's digits were prepared.

    1. crop the canvas to the bounding box of its ink (pixels ``> threshold``);
    2. resample the crop, keeping its aspect ratio, so that its larger side is `box` pixels;
    3. paste it in the middle of a `size` x `size` field;
    4. shift it by whole pixels so its centre of mass lands on `target` (clipped so that no
       ink leaves the field).

    Args:
        canvas: ``(H, W)`` uint8 0..255 or float 0..1, usually ``(28, 28)``.
        box: side of the box the digit is scaled into (20 for MNIST).
        size: side of the output (28 for MNIST).
        target: ``(row, col)`` where the centre of mass should end up.
        threshold: pixels above it count as ink when cropping.

    Returns:
        A :class:`PreprocessRecord`; ``empty=True`` and a blank image when there is no ink.
    """
    pixels = as_unit_float(canvas)
    bbox = ink_bbox(pixels, threshold)
    if bbox is None:
        centre = (float(target[0]), float(target[1]))
        return PreprocessRecord(
            image=np.zeros((size, size), dtype=np.float32), bbox=(0, 0, 0, 0), scale=1.0,
            resized=(0, 0), centre_of_mass=centre, shift=(0, 0), final_centre=centre, empty=True,
        )
    row, col, height, width = bbox
    crop = pixels[row : row + height, col : col + width]
    scale = box / max(height, width)
    new_h = min(box, max(1, round_half_up(height * scale)))
    new_w = min(box, max(1, round_half_up(width * scale)))
    digit = np.clip(resize(crop, (new_h, new_w)), 0.0, 1.0)

    field = np.zeros((size, size))
    top, left = (size - new_h) // 2, (size - new_w) // 2
    field[top : top + new_h, left : left + new_w] = digit
    com = centre_of_mass(field)

    # Whole-pixel shift towards the target, limited so the pasted box stays inside the field.
    dy = int(np.clip(round_half_up(target[0] - com[0]), -top, size - new_h - top))
    dx = int(np.clip(round_half_up(target[1] - com[1]), -left, size - new_w - left))
    image = np.zeros((size, size))
    image[top + dy : top + dy + new_h, left + dx : left + dx + new_w] = digit
    return PreprocessRecord(
        image=image.astype(np.float32),
        bbox=bbox,
        scale=float(scale),
        resized=(new_h, new_w),
        centre_of_mass=(float(com[0]), float(com[1])),
        shift=(dy, dx),
        final_centre=centre_of_mass(image),
        empty=False,
    )


def _dot(shape: tuple[int, int], row: float, col: float, radius: float) -> np.ndarray:
    """Coverage ``(H, W)`` in [0, 1] of a round dot centred at pixel coordinates (row, col).

    Pixel ``(i, j)`` has its centre at ``(i, j)``. Pixels nearer than ``radius - 0.5`` are fully
    covered, pixels farther than ``radius + 0.5`` not at all, with a linear ramp between: a
    one-pixel soft edge, like an anti-aliased pen.
    """
    rows = np.arange(shape[0])[:, None]
    cols = np.arange(shape[1])[None, :]
    distance = np.hypot(rows - row, cols - col)
    return np.clip(radius + 0.5 - distance, 0.0, 1.0)


def brush(
    canvas: np.ndarray,
    row: float,
    col: float,
    radius: float = 1.4,
    strength: float = 1.0,
    *,
    erase: bool = False,
) -> np.ndarray:
    """Paint (or erase) one soft round dot, like touching the paper with a pen.

    Args:
        canvas: ``(H, W)`` float in [0, 1]; not changed.
        row: the dot's centre row in pixel coordinates (may be fractional).
        col: the dot's centre column (may be fractional).
        radius: pen radius in pixels; the edge fades over one pixel.
        strength: darkness of the ink in [0, 1]; painting never makes a pixel lighter.
        erase: lift ink instead: pixels under the dot go towards 0.

    Returns:
        A new ``(H, W)`` float64 canvas in [0, 1].
    """
    pixels = as_unit_float(canvas)
    cover = _dot(pixels.shape, row, col, radius)
    if erase:
        return np.clip(np.minimum(pixels, 1.0 - cover), 0.0, 1.0)
    return np.clip(np.maximum(pixels, strength * cover), 0.0, 1.0)


def brush_line(
    canvas: np.ndarray,
    start: tuple[float, float],
    end: tuple[float, float],
    radius: float = 1.4,
    strength: float = 1.0,
    *,
    erase: bool = False,
) -> np.ndarray:
    """Paint dots every half pixel from `start` to `end` ``(row, col)``: a stroke with no gaps.

    A fast mouse drag reports positions several pixels apart; joining them keeps the stroke
    whole. Arguments as in :func:`brush`; returns a new ``(H, W)`` float64 canvas.
    """
    (r0, c0), (r1, c1) = start, end
    steps = max(1, int(math.ceil(2 * max(abs(r1 - r0), abs(c1 - c0)))))
    pixels = as_unit_float(canvas)
    for t in np.linspace(0.0, 1.0, steps + 1):
        pixels = brush(pixels, r0 + t * (r1 - r0), c0 + t * (c1 - c0), radius, strength, erase=erase)
    return pixels
