"""Graph-steps on the sigmoid neuron, the graph drill, and conv-slide's channels view run on the
learner's own functions once their exercise passes.

The real app through Pilot on fixture courses whose exercise step carries the scene, the
workspace in tmp_path. Each learner file is recognisably different from the reference (a
sigmoid plus 100 and a doubled sigmoid_backward; a conv2d plus 100) and recorded as passed: the
scene shows *their* numbers, marked as theirs. The call path and its failures are shared with
the other scenes on learner code (tests/test_lc_*.py).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest
from textual.widgets import Input, Static

from tests.exercise_host import (
    SCENE_TEST_LIMITS, exercise_course, settle_learner, use_workspace, write_learner_file,
)
from tests.scene_host import shown_text
from tutor.app import make_app
from tutor.engines.conv import toy_channels
from tutor.exercises.catalogue import get
from tutor.scenes.conv_slide import ConvSlideScene
from tutor.scenes.graph_drill import GraphDrillScene
from tutor.scenes.graph_steps import GraphStepsScene

SIGMOID = get("sigmoid-chain-rule")
#: σ + 100, and a doubled σ' (computed from the reference σ, not the shifted one).
SHIFTED_SIGMOID = SIGMOID.solution_text() + textwrap.dedent("""

    _reference = sigmoid


    def sigmoid(x):
        return _reference(x) + 100.0


    def sigmoid_backward(dout, x):
        s = _reference(x)
        return 2.0 * dout * s * (1.0 - s)
    """)
CONV = get("conv2d-loops")
CONV_PLUS_100 = CONV.solution_text() + textwrap.dedent("""

    _reference = conv2d_loops


    def conv2d_loops(x, w, b, stride=1, pad=0):
        return _reference(x, w, b, stride, pad) + 100.0
    """)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for scene in (GraphDrillScene, ConvSlideScene):
        monkeypatch.setattr(scene, "LEARNER_LIMITS", SCENE_TEST_LIMITS)
    return use_workspace(tmp_path, monkeypatch, LEARNER_LIMITS=(GraphStepsScene, SCENE_TEST_LIMITS))


def _app(tmp_path: Path, exercise: str, scene: str, **params):
    course = exercise_course(tmp_path / "c", exercise, scene=scene, scene_params=params)
    return make_app(course, home=tmp_path / "home", open_lesson="hands-on")


def _line(scene, widget_id: str) -> str:
    widget = scene.query_one(widget_id, Static)
    return shown_text(widget).strip() if widget.display else ""


def _reference_grads(scene) -> dict[str, float]:
    full, _, backward = scene.reference
    labels = {node.id: node.label for node in full.nodes}
    return {labels[step.node]: step.grad_after for step in backward if labels[step.node]}


async def test_the_sigmoid_neuron_runs_on_their_sigmoid(tmp_path: Path, workspace: Path) -> None:
    write_learner_file(workspace, SIGMOID, SHIFTED_SIGMOID)
    async with _app(tmp_path, "sigmoid-chain-rule", "graph-steps",
                    example="sigmoid-neuron").run_test(size=(80, 24)) as pilot:
        scene = pilot.app.screen.scene
        assert isinstance(scene, GraphStepsScene)
        await settle_learner(pilot, scene, "sigmoid")
        # one row in the narrow scene: the file's name is in the exercise panel beside it
        assert _line(scene, "#graph-learner") == "▶ your sigmoid and sigmoid_backward"
        scene.to_end()
        await pilot.pause()
        final = scene.graph_at(scene.total_frames)
        assert final.nodes[final.output].value == pytest.approx(100.0 + 1 / (1 + np.exp(-1.0)))
        reference = _reference_grads(scene)
        grads = {node.label: node.grad for node in final.nodes if node.label}
        for name in ("t", "w0", "x0", "w1", "x1", "w2"):
            assert grads[name] == pytest.approx(2 * reference[name]), name
        assert "∂/∂w0 = -0.3932" in scene._summary()


async def test_the_drill_checks_answers_against_their_numbers(tmp_path: Path, workspace: Path) -> None:
    write_learner_file(workspace, SIGMOID, SHIFTED_SIGMOID)
    async with _app(tmp_path, "sigmoid-chain-rule", "graph-drill",
                    example="sigmoid-neuron").run_test(size=(120, 40)) as pilot:
        scene = pilot.app.screen.scene
        assert isinstance(scene, GraphDrillScene)
        await settle_learner(pilot, scene, "sigmoid")
        assert _line(scene, "#graph-learner") == (
            "▶ your sigmoid and sigmoid_backward from sigmoid_chain_rule.py")
        ids = {node.label: node.id for node in scene.full.nodes if node.label}
        # the edge into t: local gradient -1 (r = -t), then their doubled ∂z/∂t
        scene.position = next(i for i, step in enumerate(scene.backward) if step.node == ids["t"])
        await pilot.pause()
        field = scene.query_one("#drill-answer", Input)
        field.focus()
        doubled = 2 * _reference_grads(scene)["t"]
        for answer in ("-1", f"{doubled:.4f}"):
            field.value = answer
            await pilot.press("enter")
            await pilot.pause()
        assert scene.correct == 1
        scene.to_end()
        await pilot.pause()
        check = shown_text(scene.query_one("#drill-question", Static))
        assert "∂/∂w0: yours -0.3932, numerical -0.1966 ✗" in check


async def test_the_channels_view_runs_on_their_conv2d(tmp_path: Path, workspace: Path) -> None:
    write_learner_file(workspace, CONV, CONV_PLUS_100)
    async with _app(tmp_path, "conv2d-loops", "conv-slide", mode="channels", channels=3,
                    seed=4).run_test(size=(80, 24)) as pilot:
        scene = pilot.app.screen.scene
        assert isinstance(scene, ConvSlideScene)
        await settle_learner(pilot, scene, "conv2d")
        assert _line(scene, "#cs-learner") == "▶ your conv2d_loops"  # a narrow scene: one row, no file name
        toy = toy_channels(4, 3)
        np.testing.assert_allclose(scene.shown_toy.parts, toy.parts + 100.0)
        np.testing.assert_allclose(scene.shown_toy.out, toy.out + 100.0)
        await pilot.press("full_stop")
        await pilot.pause()
        assert f"= {toy.out[0, 0] + 100:g}" in shown_text(scene.query_one("#cs-channels", Static))
        await pilot.press("k")  # new numbers: their conv2d runs on them
        await settle_learner(pilot, scene, "conv2d")
        np.testing.assert_allclose(scene.shown_toy.out, toy_channels(5, 3).out + 100.0)
