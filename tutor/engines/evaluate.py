"""A trained model's answers on a set of test digits: accuracy, predictions, confusion counts.

`evaluate` runs on the model's device in batches; `evaluate_in_batches` goes through
`predict_proba` a batch at a time so that a scene's thread worker can give up between batches,
and returns an `Evaluation` record. `confusion_matrix` counts (true class, predicted class)
pairs. Nothing here keeps state: several threads may evaluate one model at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from tutor.backend import to_numpy
from tutor.engines.layers import softmax

__all__ = ["Evaluation", "confusion_matrix", "evaluate", "evaluate_in_batches"]


def evaluate(model: Any, images: Any, labels: Any, batch: int = 1000) -> tuple[float, np.ndarray, np.ndarray]:
    """Accuracy, predicted classes (N,) and probabilities (N, 10) of `model` on uint8 images (N, 28, 28)."""
    xp = model.xp
    preds, probs = [], []
    for start in range(0, len(images), batch):
        scores = model.scores(model.prepare(images[start : start + batch]))
        p = softmax(scores)
        probs.append(to_numpy(p))
        preds.append(to_numpy(xp.argmax(p, axis=1)))
    if not preds:
        return 0.0, np.zeros(0, dtype=np.int64), np.zeros((0, 10))
    pred = np.concatenate(preds)
    truth = np.asarray(to_numpy(labels)).astype(np.int64)
    return float((pred == truth).mean()), pred, np.concatenate(probs).astype(np.float64)


@dataclass(frozen=True)
class Evaluation:
    """A network's answers on a set of test digits.

    Attributes:
        predictions: (N,) the most probable digit for each image.
        probs: (N, 10) the probabilities.
        wrong: indices of the misclassified images, in order.
        confusion: (10, 10) counts, row = true digit, column = the network's answer.
        accuracy: share of right answers.
    """

    predictions: np.ndarray
    probs: np.ndarray
    wrong: np.ndarray
    confusion: np.ndarray
    accuracy: float


def evaluate_in_batches(
    model: Any, images: Any, labels: Any, batch: int = 500, cancelled: Callable[[], bool] | None = None,
) -> Evaluation | None:
    """Run `model.predict_proba` over `images` (N, 28, 28) a batch at a time, so a scene's worker
    can give up between batches: None when `cancelled()` turns true."""
    parts = []
    for start in range(0, len(images), batch):
        if cancelled is not None and cancelled():
            return None
        parts.append(np.asarray(model.predict_proba(images[start : start + batch]), dtype=np.float64))
    probs = np.concatenate(parts) if parts else np.zeros((0, 10))
    predictions = np.argmax(probs, axis=1) if len(probs) else np.zeros(0, dtype=np.int64)
    truth = np.asarray(to_numpy(labels)).astype(np.int64)
    wrong = np.flatnonzero(predictions != truth)
    accuracy = float(np.mean(predictions == truth)) if len(truth) else 0.0
    return Evaluation(predictions, probs, wrong, confusion_matrix(truth, predictions), accuracy)


def confusion_matrix(labels: Any, predictions: Any, classes: int = 10) -> np.ndarray:
    """(classes, classes) counts: row = true class, column = predicted class."""
    truth = np.asarray(to_numpy(labels)).astype(np.int64)
    pred = np.asarray(to_numpy(predictions)).astype(np.int64)
    out = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(out, (truth, pred), 1)
    return out
