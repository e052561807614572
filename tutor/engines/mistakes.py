"""The test digits a network got wrong, ranked for a gallery: pure NumPy, no Textual.

`find_mistakes` picks the misclassified digits (most confident mistakes first, or in test-set
order) and records, for each, the three most probable classes; the widgets only draw them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Mistake", "find_mistakes", "format_share"]


def format_share(p: float) -> str:
    """A probability as a whole percentage for captions: "87%"; "<1%" below 1%, ">99%" above 99%."""
    if p < 0.01:
        return "<1%"
    if p > 0.99:
        return ">99%"
    return f"{int(100 * p + 0.5)}%"


@dataclass(frozen=True)
class Mistake:
    """One misclassified test digit.

    Attributes:
        index: its position in the test set.
        true: the label.
        said: the class the network chose.
        confidence: the probability the network gave `said`.
        top: the three most probable (class, probability) pairs, most probable first.
        image: the digit, (28, 28) uint8.
    """

    index: int
    true: int
    said: int
    confidence: float
    top: tuple[tuple[int, float], ...]
    image: np.ndarray

    @property
    def caption(self) -> str:
        """E.g. "true 4 → said 9 (87%)"."""
        return f"true {self.true} → said {self.said} ({format_share(self.confidence)})"

    @property
    def top_text(self) -> str:
        """The top probabilities, e.g. "9 87% · 4 11% · 7 1%"."""
        return " · ".join(f"{k} {format_share(p)}" for k, p in self.top)

    @property
    def true_share(self) -> float:
        """The probability the network gave the right class (0 when it is not among the top three)."""
        return next((p for k, p in self.top if k == self.true), 0.0)


def find_mistakes(
    labels: np.ndarray, predictions: np.ndarray, probs: np.ndarray, images: np.ndarray,
    limit: int = 8, order: str = "confident",
) -> tuple[Mistake, ...]:
    """The misclassified digits, as records for the gallery.

    Args:
        labels: true classes, shape (N,).
        predictions: predicted classes, shape (N,).
        probs: class probabilities, shape (N, K).
        images: the digits, shape (N, 28, 28).
        limit: at most this many records.
        order: "confident" (highest probability for the wrong class first; ties by index)
            or "index" (test-set order).

    Returns:
        Up to `limit` Mistake records.
    """
    truth = np.asarray(labels).astype(np.int64).ravel()
    pred = np.asarray(predictions).astype(np.int64).ravel()
    p = np.asarray(probs, dtype=np.float64)
    if not (len(truth) == len(pred) == len(p) == len(images)):
        raise ValueError("labels, predictions, probabilities and images differ in length")
    wrong = np.flatnonzero(truth != pred)
    if order == "confident":
        confidence = p[wrong, pred[wrong]]
        wrong = wrong[np.lexsort((wrong, -confidence))]
    elif order != "index":
        raise ValueError(f"unknown order {order!r}; expected 'confident' or 'index'")
    out = []
    for i in wrong[: max(0, int(limit))]:
        ranked = np.argsort(-p[i], kind="stable")[:3]
        out.append(
            Mistake(
                index=int(i), true=int(truth[i]), said=int(pred[i]), confidence=float(p[i, pred[i]]),
                top=tuple((int(k), float(p[i, k])) for k in ranked), image=np.asarray(images[i]),
            )
        )
    return tuple(out)
