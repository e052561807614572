"""`--low-bandwidth`: fewer redraws, fewer grey levels, 256 colours, animations held while hidden.

The bytes this saves are measured by `benchmarks/bandwidth.py`; here the mode's settings are
checked, and the rule that a scene nobody can see does not advance.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tests.scene_host import resize_and_settle
from tutor.app import make_app
from tutor.cli import main
from tutor.scenes.base import LOW_BANDWIDTH_FRAME_SECONDS, Scene
from tutor.screens.help import HelpScreen
from tutor.widgets.image import LEVELS, LOW_BANDWIDTH_LEVELS, quantise


@pytest.fixture
def low(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DL_TUTOR_LOW_BANDWIDTH", "1")


def test_fast_animations_advance_several_frames_per_redraw() -> None:
    assert Scene.tick_plan(0.15, low=False) == (0.15, 1)
    seconds, frames = Scene.tick_plan(0.15, low=True)
    assert frames == 4 and seconds == pytest.approx(0.6)  # the same pace, a quarter of the redraws
    assert seconds >= LOW_BANDWIDTH_FRAME_SECONDS
    assert Scene.tick_plan(0.8, low=True) == (0.8, 1)  # already slow enough


def test_images_use_fewer_grey_levels(low: None, monkeypatch: pytest.MonkeyPatch) -> None:
    ramp = np.linspace(0.0, 1.0, 28 * 28).reshape(28, 28)
    levels = quantise(ramp, 0.0, 1.0)
    assert len(np.unique(levels)) == LOW_BANDWIDTH_LEVELS
    assert levels.min() == 0 and levels.max() == LEVELS - 1  # still black to white
    monkeypatch.delenv("DL_TUTOR_LOW_BANDWIDTH")
    assert len(np.unique(quantise(ramp, 0.0, 1.0))) == LEVELS


def test_the_option_sets_frame_rate_and_colours(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("TEXTUAL_COLOR_SYSTEM", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert main(["--low-bandwidth", "doctor"]) in (0, 1)
    assert os.environ["DL_TUTOR_LOW_BANDWIDTH"] == "1"
    assert os.environ["TEXTUAL_FPS"] == "8"
    assert os.environ["TEXTUAL_COLOR_SYSTEM"] == "256"
    assert "Bandwidth   low" in capsys.readouterr().out


def test_an_explicit_colour_choice_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.delenv("TEXTUAL_COLOR_SYSTEM", raising=False)
    main(["--low-bandwidth", "--colors", "truecolor", "list"])
    assert os.environ["TEXTUAL_COLOR_SYSTEM"] == "truecolor"


async def _playing_scene(pilot) -> Scene:
    """Step 'gates' of the first lesson, playing so slowly that only `_tick()` (the play
    timer's callback, called by the test) moves it."""
    screen = pilot.app.screen
    await screen.show_step(screen.lesson.step_index("gates"))
    await pilot.pause()
    scene = screen.query_one(Scene)
    scene.speed = 0.25
    scene.toggle_play()  # from frame 0
    await pilot.pause()
    assert scene.playing and scene.position == 0 and scene.total_frames >= 3
    return scene


async def test_an_animation_waits_while_help_covers_it(tmp_path: Path) -> None:
    app = make_app(home=tmp_path, open_lesson="artificial-neuron")
    async with app.run_test(size=(100, 30)) as pilot:
        scene = await _playing_scene(pilot)
        scene._tick()
        assert scene.position == 1
        app.push_screen(HelpScreen())
        await pilot.pause()
        scene._tick()
        assert scene.position == 1 and scene.playing  # held, not stopped
        app.pop_screen()
        await pilot.pause()
        scene._tick()
        assert scene.position == 2


async def test_a_too_small_terminal_holds_the_animation(tmp_path: Path) -> None:
    app = make_app(home=tmp_path, open_lesson="artificial-neuron")
    async with app.run_test(size=(100, 30)) as pilot:
        scene = await _playing_scene(pilot)
        await resize_and_settle(pilot, 70, 20)
        await pilot.pause()
        scene._tick()
        assert scene.position == 0
        await resize_and_settle(pilot, 100, 30)
        await pilot.pause()
        scene._tick()
        assert scene.position == 1


@pytest.mark.parametrize("mode", ["normal", "low"])
async def test_losing_terminal_focus_holds_animations_only_in_low_bandwidth(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    if mode == "low":
        monkeypatch.setenv("DL_TUTOR_LOW_BANDWIDTH", "1")
    app = make_app(home=tmp_path, open_lesson="artificial-neuron")
    async with app.run_test(size=(100, 30)) as pilot:
        scene = await _playing_scene(pilot)
        app.app_focus = False  # what the terminal's focus-out report does
        scene._tick()
        assert scene.position == (0 if mode == "low" else 1)
        app.app_focus = True
        scene._tick()
        assert scene.position == (1 if mode == "low" else 2)
