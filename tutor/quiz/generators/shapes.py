"""Predict questions on the output size (W - K + 2P) / S + 1 (`tutor.engines.shapes`)."""

from __future__ import annotations

from typing import Any

from tutor.engines.shapes import check_size
from tutor.quiz.predict import Generated

#: Combinations the generator draws from: (W, K) pairs of realistic layers and small drills.
_WIDTHS = (5, 6, 7, 8, 9, 10, 12, 14, 16, 24, 28, 32)
_KERNELS = (1, 2, 3, 5, 7)


def output_size_problem(rng: Any, **params: Any) -> Generated:
    """"What is the output size?" for a random valid (W, K, S, P).

    Redraws until the combination is valid. Template fields: w, k, s, p, formula, size.
    Params: `max_stride` (default 3), `max_pad` (default 3).
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
    return Generated(
        values={"w": w, "k": k, "s": s, "p": p, "formula": check.formula, "size": check.size},
        kind="number",
        answer=float(check.size or 0),
        tolerance=1e-9,
    )
