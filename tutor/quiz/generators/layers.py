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
from tutor.quiz.generators.shapes import distinct_mistakes
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

    Mistakes, by what is asked: params: biases or input channels left out, a bias per channel,
    the filters counted once per output cell; size: the + 1, the stride or the padding left out;
    values: one map only, the input's size, the parameters instead of the outputs.
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
    weights = filters * channels * kernel * kernel
    span = size - kernel + 2 * pad
    candidates: list[tuple[float | None, str]]
    if ask == "params":
        candidates = [
            (filters * (kernel * kernel + 1), f"That gives each filter one {kernel}x{kernel} kernel. "
             f"The input has {channels} maps, and a filter has a kernel for each."),
            (weights, f"Those are the weights alone: each of the {filters} filters also has one "
             "bias. Add one per filter."),
            (filters * channels * (kernel * kernel + 1), "That gives every input map's kernel a "
             "bias. A filter sums over its input maps first, then adds one bias."),
            (row.params * out_size * out_size, "That counts the filters once per output cell. "
             "All cells of a map share their filter: it is stored once."),
        ]
    elif ask == "size":
        candidates = [
            (span // stride, "You left out the + 1: the window's first position counts too."),
            (span + 1 if stride > 1 else None, f"That is the size at stride 1. With stride {stride} "
             "divide W - K + 2P by the stride before adding 1."),
            ((size - kernel) // stride + 1 if pad and (size - kernel) % stride == 0 else None,
             f"That ignores the padding: {pad} ring(s) of zeros widen the input on both sides."),
            (size + 2 * pad if pad else None, "That is the padded input's width. The window must "
             "still fit inside it: subtract K, divide by S, add 1."),
        ]
    else:
        candidates = [
            (out_size * out_size, f"That is one map. Each of the {filters} filters writes a map "
             "of its own."),
            (filters * size * size, f"That uses the input's size. Each map is {out_size}x{out_size}"
             " after the convolution, not the input's size."),
            (channels * out_size * out_size, "That counts one map per input map. The layer writes "
             "one map per filter."),
            (row.params, "That is the parameter count. The values are the outputs: one per cell "
             "of every map."),
        ]
    mistakes = distinct_mistakes(
        float(answer),
        [(None if value is None else float(value), message) for value, message in candidates],
        tolerance=1e-9,
    )
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
        mistakes=mistakes,
    )
