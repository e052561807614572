"""Predict questions on the quadratic cost and one step of gradient descent (`tutor.engines.cost`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tutor.engines.cost import DECIMALS, cost_table, one_weight_grad, quadratic_cost
from tutor.engines.records import plain
from tutor.quiz.predict import Generated
from tutor.text import format_number

_ONE_WEIGHTS = (-1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
_LEARNING_RATES = (0.1, 0.05, 0.01)


def _list_text(values: Sequence[float]) -> str:
    """A list written as the seed writes it: [1, 2, 3]."""
    return "[" + ", ".join(format_number(v) for v in values) + "]"


def _one_weight_data(
    rng: np.random.Generator,
) -> tuple[tuple[float, ...], tuple[float, ...], float, float]:
    """Random one-weight data (2 or 3 points), w and J'(w), with J'(w) exact to 2 decimals."""
    while True:
        m = int(rng.integers(2, 4))
        xs = tuple(float(v) for v in rng.integers(1, 5, size=m))
        zs = tuple(float(v) for v in rng.integers(0, 9, size=m))
        w = float(rng.choice(_ONE_WEIGHTS))
        grad = one_weight_grad(w, xs, zs)
        if grad != 0 and abs(round(grad, 2) - grad) < 1e-9:
            return xs, zs, w, round(grad, 2) + 0.0


def next_weight_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"What is w after one step of gradient descent?" for random one-weight data.

    2 or 3 points with small integer x and z, w on a half grid and lr in (0.1, 0.05, 0.01);
    J'(w) has at most 2 decimals, so the answer w - lr·J'(w) has at most 4. Template fields:
    xs, zs (written "[1, 2, 3]"), w, lr, grad, new_w, m.
    """
    xs, zs, w, grad = _one_weight_data(rng)
    lr = float(rng.choice(_LEARNING_RATES))
    new_w = round(w - lr * grad, 10) + 0.0
    return Generated(
        values={
            "xs": _list_text(xs), "zs": _list_text(zs), "w": format_number(w), "lr": format_number(lr),
            "grad": format_number(grad), "new_w": f"{new_w:.4f}".rstrip("0").rstrip(".") or "0",
            "m": len(xs),
        },
        kind="number",
        answer=new_w,
        tolerance=1e-6,
    )


def cost_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"What is the cost C(w, b)?" for integer w, b and 3 points with small integer x and t.

    Each target misses the output by at most 3, and the draw is repeated until Σ (t - a)² is
    a nonzero multiple of 3, so C = Σ/6 has at most one decimal. Template fields: xs, ts,
    outputs (lists written "[1, 2, 3]"), w, b, cost, n.
    """
    while True:
        w = float(rng.choice((-1.0, 1.0, 2.0, 3.0)))
        b = float(rng.integers(-2, 4))
        xs = tuple(float(v) for v in rng.integers(-1, 5, size=3))
        misses = rng.integers(-3, 4, size=3)
        ts = tuple(w * xi + b + float(d) for xi, d in zip(xs, misses))
        table = cost_table(w, b, xs, ts)
        if table.total > 0 and table.total % 3 == 0:
            break
    cost = quadratic_cost(w, b, xs, ts)
    return Generated(
        values={
            "xs": _list_text(xs), "ts": _list_text(ts), "w": format_number(w), "b": format_number(b),
            "outputs": _list_text([row.a for row in table.rows]), "cost": format_number(cost),
            "n": table.n,
        },
        kind="number",
        answer=plain(cost, DECIMALS),
        tolerance=1e-6,
    )


def derivative_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"What is J'(w)?" for random one-weight data (2 or 3 points), exact to 2 decimals.

    Template fields: xs, zs (written "[1, 2, 3]"), w, grad, m.
    """
    xs, zs, w, grad = _one_weight_data(rng)
    return Generated(
        values={"xs": _list_text(xs), "zs": _list_text(zs), "w": format_number(w), "grad": format_number(grad),
                "m": len(xs)},
        kind="number",
        answer=grad,
        tolerance=1e-6,
    )
