"""Predict questions about one convolutional layer: its output shape, size and parameters.

A random convolution (input channels and size, number of filters, kernel, stride, padding) is
built as a one-layer `ModelSpec`, and the answer is read from `tutor.engines.model.summary`,
the same code that derives LeNet-5's table, so a question and the lesson's summary can never
disagree. Registered in `tutor.quiz.predict.GENERATORS` as ``model.conv_layer``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tutor.engines.model import Conv, ModelSpec, summary
from tutor.engines.shapes import conv_output_size
from tutor.quiz.predict import Generated

#: What a `conv_layer_problem` can ask for.
ASKS: tuple[str, ...] = ("params", "size", "values")

_CHANNELS = (1, 1, 3, 6, 16)
_SIZES = (10, 14, 24, 28, 32)
_FILTERS = (4, 6, 8, 12, 16, 32, 120)
_KERNELS = (3, 5)


def conv_layer_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"What does this convolutional layer give?" for a random valid layer.

    Params:
        ask: "params" (weights + biases, the default), "size" (the output's height = width) or
            "values" (numbers in the output for one image: filters x size x size).

    Template fields: channels, size, filters, kernel, stride, pad, padded (size + 2·pad),
    out_size, out_shape ("16@10x10"), per_filter (channels·kernel·kernel + 1), weights, params,
    values (the answer's pieces as formatted strings) and answer.
    """
    ask = str(params.get("ask", "params"))
    if ask not in ASKS:
        raise ValueError(f"ask must be one of {', '.join(ASKS)}, got {ask!r}")
    for _ in range(1000):
        channels = int(rng.choice(_CHANNELS))
        size = int(rng.choice(_SIZES))
        kernel = int(rng.choice(_KERNELS))
        pad = int(rng.integers(0, kernel // 2 + 1))
        stride = int(rng.choice((1, 1, 2)))
        try:
            conv_output_size(size, kernel, stride, pad)
        except ValueError:
            continue
        break
    else:  # pragma: no cover - most draws are valid
        channels, size, kernel, pad, stride = 6, 14, 5, 0, 1
    filters = int(rng.choice(_FILTERS))
    spec = ModelSpec("quiz", (channels, size, size), (Conv("L", filters=filters, kernel=kernel, stride=stride, pad=pad),))
    row = summary(spec)[0]
    _, out_size, _ = row.output_shape
    values = filters * out_size * out_size
    answer = {"params": row.params, "size": out_size, "values": values}[ask]
    return Generated(
        values={
            "channels": channels, "size": size, "filters": filters, "kernel": kernel, "stride": stride,
            "pad": pad, "padded": size + 2 * pad, "out_size": out_size,
            "out_shape": f"{filters}@{out_size}x{out_size}",
            "per_filter": channels * kernel * kernel + 1, "weights": f"{channels * kernel * kernel * filters:,}",
            "params": f"{row.params:,}", "values": f"{values:,}", "answer": f"{answer:,}",
        },
        kind="number",
        answer=float(answer),
        tolerance=1e-9,
    )
