"""The delta rule for a linear unit o = w·i + b, one sample at a time, beside its gradient.

For one sample (i, t) the delta rule (Widrow-Hoff, the perceptron's update with the hardlim
removed) changes the weights by::

    Δw = η (t - o)·i        Δb = η (t - o)

and the gradient of the sample's cost E = ½ (t - o)² is::

    ∂E/∂w = -(t - o)·i      ∂E/∂b = -(t - o)

so the update is exactly -η·gradient: the delta rule is stochastic gradient descent on ½(t - o)².
`delta_rule_updates` yields one `DeltaUpdate` record per sample so that a test can check that
identity and a scene can show it. Values in records are plain floats rounded to `DECIMALS`
(see `tutor.engines.records`). Nothing here prints or imports a UI library.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tutor.engines.records import plain

__all__ = [
    "DECIMALS",
    "DeltaUpdate",
    "delta_rule_updates",
    "sample_cost",
    "sample_cost_grad",
]

#: Decimals kept in records (as in tutor.engines.cost): hides float noise such as 0.1 + 0.2.
DECIMALS = 12


@dataclass(frozen=True)
class DeltaUpdate:
    """One delta-rule update on one sample.

    Attributes:
        step: 1-based count of updates so far (this one included).
        epoch: 1-based pass over the data this update belongs to.
        index: position of the sample in the data (0-based).
        i, t: the sample's input and target.
        w, b: the weights before the update.
        o: the unit's output w·i + b before the update.
        error: t - o (the seed's δ for a linear unit).
        delta_w, delta_b: the rule's update η(t - o)·i and η(t - o).
        grad_w, grad_b: the gradient of ½(t - o)² with respect to w and b: -(t - o)·i, -(t - o).
        step_w, step_b: -η·grad_w and -η·grad_b (equal to delta_w and delta_b).
        w_after, b_after: the weights after the update.
        cost: ½(t - o)² before the update.
    """

    step: int
    epoch: int
    index: int
    i: float
    t: float
    w: float
    b: float
    o: float
    error: float
    delta_w: float
    delta_b: float
    grad_w: float
    grad_b: float
    step_w: float
    step_b: float
    w_after: float
    b_after: float
    cost: float


def sample_cost(w: float, b: float, i: float, t: float) -> float:
    """½ (t - (w·i + b))², the cost of one sample for a linear unit."""
    o = w * i + b
    return 0.5 * (t - o) ** 2


def sample_cost_grad(w: float, b: float, i: float, t: float) -> tuple[float, float]:
    """(∂E/∂w, ∂E/∂b) of E = ½ (t - (w·i + b))²: (-(t - o)·i, -(t - o))."""
    error = t - (w * i + b)
    return -error * i, -error


def delta_rule_updates(
    x: Sequence[float],
    t: Sequence[float],
    lr: float,
    *,
    w0: float = 0.0,
    b0: float = 0.0,
    epochs: int = 1,
    xp: Any = np,
) -> Iterator[DeltaUpdate]:
    """Yield one `DeltaUpdate` per sample, presenting the data in order, `epochs` times.

    Args:
        x: inputs, shape (n,).
        t: targets, shape (n,).
        lr: the learning rate η.
        w0, b0: the starting weight and bias.
        epochs: passes over the data (each yields n records).
        xp: the array module (NumPy or CuPy); the arithmetic is on 0-d xp arrays.

    Stops early (after the record) when a weight is no longer finite.
    """
    xs = xp.asarray(x, dtype=xp.float64).reshape(-1)  # (n,)
    ts = xp.asarray(t, dtype=xp.float64).reshape(-1)  # (n,)
    if xs.shape != ts.shape:
        raise ValueError(f"x and t must have the same length, got {xs.shape[0]} and {ts.shape[0]}")
    w = xp.asarray(w0, dtype=xp.float64)
    b = xp.asarray(b0, dtype=xp.float64)
    eta = float(lr)
    step = 0
    for epoch in range(1, int(epochs) + 1):
        for index in range(int(xs.shape[0])):
            with np.errstate(over="ignore", invalid="ignore"):  # a huge η may overflow
                i, target = xs[index], ts[index]
                o = w * i + b
                error = target - o
                delta_w, delta_b = eta * error * i, eta * error
                grad_w, grad_b = -error * i, -error
                w_after, b_after = w + delta_w, b + delta_b
                record = DeltaUpdate(
                    step=step + 1, epoch=epoch, index=index,
                    i=plain(i, DECIMALS), t=plain(target, DECIMALS),
                    w=plain(w, DECIMALS), b=plain(b, DECIMALS),
                    o=plain(o, DECIMALS), error=plain(error, DECIMALS),
                    delta_w=plain(delta_w, DECIMALS), delta_b=plain(delta_b, DECIMALS),
                    grad_w=plain(grad_w, DECIMALS), grad_b=plain(grad_b, DECIMALS),
                    step_w=plain(-eta * grad_w, DECIMALS), step_b=plain(-eta * grad_b, DECIMALS),
                    w_after=plain(w_after, DECIMALS), b_after=plain(b_after, DECIMALS),
                    cost=plain(0.5 * error * error, DECIMALS),
                )
            step += 1
            yield record
            w, b = w_after, b_after
            if not (bool(xp.isfinite(w)) and bool(xp.isfinite(b))):
                return
