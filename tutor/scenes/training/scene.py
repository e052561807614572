"""The training scene itself: settings, keys, the state machine's moves, and drawing.

The worker threads' bodies are `runner.train` and `runner.evaluate`; what they post is in
`messages`; the words are in `view`; the package's docstring tells the whole story.

On the lenet-train exercise's step the scene is a `LearnerCode` scene: once the exercise passes,
a LeNet-5 run trains the learner's own network (their lenet_train.py, in its sandboxed child:
`runner.train(..., learner=path)`) and a line says so; before that, or after their code failed
(its one line shown), it trains the reference engine.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static
from textual.worker import get_current_worker

from tutor.data import DataSet, describe, first_line
from tutor.engines.model import MODELS
from tutor.paths import shipped_data_dir
from tutor.exercises.learner_calls import LearnerCode
from tutor.engines.train import (
    BatchRecord,
    Checkpoint,
    EpochRecord,
    TrainConfig,
)
from tutor.scenes.base import LiveScene
from tutor.runs import RunSummary, list_runs
from tutor.scenes.training import messages, runner
from tutor.scenes.training.results import SESSION_RESULTS, Results, short_path
from tutor.scenes.training.runner import REPORT_SECONDS, Run
from tutor.scenes.training.state import RUNNING, State, ended_by
from tutor.scenes.training.runs_view import run_note
from tutor.scenes.training.settings import MAX_EPOCHS, nudge, step_settings
from tutor.scenes.training.view import CONTROLS, CSS, HELP_TEXT, VIEWS, redraw
from tutor.widgets.confusion import ConfusionMatrix
from tutor.widgets.gallery import MistakeGallery
from tutor.widgets.plot import Plot

#: How long leaving the lesson (or quitting) waits for a stopped run to write its checkpoint.
UNMOUNT_SAVE_SECONDS = 10.0
#: What to do with a stopped run's checkpoint that cannot be used (ends the scene's note).
STOPPED_RUN_ADVICE = "delete it, or press space to start a new run (which replaces it)"


class TrainingScene(LearnerCode, LiveScene):
    """Train a network on MNIST (or Fashion-MNIST) in a thread worker, live; then its confusion
    matrix and mistakes."""

    HELP = HELP_TEXT
    #: On the lenet-train step, LeNet-5 trains on the learner's own code once it passes.
    LEARNER_FUNCTIONS = {"lenet-train": "LeNet-5"}
    #: The network the learner's code builds.
    LEARNER_MODEL = "lenet"

    ROOMY = True
    #: Held while a step's questions are open: the model's sizes and counts, batches per epoch.
    HOLDS_ANSWERS = True

    #: Not scoped: a rule below looks at the lesson screen's height class (-short, under 34 rows).
    SCOPED_CSS = False

    DEFAULT_CSS = CSS

    BINDINGS = [
        Binding("s", "stop", "Stop"),
        Binding("c", "continue_run", "Continue", show=False),
        Binding("v", "toggle_view", "View"),
        Binding("l", "toggle_curves", "Loss/acc."),
        Binding("up", "pick(-1)", "Pick", show=False),
        Binding("down", "pick(1)", "Pick", show=False),
        Binding("left_square_bracket,less_than_sign", "nudge(-1)", "Lower"),
        Binding("right_square_bracket,greater_than_sign", "nudge(1)", "Raise"),
    ]

    # --- messages from the worker (never handled in the thread): `messages` -------------------

    RunStarted = messages.RunStarted
    Progress = messages.Progress
    RunDone = messages.RunDone
    ResultsReady = messages.ResultsReady
    RunFailed = messages.RunFailed

    # --- set-up -------------------------------------------------------------------------------

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self._run: Run | None = None
        self._app: Any = None
        self.init_learner()
        self.reset_state()

    def reset_state(self) -> None:
        """Stop any run and go back to the lesson's settings, the idle state and its view."""
        self._stop_run()
        p = self.params
        self.model_name: str = self.choice_param("model", MODELS)
        self.data: DataSet = self._initial_data()
        """The data set trained and tested on (the `data` setting): the lesson's, else the app's."""
        self.optimizer, self.lr, self.lr_decay, self.batch_size, self.shift = step_settings(self)
        """What the step trains with (`settings`): a data set switched to brings its own recipe."""
        self.epochs: int = self.int_param("epochs", 1 if self.model_name == "lenet" else 3, 1, MAX_EPOCHS)
        target = p.get("target_accuracy", 0)
        self.target: float = float(target) if isinstance(target, (int, float)) and 0 < target < 1 else 0.0
        self.train_limit: int = self.int_param("train_limit", 0, 0)
        self.test_limit: int = self.int_param("test_limit", 0, 0)
        self.validation_split: float = self.float_param("validation_split", 0.0, 0.0, 0.5)
        """Held out of the training images to judge each epoch on; the test set is then used once."""
        self.seed: int = self.int_param("seed", 0)
        self.view: str = self.choice_param("view")
        self.editable: bool = bool(p.get("editable", True))
        self.picked: int = 0
        self._controls_wanted = False
        self.state: State = State.IDLE
        self.note: str = ""
        """One line under the state: where the model was saved, or what went wrong."""
        self.losses: tuple[tuple[float, float], ...] = ()
        self.epoch_records: tuple[EpochRecord, ...] = ()
        self.last: BatchRecord | None = None
        self._base_losses: tuple[tuple[float, float], ...] = ()
        self._base_epochs: tuple[EpochRecord, ...] = ()
        self.train_count: int | None = None
        self.test_count: int | None = None
        self.validation_count: int = 0
        self.final_test: float | None = None
        """The test accuracy a run with a validation split measured once, at its end."""
        self.checkpoint: Checkpoint | None = None
        self.stopped_at: tuple[int, int, int | None] | None = None
        self.results: Results | None = None
        self.runs: list[RunSummary] = []
        self.runs_curves: str = "accuracy"
        """What the runs view overlays: "accuracy" (judged) or "loss" (training loss), per epoch."""
        """The kept runs of this network on this data set (`tutor.runs`), read for the runs view."""
        self.results_note: str = ""
        self.plot_epochs = self.epochs
        self.learner_run: bool = False
        """Whether the current (or last) run trains the learner's own network."""

    def _initial_data(self) -> DataSet:
        """The lesson's `data` (a shipped set by name), else the app's data set (`--data`)."""
        name = self.choice_param("data")
        return describe() if name is None else describe(shipped_data_dir(name))

    def reset(self) -> None:
        """`r`: stop, restore the lesson's settings, and (results view) look for results again."""
        super().reset()
        self._open_view()
        self._offer_stopped_run()
        self._redraw()

    def compose(self) -> ComposeResult:
        yield Static(id="tr-head")
        yield Static(id="tr-learner")
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
        yield Static(id="tr-runs")
        yield Plot(id="tr-runs-plot")

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
        self.stop_learner()
        run = self.save_before_exit()
        if run is None or self._app is None:
            return
        if run.saved is None or run.saved != runner.package().stopped_path(self.model_name, self.data.key):
            return
        note = (f"Training stopped; checkpoint saved to {short_path(run.saved)}. "
                "Open the lesson again and press c to continue it.")
        if self._app.is_running:
            self._app.notify(note, timeout=8)
        elif isinstance(getattr(self._app, "exit_notes", None), list):
            self._app.exit_notes.append(note)

    def save_before_exit(self) -> Run | None:
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
        if self.state in (State.LOADING, State.TRAINING) and run is not None:
            run.pause()
            self._set_state(State.PAUSED)
        elif self.state == State.PAUSED and run is not None:
            run.resume()
            self._set_state(State.TRAINING if run.trainer is not None else State.LOADING)
        elif self.state in (State.STOPPING, State.EVALUATING):
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
            return self.checkpoint is not None and self.state == State.STOPPED
        if action == "toggle_view":
            return len(self.views()) > 1
        if action == "toggle_curves":
            return self.view == "runs"
        return True

    def action_stop(self) -> None:
        """`s`: stop after the current batch; the worker then saves a checkpoint."""
        if self.state in RUNNING and self._run is not None:
            self._run.stop()
            self._set_state(State.STOPPING)

    def action_continue_run(self) -> None:
        """`c`: continue a stopped run from its checkpoint (its recipe, the epochs control)."""
        checkpoint = self.checkpoint
        if checkpoint is None or self.state != State.STOPPED:
            return
        if checkpoint.config.model != self.model_name:
            self.note = f"The checkpoint holds {checkpoint.config.model}; set the model back to continue it."
            self._redraw()
            return
        self.start_training(checkpoint)

    def refresh_runs(self) -> None:
        """Read the kept runs of this network and data set again (`tutor.runs`)."""
        home = runner.package().model_path(self.model_name, self.data.key)
        self.runs = list_runs(self.model_name, self.data.key, home)

    def views(self) -> tuple[str, ...]:
        """The views `v` goes through now: training, results (once there are some), runs (once
        a run of this network is kept)."""
        have = {"train": True, "results": self.results is not None or self.view == "results",
                "runs": bool(self.runs) or self.view == "runs"}
        return tuple(view for view in VIEWS if have[view])

    def action_toggle_curves(self) -> None:
        """`l` (runs view): overlay the runs' training loss per epoch instead of their accuracy."""
        self.runs_curves = "loss" if self.runs_curves == "accuracy" else "accuracy"
        self._redraw()

    def action_toggle_view(self) -> None:
        """`v`: the next view (training, results, runs)."""
        self.refresh_runs()
        views = self.views()
        self.view = views[(views.index(self.view) + 1) % len(views)] if self.view in views else "train"
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
        nudge(self, CONTROLS[self.picked], direction)
        self._redraw()

    # --- the learner's code (LearnerCode) ------------------------------------------------------

    @property
    def trains_learner_code(self) -> bool:
        """Whether a new run would train the learner's own network: their exercise passed, their
        code has not failed since, and the model is theirs (LeNet-5)."""
        return self.learner.active and not self.learner.problem and self.model_name == self.LEARNER_MODEL

    def learner_changed(self) -> None:
        """Their exercise's status changed: the next run trains their network (or the
        reference); a reference checkpoint offered on their step is no longer offered."""
        self.learner_value = "LeNet-5" if self.learner.active else None
        if self.trains_learner_code and self.state == State.STOPPED and not self.learner_run:
            self.checkpoint, self.stopped_at, self.note = None, None, ""
            self._set_state(State.IDLE)
        self._redraw()

    def learner_line(self, width: int = 0) -> tuple[str, str]:
        """(kind, text) of the line saying whose code trains (see `LearnerCode.learner_line`)."""
        kind, text = super().learner_line(width)
        if kind == "fallback":
            return kind, text.replace("showing the reference engine", "space trains the reference engine")
        if kind in ("yours", "running") and self.model_name != self.LEARNER_MODEL:
            return "reference", f"reference engine for {self.model_name}: your LeNet-5 trains as model lenet"
        return kind, text

    # --- runs ---------------------------------------------------------------------------------

    def config(self) -> TrainConfig:
        """The recipe the controls describe."""
        return TrainConfig(
            model=self.model_name, epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
            lr_decay=self.lr_decay,
            optimizer=self.optimizer, seed=self.seed, shift=self.shift, target_accuracy=self.target or None,
            train_limit=self.train_limit or None, test_limit=self.test_limit or None,
            validation_split=self.validation_split, report_seconds=REPORT_SECONDS,
        )

    def start_training(self, checkpoint: Checkpoint | None = None) -> None:
        """Start a new run (from scratch, or continuing `checkpoint`) in a thread worker."""
        self._stop_run()
        config = self.config()
        if checkpoint is not None:
            # A run goes on with its own recipe and its own images (the epoch size its batch
            # index counts in); only the epochs, the target and the test images may change.
            # The settings shown switch to that recipe, so the scene says what is running.
            self.epochs = max(self.epochs, checkpoint.epoch + 1)
            own = checkpoint.config
            self.optimizer, self.lr, self.batch_size = own.optimizer, own.learning_rate(), own.batch_size
            self.lr_decay, self.shift = own.lr_decay, own.shift
            self.train_limit, self.validation_split = own.train_limit or 0, own.validation_split
            config = replace(
                own, epochs=self.epochs, target_accuracy=self.target or None,
                test_limit=self.test_limit or None, report_seconds=REPORT_SECONDS,
            )
            self._base_losses, self._base_epochs = self.losses, self.epoch_records
        else:
            self._base_losses, self._base_epochs = (), ()
            self.losses, self.epoch_records, self.last = (), (), None
            if self.is_attached:
                self.query_one("#tr-loss", Plot).set_lines([])
        self.final_test = None
        try:
            config.check()
        except ValueError as error:
            self.note = f"{error}."
            self._set_state(State.ERROR)
            return
        learner = self.learner.path if checkpoint is None and self.trains_learner_code else None
        if learner is not None and config.shift:
            config = replace(config, shift=0)  # their network trains on the images as they are
        self.learner_run = learner is not None
        run = Run()
        self._run = run
        self.plot_epochs = config.epochs
        self.checkpoint = None
        self.stopped_at = None
        self.note = ""
        self.view = "train"
        self._controls_wanted = False
        self._set_state(State.LOADING)
        self.run_worker(
            partial(self._train_thread, run, config, checkpoint, self.backend.xp, self.data, learner),
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
        if self.view != "train" or self.state != State.IDLE or self.checkpoint is not None:
            return
        path = runner.package().stopped_path(self.model_name, self.data.key)
        if not path.is_file():
            return
        try:
            checkpoint = runner.package().load_checkpoint(path, xp=self.backend.xp, advice=STOPPED_RUN_ADVICE)
        except Exception as error:  # noqa: BLE001 - ModelError says it all; the lesson opens whatever the file holds
            self.note = f"{first_line(error).replace(str(path), short_path(path))}."
            self._redraw()
            return
        if checkpoint.config.model != self.model_name:
            return
        self.checkpoint = checkpoint
        self.stopped_at = (checkpoint.epoch, checkpoint.batch, None)
        best = checkpoint.best_test_accuracy
        judged = "validation" if checkpoint.config.validation_split else "test"
        tested = f", best {judged} accuracy so far {100 * best:.2f}%" if best is not None else ""
        own = checkpoint.config
        recipe = f"{own.optimizer} lr {own.learning_rate():g}, batch {own.batch_size}"
        self.note = (f"An earlier run ({recipe}) was interrupted and saved{tested}: c continues it "
                     f"with that recipe, space starts afresh with these settings. ({short_path(path)})")
        self._set_state(State.STOPPED)

    def _open_view(self) -> None:
        """Show the lesson's view; the results view finds a model to test when it has none."""
        self.refresh_runs()
        if self.view != "results" or self.results is not None:
            return
        self.results = SESSION_RESULTS.get((self.data.key, self.model_name))
        if self.results is not None:
            return
        run = Run()
        self._run = run
        self._set_state(State.EVALUATING)
        self.run_worker(
            partial(self._results_thread, run, self.model_name, self.test_limit, self.backend.xp, self.data),
            name=f"results {run.id}", group="training", thread=True, exclusive=True, exit_on_error=False,
        )

    # --- in the worker thread: `runner`, which posts plain messages ---------------------------

    def _train_thread(self, run: Run, config: TrainConfig, checkpoint: Checkpoint | None, xp: Any,
                      data: DataSet | None = None, learner: Any = None) -> None:
        """Load the data, train, save, and compute the results, posting messages as it goes
        (`learner`: the path of their lenet_train.py, whose network trains instead)."""
        worker = get_current_worker()
        runner.train(run, config, checkpoint, xp, self.post_message, lambda: worker.is_cancelled, data,
                     learner=learner, limits=self.LEARNER_LIMITS)

    def _results_thread(self, run: Run, name: str, test_limit: int, xp: Any, data: DataSet | None = None) -> None:
        """Find a trained model and compute its results on the test images."""
        worker = get_current_worker()
        runner.evaluate(run, name, test_limit, xp, self.post_message, lambda: worker.is_cancelled, data)


    # --- messages, on the UI thread ---------------------------------------------------------------

    def _current(self, message: Any) -> bool:
        """Whether a worker message belongs to the current run (older runs are ignored)."""
        message.stop()
        return self._run is not None and message.run_id == self._run.id

    def on_training_scene_run_started(self, message: messages.RunStarted) -> None:
        if not self._current(message):
            return
        self.train_count, self.test_count = message.train_images, message.test_images
        self.validation_count = message.validation_images
        if self.state == State.LOADING:
            self._set_state(State.TRAINING)
        else:
            self._redraw()

    def on_training_scene_progress(self, message: messages.Progress) -> None:
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
        plot.set_xlim(0, self.plot_epochs)
        self._redraw()

    def on_training_scene_run_done(self, message: messages.RunDone) -> None:
        if not self._current(message):
            return
        done = message.done
        self.final_test = done.test_accuracy
        self.stopped_at = (message.epoch, message.batch, message.batches)
        self.checkpoint = message.checkpoint
        if message.learner:
            self.note = "runs of your LeNet-5 are not kept: later lessons use the reference engine's models"
        elif message.saved is not None:
            where = short_path(message.saved)
            if done.reason == "stopped":
                again = " --data fashion-mnist" if self.data.key == "fashion-mnist" else ""
                self.note = (f"checkpoint saved to {where}. c continues here; or: "
                             f"dl-tutor train {self.model_name}{again} --resume {where}")
            else:
                self.note = run_note(message.run, where)
        elif message.save_error:
            self.note = message.save_error
        else:
            self.note = "stopped before its first batch: nothing was trained, nothing saved"
        self.refresh_runs()
        self._set_state(ended_by(done.reason))

    def on_training_scene_results_ready(self, message: messages.ResultsReady) -> None:
        if not self._current(message):
            return
        self.results = message.results
        SESSION_RESULTS[(message.results.data_key, message.results.model)] = message.results
        if self.state == State.EVALUATING:
            self._set_state(State.IDLE)
        self._redraw()
        self.refresh_bindings()

    def on_training_scene_run_failed(self, message: messages.RunFailed) -> None:
        if not self._current(message):
            return
        if self.state == State.EVALUATING:
            self.results_note = message.error
            self._set_state(State.IDLE)
            return
        if message.learner:  # the line says it; the next run trains the reference engine
            self.learner.problem = message.error
            self.note = ""
        else:
            self.note = message.error
        self._set_state(State.ERROR)

    def _set_state(self, state: State) -> None:
        """Change the state, mirror it in `playing` (the transport bar) and redraw."""
        self.state = state
        playing = state in (State.LOADING, State.TRAINING)
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
        """Bring every widget up to date with the state (UI thread only; `view.redraw`)."""
        if self.drawable:
            redraw(self)
