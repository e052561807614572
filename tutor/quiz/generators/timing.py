"""Predict questions on throughput: images per second and minutes per epoch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tutor.quiz.predict import Generated

# ---------------------------------------------------------------------------------------------


def _round_sig(value: float) -> str:
    """A number with thousands separators, to at most one decimal."""
    return f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:,.1f}"


def _slips(answer: float, tolerance: float,
           candidates: Sequence[tuple[float, str]]) -> dict[float, str]:
    """The known wrong answers among `candidates`, as `Generated.mistakes`.

    A candidate is kept only when it is farther than `tolerance` from the right answer and from
    every candidate kept before it, so each one is graded with its own message.
    """
    found: dict[float, str] = {}
    for value, message in candidates:
        value = float(value)
        if abs(value - answer) <= tolerance or any(abs(value - v) <= tolerance for v in found):
            continue
        found[value] = message
    return found


def images_per_second_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"A step costs t ms whatever the batch: how many images per second at batch B?"

    Template fields: ms, batch, steps_per_second, answer.
    """
    ms = int(rng.choice([2, 4, 5, 6, 8, 10]))
    batch = int(rng.choice([16, 64, 256, 1024, 4096]))
    steps_per_second = 1000 / ms
    answer = batch * steps_per_second
    tolerance = max(1.0, 0.01 * answer)
    mistakes = _slips(answer, tolerance, [
        (batch / ms, "That is images per millisecond: a second holds 1,000 ms, so count the steps "
                     "in 1,000 ms, not in one."),
        (batch * ms, "That multiplies by the step time, but a longer step means fewer steps a "
                     "second: divide one second by the step time first."),
        (steps_per_second, "That is steps per second. Each step trains on a whole batch: multiply "
                           "by the images in one batch."),
        (batch * ms / 1000, "That is batch x seconds per step, which is no rate: images per second "
                            "is the batch divided by the seconds one step takes."),
    ])
    return Generated(
        values={"ms": ms, "batch": f"{batch:,}", "steps_per_second": _round_sig(steps_per_second),
                "answer": f"{answer:,.0f}"},
        kind="number",
        answer=float(answer),
        tolerance=tolerance,
        mistakes=mistakes,
    )


#: Training-set sizes `epoch_minutes_problem` draws from, by name.
DATASETS: dict[str, tuple[str, int]] = {
    "mnist": ("the 60,000 MNIST training digits", 60_000),
    "imagenet": ("the 1.3 million ImageNet training images", 1_300_000),
}


def epoch_minutes_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"How many minutes does one pass over the data set take at R images per second?"

    Params: dataset ("mnist" or "imagenet", default "imagenet").
    Template fields: data, images, rate, seconds, answer.
    """
    name = str(params.get("dataset", "imagenet"))
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}: choose {' or '.join(DATASETS)}")
    data, images = DATASETS[name]
    rate = int(rng.choice([200, 500, 1000, 2000, 4000, 5000]))
    seconds = images / rate
    minutes = seconds / 60
    tolerance = max(0.05, 0.01 * minutes)
    mistakes = _slips(minutes, tolerance, [
        (seconds, "That is the time in seconds: images / (images per second) gives seconds, and "
                  "a minute holds 60 of them."),
        (seconds / 3600, "That is hours: you divided the seconds by 3,600. A minute is 60 seconds."),
        (seconds / 100, "That divides the seconds by 100, as if a minute had 100 seconds: it has 60."),
        (images * rate / 60, "That multiplies by the rate: a faster rate must mean a shorter epoch, "
                             "so divide the images by the rate."),
    ])
    return Generated(
        values={"data": data, "images": f"{images:,}", "rate": f"{rate:,}",
                "seconds": _round_sig(seconds), "answer": _round_sig(minutes)},
        kind="number",
        answer=float(minutes),
        tolerance=tolerance,
        mistakes=mistakes,
    )
