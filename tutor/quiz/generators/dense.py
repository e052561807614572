"""Predict questions on the parameters of a dense layer or a 784-H-10 network."""

from __future__ import annotations

from typing import Any

import numpy as np

from tutor.engines.conv import param_count_dense
from tutor.quiz.generators.shapes import distinct_mistakes
from tutor.quiz.predict import Generated

#: Input sizes the question draws from (784 = 28 x 28 pixels, 400 = LeNet's 16 x 5 x 5, ...).
INPUT_SIZES: tuple[int, ...] = (784, 784, 400, 256, 120, 100, 64)
#: Unit counts the question draws from.
UNIT_SIZES: tuple[int, ...] = (10, 16, 30, 32, 64, 84, 100, 128)


def dense_param_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"How many parameters?" for a random dense layer, or (network=true) a random 784-H-10 net.

    Template fields: inputs, units, weights (inputs x units), answer; for network=true also
    hidden, first (784 x H + H), second (H x 10 + 10). Mistakes: the biases left out, a bias per
    input, inputs and units added; for a network also one layer only.
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
        candidates = [
            (784 * hidden + hidden * 10, "Those are the weights alone. Every hidden and every "
             "output neuron also has a bias: add one per neuron."),
            (first, "That is the hidden layer only. The output layer's weights and biases belong "
             "to the network too."),
            (second, f"That is the output layer only. Add the hidden layer, 784 inputs to {hidden} "
             "neurons."),
            (784 * hidden + hidden + hidden * 10, "The output layer's 10 biases are missing: every "
             "neuron of every layer has one."),
        ]
    else:
        inputs = int(rng.choice(INPUT_SIZES))
        units = int(rng.choice(UNIT_SIZES))
        answer = param_count_dense(inputs, units)
        values = {"inputs": inputs, "units": units, "weights": f"{inputs * units:,}", "answer": f"{answer:,}"}
        candidates = [
            (inputs * units, f"Those are the weights alone: each of the {units} neurons also has "
             "a bias. Add one per neuron."),
            (inputs * units + inputs, "That gives a bias to every input. A bias belongs to a "
             "neuron: there is one per neuron."),
            (inputs + units, "You added inputs and neurons. Each neuron has a weight for every "
             "input: multiply, then add the biases."),
            (inputs + 1, "That is one neuron, its weights and its bias. The layer has "
             f"{units} such neurons."),
        ]
    mistakes = distinct_mistakes(
        float(answer), [(float(value), message) for value, message in candidates]
    )
    return Generated(
        values=values, kind="number", answer=float(answer), tolerance=1e-6, mistakes=mistakes
    )
