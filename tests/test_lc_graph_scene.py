"""The graph-steps scene on the sigmoid-chain-rule exercise's step shows the output f and the
gradients of x, y and z from the learner's own `chain_rule_example` once it passes.

The real app through Pilot on a fixture course holding the shipped lesson's exercise step (the
seed's f = (x + y)·z at x = -2, y = 5, z = -4), the workspace in tmp_path. The solution gives
the seed's -12 and -4, -4, 3; a recognisably different function recorded as passed gives its
own numbers in the graph and the summary, marked as theirs; a wrong return gives one line and
the reference numbers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from tests.exercise_host import SCENE_TEST_LIMITS, use_workspace, write_learner_file
from tests.scene_host import course_with, shown_text
from tutor.app import make_app
from tutor.exercises.catalogue import get
from tutor.scenes.graph_steps import GraphStepsScene

EXERCISE = get("sigmoid-chain-rule")
DIFFERENT = EXERCISE.solution_text() + (
    "\n\ndef chain_rule_example(x, y, z):\n    return 100.0, 1.0, 2.0, 3.0\n")
WRONG = EXERCISE.solution_text() + "\n\ndef chain_rule_example(x, y, z):\n    return -12.0\n"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_workspace(tmp_path, monkeypatch, LEARNER_LIMITS=(GraphStepsScene, SCENE_TEST_LIMITS))


def _write(workspace: Path, text: str) -> None:
    write_learner_file(workspace, EXERCISE, text)


async def _scene(pilot) -> GraphStepsScene:
    screen = pilot.app.screen
    index = next(i for i, s in enumerate(screen.lesson.steps) if s.exercise == "sigmoid-chain-rule")
    await screen.show_step(index)
    await pilot.pause()
    scene = screen.scene
    assert isinstance(scene, GraphStepsScene) and scene.example == "chain"
    for _ in range(400):
        await pilot.pause(0.05)
        if not scene.learner.running:
            await pilot.pause()
            return scene
    raise AssertionError("the learner's function never came back")


def _line(scene) -> str:
    widget = scene.query_one("#graph-learner", Static)
    return shown_text(widget).strip() if widget.display else ""


def _open(tmp_path: Path):
    course = course_with(tmp_path, [("u", "Unit", ["sigmoid-neuron-graph"])])
    return make_app(course, home=tmp_path / "home", open_lesson="sigmoid-neuron-graph")


async def test_the_solution_gives_the_seeds_numbers(tmp_path: Path, workspace: Path) -> None:
    _write(workspace, EXERCISE.solution_text())
    async with _open(tmp_path).run_test(size=(120, 40)) as pilot:
        scene = await _scene(pilot)
        assert _line(scene).startswith("▶ your chain_rule_example from sigmoid_chain_rule.py")
        scene.to_end()
        await pilot.pause()
        assert scene._summary() == "Gradients: ∂/∂x = -4, ∂/∂y = -4, ∂/∂z = 3"


async def test_a_different_function_shows_its_own_numbers(tmp_path: Path, workspace: Path) -> None:
    _write(workspace, DIFFERENT)
    async with _open(tmp_path).run_test(size=(120, 40)) as pilot:
        scene = await _scene(pilot)
        assert scene.on_learner_code
        scene.to_end()
        await pilot.pause()
        assert scene._summary() == "Gradients: ∂/∂x = 1, ∂/∂y = 2, ∂/∂z = 3"
        final = scene.graph_at(scene.total_frames)
        assert final.nodes[final.output].value == 100.0
        scene.reset()  # r: the reference's steps come back only with the reference
        await pilot.pause()
        assert scene.on_learner_code


async def test_a_wrong_return_gives_one_line_and_the_reference(tmp_path: Path, workspace: Path) -> None:
    _write(workspace, WRONG)
    async with _open(tmp_path).run_test(size=(80, 24)) as pilot:
        scene = await _scene(pilot)
        words = _line(scene)
        assert "chain_rule_example returned a float; expected the four numbers" in words
        assert words.endswith("showing the reference engine")
        scene.to_end()
        await pilot.pause()
        assert scene._summary() == "Gradients: ∂/∂x = -4, ∂/∂y = -4, ∂/∂z = 3"
