"""Predict questions on softmax and the cross-entropy loss (`tutor.engines.activations`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tutor.engines.activations import CLASS_NAMES, cross_entropy, softmax
from tutor.quiz.predict import Generated
from tutor.text import format_number


def softmax_loss_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"What is the cross-entropy loss?" for 3 random small-integer logits and a true class.

    Logits are integers in [-2, 3], not all equal; the true class is A, B or C. The answer is
    H = -ln p[true] rounded to 3 decimals (tolerance 5e-3); draws where -ln of the shown
    (3-decimal) probability would miss it by 4e-3 or more (a tiny p[true]) are redrawn.
    Template fields: z1, z2, z3, cls (the letter), p1, p2, p3 (probabilities to 3 decimals),
    loss.
    """
    while True:
        z = rng.integers(-2, 4, size=3).astype(float)
        cls = int(rng.integers(0, 3))
        p = softmax(z)
        answer = round(cross_entropy(p, cls), 3) + 0.0
        # A learner may work from the shown p (3 decimals): keep that within the tolerance.
        shown = cross_entropy([round(float(p[cls]), 3)], 0)
        if len(set(z.tolist())) > 1 and abs(shown - answer) < 4e-3:
            break
    values: dict[str, object] = {f"z{i + 1}": format_number(z[i]) for i in range(3)}
    values.update({f"p{i + 1}": f"{p[i]:.3f}" for i in range(3)})
    values["cls"] = CLASS_NAMES[cls]
    values["loss"] = f"{answer:.3f}"
    return Generated(values=values, kind="number", answer=answer, tolerance=5e-3)
