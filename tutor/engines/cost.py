"""The linear unit a = w·x + b, its quadratic cost, and the lessons' small data sets.

The linear unit ``a = w·x + b`` is scored by the quadratic cost (mean squared error)::

    C(w, b) = 1/(2n) Σ (t - a)²        dC/dw = -(1/n) Σ (t - a)·x    dC/db = -(1/n) Σ (t - a)

The one-weight cost of the seed's worked example is ``J(w) = 1/(2m) Σ (z - w·x)²``. Values in
records are plain Python floats rounded to `DECIMALS` (so that 0.1 + 0.2 reads 0.3). The
descent loops that walk these costs downhill are `tutor.engines.descent_loop`. Nothing here
prints or imports a UI library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tutor.engines.records import plain, plain_vector, to_numpy

__all__ = [
    "COST_T",
    "COST_X",
    "DECIMALS",
    "LINE_X",
    "LINE_Y",
    "ONE_X",
    "ONE_Z",
    "CostTable",
    "ResidualRow",
    "cost_table",
    "linear_predict",
    "noisy_line",
    "one_weight_cost",
    "one_weight_grad",
    "quadratic_cost",
    "quadratic_cost_grad",
    "rounded",
    "rounded_vector",
    "tangent_line",
]

#: Decimals kept in records: plenty for any lesson, and it hides float noise (0.1 + 0.2).
DECIMALS = 12


def rounded(value: Any) -> float:
    """A plain float rounded to DECIMALS (see tutor.engines.records)."""
    return plain(value, DECIMALS)


def rounded_vector(values: Any) -> tuple[float, ...]:
    """A tuple of plain floats rounded to DECIMALS."""
    return plain_vector(values, DECIMALS)


_r, _vec, _host = rounded, rounded_vector, to_numpy


# --------------------------------------------------------------------------- data sets

#: The "first example": six points on the line y = 2x - 1.
LINE_X: tuple[float, ...] = (-1.0, 0.0, 1.0, 2.0, 3.0, 4.0)
LINE_Y: tuple[float, ...] = (-3.0, -1.0, 1.0, 3.0, 5.0, 7.0)

#: The seed's cost example: eight points on y = 2x + 4 (C(3, 2) = 5.75).
COST_X: tuple[float, ...] = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0)
COST_T: tuple[float, ...] = (6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0, 20.0)

#: The seed's one-weight example: z = w·x with the true w = 2 (J(w) = 3.75 (w - 2)²).
ONE_X: tuple[float, ...] = (1.0, 2.0, 3.0, 4.0)
ONE_Z: tuple[float, ...] = (2.0, 4.0, 6.0, 8.0)


def noisy_line(n: int = 200, seed: int = 0) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """n noisy points around y = 2x - 1: (x, t), two tuples of length n.

    x is uniform in [-1, 4] and t = 2x - 1 + noise with noise ~ N(0, 0.5²), all drawn from
    `numpy.random.default_rng(seed)`, so a seed always gives the same points.
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 4.0, size=n)  # (n,)
    t = 2.0 * x - 1.0 + rng.normal(0.0, 0.5, size=n)  # (n,)
    return _vec(x), _vec(t)


# --------------------------------------------------------------------------- linear unit and cost


def linear_predict(w: float, b: float, x: Any, xp: Any = np) -> Any:
    """The linear unit's outputs a = w·x + b.

    Args:
        w: the weight.
        b: the bias.
        x: inputs, shape (n,) (or a number).

    Returns:
        An xp float array of x's shape: (n,) for x of shape (n,).
    """
    return float(w) * xp.asarray(x, dtype=float) + float(b)


def quadratic_cost(w: float, b: float, x: Any, t: Any, xp: Any = np) -> float:
    """The quadratic cost C(w, b) = 1/(2n) Σ (t - a)² of the unit a = w·x + b.

    Args:
        w, b: the weight and the bias.
        x: inputs, shape (n,).
        t: targets, shape (n,).

    Returns:
        C as a plain float (inf when the values overflow).
    """
    with np.errstate(all="ignore"):
        diff = xp.asarray(t, dtype=float) - linear_predict(w, b, x, xp=xp)  # (n,)
        n = diff.shape[0]
        return float(xp.sum(diff * diff) / (2 * n))


def quadratic_cost_grad(w: float, b: float, x: Any, t: Any, xp: Any = np) -> tuple[float, float]:
    """The gradient of the quadratic cost: (dC/dw, dC/db).

    dC/dw = -(1/n) Σ (t - a)·x and dC/db = -(1/n) Σ (t - a), for x and t of shape (n,).

    Returns:
        Two plain floats, in the order of the parameters (w, b).
    """
    with np.errstate(all="ignore"):
        xs = xp.asarray(x, dtype=float)  # (n,)
        diff = xp.asarray(t, dtype=float) - linear_predict(w, b, xs, xp=xp)  # (n,)
        n = diff.shape[0]
        return float(-xp.sum(diff * xs) / n), float(-xp.sum(diff) / n)


@dataclass(frozen=True)
class ResidualRow:
    """One data point under the unit a = w·x + b.

    Attributes:
        x: the input.
        t: the target.
        a: the output w·x + b.
        diff: t - a.
        square: (t - a)².
    """

    x: float
    t: float
    a: float
    diff: float
    square: float


@dataclass(frozen=True)
class CostTable:
    """The quadratic cost worked out row by row, as the seed writes it.

    Attributes:
        rows: one ResidualRow per data point, length n.
        total: Σ (t - a)², the sum of the squares.
        n: the number of data points.
        cost: total / (2n), which equals quadratic_cost.
    """

    rows: tuple[ResidualRow, ...]
    total: float
    n: int
    cost: float


def cost_table(w: float, b: float, x: Sequence[float], t: Sequence[float]) -> CostTable:
    """Work out C(w, b) for inputs x and targets t (both of length n) row by row."""
    xs, ts = _vec(x), _vec(t)
    if len(xs) != len(ts) or not xs:
        raise ValueError(f"cost_table needs as many targets as inputs (at least one); "
                         f"got {len(xs)} inputs and {len(ts)} targets.")
    a = _host(linear_predict(w, b, xs))  # (n,)
    diff = np.asarray(ts) - a  # (n,)
    square = diff * diff  # (n,)
    rows = tuple(
        ResidualRow(x=xs[i], t=ts[i], a=_r(a[i]), diff=_r(diff[i]), square=_r(square[i]))
        for i in range(len(xs))
    )
    total = float(square.sum())
    n = len(xs)
    return CostTable(rows=rows, total=_r(total), n=n, cost=_r(total / (2 * n)))


def one_weight_cost(w: float, x: Sequence[float], z: Sequence[float]) -> float:
    """J(w) = 1/(2m) Σ (z - w·x)² for the bias-free unit z = w·x, x and z of length m."""
    return quadratic_cost(w, 0.0, x, z)


def one_weight_grad(w: float, x: Sequence[float], z: Sequence[float]) -> float:
    """J'(w) = -(1/m) Σ (z - w·x)·x for x and z of length m."""
    return quadratic_cost_grad(w, 0.0, x, z)[0]


def tangent_line(
    f: Callable[[float], float], df: Callable[[float], float], w: float, half_width: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The tangent of f at w, as a segment ((w - h, y0), (w + h, y1)) with h = half_width.

    The segment passes through (w, f(w)) with slope df(w); it is what the first-order
    approximation f(w + ε) ≈ f(w) + ε·f'(w) predicts.
    """
    y, slope = float(f(w)), float(df(w))
    w0, w1 = float(w) - half_width, float(w) + half_width
    return (_r(w0), _r(y - slope * half_width)), (_r(w1), _r(y + slope * half_width))
