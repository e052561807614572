"""Mini-batch gradient descent on the line a = w·x + b: full batch, mini-batches, or one example.

Each parameter update is a frozen `BatchStep` of plain floats; a run that blows up is yielded
with diverged=True and ends. Nothing here prints or imports a UI library.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from tutor.engines.cost import (
    quadratic_cost,
    quadratic_cost_grad,
    rounded,
    rounded_vector,
)
from tutor.engines.descent_loop import (
    DIVERGENCE_LIMIT,
    add_rounded,
    blown_up,
    safe_cost,
)

_r, _vec = rounded, rounded_vector

__all__ = ["BatchStep", "minibatch_descent"]


@dataclass(frozen=True)
class BatchStep:
    """One parameter update of mini-batch descent on the quadratic cost.

    Attributes:
        update: 1-based count of parameter updates.
        epoch: 1-based epoch number.
        params: (w, b) after the update.
        batch_cost: the cost on the batch used, before the update.
        full_cost: the cost on all the data, after the update.
        examples_seen: how many examples the gradients have used so far (cumulative).
        batch_size: the size of the batch used (the last batch of an epoch may be smaller).
        grad: the batch gradient (dC/dw, dC/db) that was applied.
        diverged: True when the values blew up (this record is then the last).
    """

    update: int
    epoch: int
    params: tuple[float, ...]
    batch_cost: float
    full_cost: float
    examples_seen: int
    batch_size: int
    grad: tuple[float, ...]
    diverged: bool = False


def minibatch_descent(
    x: Sequence[float], t: Sequence[float], start: tuple[float, float] = (0.0, 0.0),
    lr: float = 0.05, batch_size: int | None = None, epochs: int = 10, seed: int = 0,
) -> Iterator[BatchStep]:
    """Mini-batch gradient descent on (w, b) for the quadratic cost of x and t (length n).

    batch_size None or >= n is full-batch descent (one update per epoch, data in order, the
    same steps as gradient_descent); 1 is stochastic descent (n updates per epoch). Smaller
    batches are drawn from a fresh shuffle each epoch (`numpy.random.default_rng(seed)`); the
    last batch of an epoch may be smaller. A blown-up update (non-finite values, a parameter
    beyond DIVERGENCE_LIMIT, or a full cost growing beyond it) is yielded with
    diverged=True and ends the run.
    """
    xs, ts = np.asarray(_vec(x)), np.asarray(_vec(t))  # (n,), (n,)
    n = len(xs)
    if n == 0 or len(ts) != n:
        raise ValueError(f"minibatch_descent needs as many targets as inputs (at least one); "
                         f"got {n} inputs and {len(ts)} targets.")
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch_size must be at least 1 (or None), got {batch_size}.")
    size = n if batch_size is None or batch_size >= n else int(batch_size)
    rng = np.random.default_rng(seed)
    lr = float(lr)
    w, b = _vec(start)
    full_cost = quadratic_cost(w, b, xs, ts)
    count = seen = 0
    for epoch in range(1, epochs + 1):
        order = np.arange(n) if size == n else rng.permutation(n)  # (n,)
        for begin in range(0, n, size):
            idx = order[begin:begin + size]
            bx, bt = xs[idx], ts[idx]
            batch_cost = quadratic_cost(w, b, bx, bt)
            gw, gb = quadratic_cost_grad(w, b, bx, bt)
            with np.errstate(all="ignore"):
                w, b = add_rounded((w, b), (-lr * gw, -lr * gb))
            new_cost = safe_cost(lambda p: quadratic_cost(p[0], p[1], xs, ts), (w, b))
            diverged = blown_up((w, b), new_cost, full_cost, DIVERGENCE_LIMIT)
            full_cost = new_cost
            count += 1
            seen += len(idx)
            yield BatchStep(
                update=count, epoch=epoch, params=(w, b), batch_cost=_r(batch_cost),
                full_cost=_r(full_cost), examples_seen=seen, batch_size=len(idx),
                grad=(_r(gw), _r(gb)), diverged=diverged,
            )
            if diverged:
                return
