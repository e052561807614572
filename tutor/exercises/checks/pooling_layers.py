"""Checks of exercise pooling, against `tutor.engines.layers` and `tutor.engines.pooling`."""

from __future__ import annotations

import numpy as np

from tutor.engines import layers as ref
from tutor.exercises.checking import Checklist, Failure, call, compare, describe, grad_check

CHECKS = Checklist()


def _pair(m, name, x, size, case, expected):
    got = call(m, name, x, size, case=case, expected=describe(expected))
    if not isinstance(got, tuple) or len(got) != 2:
        raise Failure(f"{name} returned {describe(got, 80)}, expected (out, cache)", case=case)
    return got


@CHECKS.add("max pooling a 4x4 map by hand, then random maps (float32 kept)")
def max_forward(m) -> str:
    rng = np.random.default_rng(21)
    x = np.array([[[[1, 3, 2, 1], [4, 2, 0, 1], [5, 6, 1, 2], [7, 8, 3, 4]]]], dtype=float)
    cases = [(x, 2), (rng.normal(0, 1, (2, 3, 6, 6)).astype(np.float32), 2),
             (rng.normal(0, 1, (1, 2, 6, 9)), 3)]
    for x, size in cases:
        case = f"x = {describe(x)}, size = {size}"
        expected, _ = ref.maxpool_forward(x, size)
        out, _ = _pair(m, "maxpool_forward", x, size, case, expected)
        compare("out", out, expected, case=case, dtype=x.dtype,
                hint="reshape to (N, C, H/s, s, W/s, s) and take the max over axes 3 and 5")
    return ""


@CHECKS.add("average pooling matches the reference")
def avg_forward(m) -> str:
    rng = np.random.default_rng(22)
    for x, size in ((np.arange(16, dtype=float).reshape(1, 1, 4, 4), 2),
                    (rng.normal(0, 1, (2, 3, 6, 6)).astype(np.float32), 2)):
        case = f"x = {describe(x)}, size = {size}"
        expected, _ = ref.avgpool_forward(x, size)
        out, _ = _pair(m, "avgpool_forward", x, size, case, expected)
        compare("out", out, expected, case=case, dtype=x.dtype, rtol=1e-5)
    return ""


@CHECKS.add("max pooling's backward: the gradient goes to the winner (the first one on a tie)")
def max_backward(m) -> str:
    rng = np.random.default_rng(23)
    tie = np.array([[[[2.0, 2.0], [1.0, 2.0]]]])
    case = f"x = {describe(tie)} (a three-way tie), size = 2, dout = [[[[1.]]]]"
    _, cache = _pair(m, "maxpool_forward", tie, 2, case, np.array([[[[2.0]]]]))
    got = call(m, "maxpool_backward", np.ones((1, 1, 1, 1)), cache, case=case)
    compare("dx", got, np.array([[[[1.0, 0.0], [0.0, 0.0]]]]), case=case,
            hint="on a tie the first maximum in reading order wins, as np.argmax picks it")
    x = rng.permutation(96).reshape(2, 3, 4, 4).astype(float) / 10  # distinct values: no ties
    dout = rng.normal(0, 1, (2, 3, 2, 2))
    case = f"x (2, 3, 4, 4) of distinct values, size = 2, dout = {describe(dout)}"
    _, cache = _pair(m, "maxpool_forward", x, 2, case, ref.maxpool_forward(x, 2)[0])
    got = call(m, "maxpool_backward", dout, cache, case=case)
    compare("dx", got, ref.maxpool_backward(dout, ref.maxpool_forward(x, 2)[1]), case=case)
    error = grad_check("dx", got, lambda p: float(np.sum(ref.maxpool_forward(p, 2)[0] * dout)), x,
                       case=case, samples=None)
    return f"relative error {error:.1e}"


@CHECKS.add("average pooling's backward matches the numerical gradient")
def avg_backward(m) -> str:
    rng = np.random.default_rng(24)
    x = rng.normal(0, 1, (2, 2, 6, 6))
    dout = rng.normal(0, 1, (2, 2, 3, 3))
    case = f"x (2, 2, 6, 6), size = 2, dout = {describe(dout)}"
    _, cache = _pair(m, "avgpool_forward", x, 2, case, ref.avgpool_forward(x, 2)[0])
    got = call(m, "avgpool_backward", dout, cache, case=case)
    compare("dx", got, ref.avgpool_backward(dout, ref.avgpool_forward(x, 2)[1]), case=case,
            hint="every input of a window gets dout / size²")
    error = grad_check("dx", got, lambda p: float(np.sum(ref.avgpool_forward(p, 2)[0] * dout)), x,
                       case=case, samples=None)
    return f"relative error {error:.1e}"
