"""Predict questions on one convolution cell and a layer's parameters (`tutor.engines.conv`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tutor.engines.conv import conv_cell, param_count_conv
from tutor.quiz.predict import Generated


def _grid_text(matrix: np.ndarray) -> str:
    """Integer matrix rows as right-aligned text lines, for a fenced block in a prompt."""
    width = max(len(str(int(v))) for v in matrix.ravel())
    return "\n".join(" ".join(str(int(v)).rjust(width) for v in row) for row in matrix)


def cell_output_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"What is output cell (r, c)?" for a 5x5 image of small integers and a 3x3 kernel.

    The image holds 0..3, the kernel -1..1 and the bias -2..2 (all integers), no padding,
    stride 1, so the output is 3x3. Template fields: image, kernel (text blocks), bias, row,
    col, rows (input rows of the window), cols, window (its text block), products (the nine
    products joined by " + "), total, answer.
    """
    image = rng.integers(0, 4, size=(5, 5))
    kernel = rng.integers(-1, 2, size=(3, 3))
    while not kernel.any():
        kernel = rng.integers(-1, 2, size=(3, 3))
    bias = int(rng.integers(-2, 3))
    row, col = (int(v) for v in rng.integers(0, 3, size=2))
    cell = conv_cell(image, kernel, row, col, bias=float(bias))
    products = " + ".join(f"({int(v)})" if v < 0 else str(int(v)) for v in cell.products.ravel())
    return Generated(
        values={
            "image": _grid_text(image), "kernel": _grid_text(kernel), "bias": bias,
            "row": row, "col": col, "rows": f"{row}-{row + 2}", "cols": f"{col}-{col + 2}",
            "window": _grid_text(cell.window), "products": products,
            "total": int(cell.total), "answer": int(cell.output),
        },
        kind="number",
        answer=float(cell.output),
        tolerance=1e-6,
    )


def param_count_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"How many parameters has this convolutional layer?" for random filters, kernel, channels.

    Template fields: filters, kernel, channels, per_map (C*K*K + 1), answer.
    """
    filters = int(rng.choice([4, 6, 8, 10, 12, 16, 32]))
    kernel = int(rng.choice([3, 5, 7]))
    channels = int(rng.choice([1, 1, 3, 6]))
    per_map = param_count_conv(1, kernel, channels)
    answer = param_count_conv(filters, kernel, channels)
    return Generated(
        values={"filters": filters, "kernel": kernel, "channels": channels,
                "per_map": per_map, "answer": f"{answer:,}"},
        kind="number",
        answer=float(answer),
        tolerance=1e-6,
    )
