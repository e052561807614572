"""Checks of exercise quadratic-cost, against `tutor.engines.cost` and the seed's C(3, 2) = 5.75."""

from __future__ import annotations

import numpy as np

from tutor.engines import cost as ref
from tutor.exercises.checking import Checklist, Failure, call, compare, describe, grad_check

CHECKS = Checklist()


def _data(rng):
    n = int(rng.integers(2, 12))
    x = np.round(rng.uniform(-3, 3, n), 2)
    t = np.round(2 * x - 1 + rng.normal(0, 0.5, n), 2)
    return float(np.round(rng.uniform(-3, 3), 2)), float(np.round(rng.uniform(-3, 3), 2)), x, t


@CHECKS.add("the seed's example: C(3, 2) = 5.75 on the eight points of y = 2x + 4")
def seed_cost(m) -> str:
    x, t = np.array(ref.COST_X), np.array(ref.COST_T)
    case = f"w = 3, b = 2, x = {x.tolist()}, t = {t.tolist()}"
    got = call(m, "quadratic_cost", 3.0, 2.0, x, t, case=case, expected="5.75")
    compare("C(3, 2)", got, 5.75, case=case, exact_type=float,
            hint="the sum of squares is 92; divide by 2n = 16, not by n")
    return "5.75"


@CHECKS.add("random costs match the reference")
def random_costs(m) -> str:
    rng = np.random.default_rng(3)
    for _ in range(20):
        w, b, x, t = _data(rng)
        case = f"w = {w}, b = {b}, x = {describe(x)}, t = {describe(t)}"
        expected = ref.quadratic_cost(w, b, x, t)
        got = call(m, "quadratic_cost", w, b, x, t, case=case, expected=f"{expected:.6g}")
        compare("C(w, b)", got, expected, case=case, exact_type=float)
    return "20 random lines"


@CHECKS.add("the gradient matches the reference and the numerical gradient")
def gradient(m) -> str:
    rng = np.random.default_rng(4)
    worst = 0.0
    for _ in range(20):
        w, b, x, t = _data(rng)
        case = f"w = {w}, b = {b}, x = {describe(x)}, t = {describe(t)}"
        expected = ref.quadratic_cost_grad(w, b, x, t)
        got = call(m, "quadratic_cost_grad", w, b, x, t, case=case, expected=str(expected))
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Failure(f"quadratic_cost_grad returned {describe(got, 80)}, expected a pair "
                          "(dC/dw, dC/db)", case=case)
        worst = max(worst, grad_check(
            "(dC/dw, dC/db)", np.array(got, dtype=float),
            lambda p: ref.quadratic_cost(p[0], p[1], x, t), np.array([w, b]), case=case,
            hint="dC/dw = -(1/n) Σ (t - a)·x: the 2 of the square cancels the 2 of 1/(2n)",
        ))
        compare("(dC/dw, dC/db)", np.array(got, dtype=float), np.array(expected), case=case)
    return f"largest relative error {worst:.1e}"
