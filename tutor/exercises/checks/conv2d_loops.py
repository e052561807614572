"""Checks of exercise conv2d-loops, against `tutor.engines.conv` (loops) and `layers` (im2col)."""

from __future__ import annotations

import numpy as np

from tutor.engines import conv as ref_conv
from tutor.engines import layers as ref
from tutor.engines.shapes import conv_output_size
from tutor.exercises.checking import Checklist, call, compare, describe

CHECKS = Checklist()


@CHECKS.add("the output size (W - K + 2P) / S + 1: 28x28 with 5x5 gives 24, with pad 2 gives 28")
def sizes(m) -> str:
    for size, kernel, stride, pad in ((28, 5, 1, 0), (28, 5, 1, 2), (32, 5, 1, 0), (7, 3, 2, 1), (14, 2, 2, 0)):
        case = f"W = {size}, K = {kernel}, S = {stride}, P = {pad}"
        expected = conv_output_size(size, kernel, stride, pad)
        got = call(m, "conv_output_size", size, kernel, stride, pad, case=case, expected=str(expected))
        compare("the output size", got, expected, case=case, exact_type=int, hint="use // so it stays an int")
    return ""


@CHECKS.add("a small worked example: one 5x5 channel, one 3x3 kernel")
def worked(m) -> str:
    toy = ref_conv.toy_channels(0, 1)
    x, w = toy.x[None], toy.w[None]  # (1, 1, 5, 5), (1, 1, 3, 3)
    b = np.array([toy.b])
    case = f"x = {describe(toy.x[0])}, w = {describe(toy.w[0])}, b = {toy.b:g}"
    expected = toy.out[None, None]
    got = call(m, "conv2d_loops", x, w, b, case=case, expected=describe(expected))
    compare("out", got, expected, case=case, hint="out[0, 0, i, j] = sum(x[0, 0, i:i+3, j:j+3] * w[0, 0]) + b[0]; no kernel flip")
    return ""


@CHECKS.add("random batches, channels, strides and padding match the reference")
def random(m) -> str:
    rng = np.random.default_rng(18)
    for stride, pad in ((1, 0), (1, 1), (2, 0), (2, 1), (1, 2)):
        x = rng.normal(0, 1, (2, 3, 7, 7))
        w = rng.normal(0, 1, (4, 3, 3, 3))
        b = rng.normal(0, 1, 4)
        case = f"x (2, 3, 7, 7), w (4, 3, 3, 3), b = {describe(b)}, stride = {stride}, pad = {pad} (seeded normal values)"
        expected, _ = ref.conv_forward(x, w, b, stride, pad)
        got = call(m, "conv2d_loops", x, w, b, stride, pad, case=case, expected=f"shape {expected.shape}")
        compare("out", got, expected, case=case, rtol=1e-6, atol=1e-9,
                hint="pad only the two spatial axes; window rows i*S : i*S+K")
    return "5 settings"
