"""Checks of exercise conv2d-fast, against `tutor.engines.layers` (im2col) and numerical gradients."""

from __future__ import annotations

import numpy as np

from tutor.engines import layers as ref
from tutor.exercises.checking import Checklist, Failure, call, compare, describe, grad_check

CHECKS = Checklist()
SETTINGS = ((1, 0), (1, 2), (2, 1))


def _forward(m, x, w, b, stride, pad, case, expected=None):
    got = call(m, "conv_forward", x, w, b, stride, pad, case=case, expected=expected)
    if not isinstance(got, tuple) or len(got) != 2:
        raise Failure(f"conv_forward returned {describe(got, 80)}, expected (out, cache)", case=case)
    return got


@CHECKS.add("conv_forward matches the reference (batches, channels, stride, padding, float32)")
def forward(m) -> str:
    rng = np.random.default_rng(19)
    for stride, pad in SETTINGS:
        for dtype in (np.float64, np.float32):
            x = rng.normal(0, 1, (3, 2, 7, 9)).astype(dtype)
            w = rng.normal(0, 1, (4, 2, 3, 3)).astype(dtype)
            b = rng.normal(0, 1, 4).astype(dtype)
            case = f"x (3, 2, 7, 9), w (4, 2, 3, 3), b (4,), {np.dtype(dtype).name}, stride = {stride}, pad = {pad}"
            expected, _ = ref.conv_forward(x, w, b, stride, pad)
            out, _ = _forward(m, x, w, b, stride, pad, case, expected=f"shape {expected.shape}")
            compare("out", out, expected, case=case, dtype=dtype, rtol=1e-4, atol=1e-5,
                    hint="cols (C*K*K, N*H'*W'); out = w.reshape(F, -1) @ cols + b[:, None], then back to (N, F, H', W')")
    return "6 settings"


@CHECKS.add("conv_backward matches the reference and the numerical gradient (dx, dw, db)")
def backward(m) -> str:
    rng = np.random.default_rng(20)
    worst = 0.0
    for stride, pad in SETTINGS:
        x, w, b = rng.normal(0, 1, (2, 2, 5, 7)), rng.normal(0, 1, (3, 2, 3, 3)), rng.normal(0, 1, 3)
        ref_out, ref_cache = ref.conv_forward(x, w, b, stride, pad)
        dout = rng.normal(0, 1, ref_out.shape)
        case = f"x (2, 2, 5, 7), w (3, 2, 3, 3), b (3,), stride = {stride}, pad = {pad}, dout {dout.shape}"
        _, cache = _forward(m, x, w, b, stride, pad, case)
        got = call(m, "conv_backward", dout, cache, case=case)
        if not isinstance(got, tuple) or len(got) != 3:
            raise Failure(f"conv_backward returned {describe(got, 80)}, expected (dx, dw, db)", case=case)
        expected = ref.conv_backward(dout, ref_cache)
        for name, mine, theirs, point in zip(("dx", "dw", "db"), got, expected, (x, w, b)):
            compare(name, mine, theirs, case=case, rtol=1e-6, atol=1e-8,
                    hint={"dx": "col2im adds every column back where im2col copied it from, then drops the padding",
                          "dw": "dw = dout_mat @ cols.T, reshaped to (F, C, K, K)",
                          "db": "db sums dout over N, H' and W'"}[name])

            def f(p, name=name):
                args = {"dx": (p, w, b), "dw": (x, p, b), "db": (x, w, p)}[name]
                return float(np.sum(ref.conv_forward(*args, stride, pad)[0] * dout))

            worst = max(worst, grad_check(name, mine, f, point, case=case, samples=20))
    return f"largest relative error {worst:.1e}"
