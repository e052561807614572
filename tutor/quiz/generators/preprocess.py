"""Predict questions on MNIST-style preprocessing: box size and centring (`tutor.engines.preprocess`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from tutor.engines.preprocess import BOX, TARGET_CENTRE, round_half_up
from tutor.quiz.predict import Generated


def _slips(answer: tuple[float, ...],
           candidates: Sequence[tuple[tuple[float, ...], str]]) -> dict[tuple[float, ...], str]:
    """The known wrong vectors among `candidates`, as `Generated.mistakes`.

    A candidate is kept only when it differs from the right answer and from every candidate
    kept before it (the answers are whole pixels), so each one is graded with its own message.
    """
    found: dict[tuple[float, ...], str] = {}
    for value, message in candidates:
        value = tuple(float(v) + 0.0 for v in value)
        if value == answer or value in found:
            continue
        found[value] = message
    return found


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
    answer = (float(new_h), float(new_w))
    small_scale = BOX / min(height, width)
    grow = BOX - max(height, width)
    mistakes = _slips(answer, [
        ((BOX, BOX), "Only the larger side becomes 20: the other side is scaled by the same "
                     "factor, so the digit keeps its proportions."),
        ((math.floor(exact[0]), math.floor(exact[1])), "You cut off the decimals: round each "
                                                       "scaled side to the nearest whole pixel."),
        ((round_half_up(height * small_scale), round_half_up(width * small_scale)),
         "You scaled by the smaller side, so the larger one overshoots 20: the factor is 20 "
         "divided by the larger side."),
        ((height + grow, width + grow), "You added the same number of pixels to both sides. "
                                        "Scaling multiplies both sides by one factor instead."),
        ((height, width), "That is the ink box before scaling: multiply both sides by 20 / "
                          "the larger side."),
    ])
    return Generated(
        values={
            "height": height, "width": width, "scale": f"{scale:.3g}", "larger": larger,
            "new_height": new_h, "new_width": new_w,
            "exact_h": f"{exact[0]:.2f}", "exact_w": f"{exact[1]:.2f}",
        },
        kind="vector",
        answer=answer,
        tolerance=0.01,
        mistakes=mistakes,
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
    answer = (float(shift[0]), float(shift[1]))
    mistakes = _slips(answer, [
        ((round_half_up(-dy), round_half_up(-dx)), "You subtracted the wrong way round: the move "
                                                   "is the target (14, 14) minus where the "
                                                   "centre of mass is now."),
        ((math.trunc(dy), math.trunc(dx)), "You cut off the decimals: round each difference to "
                                           "the nearest whole pixel instead."),
        ((math.floor(dy), math.floor(dx)), "You rounded down: round each difference to the "
                                           "nearest whole pixel, whichever side that is."),
        ((round_half_up(row), round_half_up(col)), "That is where the centre of mass is, not "
                                                   "the move: subtract it from the target (14, 14)."),
    ])
    return Generated(
        values={"row": f"{row:.1f}", "col": f"{col:.1f}", "dy": shift[0], "dx": shift[1],
                "exact_dy": f"{dy:+.1f}", "exact_dx": f"{dx:+.1f}"},
        kind="vector",
        answer=answer,
        tolerance=0.01,
        mistakes=mistakes,
    )
