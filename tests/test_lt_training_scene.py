"""The training scene on the lenet-train exercise step trains the learner's own LeNet-5 once it passes.

The real app through Pilot on a fixture course whose exercise step (lenet-train) has the
training scene with a tiny run (64 training images, 100 test images), the workspace in
tmp_path. A learner file that is recognisably different (its loss is the real one plus 100, its
network always says 0) and recorded as passed trains in its child: the line says it is theirs,
and the loss curve, the table and the accuracy are their numbers; nothing is saved. A file that
raises gives one line, and the next run trains the reference engine. Quitting during a paused
run of their code leaves no process behind. The line before the
exercise passes is checked on the scene alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from textual.widgets import Static

from tests.exercise_host import exercise_course, use_workspace, write_learner_file
from tests.scene_host import shown_text
from tests.test_lt_learner_trainer import EXERCISE, MARKED, gone, hostile, workspace
from tutor.app import make_app
from tutor.data import load_digits
from tutor.exercises.catalogue import GIB, Limits
from tutor.models import model_path
from tutor.paths import shipped_data_dir
from tutor.scenes.training import TrainingScene
from tutor.scenes.training.state import ENDED, State

PARAMS = {"model": "lenet", "optimizer": "sgd", "lr": 0.05, "batch_size": 32, "epochs": 1,
          "train_limit": 64, "test_limit": 100}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    limits = Limits(wall_seconds=10.0, cpu_seconds=120, memory_bytes=2 * GIB)
    return use_workspace(tmp_path, monkeypatch, LEARNER_LIMITS=(TrainingScene, limits))


def _app(tmp_path: Path) -> Any:
    course = exercise_course(tmp_path / "c", "lenet-train", scene="training", scene_params=PARAMS)
    return make_app(course, home=tmp_path / "home", open_lesson="hands-on")


def line(scene: TrainingScene) -> str:
    widget = scene.query_one("#tr-learner", Static)
    return shown_text(widget).strip() if widget.display else ""


async def _until_over(pilot: Any, scene: TrainingScene) -> None:
    """Pause until the run has ended (a hang guard, not a timing)."""
    for _ in range(1200):
        await pilot.pause(0.05)
        if scene.state in ENDED or scene.state == State.ERROR:
            await pilot.pause()
            return
    raise AssertionError(f"the run never ended: {scene.state}")


async def test_their_lenet_trains_with_their_numbers(tmp_path: Path, folder: Path) -> None:
    workspace(folder, MARKED)
    write_learner_file(folder, EXERCISE, MARKED, passed=True)
    app = _app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        scene = app.screen.scene
        assert isinstance(scene, TrainingScene)
        assert line(scene) == "▶ your LeNet-5 from lenet_train.py"
        scene.focus()
        await pilot.press("space")
        await _until_over(pilot, scene)
        assert scene.state == State.FINISHED, scene.note
        assert scene.learner_run and line(scene) == "▶ your LeNet-5 from lenet_train.py"
        assert scene.losses and all(loss > 100 for _, loss in scene.losses)  # their loss, + 100
        (epoch,) = scene.epoch_records
        labels = load_digits(shipped_data_dir("mnist")).test_labels[:100]
        assert epoch.test_accuracy == pytest.approx(np.mean(labels == 0))  # their network: always 0
        assert "not kept" in scene.note
        assert not model_path("lenet", "mnist").exists()
        # Again, paused as it starts: their child waits; quitting the app kills it.
        # (Through the scene's own action: the keys were pressed above, and two presses in
        # a row raced a tiny run that could end between them.)
        scene.toggle_play()
        scene.toggle_play()
        assert scene.state == State.PAUSED
        for _ in range(1200):
            await pilot.pause(0.05)
            if scene._run is not None and scene._run.trainer is not None:
                break
        assert scene.state == State.PAUSED
        child = scene._run.outside
        assert child is not None and child.alive
    assert gone(child.pid)


async def test_code_that_raises_is_one_line_then_the_reference_trains(tmp_path: Path, folder: Path) -> None:
    text = hostile("return 1 / 0\n")
    workspace(folder, text)
    write_learner_file(folder, EXERCISE, text, passed=True)  # passed once, broken since
    app = _app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        scene = app.screen.scene
        scene.focus()
        await pilot.press("space")
        await _until_over(pilot, scene)
        assert scene.state == State.ERROR
        words = line(scene)
        assert words.startswith("✗ your LeNet-5: lenet_train.py line 5: ZeroDivisionError"), words
        assert words.endswith("space trains the reference engine")
        await pilot.press("space")  # the reference engine now
        await _until_over(pilot, scene)
        assert scene.state == State.FINISHED and not scene.learner_run
        assert all(loss < 100 for _, loss in scene.losses)


def test_before_it_passes_the_line_names_the_reference(tmp_path: Path) -> None:
    scene = TrainingScene(PARAMS)
    assert scene.learner_line() == ("", "")  # a step without an exercise says nothing
    path = workspace(tmp_path / "ws", EXERCISE.starter_text())
    scene.use_learner_code("lenet-train", path, False)
    assert scene.learner_line() == ("reference", "reference engine: your LeNet-5 takes over once it passes")
    assert not scene.trains_learner_code
    scene.use_learner_code("lenet-train", path, True)
    assert scene.learner_line() == ("yours", "▶ your LeNet-5 from lenet_train.py")
    assert scene.trains_learner_code
