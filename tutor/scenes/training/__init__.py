"""Scene "training": train a network on MNIST live, then read its confusion matrix and mistakes.

The learner picks a model (784-30-10 sigmoid, 784-128-10 ReLU or LeNet-5) and a recipe
(epochs, batch size, learning rate, optimizer, target accuracy) with ↑/↓ and [ ], and starts
training with `space`. Training runs in a thread worker that iterates
`tutor.engines.train.Trainer.run()` on the app's backend (`app.backend.xp`: NumPy or CuPy) and
posts coalescing messages (`Progress.can_replace`) carrying the whole history of its run and a
run id; messages from an older run are ignored. The worker never touches a widget. `space`
pauses and resumes (`trainer.pause()`/`resume()`), `s` stops after the current batch and saves
a checkpoint that `c` continues from. Leaving the lesson or quitting (Ctrl+C, or SIGTERM/SIGHUP,
which the app turns into a quit) stops the trainer after its current batch and saves the same
checkpoint; the next time the scene opens it offers `c` to continue it. `r`, a new run or another
model discards a run instead.

The training view shows the loss per batch (a Plot over epochs), the test accuracy per epoch
(a table), the epoch and batch, images per second, ETA, the backend and device, and the
parameter count derived from the model definition (784 x 30 + 30 = 23,550 for the hidden layer
of 784-30-10). When a run ends the model is saved to `tutor.models.model_path(model)` (a stopped
run to `MODEL-stopped.npz` beside it) and its results are computed in the same worker; `v`
opens them: the confusion matrix and a gallery of the most confident mistakes on the test digits. `view = "results"` opens on the
results of a model trained earlier in this session, else the learner's saved model, else (for
LeNet-5) the shipped weights.

The data set is the `data` setting: the lesson's (`data = "fashion-mnist"`), else the app's
(`dl-tutor --data`); `[ ]` on it switches between MNIST and Fashion-MNIST. Models, checkpoints
and results are kept per data set (`tutor.models.model_path(model, key)`, `SESSION_RESULTS` by
(key, model)), so a model of digits is never tested on clothes; with named classes the confusion
matrix, its mix-ups and the gallery say "Ankle boot", not 9. Each data set is loaded once per
process (`tutor.data.load_digits`, memoised) inside the worker, so the UI never waits for it;
the models, their files and the shipped weights come from `tutor.models`.

On the lenet-train exercise's step (a `LearnerCode` scene), once the exercise passes, a LeNet-5
run trains the learner's own network (their lenet_train.py) in one sandboxed child that lives for
the run (`tutor.exercises.learner_trainer`, the Trainer's `outside` network): a line says whose
code trains, and the run's curves and table are theirs. Such a run saves nothing (no checkpoint,
no kept run, no model file: later lessons use the reference engine's models, and a stopped run
of theirs cannot be continued); their code failing is one line, and the next run trains the
reference engine.

The package's modules:
- `scene`: `TrainingScene`, its settings, keys and drawing;
- `state`: the scene's states (`State`), their labels and the moves between them;
- `runner`: `Run` (a run id and control of its Trainer) and the worker threads' bodies
  (`train`, `evaluate`), without Textual's App;
- `messages`: what the worker posts to the scene;
- `results`: a model's results on the test digits (`Results`, `compute_results`, `find_model`);
- `view`: the scene's words (model description, settings, state line, epoch table).

`Trainer`, `model_path`, `stopped_path`, `load_checkpoint` and `find_model` are looked up here
at each use, so tests replace them on this package.
"""

from __future__ import annotations

from tutor.engines.train import Trainer
from tutor.model_files import load_checkpoint
from tutor.models import model_path, stopped_path
from tutor.scenes.training.messages import (
    Progress,
    ResultsReady,
    RunDone,
    RunFailed,
    RunStarted,
)
from tutor.scenes.training.results import (
    EVAL_BATCH,
    GALLERY_SIZE,
    SESSION_RESULTS,
    Results,
    compute_results,
    find_model,
    short_path,
)
from tutor.scenes.training.runner import (
    LOW_BANDWIDTH_POST_SECONDS,
    POST_SECONDS,
    REPORT_SECONDS,
    Run,
)
from tutor.scenes.training.scene import STOPPED_RUN_ADVICE, UNMOUNT_SAVE_SECONDS, VIEWS, TrainingScene
from tutor.scenes.training.settings import (
    BATCH_SIZES,
    LEARNING_RATES,
    MAX_EPOCHS,
    MODEL_NAMES,
    OPTIMIZERS,
    TARGETS,
)
from tutor.scenes.training.state import RUNNING, STATE_LABELS, State
from tutor.scenes.training.view import (
    BAR_CELLS,
    CONTROLS,
    describe_model,
    epoch_table,
    progress_bar,
)

__all__ = [
    "BAR_CELLS", "BATCH_SIZES", "CONTROLS", "EVAL_BATCH", "GALLERY_SIZE", "LEARNING_RATES",
    "LOW_BANDWIDTH_POST_SECONDS", "MAX_EPOCHS", "MODEL_NAMES", "OPTIMIZERS", "POST_SECONDS",
    "REPORT_SECONDS", "RUNNING", "SESSION_RESULTS", "STATE_LABELS", "STOPPED_RUN_ADVICE", "TARGETS",
    "UNMOUNT_SAVE_SECONDS", "VIEWS", "Progress", "Results", "ResultsReady", "Run", "RunDone",
    "RunFailed", "RunStarted", "State", "Trainer", "TrainingScene", "compute_results",
    "describe_model", "epoch_table", "find_model", "load_checkpoint", "model_path",
    "progress_bar", "short_path", "stopped_path",
]
