"""The gradient-descent lessons' own scenes (line fit, cost table, one weight), through the app."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from tests.scene_host import shown_text
from tutor.app import make_app
from tutor.scenes.cost_table import CostTableScene
from tutor.scenes.descent_1d import Descent1DScene
from tutor.scenes.line_fit import LineFitScene


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
    """The plain text a Static of the scene shows."""
    return shown_text(scene.query_one(f"#{widget_id}"))


async def test_line_fit_approaches_19(tmp_path: Path) -> None:
    app = make_app(home=tmp_path, open_lesson="line-fit")
    async with app.run_test(size=(100, 34)) as pilot:
        scene = await _open(pilot, "watch-it-learn")
        assert isinstance(scene, LineFitScene)
        assert "epoch 0/" in _text(scene, "lf-status")
        await pilot.press("full_stop")
        await pilot.pause()
        assert scene.position == 1
        await pilot.press("end")
        await pilot.pause()
        epoch, w, b, cost = scene.state(scene.position)
        assert epoch == scene.epochs and abs(w - 2) < 0.01 and abs(b + 1) < 0.02
        status = _text(scene, "lf-status")
        assert "at x = 10: a = 18.98" in status and "rule: 19" in status
        await pilot.press("comma")
        await pilot.pause()
        assert scene.state(scene.position)[0] < epoch


async def test_cost_table_reproduces_575_and_responds_to_keys(tmp_path: Path) -> None:
    app = make_app(home=tmp_path, open_lesson="cost-function")
    async with app.run_test(size=(100, 34)) as pilot:
        scene = await _open(pilot, "worked-example")
        assert isinstance(scene, CostTableScene) and not scene.editable
        for _ in range(8):
            await pilot.press("full_stop")
        await pilot.pause()
        assert scene.table.cost == 5.75
        assert "C = 92 / (2·8) = 5.75" in _text(scene, "ct-table")

        scene = await _open(pilot, "explore")
        assert scene.editable and scene.has_focus
        # b from 2 down to -0.5 in steps of 0.5: the best b for w = 3 (cost 2.625).
        await pilot.press("down", *["left_square_bracket"] * 5)
        await pilot.pause()
        assert scene.knob_values == [3.0, -0.5]
        assert scene.table.cost == pytest.approx(2.625)
        # w = 2, b = 4 puts every output on its target.
        await pilot.press("up", "left_square_bracket", "left_square_bracket", "down", *["right_square_bracket"] * 9)
        await pilot.pause()
        assert scene.knob_values == [2.0, 4.0] and scene.table.cost == 0
        assert "every output on target" in _text(scene, "ct-table")


async def test_one_weight_iterations_match_the_lesson(tmp_path: Path) -> None:
    app = make_app(home=tmp_path, open_lesson="descent-one-weight")
    async with app.run_test(size=(100, 34)) as pilot:
        scene = await _open(pilot, "iterations")
        assert isinstance(scene, Descent1DScene)
        expected = [0.0, 0.75, 1.21875, 1.51171875, 1.6948242]
        for k, w in enumerate(expected):
            assert scene.weight_at(k) == pytest.approx(w, abs=1e-6)
        await pilot.press("full_stop")
        await pilot.pause()
        assert "w ← 0 - 0.05·(-15) = 0.75" in _text(scene, "d1-status")


#: What a learner may type as a learning rate, what the scene then uses (None: it keeps the one
#: it had) and what it says.
TYPED_RATES = [
    ("0", 0.0, "never moves"),
    ("-0.1", -0.1, "climbs uphill"),
    ("1000", 1000.0, "too large"),
    ("1e7", None, "too large to try"),
    ("abc", None, "Expected a number"),
    ("nan", None, "Expected a number"),
    ("0.3", 0.3, "blew up"),
    ("0.2", 0.2, "alternate in sign"),
]


async def test_any_typed_learning_rate_is_safe(tmp_path: Path) -> None:
    """Each rate typed in turn, in one session, as a learner trying them would."""
    app = make_app(home=tmp_path, open_lesson="descent-one-weight")
    async with app.run_test(size=(100, 34)) as pilot:
        scene = await _open(pilot, "learning-rate")
        assert isinstance(scene, Descent1DScene) and scene.lr_input
        for typed, expect_lr, message in TYPED_RATES:
            before = scene.lr
            await pilot.press("l")
            await pilot.pause()
            field = scene.query_one("#d1-lr", Input)
            assert field.has_focus, typed
            field.value = typed
            await pilot.press("enter")
            await pilot.pause()
            assert scene.lr == (before if expect_lr is None else expect_lr), typed
            await pilot.press("end")
            await pilot.pause()
            shown = _text(scene, "d1-status") + _text(scene, "d1-message")
            assert message.lower() in shown.lower(), (typed, shown)


async def test_preset_rates_step_through(tmp_path: Path) -> None:
    app = make_app(home=tmp_path, open_lesson="descent-one-weight")
    async with app.run_test(size=(100, 34)) as pilot:
        scene = await _open(pilot, "learning-rate")
        assert scene.lr == 0.01
        await pilot.press("right_square_bracket", "right_square_bracket")
        await pilot.pause()
        assert scene.lr == 0.1 and scene.position == 0
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert scene.lr == 0.05
