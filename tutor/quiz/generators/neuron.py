"""Predict questions on the McCulloch-Pitts threshold unit (`tutor.engines.neuron`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tutor.engines.neuron import GATES, truth_table
from tutor.quiz.predict import Generated
from tutor.text import format_number

_WEIGHT_GRID = (-1.0, -0.5, 0.5, 1.0, 1.5, 2.0)
_THRESHOLD_GRID = (-0.5, 0.0, 0.5, 1.0, 1.5, 2.0)


def threshold_output_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"What does this unit output?" for random weights, threshold and a binary input.

    Template fields: w1, w2, theta, x1, x2, s (the weighted sum), out, rule.
    """
    w = rng.choice(_WEIGHT_GRID, size=2)
    theta = float(rng.choice(_THRESHOLD_GRID))
    x = rng.integers(0, 2, size=2)
    s = float(x @ w)
    out = int(s > theta)
    rule = f"{format_number(s)} > {format_number(theta)}" if out else f"{format_number(s)} ≤ {format_number(theta)}"
    reasons = ("", _output_reason(w, theta, x, s)) if out == 0 else (_output_reason(w, theta, x, s), "")
    return Generated(
        values={
            "w1": format_number(w[0]), "w2": format_number(w[1]), "theta": format_number(theta), "x1": int(x[0]),
            "x2": int(x[1]), "s": format_number(s), "out": out, "rule": rule,
        },
        kind="single",
        answer=out,
        options=("0 (stays silent)", "1 (fires)"),
        reasons=reasons,
    )


def _output_reason(w: np.ndarray, theta: float, x: np.ndarray, s: float) -> str:
    """Why the wrong output is wrong: the slip that leads to it, for this unit and input."""
    theta_text, s_text = format_number(theta), format_number(s)
    all_weights = float(w.sum())
    if s > theta:  # fires; the learner said it stays silent
        if theta < 0 <= s:
            return f"θ = {theta_text} is negative, so even a small sum such as {s_text} lies above it and fires."
        if (all_weights > theta) != (s > theta):
            return "An input of 0 contributes nothing: add only the weights whose input is 1, then compare with θ."
        return f"Only a sum at or below θ stays silent, and w·x = {s_text} lies above θ = {theta_text}."
    if s == theta:
        return f"The sum {s_text} only equals θ; the unit fires when the sum is strictly greater than θ."
    if (all_weights > theta) != (s > theta):
        return "An input of 0 contributes nothing: add only the weights whose input is 1, then compare with θ."
    return f"The unit fires only for a sum above θ, and w·x = {s_text} does not get above θ = {theta_text}."


def weighted_sum_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"What is the weighted sum?" for random weights and a binary input with three inputs.

    Template fields: w1, w2, w3, x1, x2, x3, s.
    """
    w = rng.choice(_WEIGHT_GRID, size=3)
    x = rng.integers(0, 2, size=3)
    if not x.any():
        x[rng.integers(0, 3)] = 1
    s = float(x @ w)
    values: dict[str, object] = {f"w{i + 1}": format_number(w[i]) for i in range(3)}
    values.update({f"x{i + 1}": int(x[i]) for i in range(3)})
    values["s"] = format_number(s)
    return Generated(values=values, kind="number", answer=s, tolerance=1e-6, mistakes=_sum_mistakes(w, x, s))


def _sum_mistakes(w: np.ndarray, x: np.ndarray, s: float) -> dict[float, str]:
    """The classic slips of a weighted sum over binary inputs, each only when it is wrong."""
    on = x == 1
    candidates = (
        (float(w.sum()), "You added every weight: an input of 0 contributes nothing, so leave its weight out."),
        (float(w[~on].sum()), "You added the weights whose input is 0; only the inputs equal to 1 let their weight through."),
        (float(np.abs(w[on]).sum()), "A minus sign went missing: a negative weight on an input of 1 lowers the sum."),
        (float(on.sum()), "You counted the active inputs; each one adds its own weight, not 1."),
    )
    mistakes: dict[float, str] = {}
    for value, message in candidates:
        if abs(value - s) > 1e-9 and value not in mistakes:
            mistakes[value] = message
    return mistakes


def which_gate_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"Which gate does this unit compute?" for weights and threshold drawn until one fits.

    The options are AND, OR, NAND and NOR; template fields: w1, w2, theta, table (the unit's
    weighted sums for 00, 01, 10, 11).
    """
    options = ("AND", "OR", "NAND", "NOR")
    for _ in range(10_000):
        w = rng.choice(_WEIGHT_GRID + (-1.5, -2.0), size=2)
        theta = float(rng.choice(_THRESHOLD_GRID + (-1.0, -1.5, 2.5)))
        table = truth_table(tuple(w), theta)
        outputs = tuple(row.output for row in table.rows)
        for index, name in enumerate(options):
            if GATES[name] == outputs:
                sums = ", ".join(format_number(row.weighted_sum) for row in table.rows)
                return Generated(
                    values={"w1": format_number(w[0]), "w2": format_number(w[1]), "theta": format_number(theta), "table": sums},
                    kind="single",
                    answer=index,
                    options=options,
                    reasons=tuple("" if i == index else _gate_reason(table, theta, gate) for i, gate in enumerate(options)),
                )
    raise RuntimeError("no gate found")  # pragma: no cover - the grids always contain one


def _gate_reason(table: Any, theta: float, gate: str) -> str:
    """Why `gate` is not the unit's gate: the first input where they disagree, worked out."""
    for row, want in zip(table.rows, GATES[gate], strict=True):
        if row.output != want:
            pattern = "".join(str(v) for v in row.inputs)
            relation = ">" if row.output else "≤"
            return (
                f"Check input {pattern}: its sum {format_number(row.weighted_sum)} {relation} θ = "
                f"{format_number(theta)}, so the unit gives {row.output} there, but {gate} wants {want}."
            )
    raise ValueError(f"{gate} is the unit's own gate")  # pragma: no cover - only called for wrong gates
