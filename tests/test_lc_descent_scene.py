"""The descent-1d scene on the descent-one-weight exercise's step descends with the learner's own
`one_weight_grad` once it passes.

The real app through Pilot on a fixture course holding the shipped lesson's exercise step (its
scene and parameters: w0 = 4, lr = 0.1), the workspace in tmp_path. The reference solution gives
the reference run; a recognisably different gradient (twice the true one) recorded as passed
gives its own steps (4 -> 1 instead of 4 -> 2.5), marked as theirs, also after a new learning
rate; a gradient that raises or returns two numbers gives one line and the reference run.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.exercise_host import SCENE_TEST_LIMITS, settle_learner, use_workspace, write_learner_file
from tests.scene_host import course_with, shown_text
from tutor.app import make_app
from tutor.exercises.catalogue import get
from tutor.scenes.descent_1d import Descent1DScene

EXERCISE = get("descent-one-weight")
TWICE = EXERCISE.solution_text() + textwrap.dedent("""

    _reference = one_weight_grad


    def one_weight_grad(w, x, z):
        return 2 * _reference(w, x, z)
    """)
RAISES = "def one_weight_grad(w, x, z):\n    raise ValueError('not yet')\n"
TWO_NUMBERS = "import numpy as np\n\n\ndef one_weight_grad(w, x, z):\n    return np.array([1.0, 2.0])\n"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_workspace(tmp_path, monkeypatch, LEARNER_LIMITS=(Descent1DScene, SCENE_TEST_LIMITS))


def _write(workspace: Path, text: str) -> None:
    write_learner_file(workspace, EXERCISE, text)


def line(scene) -> str:
    widget = scene.query_one("#d1-learner", Static)
    return shown_text(widget).strip() if widget.display else ""


async def _open(tmp_path: Path, pilot_size=(80, 24)):
    course = course_with(tmp_path, [("u", "Unit", ["descent-one-weight"])])
    app = make_app(course, home=tmp_path / "home", open_lesson="descent-one-weight")
    return app


async def _to_exercise_step(pilot) -> Descent1DScene:
    screen = pilot.app.screen
    index = next(i for i, s in enumerate(screen.lesson.steps) if s.exercise == "descent-one-weight")
    await screen.show_step(index)
    await pilot.pause()
    scene = screen.scene
    assert isinstance(scene, Descent1DScene)
    return scene


async def _settle(pilot, scene) -> None:
    await settle_learner(pilot, scene, "gradient")


async def test_the_solution_gives_the_reference_run(tmp_path: Path, workspace: Path) -> None:
    _write(workspace, EXERCISE.solution_text())
    app = await _open(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        scene = await _to_exercise_step(pilot)
        await _settle(pilot, scene)
        assert line(scene) == "▶ your one_weight_grad from descent_one_weight.py"
        assert scene.steps is not scene.reference_steps and scene.steps == scene.reference_steps


async def test_a_different_gradient_shows_its_own_steps(tmp_path: Path, workspace: Path) -> None:
    _write(workspace, TWICE)
    app = await _open(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        scene = await _to_exercise_step(pilot)
        await _settle(pilot, scene)
        assert line(scene).startswith("▶ your one_weight_grad")
        assert scene.reference_steps[0].params_after == (2.5,)
        assert scene.steps[0].params_after == (1.0,)  # 4 - 0.1·(2·15)
        assert "dJ/dw = 30" in shown_text(scene.query_one("#d1-status", Static))
        await pilot.press("full_stop")
        await pilot.pause()
        status = shown_text(scene.query_one("#d1-status", Static))
        assert "w ← 4 - 0.1·(30) = 1" in status
        scene.set_rate(0.05)  # a new rate: their gradient runs again
        await pilot.pause()
        await _settle(pilot, scene)
        assert scene.steps[0].params_after == (2.5,)  # 4 - 0.05·30


@pytest.mark.parametrize("text, words", [
    (RAISES, "descent_one_weight.py line 2: ValueError: not yet"),
    (TWO_NUMBERS, "one_weight_grad returned an array of shape (2,), not one number"),
])
async def test_a_broken_gradient_gives_one_line_and_the_reference(
    tmp_path: Path, workspace: Path, text: str, words: str,
) -> None:
    _write(workspace, text)
    app = await _open(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        scene = await _to_exercise_step(pilot)
        await _settle(pilot, scene)
        shown = line(scene)
        assert words in shown and shown.endswith("showing the reference engine")
        assert scene.steps is scene.reference_steps
