"""Checks of exercise dense-layer, against `tutor.engines.layers`."""

from __future__ import annotations

import numpy as np

from tutor.engines import layers as ref
from tutor.exercises.checking import Checklist, Failure, call, compare, describe, grad_check

CHECKS = Checklist()


def _pair(got, name, case):
    if not isinstance(got, tuple) or len(got) != 2:
        raise Failure(f"{name} returned {describe(got, 80)}, expected a pair (out, cache)", case=case)
    return got


@CHECKS.add("dense_forward matches x·w + b, keeping float32 as float32")
def forward(m) -> str:
    rng = np.random.default_rng(13)
    x = np.array([[1.0, 2.0]])
    w = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 1.0]])
    b = np.array([0.0, 1.0, -1.0])
    cases = [(x, w, b)]
    for dtype in (np.float64, np.float32):
        cases.append(tuple(rng.normal(0, 1, s).astype(dtype) for s in ((4, 5), (5, 3), (3,))))
    for x, w, b in cases:
        case = f"x = {describe(x)}, w = {describe(w)}, b = {describe(b)}"
        expected, _ = ref.dense_forward(x, w, b)
        out, _ = _pair(call(m, "dense_forward", x, w, b, case=case, expected=describe(expected)),
                       "dense_forward", case)
        compare("out", out, expected, case=case, dtype=expected.dtype, rtol=1e-5,
                hint="out = x @ w + b, shape (N, M)")
    return ""


@CHECKS.add("dense_backward matches the reference and the numerical gradient")
def backward(m) -> str:
    rng = np.random.default_rng(14)
    x, w, b = rng.normal(0, 1, (4, 5)), rng.normal(0, 1, (5, 3)), rng.normal(0, 1, 3)
    dout = rng.normal(0, 1, (4, 3))
    case = f"x = {describe(x)}, w = {describe(w)}, b = {describe(b)}, dout = {describe(dout)}"
    _, cache = _pair(call(m, "dense_forward", x, w, b, case=case), "dense_forward", case)
    got = call(m, "dense_backward", dout, cache, case=case)
    if not isinstance(got, tuple) or len(got) != 3:
        raise Failure(f"dense_backward returned {describe(got, 80)}, expected (dx, dw, db)", case=case)
    expected = ref.dense_backward(dout, (x, w))
    worst = 0.0
    for name, mine, theirs, point, hint in zip(
        ("dx", "dw", "db"), got, expected, (x, w, b),
        ("dx = dout @ w.T, shape (N, D)", "dw = x.T @ dout, shape (D, M)", "db = dout.sum(axis=0), shape (M,)"),
    ):
        compare(name, mine, theirs, case=case, hint=hint)

        def f(p, name=name):
            args = {"dx": (p, w, b), "dw": (x, p, b), "db": (x, w, p)}[name]
            return float(np.sum(ref.dense_forward(*args)[0] * dout))

        worst = max(worst, grad_check(name, mine, f, point, case=case, samples=None))
    return f"largest relative error {worst:.1e}"


@CHECKS.add("relu forward and backward match the reference and the numerical gradient")
def relu(m) -> str:
    rng = np.random.default_rng(15)
    x = rng.normal(0, 1, (3, 6))
    x[np.abs(x) < 0.05] = 0.5  # away from the kink, where the numerical gradient is exact
    dout = rng.normal(0, 1, x.shape)
    case = f"x = {describe(x)}, dout = {describe(dout)}"
    out, cache = _pair(call(m, "relu_forward", x, case=case, expected=describe(np.maximum(x, 0))),
                       "relu_forward", case)
    compare("relu(x)", out, np.maximum(x, 0), case=case)
    got = call(m, "relu_backward", dout, cache, case=case)
    compare("dx", got, dout * (x > 0), case=case, hint="the gradient passes where x > 0 and stops elsewhere")
    error = grad_check("dx", got, lambda p: float(np.sum(np.maximum(p, 0) * dout)), x, case=case, samples=None)
    return f"relative error {error:.1e}"
