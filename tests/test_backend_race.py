"""The backend-race scene: backends found off the UI thread, a race in a thread worker, with fixed
timings patched in so the tests are fast and the numbers exact."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from textual.widgets import Static

from tutor.app import make_app
from tutor.backend import NOT_INSTALLED, Backend
from tutor.engines import timing
from tutor.scenes import backend_race
from tutor.scenes.backend_race import BackendRaceScene, bar, format_rate, format_ratio
from tutor.scenes.registry import SCENES, check_param, load_scene_class
from tutor.text import format_timing
from tests.scene_host import SceneHost, lesson_app

NUMPY = timing.BackendInfo("numpy", True, "NumPy runs on the CPU.", "x86_64, 2 cores", np)
NO_CUPY = timing.BackendInfo("cupy", False, NOT_INSTALLED)
FAKE_GPU = SimpleNamespace(__name__="cupy")
CUPY = timing.BackendInfo("cupy", True, "CuPy runs on NVIDIA H200, 139.8 GiB.", "NVIDIA H200, 139.8 GiB", FAKE_GPU)

#: Seconds per call a fixed fake machine takes: NumPy grows with the batch, the "GPU" stays flat.
NUMPY_STEP = {1: 0.002, 16: 0.016, 64: 0.064, 256: 0.256}
GPU_STEP = 0.006


def fake_measure(what: str, calls: list | None = None):
    def measure(xp: Any, batch: int, repeats: int = 3, **kwargs: Any) -> timing.Timing:
        if calls is not None:
            calls.append((what, timing.backend_name(xp), batch, repeats))
        seconds = NUMPY_STEP.get(batch, batch / 1000) if xp is np else GPU_STEP
        if what == "conv":
            seconds /= 10
        return timing.Timing(what, timing.backend_name(xp), batch, seconds, batch / seconds, repeats)

    return measure


def fake_transfer(xp: Any, batch: int, repeats: int = 5, **kwargs: Any) -> timing.Timing:
    return timing.Timing("transfer", timing.backend_name(xp), batch, 0.0004, batch / 0.0004, repeats)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list:
    """Fixed timings, NumPy only (CuPy not installed); returns the log of measurements."""
    log: list = []
    monkeypatch.setattr(timing, "available_backends", lambda: (NUMPY, NO_CUPY))
    monkeypatch.setattr(timing, "time_training_steps", fake_measure("train", log))
    monkeypatch.setattr(timing, "time_convolution", fake_measure("conv", log))
    monkeypatch.setattr(timing, "transfer_cost", fake_transfer)
    return log


@pytest.fixture
def with_gpu(calls: list, monkeypatch: pytest.MonkeyPatch) -> list:
    """The same, plus a working (fake) CuPy."""
    monkeypatch.setattr(timing, "available_backends", lambda: (NUMPY, CUPY))
    return calls


def text_of(scene: BackendRaceScene, part: str) -> str:
    return str(scene.query_one(f"#br-{part}", Static).render())


async def wait_for(event: threading.Event) -> None:
    """Wait for a worker thread's event without blocking the event loop that starts it."""
    for _ in range(500):
        if event.is_set():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the worker never got there")


async def settle(pilot: Any) -> None:
    """Let the workers finish and their messages arrive."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


# --- pure helpers -------------------------------------------------------------------------------


def test_bar_and_formats() -> None:
    assert bar(10, 10, 4) == "████"
    assert bar(5, 10, 4) == "██"
    assert bar(1, 10, 4) == "▍"  # 0.1 * 32 eighths = 3.2 -> 3 eighths
    assert bar(0.001, 10, 4) == "▏"  # never invisible
    assert bar(0, 10, 4) == "" and bar(float("nan"), 10, 4) == ""
    assert format_rate(682_666.7) == "682,667" and format_rate(float("inf")) == "—"
    assert format_ratio(106.4) == "106x" and format_ratio(8.27) == "8.3x" and format_ratio(0.4) == "0.40x"
    assert format_timing(0.006) == "6.00 ms" and format_timing(0.0004) == "400 µs"


def test_registered_with_its_params() -> None:
    spec = SCENES["backend-race"]
    assert load_scene_class("backend-race") is BackendRaceScene
    assert check_param(spec.params["what"], "conv") is None
    assert check_param(spec.params["what"], "gpu") is not None
    assert check_param(spec.params["batches"], [1, 16, 64]) is None
    assert check_param(spec.params["repeats"], 2) is None


def test_params_are_cleaned() -> None:
    scene = BackendRaceScene({"what": "nonsense", "batches": [256, 0, 16, 16, 100000], "repeats": 2})
    assert scene.what == "train"
    assert scene.batches == (1, 16, 256, backend_race.MAX_BATCH)
    assert scene.repeats == 2
    assert BackendRaceScene({"what": "conv"}).repeats == backend_race.DEFAULT_REPEATS["conv"]


# --- in an app ----------------------------------------------------------------------------------


async def test_missing_cupy_row_says_why(calls: list) -> None:
    scene = BackendRaceScene({"what": "train", "batches": [1, 16]})
    async with SceneHost(scene).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        head = text_of(scene, "head")
        assert "✓ numpy" in head and "x86_64, 2 cores" in head
        assert "✗ cupy" in head and "CuPy is not installed (pip install 'dl-tutor[gpu]')" in head
        assert "not set here" in head  # the host app has no backend
        assert scene.state == "idle" and calls == []  # nothing runs before space
        assert "space or enter: start" in text_of(scene, "foot")
        assert "NumPy copies nothing" in text_of(scene, "foot")


async def test_race_fills_the_table(calls: list) -> None:
    scene = BackendRaceScene({"what": "train", "batches": [1, 16, 64, 256], "repeats": 2})
    async with SceneHost(scene).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        assert scene.state == "done" and not scene.playing
        assert calls == [("train", "numpy", b, 2) for b in (1, 16, 64, 256)]
        table = text_of(scene, "table")
        # 1 image / 2 ms = 500 images/s; 256 / 0.256 s = 1,000 images/s.
        assert "500" in table and "1,000" in table and "vs np" not in table  # no ratio without a GPU
        rows = [line for line in table.splitlines()[1:] if line.strip()]
        assert len(rows) == 4 and all("numpy" in r for r in rows)
        assert rows[0].split()[0] == "1" and rows[-1].split()[0] == "256"
        assert rows[-1].count("█") > rows[0].count("█")  # bars scale with the rate
        assert "done" in text_of(scene, "foot")
        assert scene.results[(64, "numpy")].images_per_second == pytest.approx(1000.0)


async def test_enter_starts_and_w_switches_to_convolution(calls: list) -> None:
    scene = BackendRaceScene({"batches": [16]})
    async with SceneHost(scene).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        assert scene.what == "conv" and "convolution" in text_of(scene, "head")
        await pilot.press("enter")
        await settle(pilot)
        assert calls == [("conv", "numpy", 16, backend_race.DEFAULT_REPEATS["conv"])]
        assert scene.results[(16, "numpy")].what == "conv"
        scene.reset()
        await pilot.pause()
        assert scene.what == "train" and scene.results == {} and scene.state == "idle"


async def test_gpu_row_shows_the_ratio_and_the_copy(with_gpu: list) -> None:
    scene = BackendRaceScene({"what": "train", "batches": [1, 256]})
    host = SceneHost(scene)
    host.backend = Backend("cupy", FAKE_GPU, "CuPy works on NVIDIA H200, 139.8 GiB.", "NVIDIA H200, 139.8 GiB")
    async with host.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "The app uses cupy: CuPy works on NVIDIA H200" in text_of(scene, "head")
        await pilot.press("space")
        await settle(pilot)
        assert [c[1:3] for c in with_gpu] == [("numpy", 1), ("cupy", 1), ("numpy", 256), ("cupy", 256)]
        table = text_of(scene, "table").splitlines()
        gpu_rows = [r for r in table if "cupy" in r]
        # batch 1: 166.7 / 500 images/s = 0.33x (the GPU loses); batch 256: 42,667 / 1,000 = 43x.
        assert gpu_rows[0].rstrip().endswith("0.33x")
        assert gpu_rows[1].rstrip().endswith("42.7x")
        foot = text_of(scene, "foot")
        assert "256 images to the GPU and back: 400 µs; one step there: 6.00 ms" in foot


async def test_a_failed_measurement_is_one_row(with_gpu: list, monkeypatch: pytest.MonkeyPatch) -> None:
    ok = fake_measure("train")

    def measure(xp: Any, batch: int, repeats: int = 3, **kwargs: Any) -> timing.Timing:
        if xp is FAKE_GPU:
            raise MemoryError("Out of memory allocating 1,234 bytes")
        return ok(xp, batch, repeats)

    monkeypatch.setattr(timing, "time_training_steps", measure)
    scene = BackendRaceScene({"batches": [64]})
    async with SceneHost(scene).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        assert scene.state == "done"
        assert "✗ MemoryError: Out of memory" in text_of(scene, "table")
        assert scene.results[(64, "numpy")].seconds == pytest.approx(0.064)


async def test_space_stops_a_running_race(calls: list, monkeypatch: pytest.MonkeyPatch) -> None:
    entered, release = threading.Event(), threading.Event()
    ok = fake_measure("train", calls)

    def slow(xp: Any, batch: int, repeats: int = 3, **kwargs: Any) -> timing.Timing:
        entered.set()
        release.wait(5)
        return ok(xp, batch, repeats)

    monkeypatch.setattr(timing, "time_training_steps", slow)
    scene = BackendRaceScene({"batches": [1, 16, 64, 256]})
    async with SceneHost(scene).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await wait_for(entered)
        await pilot.pause()
        assert scene.state == "running" and scene.playing
        assert "⧗ timing" in text_of(scene, "table")
        await pilot.press("space")
        assert scene.state == "stopped" and not scene.playing
        release.set()
        await settle(pilot)
        assert len(calls) == 1  # the worker stopped after the measurement in progress
        assert scene.state == "stopped" and "stopped" in text_of(scene, "foot")


async def test_leaving_the_step_cancels_the_worker(calls: list, monkeypatch: pytest.MonkeyPatch) -> None:
    entered, release = threading.Event(), threading.Event()
    ok = fake_measure("train", calls)

    def slow(xp: Any, batch: int, repeats: int = 3, **kwargs: Any) -> timing.Timing:
        entered.set()
        release.wait(5)
        return ok(xp, batch, repeats)

    monkeypatch.setattr(timing, "time_training_steps", slow)
    scene = BackendRaceScene({"batches": [1, 16, 64]})
    async with SceneHost(scene).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        scene.toggle_play()
        await wait_for(entered)
        stop = scene._stop
        await scene.remove()
        assert stop.is_set()
        release.set()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert len(calls) == 1


async def test_space_before_the_probe_waits_for_it(calls: list, monkeypatch: pytest.MonkeyPatch) -> None:
    answer = threading.Event()

    def slow_probe() -> tuple:
        answer.wait(5)
        return NUMPY, NO_CUPY

    monkeypatch.setattr(timing, "available_backends", slow_probe)
    scene = BackendRaceScene({"batches": [16]})
    async with SceneHost(scene).run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "checking which backends" in text_of(scene, "head")
        scene.toggle_play()
        answer.set()
        await settle(pilot)
        assert calls == [("train", "numpy", 16, 3)] and scene.state == "done"


async def test_real_numpy_race_is_quick() -> None:
    # The real engine on NumPy, tiny sizes: the numbers are real and consistent.
    scene = BackendRaceScene({"what": "train", "batches": [1, 2], "repeats": 1})
    async with SceneHost(scene).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        assert scene.state == "done"
        for batch in (1, 2):
            result = scene.results[(batch, "numpy")]
            assert result.what == "train" and result.calls == 1 and result.seconds > 0
            assert result.images_per_second == pytest.approx(batch / result.seconds)


# --- snapshots in the lesson screen -------------------------------------------------------------

SIZES = [(80, 24), (120, 40)]


def _raced(step_id: str):
    async def run_before(pilot: Any) -> None:
        screen = pilot.app.screen
        await screen.show_step(screen.lesson.step_index(step_id))
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)

    return run_before


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The race's own stopwatch reads a fixed 2.5 s, so the "done in" line is the same every run."""
    ticks = iter(range(10_000))
    monkeypatch.setattr(backend_race, "perf_counter", lambda: 2.5 * (next(ticks) % 2))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_numpy_only(snap_compare, calls: list, frozen_clock: None, tmp_path: Path,
                             size: tuple[int, int]) -> None:
    app = lesson_app(tmp_path, "gpu-lenet")
    assert snap_compare(app, run_before=_raced("race-train"), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_with_gpu(snap_compare, with_gpu: list, frozen_clock: None, tmp_path: Path,
                           size: tuple[int, int]) -> None:
    gpu = Backend("cupy", FAKE_GPU, "CuPy works on NVIDIA H200, 139.8 GiB.", "NVIDIA H200, 139.8 GiB")
    app = lesson_app(tmp_path, "gpu-lenet", backend=gpu)
    assert snap_compare(app, run_before=_raced("race-train"), terminal_size=size)


# --- the two lessons ----------------------------------------------------------------------------


def _lesson(lesson_id: str) -> Any:
    from tutor.content import load_course
    from tutor.paths import default_lessons_dir

    return load_course(default_lessons_dir()).lesson(lesson_id)


def test_gpu_lesson_numbers_grade() -> None:
    from tutor.quiz import grade, instantiate

    lesson = _lesson("gpu-lenet")
    right = {"resident-bytes": "47.04", "h200-rate": "409600", "big-batch-ratio": "128"}
    for qid, answer in right.items():
        assert grade(instantiate(lesson.questions[qid]), answer).status == "correct", qid
    assert grade(instantiate(lesson.questions["resident-bytes"]), "188").status == "wrong"
    predict = instantiate(lesson.questions["rate-predict"], seed=4)
    assert grade(predict, str(predict.answer)).status == "correct"
    scenes = {step.scene for step in lesson.steps if step.scene}
    assert scenes == {"backend-race"}


def test_where_this_led_uses_the_seed_numbers() -> None:
    from tutor.quiz import grade, instantiate

    lesson = _lesson("where-this-led")
    for qid, answer, wrong in (("alexnet-top5", "15.3", "26.2"), ("runner-up-top5", "26.2", "15.3"),
                               ("params-millions", "60", "6"), ("times-lenet", "972", "97")):
        problem = instantiate(lesson.questions[qid])
        assert grade(problem, answer).status == "correct", qid
        assert grade(problem, wrong).status == "wrong", qid
    kinds = {q.kind for q in lesson.questions.values()}
    assert {"single", "multiple", "number", "predict"} <= kinds
    prose = " ".join(step.prose for step in lesson.steps)
    for fact in ("15.3%", "26.2%", "60 million", "500,000 neurons", "1.3 million", "39.7%", "18.9%",
                 "five convolutional layers", "Krizhevsky"):
        assert fact in prose.replace("**", ""), fact


async def test_where_this_led_walks_through(tmp_path: Path) -> None:
    app = make_app(home=tmp_path, open_lesson="where-this-led")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        for index in range(len(screen.lesson.steps)):
            await screen.show_step(index)
            await pilot.pause()
        assert screen.index == len(screen.lesson.steps) - 1


async def test_a_measurement_in_progress_ends_when_stopped(calls: list, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stopping mid-measurement ends it between two of its calls, not after all its repeats
    (a lesson's repeats at a large batch can take minutes)."""
    entered = threading.Event()

    def endless(xp: Any, batch: int, repeats: int = 3, **kwargs: Any) -> timing.Timing:
        calls.append(batch)
        entered.set()
        return timing._timed(xp, lambda: time.sleep(0.01), 10**9, 0, time.perf_counter, kwargs["cancelled"])

    monkeypatch.setattr(timing, "time_training_steps", endless)
    scene = BackendRaceScene({"batches": [1, 16]})
    async with SceneHost(scene).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await wait_for(entered)
        await pilot.press("space")
        assert scene.state == "stopped"
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert calls == [1] and scene.state == "stopped"
