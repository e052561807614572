"""What a training run is asked to do: `TrainConfig` (model, recipe, limits it is checked
against) and each data set's own recipe (`DATA_RECIPES`, applied by `recipe_config`).

Plain data, no arrays: `tutor.engines.train` runs a config, the CLI and the training scene build
one, and checkpoints store one (as JSON).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from tutor.engines.mnist import MAX_IDX_ITEMS
from tutor.engines.model import MODELS

__all__ = [
    "DATA_RECIPES",
    "DEFAULT_LR",
    "MAX_BATCH_SIZE",
    "MAX_EPOCHS",
    "MAX_LR",
    "MAX_SEED",
    "MAX_VALIDATION_SPLIT",
    "TrainConfig",
    "recipe_config",
]

#: The learning rate each optimizer starts from when the config leaves it out.
DEFAULT_LR: dict[str, float] = {"adam": 1e-3, "sgd": 0.05}
#: The most epochs a run may ask for (LeNet-5 is done after 10 to 20).
MAX_EPOCHS = 1000
#: The largest batch a run may ask for (the whole MNIST training set).
MAX_BATCH_SIZE = 60000
#: The largest learning rate a run may ask for (anything above diverges at once).
MAX_LR = 10.0
#: The largest fraction of the training images a run may hold out for validation.
MAX_VALIDATION_SPLIT = 0.5
#: The largest seed (NumPy's classic 32-bit seed range starts at 0).
MAX_SEED = 2**32 - 1


def _whole(value: object) -> bool:
    """Whether `value` is a whole number (an int or NumPy integer, not a bool)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _number(value: object) -> bool:
    """Whether `value` is a finite real number (not a bool)."""
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (int, np.integer)):
        return True  # math.isfinite would overflow on a huge int
    return isinstance(value, (float, np.floating)) and math.isfinite(value)


@dataclass(frozen=True)
class TrainConfig:
    """What to train and how. The defaults are the recipe `dl-tutor train lenet` uses on MNIST:
    SGD with momentum 0.9, learning rate 0.05 shrinking by 0.85 per epoch, batches of 32, each
    training image shifted by up to one pixel. It reached 99.26% test accuracy after 10 epochs
    (without the shifts 98.98-99.03%); see benchmarks/results/ for the recipes tried. A data set
    with a recipe of its own (`DATA_RECIPES`) starts from that instead: see `recipe_config`."""

    model: str = "lenet"  #: a key of tutor.engines.model.MODELS
    epochs: int = 10  #: passes over the training set
    batch_size: int = 32  #: images per gradient step
    lr: float | None = None  #: learning rate; None = DEFAULT_LR of the optimizer
    optimizer: str = "sgd"  #: "sgd" (with momentum) or "adam"
    momentum: float = 0.9  #: SGD's momentum
    lr_decay: float = 0.85  #: the learning rate is multiplied by this after every epoch
    seed: int = 0  #: initial weights, the order of the batches and the shifts
    shift: int = 1  #: move each training image by up to this many pixels (0 = no augmentation)
    target_accuracy: float | None = None  #: stop early once the test accuracy reaches this (0..1)
    train_limit: int | None = None  #: use only the first N training images (lessons, tests)
    test_limit: int | None = None  #: evaluate on the first N test images only
    #: hold out this fraction of the training images (the last ones, after train_limit), judge
    #: each epoch on them and measure the test set once, at the end (0 = judge on the test set)
    validation_split: float = 0.0
    report_seconds: float = 0.1  #: at most one BatchRecord per this many seconds (0 = every batch)

    def learning_rate(self) -> float:
        """The starting learning rate (the explicit one or the optimizer's default)."""
        return self.lr if self.lr is not None else DEFAULT_LR[self.optimizer]

    def check(self) -> None:
        """ValueError with one sentence for a setting that cannot work (of the wrong type, out of
        range, or absurd: a million epochs, a learning rate of 1e300, a negative seed)."""
        if not isinstance(self.model, str) or self.model not in MODELS:
            raise ValueError(f"unknown model {self.model!r}: choose one of {', '.join(MODELS)}")
        if not isinstance(self.optimizer, str) or self.optimizer not in DEFAULT_LR:
            raise ValueError(f"unknown optimizer {self.optimizer!r}: choose sgd or adam")
        if not _whole(self.epochs):
            raise ValueError("epochs must be a whole number")
        if self.epochs < 1:
            raise ValueError("epochs must be at least 1")
        if self.epochs > MAX_EPOCHS:
            raise ValueError(f"epochs must be at most {MAX_EPOCHS:,}")
        if not _whole(self.batch_size) or not 1 <= self.batch_size <= MAX_BATCH_SIZE:
            raise ValueError(f"the batch size must be between 1 and {MAX_BATCH_SIZE}")
        if self.lr is not None and not _number(self.lr):
            raise ValueError("the learning rate must be a positive number")
        if not 0 < self.learning_rate() <= MAX_LR:
            raise ValueError(f"the learning rate must be a positive number no larger than {MAX_LR:g}")
        if not _number(self.momentum) or not 0 <= self.momentum < 1:
            raise ValueError("the momentum must be at least 0 and below 1")
        if not _number(self.lr_decay) or not 0 < self.lr_decay <= 1:
            raise ValueError("lr_decay must be in (0, 1]")
        if not _whole(self.seed) or not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"the seed must be a whole number from 0 to {MAX_SEED}")
        if not _whole(self.shift) or not 0 <= self.shift <= 4:
            raise ValueError("the shift must be between 0 and 4 pixels")
        if self.target_accuracy is not None and not (_number(self.target_accuracy) and 0 < self.target_accuracy <= 1):
            raise ValueError("the target accuracy must be between 0 and 1 (e.g. 0.98)")
        for name in ("train_limit", "test_limit"):
            value = getattr(self, name)
            if value is not None and not (_whole(value) and 1 <= value <= MAX_IDX_ITEMS):
                raise ValueError(f"{name} must be a whole number from 1 to {MAX_IDX_ITEMS:,} (or none)")
        if not _number(self.validation_split) or not 0 <= self.validation_split <= MAX_VALIDATION_SPLIT:
            raise ValueError(f"the validation split must be a fraction from 0 to {MAX_VALIDATION_SPLIT:g} "
                             "(e.g. 0.1 holds out the last tenth of the training images)")
        if not _number(self.report_seconds) or not 0 <= self.report_seconds <= 3600:
            raise ValueError("report_seconds must be between 0 and 3600")


#: What each data set's recipe changes in TrainConfig's defaults (the digits' recipe), by data set
#: key (`tutor.data.DataSet.key`). A data set not named here (MNIST, a folder of the learner's own)
#: trains with the defaults. `recipe_config` applies them; the learner's own settings win.
DATA_RECIPES: dict[str, dict[str, Any]] = {
    # Fashion-MNIST: Adam at 0.002 halved after every epoch, batches of 16, no shifts. After 3
    # epochs (seed 0, NumPy, December 2026): 784-128-10 88.01%, LeNet-5 89.24%. The digits' recipe
    # gave 82.50% and 86.74% there (the shifts cost the clothes more than they teach; Adam at
    # 0.001 with batches of 32 and no shifts 87.08% and 88.12%; SGD without shifts LeNet-5 87.58%).
    "fashion-mnist": {"optimizer": "adam", "lr": 0.002, "lr_decay": 0.5, "batch_size": 16, "shift": 0},
}


def recipe_config(data: str, **given: Any) -> TrainConfig:
    """The TrainConfig of a run on the data set keyed `data` ("mnist", "fashion-mnist", ...):
    TrainConfig's defaults, then that data set's recipe (`DATA_RECIPES`), then every setting in
    `given` that is not None (TrainConfig's field names; None = not chosen). The recipe's learning
    rate and decay belong to its optimizer: with another optimizer given, the run starts from that
    optimizer's DEFAULT_LR and the default decay (unless those are given too)."""
    settings = dict(DATA_RECIPES.get(data, {}))
    chosen = {name: value for name, value in given.items() if value is not None}
    if "optimizer" in chosen and chosen["optimizer"] != settings.get("optimizer", TrainConfig.optimizer):
        settings.pop("lr", None)
        settings.pop("lr_decay", None)
    settings.update(chosen)
    return TrainConfig(**settings)
