"""Checks of exercise threshold-unit, against `tutor.engines.neuron`."""

from __future__ import annotations

import numpy as np

from tutor.engines.neuron import GATES, binary_inputs, threshold_unit
from tutor.exercises.checking import Checklist, Failure, call, compare, describe

CHECKS = Checklist()
PATTERNS = np.asarray(binary_inputs(2))  # (4, 2): 00, 01, 10, 11


@CHECKS.add("the seed's rule: a sum equal to the threshold does not fire")
def seed_rule(m) -> str:
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    w, threshold = np.array([0.5, 0.5]), 0.5
    case = f"x = {describe(x)}, weights = [0.5, 0.5], threshold = 0.5 (sums 0, 0.5, 0.5, 1)"
    expected = threshold_unit(x, w, threshold)
    got = call(m, "threshold_unit", x, w, threshold, case=case, expected=describe(expected))
    compare("threshold_unit", got, expected, case=case, dtype="int",
            hint="fire only when the sum is strictly greater than the threshold (>, not >=)")
    return ""


@CHECKS.add("random units match the reference (shape (N,), integers)")
def random_units(m) -> str:
    rng = np.random.default_rng(0)
    for trial in range(20):
        n, count = int(rng.integers(1, 5)), int(rng.integers(1, 9))
        x = rng.integers(-2, 3, size=(count, n)).astype(float)
        w = np.round(rng.uniform(-1, 1, size=n), 1)
        threshold = float(np.round(rng.uniform(-1, 1), 1))
        case = f"x = {describe(x)}, weights = {describe(w)}, threshold = {threshold}"
        expected = threshold_unit(x, w, threshold)
        got = call(m, "threshold_unit", x, w, threshold, case=case, expected=describe(expected))
        compare("threshold_unit", got, expected, case=case, dtype="int",
                hint="the weighted sum of every pattern is x @ weights, shape (N,)")
    return "20 random units"


def _gate(m, gate: str) -> str:
    weights = getattr(m, f"{gate}_WEIGHTS", None)
    threshold = getattr(m, f"{gate}_THRESHOLD", None)
    try:
        w = np.asarray(weights, dtype=float).reshape(2)
        t = float(threshold)
    except (TypeError, ValueError):
        raise Failure(f"{gate}_WEIGHTS must be two numbers and {gate}_THRESHOLD one number; got "
                      f"{weights!r} and {threshold!r}") from None
    case = f"{gate}_WEIGHTS = {w.tolist()}, {gate}_THRESHOLD = {t:g}, x = 00, 01, 10, 11"
    expected = np.array(GATES[gate])
    got = threshold_unit(PATTERNS, w, t)  # the reference unit: only the weights are judged here
    compare(f"the {gate} unit's output", got, expected, case=case,
            hint=f"with weights [1, 1] the sums are 0, 1, 1, 2: which threshold lets exactly the "
            f"{gate} patterns through?")
    return f"weights {w.tolist()}, threshold {t:g}"


@CHECKS.add("OR_WEIGHTS and OR_THRESHOLD compute OR")
def or_gate(m) -> str:
    return _gate(m, "OR")


@CHECKS.add("AND_WEIGHTS and AND_THRESHOLD compute AND")
def and_gate(m) -> str:
    return _gate(m, "AND")
