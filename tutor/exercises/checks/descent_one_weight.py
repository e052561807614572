"""Checks of exercise descent-one-weight, against `tutor.engines.cost` and `descent_loop`."""

from __future__ import annotations

import numpy as np

from tutor.engines import cost as ref
from tutor.engines.descent_loop import gradient_descent
from tutor.exercises.checking import Checklist, Failure, call, compare, describe, grad_check

CHECKS = Checklist()
X, Z = np.array(ref.ONE_X), np.array(ref.ONE_Z)


def seed_grad(w: float) -> float:
    """J'(w) of the seed's example: 7.5 (w - 2)."""
    return ref.one_weight_grad(w, ref.ONE_X, ref.ONE_Z)


@CHECKS.add("J'(w) on the seed's data (z = 2x, J(w) = 3.75 (w - 2)²) and on random data")
def derivative(m) -> str:
    rng = np.random.default_rng(5)
    cases = [(0.0, X, Z), (3.0, X, Z)]
    for _ in range(10):
        n = int(rng.integers(1, 8))
        cases.append((float(np.round(rng.uniform(-4, 4), 2)), np.round(rng.uniform(-3, 3, n), 2),
                      np.round(rng.uniform(-5, 5, n), 2)))
    worst = 0.0
    for w, x, z in cases:
        case = f"w = {w}, x = {describe(x)}, z = {describe(z)}"
        expected = ref.one_weight_grad(w, x, z)
        got = call(m, "one_weight_grad", w, x, z, case=case, expected=f"{expected:.6g}")
        compare("J'(w)", got, expected, case=case, exact_type=float,
                hint="J'(w) = -(1/m) Σ (z - w·x)·x; at w = 0 on the seed's data it is -15")
        worst = max(worst, grad_check("J'(w)", np.array([float(got)]),
                                      lambda p: ref.one_weight_cost(p[0], x, z), np.array([w]), case=case))
    return f"largest relative error {worst:.1e}"


def _run(m, w0, lr, steps, case):
    got = call(m, "gradient_descent", seed_grad, w0, lr, steps, case=case)
    if not isinstance(got, tuple) or len(got) != 2:
        raise Failure(f"gradient_descent returned {describe(got, 80)}, expected (weights, diverged)",
                      case=case)
    weights, diverged = got
    try:
        weights = np.array([float(v) for v in weights])
    except (TypeError, ValueError):
        raise Failure(f"the weights must be a list of numbers; got {describe(got[0], 80)}", case=case) from None
    return weights, diverged


@CHECKS.add("descent from w = 0 with lr = 0.1 walks to w = 2 as the reference does")
def converging(m) -> str:
    case = "grad = J' of the seed's data (7.5 (w - 2)), w0 = 0, lr = 0.1, steps = 12"
    records = list(gradient_descent(lambda p: ref.one_weight_cost(p[0], X, Z), lambda p: (seed_grad(p[0]),),
                                    (0.0,), 0.1, iterations=12, tolerance=0.0))
    expected = np.array([0.0] + [r.params_after[0] for r in records])
    weights, diverged = _run(m, 0.0, 0.1, 12, case)
    compare("the weights", weights, expected, case=case, atol=1e-9,
            hint="start the list with w0, then append each new w: 13 weights for 12 steps")
    if diverged is not False:
        raise Failure(f"diverged is {diverged!r} for a run that converges", case=case,
                      expected="False")
    return f"w12 = {weights[-1]:.6f}"


@CHECKS.add("lr = 0.3 overshoots further every step: diverged, and the run stops there")
def diverging(m) -> str:
    case = "grad = J' of the seed's data, w0 = 0, lr = 0.3 (each step multiplies w - 2 by -1.25), steps = 200"
    records = list(gradient_descent(lambda p: ref.one_weight_cost(p[0], X, Z), lambda p: (seed_grad(p[0]),),
                                    (0.0,), 0.3, iterations=200, tolerance=0.0, limit=1e6))
    weights_ref = [0.0]
    w = 0.0
    while len(weights_ref) <= 200:
        w = w - 0.3 * seed_grad(w)
        weights_ref.append(w)
        if abs(w) > 1e6:
            break
    assert records[-1].status == "diverged"
    weights, diverged = _run(m, 0.0, 0.3, 200, case)
    if diverged is not True:
        raise Failure(f"diverged is {diverged!r} for a run whose weight passes 1e6", case=case,
                      expected="True", got=f"{diverged!r} after {len(weights) - 1} steps, last w = {weights[-1]:.4g}",
                      hint="after each step: if not math.isfinite(w) or abs(w) > limit, stop")
    compare("the weights", weights, np.array(weights_ref), case=case, rtol=1e-9,
            hint="stop right after the first weight beyond the limit, keeping it as the last")
    return f"stopped after {len(weights) - 1} steps at w = {weights[-1]:.4g}"


@CHECKS.add("a NaN gradient counts as diverged too")
def nan_gradient(m) -> str:
    case = "grad(w) = nan for every w, w0 = 1, lr = 0.1, steps = 5"
    got = call(m, "gradient_descent", lambda w: float("nan"), 1.0, 0.1, 5, case=case)
    if not isinstance(got, tuple) or len(got) != 2 or got[1] is not True:
        raise Failure(f"returned {describe(got, 120)}; a weight of nan has diverged", case=case,
                      expected="([1.0, nan], True)", hint="abs(nan) > limit is False: test math.isfinite(w) too")
    if len(got[0]) != 2:
        raise Failure(f"{len(got[0])} weights came back", case=case, expected="([1.0, nan], True)")
    return ""
