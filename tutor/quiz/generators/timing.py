"""Predict questions on throughput: images per second and minutes per epoch."""

from __future__ import annotations

from typing import Any

import numpy as np

from tutor.quiz.predict import Generated

# ---------------------------------------------------------------------------------------------


def _round_sig(value: float) -> str:
    """A number with thousands separators, to at most one decimal."""
    return f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:,.1f}"


def images_per_second_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"A step costs t ms whatever the batch: how many images per second at batch B?"

    Template fields: ms, batch, steps_per_second, answer.
    """
    ms = int(rng.choice([2, 4, 5, 6, 8, 10]))
    batch = int(rng.choice([16, 64, 256, 1024, 4096]))
    steps_per_second = 1000 / ms
    answer = batch * steps_per_second
    return Generated(
        values={"ms": ms, "batch": f"{batch:,}", "steps_per_second": _round_sig(steps_per_second),
                "answer": f"{answer:,.0f}"},
        kind="number",
        answer=float(answer),
        tolerance=max(1.0, 0.01 * answer),
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
    return Generated(
        values={"data": data, "images": f"{images:,}", "rate": f"{rate:,}",
                "seconds": _round_sig(seconds), "answer": _round_sig(minutes)},
        kind="number",
        answer=float(minutes),
        tolerance=max(0.05, 0.01 * minutes),
    )
