"""Predict questions on softmax and the cross-entropy loss (`tutor.engines.activations`)."""

from __future__ import annotations

import math
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
    loss. Mistakes: -log10 p, 1 - p, p itself, ln p, and -ln p of the most likely class when
    that is not the true one (each kept only when it grades wrong on its own).
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
    return Generated(values=values, kind="number", answer=answer, tolerance=5e-3,
                     mistakes=_loss_slips(p, cls, answer, 5e-3))


def _loss_slips(p: np.ndarray, cls: int, answer: float, tolerance: float) -> dict[float, str]:
    """The classic slips in H = -ln p[true], from the same probabilities.

    A slip is kept only when it is further than twice `tolerance` from the answer and from every
    slip kept before it, so each one grades wrong with its own message.
    """
    true = float(p[cls])
    likely = int(np.argmax(p))
    candidates = [
        (-math.log10(true), "That uses log base 10; cross-entropy takes the natural log ln "
                            "(the key often labelled ln, not log)."),
        (1 - true, "That is 1 - p for the true class; the loss is the negative natural log of "
                   "that probability, not its complement."),
        (true, "That is the true class's probability itself; the loss turns it into -ln p, "
               "which is 0 only when p = 1."),
        (math.log(true), "That is ln p without the minus: a loss is never negative, and ln of a "
                         "probability below 1 is."),
    ]
    if likely != cls:
        candidates.insert(0, (-math.log(float(p[likely])), "That is -ln of the most likely class's "
                              "probability; the loss looks only at the TRUE class's probability."))
    found: dict[float, str] = {}
    for value, message in candidates:
        value = round(value, 3) + 0.0
        if abs(value - answer) <= 2 * tolerance or any(abs(value - v) <= 2 * tolerance for v in found):
            continue
        found[value] = message
    return found
