"""Predict questions on one convolution cell and a layer's parameters (`tutor.engines.conv`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tutor.engines.conv import conv_cell, param_count_conv
from tutor.quiz.generators.shapes import distinct_mistakes
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
    products joined by " + "), total, answer. Mistakes: the bias left out or subtracted, the
    kernel mirrored (textbook convolution), row and column swapped.
    """
    image = rng.integers(0, 4, size=(5, 5))
    kernel = rng.integers(-1, 2, size=(3, 3))
    while not kernel.any():
        kernel = rng.integers(-1, 2, size=(3, 3))
    bias = int(rng.integers(-2, 3))
    row, col = (int(v) for v in rng.integers(0, 3, size=2))
    cell = conv_cell(image, kernel, row, col, bias=float(bias))
    products = " + ".join(f"({int(v)})" if v < 0 else str(int(v)) for v in cell.products.ravel())
    total = float(cell.total)
    mirrored = float((cell.window * kernel[::-1, ::-1]).sum()) + bias
    swapped = float(conv_cell(image, kernel, col, row, bias=float(bias)).output)
    mistakes = distinct_mistakes(float(cell.output), [
        (total if bias else None, f"That is the sum of the products alone: the bias b = {bias} "
         "is added to it at the end."),
        (total - bias if bias else None, f"You subtracted the bias. b = {bias} is added to the "
         "sum of the products, whatever its sign."),
        (mirrored, "That mirrors the kernel, as textbook convolution does. Here the kernel is "
         "laid on the window as it is: top-left weight on top-left pixel."),
        (swapped if row != col else None, f"That is cell ({col}, {row}). The first number is "
         "the row (counted down), the second the column (counted across)."),
    ])
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
        mistakes=mistakes,
    )


def param_count_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"How many parameters has this convolutional layer?" for random filters, kernel, channels.

    Template fields: filters, kernel, channels, per_map (C*K*K + 1), answer. Mistakes: the
    biases left out, the input channels left out, a bias per channel, one filter only.
    """
    filters = int(rng.choice([4, 6, 8, 10, 12, 16, 32]))
    kernel = int(rng.choice([3, 5, 7]))
    channels = int(rng.choice([1, 1, 3, 6]))
    per_map = param_count_conv(1, kernel, channels)
    answer = param_count_conv(filters, kernel, channels)
    weights = filters * channels * kernel * kernel
    mistakes = distinct_mistakes(float(answer), [
        (float(weights), f"Those are the weights alone: each of the {filters} filters also has "
         "one bias. Add one per filter."),
        (float(param_count_conv(filters, kernel, 1)), f"That gives each filter one {kernel}x{kernel} "
         f"kernel. The input has {channels} channels, and a filter has a kernel for each."),
        (float(filters * channels * (kernel * kernel + 1)), "That gives every channel's kernel a "
         "bias. A filter adds its channels up first, then adds one bias."),
        (float(weights + 1), "That gives the whole layer one bias. Every filter has a bias of its "
         "own, as it has its own kernels."),
        (float(per_map), f"That is one filter. The layer has {filters} of them, each with its own "
         "weights and bias."),
    ])
    return Generated(
        values={"filters": filters, "kernel": kernel, "channels": channels,
                "per_map": per_map, "answer": f"{answer:,}"},
        kind="number",
        answer=float(answer),
        tolerance=1e-6,
        mistakes=mistakes,
    )
