"""Predict questions on MNIST-style preprocessing: box size and centring (`tutor.engines.preprocess`)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tutor.engines.preprocess import BOX, TARGET_CENTRE, round_half_up
from tutor.quiz.predict import Generated


def box_size_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"How big is the digit after scaling?" for a random ink box.

    The ink's box is `height` x `width` pixels; the larger side becomes 20 and the other keeps
    the aspect ratio (rounded to whole pixels). Template fields: height, width, scale,
    new_height, new_width, larger. The answer is the vector (new height, new width).
    """
    for _ in range(1000):
        height = int(rng.integers(6, 27))
        width = int(rng.integers(4, 27))
        scale = BOX / max(height, width)
        new_h = max(1, round_half_up(height * scale))
        new_w = max(1, round_half_up(width * scale))
        exact = (height * scale, width * scale)
        # Avoid sizes that fall right on .5, where rounding conventions differ.
        if height != width and all(abs(v - math.floor(v) - 0.5) > 0.05 for v in exact):
            break
    larger = "height" if height >= width else "width"
    return Generated(
        values={
            "height": height, "width": width, "scale": f"{scale:.3g}", "larger": larger,
            "new_height": new_h, "new_width": new_w,
            "exact_h": f"{exact[0]:.2f}", "exact_w": f"{exact[1]:.2f}",
        },
        kind="vector",
        answer=(float(new_h), float(new_w)),
        tolerance=0.01,
    )


def centre_shift_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"By how many pixels is the digit moved?" for a random centre of mass.

    The scaled digit's centre of mass is at (row, col); it is moved by whole pixels towards
    (14, 14). Template fields: row, col, dy, dx. The answer is the vector (dy, dx).
    """
    for _ in range(1000):
        row = float(np.round(rng.uniform(10.0, 18.0), 1))
        col = float(np.round(rng.uniform(10.0, 18.0), 1))
        dy, dx = TARGET_CENTRE[0] - row, TARGET_CENTRE[1] - col
        if all(abs(abs(v) - math.floor(abs(v)) - 0.5) > 0.05 for v in (dy, dx)) and (dy, dx) != (0, 0):
            break
    shift = (round_half_up(dy), round_half_up(dx))
    return Generated(
        values={"row": f"{row:.1f}", "col": f"{col:.1f}", "dy": shift[0], "dx": shift[1],
                "exact_dy": f"{dy:+.1f}", "exact_dx": f"{dx:+.1f}"},
        kind="vector",
        answer=(float(shift[0]), float(shift[1])),
        tolerance=0.01,
    )
