"""Checks of exercise minibatch-sgd, against `tutor.engines.minibatch` and `tutor.engines.cost`."""

from __future__ import annotations

import numpy as np

from tutor.engines import cost as ref
from tutor.engines.minibatch import minibatch_descent
from tutor.exercises.checking import Checklist, Failure, call, compare, describe, grad_check

CHECKS = Checklist()


@CHECKS.add("the batch gradient matches the reference and the numerical gradient")
def gradient(m) -> str:
    rng = np.random.default_rng(6)
    worst = 0.0
    for _ in range(15):
        n = int(rng.integers(1, 9))
        x, t = np.round(rng.uniform(-2, 2, n), 2), np.round(rng.uniform(-3, 3, n), 2)
        w, b = (float(v) for v in np.round(rng.uniform(-2, 2, 2), 2))
        case = f"w = {w}, b = {b}, x = {describe(x)}, t = {describe(t)}"
        expected = ref.quadratic_cost_grad(w, b, x, t)
        got = call(m, "batch_gradient", w, b, x, t, case=case, expected=str(expected))
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Failure(f"batch_gradient returned {describe(got, 80)}, expected (dC/dw, dC/db)", case=case)
        compare("(dC/dw, dC/db)", np.array(got, dtype=float), np.array(expected), case=case,
                hint="the mean over the batch, not the sum: dC/dw = -mean((t - a)·x)")
        worst = max(worst, grad_check("(dC/dw, dC/db)", np.array(got, dtype=float),
                                      lambda p: ref.quadratic_cost(p[0], p[1], x, t), np.array([w, b]),
                                      case=case))
    return f"largest relative error {worst:.1e}"


def _compare_run(m, batch_size, epochs, lr, seed) -> int:
    x, t = ref.noisy_line(24, seed=seed)
    x, t = np.array(x), np.array(t)
    expected = np.array([s.params for s in minibatch_descent(x, t, (0.0, 0.0), lr, batch_size, epochs, seed)])
    case = (f"24 noisy points around y = 2x - 1 (noisy_line(24, seed={seed})), start (0, 0), "
            f"lr = {lr}, batch_size = {batch_size}, epochs = {epochs}, seed = {seed}")
    got = call(m, "minibatch_sgd", x, t, (0.0, 0.0), lr, batch_size, epochs, seed, case=case,
               expected=f"{len(expected)} pairs, starting {describe(expected[:2])}")
    try:
        array = np.array([[float(w), float(b)] for w, b in got])
    except (TypeError, ValueError):
        raise Failure(f"minibatch_sgd returned {describe(got, 80)}, expected a list of (w, b) pairs",
                      case=case) from None
    if array.shape != expected.shape:
        raise Failure(f"{len(array)} updates came back, expected {len(expected)} "
                      f"({epochs} epochs of ceil(24 / {batch_size}) batches)", case=case,
                      hint="one (w, b) per update; the last batch of an epoch may be smaller")
    first = np.argmax(np.any(np.abs(array - expected) > 1e-8 + 1e-6 * np.abs(expected), axis=1))
    compare(f"(w, b) after update {first + 1}", array[first], expected[first], case=case, atol=1e-8,
            hint="one rng made before the loop; order = rng.permutation(n) at the start of every "
            "epoch (none when batch_size >= n)")
    return len(expected)


@CHECKS.add("full-batch runs (batch_size >= n) match the reference")
def full_batch(m) -> str:
    return f"{_compare_run(m, 24, 5, 0.05, 0)} updates"


@CHECKS.add("mini-batch and stochastic runs match the reference, update by update")
def minibatch(m) -> str:
    count = _compare_run(m, 5, 4, 0.05, 1) + _compare_run(m, 1, 2, 0.02, 2)
    return f"{count} updates (batches of 5 and of 1)"
