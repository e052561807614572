"""The conv-sandbox scene: knobs W, K, S, P, the output-size formula, and the walking window.

Pilot tests drive it as a learner does; snapshots pin its look on the lesson screen at 80x24
and 120x40 (regenerate with `--snapshot-update` on this file and look at the SVGs).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from tests.scene_host import SceneHost, at_step, lesson_app, shown_text
from tutor.scenes.conv_sandbox import ConvSandboxScene
from tutor.scenes.registry import SCENES, check_param, load_scene_class


def _text(scene: ConvSandboxScene, widget_id: str) -> str:
    return shown_text(scene.query_one(widget_id, Static))


def _grid_rows(scene: ConvSandboxScene) -> list[str]:
    """The grid's rows (the input part only: the first 2·(W + 2P) characters)."""
    w, k, s, p = scene.values
    lines = _text(scene, "#cs-grid").splitlines()
    return [line[: 2 * (w + 2 * p)] for line in lines[: w + 2 * p]]


def test_registered_with_its_params() -> None:
    spec = SCENES["conv-sandbox"]
    assert load_scene_class("conv-sandbox") is ConvSandboxScene
    for name in ("width", "kernel", "stride", "padding"):
        assert check_param(spec.params[name], 3) is None
    assert check_param(spec.params["editable"], True) is None


async def test_knob_edits_change_the_size() -> None:
    scene = ConvSandboxScene({"width": 7, "kernel": 3, "stride": 1, "padding": 0})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        formula = _text(scene, "#cs-formula")
        assert "(7 - 3 + 2·0)/1 + 1 = 5" in formula and "✓ 5×5" in formula
        assert scene.total_frames == 24
        # K: 3 -> 4 gives 7 - 4 + 1 = 4.
        await pilot.press("down", "right_square_bracket")
        assert scene.values == (7, 4, 1, 0)
        assert "= 4" in _text(scene, "#cs-formula") and scene.total_frames == 15
        # S: 1 -> 2 gives 3/2: invalid, explained, with the unseen cells marked.
        await pilot.press("down", "right_square_bracket")
        assert scene.values == (7, 4, 2, 0)
        formula = _text(scene, "#cs-formula")
        assert "= 2.5" in formula and "✗" in formula
        assert "3/2 is not a whole number" in formula and "round down to 2" in formula
        assert "×" in _text(scene, "#cs-grid")
        # S back to 1 fixes it.
        await pilot.press("left_square_bracket")
        assert "✓ 4×4" in _text(scene, "#cs-formula")
        # P: 0 -> 2 gives (7 - 4 + 4)/1 + 1 = 8.
        await pilot.press("down", "right_square_bracket", "right_square_bracket")
        assert scene.values == (7, 4, 1, 2)
        assert "(7 - 4 + 2·2)/1 + 1 = 8" in _text(scene, "#cs-formula")
        # Knobs stop at their limits.
        for _ in range(10):
            await pilot.press("right_square_bracket")
        assert scene.values[3] == 4
        await pilot.press("up", "up", "up")
        for _ in range(40):
            await pilot.press("left_square_bracket")
        assert scene.values[0] == 1
        assert "(1 - 4 + 2·4)/1 + 1 = 6" in _text(scene, "#cs-formula")
        scene.reset()
        await pilot.pause()
        assert scene.values == (7, 3, 1, 0)


async def test_window_walks_and_padding_is_marked() -> None:
    scene = ConvSandboxScene({"width": 5, "kernel": 3, "stride": 1, "padding": 1, "editable": False})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert scene.total_frames == 24  # 5x5 output
        rows = _grid_rows(scene)
        assert len(rows) == 7
        # Frame 0: the window covers padded rows/cols 0..2; row 0 is all padding.
        assert rows[0] == "▒▒▒▒▒▒0 0 0 0 "
        assert rows[1] == "▒▒████· · · 0 "
        assert rows[6] == "0 0 0 0 0 0 0 "
        status = _text(scene, "#cs-status")
        assert "cell (0,0)" in status and "rows -1..1, cols -1..1" in status
        assert "5 of 9 are padding" in status
        scene.step_forward()
        await pilot.pause()
        assert "cell (0,1)" in _text(scene, "#cs-status")
        assert _grid_rows(scene)[1] == "0 ██████· · 0 "
        scene.to_end()
        await pilot.pause()
        assert "cell (4,4)" in _text(scene, "#cs-status")
        assert _grid_rows(scene)[6].endswith("▒▒▒▒▒▒")
        # Not editable: the knob keys do nothing.
        await pilot.press("right_square_bracket")
        assert scene.values == (5, 3, 1, 1)


async def test_stride_walk_and_output_grid() -> None:
    scene = ConvSandboxScene({"width": 7, "kernel": 3, "stride": 2, "padding": 0})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert scene.total_frames == 8  # 3x3 output
        scene.position = 4  # the centre cell (1, 1): rows 2..4, cols 2..4
        await pilot.pause()
        rows = _grid_rows(scene)
        assert rows[2] == "· · ██████· · "
        lines = _text(scene, "#cs-grid").splitlines()
        # The output grid beside the input: done cells `o`, the current one `█`.
        assert lines[0].rstrip().endswith("o o o")
        assert lines[1].rstrip().endswith("o ██·")


async def test_large_and_invalid_never_crash() -> None:
    scene = ConvSandboxScene({"width": 28, "kernel": 5, "stride": 1, "padding": 0})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert "✓ 24×24" in _text(scene, "#cs-formula")
        assert "too many to draw" in _text(scene, "#cs-grid")
        assert scene.total_frames == 24 * 24 - 1
        scene.to_end()
        await pilot.pause()
        assert "cell (23,23)" in _text(scene, "#cs-status")

    for params, words in (
        ({"width": 3, "kernel": 5}, "larger than the 3x3 padded input"),
    ):
        scene = ConvSandboxScene(params)
        async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            assert words in _text(scene, "#cs-formula")
            assert scene.total_frames == 0
            scene.step_forward()
            await pilot.pause()
            assert _text(scene, "#cs-status").strip() == ""


# --- snapshots on the lesson screen ---------------------------------------------------------------

SIZES = [(80, 24), (120, 40)]

SHOTS = {
    # 7x7 padded by 1, the window two cells into the first row.
    "padding": ("padding", ("full_stop", "full_stop")),
    # The lesson's broken start: 8, 3, 2, 0 gives 3.5, explained.
    "formula-invalid": ("formula", ()),
}


@pytest.fixture
def _colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(SHOTS))
def test_snapshots(snap_compare, tmp_path: Path, _colour: None, name: str, size: tuple[int, int]) -> None:

    step_id, keys = SHOTS[name]
    app = lesson_app(tmp_path, "stride-padding")

    assert snap_compare(app, run_before=at_step(step_id, keys), terminal_size=size)
