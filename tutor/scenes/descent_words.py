"""What the descent scenes say about a learning rate and about a finished run.

The engine (`tutor.engines.descent_verdict`) returns verdicts; this module words them, one line
each, for the 1-D and 2-D descent scenes and the batch comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tutor.engines.descent_loop import DescentStep
from tutor.engines.descent_verdict import (
    RateVerdict,
    RunKind,
    RunVerdict,
    judge_run,
)
from tutor.engines.descent_verdict import check_learning_rate as _check_rate
from tutor.text import format_number

__all__ = ["RATE_WORDS", "RateCheck", "check_learning_rate", "describe_run", "run_words"]

#: One line per remarkable learning rate ("" for an unremarkable one).
RATE_WORDS: dict[RateVerdict, str] = {
    RateVerdict.FINE: "",
    RateVerdict.NOT_FINITE: "The learning rate must be a finite number.",
    RateVerdict.TOO_LARGE: "That learning rate is too large to try: pick a value below 1e6.",
    RateVerdict.ZERO: "A learning rate of 0 never moves the weights.",
    RateVerdict.NEGATIVE: "A negative learning rate climbs uphill: the cost will grow.",
}


@dataclass(frozen=True)
class RateCheck:
    """A learning rate checked by the engine, with the line a scene shows.

    Attributes:
        ok: whether a run with it can be tried.
        value: the rate as a float (None when it is not a finite number).
        message: one line for the learner ("" when the rate is unremarkable).
    """

    ok: bool
    value: float | None
    message: str


def check_learning_rate(value: float) -> RateCheck:
    """The engine's verdict on a typed rate (`tutor.engines.descent_verdict`), worded."""
    check = _check_rate(value)
    return RateCheck(check.ok, check.value, RATE_WORDS[check.verdict])


#: A run still short of the minimum "crawls" when each step keeps more than this share of the
#: cost (on average); otherwise it is simply still on its way when the iterations ran out.
CRAWL_FACTOR = 0.8


def run_words(verdict: RunVerdict, *, rate_knob: bool = False) -> str:
    """One plain-words line on what a descent run did.

    `rate_knob`: the learner can change the learning rate here, so advice may name it (advice
    never names a knob the scene does not offer)."""
    k, start, end = verdict.steps, format_number(verdict.start_cost), format_number(verdict.end_cost)
    kind = verdict.kind
    if k == 0:
        return "No steps were taken."
    if kind is RunKind.STALLED:
        return f"With a learning rate of 0 the weights never move: the cost stays at {start}."
    if kind is RunKind.CLIMBING:
        ending = "blew up" if verdict.blew_up else f"reached {end}"
        return (
            f"A negative learning rate steps uphill: the cost started at {start} "
            f"and {ending} after {k} steps."
        )
    if kind is RunKind.DIVERGED:
        return (
            f"Stopped at iteration {k}: each step overshot the minimum by more than the last, "
            f"and the values blew up. The learning rate {format_number(verdict.lr)} is too large."
        )
    if kind is RunKind.OSCILLATING:
        if verdict.cost_fell:
            return (
                "The updates alternate in sign: each step jumps across the minimum, "
                f"but the cost still falls, from {start} to {end}."
            )
        return (
            "The updates alternate in sign: each step jumps across the minimum, "
            f"and the cost does not fall ({start} to {end})."
        )
    if kind is RunKind.CONVERGED:
        return f"Converged: after {k} steps the cost is {end}, close to the minimum."
    ratio = verdict.end_cost / verdict.start_cost if verdict.start_cost > 0 else 0.0
    crawling = ratio > 0 and ratio ** (1 / k) > CRAWL_FACTOR
    head = "Still crawling" if crawling else "On its way"
    advice = " A larger learning rate would get there sooner." if crawling and rate_knob else ""
    where = f"down from {start} but not yet below 1% of it" if verdict.cost_fell else f"not below its start ({start})"
    return f"{head}: after {k} steps the cost is {end}, {where}.{advice}"


def describe_run(steps: Sequence[DescentStep], lr: float, *, rate_knob: bool = False) -> tuple[str, str]:
    """What a run did: its kind ("converged", "diverged", ...) and one line for the learner
    (`rate_knob`: whether its advice may name the learning rate, see `run_words`)."""
    verdict = judge_run(steps, lr)
    return verdict.kind.value, run_words(verdict, rate_knob=rate_knob)
