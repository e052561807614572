"""Checks of exercise softmax-cross-entropy, against `tutor.engines.activations` and the seed."""

from __future__ import annotations

import warnings

import numpy as np

from tutor.engines import activations as ref
from tutor.exercises.checking import Checklist, Failure, call, compare, describe, grad_check

CHECKS = Checklist()


@CHECKS.add("softmax matches the reference on rows and batches; rows sum to 1")
def softmax(m) -> str:
    rng = np.random.default_rng(10)
    for z in (np.array([1.0, 2.0, 0.5]), rng.normal(0, 2, (5, 4)), np.array([[0.0, 0.0], [3.0, -3.0]])):
        case = f"z = {describe(z)}"
        expected = ref.softmax(z)
        got = call(m, "softmax", z, case=case, expected=describe(expected))
        compare("softmax(z)", got, expected, case=case, dtype="float",
                hint="normalise along the last axis: e / e.sum(axis=-1, keepdims=True)")
    return ""


@CHECKS.add("softmax is stable: [1000, 1001, 999] gives no overflow")
def stable(m) -> str:
    z = np.array([[1000.0, 1001.0, 999.0]])
    case = f"z = {describe(z)}"
    expected = ref.softmax(z)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = call(m, "softmax", z, case=case, expected=describe(expected))
    compare("softmax(z)", got, expected, case=case,
            hint="subtract each row's maximum before np.exp: e^1001 overflows, e^0 does not")
    return ""


@CHECKS.add("the seed's example: H = -ln 0.619 = 0.479 for class B")
def seed_loss(m) -> str:
    p = np.array([[0.228, 0.619, 0.153]])
    case = "p = [[0.228, 0.619, 0.153]] (classes A, B, C), y = [1] (B)"
    got = call(m, "cross_entropy", p, np.array([1]), case=case, expected="0.479")
    compare("H", got, 0.4796, case=case, atol=5e-4, exact_type=float,
            hint="only the true class's probability counts: -ln p[y]")
    rng = np.random.default_rng(11)
    p = ref.softmax(rng.normal(0, 1, (6, 4)))
    y = rng.integers(0, 4, 6)
    case = f"p = {describe(p)}, y = {y.tolist()}"
    expected = ref.cross_entropy(p, y)
    got = call(m, "cross_entropy", p, y, case=case, expected=f"{expected:.6g}")
    compare("the mean loss", got, expected, case=case, exact_type=float,
            hint="the mean over the rows of -ln p[n, y[n]]; p[np.arange(N), y] picks them")
    return "0.479"


@CHECKS.add("the gradient is (p - onehot(y)) / N and matches the numerical gradient")
def gradient(m) -> str:
    rng = np.random.default_rng(12)
    z = rng.normal(0, 1.5, (5, 4))
    y = rng.integers(0, 4, 5)
    case = f"z = {describe(z)}, y = {y.tolist()}"
    expected = ref.softmax_cross_entropy_grad(z, y)
    got = call(m, "softmax_cross_entropy_grad", z, y, case=case, expected=describe(expected))
    if not isinstance(got, tuple) or len(got) != 2:
        raise Failure(f"softmax_cross_entropy_grad returned {describe(got, 80)}, expected (loss, dz)",
                      case=case)
    compare("loss", got[0], ref.cross_entropy(ref.softmax(z), y), case=case, exact_type=float)
    compare("dz", got[1], expected, case=case, hint="subtract 1 at each row's true class, then divide by N")
    error = grad_check("dz", got[1], lambda q: ref.cross_entropy(ref.softmax(q), y), z, case=case,
                       samples=None)
    return f"relative error {error:.1e}"
