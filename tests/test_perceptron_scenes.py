"""The perceptron scenes, driven through the real app the way a learner uses them."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from tutor.app import make_app
from tutor.scenes.perceptron_plane import PerceptronPlaneScene
from tutor.scenes.perceptron_training import PerceptronTrainingScene
from tutor.scenes.two_layer_xor import TwoLayerXorScene


async def _open(pilot, step_id: str):
    screen = pilot.app.screen
    await screen.show_step(screen.lesson.step_index(step_id))
    await pilot.pause()
    # These tests read the worked numbers, which a hold_scene step shows once its questions are
    # answered (tests/test_escape_and_reveal.py covers the hold itself): release it.
    screen.scene.hold_answers(False)
    await pilot.pause()
    return screen.scene


def _text(scene, widget_id: str) -> str:
    return str(scene.query_one(f"#{widget_id}").render())


async def test_seed_test_problem_step_by_step_and_back(tmp_path: Path) -> None:
    app = make_app(home=tmp_path, open_lesson="perceptron-rule")
    async with app.run_test(size=(100, 34)) as pilot:
        scene = await _open(pilot, "settled")
        assert isinstance(scene, PerceptronTrainingScene) and not scene.predict
        expected = [((2.0, 1.2), "-0.6"), ((3.0, -0.8), "0.4"), ((3.0, 0.2), "0.8")]
        for k, (weights, net) in enumerate(expected, start=1):
            await pilot.press("full_stop")
            await pilot.pause()
            assert scene.position == k
            assert scene.state_at(k)[0] == weights
            assert f"= {net}" in _text(scene, "pt-step")
        # The next epoch changes nothing; the run has converged.
        await pilot.press("end")
        await pilot.pause()
        assert scene.state_at(scene.position)[0] == (3.0, 0.2)
        assert "Converged" in _text(scene, "pt-status")
        # Stepping back rewinds to the state before each update.
        scene.position = 3
        await pilot.press("comma")
        await pilot.pause()
        assert scene.state_at(scene.position)[0] == (3.0, -0.8)
        assert "[2, 1.2] - [-1, 2] = [3, -0.8]" in _text(scene, "pt-step")


async def test_predict_mode_grades_then_reveals(tmp_path: Path) -> None:
    app = make_app(home=tmp_path, open_lesson="perceptron-rule")
    async with app.run_test(size=(100, 34)) as pilot:
        scene = await _open(pilot, "subtract")
        assert isinstance(scene, PerceptronTrainingScene) and scene.predict
        answer = scene.query_one("#pt-answer", Input)
        # "." asks first: the answer field takes the focus, the frame does not move.
        await pilot.press("full_stop")
        await pilot.pause()
        assert scene.position == 0 and answer.has_focus
        # Unparseable input is not graded and keeps the question open.
        await pilot.press("a", "enter")
        await pilot.pause()
        assert scene.position == 0 and "Expected" in _text(scene, "pt-feedback")
        answer.value = "2, 1.2"
        await pilot.press("enter")
        await pilot.pause()
        assert scene.position == 1 and "✓ Right" in _text(scene, "pt-feedback")
        # A wrong prediction is corrected and the update still happens.
        await pilot.press("full_stop")
        await pilot.pause()
        answer.value = "1, 3.2"
        await pilot.press("enter")
        await pilot.pause()
        assert scene.position == 2
        assert "the rule gives [3, -0.8]" in _text(scene, "pt-feedback")
        # Escape leaves the field without leaving the lesson; "." then reveals unanswered.
        await pilot.press("full_stop")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen.scene is scene
        await pilot.press("full_stop")
        await pilot.pause()
        assert scene.position == 3


async def test_xor_never_converges_and_new_starts(tmp_path: Path) -> None:
    app = make_app(home=tmp_path, open_lesson="perceptron-convergence")
    async with app.run_test(size=(100, 34)) as pilot:
        scene = await _open(pilot, "xor-cycles")
        assert isinstance(scene, PerceptronTrainingScene)
        await pilot.press("end")
        await pilot.pause()
        assert not scene.run.converged
        assert "Stopped after" in _text(scene, "pt-status")
        first_start = (scene.w0, scene.b0)
        await pilot.press("x")
        await pilot.pause()
        assert (scene.w0, scene.b0) != first_start and scene.position == 0
        assert not scene.run.converged

        scene = await _open(pilot, "train-and")
        await pilot.press("end")
        await pilot.pause()
        assert scene.run.converged and "Converged" in _text(scene, "pt-status")


async def test_plane_gate_switch_and_edit(tmp_path: Path) -> None:
    app = make_app(home=tmp_path, open_lesson="perceptron-boundary")
    async with app.run_test(size=(100, 34)) as pilot:
        scene = await _open(pilot, "or-by-hand")
        assert isinstance(scene, PerceptronPlaneScene)
        assert (scene.weights, scene.bias, scene.gate) == ((0.5, 0.5), -0.25, "OR")
        assert scene.errors == 0 and "separates OR" in _text(scene, "pp-status")
        await pilot.press("g")  # OR -> XOR
        await pilot.pause()
        assert scene.gate == "XOR" and scene.errors > 0
        assert "No line" in _text(scene, "pp-status")
        await pilot.press("g", "g", "g")  # XOR -> NAND -> NOR -> AND
        await pilot.pause()
        assert scene.gate == "AND"
        # AND from the OR line: lower b from -0.25 to -0.75 (step 0.25, b is the third knob).
        await pilot.press("up", "left_square_bracket", "left_square_bracket")
        await pilot.pause()
        assert scene.bias == -0.75 and scene.errors == 0
        await pilot.press("r")
        await pilot.pause()
        assert scene.bias == -0.25 and scene.gate == "OR"


async def test_two_layer_network_computes_xor(tmp_path: Path) -> None:
    app = make_app(home=tmp_path, open_lesson="perceptron-convergence")
    async with app.run_test(size=(100, 34)) as pilot:
        scene = await _open(pilot, "two-lines")
        assert isinstance(scene, TwoLayerXorScene)
        await pilot.press("space")
        scene.speed = 8.0
        await pilot.pause(1.2)
        assert scene.position == scene.total_frames
        assert "matches XOR" in _text(scene, "tl-status")
