"""The training scene's settings: the values `[ ]` steps through, and what a data set switched
to in the scene trains with (its recipe, as `dl-tutor train --data` uses it).

A lesson's step names its settings for its own data set. When the learner switches to another
set, the run takes that set's recipe (`tutor.engines.train_config.recipe_config`: Fashion-MNIST's
Adam at 0.002 halved each epoch, batches of 16, no shifts; the digits' SGD at 0.05); switching
back gives the step's own settings again. Either way the learner may then change any of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tutor.data import next_set
from tutor.engines.train import DATA_RECIPES, DEFAULT_LR, TrainConfig, recipe_config
from tutor.scenes.params import cycle_option, next_option
from tutor.scenes.registry import choices_of
from tutor.scenes.training.results import SESSION_RESULTS
from tutor.text import recipe_words

if TYPE_CHECKING:
    from tutor.scenes.training.scene import TrainingScene

__all__ = [
    "BATCH_SIZES",
    "LEARNING_RATES",
    "MAX_EPOCHS",
    "MODEL_NAMES",
    "OPTIMIZERS",
    "TARGETS",
    "nudge",
    "recipe_note",
    "recipe_settings",
    "step_settings",
]

#: The models the scene can train, in the order `[ ]` cycles through them (the registry's).
MODEL_NAMES: tuple[str, ...] = choices_of("training", "model")
#: The optimizers `[ ]` cycles through (the registry's).
OPTIMIZERS: tuple[str, ...] = choices_of("training", "optimizer")
#: Batch sizes `[ ]` steps through.
BATCH_SIZES: tuple[int, ...] = (8, 16, 32, 64, 128, 256, 512, 1024)
#: Learning rates `[ ]` steps through (roughly log-spaced).
LEARNING_RATES: tuple[float, ...] = (0.0001, 0.0003, 0.001, 0.002, 0.003, 0.01, 0.03, 0.05, 0.1, 0.3, 1.0)
#: Target accuracies `[ ]` steps through; 0 = train all epochs.
TARGETS: tuple[float, ...] = (0.0, 0.90, 0.95, 0.96, 0.97, 0.975, 0.98, 0.985, 0.99, 0.995)
#: Most epochs the control allows.
MAX_EPOCHS = 50
#: The decay of a run whose data set has no recipe of its own (and of a step's own settings).
DEFAULT_LR_DECAY = TrainConfig.lr_decay


def step_settings(scene: TrainingScene) -> tuple[str, float, float, int, int]:
    """The step's own optimizer, lr, lr_decay, batch size and shift (pixels each training image
    may move at random; 0 = the images as they are): its params, else the scene's defaults."""
    optimizer = scene.choice_param("optimizer", DEFAULT_LR)
    return (optimizer, scene.float_param("lr", DEFAULT_LR[optimizer]), DEFAULT_LR_DECAY,
            scene.int_param("batch_size", 64, 1, 60000), scene.int_param("shift", 0, 0, 4))


def recipe_settings(data_key: str) -> tuple[str, float, float, int, int]:
    """What a run on the data set keyed `data_key` starts from when the learner switches to it,
    in `step_settings`'s order: its recipe where it has one, else the defaults every run has."""
    config = recipe_config(data_key)
    return config.optimizer, config.learning_rate(), config.lr_decay, config.batch_size, config.shift


def recipe_note(data_key: str, title: str) -> str:
    """One line naming what a switched-to data set trains with (`tutor.text.recipe_words`), e.g.
    "Fashion-MNIST trains with its own recipe: batch 16, adam lr 0.002 (x0.5 each epoch), shift 0 px"."""
    own = "its own recipe" if data_key in DATA_RECIPES else "the usual recipe"
    return f"{title} trains with {own}: {recipe_words(recipe_config(data_key))}"


def _switch_data(scene: TrainingScene, direction: int) -> None:
    """The next data set: the step's own settings on the lesson's set, else that set's recipe,
    said in the scene's note."""
    scene.data = next_set(scene.data, direction)
    if scene.data.key == scene._initial_data().key:
        values = step_settings(scene)
        scene.note = "Back to this step's own settings."
    else:
        values = recipe_settings(scene.data.key)
        scene.note = recipe_note(scene.data.key, scene.data.title) + "."
    scene.optimizer, scene.lr, scene.lr_decay, scene.batch_size, scene.shift = values


def nudge(scene: TrainingScene, name: str, direction: int) -> None:
    """`[`/`]` on the setting `name` (one of view.CONTROLS): one step down or up."""
    if name in ("model", "data"):
        if name == "model":
            scene.model_name = cycle_option(MODEL_NAMES, scene.model_name, direction)
        else:
            _switch_data(scene, direction)
        scene.results = SESSION_RESULTS.get((scene.data.key, scene.model_name))
        scene.checkpoint = None
    elif name == "epochs":
        scene.epochs = max(1, min(MAX_EPOCHS, scene.epochs + direction))
    elif name == "batch size":
        scene.batch_size = next_option(BATCH_SIZES, scene.batch_size, direction)
    elif name == "lr":
        scene.lr = next_option(LEARNING_RATES, scene.lr, direction)
    elif name == "optimizer":
        scene.optimizer = cycle_option(OPTIMIZERS, scene.optimizer, direction)
        scene.lr, scene.lr_decay = DEFAULT_LR[scene.optimizer], DEFAULT_LR_DECAY
    elif name == "target":
        scene.target = next_option(TARGETS, scene.target, direction)
