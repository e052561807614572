"""Predict questions on Rosenblatt's perceptron (`tutor.engines.perceptron`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tutor.engines.perceptron import hardlim, net_input, predict, update
from tutor.quiz.predict import Generated
from tutor.text import format_number

#: Halves in [-2, 2] without 0, for weights (a zero weight makes a dull problem).
_WEIGHT_GRID = (-2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0)
#: Halves in [-2, 2], for biases.
_BIAS_GRID = (-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0)
#: Small integer pattern values. All grids are exact in binary, so nets carry no float noise.
_INPUT_GRID = (-2.0, -1.0, 0.0, 1.0, 2.0)


def _pattern(rng: np.random.Generator) -> tuple[float, float]:
    """A pattern from _INPUT_GRID other than [0, 0]."""
    while True:
        p1, p2 = (float(v) for v in rng.choice(_INPUT_GRID, size=2))
        if p1 or p2:
            return p1, p2


def output_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"What does the perceptron output?" for random w, b and an integer pattern p.

    Options "0", "1"; the answer index is a. Template fields: w1, w2, b, p1, p2, net, a.
    """
    w = tuple(float(v) for v in rng.choice(_WEIGHT_GRID, size=2))
    b = float(rng.choice(_BIAS_GRID))
    p = tuple(float(v) for v in rng.choice(_INPUT_GRID, size=2))
    net = net_input(w, b, p)
    a = hardlim(net)
    return Generated(
        values={
            "w1": format_number(w[0]), "w2": format_number(w[1]), "b": format_number(b), "p1": format_number(p[0]), "p2": format_number(p[1]),
            "net": format_number(net), "a": a,
        },
        kind="single",
        answer=a,
        options=("0", "1"),
    )


def new_weight_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"What are the new weights?" after one update of a bias-free unit (seed style).

    About 2/3 of the problems present a misclassified pattern, so the update is not trivial.
    The answer is w_new as a vector of 2 floats. Template fields: w1, w2, p1, p2, t, net, a,
    e, nw1, nw2.
    """
    w = tuple(float(v) for v in rng.choice(_WEIGHT_GRID, size=2))
    p = _pattern(rng)
    a = predict(w, 0.0, p)
    wrong = rng.random() < 2 / 3
    t = 1 - a if wrong else a
    record = update(w, 0.0, p, t, use_bias=False)
    return Generated(
        values={
            "w1": format_number(w[0]), "w2": format_number(w[1]), "p1": format_number(p[0]), "p2": format_number(p[1]), "t": record.t,
            "net": format_number(record.net), "a": record.a, "e": record.e,
            "nw1": format_number(record.w_after[0]), "nw2": format_number(record.w_after[1]),
        },
        kind="vector",
        answer=record.w_after,
        tolerance=1e-6,
    )


SIDE_OPTIONS = ("the side w points to: a = 1", "the other side: a = 0", "exactly on the line")


def side_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"On which side of the boundary w·p + b = 0 does p lie?"

    With probability 1/5 the point is placed exactly on the line (b is then chosen to make it
    so). Options are SIDE_OPTIONS. Template fields: w1, w2, b, p1, p2, net.
    """
    on_line = rng.random() < 1 / 5
    while True:
        w = tuple(float(v) for v in rng.choice(_WEIGHT_GRID, size=2))
        p = tuple(float(v) for v in rng.choice(_INPUT_GRID, size=2))
        if on_line:
            b = -net_input(w, 0.0, p) + 0.0
            if abs(b) > 2:
                continue
        else:
            b = float(rng.choice(_BIAS_GRID))
        break
    net = net_input(w, b, p)
    answer = 2 if net == 0 else (0 if net > 0 else 1)
    return Generated(
        values={
            "w1": format_number(w[0]), "w2": format_number(w[1]), "b": format_number(b), "p1": format_number(p[0]), "p2": format_number(p[1]),
            "net": format_number(net),
        },
        kind="single",
        answer=answer,
        options=SIDE_OPTIONS,
    )
