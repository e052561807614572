"""The lessons' scenes pinned at 100x30 and 200x60, and resizing while a scene plays or trains.

`tests/test_app_snapshots.py` and the scene test files pin the look at 80x24 and 120x40. This
file adds the two other sizes the course promises to render sensibly: a middling terminal
(100x30) and a very large one (200x60), with one representative step per scene kind. To keep
the file fast, the kinds whose layout a pinned kind shares, or that are a few rows of fixed
text, are listed in LOW_RISK instead (all are pinned at 80x24 and 120x40 elsewhere); take a
name out of LOW_RISK to pin it here too.

Everything a snapshot shows is fixed: MNIST is the shipped data (loaded once per module), the
LeNet-5 of the drawing and feature-map scenes is a seeded untrained one (so retraining the
shipped weights never moves these pictures), the backend probe finds NumPy only, and the scenes
that train or time things are shown idle, before `space`.

Regenerate after an intended change with
`pytest tests/test_size_snapshots.py --snapshot-update`, then look at the SVGs.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from tests.scene_host import force_real_colours, lesson_app, resize_and_settle
from tutor import model_files
from tutor.app import make_app
from tutor.backend import NOT_INSTALLED
from tutor.engines import mnist, timing
from tutor.engines import model as model_engine
from tutor.engines.train import Trainer
from tutor.scenes import feature_maps
from tutor.scenes import training as training_scene
from tutor.scenes.registry import SCENES
from tutor.screens.too_small import TooSmallScreen
from tutor.widgets.digit_canvas import DigitCanvas
from tutor.widgets.image import HalfBlockImage

SIZES = [(100, 30), (200, 60)]

#: scene name -> (lesson id, step id, keys pressed on the step). The step is the first one of a
#: lesson that uses the scene; `end` shows a frame-based scene's last frame (fully drawn and
#: deterministic). Scenes that train or time things stay idle.
SCENE_STEPS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "threshold-unit": ("artificial-neuron", "threshold-unit", ("end",)),
    "perceptron-plane": ("perceptron-boundary", "boundary-line", ()),
    "perceptron-training": ("perceptron-rule", "test-problem", ("end",)),
    "two-layer-xor": ("perceptron-convergence", "two-lines", ("end",)),
    "line-fit": ("line-fit", "first-example", ("end",)),
    "delta-rule": ("line-fit", "delta-rule", ("end",)),
    "cost-table": ("cost-function", "the-formula", ()),
    "descent-1d": ("descent-one-weight", "one-weight-cost", ("end",)),
    "descent-2d": ("descent-many-dimensions", "contours", ("end",)),
    "batch-compare": ("stochastic-descent", "three-ways", ("end",)),
    "optimizer-race": ("stochastic-descent", "momentum", ("end",)),
    "graph-steps": ("computational-graphs", "forward", ("end",)),
    "graph-drill": ("computational-graphs", "practice", ()),
    "expression-playground": ("expression-playground", "first-graph", ("end",)),
    "activations": ("activation-functions", "step-unit", ()),
    "softmax": ("softmax-cross-entropy", "softmax", ()),
    "xor-network": ("xor-network", "the-network", ("end",)),
    "digit-browser": ("digits-as-data", "one-digit", ()),
    "training": ("mnist-dense", "mini-batches", ()),
    "conv-slide": ("convolution", "local-fields", ()),
    "conv-sandbox": ("stride-padding", "window-positions", ("end",)),
    "pooling": ("pooling", "shrink", ()),
    "lenet-summary": ("lenet-architecture", "the-network", ()),
    "feature-maps": ("what-it-learned", "filters", ()),
    "draw-digit": ("draw-a-digit", "made-like-mnist", ()),
    "backend-race": ("gpu-lenet", "one-engine", ()),
}

#: Scene kinds not pinned here (each is pinned at 80x24 and 120x40 elsewhere), and why their
#: layout is at low risk at these sizes.
LOW_RISK: dict[str, str] = {
    "threshold-unit": "the same plane (tutor/scenes/plane.py) under a table as perceptron-plane",
    "two-layer-xor": "the same plane under a table as perceptron-plane",
    "cost-table": "a table and one plot, like line-fit",
    "delta-rule": "a few rows of text and a small table, and one plot only when tall, like cost-table",
    "descent-2d": "the same SurfaceScene and fit_plot_height as optimizer-race",
    "batch-compare": "fit_plot_height, a plot and a table, like optimizer-race",
    "graph-drill": "the same GraphView as graph-steps, with one input line",
    "conv-sandbox": "a few rows of text of fixed width",
    "backend-race": "a few rows of text of fixed width (idle before a race)",
}
#: The kinds pinned here at both sizes.
SNAPSHOT_SCENES: list[str] = [name for name in SCENE_STEPS if name not in LOW_RISK]

NUMPY_ONLY = (
    timing.BackendInfo("numpy", True, "NumPy runs on the CPU.", "x86_64, 2 cores", np),
    timing.BackendInfo("cupy", False, NOT_INSTALLED),
)


@pytest.fixture(scope="module")
def shipped_digits() -> Any:
    """The shipped MNIST, decoded once for the whole module."""
    return mnist.load_digits()


@pytest.fixture(autouse=True)
def _fixed_world(monkeypatch: pytest.MonkeyPatch, shipped_digits: Any) -> Any:
    """Real greys whatever the terminal, the digits loaded once, a seeded LeNet-5, no GPU."""
    force_real_colours(monkeypatch, HalfBlockImage, DigitCanvas)
    monkeypatch.setattr(mnist, "load_digits", lambda *a, **k: shipped_digits)
    seeded = model_engine.Model(model_engine.LENET5, seed=0)
    monkeypatch.setattr(model_files, "load_shipped_lenet", lambda *a, **k: seeded)
    monkeypatch.setattr(timing, "available_backends", lambda: NUMPY_ONLY)
    feature_maps.clear_cache()
    yield
    feature_maps.clear_cache()


def test_every_scene_a_lesson_uses_is_covered() -> None:
    """A new scene kind needs a row in SCENE_STEPS (and, unless LOW_RISK names it, two
    snapshots); every row names a step that really shows its scene."""
    from tutor.content import load_course
    from tutor.paths import default_lessons_dir

    course = load_course(default_lessons_dir())
    steps = [step for unit in course.units for lesson in unit.lessons for step in lesson.steps]
    used = {step.scene for step in steps if step.scene}
    assert used <= set(SCENE_STEPS), f"scenes without a size snapshot: {sorted(used - set(SCENE_STEPS))}"
    assert set(SCENE_STEPS) <= set(SCENES) and set(LOW_RISK) < set(SCENE_STEPS)
    for name, (lesson_id, step_id, _keys) in SCENE_STEPS.items():
        step = course.lesson(lesson_id).steps[course.lesson(lesson_id).step_index(step_id)]
        assert step.scene == name, f"{lesson_id}/{step_id} shows {step.scene}, not {name}"


def _show(step_id: str, keys: tuple[str, ...]):
    """A run_before: show `step_id`, let the scene's workers settle, press `keys` on the scene."""

    async def run_before(pilot: Any) -> None:
        screen = pilot.app.screen
        await screen.show_step(screen.lesson.step_index(step_id))
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scene", SNAPSHOT_SCENES)
def test_scene_at_size(snap_compare, tmp_path: Path, scene: str, size: tuple[int, int]) -> None:
    lesson_id, step_id, keys = SCENE_STEPS[scene]
    app = lesson_app(tmp_path, lesson_id)
    assert snap_compare(app, run_before=_show(step_id, keys), terminal_size=size)


# --- resizing while something moves ---------------------------------------------------------------


async def _until(pilot: Any, condition: Any, timeout: float = 20.0) -> None:
    """Let the app run until `condition()` holds (fail, saying so, after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the app"
        await pilot.pause(0.02)


async def _advances(pilot: Any, scene: Any) -> None:
    """The scene moves on by at least one frame by itself."""
    start = scene.position
    await _until(pilot, lambda: scene.position > start or scene.position == scene.total_frames)
    assert scene.position > start


async def test_resizing_while_a_scene_plays(tmp_path: Path) -> None:
    """Resize through 200x60, 80x24, too small and back while the perceptron animation plays."""
    app = make_app(home=tmp_path, open_lesson="perceptron-convergence")
    async with app.run_test(size=(120, 40)) as pilot:
        lesson = app.screen
        await lesson.show_step(lesson.lesson.step_index("xor-cycles"))
        await pilot.pause()
        scene = lesson.scene
        plane = scene.query_one("#pt-plane")
        # 4x: a frame about every 0.2 s, so the 80 frames still outlast the test.
        await pilot.press("plus", "plus", "space")
        assert scene.playing and scene.speed == 4.0
        await _advances(pilot, scene)

        await resize_and_settle(pilot, 200, 60)
        await _until(pilot, lambda: plane.size.height == 24)  # the plane grows with the terminal
        assert app.screen is lesson and scene.playing
        await _advances(pilot, scene)

        await resize_and_settle(pilot, 80, 24)
        await pilot.pause()
        assert app.screen is lesson and scene.playing
        await _advances(pilot, scene)

        await resize_and_settle(pilot, 70, 20)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        message = str(app.screen.query_one("#too-small").render())
        assert "70x20" in message and "80x24" in message

        await resize_and_settle(pilot, 100, 30)
        await pilot.pause()
        assert app.screen is lesson and lesson.scene is scene  # the same scene, not a new one
        assert scene.playing
        await _advances(pilot, scene)
        await _until(pilot, lambda: lesson.query_one("Transport").position == scene.position)

        await pilot.press("end")  # the keys still reach the scene
        await pilot.pause()
        assert not scene.playing and scene.position == scene.total_frames


async def test_resizing_while_a_network_trains(tmp_path: Path, shipped_digits: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Resize through 200x60, too small and 100x30 in the middle of a run; the run then finishes.

    The trainer is held after its third batch until the resizing is over, so the resizes really
    happen during training whatever the machine's speed."""
    small = SimpleNamespace(
        train_images=shipped_digits.train_images[:640], train_labels=shipped_digits.train_labels[:640],
        test_images=shipped_digits.test_images[:200], test_labels=shipped_digits.test_labels[:200],
        info=shipped_digits.info,
    )
    monkeypatch.setattr(mnist, "load_digits", lambda *a, **k: small)
    release = threading.Event()
    original_run = Trainer.run

    def held_run(self: Trainer) -> Any:
        for count, record in enumerate(original_run(self)):
            yield record
            if count == 2:
                release.wait(20.0)

    monkeypatch.setattr(Trainer, "run", held_run)
    training_scene.SESSION_RESULTS.clear()
    app = make_app(home=tmp_path, open_lesson="mnist-dense")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            try:
                lesson = app.screen
                await lesson.show_step(lesson.lesson.step_index("mini-batches"))
                await pilot.pause()
                scene = lesson.scene
                await pilot.press("space")
                await _until(pilot, lambda: scene.state == "training" and scene.last is not None)

                await resize_and_settle(pilot, 200, 60)
                await pilot.pause()
                assert app.screen is lesson and scene.state == "training"
                await resize_and_settle(pilot, 70, 20)
                await pilot.pause()
                assert isinstance(app.screen, TooSmallScreen) and scene.state == "training"
                await resize_and_settle(pilot, 100, 30)
                await pilot.pause()
                assert app.screen is lesson and lesson.scene is scene and scene.state == "training"

                release.set()
                await _until(pilot, lambda: scene.state == "finished")
                assert scene.last is not None and scene.last.epoch == 2  # the third and last epoch
                assert "finished" in str(scene.query_one("#tr-state").render())
            finally:
                release.set()  # never leave the trainer waiting, even when a check above fails
    finally:
        training_scene.SESSION_RESULTS.clear()
