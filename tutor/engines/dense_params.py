"""Parameter counts of fully connected networks, and the `predict` question that drills them.

A dense layer joins every input to every unit: `inputs x units` weights plus one bias per unit,
so the first layer of the workshop's 784-30-10 network has 784 x 30 + 30 = 23,550 parameters
and the whole network 23,550 + (30 x 10 + 10) = 23,860. The counting itself is
`tutor.engines.conv.param_count_dense`; this module adds the whole-network sum and the
question generator registered as "dense.param_count" in `tutor.quiz.predict`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tutor.engines.conv import param_count_dense
from tutor.quiz.predict import Generated

__all__ = ["dense_param_problem", "mlp_param_count"]

#: Input sizes the question draws from (784 = 28 x 28 pixels, 400 = LeNet's 16 x 5 x 5, ...).
INPUT_SIZES: tuple[int, ...] = (784, 784, 400, 256, 120, 100, 64)
#: Unit counts the question draws from.
UNIT_SIZES: tuple[int, ...] = (10, 16, 30, 32, 64, 84, 100, 128)


def mlp_param_count(sizes: tuple[int, ...] | list[int]) -> int:
    """Weights and biases of a chain of dense layers, e.g. (784, 30, 10) -> 23,860."""
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError("a network needs at least two layer sizes, each at least 1")
    return sum(param_count_dense(a, b) for a, b in zip(sizes, sizes[1:]))


def dense_param_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"How many parameters?" for a random dense layer, or (network=true) a random 784-H-10 net.

    Template fields: inputs, units, weights (inputs x units), answer; for network=true also
    hidden, first (784 x H + H), second (H x 10 + 10).
    """
    if params.get("network"):
        hidden = int(rng.choice(UNIT_SIZES[1:]))
        first = param_count_dense(784, hidden)
        second = param_count_dense(hidden, 10)
        answer = first + second
        values = {
            "inputs": 784, "units": 10, "hidden": hidden, "weights": f"{784 * hidden:,}",
            "first": f"{first:,}", "second": f"{second:,}", "answer": f"{answer:,}",
        }
    else:
        inputs = int(rng.choice(INPUT_SIZES))
        units = int(rng.choice(UNIT_SIZES))
        answer = param_count_dense(inputs, units)
        values = {"inputs": inputs, "units": units, "weights": f"{inputs * units:,}", "answer": f"{answer:,}"}
    return Generated(values=values, kind="number", answer=float(answer), tolerance=1e-6)
