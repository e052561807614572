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
    return Generated(
        values={
            "w1": format_number(w[0]), "w2": format_number(w[1]), "theta": format_number(theta), "x1": int(x[0]),
            "x2": int(x[1]), "s": format_number(s), "out": out, "rule": rule,
        },
        kind="single",
        answer=out,
        options=("0 (stays silent)", "1 (fires)"),
    )


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
    return Generated(values=values, kind="number", answer=s, tolerance=1e-6)


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
                )
    raise RuntimeError("no gate found")  # pragma: no cover - the grids always contain one
