"""Gradient descent, one recorded step at a time: p_new = p - lr·∇C(p).

Every loop here is a generator of frozen `DescentStep` records of plain Python floats (rounded
to 12 decimals, `tutor.engines.cost.DECIMALS`), for a scene to animate or a test to check. A run
that blows up is stopped and reported with status "diverged"; nothing raises OverflowError or
FloatingPointError and nothing warns. The guards (`safe_cost`, `safe_grad`, `blown_up`,
`add_rounded`) are shared with the surface and mini-batch descents. Nothing here prints or
imports a UI library.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tutor.engines.cost import (
    quadratic_cost,
    quadratic_cost_grad,
    rounded,
    rounded_vector,
)
from tutor.engines.records import to_numpy as _host

_r, _vec = rounded, rounded_vector

__all__ = [
    "DIVERGENCE_LIMIT",
    "DescentStep",
    "add_rounded",
    "blown_up",
    "fit_line",
    "gradient_descent",
    "norm",
    "safe_cost",
    "safe_grad",
]

#: A parameter or cost beyond this magnitude counts as "blown up" (the default `limit`).
DIVERGENCE_LIMIT = 1e6


def norm(values: Sequence[float]) -> float:
    """The Euclidean length of a tuple of floats (inf or nan when an entry is)."""
    with np.errstate(all="ignore"):
        return float(np.sqrt(np.sum(np.square(np.asarray(values, dtype=float)))))


@dataclass(frozen=True)
class DescentStep:
    """One step of gradient descent.

    Attributes:
        iteration: 1-based step number.
        params: the parameters before the step, length k.
        cost: the cost at `params`.
        grad: the gradient at `params`, length k.
        update: the change applied, length k (-lr·grad for plain descent).
        params_after: params + update, length k.
        cost_after: the cost at `params_after`.
        status: "ok"; "converged" when the gradient at `params_after` has vanished (the run
            stops there); "diverged" when the values blew up (the run stops there).
    """

    iteration: int
    params: tuple[float, ...]
    cost: float
    grad: tuple[float, ...]
    update: tuple[float, ...]
    params_after: tuple[float, ...]
    cost_after: float
    status: str


def safe_cost(cost: Callable[[tuple[float, ...]], float], params: tuple[float, ...]) -> float:
    """cost(params) as a float; inf when it overflows or raises an arithmetic error."""
    if not all(math.isfinite(p) for p in params):
        return math.inf
    with np.errstate(all="ignore"):
        try:
            value = float(cost(params))
        except (OverflowError, FloatingPointError, ZeroDivisionError):
            return math.inf
    return value if not math.isnan(value) else math.inf


def safe_grad(
    grad: Callable[[tuple[float, ...]], Any], params: tuple[float, ...]
) -> tuple[float, ...]:
    """grad(params) as a tuple of floats; nan entries when it overflows or raises."""
    nan = (math.nan,) * len(params)
    if not all(math.isfinite(p) for p in params):
        return nan
    with np.errstate(all="ignore"):
        try:
            g = tuple(float(v) for v in np.asarray(_host(grad(params)), dtype=float).reshape(-1))
        except (OverflowError, FloatingPointError, ZeroDivisionError):
            return nan
    return g


def blown_up(
    params: tuple[float, ...], cost_after: float, cost_before: float, limit: float
) -> bool:
    """Whether a step blew up: a non-finite value, a parameter beyond limit, or a cost that
    grew past limit (a start whose cost is already above limit may still descend)."""
    if not math.isfinite(cost_after) or not all(math.isfinite(p) for p in params):
        return True
    if any(abs(p) > limit for p in params):
        return True
    return abs(cost_after) > limit and cost_after > cost_before


def add_rounded(params: tuple[float, ...], update: tuple[float, ...]) -> tuple[float, ...]:
    """params + update, rounded (inf and nan propagate; nothing raises)."""
    with np.errstate(all="ignore"):
        return tuple(_r(p + u) for p, u in zip(params, update))


def gradient_descent(
    cost: Callable[[tuple[float, ...]], float],
    grad: Callable[[tuple[float, ...]], Sequence[float]],
    start: Sequence[float] | float,
    lr: float,
    *,
    iterations: int = 100,
    tolerance: float = 1e-9,
    limit: float = DIVERGENCE_LIMIT,
) -> Iterator[DescentStep]:
    """Plain gradient descent p ← p - lr·∇cost(p), yielding one DescentStep per iteration.

    Args:
        cost: cost(params) -> float, params a tuple of length k.
        grad: grad(params) -> k partial derivatives.
        start: the starting parameters, length k (a number for k = 1).
        lr: the learning rate (0 never moves; a negative rate climbs).
        iterations: the most steps to take.
        tolerance: stop ("converged") once the gradient at the new point is shorter than this.
        limit: stop ("diverged") once a parameter exceeds this in magnitude, or the cost grows
            beyond it, or anything becomes inf or nan.

    The record that converges or diverges is yielded, then the generator stops. Nothing raises
    OverflowError or FloatingPointError, and NumPy does not warn.
    """
    lr = float(lr)
    params = _vec(start)
    current_cost = safe_cost(cost, params)
    g = safe_grad(grad, params)
    for iteration in range(1, iterations + 1):
        with np.errstate(all="ignore"):
            update = tuple(_r(-lr * gi) for gi in g)
            after = add_rounded(params, tuple(-lr * gi for gi in g))
        cost_after = safe_cost(cost, after)
        g_after: tuple[float, ...] = g
        if blown_up(after, cost_after, current_cost, limit):
            status = "diverged"
        else:
            g_after = safe_grad(grad, after)
            status = "converged" if norm(g_after) < tolerance else "ok"
        yield DescentStep(
            iteration=iteration, params=params, cost=_r(current_cost), grad=_vec(g),
            update=update, params_after=after, cost_after=_r(cost_after), status=status,
        )
        if status != "ok":
            return
        params, current_cost, g = after, cost_after, g_after


def fit_line(
    x: Sequence[float], t: Sequence[float], w0: float = 0.0, b0: float = 0.0,
    lr: float = 0.01, epochs: int = 500,
) -> list[DescentStep]:
    """Fit a = w·x + b to inputs x and targets t (length n) by full-batch gradient descent.

    Params are (w, b); one DescentStep per epoch (fewer when the run converges or diverges).
    With the defaults on LINE data the fit gets close to, but not exactly onto, y = 2x - 1.
    """
    xs, ts = np.asarray(_vec(x)), np.asarray(_vec(t))
    return list(gradient_descent(
        lambda p: quadratic_cost(p[0], p[1], xs, ts),
        lambda p: quadratic_cost_grad(p[0], p[1], xs, ts),
        (w0, b0), lr, iterations=epochs,
    ))
