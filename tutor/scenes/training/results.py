"""What a trained model does on the test images, and where the scene finds a model to test.

Results are kept per data set (`SESSION_RESULTS` by (data set key, model)): a model of digits
is never shown with the results of clothes.

No Textual: plain data, computed in the worker thread.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tutor.engines.mistakes import Mistake, find_mistakes
from tutor.engines.model import Model
from tutor.engines.train import evaluate_in_batches
from tutor.models import find_model as find_trained
from tutor.widgets.confusion import named

if TYPE_CHECKING:
    from tutor.data import DataSet

#: Mistakes shown in the gallery.
GALLERY_SIZE = 8
#: Images per forward pass when computing the results (the worker checks for cancel between).
EVAL_BATCH = 500


@dataclass(frozen=True)
class Results:
    """What a trained model does on the test digits.

    Attributes:
        model: the model's name (a key of MODELS).
        source: where the model came from, e.g. "your model, trained just now".
        accuracy: share of test digits classified right.
        matrix: confusion counts (10, 10), row = true digit, column = predicted digit.
        mistakes: the most confident mistakes, for the gallery.
        count: how many test digits were used.
        class_names: the data set's class names ("0".."9" for digits, "T-shirt/top".. for
            clothes); empty: digits.
        data: the data set's title ("MNIST", "Fashion-MNIST").
        data_key: its key (`tutor.data.DataSet.key`).
    """

    model: str
    source: str
    accuracy: float
    matrix: np.ndarray
    mistakes: tuple[Mistake, ...]
    count: int
    class_names: tuple[str, ...] = ()
    data: str = "MNIST"
    data_key: str = "mnist"

    @property
    def items(self) -> str:
        """What the test set holds, in words: "digits", or "images" for a set with named classes."""
        return "images" if named(self.class_names, 10) else "digits"


#: Results of models trained (or evaluated) in this session, by (data set key, model name).
SESSION_RESULTS: dict[tuple[str, str], Results] = {}


def compute_results(
    model: Model, images: np.ndarray, labels: np.ndarray, *, name: str, source: str,
    cancelled: Callable[[], bool] = lambda: False, batch: int = EVAL_BATCH, data: DataSet | None = None,
) -> Results | None:
    """Classify `images` (N, 28, 28) uint8 of the data set `data` (default: MNIST's digits) in
    chunks; None if `cancelled()` turns true meanwhile."""
    evaluation = evaluate_in_batches(model, images, labels, batch, cancelled)
    if evaluation is None:
        return None
    truth = np.asarray(labels).astype(np.int64)
    return Results(
        model=name, source=source, accuracy=evaluation.accuracy, matrix=evaluation.confusion,
        mistakes=find_mistakes(truth, evaluation.predictions, evaluation.probs, images, limit=GALLERY_SIZE),
        count=len(truth),
        **({} if data is None else {"class_names": data.class_names, "data": data.title, "data_key": data.key}),
    )


def short_path(path: Path | str) -> str:
    """`path` with the home folder written as ~."""
    text = str(path)
    home = os.path.expanduser("~")
    if home and home != "~" and text.startswith(home + os.sep):
        return "~" + text[len(home):]
    return text


def find_model(name: str, xp: Any, data: str | None = None) -> tuple[Model | None, str]:
    """A trained model to show results for on the data set `data` (a key; default: the app's):
    (model, where it came from) or (None, why not).

    The learner's saved model of that data set first, then (LeNet-5 on MNIST only) the shipped
    weights (`tutor.models.find_model`).
    """
    found = find_trained(name, xp, shipped_way_forward="", data=data)
    problem = f"{found.saved_error}. " if found.saved_error else ""
    if found.source == "saved":
        return found.model, f"your model ({short_path(found.path)})"
    if found.source == "shipped":
        return found.model, "the LeNet-5 shipped with dl-tutor"
    if found.shipped_error:
        return None, problem + found.shipped_error
    return None, problem + f"No trained {name} yet: press space to train one here."
