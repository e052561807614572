"""Predict questions on 2x2 pooling (`tutor.engines.pooling`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tutor.engines.pooling import KINDS, pool2d
from tutor.quiz.predict import Generated


def _matrix_text(matrix: np.ndarray) -> str:
    """Rows of right-aligned integers, one row a line."""
    width = max(len(str(int(v))) for v in matrix.ravel())
    return "\n".join(" ".join(str(int(v)).rjust(width) for v in row) for row in matrix)


def _plain(value: float) -> str:
    """A number without needless decimals: 7, 4.5, 3.25."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def maxpool_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"Pool this 4x4 matrix with a 2x2 window, stride 2" -> a 2x2 matrix answer.

    Params: `kind` ("max", default, or "avg"). Template fields: matrix (four lines of four
    numbers), kind, result (rows split by ";"), r1, r2 (the result's rows), w11, w12, w21, w22
    (each window's numbers, e.g. "3, 7, 1, 0").
    """
    from tutor.quiz.predict import Generated

    kind = str(params.get("kind", "max"))
    if kind not in KINDS:
        raise ValueError(f"kind must be 'max' or 'avg', got {kind!r}")
    matrix = rng.integers(0, 10, size=(4, 4))
    result = pool2d(matrix, 2, 2, kind).output
    windows = {
        f"w{i + 1}{j + 1}": ", ".join(str(int(v)) for v in block.ravel())
        for i in range(2) for j in range(2)
        for block in [matrix[2 * i : 2 * i + 2, 2 * j : 2 * j + 2]]
    }
    rows = [" ".join(_plain(v) for v in row) for row in result]
    return Generated(
        values={
            "matrix": _matrix_text(matrix), "kind": kind, "result": "; ".join(rows),
            "r1": rows[0], "r2": rows[1], **windows,
        },
        kind="matrix",
        answer=tuple(tuple(float(v) for v in row) for row in result),
        tolerance=1e-6,
    )
