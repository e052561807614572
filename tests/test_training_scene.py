"""The live training scene: a real (tiny) training run in a thread worker, driven through Pilot.

MNIST is loaded once per test module and the scene's loader is pointed at a small slice of it
(1,000 training and 300 test digits), so every run finishes in well under a second.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from tests.scene_host import SceneHost, course_with, shown_text
from tutor.engines import mnist
from tutor.engines.train import BatchRecord, EpochRecord, TrainConfig, Trainer, evaluate
from tutor.model_files import load_model, save_checkpoint
from tutor.scenes import training
from tutor.scenes.registry import SCENES, check_param, load_scene_class
from tutor.scenes.training import (
    SESSION_RESULTS,
    TrainingScene,
    compute_results,
    describe_model,
    epoch_table,
    model_path,
    stopped_path,
)
from tutor.widgets.confusion import ConfusionMatrix
from tutor.widgets.gallery import MistakeGallery
from tutor.widgets.image import HalfBlockImage
from tutor.scenes.training.runs_view import runs_series
from tutor.widgets.plot import Plot

LESSONS = Path(__file__).resolve().parent.parent / "lessons"

#: A run that ends quickly: 1,000 images in batches of 50, 300 test digits.
QUICK = {"model": "mlp-30-sigmoid", "optimizer": "sgd", "lr": 0.1, "batch_size": 50, "epochs": 2,
         "train_limit": 1000, "test_limit": 300}
#: A run that lasts: 40 epochs of batches of 8 (5,000 steps), for pause, stop and unmount.
LONG = {**QUICK, "batch_size": 8, "epochs": 40}


@pytest.fixture(scope="module")
def real_digits() -> Any:
    """1,000 training and 300 test digits of the shipped MNIST, loaded once."""
    digits = mnist.load_digits()
    return SimpleNamespace(
        train_images=digits.train_images[:1000].copy(), train_labels=digits.train_labels[:1000].copy(),
        test_images=digits.test_images[:300].copy(), test_labels=digits.test_labels[:300].copy(),
        info=digits.info,
    )


@pytest.fixture
def digits(real_digits: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The scene loads the small slice; session results start empty."""
    monkeypatch.setattr(mnist, "load_digits", lambda *a, **k: real_digits)
    SESSION_RESULTS.clear()
    yield real_digits
    SESSION_RESULTS.clear()


class SteppedTrainer(Trainer):
    """A Trainer that waits after every progress record it yields until the test calls
    `step()` (or `stop()`), so a test meets the run mid-way however fast the machine is.

    The wait sits between records, outside the real `pause()`/`resume()` control, so tests
    still see what the scene's own pause does."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._go = threading.Semaphore(0)
        self._waiting = threading.Event()

    @property
    def waiting(self) -> bool:
        """Whether the run is waiting for `step()` after a record."""
        return self._waiting.is_set()

    def step(self) -> None:
        """Let the run go on to its next record."""
        self._go.release()

    def stop(self) -> None:
        """Stop after the current batch, waiting or not."""
        super().stop()
        self._go.release()

    def run(self):  # type: ignore[override]
        for record in super().run():
            yield record
            if isinstance(record, BatchRecord):
                self._waiting.set()
                self._go.acquire()
                self._waiting.clear()


@pytest.fixture
def stepped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every run the scene starts waits after each progress record until the test moves it."""
    monkeypatch.setattr(training, "Trainer", SteppedTrainer)


async def _until(pilot: Any, condition: Any, timeout: float = 15.0) -> None:
    """Let the app run until `condition()` is true (fail after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the scene"
        await pilot.pause(0.02)


def _state(scene: TrainingScene) -> str:
    return shown_text(scene.query_one("#tr-state"))


# --- registry and pure helpers ----------------------------------------------------------------------


def test_registered_with_its_params() -> None:
    spec = SCENES["training"]
    assert load_scene_class("training") is TrainingScene
    assert check_param(spec.params["model"], "lenet") is None
    assert check_param(spec.params["model"], "vgg") is not None
    assert check_param(spec.params["optimizer"], "sgd") is None
    assert check_param(spec.params["target_accuracy"], 0.95) is None
    assert check_param(spec.params["view"], "results") is None
    assert check_param(spec.params["train_limit"], 256) is None


def test_parameter_counts_come_from_the_model() -> None:
    assert describe_model("mlp-30-sigmoid") == [
        "784-30-10 sigmoid: 23,860 parameters", "hidden 784 x 30 + 30 = 23,550", "output 30 x 10 + 10 = 310",
    ]
    assert describe_model("mlp-128-relu")[0] == "784-128-10 relu: 101,770 parameters"
    lenet = describe_model("lenet")
    assert lenet[0] == "LeNet-5: 61,706 parameters"
    assert "C5 48,120" in lenet[1] and "F6 10,164" in lenet[2]


def test_dense_param_predict_question() -> None:
    from tutor.engines.dense_params import mlp_param_count
    from tutor.quiz.predict import generate

    assert mlp_param_count((784, 30, 10)) == 23_860 and mlp_param_count((784, 128, 10)) == 101_770
    for seed in range(20):
        layer = generate("dense.param_count", seed)
        inputs, units = int(layer.values["inputs"]), int(layer.values["units"])
        assert layer.kind == "number" and layer.answer == inputs * units + units
        assert layer.values["answer"] == f"{inputs * units + units:,}"
        net = generate("dense.param_count", seed, {"network": True})
        hidden = int(net.values["hidden"])
        assert net.answer == mlp_param_count((784, hidden, 10))
    assert generate("dense.param_count", 3).values == generate("dense.param_count", 3).values


def test_epoch_table_marks_the_target() -> None:
    records = [EpochRecord(0, 2, 0.5, 0.85, 0.9449, 3.0, 0.1), EpochRecord(1, 2, 0.2, 0.94, 0.9543, 3.0, 0.085)]
    lines = epoch_table(records, target=0.95).plain.splitlines()
    assert lines[1].split()[:4] == ["1/2", "0.500", "85.0%", "94.49%"] and "✓" not in lines[1]
    assert "95.43%" in lines[2] and lines[2].endswith("✓")
    assert "time" not in epoch_table(records, timing=False).plain
    held = [EpochRecord(0, 2, 0.5, 0.85, None, 3.0, 0.1, validation_accuracy=0.9512)]
    lines = epoch_table(held, target=0.95).plain.splitlines()
    assert "valid." in lines[0] and "test" not in lines[0] and "95.12%" in lines[1] and lines[1].endswith("✓")


def test_compute_results_matches_evaluate(real_digits: Any) -> None:
    config = TrainConfig(model="mlp-30-sigmoid", epochs=1, batch_size=50, lr=0.1, optimizer="sgd", seed=0)
    trainer = Trainer(config, (real_digits.train_images, real_digits.train_labels),
                      (real_digits.test_images, real_digits.test_labels))
    list(trainer.run())
    results = compute_results(trainer.model, real_digits.test_images, real_digits.test_labels,
                              name="mlp-30-sigmoid", source="a test", batch=64)
    accuracy, preds, _ = evaluate(trainer.model, real_digits.test_images, real_digits.test_labels)
    assert results is not None and results.count == 300
    assert results.accuracy == pytest.approx(accuracy)
    assert int(results.matrix.sum()) == 300
    assert int(np.trace(results.matrix)) == int((preds == real_digits.test_labels).sum())
    assert np.array_equal(results.matrix.sum(axis=1), np.bincount(real_digits.test_labels, minlength=10))
    assert all(m.true != m.said for m in results.mistakes)
    confidences = [m.confidence for m in results.mistakes]
    assert confidences == sorted(confidences, reverse=True)
    assert compute_results(trainer.model, real_digits.test_images, real_digits.test_labels,
                           name="x", source="y", cancelled=lambda: True) is None


# --- the scene through Pilot --------------------------------------------------------------------------


async def test_idle_state_and_controls(digits: Any) -> None:
    scene = TrainingScene(dict(QUICK))
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert scene.state == "idle" and not scene.playing
        assert shown_text(scene.query_one("#tr-head")).strip() == "784-30-10 sigmoid: 23,860 parameters"
        assert "hidden 784 x 30 + 30 = 23,550" in shown_text(scene.query_one("#tr-formulas"))
        assert shown_text(scene.query_one("#tr-backend")).strip() == "numpy on the CPU"
        assert "○ idle" in _state(scene)
        assert not scene.query_one("#tr-loss", Plot).display
        controls = shown_text(scene.query_one("#tr-controls"))
        assert "▸ model" in controls and "first 1,000 training images" in controls
        await pilot.press("down", "down", "right_square_bracket")  # batch size 50 -> 64
        assert scene.batch_size == 64
        await pilot.press("down", "left_square_bracket")  # lr 0.1 -> 0.05
        assert scene.lr == 0.05
        await pilot.press("down", "right_square_bracket")  # sgd -> adam, lr back to 0.001
        assert scene.optimizer == "adam" and scene.lr == 0.001
        await pilot.press("down", "right_square_bracket", "right_square_bracket")
        assert scene.target == 0.95
        await pilot.press("up", "right_square_bracket")
        assert scene.optimizer == "sgd" and scene.lr == 0.05
        await pilot.press("down", "down", "down", "right_square_bracket")  # target, data, then wraps to model
        assert scene.model_name == "mlp-128-relu"
        assert "101,770 parameters" in shown_text(scene.query_one("#tr-head"))
        scene.reset()
        await pilot.pause()
        assert (scene.model_name, scene.batch_size, scene.lr, scene.optimizer, scene.target) == (
            "mlp-30-sigmoid", 50, 0.1, "sgd", 0.0)


async def test_train_to_the_end_saves_and_shows_results(digits: Any) -> None:
    scene = TrainingScene(dict(QUICK))
    async with SceneHost(scene).run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        scene.toggle_play()
        assert scene.state == "loading" and scene.playing
        await _until(pilot, lambda: scene.state == "finished" and scene.results is not None)
        assert not scene.playing
        assert len(scene.epoch_records) == 2
        assert scene.epoch_records[-1].test_accuracy > 0.5  # chance is 0.1
        assert scene.losses and scene.losses[-1][0] == pytest.approx(2.0)
        assert scene.query_one("#tr-loss", Plot).display
        state = _state(scene)
        assert "✓ finished" in state and "after 2 epochs" in state
        assert "saved to" in state and model_path("mlp-30-sigmoid").exists()
        assert load_model(model_path("mlp-30-sigmoid")).parameter_count() == 23_860
        table = shown_text(scene.query_one("#tr-epochs"))
        assert "2/2" in table
        # after a run the settings fold to one line; the first key opens them, the next edits
        assert not scene.controls_open
        assert "sgd lr 0.1 · batch 50 · 2 epochs" in shown_text(scene.query_one("#tr-controls"))
        await pilot.press("right_square_bracket")
        assert scene.controls_open and scene.model_name == "mlp-30-sigmoid"
        await pilot.press("down", "right_square_bracket")
        assert scene.epochs == 3
        # the results: counts over the 300 test digits, kept for the session
        assert scene.results.count == 300 and int(scene.results.matrix.sum()) == 300
        assert SESSION_RESULTS[("mnist", "mlp-30-sigmoid")] is scene.results
        assert scene.view == "train"
        await pilot.press("v")
        await pilot.pause()
        assert scene.view == "results"
        assert scene.query_one(ConfusionMatrix).display
        assert scene.query_one(ConfusionMatrix).matrix is scene.results.matrix
        gallery = scene.query_one(MistakeGallery)
        assert gallery.display and len(gallery.query(HalfBlockImage)) == len(scene.results.mistakes) > 0
        assert f"{100 * scene.results.accuracy:.2f}%" in shown_text(scene.query_one("#tr-results-head"))
        assert not scene.query_one("#tr-controls").display


async def test_target_accuracy_stops_early(digits: Any) -> None:
    scene = TrainingScene({**QUICK, "epochs": 10, "target_accuracy": 0.5})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        scene.toggle_play()
        await _until(pilot, lambda: scene.state == "target")
        assert len(scene.epoch_records) == 1
        assert "reached target 50%" in _state(scene)
        assert "✓" in shown_text(scene.query_one("#tr-epochs"))


async def test_a_validation_split_judges_epochs_and_tests_once(digits: Any) -> None:
    scene = TrainingScene({**QUICK, "epochs": 10, "target_accuracy": 0.5, "validation_split": 0.1})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert "last 10% held out for validation" in shown_text(scene.query_one("#tr-controls"))
        scene.toggle_play()
        await _until(pilot, lambda: scene.state == "target")
        assert scene.train_count == 900 and scene.validation_count == 100
        record = scene.epoch_records[-1]
        assert record.test_accuracy is None and record.validation_accuracy >= 0.5
        table = shown_text(scene.query_one("#tr-epochs"))
        assert "valid." in table and f"{100 * record.validation_accuracy:.2f}%" in table and "✓" in table
        assert scene.final_test is not None
        assert f"test accuracy {100 * scene.final_test:.2f}%" in _state(scene)
        assert "measured once, at the end" in _state(scene)


async def test_pause_resume_stop_and_continue(digits: Any, stepped: None) -> None:
    scene = TrainingScene(dict(LONG))
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        scene.toggle_play()
        await _until(pilot, lambda: scene._run.trainer is not None and scene._run.trainer.waiting
                     and scene.last is not None)
        trainer = scene._run.trainer
        assert scene.state == "training"
        scene.toggle_play()
        assert scene.state == "paused" and not scene.playing and trainer.paused
        state = _state(scene)
        assert "‖ paused" in state and "epoch 1/40" in state
        assert f"batch {scene.last.batch}/125" in state  # 1,000 images in batches of 8
        assert "img/s (numpy) · ETA" in state and "space resume · s stop" in state
        trainer.step()  # the run goes on only to the pause, and holds there
        await _until(pilot, lambda: trainer.held)
        held = trainer.batch, trainer.epoch
        await pilot.pause()
        assert (trainer.batch, trainer.epoch) == held and trainer.held  # nothing moves while paused
        # settings are locked during a run
        lr = scene.lr
        await pilot.press("down", "down", "down", "right_square_bracket")
        assert scene.lr == lr
        scene.toggle_play()
        assert scene.state == "training" and scene.playing
        await _until(pilot, lambda: (trainer.batch, trainer.epoch) != held and trainer.waiting)
        scene.action_stop()  # what `s` does; the worker answers within a batch
        assert scene.state == "stopping" and "stopping after this batch" in _state(scene)
        await _until(pilot, lambda: scene.state == "stopped")
        assert trainer.stopping
        state = _state(scene)
        assert "■ stopped in epoch" in state and "checkpoint saved to" in state
        assert stopped_path("mlp-30-sigmoid").exists()
        assert not model_path("mlp-30-sigmoid").exists()  # a stopped run never replaces a model
        assert "--resume" in state and "c continue" in state
        checkpoint = scene.checkpoint
        assert checkpoint is not None and (checkpoint.epoch, checkpoint.batch) == (trainer.epoch, trainer.batch)
        losses_before = len(scene.losses)
        await pilot.press("c")
        assert scene.state in ("loading", "training")
        resumed = scene._run
        await _until(pilot, lambda: resumed.trainer is not None and len(scene.losses) > losses_before)
        assert resumed.trainer.model is checkpoint.model
        assert (resumed.trainer.epoch, resumed.trainer.batch) > (checkpoint.epoch, checkpoint.batch)
        # the continued run goes on from where the stopped one was
        assert scene.losses[losses_before][0] >= scene.losses[losses_before - 1][0]
        await pilot.press("s")  # `s` stops (the key vocabulary: tutor/scenes/keys.py)
        await _until(pilot, lambda: scene.state == "stopped")
        assert scene.checkpoint is not None and scene.checkpoint.epoch >= checkpoint.epoch


async def test_stale_messages_are_ignored(digits: Any) -> None:
    scene = TrainingScene(dict(QUICK))
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        scene.toggle_play()
        await _until(pilot, lambda: scene.state == "finished")
        losses, records = scene.losses, scene.epoch_records
        old = scene._run.id - 1
        fake = EpochRecord(0, 1, 9.9, 0.0, 0.0, 1.0, 0.1)
        scene.post_message(TrainingScene.Progress(old, ((0.5, 9.9),), (fake,), None))
        scene.post_message(TrainingScene.RunFailed(old, "an old run broke"))
        await pilot.pause()
        await pilot.pause()
        assert scene.losses is losses and scene.epoch_records is records
        assert scene.state == "finished" and "old run" not in _state(scene)
        # the same messages with the current id do arrive
        scene.post_message(TrainingScene.Progress(scene._run.id, ((0.5, 9.9),), (fake,), None))
        await pilot.pause()
        await pilot.pause()
        assert scene.losses == ((0.5, 9.9),)


def test_progress_messages_coalesce() -> None:
    older = TrainingScene.Progress(3, (), (), None)
    newer = TrainingScene.Progress(3, ((0.1, 2.0),), (), None)
    other_run = TrainingScene.Progress(4, (), (), None)
    assert newer.can_replace(older) and older.can_replace(newer)
    assert not other_run.can_replace(older)
    assert not newer.can_replace(TrainingScene.RunFailed(3, "x"))


async def test_s_while_paused_stops_where_the_run_is(digits: Any) -> None:
    """Stop means now: a paused run ends at the batch it was paused at, not batches later."""
    scene = TrainingScene(dict(LONG))
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        scene.toggle_play()
        await _until(pilot, lambda: scene._run is not None and scene._run.trainer is not None
                     and scene.last is not None)
        trainer = scene._run.trainer
        scene.toggle_play()  # pause
        await _until(pilot, lambda: trainer.held)
        held = (trainer.epoch, trainer.batch)
        scene.action_stop()
        await _until(pilot, lambda: scene.state == "stopped")
        assert (trainer.epoch, trainer.batch) == held
        assert (scene.checkpoint.epoch, scene.checkpoint.batch) == held


async def test_a_new_run_replaces_the_old_one(digits: Any, stepped: None) -> None:
    scene = TrainingScene(dict(LONG))
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        scene.toggle_play()
        await _until(pilot, lambda: scene._run.trainer is not None and scene._run.trainer.waiting)
        first = scene._run
        scene.reset()  # `r` stops the run and forgets it
        await pilot.pause()
        assert scene.state == "idle" and scene._run is None and first.trainer.stopping
        await pilot.pause(0.2)
        assert scene.state == "idle" and scene.losses == ()  # its late messages changed nothing


async def test_quitting_stops_the_worker_and_saves_a_checkpoint(
    digits: Any, monkeypatch: pytest.MonkeyPatch, stepped: None
) -> None:
    ended = threading.Event()
    original = TrainingScene._train_thread

    def watched(self: TrainingScene, *args: Any) -> None:
        try:
            original(self, *args)
        finally:
            ended.set()

    monkeypatch.setattr(TrainingScene, "_train_thread", watched)
    scene = TrainingScene(dict(LONG))
    app = SceneHost(scene)
    app.exit_notes = []
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        scene.toggle_play()
        await _until(pilot, lambda: scene.last is not None and scene._run.trainer.waiting)
        trainer = scene._run.trainer
        assert scene.state == "training"
        app.exit()
    assert trainer.stopping
    # Quitting stopped the run after its batch and waited for the checkpoint (10 s guards a hang).
    assert await asyncio.to_thread(ended.wait, 10.0)
    path = stopped_path("mlp-30-sigmoid")
    saved = training.load_checkpoint(path)
    assert (saved.epoch, saved.batch) == (trainer.epoch, trainer.batch) and (trainer.epoch, trainer.batch) > (0, 0)
    assert len(app.exit_notes) == 1 and "press c to continue" in app.exit_notes[0]

    # The next visit offers the run; `c` continues it from where it stopped.
    again = TrainingScene(dict(LONG))
    async with SceneHost(again).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert again.state == "stopped" and again.checkpoint is not None
        assert "c continues it" in _state(again) and "after batch" in _state(again)
        await pilot.press("c")
        await _until(pilot, lambda: again.last is not None)
        assert (again.last.epoch, again.last.batch) >= (saved.epoch, saved.batch)
        again.reset()  # a reset discards the continued run: nothing new is saved
        await pilot.pause()
    assert stopped_path("mlp-30-sigmoid").exists()  # the original checkpoint is kept


async def test_c_continues_a_run_with_its_own_recipe_in_another_step(digits: Any) -> None:
    """A run stopped in one step (adam, batches of 8 from 1,000 images) is offered in a step of
    another recipe (sgd, batches of 50 from 500 images): the offer names the run's recipe, and `c`
    goes on with that recipe and that epoch size, shown in the settings."""
    first = TrainingScene({**LONG, "optimizer": "adam", "lr": 0.002})
    async with SceneHost(first).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        first.toggle_play()
        await _until(pilot, lambda: first.last is not None and first.last.batch >= 3)
        first.action_stop()
        await _until(pilot, lambda: first.state == "stopped")
        saved = (first.checkpoint.epoch, first.checkpoint.batch)
    other = TrainingScene({**QUICK, "train_limit": 500, "epochs": 40})
    async with SceneHost(other).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert other.state == "stopped" and "(adam lr 0.002, batch 8)" in _state(other)
        await pilot.press("c")
        # The continued run may even finish before a look (the engine is quick on 1,000 images).
        await _until(pilot, lambda: other._run is not None and other._run.trainer is not None
                     and other.last is not None)
        trainer = other._run.trainer
        assert (trainer.config.optimizer, trainer.config.batch_size, trainer.config.train_limit) == ("adam", 8, 1000)
        assert (other.optimizer, other.batch_size, other.train_limit) == ("adam", 8, 1000)
        assert (other.last.epoch, other.last.batch) >= saved
        assert "adam lr 0.002 · batch 8" in shown_text(other.query_one("#tr-controls"))
        other.action_stop()
        await _until(pilot, lambda: other.state in ("stopped", "finished"))


async def test_reset_discards_a_run(digits: Any, stepped: None) -> None:
    scene = TrainingScene(dict(LONG))
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        scene.toggle_play()
        await _until(pilot, lambda: scene.last is not None and scene._run.trainer.waiting)
        assert scene.state == "training"
        run = scene._run
        scene.reset()
        assert await asyncio.to_thread(run.finished.wait, 5.0)
        assert scene.state == "idle"
    assert not stopped_path("mlp-30-sigmoid").exists()


async def test_paused_run_also_ends_on_quit(digits: Any, stepped: None) -> None:
    scene = TrainingScene(dict(LONG))
    app = SceneHost(scene)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        scene.toggle_play()
        await _until(pilot, lambda: scene._run.trainer is not None)
        scene.toggle_play()
        trainer = scene._run.trainer
        await _until(pilot, lambda: trainer.paused)
    assert trainer.stopping and not trainer.paused


async def test_save_failure_is_one_line(digits: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the models folder should be")
    monkeypatch.setattr(training, "model_path", lambda name, data=None: blocker / f"{name}.npz")
    scene = TrainingScene({**QUICK, "epochs": 1})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        scene.toggle_play()
        await _until(pilot, lambda: scene.state == "finished")
        assert "could not save" in _state(scene) and "not-a-folder" in _state(scene)


async def test_missing_data_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise mnist.DataError("train-images-idx3-ubyte.gz is damaged: reinstall dl-tutor")

    monkeypatch.setattr(mnist, "load_digits", broken)
    scene = TrainingScene(dict(QUICK))
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        scene.toggle_play()
        await _until(pilot, lambda: scene.state == "error")
        assert "✗ could not train" in _state(scene) and "reinstall" in _state(scene)


async def test_results_view_from_the_session(digits: Any) -> None:
    first = TrainingScene({**QUICK, "epochs": 1})
    async with SceneHost(first).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        first.toggle_play()
        await _until(pilot, lambda: first.results is not None)
    kept = SESSION_RESULTS[("mnist", "mlp-30-sigmoid")]
    scene = TrainingScene({**QUICK, "view": "results"})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert scene.view == "results" and scene.results is kept
        assert scene.query_one(ConfusionMatrix).matrix is kept.matrix
        assert "trained just now" in shown_text(scene.query_one("#tr-results-head"))
        await pilot.press("v")  # the first run was kept: its runs come next, then training
        assert scene.view == "runs"
        await pilot.press("v")
        assert scene.view == "train"


async def test_runs_are_kept_and_a_worse_one_never_replaces_the_model(digits: Any) -> None:
    """Two finished runs, the second a hopeless recipe: both are kept and listed side by side,
    the model file the lessons use stays the better one, and the note says so."""
    good = TrainingScene({**QUICK, "epochs": 2, "validation_split": 0.1})
    async with SceneHost(good).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        good.toggle_play()
        await _until(pilot, lambda: good.state == "finished")
        assert "kept with your other runs" in _state(good)
    kept = model_path("mlp-30-sigmoid").read_bytes()
    bad = TrainingScene({**QUICK, "epochs": 1, "lr": 1e-6, "validation_split": 0.1})
    async with SceneHost(bad).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        bad.toggle_play()
        await _until(pilot, lambda: bad.state == "finished")
        assert "your better model" in _state(bad) and "stays the one the lessons use" in _state(bad)
        assert model_path("mlp-30-sigmoid").read_bytes() == kept  # not replaced
        assert len(bad.runs) == 2 and bad.runs[0].score > bad.runs[1].score
        while bad.view != "runs":
            await pilot.press("v")
        table = shown_text(bad.query_one("#tr-runs"))
        assert "2 runs kept" in table and table.count("★") == 2  # the legend and the best run
        best_line = next(line for line in table.splitlines() if line.startswith("★"))
        lines = table.splitlines()
        assert "valid." in best_line and "sgd 0.1, batch 50, 2 epochs" in lines[lines.index(best_line) + 1]
        assert "sgd 1e-06, batch 50, 1 epoch" in table
        assert bad.query_one("#tr-runs-plot", Plot).display
        accuracy = [list(line[2]) for line in runs_series(bad.runs)]
        assert accuracy[0] == [100 * e.validation_accuracy for e in good.epoch_records]
        await pilot.press("l")  # the same runs' training loss per epoch
        assert bad.runs_curves == "loss"
        assert [list(line[2]) for line in runs_series(bad.runs, "loss")][0] == pytest.approx(
            [e.train_loss for e in good.epoch_records], abs=1e-6)
        assert not bad.query_one("#tr-controls").display and not bad.query_one("#tr-loss").display


async def test_results_view_loads_a_saved_model_or_explains(digits: Any) -> None:
    scene = TrainingScene({**QUICK, "model": "mlp-128-relu", "view": "results"})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await _until(pilot, lambda: scene.state == "idle")
        assert scene.results is None
        assert "No trained mlp-128-relu yet" in shown_text(scene.query_one("#tr-results-head"))
        assert not scene.query_one(ConfusionMatrix).display
    # a model saved by an earlier session (or `dl-tutor train`) is found and tested
    config = TrainConfig(model="mlp-128-relu", epochs=1, batch_size=50, optimizer="adam")
    trainer = Trainer(config, (digits.train_images, digits.train_labels), (digits.test_images, digits.test_labels))
    list(trainer.run())
    save_checkpoint(trainer, model_path("mlp-128-relu"))
    scene = TrainingScene({**QUICK, "model": "mlp-128-relu", "view": "results"})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await _until(pilot, lambda: scene.results is not None)
        assert scene.results.count == 300
        assert "your model (" in shown_text(scene.query_one("#tr-results-head"))


# --- the look ---------------------------------------------------------------------------------------


def _fixed_results(digits: Any) -> None:
    """Results of a fixed small 784-128-10 (seed 0, 1,000 images, one epoch), kept for the session."""
    config = TrainConfig(model="mlp-128-relu", epochs=1, batch_size=50, lr=0.002, optimizer="adam", seed=0)
    trainer = Trainer(config, (digits.train_images, digits.train_labels), (digits.test_images, digits.test_labels))
    list(trainer.run())
    SESSION_RESULTS[("mnist", "mlp-128-relu")] = compute_results(
        trainer.model, digits.test_images, digits.test_labels, name="mlp-128-relu",
        source="your model, trained just now",
    )


#: look -> (lesson, step id); "results" looks open on a fixed model's results.
LOOKS = {
    "dense-idle": ("mnist-dense", "mini-batches"),
    "lenet-idle": ("train-lenet", "one-epoch"),
    "dense-results": ("mnist-dense", "mistakes"),
}


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("look", sorted(LOOKS))
def test_snapshots(
    snap_compare: Any, tmp_path: Path, digits: Any, monkeypatch: pytest.MonkeyPatch, look: str,
    size: tuple[int, int],
) -> None:
    from tutor.app import make_app

    monkeypatch.setattr(HalfBlockImage, "color_capable", property(lambda self: True))
    monkeypatch.delenv("NO_COLOR", raising=False)
    lesson, step = LOOKS[look]
    if look.endswith("results"):
        _fixed_results(digits)
    app = make_app(course_with(tmp_path, [("images", "Images", ["mnist-dense"]), ("lenet", "Training LeNet-5", ["train-lenet"])]), home=tmp_path / "home", open_lesson=lesson)

    async def run_before(pilot: Any) -> None:
        screen = pilot.app.screen
        await screen.show_step(screen.lesson.step_index(step))
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(app, run_before=run_before, terminal_size=size)


async def test_stop_while_the_data_loads_ends_the_run(digits: Any) -> None:
    """`s` before the first batch (the data still loading) ends the run as stopped, with a line
    saying nothing was kept: the scene never waits on "stopping" for a run that trained nothing."""
    scene = TrainingScene(dict(LONG))
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        scene.toggle_play()
        assert scene.state == "loading"
        scene.action_stop()  # before the worker thread has begun
        await _until(pilot, lambda: scene.state == "stopped")
        assert scene.checkpoint is None and "nothing was trained, nothing saved" in scene.note
        assert not training.stopped_path(scene.model_name).exists()
