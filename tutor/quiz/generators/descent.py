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


def _slips(answer: float, candidates: Sequence[tuple[float, str]]) -> dict[float, str]:
    """The known wrong answers among `candidates`, as `Generated.mistakes`.

    A candidate is kept only when a learner could type it exactly (at most 4 decimals), it is
    not the right answer (within 1e-6) and no earlier candidate already claimed its value.
    """
    found: dict[float, str] = {}
    for value, message in candidates:
        value = round(value, 10) + 0.0
        if abs(round(value, 4) - value) > 1e-9 or abs(value - answer) <= 1e-6:
            continue
        if any(abs(value - v) <= 1e-6 for v in found):
            continue
        found[value] = message
    return found


def _slope_slips(
    xs: Sequence[float], zs: Sequence[float], w: float, grad: float
) -> list[tuple[float, str]]:
    """The classic slips in the slope -(1/m) Σ (z - w·x)·x, computed from the same data."""
    m = len(xs)
    misses = sum(z - w * x for x, z in zip(xs, zs, strict=True))
    return [
        (-grad, "That has the wrong sign: the slope starts with a minus, -(1/m) Σ (z - w·x)·x, "
                "because the miss z - w·x shrinks as w grows."),
        (-misses / m, "That leaves out the factor x: multiply each miss z - w·x by its own input "
                      "before adding."),
        (grad / 2, "That divides by 2m: the 2 from the square cancels the ½ in the cost, leaving 1/m."),
        (grad * m, "That is the sum without the 1/m: the slope averages the products over the m points."),
    ]


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
    xs, zs (written "[1, 2, 3]"), w, lr, grad, new_w, m. Mistakes: the step taken up the slope,
    the slope not scaled by lr, the step alone, and half the slope (1/(2m)).
    """
    xs, zs, w, grad = _one_weight_data(rng)
    lr = float(rng.choice(_LEARNING_RATES))
    new_w = round(w - lr * grad, 10) + 0.0
    mistakes = _slips(new_w, [
        (w + lr * grad, "That is w + lr·slope: a descent step goes against the slope, so subtract "
                        "lr times it."),
        (w - grad, "That subtracts the whole slope: scale it by the learning rate lr first."),
        (-lr * grad, "That is only the step -lr·slope; the new w is the current w plus that step."),
        (w - lr * grad / 2, "That uses half the slope: the 2 from the square cancels the ½, so the "
                            "slope divides by m, not 2m."),
    ])
    return Generated(
        values={
            "xs": _list_text(xs), "zs": _list_text(zs), "w": format_number(w), "lr": format_number(lr),
            "grad": format_number(grad), "new_w": f"{new_w:.4f}".rstrip("0").rstrip(".") or "0",
            "m": len(xs),
        },
        kind="number",
        answer=new_w,
        tolerance=1e-6,
        mistakes=mistakes,
    )


def cost_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"What is the cost C(w, b)?" for integer w, b and 3 points with small integer x and t.

    Each target misses the output by at most 3, and the draw is repeated until Σ (t - a)² is
    a nonzero multiple of 3, so C = Σ/6 has at most one decimal. Template fields: xs, ts,
    outputs, misses (t - a), squares (lists written "[1, 2, 3]"), total (the sum of squares),
    w, b, cost, n. Mistakes: dividing by n instead of 2n,
    not dividing, dividing by 2 only, and adding the misses unsquared.
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
    n, total = table.n, table.total
    plain_sum = sum(row.diff for row in table.rows)
    mistakes = _slips(cost, [
        (total / n, "That is Σ(t - a)²/n: the cost divides the sum of squares by 2n, not by n."),
        (total, "That is the sum of the squares; the cost then divides it by 2n."),
        (total / 2, f"That divides by 2 only: the cost divides by 2n, with n = {n} examples."),
        (plain_sum / (2 * n), "That adds the misses t - a without squaring them: square each miss first."),
    ])
    return Generated(
        values={
            "xs": _list_text(xs), "ts": _list_text(ts), "w": format_number(w), "b": format_number(b),
            "outputs": _list_text([row.a for row in table.rows]), "cost": format_number(cost),
            "misses": _list_text([row.diff for row in table.rows]),
            "squares": _list_text([row.square for row in table.rows]), "total": format_number(total),
            "n": table.n,
        },
        kind="number",
        answer=plain(cost, DECIMALS),
        tolerance=1e-6,
        mistakes=mistakes,
    )


def derivative_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"What is J'(w)?" for random one-weight data (2 or 3 points), exact to 2 decimals.

    Template fields: xs, zs (written "[1, 2, 3]"), w, grad, m. Mistakes: the sign flipped,
    the factor x left out, 1/(2m) instead of 1/m, and no 1/m at all.
    """
    xs, zs, w, grad = _one_weight_data(rng)
    return Generated(
        values={"xs": _list_text(xs), "zs": _list_text(zs), "w": format_number(w), "grad": format_number(grad),
                "m": len(xs)},
        kind="number",
        answer=grad,
        tolerance=1e-6,
        mistakes=_slips(grad, _slope_slips(xs, zs, w, grad)),
    )
