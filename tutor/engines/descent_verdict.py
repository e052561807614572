"""Verdicts on gradient descent: is a learning rate worth trying, and what did a run do?

`check_learning_rate` sorts a typed rate into a `RateVerdict` (fine, zero, negative, too large,
not a number) and `judge_run` names what a run of `DescentStep` records did as a `RunVerdict`
(stalled, climbing, diverged, oscillating, converged or still crawling) with the numbers a
sentence about it needs. The sentences themselves belong to the scenes that show them
(`tutor.scenes.descent_words`). Nothing here prints or imports a UI library.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from tutor.engines.descent_loop import DescentStep

__all__ = [
    "MAX_LEARNING_RATE",
    "LearningRateCheck",
    "RateVerdict",
    "RunKind",
    "RunVerdict",
    "check_learning_rate",
    "judge_run",
]

#: The largest learning rate (in magnitude) a run is tried with.
MAX_LEARNING_RATE = 1e6


class RateVerdict(StrEnum):
    """What to make of a learning rate."""

    FINE = "fine"
    NOT_FINITE = "not-finite"
    TOO_LARGE = "too-large"
    ZERO = "zero"
    NEGATIVE = "negative"


@dataclass(frozen=True)
class LearningRateCheck:
    """A learning rate a learner typed, checked.

    Attributes:
        ok: whether a run with it can be tried.
        value: the rate as a float (None when it is not a finite number).
        verdict: why it is remarkable (`RateVerdict.FINE` when it is not).
    """

    ok: bool
    value: float | None
    verdict: RateVerdict


def check_learning_rate(value: float) -> LearningRateCheck:
    """Check a learning rate before running with it.

    Non-finite (or not a number at all): not ok. Beyond MAX_LEARNING_RATE in magnitude: not ok.
    Zero or negative: ok, with a verdict saying so. Anything else: ok and FINE.
    """
    try:
        lr = float(value)
    except (TypeError, ValueError):
        lr = math.nan
    if not math.isfinite(lr):
        return LearningRateCheck(False, None, RateVerdict.NOT_FINITE)
    if abs(lr) > MAX_LEARNING_RATE:
        return LearningRateCheck(False, lr, RateVerdict.TOO_LARGE)
    if lr == 0:
        return LearningRateCheck(True, 0.0, RateVerdict.ZERO)
    if lr < 0:
        return LearningRateCheck(True, lr, RateVerdict.NEGATIVE)
    return LearningRateCheck(True, lr, RateVerdict.FINE)


class RunKind(StrEnum):
    """What a descent run did (the value is the name scenes and tests use)."""

    STALLED = "stalled"
    CLIMBING = "climbing"
    DIVERGED = "diverged"
    OSCILLATING = "oscillating"
    CONVERGED = "converged"
    CRAWLING = "crawling"


@dataclass(frozen=True)
class RunVerdict:
    """What a descent run did, with the numbers a sentence about it needs.

    Attributes:
        kind: the verdict.
        lr: the learning rate of the run.
        steps: how many steps were taken (the last record's iteration; 0 for no steps).
        start_cost: the cost before the first step (nan for no steps).
        end_cost: the cost after the last step (nan for no steps).
        blew_up: whether the last step diverged (a climbing run may blow up too).
    """

    kind: RunKind
    lr: float
    steps: int
    start_cost: float
    end_cost: float
    blew_up: bool

    @property
    def cost_fell(self) -> bool:
        """Whether the cost ended below where it started."""
        return self.end_cost < self.start_cost


def _oscillating(steps: Sequence[DescentStep]) -> bool:
    """Whether some parameter's update flips sign in more than half of consecutive steps."""
    if not steps:
        return False
    for k in range(len(steps[0].update)):
        signs = [math.copysign(1.0, s.update[k]) for s in steps if s.update[k] != 0]
        pairs = len(signs) - 1
        if pairs >= 2:
            flips = sum(1 for a, b in zip(signs, signs[1:]) if a != b)
            if flips > pairs / 2:
                return True
    return False


def judge_run(steps: Sequence[DescentStep], lr: float) -> RunVerdict:
    """Name what a descent run did.

    Kinds, checked in this order: STALLED (no steps, or lr == 0), CLIMBING (lr < 0), DIVERGED
    (the run stopped because values blew up), OSCILLATING (updates alternate in sign), CONVERGED
    (the gradient vanished, or the cost fell below 1% of its start), CRAWLING (otherwise: still
    far from the minimum when the iterations ran out).
    """
    lr = float(lr)
    if not steps:
        return RunVerdict(RunKind.STALLED, lr, 0, math.nan, math.nan, False)
    first, last = steps[0], steps[-1]
    start_cost, end_cost = first.cost, last.cost_after
    blew_up = last.status == "diverged"

    def verdict(kind: RunKind) -> RunVerdict:
        return RunVerdict(kind, lr, last.iteration, start_cost, end_cost, blew_up)

    if lr == 0:
        return verdict(RunKind.STALLED)
    if lr < 0:
        return verdict(RunKind.CLIMBING)
    if blew_up:
        return verdict(RunKind.DIVERGED)
    if _oscillating(steps):
        return verdict(RunKind.OSCILLATING)
    if last.status == "converged" or end_cost <= 0.01 * start_cost:
        return verdict(RunKind.CONVERGED)
    return verdict(RunKind.CRAWLING)
