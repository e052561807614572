"""Running a training (or evaluation) run in a worker thread, without the app.

`Run` is the control the UI thread holds: a run id (the scene ignores messages of an older run)
and the run's `Trainer`, stopped, paused and resumed through the Trainer's own `stop()`,
`pause()` and `resume()`. `train` and `evaluate` are the bodies of the worker threads: they take
plain data, a `post` callable for the messages of `messages.py`, and a `cancelled` callable, and
never touch a widget; tests call them directly.

With `learner` (the path of their lenet_train.py), `train` trains the learner's own LeNet-5 in its
sandboxed child (`tutor.exercises.learner_trainer.LearnerTrainer`, the Trainer's `outside`
network): the same loop and messages, but nothing is saved (no checkpoint, no kept run, no
model file: the lessons' models come from the reference engine), no results are computed, and
their code failing is a `RunFailed` with `learner=True` and its one line. Stopping it kills the
child at once (the batch in flight is not kept; nothing else is lost).

`Trainer`, `model_path`, `stopped_path` and `find_model` are looked up in the package
`tutor.scenes.training` at each call, where tests replace them.
"""

from __future__ import annotations

import importlib
import itertools
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tutor.allocator import tune_allocator
from tutor.data import DataSet, describe, first_line, load_digits
from tutor.engines import mnist
from tutor.engines.train import (
    BatchRecord,
    Checkpoint,
    DoneRecord,
    EpochRecord,
    Interrupted,
    TrainConfig,
    Trainer,
)
from tutor.exercises.catalogue import Limits
from tutor.exercises.learner_trainer import LearnerFailed, LearnerTrainer
from tutor.model_files import SaveError, save_checkpoint
from tutor.scenes.training.messages import (
    Progress,
    ResultsReady,
    RunDone,
    RunFailed,
    RunStarted,
)
from tutor.runs import record_run
from tutor.scenes.training.results import compute_results, short_path
from tutor.terminal import low_bandwidth

#: At most one progress record (one point of the loss curve) per this many seconds.
REPORT_SECONDS = 0.1
#: At most one progress message to the UI per this many seconds (each carries every record so
#: far, so nothing is lost): redrawing less often leaves the CPU, and the GIL, to training.
POST_SECONDS = 0.25
#: The same in `--low-bandwidth` mode.
LOW_BANDWIDTH_POST_SECONDS = 1.0

#: Where a worker sends its messages (the scene's `post_message`; a list's `append` in tests).
Post = Callable[[Any], object]

_RUN_IDS = itertools.count(1)


def package() -> Any:
    """The package `tutor.scenes.training`, whose names tests replace (`Trainer`, `model_path`, ...)."""
    return importlib.import_module(__package__)


class Run:
    """One training (or evaluation) run: its id and thread-safe control of its Trainer.

    The Trainer is built in the worker thread (it needs the data); a stop or pause asked before
    it exists is handed to the Trainer's own `stop()`/`pause()` as soon as it is attached.
    """

    def __init__(self, run_id: int | None = None) -> None:
        self.id = next(_RUN_IDS) if run_id is None else run_id
        self.trainer: Trainer | None = None
        self._lock = threading.Lock()
        self._stop_asked = False
        self._pause_asked = False
        self.discard = False
        """True when the run is thrown away (reset, a new run): no checkpoint is saved."""
        self.abandoned = False
        """True once the scene has let go of the run (its messages would be ignored): the thread
        saves what it must and ends, without computing results nobody will see."""
        self.finished = threading.Event()
        """Set when the worker thread has ended (after saving any checkpoint)."""
        self.saved: Path | None = None
        """Where the thread saved the model or checkpoint, once it has."""
        self.outside: LearnerTrainer | None = None
        """The learner's network in its child, on a run of their code (stop kills it)."""

    def attach_outside(self, outside: LearnerTrainer) -> None:
        """Hand the run the learner's child before it starts (a stop asked already kills it)."""
        with self._lock:
            self.outside = outside
            if self._stop_asked:
                outside.interrupt()

    def attach(self, trainer: Trainer) -> None:
        """Hand the run its trainer (from the worker thread), with any stop or pause asked so far."""
        with self._lock:
            self.trainer = trainer
            if self._stop_asked:
                trainer.stop()
            elif self._pause_asked:
                trainer.pause()

    @property
    def stopped(self) -> bool:
        """Whether stop() was called (or the trainer was stopped)."""
        trainer = self.trainer
        return self._stop_asked or (trainer is not None and trainer.stopping)

    def stop(self) -> None:
        """Stop after the current batch (or before the first)."""
        with self._lock:
            self._stop_asked = True
            if self.trainer is not None:
                self.trainer.stop()
            if self.outside is not None:
                self.outside.interrupt()

    def pause(self) -> None:
        """Hold before the next batch."""
        with self._lock:
            if self.trainer is None:
                self._pause_asked = True
            else:
                self.trainer.pause()

    def resume(self) -> None:
        """Continue after pause()."""
        with self._lock:
            self._pause_asked = False
            if self.trainer is not None:
                self.trainer.resume()


def train(run: Run, config: TrainConfig, checkpoint: Checkpoint | None, xp: Any, post: Post,
          cancelled: Callable[[], bool] = lambda: False, data: DataSet | None = None,
          learner: Path | None = None, limits: Limits | None = None) -> None:
    """Load the data set `data` (default: the app's), train, save (under that data set's
    model paths), and compute the results, posting messages as it goes; `run.finished` is set
    when it returns. With `learner` (their lenet_train.py), train their LeNet-5 in its child
    (under `limits`, default `learner_trainer.TRAINER_LIMITS`) and save nothing."""
    gone = lambda: cancelled() or run.abandoned  # noqa: E731
    data = describe() if data is None else data
    try:
        if learner is None:
            _train(run, config, checkpoint, xp, post, gone, data)
            return
        outside = LearnerTrainer(learner, data.folder, limits)
        run.attach_outside(outside)
        try:
            _train(run, config, None, xp, post, gone, data, outside)
        finally:
            outside.close()
    finally:
        run.finished.set()


def _train(run: Run, config: TrainConfig, checkpoint: Checkpoint | None, xp: Any, post: Post,
           gone: Callable[[], bool], data: DataSet, outside: LearnerTrainer | None = None) -> None:
    """The body of `train`; `gone()` turns true when the app cancels the worker or the scene lets go."""
    names = package()
    tune_allocator()
    try:
        digits = load_digits(data.folder)
    except (mnist.DataError, OSError, ValueError) as error:
        post(RunFailed(run.id, first_line(error)))
        return
    try:
        if outside is not None:
            try:
                outside.start()
                outside.init(config.seed, config.optimizer, config.learning_rate(), config.momentum)
            except Interrupted:
                if not gone():  # stopped while their code was starting: nothing ran
                    post(RunDone(run.id, DoneRecord("stopped", 0, None, None, 0.0), None, "", None, 0, 0, None,
                                 learner=True))
                return
        trainer = names.Trainer(
            config, (digits.train_images, digits.train_labels), (digits.test_images, digits.test_labels),
            xp=xp, checkpoint=checkpoint, outside=outside,
        )
        run.attach(trainer)
        held_out = 0 if trainer.val_images is None else len(trainer.val_images)
        post(RunStarted(run.id, len(trainer.images), len(trainer.test_images), trainer.batches_per_epoch(),
                        held_out))
        losses: list[tuple[float, float]] = []
        epochs: list[EpochRecord] = []
        last: BatchRecord | None = None
        done: DoneRecord | None = None
        posted = 0.0
        post_seconds = LOW_BANDWIDTH_POST_SECONDS if low_bandwidth() else POST_SECONDS
        for record in trainer.run():
            if gone():
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
            post(Progress(run.id, tuple(losses), tuple(epochs), last))
            posted = time.monotonic()
        was_gone = gone()
        if done is None or (was_gone and run.discard):
            return
        if outside is not None:  # their network is in its child: nothing to save or test here
            if not was_gone:
                post(Progress(run.id, tuple(losses), tuple(epochs), last))
                post(RunDone(run.id, done, None, "", None, trainer.epoch, trainer.batch,
                             trainer.batches_per_epoch(), learner=True))
            return
        stopped = done.reason == "stopped"
        if stopped and trainer.epoch == 0 and trainer.batch == 0:  # nothing worth keeping
            if not was_gone:  # the scene waits for the end of the run it stopped
                post(RunDone(run.id, done, None, "", None, 0, 0, trainer.batches_per_epoch()))
            return
        path = names.stopped_path(config.model, data.key) if stopped else names.model_path(config.model, data.key)
        saved, save_error, kept_run = None, "", None
        try:
            if stopped:
                save_checkpoint(trainer, path, data=data.key)
            else:  # kept in the runs; the model lessons use only if it scores at least as well
                kept_run = record_run(trainer, epochs, done, data.key, home=path)
                path = path if kept_run.promoted else kept_run.path
            saved = run.saved = path
            if not stopped:  # a finished model supersedes an older stopped run
                names.stopped_path(config.model, data.key).unlink(missing_ok=True)
        except OSError as error:  # SaveError (one line naming the path) or what the disk said
            reason = (str(error).replace(str(path), short_path(path)) if isinstance(error, SaveError)
                      else f"{short_path(path)}: {error.strerror or error}")
            save_error = f"could not save {reason}"
        if was_gone or gone():  # the lesson was left or the app quits
            return
        post(Progress(run.id, tuple(losses), tuple(epochs), last))
        kept = None
        if stopped:
            kept = Checkpoint(
                model=trainer.model, config=trainer.config, epoch=trainer.epoch, batch=trainer.batch,
                optimizer_state=trainer.optimizer.state(), best_test_accuracy=trainer.best,
            )
        post(RunDone(run.id, done, saved, save_error, kept, trainer.epoch, trainer.batch,
                     trainer.batches_per_epoch(), kept_run))
        source = "your model, stopped early" if stopped else "your model, trained just now"
        results = compute_results(
            trainer.model, np.asarray(digits.test_images[: len(trainer.test_images)]),
            np.asarray(digits.test_labels[: len(trainer.test_images)]), name=config.model, source=source,
            cancelled=gone, data=data,
        )
        if results is not None:
            post(ResultsReady(run.id, results))
    except LearnerFailed as error:  # their code: one line, and the scene goes back to the reference
        if not gone():
            post(RunFailed(run.id, str(error), learner=True))
    except Exception as error:  # noqa: BLE001 - a broken run is one sentence, never a crash
        post(RunFailed(run.id, first_line(error)))


def evaluate(run: Run, name: str, test_limit: int, xp: Any, post: Post,
             cancelled: Callable[[], bool] = lambda: False, data: DataSet | None = None) -> None:
    """Find a trained model of the data set `data` (default: the app's) and compute its results
    on the first `test_limit` of its test images (0: all)."""
    try:
        data = describe() if data is None else data
        digits = load_digits(data.folder)
        model, source = package().find_model(name, xp, data.key)
        if model is None:
            post(RunFailed(run.id, source))
            return
        count = test_limit or len(digits.test_images)
        results = compute_results(
            model, np.asarray(digits.test_images[:count]), np.asarray(digits.test_labels[:count]),
            name=name, source=source, cancelled=lambda: cancelled() or run.stopped, data=data,
        )
        if results is not None:
            post(ResultsReady(run.id, results))
    except Exception as error:  # noqa: BLE001
        post(RunFailed(run.id, first_line(error)))
