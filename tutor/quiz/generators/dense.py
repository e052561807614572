"""Predict questions on the parameters of a dense layer or a 784-H-10 network."""

from __future__ import annotations

from typing import Any

import numpy as np

from tutor.engines.conv import param_count_dense
from tutor.quiz.predict import Generated

#: Input sizes the question draws from (784 = 28 x 28 pixels, 400 = LeNet's 16 x 5 x 5, ...).
INPUT_SIZES: tuple[int, ...] = (784, 784, 400, 256, 120, 100, 64)
#: Unit counts the question draws from.
UNIT_SIZES: tuple[int, ...] = (10, 16, 30, 32, 64, 84, 100, 128)


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
