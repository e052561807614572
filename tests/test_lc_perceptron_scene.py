"""The perceptron-training scene on the perceptron-rule exercise's step trains with the learner's
own `perceptron_update` once it passes.

The real app through Pilot on a fixture course (the shipped step's scene and parameters: the
seed's test problem from w = [1.0, -0.8], no bias), the workspace in tmp_path. The reference
solution gives the seed's [2.0, 1.2] -> [3.0, -0.8] -> [3.0, 0.2]; a recognisably different
rule (steps of 2p) recorded as passed gives its own weights, marked as theirs; a rule that
returns the wrong kind of value gives one line and the reference run.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.exercise_host import exercise_course, SCENE_TEST_LIMITS, settle_learner, use_workspace, write_learner_file
from tests.scene_host import shown_text
from tutor.app import make_app
from tutor.content import load_course
from tutor.engines.perceptron import DATASETS, run_training
from tutor.exercises.catalogue import get
from tutor.paths import default_lessons_dir
from tutor.scenes.perceptron_training import PerceptronTrainingScene, run_from_weights

EXERCISE = get("perceptron-rule")
#: The learner's rule, recognisably different: w + 2·e·p.
DOUBLE_STEP = EXERCISE.solution_text() + textwrap.dedent("""

    _reference = perceptron_update


    def perceptron_update(w, b, p, t, use_bias=True):
        w_new, b_new = _reference(w, b, p, t, use_bias)
        return w + 2 * (w_new - w), b_new
    """)
WRONG_KIND = "def perceptron_update(w, b, p, t, use_bias=True):\n    return w\n"


def _shipped_step() -> tuple[str, dict]:
    """The scene and parameters of the shipped exercise step."""
    lesson = load_course(default_lessons_dir()).lesson("perceptron-rule")
    step = next(s for s in lesson.steps if s.exercise == "perceptron-rule")
    return step.scene, step.scene_params


def _course(root: Path) -> Path:
    scene, params = _shipped_step()
    return exercise_course(root, "perceptron-rule", scene=scene, scene_params=params)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_workspace(tmp_path, monkeypatch, LEARNER_LIMITS=(PerceptronTrainingScene, SCENE_TEST_LIMITS))


def _write(workspace: Path, text: str) -> None:
    write_learner_file(workspace, EXERCISE, text)


def line(scene) -> str:
    widget = scene.query_one("#pt-learner", Static)
    return shown_text(widget).strip() if widget.display else ""


async def _settle(pilot, scene) -> None:
    await settle_learner(pilot, scene, "rule")


def test_the_shipped_step_shows_the_seeds_problem() -> None:
    scene, params = _shipped_step()
    assert scene == "perceptron-training"
    assert params["dataset"] == "seed-test" and params["weights"] == [1.0, -0.8]
    assert params["use_bias"] is False


def test_run_from_weights_agrees_with_the_engine() -> None:
    data = DATASETS["and"]
    reference = run_training(data.inputs, data.targets, (0.0, 0.0), 0.0, use_bias=True, max_epochs=10)
    rebuilt = run_from_weights(data.inputs, data.targets, (0.0, 0.0), 0.0,
                               [u.w_after for u in reference.updates],
                               [u.b_after for u in reference.updates])
    assert rebuilt == reference


async def test_the_solution_gives_the_seeds_weights(tmp_path: Path, workspace: Path) -> None:
    _write(workspace, EXERCISE.solution_text())
    app = make_app(_course(tmp_path / "c"), home=tmp_path / "home", open_lesson="hands-on")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        scene = app.screen.scene
        assert isinstance(scene, PerceptronTrainingScene)
        await _settle(pilot, scene)
        assert line(scene) == "▶ your perceptron_update from perceptron_rule.py"
        assert scene.run is not scene.reference_run
        assert [u.w_after for u in scene.run.updates[:3]] == [(2.0, 1.2), (3.0, -0.8), (3.0, 0.2)]
        assert scene.run == scene.reference_run  # the same numbers, computed by their code


async def test_a_different_rule_shows_its_own_weights(tmp_path: Path, workspace: Path) -> None:
    _write(workspace, DOUBLE_STEP)
    app = make_app(_course(tmp_path / "c"), home=tmp_path / "home", open_lesson="hands-on")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        scene = app.screen.scene
        await _settle(pilot, scene)
        assert line(scene).startswith("▶ your perceptron_update")
        assert scene.run.updates[0].w_after == (3.0, 3.2)  # [1, -0.8] + 2·[1, 2]
        await pilot.press("full_stop")
        await pilot.pause()
        shown = shown_text(scene.query_one("#pt-step", Static))
        assert "[3, 3.2]" in shown
        assert app.screen.query_one("#transport").total == scene.total_frames


async def test_a_wrong_value_gives_one_line_and_the_reference(tmp_path: Path, workspace: Path) -> None:
    _write(workspace, WRONG_KIND)
    app = make_app(_course(tmp_path / "c"), home=tmp_path / "home", open_lesson="hands-on")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        scene = app.screen.scene
        await _settle(pilot, scene)
        words = line(scene)
        assert "perceptron_update returned an array of shape (2,)" in words
        assert words.endswith("showing the reference engine")
        assert scene.run is scene.reference_run
