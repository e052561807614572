"""Predict questions on the output size (W - K + 2P) / S + 1 (`tutor.engines.shapes`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tutor.engines.shapes import check_size
from tutor.quiz.predict import Generated

__all__ = ["distinct_mistakes", "output_size_problem"]

#: Combinations the generator draws from: (W, K) pairs of realistic layers and small drills.
_WIDTHS = (5, 6, 7, 8, 9, 10, 12, 14, 16, 24, 28, 32)
_KERNELS = (1, 2, 3, 5, 7)


def _flat(value: Any) -> tuple[float, ...]:
    """A number, vector or matrix as one flat tuple of floats."""
    if isinstance(value, (tuple, list)):
        return tuple(x for item in value for x in _flat(item))
    return (float(value),)


def _same(a: Any, b: Any, tolerance: float) -> bool:
    fa, fb = _flat(a), _flat(b)
    return len(fa) == len(fb) and all(abs(x - y) <= tolerance for x, y in zip(fa, fb, strict=True))


def distinct_mistakes(
    answer: Any, candidates: Iterable[tuple[Any, str]], tolerance: float = 1e-6
) -> dict[Any, str]:
    """The known slips `(wrong value, message)` a generator offers, made safe to grade.

    A candidate is dropped when it is None, when it equals the right answer (within `tolerance`:
    with these numbers the slip gives the right value, so it diagnoses nothing) or when it
    equals an earlier candidate (the first, more specific message wins). Values are numbers,
    or tuples (of tuples) for vectors and matrices.
    """
    kept: dict[Any, str] = {}
    for value, message in candidates:
        if value is None or _same(value, answer, tolerance):
            continue
        if any(_same(value, earlier, tolerance) for earlier in kept):
            continue
        kept[value] = message
    return kept


def output_size_problem(rng: Any, **params: Any) -> Generated:
    """"What is the output size?" for a random valid (W, K, S, P).

    Redraws until the combination is valid. Template fields: w, k, s, p, formula, size.
    Params: `max_stride` (default 3), `max_pad` (default 3). Mistakes: the + 1 left out, the
    stride ignored, the padding on one side only or ignored, the padded width itself.
    """
    from tutor.quiz.predict import Generated

    max_stride = int(params.get("max_stride", 3))
    max_pad = int(params.get("max_pad", 3))
    for _ in range(1000):
        w = int(rng.choice(_WIDTHS))
        k = int(rng.choice(_KERNELS))
        s = int(rng.integers(1, max_stride + 1))
        p = int(rng.integers(0, max_pad + 1))
        check = check_size(w, k, s, p)
        if check.valid and k <= w and p < k:
            break
    else:  # pragma: no cover - the grid always has valid combinations
        w, k, s, p = 28, 5, 1, 0
        check = check_size(w, k, s, p)
    answer = float(check.size or 0)
    span = w - k + 2 * p

    def whole(numerator: int) -> float | None:
        """numerator / s + 1 when that is a whole number (a size a learner would type)."""
        return float(numerator // s + 1) if numerator >= 0 and numerator % s == 0 else None

    mistakes = distinct_mistakes(answer, [
        (float(span // s), "You left out the + 1: the window's first position counts too. "
         "Divide W - K + 2P by S, then add 1."),
        (float(span + 1) if s > 1 else None, f"That is the size at stride 1. With stride {s} "
         "the window skips positions: divide W - K + 2P by S before adding 1."),
        (whole(w - k + p) if p else None, "That pads one side only. Each ring of zeros goes "
         "on both sides, so the input grows by 2P."),
        (whole(w - k) if p else None, "That ignores the padding. The zeros widen the input by "
         "P on each side before the window slides."),
        (float(w + 2 * p) if p else None, "That is the padded input's width. The window still "
         "has to fit inside it: subtract K, divide by S, add 1."),
    ], tolerance=1e-9)
    return Generated(
        values={"w": w, "k": k, "s": s, "p": p, "formula": check.formula, "size": check.size},
        kind="number",
        answer=answer,
        tolerance=1e-9,
        mistakes=mistakes,
    )
