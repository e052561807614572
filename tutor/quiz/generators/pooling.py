"""Predict questions on 2x2 pooling (`tutor.engines.pooling`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tutor.engines.pooling import KINDS, pool2d
from tutor.quiz.generators.shapes import distinct_mistakes
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
    (each window's numbers, e.g. "3, 7, 1, 0"). Mistakes: the other kind of pooling, the
    minima, the sums (avg without dividing by 4), the maxima of the four rows.
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

    def as_answer(matrix_2x2: Any) -> tuple[tuple[float, ...], ...]:
        return tuple(tuple(float(v) for v in row) for row in np.asarray(matrix_2x2).reshape(2, 2))

    blocks = matrix.reshape(2, 2, 2, 2).swapaxes(1, 2).reshape(2, 2, 4)
    answer = as_answer(result)
    other = "avg" if kind == "max" else "max"
    other_slip = (
        "Those are the blocks' means, average pooling. Max pooling keeps the largest of the four."
        if kind == "max" else
        "Those are the blocks' maxima, max pooling. Average pooling keeps the mean of the four."
    )
    candidates = [(as_answer(pool2d(matrix, 2, 2, other).output), other_slip)]
    if kind == "max":
        candidates += [
            (as_answer(blocks.min(axis=2)), "Those are the smallest values. Max pooling keeps the "
             "largest number of each 2x2 block."),
            (as_answer(matrix.max(axis=1)), "That is the maximum of each row. A window is a 2x2 "
             "block: two rows by two columns."),
        ]
    else:
        candidates += [
            (as_answer(blocks.sum(axis=2)), "Those are the blocks' sums. A mean divides each sum "
             "by the four values in the block."),
            (as_answer(blocks.sum(axis=2) / 2), "You divided each sum by 2. A 2x2 block holds four "
             "values, so divide by 4."),
        ]
    mistakes = distinct_mistakes(answer, candidates)
    return Generated(
        values={
            "matrix": _matrix_text(matrix), "kind": kind, "result": "; ".join(rows),
            "r1": rows[0], "r2": rows[1], **windows,
        },
        kind="matrix",
        answer=answer,
        tolerance=1e-6,
        mistakes=mistakes,
    )
