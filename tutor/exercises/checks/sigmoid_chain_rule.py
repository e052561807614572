"""Checks of exercise sigmoid-chain-rule, against `tutor.engines.activations` and `autograd`."""

from __future__ import annotations

import warnings

import numpy as np

from tutor.engines import activations as ref
from tutor.engines.autograd import Value, backward
from tutor.exercises.checking import Checklist, Failure, call, compare, describe, grad_check

CHECKS = Checklist()


@CHECKS.add("the seed's example: f = (x + y)z at (-2, 5, -4) gives -12, and gradients -4, -4, 3")
def seed_chain(m) -> str:
    case = "x = -2, y = 5, z = -4"
    expected = np.array([-12.0, -4.0, -4.0, 3.0])
    got = call(m, "chain_rule_example", -2.0, 5.0, -4.0, case=case, expected="(-12, -4, -4, 3)")
    if not isinstance(got, (tuple, list)) or len(got) != 4:
        raise Failure(f"chain_rule_example returned {describe(got, 80)}, expected (f, df/dx, df/dy, df/dz)",
                      case=case)
    compare("(f, df/dx, df/dy, df/dz)", np.array(got, dtype=float), expected, case=case,
            hint="df/dz = q = x + y = 3; df/dq = z = -4, and the + node passes it to x and y unchanged")
    return ""


@CHECKS.add("random chain-rule cases match the autograd engine")
def random_chain(m) -> str:
    rng = np.random.default_rng(7)
    for _ in range(10):
        a, b, c = (float(v) for v in np.round(rng.uniform(-5, 5, 3), 1))
        x, y, z = Value(a), Value(b), Value(c)
        f = (x + y) * z
        backward(f)
        expected = np.array([f.data, x.grad, y.grad, z.grad])
        case = f"x = {a}, y = {b}, z = {c}"
        got = call(m, "chain_rule_example", a, b, c, case=case, expected=describe(expected))
        if not isinstance(got, (tuple, list)) or len(got) != 4:
            raise Failure(f"chain_rule_example returned {describe(got, 80)}, expected four numbers",
                          case=case)
        compare("(f, df/dx, df/dy, df/dz)", np.array(got, dtype=float), expected, case=case)
    return "10 cases"


@CHECKS.add("sigmoid matches the reference, keeps the shape, and never overflows")
def forward(m) -> str:
    rng = np.random.default_rng(8)
    for x in (np.array([0.0, 2.0, -2.0]), rng.normal(0, 3, (4, 5)), np.array([-1000.0, 1000.0, 0.0])):
        case = f"x = {describe(x)}"
        expected = ref.sigmoid(x)
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            try:
                got = call(m, "sigmoid", x, case=case, expected=describe(expected))
            except Failure as failure:
                if "RuntimeWarning" in failure.summary:
                    raise Failure("sigmoid overflowed (NumPy warned: " + failure.summary.split(": ", 1)[-1] + ")",
                                  case=case, expected=describe(expected),
                                  hint="np.exp(-x) overflows for x = -1000: use np.where on the sign, "
                                  "or (1 + tanh(x/2)) / 2") from None
                raise
        compare("sigmoid(x)", got, expected, case=case, dtype="float")
    return ""


@CHECKS.add("sigmoid_backward matches the numerical gradient")
def backward_check(m) -> str:
    rng = np.random.default_rng(9)
    x = rng.normal(0, 2, (3, 4))
    dout = rng.normal(0, 1, (3, 4))
    case = f"x = {describe(x)}, dout = {describe(dout)}"
    got = call(m, "sigmoid_backward", dout, x, case=case)
    compare("sigmoid_backward(dout, x)", got, dout * ref.sigmoid_grad(x), case=case,
            hint="dout * s * (1 - s) with s = sigmoid(x)")
    error = grad_check("dx", got, lambda p: float(np.sum(ref.sigmoid(p) * dout)), x, case=case, samples=None)
    return f"relative error {error:.1e}"
