"""The descent scenes (descent-2d, batch-compare, optimizer-race) mounted in a tiny app and driven by keys."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from textual.widgets import Static

from tutor.scenes.base import Scene
from tutor.scenes.batch_compare import BatchCompareScene
from tutor.scenes.descent_2d import NICE_RATES, Descent2DScene, level_set_points, lower_rate, raise_rate
from tutor.scenes.optimizer_race import OptimizerRaceScene
from tutor.engines import descent
from tutor.widgets.plot import Plot
from tests.scene_host import SceneHost


_Host = SceneHost


def _text(scene: Scene, widget_id: str) -> str:
    """The plain text a Static shows (Text or a rich Table)."""
    static = scene.query_one(f"#{widget_id}", Static)
    rendered: Any = static.render()
    if hasattr(rendered, "plain"):
        return rendered.plain
    content: Any = static.content  # a rich Table: print it as plain text
    console = Console(width=100, record=True, color_system=None)
    with console.capture() as capture:
        console.print(content)
    return capture.get()


def _all_text(scene: Scene) -> str:
    return "\n".join(_text(scene, static.id) for static in scene.query(Static) if static.id)


# --- helpers ------------------------------------------------------------------------------------


def test_nice_rates_step_up_and_down() -> None:
    assert raise_rate(0.1) == 0.15 and lower_rate(0.1) == 0.05
    assert raise_rate(0.0) == NICE_RATES[0] and raise_rate(-3.0) == NICE_RATES[0]
    assert raise_rate(0.12) == 0.15 and lower_rate(0.12) == 0.1
    assert lower_rate(NICE_RATES[0]) == NICE_RATES[0] and raise_rate(NICE_RATES[-1]) == NICE_RATES[-1]


def test_level_sets_ring_the_minimum() -> None:
    surface = descent.SURFACES["valley"]
    xs, ys = level_set_points(surface, surface.box, 40, 12, 4, box=surface.box)
    assert xs and len(xs) == len(ys)
    # The minimum's own cell lies below every level, so no dot sits on it.
    assert not any(abs(x) < 0.1 and abs(y) < 0.1 for x, y in zip(xs, ys))


# --- descent-2d ---------------------------------------------------------------------------------


async def test_descent_2d_steps_keys_and_reset() -> None:
    scene = Descent2DScene({"surface": "valley", "lr": 0.1, "iterations": 12})
    async with _Host(scene).run_test(size=(100, 34)) as pilot:
        assert scene.total_frames == 12 and scene.position == 0
        assert "(-7, 2.5)" in _text(scene, "d2-panel") and "|∇f|" in _text(scene, "d2-panel")
        scene.step_forward()
        await pilot.pause()
        assert scene.position == 1
        first = scene.paths[0].steps[0]
        assert _text(scene, "d2-panel").startswith(f"({first.params_after[0]:g}, ")
        scene.step_back()
        await pilot.pause()
        assert scene.position == 0
        # ] raises lr to the next nice value, reruns and shows the whole run.
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert scene.lr == 0.15 and scene.position == scene.total_frames
        assert "lr = 0.15" in _text(scene, "d2-header")
        assert "→" in _text(scene, "d2-panel")  # the ending is shown at the end
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert scene.lr == 0.05
        scene.reset()
        await pilot.pause()
        assert scene.lr == 0.1 and scene.position == 0
        plot = scene.query_one("#d2-plot", Plot)
        assert any(s.marker == "@" for s in plot.model.series)


async def test_descent_2d_multi_start_ends_in_minima() -> None:
    scene = Descent2DScene({"surface": "two-minima", "lr": 0.1, "iterations": 150, "multi_start": True})
    async with _Host(scene).run_test(size=(100, 34)) as pilot:
        assert len(scene.paths) == len(descent.SURFACES["two-minima"].starts)
        scene.position = scene.total_frames
        await pilot.pause()
        panel = _text(scene, "d2-panel")
        assert panel.count("ended at the minimum") == len(scene.paths)
        markers = {s.marker for s in scene.query_one("#d2-plot", Plot).model.series}
        assert {"1", "2", "o", "x"} <= markers


async def test_descent_2d_saddle_is_named() -> None:
    scene = Descent2DScene({"surface": "saddle", "lr": 0.1, "iterations": 300, "start": [2.0, 0.0]})
    async with _Host(scene).run_test(size=(100, 34)) as pilot:
        scene.position = scene.total_frames
        await pilot.pause()
        assert "saddle" in _text(scene, "d2-panel")


async def test_descent_2d_odd_learning_rates_do_not_crash() -> None:
    for lr, expected in ((1e9, "too large"), (0, "never moves"), (-0.1, "uphill"), (5.0, "diverged")):
        scene = Descent2DScene({"surface": "valley", "lr": lr, "iterations": 30})
        async with _Host(scene).run_test(size=(100, 34)) as pilot:
            scene.position = scene.total_frames
            await pilot.pause()
            assert expected in _all_text(scene), (lr, _all_text(scene))
            scene.step_forward()
            await pilot.press("right_square_bracket")
            await pilot.pause()


# --- batch-compare ------------------------------------------------------------------------------


async def test_batch_compare_epochs_axis_and_keys() -> None:
    scene = BatchCompareScene({"lr": 0.05, "batch_size": 20, "epochs": 3, "seed": 1})
    async with _Host(scene).run_test(size=(100, 34)) as pilot:
        assert scene.total_frames == 3
        assert [r.label for r in scene.runs] == ["full", "SGD", "mini 20"]
        scene.step_forward()
        await pilot.pause()
        table = _text(scene, "bc-table")
        assert "SGD" in table and " 200 " in table  # SGD made 200 updates in epoch 1
        plot = scene.query_one("#bc-plot", Plot)
        assert plot.model.xlabel == "log₁₀ updates"
        await pilot.press("v")
        assert scene.by_examples and plot.model.xlabel == "log₁₀ examples seen"
        await pilot.press("left_square_bracket")
        assert scene.batch_size == 10 and scene.runs[2].label == "mini 10"
        assert "mini 10" in _text(scene, "bc-table")
        for _ in range(10):
            await pilot.press("right_square_bracket")
        assert scene.batch_size == 200
        await pilot.press("right_curly_bracket")
        assert scene.lr == 0.1
        await pilot.press("left_curly_bracket", "left_curly_bracket")
        assert scene.lr == 0.03
        scene.reset()
        await pilot.pause()
        assert (scene.lr, scene.batch_size, scene.by_examples, scene.position) == (0.05, 20, False, 0)


async def test_batch_compare_divergence_and_bad_rates() -> None:
    scene = BatchCompareScene({"lr": 10.0, "batch_size": 20, "epochs": 2})
    async with _Host(scene).run_test(size=(100, 34)) as pilot:
        scene.position = scene.total_frames
        await pilot.pause()
        assert "Diverged" in _text(scene, "bc-status")
        assert "blew up" in _text(scene, "bc-table")
    for lr, expected in ((1e9, "too large"), (0, "never moves")):  # nan: refused by check-lessons, the default at run time
        scene = BatchCompareScene({"lr": lr, "epochs": 2})
        async with _Host(scene).run_test(size=(100, 34)) as pilot:
            await pilot.pause()
            assert expected in _all_text(scene)
            scene.step_forward()
            await pilot.press("v", "right_curly_bracket")
            await pilot.pause()


# --- optimizer-race -----------------------------------------------------------------------------


async def test_optimizer_race_table_and_frames() -> None:
    scene = OptimizerRaceScene({"surface": "valley", "lr": 0.1, "steps": 25})
    async with _Host(scene).run_test(size=(100, 34)) as pilot:
        assert [p.label for p in scene.paths] == ["plain", "momentum", "Adam"]
        assert scene.total_frames == 25
        start = _text(scene, "or-table")
        assert "momentum" in start and "Adam" in start
        for _ in range(25):
            scene.step_forward()
        await pilot.pause()
        assert scene.position == 25
        assert _text(scene, "or-table") != start
        markers = {s.marker for s in scene.query_one("#or-plot", Plot).model.series}
        assert {"G", "M", "A", "o", "x", "+", "*"} <= markers
        await pilot.press("left_square_bracket")
        assert scene.lr == 0.05
        scene.reset()
        await pilot.pause()
        assert scene.lr == 0.1 and scene.position == 0


async def test_optimizer_race_huge_lr() -> None:
    scene = OptimizerRaceScene({"surface": "valley", "lr": 100.0, "steps": 20})
    async with _Host(scene).run_test(size=(100, 34)) as pilot:
        scene.position = scene.total_frames
        await pilot.pause()
        assert "blew up" in _text(scene, "or-table")
    scene = OptimizerRaceScene({"surface": "saddle", "lr": 1e9, "steps": 20})
    async with _Host(scene).run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        assert "too large" in _all_text(scene) and scene.total_frames == 0
