"""The conv-slide scene on an exercise step runs on the learner's own conv2d once it passes.

The real app through Pilot on a fixture course whose exercise step (conv2d-loops) has the
conv-slide scene, with the workspace in tmp_path. A learner file whose conv2d is recognisably
different (the reference plus 100) and recorded as passed shows *its* map and cell values,
marked as theirs; before the exercise passes the scene says it runs the reference engine;
passing the checks in the panel switches it over; a function that raises or loops gives one
line and the scene falls back to the reference, while the UI keeps stepping frames.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest
from textual.widgets import Static

from tests.exercise_host import exercise_course, settle_learner, use_workspace, write_learner_file
from tests.scene_host import shown_text
from tutor.app import make_app
from tutor.engines.conv import KERNELS, conv2d_loop
from tutor.exercises.catalogue import GIB, Limits, get
from tutor.scenes.conv_slide import ConvSlideScene, load_digit
from tutor.scenes.conv_slide_text import num
from tutor.screens.lesson import LessonScreen
from tutor.widgets.exercise_panel import ExercisePanel

EXERCISE = get("conv2d-loops")
#: The learner's conv2d, recognisably different: the reference map plus 100.
PLUS_100 = EXERCISE.solution_text() + textwrap.dedent("""

    _reference = conv2d_loops


    def conv2d_loops(x, w, b, stride=1, pad=0):
        return _reference(x, w, b, stride, pad) + 100.0
    """)
RAISES = "import numpy as np\n\n\ndef conv2d_loops(x, w, b, stride=1, pad=0):\n    return 1 / 0\n"
LOOPS = "def conv2d_loops(x, w, b, stride=1, pad=0):\n    while True:\n        pass\n"


def _course(root: Path, mode: str = "slide") -> Path:
    return exercise_course(root, "conv2d-loops", scene="conv-slide", scene_params={"mode": mode})


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    limits = Limits(wall_seconds=3.0, cpu_seconds=6, memory_bytes=GIB)
    return use_workspace(tmp_path, monkeypatch, LEARNER_LIMITS=(ConvSlideScene, limits))


def _write(workspace: Path, text: str, passed: bool | None) -> Path:
    return write_learner_file(workspace, EXERCISE, text, passed)


def reference(kernel: str = "vertical edge") -> np.ndarray:
    return conv2d_loop(load_digit(0)[0], KERNELS[kernel])


def line(scene: ConvSlideScene) -> str:
    widget = scene.query_one("#cs-learner", Static)
    return shown_text(widget).strip() if widget.display else ""


async def _until_running(pilot, scene: ConvSlideScene) -> None:
    """Pause until the scene's call of the learner's code has started (it starts in a worker)."""
    for _ in range(500):
        await pilot.pause(0.02)
        if scene.learner.running:
            return
    raise AssertionError("the scene never started its call of the learner's code")


async def _settle(pilot, scene) -> None:
    await settle_learner(pilot, scene, "conv2d")


async def _open(tmp_path: Path, mode: str = "slide"):
    app = make_app(_course(tmp_path / "c", mode), home=tmp_path / "home", open_lesson="hands-on")
    return app


async def test_the_map_comes_from_the_learners_conv2d(tmp_path: Path, workspace: Path) -> None:
    _write(workspace, PLUS_100, passed=True)
    app = await _open(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        scene = screen.scene
        assert isinstance(scene, ConvSlideScene)
        await _settle(pilot, scene)
        assert line(scene) == "▶ your conv2d_loops from conv2d_loops.py"
        assert scene.on_learner_code
        np.testing.assert_allclose(scene.shown_map, reference() + 100.0)
        np.testing.assert_allclose(scene.map, reference())  # the reference is kept beside it
        await pilot.press("full_stop")  # the first cell: their value, not the sum's
        await pilot.pause()
        summed = shown_text(scene.query_one("#cs-sum", Static))
        assert f"= {num(float(reference()[0, 0]) + 100.0)}" in summed
        # Another kernel: their conv2d runs again on it.
        await pilot.press("k")
        await pilot.pause()
        assert scene.kernel_name == "horizontal edge"
        await _settle(pilot, scene)
        np.testing.assert_allclose(scene.shown_map, reference("horizontal edge") + 100.0)


async def test_the_maps_view_shows_three_of_their_maps(tmp_path: Path, workspace: Path) -> None:
    _write(workspace, PLUS_100, passed=True)
    app = await _open(tmp_path, mode="maps")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        scene = app.screen.scene
        await _settle(pilot, scene)
        assert line(scene) == "▶ your conv2d_loops from conv2d_loops.py"
        for shown, name in zip(scene.shown_maps, scene.maps_names):
            np.testing.assert_allclose(shown, reference(name) + 100.0)


async def test_before_passing_the_reference_runs_then_a_check_switches(
    tmp_path: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = _write(workspace, EXERCISE.starter_text(), passed=None)
    app = await _open(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        scene = app.screen.scene
        # 80x24: the short form, one row (the whole line would wrap in this narrow scene)
        assert line(scene) == "reference until yours passes"
        assert scene.query_one("#cs-learner", Static).size.height == 1
        assert not scene.learner.running and not scene.on_learner_code
        np.testing.assert_allclose(scene.shown_map, reference())
        # The learner solves it (a recognisable variant that still passes: + 0.0), then checks.
        path.write_text(PLUS_100.replace("+ 100.0", "+ 0.0"), encoding="utf-8")
        panel = app.screen.exercise_panel
        assert isinstance(panel, ExercisePanel)
        await pilot.press("ctrl+k")
        for _ in range(600):
            await pilot.pause(0.05)
            if not panel.running:
                break
        assert panel.report is not None and panel.report.passed, panel.report
        await _settle(pilot, scene)
        assert line(scene).startswith("▶ your conv2d_loops")
        np.testing.assert_allclose(scene.shown_map, reference())


async def test_a_check_recorded_elsewhere_switches_the_scene(
    tmp_path: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`dl-tutor exercises watch` in another pane records a pass: the panel picks it up on its
    next poll and the scene goes over to the learner's conv2d without leaving the step."""
    monkeypatch.setattr("tutor.widgets.exercise_panel.POLL_SECONDS", 0.1)
    _write(workspace, EXERCISE.starter_text(), passed=None)
    app = await _open(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        scene = app.screen.scene
        assert not scene.on_learner_code
        _write(workspace, PLUS_100, passed=True)  # what the other pane's check records
        for _ in range(200):
            await pilot.pause(0.05)
            if scene.on_learner_code:
                break
        await _settle(pilot, scene)
        assert line(scene) == "▶ your conv2d_loops"  # 80x24: the file name is left out, one row
        np.testing.assert_allclose(scene.shown_map, reference() + 100.0)


async def test_a_function_that_raises_gives_one_line_and_the_reference(
    tmp_path: Path, workspace: Path,
) -> None:
    _write(workspace, RAISES, passed=True)  # passed once, broken since
    app = await _open(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        scene = app.screen.scene
        await _settle(pilot, scene)
        words = line(scene)
        assert words.startswith("✗ your conv2d_loops: conv2d_loops.py line 5: ZeroDivisionError")
        assert words.endswith("showing the reference engine")
        assert not scene.on_learner_code
        np.testing.assert_allclose(scene.shown_map, reference())


async def test_a_loop_is_stopped_and_the_ui_keeps_running(
    tmp_path: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 5 s, not the file's 3: the presses below must land while the loop runs, and on a loaded
    # machine the child's start alone has taken a second or two of the limit.
    monkeypatch.setattr(ConvSlideScene, "LEARNER_LIMITS", Limits(wall_seconds=5.0, cpu_seconds=10, memory_bytes=GIB))
    _write(workspace, LOOPS, passed=True)
    app = await _open(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        scene = app.screen.scene
        await _until_running(pilot, scene)
        assert scene.learner.running and line(scene).startswith("▶ running your conv2d_loops")
        for _ in range(5):  # the frames step while their code spins in its child
            await pilot.press("full_stop")
        await pilot.pause()
        assert scene.position == 5  # no timing asserted: the UI answered while the call ran
        await _settle(pilot, scene)
        assert "stopped after 5 s (the time limit)" in line(scene)
        assert "reference engine" in line(scene)
        np.testing.assert_allclose(scene.shown_map, reference())


async def test_closing_the_app_stops_the_call(
    tmp_path: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A limit the test never reaches: only the app's close may end this call (with the file's
    # 3 s, a loaded CI machine once saw the call end by the limit before the first look).
    monkeypatch.setattr(ConvSlideScene, "LEARNER_LIMITS", Limits(wall_seconds=120.0, cpu_seconds=120, memory_bytes=GIB))
    _write(workspace, LOOPS, passed=True)
    app = await _open(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        scene = app.screen.scene
        await _until_running(pilot, scene)
        assert scene.learner.running
        cancel = scene.learner._cancel
    assert cancel is not None and cancel.is_set()  # the scene's unmount killed the child
