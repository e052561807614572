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

MNIST is loaded once per process (`tutor.data.load_digits`, memoised) inside the worker, so
the UI never waits for it; the models, their files and the shipped weights come from
`tutor.models`.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, Callable

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from tutor.allocator import tune_allocator
from tutor.data import first_line, load_digits
from tutor.engines import mnist
from tutor.engines.model import MODELS, Conv, Model, SaveError, layer_shapes, summary, total_params
from tutor.engines.train import (
    DEFAULT_LR,
    BatchRecord,
    Checkpoint,
    DoneRecord,
    EpochRecord,
    TrainConfig,
    Trainer,
    evaluate_in_batches,
    load_checkpoint,
)
from tutor.scenes.base import LiveScene
from tutor.terminal import low_bandwidth
from tutor.models import TRAINING_ORDER, find_model as find_trained, model_path, stopped_path
from tutor.text import format_seconds
from tutor.widgets.confusion import ConfusionMatrix, confusion_summary
from tutor.engines.mistakes import Mistake, find_mistakes
from tutor.widgets.gallery import MistakeGallery
from tutor.widgets.plot import Plot

#: The models the scene can train, in the order `[ ]` cycles through them.
MODEL_NAMES: tuple[str, ...] = TRAINING_ORDER
#: Batch sizes `[ ]` steps through.
BATCH_SIZES: tuple[int, ...] = (8, 16, 32, 64, 128, 256, 512, 1024)
#: Learning rates `[ ]` steps through (roughly log-spaced).
LEARNING_RATES: tuple[float, ...] = (0.0001, 0.0003, 0.001, 0.002, 0.003, 0.01, 0.03, 0.05, 0.1, 0.3, 1.0)
#: Target accuracies `[ ]` steps through; 0 = train all epochs.
TARGETS: tuple[float, ...] = (0.0, 0.90, 0.95, 0.96, 0.97, 0.975, 0.98, 0.985, 0.99, 0.995)
#: Most epochs the control allows.
MAX_EPOCHS = 50
#: The editable controls, in panel order.
CONTROLS: tuple[str, ...] = ("model", "epochs", "batch size", "lr", "optimizer", "target")
#: Views `v` switches between.
VIEWS: tuple[str, ...] = ("train", "results")
#: Mistakes shown in the gallery.
GALLERY_SIZE = 8
#: Images per forward pass when computing the results (the worker checks for cancel between).
EVAL_BATCH = 500
#: At most one progress record (one point of the loss curve) per this many seconds.
REPORT_SECONDS = 0.1
#: At most one progress message to the UI per this many seconds (each carries every record so
#: far, so nothing is lost): redrawing less often leaves the CPU, and the GIL, to training.
POST_SECONDS = 0.25
#: The same in `--low-bandwidth` mode.
LOW_BANDWIDTH_POST_SECONDS = 1.0
#: How long leaving the lesson (or quitting) waits for a stopped run to write its checkpoint.
UNMOUNT_SAVE_SECONDS = 10.0
#: Cells of the epoch progress bar.
BAR_CELLS = 20
#: What to do with a stopped run's checkpoint that cannot be used (ends the scene's note).
STOPPED_RUN_ADVICE = "delete it, or press space to start a new run (which replaces it)"

#: State -> (marker, words) for the state line; the marker repeats the words without colour.
STATE_LABELS: dict[str, tuple[str, str]] = {
    "idle": ("○", "idle"),
    "loading": ("…", "loading MNIST"),
    "training": ("▶", "training"),
    "paused": ("‖", "paused"),
    "stopping": ("■", "stopping after this batch"),
    "stopped": ("■", "stopped"),
    "target": ("✓", "reached target"),
    "finished": ("✓", "finished"),
    "evaluating": ("…", "testing the model"),
    "error": ("✗", "could not train"),
}
#: States in which a run is going on (controls locked, `s` stops).
RUNNING: frozenset[str] = frozenset({"loading", "training", "paused", "stopping"})

_RUN_IDS = itertools.count(1)


# --- data, models and results, without the UI ----------------------------------------------------

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
    """

    model: str
    source: str
    accuracy: float
    matrix: np.ndarray
    mistakes: tuple[Mistake, ...]
    count: int


#: Results of models trained (or evaluated) in this session, by model name.
SESSION_RESULTS: dict[str, Results] = {}


def compute_results(
    model: Model, images: np.ndarray, labels: np.ndarray, *, name: str, source: str,
    cancelled: Callable[[], bool] = lambda: False, batch: int = EVAL_BATCH,
) -> Results | None:
    """Classify `images` (N, 28, 28) uint8 in chunks; None if `cancelled()` turns true meanwhile."""
    evaluation = evaluate_in_batches(model, images, labels, batch, cancelled)
    if evaluation is None:
        return None
    truth = np.asarray(labels).astype(np.int64)
    return Results(
        model=name, source=source, accuracy=evaluation.accuracy, matrix=evaluation.confusion,
        mistakes=find_mistakes(truth, evaluation.predictions, evaluation.probs, images, limit=GALLERY_SIZE),
        count=len(truth),
    )


def short_path(path: Path | str) -> str:
    """`path` with the home folder written as ~."""
    text = str(path)
    home = os.path.expanduser("~")
    if home and home != "~" and text.startswith(home + os.sep):
        return "~" + text[len(home):]
    return text


def find_model(name: str, xp: Any) -> tuple[Model | None, str]:
    """A trained model to show results for: (model, where it came from) or (None, why not).

    The learner's saved model first, then (LeNet-5 only) the shipped weights
    (`tutor.models.find_model`).
    """
    found = find_trained(name, xp, shipped_way_forward="")
    problem = f"{found.saved_error}. " if found.saved_error else ""
    if found.source == "saved":
        return found.model, f"your model ({short_path(found.path)})"
    if found.source == "shipped":
        return found.model, "the LeNet-5 shipped with dl-tutor"
    if found.shipped_error:
        return None, problem + found.shipped_error
    return None, problem + f"No trained {name} yet: press space to train one here."


def describe_model(name: str) -> list[str]:
    """Lines about the model: its shape and parameter count, each count derived from the spec.

    Dense layers show their arithmetic (784 x 30 + 30 = 23,550); LeNet-5 lists each layer's count.
    """
    spec = MODELS[name]
    rows = summary(spec)
    total = total_params(spec)
    if any(isinstance(layer, Conv) for layer in spec.layers):
        counts = [f"{row.name} {row.params:,}" for row in rows if row.params]
        return [f"LeNet-5: {total:,} parameters", " · ".join(counts[:3]), " · ".join(counts[3:])]
    sizes = [int(np.prod(spec.input_shape))]
    lines = []
    for layer, row, (in_shape, _) in zip(spec.layers, rows, layer_shapes(spec)):
        if row.params:
            units = row.output_shape[0]
            sizes.append(units)
            lines.append(f"{row.name:<6} {in_shape[0]} x {units} + {units} = {row.params:,}")
    hidden = next((row.activation for row in rows if row.params and row.activation != "softmax"), "")
    return ["-".join(str(s) for s in sizes) + f" {hidden}: {total:,} parameters", *lines]


def epoch_table(epochs: list[EpochRecord] | tuple[EpochRecord, ...], target: float = 0.0, timing: bool = True) -> Text:
    """Per-epoch loss and accuracies, one line each; ✓ marks an epoch at or above `target`."""
    text = Text(no_wrap=True)
    text.append("epoch   loss  train    test" + ("   time" if timing else ""), style="bold")
    best = max((e.test_accuracy for e in epochs), default=None)
    for e in epochs:
        text.append(f"\n{e.epoch + 1:>3}/{e.epochs:<3}{e.train_loss:>6.3f} {100 * e.train_accuracy:5.1f}% ")
        style = "bold" if e.test_accuracy == best else ""
        text.append(f"{100 * e.test_accuracy:6.2f}%", style=style)
        if timing:
            text.append(f" {e.seconds:5.1f}s")
        if target and e.test_accuracy >= target:
            text.append(" ✓", style="bold")
    return text


def progress_bar(fraction: float, cells: int = BAR_CELLS) -> str:
    """`cells` characters: █ for done, ░ for to do."""
    done = int(round(max(0.0, min(1.0, fraction)) * cells))
    return "█" * done + "░" * (cells - done)


class _Run:
    """One training (or evaluation) run: its id and thread-safe control of its Trainer.

    The trainer is created in the worker thread; pause/stop asked before it exists are
    applied as soon as it is attached.
    """

    def __init__(self, run_id: int) -> None:
        self.id = run_id
        self.trainer: Trainer | None = None
        self._lock = threading.Lock()
        self._stopped = False
        self._paused = False
        self.discard = False
        """True when the run is thrown away (reset, a new run): no checkpoint is saved."""
        self.abandoned = False
        """True once the scene has let go of the run (its messages would be ignored): the thread
        saves what it must and ends, without computing results nobody will see."""
        self.finished = threading.Event()
        """Set when the worker thread has ended (after saving any checkpoint)."""
        self.saved: Path | None = None
        """Where the thread saved the model or checkpoint, once it has."""

    def attach(self, trainer: Trainer) -> None:
        """Hand the run its trainer (from the worker thread)."""
        with self._lock:
            self.trainer = trainer
            if self._stopped:
                trainer.stop()
            elif self._paused:
                trainer.pause()

    @property
    def stopped(self) -> bool:
        """Whether stop() was called."""
        return self._stopped

    def stop(self) -> None:
        """Stop after the current batch (or before the first)."""
        with self._lock:
            self._stopped = True
            if self.trainer is not None:
                self.trainer.stop()

    def pause(self) -> None:
        """Hold before the next batch."""
        with self._lock:
            self._paused = True
            if self.trainer is not None:
                self.trainer.pause()

    def resume(self) -> None:
        """Continue after pause()."""
        with self._lock:
            self._paused = False
            if self.trainer is not None:
                self.trainer.resume()


# --- the scene -------------------------------------------------------------------------------------


class TrainingScene(LiveScene):
    """Train a network on MNIST in a thread worker, live; then its confusion matrix and mistakes."""

    HELP = """\
**Training on MNIST, live.** The network learns from the training digits in mini-batches; after
every epoch (one pass over all of them) it is tested on the 10,000 test digits it never trains on.

- `space` starts training, pauses and resumes.
- `s` stops after the current batch and saves a checkpoint; `c` continues from it.
- `↑`/`↓` pick a setting, `[` and `]` change it (model, epochs, batch size, learning rate,
  optimizer, target accuracy). Settings are locked while a run is going on.
- `v` switches between the training view and the results: the confusion matrix (rows: the true
  digit, columns: what the network said, the right answers on the diagonal) and the test digits
  it got wrong with its three most likely answers.
- `r` stops any run and restores the lesson's settings.

A finished model is saved in your data folder, where the later lessons find it. For a long
run without the app (e.g. on a GPU box): `dl-tutor train lenet --epochs 10`.
"""

    ROOMY = True

    #: Not scoped: a rule below looks at the lesson screen's height class (-short, under 34 rows).
    SCOPED_CSS = False

    DEFAULT_CSS = """
    TrainingScene > Static { height: auto; }
    TrainingScene #tr-head { text-style: bold; }
    TrainingScene #tr-backend { color: $text-muted; }
    TrainingScene.-results #tr-formulas, TrainingScene.-results #tr-backend { display: none; }
    /* Once a run has begun, a short terminal keeps its rows for the progress and the plot. */
    LessonScreen.-short TrainingScene.-ran #tr-formulas { display: none; }
    LessonScreen.-short TrainingScene.-ran #tr-backend { display: none; }
    LessonScreen.-short TrainingScene.-ran #tr-loss { height: 10; margin-top: 0; }
    TrainingScene #tr-controls { margin-top: 1; }
    TrainingScene #tr-state { margin-top: 1; }
    TrainingScene.-results #tr-state { margin-top: 0; }
    TrainingScene #tr-loss { height: 11; margin-top: 1; }
    TrainingScene #tr-epochs { margin-top: 1; }
    TrainingScene #tr-confusion { margin-top: 1; }
    TrainingScene #tr-mixups { margin-top: 1; }
    TrainingScene #tr-gallery-title { margin-top: 1; text-style: bold; }
    """

    BINDINGS = [
        Binding("s", "stop", "Stop"),
        Binding("c", "continue_run", "Continue", show=False),
        Binding("v", "toggle_view", "View"),
        Binding("up", "pick(-1)", "Pick", show=False),
        Binding("down", "pick(1)", "Pick", show=False),
        Binding("left_square_bracket,less_than_sign", "nudge(-1)", "Lower"),
        Binding("right_square_bracket,greater_than_sign", "nudge(1)", "Raise"),
    ]

    # --- messages from the worker (never handled in the thread) ---------------------------------

    class RunStarted(Message):
        """The data is loaded and the trainer built."""

        def __init__(self, run_id: int, train_images: int, test_images: int, batches: int) -> None:
            super().__init__()
            self.run_id = run_id
            self.train_images = train_images
            self.test_images = test_images
            self.batches = batches

    class Progress(Message):
        """The whole history of a run so far; a newer one replaces an older one still queued."""

        def __init__(
            self, run_id: int, losses: tuple[tuple[float, float], ...], epochs: tuple[EpochRecord, ...],
            last: BatchRecord | None,
        ) -> None:
            super().__init__()
            self.run_id = run_id
            self.losses = losses
            self.epochs = epochs
            self.last = last

        def can_replace(self, message: Message) -> bool:
            """Progress of the same run carries everything the older message did."""
            return isinstance(message, TrainingScene.Progress) and message.run_id == self.run_id

    class RunDone(Message):
        """The run ended (finished, target or stopped) and its model was saved (or not)."""

        def __init__(
            self, run_id: int, done: DoneRecord, saved: Path | None, save_error: str,
            checkpoint: Checkpoint | None, epoch: int, batch: int, batches: int | None,
        ) -> None:
            super().__init__()
            self.run_id = run_id
            self.done = done
            self.saved = saved
            self.save_error = save_error
            self.checkpoint = checkpoint
            self.epoch = epoch
            self.batch = batch
            self.batches = batches

    class ResultsReady(Message):
        """The confusion matrix and mistakes of a model on the test digits."""

        def __init__(self, run_id: int, results: Results) -> None:
            super().__init__()
            self.run_id = run_id
            self.results = results

    class RunFailed(Message):
        """The run could not go on; `error` is one sentence."""

        def __init__(self, run_id: int, error: str) -> None:
            super().__init__()
            self.run_id = run_id
            self.error = error

    # --- set-up -------------------------------------------------------------------------------

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self._run: _Run | None = None
        self._app: Any = None
        self.reset_state()

    def reset_state(self) -> None:
        """Stop any run and go back to the lesson's settings, the idle state and its view."""
        self._stop_run()
        p = self.params
        self.model_name: str = self.choice_param("model", MODELS, "mlp-30-sigmoid")
        self.optimizer: str = self.choice_param("optimizer", DEFAULT_LR, "adam")
        self.lr: float = _positive(p.get("lr"), DEFAULT_LR[self.optimizer])
        self.epochs: int = self.int_param("epochs", 1 if self.model_name == "lenet" else 3, 1, MAX_EPOCHS)
        self.batch_size: int = self.int_param("batch_size", 64, 1, 60000)
        target = p.get("target_accuracy", 0)
        self.target: float = float(target) if isinstance(target, (int, float)) and 0 < target < 1 else 0.0
        self.train_limit: int = self.int_param("train_limit", 0, 0)
        self.test_limit: int = self.int_param("test_limit", 0, 0)
        self.seed: int = self.int_param("seed", 0)
        self.shift: int = self.int_param("shift", 0, 0, 4)
        """Pixels each training image may be moved at random (augmentation); 0 = plain MNIST."""
        self.view: str = self.choice_param("view", VIEWS, "train")
        self.editable: bool = bool(p.get("editable", True))
        self.picked: int = 0
        self._controls_wanted = False
        self.state: str = "idle"
        self.note: str = ""
        """One line under the state: where the model was saved, or what went wrong."""
        self.losses: tuple[tuple[float, float], ...] = ()
        self.epoch_records: tuple[EpochRecord, ...] = ()
        self.last: BatchRecord | None = None
        self._base_losses: tuple[tuple[float, float], ...] = ()
        self._base_epochs: tuple[EpochRecord, ...] = ()
        self.train_count: int | None = None
        self.test_count: int | None = None
        self.checkpoint: Checkpoint | None = None
        self.stopped_at: tuple[int, int, int | None] | None = None
        self.results: Results | None = None
        self.results_note: str = ""
        self._plot_epochs = self.epochs

    def reset(self) -> None:
        """`r`: stop, restore the lesson's settings, and (results view) look for results again."""
        super().reset()
        self._open_view()
        self._offer_stopped_run()
        self._redraw()

    def compose(self) -> ComposeResult:
        yield Static(id="tr-head")
        yield Static(id="tr-formulas")
        yield Static(id="tr-backend")
        yield Static(id="tr-results-head")
        yield Static(id="tr-controls")
        yield Static(id="tr-state")
        yield Plot(id="tr-loss")
        yield Static(id="tr-epochs")
        yield ConfusionMatrix(id="tr-confusion")
        yield Static(id="tr-mixups")
        yield Static("The most confident mistakes", id="tr-gallery-title")
        yield MistakeGallery(id="tr-gallery")

    def on_mount(self) -> None:
        """Set up the plot and open the lesson's view (before the base class draws frame 0)."""
        plot = self.query_one("#tr-loss", Plot)
        plot.set_title("loss per batch")
        plot.set_labels("epoch", "loss")
        self._app = self.app  # on_unmount may run when the app is no longer the active one
        self._open_view()
        self._offer_stopped_run()

    def on_focus(self) -> None:
        """The picked setting is highlighted only while the scene has focus."""
        self._redraw()

    def on_blur(self) -> None:
        """See on_focus."""
        self._redraw()

    def on_unmount(self) -> None:
        """Leaving the lesson or quitting: stop the trainer after its batch and let it save a
        checkpoint (waiting a moment, so a quitting app does not exit before it is written)."""
        run = self.save_before_exit()
        if run is None or self._app is None:
            return
        if run.saved is None or run.saved.name != stopped_path(self.model_name).name:
            return
        note = (f"Training stopped; checkpoint saved to {short_path(run.saved)}. "
                "Open the lesson again and press c to continue it.")
        if self._app.is_running:
            self._app.notify(note, timeout=8)
        elif isinstance(getattr(self._app, "exit_notes", None), list):
            self._app.exit_notes.append(note)

    def save_before_exit(self) -> _Run | None:
        """Stop the run after its batch and wait (a few seconds at most) for its checkpoint;
        returns the run, or None when nothing was training."""
        run = self._run
        self._stop_run(discard=False)
        if run is None or run.trainer is None:
            return None
        run.finished.wait(UNMOUNT_SAVE_SECONDS)
        return run

    # --- the transport ------------------------------------------------------------------------

    def toggle_play(self) -> None:
        """`space`: start training, pause it, or resume it."""
        run = self._run
        if self.state in ("loading", "training") and run is not None:
            run.pause()
            self._set_state("paused")
        elif self.state == "paused" and run is not None:
            run.resume()
            self._set_state("training" if run.trainer is not None else "loading")
        elif self.state in ("stopping", "evaluating"):
            return
        else:
            self.start_training()

    # --- actions ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Settings change only on an editable scene, in the training view, between runs."""
        if action in ("pick", "nudge"):
            return self.editable and self.view == "train" and self.state not in RUNNING
        if action == "stop":
            return self.state in RUNNING
        if action == "continue_run":
            return self.checkpoint is not None and self.state == "stopped"
        if action == "toggle_view":
            return self.results is not None or self.view == "results"
        return True

    def action_stop(self) -> None:
        """`s`: stop after the current batch; the worker then saves a checkpoint."""
        if self.state in RUNNING and self._run is not None:
            self._run.stop()
            self._set_state("stopping")

    def action_continue_run(self) -> None:
        """`c`: continue a stopped run from its checkpoint (its recipe, the epochs control)."""
        checkpoint = self.checkpoint
        if checkpoint is None or self.state != "stopped":
            return
        if checkpoint.config.model != self.model_name:
            self.note = f"The checkpoint holds {checkpoint.config.model}; set the model back to continue it."
            self._redraw()
            return
        self.start_training(checkpoint)

    def action_toggle_view(self) -> None:
        """`v`: between the training view and the results."""
        self.view = "results" if self.view == "train" else "train"
        self._redraw()
        self.refresh_bindings()

    @property
    def controls_open(self) -> bool:
        """Whether the settings show as an editable panel (else as one line).

        Between runs of an editable scene; after a run only once the learner reaches for them,
        so the plot and the table keep the rows on a short terminal.
        """
        if not self.editable or self.state in RUNNING:
            return False
        return self._controls_wanted or not (self.losses or self.epoch_records)

    def _open_controls(self) -> bool:
        """Open the panel if it is folded; True when it was (the key did only that)."""
        if self.controls_open:
            return False
        self._controls_wanted = True
        self._redraw()
        return True

    def action_pick(self, delta: int) -> None:
        """`↑`/`↓`: pick a setting."""
        if self._open_controls():
            return
        self.picked = (self.picked + delta) % len(CONTROLS)
        self._redraw()

    def action_nudge(self, direction: int) -> None:
        """`[`/`]`: change the picked setting by one step."""
        if self._open_controls():
            return
        name = CONTROLS[self.picked]
        if name == "model":
            self.model_name = MODEL_NAMES[(_index(MODEL_NAMES, self.model_name) + direction) % len(MODEL_NAMES)]
            self.results = SESSION_RESULTS.get(self.model_name)
            self.checkpoint = None
        elif name == "epochs":
            self.epochs = max(1, min(MAX_EPOCHS, self.epochs + direction))
        elif name == "batch size":
            self.batch_size = _step(BATCH_SIZES, self.batch_size, direction)
        elif name == "lr":
            self.lr = _step(LEARNING_RATES, self.lr, direction)
        elif name == "optimizer":
            self.optimizer = "adam" if self.optimizer == "sgd" else "sgd"
            self.lr = DEFAULT_LR[self.optimizer]
        elif name == "target":
            self.target = _step(TARGETS, self.target, direction)
        self._redraw()

    # --- runs ---------------------------------------------------------------------------------

    def config(self) -> TrainConfig:
        """The recipe the controls describe."""
        return TrainConfig(
            model=self.model_name, epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
            optimizer=self.optimizer, seed=self.seed, shift=self.shift, target_accuracy=self.target or None,
            train_limit=self.train_limit or None, test_limit=self.test_limit or None,
            report_seconds=REPORT_SECONDS,
        )

    def start_training(self, checkpoint: Checkpoint | None = None) -> None:
        """Start a new run (from scratch, or continuing `checkpoint`) in a thread worker."""
        self._stop_run()
        config = self.config()
        if checkpoint is not None:
            self.epochs = max(self.epochs, checkpoint.epoch + 1)
            config = replace(
                checkpoint.config, epochs=self.epochs, target_accuracy=self.target or None,
                train_limit=self.train_limit or None, test_limit=self.test_limit or None,
                report_seconds=REPORT_SECONDS,
            )
            self._base_losses, self._base_epochs = self.losses, self.epoch_records
        else:
            self._base_losses, self._base_epochs = (), ()
            self.losses, self.epoch_records, self.last = (), (), None
            if self.is_attached:
                self.query_one("#tr-loss", Plot).set_lines([])
        try:
            config.check()
        except ValueError as error:
            self.note = f"{error}."
            self._set_state("error")
            return
        run = _Run(next(_RUN_IDS))
        self._run = run
        self._plot_epochs = config.epochs
        self.checkpoint = None
        self.stopped_at = None
        self.note = ""
        self.view = "train"
        self._controls_wanted = False
        self._set_state("loading")
        self.run_worker(
            partial(self._train_thread, run, config, checkpoint, self.backend.xp),
            name=f"training run {run.id}", group="training", thread=True, exclusive=True,
            exit_on_error=False,
        )

    def _stop_run(self, discard: bool = True) -> None:
        """Stop the current run (if any) and forget it: its late messages are ignored.

        With `discard` (a reset or a new run) the run is thrown away; otherwise its thread saves
        a checkpoint that the next visit offers to continue."""
        run, self._run = self._run, None
        if run is not None:
            run.discard = discard
            run.abandoned = True
            run.stop()
        if self.is_attached:
            try:
                self.workers.cancel_node(self)
            except Exception:  # noqa: BLE001 - the app may be shutting down
                pass

    def _offer_stopped_run(self) -> None:
        """A run of this model stopped earlier (by `s`, leaving the lesson, or quitting, in this
        session or an earlier one) left a checkpoint: show it as stopped, so `c` continues it."""
        if self.view != "train" or self.state != "idle" or self.checkpoint is not None:
            return
        path = stopped_path(self.model_name)
        if not path.is_file():
            return
        try:
            checkpoint = load_checkpoint(path, xp=self.backend.xp, advice=STOPPED_RUN_ADVICE)
        except Exception as error:  # noqa: BLE001 - ModelError says it all; the lesson opens whatever the file holds
            self.note = f"{first_line(error).replace(str(path), short_path(path))}."
            self._redraw()
            return
        if checkpoint.config.model != self.model_name:
            return
        self.checkpoint = checkpoint
        self.stopped_at = (checkpoint.epoch, checkpoint.batch, None)
        best = checkpoint.best_test_accuracy
        tested = f", best test accuracy so far {100 * best:.2f}%" if best is not None else ""
        self.note = (f"An earlier run was interrupted and saved{tested}: c continues it, "
                     f"space starts afresh. ({short_path(path)})")
        self._set_state("stopped")

    def _open_view(self) -> None:
        """Show the lesson's view; the results view finds a model to test when it has none."""
        if self.view != "results" or self.results is not None:
            return
        self.results = SESSION_RESULTS.get(self.model_name)
        if self.results is not None:
            return
        run = _Run(next(_RUN_IDS))
        self._run = run
        self._set_state("evaluating")
        self.run_worker(
            partial(self._results_thread, run, self.model_name, self.test_limit, self.backend.xp),
            name=f"results {run.id}", group="training", thread=True, exclusive=True, exit_on_error=False,
        )

    # --- in the worker thread: only plain data and post_message -----------------------------------

    def _train_thread(self, run: _Run, config: TrainConfig, checkpoint: Checkpoint | None, xp: Any) -> None:
        """Load the data, train, save, and compute the results, posting messages as it goes."""
        try:
            self._train(run, config, checkpoint, xp)
        finally:
            run.finished.set()

    def _train(self, run: _Run, config: TrainConfig, checkpoint: Checkpoint | None, xp: Any) -> None:
        """The body of `_train_thread`."""
        worker = get_current_worker()
        tune_allocator()
        try:
            digits = load_digits()
        except (mnist.DataError, OSError, ValueError) as error:
            self.post_message(self.RunFailed(run.id, first_line(error)))
            return
        try:
            trainer = Trainer(
                config, (digits.train_images, digits.train_labels), (digits.test_images, digits.test_labels),
                xp=xp, checkpoint=checkpoint,
            )
            run.attach(trainer)
            self.post_message(self.RunStarted(run.id, len(trainer.images), len(trainer.test_images),
                                              trainer.batches_per_epoch()))
            losses: list[tuple[float, float]] = []
            epochs: list[EpochRecord] = []
            last: BatchRecord | None = None
            done: DoneRecord | None = None
            posted = 0.0
            post_seconds = LOW_BANDWIDTH_POST_SECONDS if low_bandwidth() else POST_SECONDS
            for record in trainer.run():
                if worker.is_cancelled or run.abandoned:
                    trainer.stop()
                if isinstance(record, BatchRecord):
                    losses.append((record.epoch + record.batch / record.batches, record.loss))
                    last = record
                    if time.monotonic() - posted < post_seconds:
                        continue
                elif isinstance(record, EpochRecord):
                    epochs.append(record)
                else:
                    done = record
                    continue
                self.post_message(self.Progress(run.id, tuple(losses), tuple(epochs), last))
                posted = time.monotonic()
            gone = worker.is_cancelled or run.abandoned
            if done is None or (gone and run.discard):
                return
            stopped = done.reason == "stopped"
            if stopped and trainer.epoch == 0 and trainer.batch == 0:
                return  # stopped before the first batch: nothing worth keeping
            path = stopped_path(config.model) if stopped else model_path(config.model)
            saved, save_error = None, ""
            try:
                trainer.save_checkpoint(path)
                saved = run.saved = path
                if not stopped:  # a finished model supersedes an older stopped run
                    stopped_path(config.model).unlink(missing_ok=True)
            except OSError as error:  # SaveError (one line naming the path) or what the disk said
                reason = (str(error).replace(str(path), short_path(path)) if isinstance(error, SaveError)
                          else f"{short_path(path)}: {error.strerror or error}")
                save_error = f"could not save {reason}"
            if gone or worker.is_cancelled or run.abandoned:  # the lesson was left or the app quits
                return
            self.post_message(self.Progress(run.id, tuple(losses), tuple(epochs), last))
            kept = None
            if stopped:
                kept = Checkpoint(
                    model=trainer.model, config=trainer.config, epoch=trainer.epoch, batch=trainer.batch,
                    optimizer_state=trainer.optimizer.state(), best_test_accuracy=trainer.best,
                )
            self.post_message(self.RunDone(run.id, done, saved, save_error, kept, trainer.epoch, trainer.batch,
                                           trainer.batches_per_epoch()))
            source = "your model, stopped early" if stopped else "your model, trained just now"
            results = compute_results(
                trainer.model, np.asarray(digits.test_images[: len(trainer.test_images)]),
                np.asarray(digits.test_labels[: len(trainer.test_images)]), name=config.model, source=source,
                cancelled=lambda: worker.is_cancelled or run.abandoned,
            )
            if results is not None:
                self.post_message(self.ResultsReady(run.id, results))
        except Exception as error:  # noqa: BLE001 - a broken run is one sentence, never a crash
            self.post_message(self.RunFailed(run.id, first_line(error)))

    def _results_thread(self, run: _Run, name: str, test_limit: int, xp: Any) -> None:
        """Find a trained model and compute its results on the test digits."""
        worker = get_current_worker()
        try:
            digits = load_digits()
            model, source = find_model(name, xp)
            if model is None:
                self.post_message(self.RunFailed(run.id, source))
                return
            count = test_limit or len(digits.test_images)
            results = compute_results(
                model, np.asarray(digits.test_images[:count]), np.asarray(digits.test_labels[:count]),
                name=name, source=source, cancelled=lambda: worker.is_cancelled or run.stopped,
            )
            if results is not None:
                self.post_message(self.ResultsReady(run.id, results))
        except Exception as error:  # noqa: BLE001
            self.post_message(self.RunFailed(run.id, first_line(error)))

    # --- messages, on the UI thread ---------------------------------------------------------------

    def _current(self, message: Any) -> bool:
        """Whether a worker message belongs to the current run (older runs are ignored)."""
        message.stop()
        return self._run is not None and message.run_id == self._run.id

    def on_training_scene_run_started(self, message: RunStarted) -> None:
        if not self._current(message):
            return
        self.train_count, self.test_count = message.train_images, message.test_images
        if self.state == "loading":
            self._set_state("training")
        else:
            self._redraw()

    def on_training_scene_progress(self, message: Progress) -> None:
        if not self._current(message):
            return
        self.losses = self._base_losses + message.losses
        self.epoch_records = self._base_epochs + message.epochs
        self.last = message.last
        plot = self.query_one("#tr-loss", Plot)
        if self.losses:
            xs, ys = zip(*self.losses)
            plot.set_lines([(None, xs, ys)])
        else:
            plot.set_lines([])
        plot.set_xlim(0, self._plot_epochs)
        self._redraw()

    def on_training_scene_run_done(self, message: RunDone) -> None:
        if not self._current(message):
            return
        done = message.done
        self.stopped_at = (message.epoch, message.batch, message.batches)
        self.checkpoint = message.checkpoint
        if message.saved is not None:
            where = short_path(message.saved)
            if done.reason == "stopped":
                self.note = (f"checkpoint saved to {where}. c continues here; or: "
                             f"dl-tutor train {self.model_name} --resume {where}")
            else:
                self.note = f"saved to {where}"
        else:
            self.note = message.save_error
        self._set_state({"stopped": "stopped", "target": "target"}.get(done.reason, "finished"))

    def on_training_scene_results_ready(self, message: ResultsReady) -> None:
        if not self._current(message):
            return
        self.results = message.results
        SESSION_RESULTS[message.results.model] = message.results
        if self.state == "evaluating":
            self._set_state("idle")
        self._redraw()
        self.refresh_bindings()

    def on_training_scene_run_failed(self, message: RunFailed) -> None:
        if not self._current(message):
            return
        if self.state == "evaluating":
            self.results_note = message.error
            self._set_state("idle")
            return
        self.note = message.error
        self._set_state("error")

    def _set_state(self, state: str) -> None:
        """Change the state, mirror it in `playing` (the transport bar) and redraw."""
        self.state = state
        playing = state in ("loading", "training")
        if self.playing != playing:
            self.playing = playing
        self._redraw()
        if self.is_attached:
            self.refresh_bindings()

    # --- drawing ------------------------------------------------------------------------------

    def show_frame(self, position: int) -> None:
        """The scene has one frame: its current state."""
        self._redraw()

    def _redraw(self) -> None:
        """Bring every widget up to date with the state (UI thread only)."""
        if not self.drawable:
            return
        results_view = self.view == "results"
        has_run = bool(self.losses) or self.state in RUNNING
        self.set_class(results_view, "-results")
        self.set_class(has_run, "-ran")
        lines = describe_model(self.model_name)
        head = self.query_one("#tr-head", Static)
        head.display = not results_view
        head.update(lines[0])
        self.query_one("#tr-formulas", Static).update("\n".join(line for line in lines[1:] if line))
        self.query_one("#tr-backend", Static).update(f"{self.backend.name} on {self.backend.device or 'the CPU'}")
        controls = self.query_one("#tr-controls", Static)
        controls.display = not results_view
        controls.update(self._controls_text())
        self.query_one("#tr-state", Static).update(self._state_text())
        self.query_one("#tr-loss", Plot).display = not results_view and has_run
        epochs = self.query_one("#tr-epochs", Static)
        epochs.display = not results_view and has_run
        epochs.update(epoch_table(self.epoch_records, self.target))
        results = self.results if results_view else None
        results_head = self.query_one("#tr-results-head", Static)
        results_head.display = results_view
        results_head.update(self._results_text())
        confusion = self.query_one("#tr-confusion", ConfusionMatrix)
        confusion.display = results is not None
        mixups = self.query_one("#tr-mixups", Static)
        mixups.display = results is not None
        self.query_one("#tr-gallery-title", Static).display = results is not None
        gallery = self.query_one("#tr-gallery", MistakeGallery)
        gallery.display = results is not None
        if results is not None:
            if confusion.matrix is not results.matrix:
                confusion.matrix = results.matrix
            mixups.update(confusion_summary(results.matrix))
            if gallery.mistakes is not results.mistakes:
                gallery.mistakes = results.mistakes

    def _controls_text(self) -> Text:
        values = {
            "model": self.model_name,
            "epochs": str(self.epochs),
            "batch size": str(self.batch_size),
            "lr": f"{self.lr:g}",
            "optimizer": "sgd, momentum 0.9" if self.optimizer == "sgd" else "adam",
            "target": f"{100 * self.target:g}%" if self.target else "off",
        }
        data = f"first {self.train_limit:,} training images" if self.train_limit else "all training images"
        if self.test_limit:
            data += f", first {self.test_limit:,} test"
        if self.shift:
            data += f", shifted ±{self.shift} px"
        text = Text()
        if not self.controls_open:
            text.append(
                f"{self.optimizer} lr {self.lr:g} · batch {self.batch_size} · {self.epochs} epoch"
                f"{'s' if self.epochs != 1 else ''} · target {values['target']}\n"
            )
            text.append(data, style="dim")
            if self.editable and self.state not in RUNNING:
                text.append("\n↑↓ or [ ] to change the settings", style="dim")
            return text
        for i, name in enumerate(CONTROLS):
            picked = i == self.picked
            text.append("▸ " if picked else "  ")
            text.append(f"{name:<10} ", style="bold reverse" if picked and self.has_focus else "bold")
            text.append(values[name] + "\n")
        text.append(data + "\n", style="dim")
        text.append("↑↓ pick · [ ] change", style="dim")
        return text

    def _state_text(self) -> Text:
        mark, words = STATE_LABELS[self.state]
        text = Text()
        text.append(f"{mark} {words}", style="bold")
        if self.view == "results":
            keys = self._keys()
            if self.state == "evaluating":
                text.append(": " + (f"{self.test_limit:,}" if self.test_limit else "all") + " test digits")
            elif keys:
                text.append(" · " + keys, style="dim")
            return text
        last = self.last
        if self.state in ("training", "paused", "stopping") and last is not None:
            text.append(f" · epoch {last.epoch + 1}/{self._plot_epochs}")
            text.append(f"\n{progress_bar(last.batch / max(1, last.batches))} batch {last.batch}/{last.batches}")
            text.append(f"\nloss {last.loss:.3f} · batch accuracy {100 * last.accuracy:.1f}%")
            text.append(f"\n{last.images_per_second:,.0f} img/s ({self.backend.name}) · "
                        f"ETA {format_seconds(last.eta_seconds)}")
        elif self.state in ("stopped", "finished", "target"):
            final = self.epoch_records[-1].test_accuracy if self.epoch_records else None
            if self.state == "stopped" and self.stopped_at is not None:
                epoch, batch, batches = self.stopped_at
                text.append(f" in epoch {epoch + 1}, after batch {batch}" + (f"/{batches}" if batches else ""))
            elif self.state == "target":
                text.append(f" {100 * self.target:g}%")
            if final is not None:
                text.append(f"\ntest accuracy {100 * final:.2f}% after {len(self.epoch_records)} epoch"
                            f"{'s' if len(self.epoch_records) != 1 else ''}")
        if self.state == "evaluating":
            count = f"{self.test_limit:,}" if self.test_limit else "all"
            text.append(f": {count} test digits")
        if self.note:
            text.append("\n" + self.note, style="italic")
        keys = self._keys()
        if keys:
            text.append("\n" + keys, style="dim")
        return text

    def _keys(self) -> str:
        if self.state in ("loading", "training"):
            return "space pause · s stop"
        if self.state == "paused":
            return "space resume · s stop"
        if self.state in ("stopping", "evaluating"):
            return ""
        again = self.state != "idle" and self.view == "train"
        keys = ["space train again" if again else "space train"]
        if self.state == "stopped" and self.checkpoint is not None:
            keys.append("c continue")
        if self.view == "results":
            keys.append("v training")
        elif self.results is not None:
            keys.append("v confusion matrix and mistakes")
        return " · ".join(keys)

    def _results_text(self) -> Text:
        text = Text()
        results = self.results
        if results is None:
            if self.state == "evaluating":
                text.append("Testing the trained model on the test digits…")
            else:
                text.append(self.results_note or "No results yet: train the network first (space).")
            return text
        title = describe_model(results.model)[0].split(":")[0]
        text.append(f"{title} · {100 * results.accuracy:.2f}% right", style="bold")
        text.append(f"\n{results.source}, {results.count:,} test digits", style="dim")
        return text


# --- small helpers -----------------------------------------------------------------------------------


def _positive(value: Any, default: float) -> float:
    """`value` as a positive float when it is one, else `default`."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    return default


def _index(options: tuple, value: Any) -> int:
    """Position of `value` in `options` (0 when absent)."""
    return options.index(value) if value in options else 0


def _step(options: tuple, value: float, direction: int) -> Any:
    """The next option above (direction 1) or below (-1) `value`, clamped to the ends."""
    if direction > 0:
        return next((o for o in options if o > value + 1e-12), options[-1])
    return next((o for o in reversed(options) if o < value - 1e-12), options[0])


