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
    reason = _output_reason(float(net), float(net_input(w, 0.0, p)), b)
    return Generated(
        values={
            "w1": format_number(w[0]), "w2": format_number(w[1]), "b": format_number(b), "p1": format_number(p[0]), "p2": format_number(p[1]),
            "net": format_number(net), "a": a,
        },
        kind="single",
        answer=a,
        options=("0", "1"),
        reasons=("", reason) if a == 0 else (reason, ""),
    )


def _output_reason(net: float, wp: float, b: float) -> str:
    """Why the other output is wrong: the slip (bias left out, hardlim(0), a sign) behind it."""
    if net == 0:
        return "The net comes to exactly 0, and hardlim(0) = 1: a point on the boundary counts as class 1."
    if (wp >= 0) != (net >= 0):
        return f"w·p alone has the other sign; add the bias b = {format_number(b)} before applying hardlim."
    if net > 0:
        return "hardlim gives 0 only for a negative net, and w·p + b is not negative here; check each product's sign."
    return "hardlim gives 1 only for a net ≥ 0, and w·p + b is below 0 here; check each product's sign."


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
        mistakes=_update_mistakes(w, p, t, record.a, float(record.net), record.w_after),
    )


def _update_mistakes(
    w: tuple[float, ...], p: tuple[float, ...], t: int, a: int, net: float, right: tuple[float, ...]
) -> dict[tuple[float, ...], str]:
    """The classic slips of one update w_new = w + e·p, computed from the same numbers.

    Each entry is kept only when it differs from the right answer and from the entries before
    it (the first, most specific message wins).
    """
    e = t - a

    def moved(sign: float, q: tuple[float, ...] = p) -> tuple[float, ...]:
        return tuple(wi + sign * qi for wi, qi in zip(w, q, strict=True))

    candidates: list[tuple[tuple[float, ...], str]] = []
    if net == 0:
        # hardlim(0) read as 0: a is taken as 0, so e is taken as t.
        candidates.append((moved(t), "The net is exactly 0 and hardlim(0) = 1: recheck a, then e = t - a, before updating."))
    if e:
        candidates += [
            (moved(-e), "That update went the wrong way: it is w - e·p. The rule adds e·p, with e = t - a (target minus output)."),
            (w, "That is the old w: the output a differs from t, so e ≠ 0 and the rule must move w by e·p."),
            (moved(e, (p[1], p[0])), "You added p's components crosswise: w1 changes by e times p's first component, w2 by e times its second."),
        ]
    else:
        candidates += [
            (moved(1), "Here a = t, so e = 0: the rule changes nothing when the output is already right."),
            (moved(-1), "Here a = t, so e = 0: the rule changes nothing when the output is already right."),
        ]
    candidates.append((tuple(p), "That is p itself: the rule nudges w by e·p; it never replaces w with the input."))
    mistakes: dict[tuple[float, ...], str] = {}
    for value, message in candidates:
        value = tuple(float(v) + 0.0 for v in value)
        if value != tuple(right) and value not in mistakes:
            mistakes[value] = message
    return mistakes


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
    wp = float(net_input(w, 0.0, p))
    reasons = tuple("" if i == answer else _side_reason(i, float(net), wp) for i in range(len(SIDE_OPTIONS)))
    return Generated(
        values={
            "w1": format_number(w[0]), "w2": format_number(w[1]), "b": format_number(b), "p1": format_number(p[0]), "p2": format_number(p[1]),
            "net": format_number(net),
        },
        kind="single",
        answer=answer,
        options=SIDE_OPTIONS,
        reasons=reasons,
    )


def _side_reason(chosen: int, net: float, wp: float) -> str:
    """Why SIDE_OPTIONS[chosen] is wrong for a point with net input `net` (w·p alone: `wp`)."""
    if net == 0:
        return "w·p + b comes to exactly 0: a point with net 0 lies on the boundary line itself."
    if chosen == 2:
        return "Only a net of exactly 0 puts p on the line; here w·p + b is not 0, so look at its sign."
    if (wp >= 0) != (net >= 0) and wp != 0:
        return "w·p alone has the other sign; the bias shifts the line, so add b before reading the sign."
    if chosen == 0:
        return "w points to where the net w·p + b is positive; here it is negative, so check each product's sign."
    return "The side w points away from has a negative net; here w·p + b is positive, so check each product's sign."
