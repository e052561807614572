"""The draw-digit scene with a fake network, its failure path, its lesson, and its look.

The network is replaced by a fake whose probabilities are known in advance (monkeypatching
`tutor.model_files.load_shipped_lenet`, the loader the scene calls). One test uses the real
shipped LeNet-5 weights and is skipped when they are not there.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from textual.widgets import Static

from tests.scene_host import SceneHost, force_real_colours, lesson_app, shown_text
from tutor import model_files
from tutor.engines import mnist
from tutor.engines import model as model_engine
from tutor.engines.preprocess import brush_line, mnist_preprocess
from tutor.quiz.predict import generate
from tutor.scenes import draw_digit
from tutor.scenes.draw_digit import DrawDigitScene
from tutor.scenes.registry import SCENES, check_param, load_scene_class
from tutor.widgets.digit_canvas import DigitCanvas
from tutor.widgets.image import HalfBlockImage
from tutor.widgets.probability_bars import (
    ProbabilityBars,
    horizontal_bars,
    vertical_bars,
)

LESSONS = Path(__file__).resolve().parent.parent / "lessons"

#: The fake network's answer: digit 2 first (60%), then 4 (14%), then 1 (9%).
FAKE_PROBS = np.array([0.02, 0.09, 0.60, 0.01, 0.14, 0.03, 0.04, 0.05, 0.01, 0.01])


class FakeNetwork:
    """Stands in for LeNet-5: fixed probabilities, and a record of every input it was given."""

    def __init__(self) -> None:
        self.inputs: list[np.ndarray] = []

    def predict_proba(self, images: Any) -> np.ndarray:
        images = np.asarray(images)
        self.inputs.append(images.copy())
        return np.tile(FAKE_PROBS, (len(images), 1))


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> FakeNetwork:
    fake = FakeNetwork()
    monkeypatch.setattr(model_files, "load_shipped_lenet", lambda *a, **k: fake)
    monkeypatch.setattr(draw_digit, "THROTTLE_SECONDS", 0.0)
    return fake


def _fake_digits(n_test: int = 12) -> Any:
    rng = np.random.default_rng(3)
    test = np.zeros((n_test, 28, 28), dtype=np.uint8)
    for k in range(n_test):  # a bright block at a different place in each image
        top, left = 4 + k % 6, 4 + (k * 3) % 12
        test[k, top : top + 12, left : left + 8] = rng.integers(128, 256, size=(12, 8))
    labels = (np.arange(n_test) * 7 % 10).astype(np.uint8)
    return SimpleNamespace(test_images=test, test_labels=labels)


@pytest.fixture
def digits(monkeypatch: pytest.MonkeyPatch) -> Any:
    fake = _fake_digits()
    monkeypatch.setattr(mnist, "load_digits", lambda *a, **k: fake)
    return fake


def _status(scene: DrawDigitScene) -> str:
    return shown_text(scene.query_one("#dd-status", Static))


def _bar_lines(scene: DrawDigitScene) -> list[str]:
    return str(scene.query_one(ProbabilityBars).render()).splitlines()


# --- registry and pure pieces ---------------------------------------------------------------------


def test_registered_with_its_params() -> None:
    spec = SCENES["draw-digit"]
    assert spec.target == "tutor.scenes.draw_digit:DrawDigitScene"
    assert check_param(spec.params["model"], "shipped") is None
    assert check_param(spec.params["start"], "test-digit") is None
    assert check_param(spec.params["start"], "random") is not None
    assert check_param(spec.params["show_preprocessed"], False) is None
    assert check_param(spec.params["preprocess"], True) is None
    assert check_param(spec.params["test_index"], 4) is None
    assert load_scene_class("draw-digit") is DrawDigitScene


def test_horizontal_bars_follow_the_probabilities() -> None:
    lines = str(horizontal_bars(FAKE_PROBS)).splitlines()
    assert [line[0] for line in lines] == [str(k) for k in range(10)]
    lengths = [line[2:22].rstrip().__len__() for line in lines]
    assert lengths[2] == 12  # 60% of 20 cells
    order = np.argsort(-FAKE_PROBS, kind="stable")
    assert [lengths[k] for k in order] == sorted(lengths, reverse=True)
    assert "60.0%" in lines[2] and lines[2].endswith("◀")
    assert sum("◀" in line for line in lines) == 1
    assert "14.0%" in lines[4] and " 1.0%" in lines[3]
    empty = str(horizontal_bars(None)).splitlines()
    assert len(empty) == 10 and all(line.endswith("-") for line in empty)


def test_vertical_chart_marks_the_top_guess() -> None:
    lines = str(vertical_bars(FAKE_PROBS)).splitlines()
    assert len(lines) == 4 and all(len(line) == 30 for line in lines)
    assert lines[2] == " 0  1 [2] 3  4  5  6  7  8  9 "
    assert lines[3].split() == ["2", "9", "60", "1", "14", "3", "4", "5", "1", "1"]
    # 60% of 16 eighths = 10: a full lower cell and a quarter cell above it.
    assert lines[1][7] == "█" and lines[0][7] == "▂"
    assert lines[0][13] == " " and lines[1][13] == "▂"  # 14% of 16 = 2.2 -> 2 eighths
    assert vertical_bars(None).plain.splitlines()[2] == " 0  1  2  3  4  5  6  7  8  9 "


# --- the scene with a fake network ----------------------------------------------------------------


async def test_drawing_shows_bars_in_the_right_order(network: FakeNetwork) -> None:
    scene = DrawDigitScene({"start": "blank"})
    async with SceneHost(scene).run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        canvas = scene.query_one(DigitCanvas)
        assert canvas.has_focus  # the scene hands focus to the canvas
        assert scene not in pilot.app.screen.focus_chain  # and is no extra stop for tab
        assert scene.probs is None and network.inputs == []  # nothing drawn, nothing asked
        assert "draw a digit" in _status(scene)
        await pilot.press("up", "up", "up", "left", "left", "space", *["down"] * 8, "space")
        await pilot.pause(0.05)
        scene.flush_prediction()
        await pilot.pause()
        assert scene.query_one(ProbabilityBars).orientation == "horizontal"
        lines = _bar_lines(scene)
        assert "60.0%" in lines[2] and "◀" in lines[2] and "◀" not in "".join(lines[:2] + lines[3:])
        assert "guess 2 60%" in _status(scene)
        # The network got the MNIST-style preprocessed drawing, as one (1, 28, 28) image.
        sent = network.inputs[-1]
        assert sent.shape == (1, 28, 28)
        expected = mnist_preprocess(canvas.pixels).image
        assert np.array_equal(sent[0], expected)
        assert scene.record.resized[0] == 20  # a vertical stroke: its height becomes 20
        info = shown_text(scene.query_one("#dd-input-info", Static))
        assert "2 scale" in info and "-> 20x" in info
        image = scene.query_one("#dd-input", HalfBlockImage)
        assert np.array_equal(image.data, expected.astype(np.float64))


async def test_predictions_are_throttled(network: FakeNetwork, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(draw_digit, "THROTTLE_SECONDS", 10.0)
    scene = DrawDigitScene({})
    async with SceneHost(scene).run_test(size=(110, 40)) as pilot:
        await pilot.press("space", *["right"] * 8)
        await pilot.pause()
        assert scene.predictions == 1  # the first change at once, the rest wait
        scene.flush_prediction()  # what the timer does when it fires
        assert scene.predictions == 2
        canvas = scene.query_one(DigitCanvas)
        assert np.array_equal(network.inputs[-1][0], mnist_preprocess(canvas.pixels).image)


async def test_preprocessing_can_be_switched_off(network: FakeNetwork) -> None:
    scene = DrawDigitScene({"preprocess": False})
    async with SceneHost(scene).run_test(size=(110, 40)) as pilot:
        await pilot.press("space", "right", "right")
        await pilot.pause()
        canvas = scene.query_one(DigitCanvas)
        assert np.array_equal(network.inputs[-1][0], canvas.pixels.astype(np.float32))
        assert "raw input" in _status(scene)
        assert "PREPROCESSING OFF" in shown_text(scene.query_one("#dd-input-info", Static))
        await pilot.press("m")
        assert scene.preprocess
        assert np.array_equal(network.inputs[-1][0], mnist_preprocess(canvas.pixels).image)
        scene.reset()
        await pilot.pause()
        assert not scene.preprocess and not canvas.pixels.any()


async def test_test_digits(network: FakeNetwork, digits: Any) -> None:
    scene = DrawDigitScene({})
    async with SceneHost(scene).run_test(size=(110, 40)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        canvas = scene.query_one(DigitCanvas)
        first = scene.test_index
        assert first is not None
        assert np.array_equal(canvas.pixels, digits.test_images[first] / 255.0)
        assert f"test #{first}: a {digits.test_labels[first]}" in _status(scene)
        seen = [first]
        for _ in range(3):
            await pilot.press("t")
            seen.append(scene.test_index)
        assert len(set(seen)) > 1  # random digits, not the same one each time
        # Drawing on it makes it the learner's drawing: the label goes.
        await pilot.press("space")
        await pilot.pause()
        assert scene.test_index is None and "test #" not in _status(scene)
        # Seeded: after a reset, t shows the same digits in the same order again.
        scene.reset()
        await pilot.pause()
        assert not canvas.pixels.any()
        again = []
        for _ in range(4):
            await pilot.press("t")
            again.append(scene.test_index)
        assert again == seen


async def test_start_with_a_test_digit(network: FakeNetwork, digits: Any) -> None:
    scene = DrawDigitScene({"start": "test-digit", "test_index": 3, "show_preprocessed": False})
    async with SceneHost(scene).run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        canvas = scene.query_one(DigitCanvas)
        assert np.array_equal(canvas.pixels, digits.test_images[3] / 255.0)
        assert "test #3: a 1" in _status(scene)
        assert not scene.query_one("#dd-input-row").display
        assert network.inputs  # the start digit was read at once


async def test_narrow_stage_uses_the_compact_chart(network: FakeNetwork) -> None:
    scene = DrawDigitScene({})
    async with SceneHost(scene).run_test(size=(44, 30)) as pilot:
        await pilot.press("space")
        await pilot.pause()
        bars = scene.query_one(ProbabilityBars)
        assert scene.has_class("-narrow") and bars.orientation == "vertical"
        assert "[2]" in _bar_lines(scene)[2]
        # Canvas above the chart, both within the first 19 rows (what 80x24 shows of a scene).
        canvas = scene.query_one(DigitCanvas)
        assert bars.region.y >= canvas.region.bottom
        assert bars.region.bottom - scene.region.y <= 21


# --- when there is no network ---------------------------------------------------------------------


@pytest.mark.parametrize("failure", ["missing", "no-module"])
async def test_missing_weights_show_one_message(monkeypatch: pytest.MonkeyPatch, failure: str) -> None:
    if failure == "missing":
        def broken(*args: Any, **kwargs: Any) -> Any:
            raise model_engine.ModelError(
                "the shipped LeNet-5 weights cannot be used (lenet5.npz: no such model file); "
                "reinstall dl-tutor, or train your own with `dl-tutor train lenet --save PATH`"
            )

        monkeypatch.setattr(model_files, "load_shipped_lenet", broken)
    else:
        import tutor.engines

        monkeypatch.setitem(sys.modules, "tutor.engines.model", None)  # import fails
        monkeypatch.delattr(tutor.engines, "model", raising=False)  # even when imported before
    scene = DrawDigitScene({})
    async with SceneHost(scene).run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        message = " ".join(shown_text(scene.query_one("#dd-message", Static)).split())
        assert "dl-tutor train lenet --save PATH" in message
        assert "einstall" in message
        if failure == "missing":
            assert message.startswith("The shipped LeNet-5 weights cannot be used")
        assert not scene.query_one(ProbabilityBars).display
        assert "no network" in _status(scene)
        # The canvas and the preprocessing keep working.
        await pilot.press("space", "down", "down")
        await pilot.pause()
        assert scene.query_one(DigitCanvas).pixels.any()
        assert not scene.record.empty and scene.probs is None


# --- the lesson -----------------------------------------------------------------------------------


def test_lesson_passes_the_checker() -> None:
    from tutor.content.loader import load_lesson

    issues: list = []
    lesson = load_lesson(LESSONS / "draw-a-digit", "draw-a-digit", issues)
    assert issues == [] and lesson is not None
    kinds = {q.kind for q in lesson.questions.values()}
    assert {"single", "multiple", "number", "predict"} <= kinds
    scenes = [step.scene for step in lesson.steps if step.scene]
    assert set(scenes) == {"draw-digit"}


def test_lesson_predict_questions_render() -> None:
    for name in ("preprocess.box_size", "preprocess.centre_shift"):
        for seed in range(5):
            generated = generate(name, seed)
            assert generated.kind == "vector" and len(generated.answer) == 2


# --- the real shipped network ---------------------------------------------------------------------


def _weights() -> Path:
    return model_files.shipped_lenet_path()


@pytest.mark.skipif(not _weights().exists(), reason="the shipped LeNet-5 weights are not there yet")
def test_shipped_lenet_reads_preprocessed_test_digits() -> None:
    network = model_files.load_shipped_lenet()
    data = mnist.load_digits()
    images, labels = data.test_images[:300], data.test_labels[:300]
    prepared = np.stack([mnist_preprocess(image).image for image in images])
    probs = network.predict_proba(prepared)
    accuracy = float(np.mean(np.argmax(probs, axis=1) == labels))
    assert accuracy >= 0.95
    assert np.allclose(probs.sum(axis=1), 1.0)


@pytest.mark.skipif(not _weights().exists(), reason="the shipped LeNet-5 weights are not there yet")
def test_shipped_lenet_reads_pen_strokes() -> None:
    """Digits drawn with the canvas's pen, anywhere and at any size, come out right."""
    network = model_files.load_shipped_lenet()

    def draw(strokes: list[tuple[tuple[float, float], tuple[float, float]]]) -> np.ndarray:
        canvas = np.zeros((28, 28))
        for start, end in strokes:
            canvas = brush_line(canvas, start, end, radius=1.4)
        return canvas

    one = draw([((3, 15), (24, 13))])
    seven = draw([((4, 6), (4, 21)), ((4, 21), (24, 11))])
    small_seven_in_corner = draw([((1, 1), (1, 9)), ((1, 9), (11, 4))])
    four = draw([((3, 8), (15, 5)), ((15, 5), (15, 20)), ((4, 16), (25, 16))])
    drawings = np.stack([mnist_preprocess(d).image for d in (one, seven, small_seven_in_corner, four)])
    guesses = np.argmax(network.predict_proba(drawings), axis=1).tolist()
    assert guesses == [1, 7, 7, 4]


async def test_in_the_lesson_screen(network: FakeNetwork, tmp_path: Path) -> None:
    """The canvas has the keys it needs; the lesson's keys (r, n, p) still reach the screen."""

    app = lesson_app(tmp_path, "draw-a-digit")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        scene = screen.scene
        canvas = scene.query_one(DigitCanvas)
        assert isinstance(scene, DrawDigitScene) and canvas.has_focus
        first = canvas.pixels
        assert first.any() and scene.test_index == 0
        await pilot.press("c")
        assert not canvas.pixels.any()
        await pilot.press("r")  # the screen's reset: back to test digit #0
        await pilot.pause()
        assert np.array_equal(canvas.pixels, first)
        await pilot.press("t")
        await pilot.pause()
        assert scene.test_index != 0
        await pilot.press("n")
        await pilot.pause()
        assert screen.step.id == "draw-and-watch"
        assert screen.scene.query_one(DigitCanvas).has_focus
        await pilot.press("p")
        await pilot.pause()
        assert screen.step.id == "made-like-mnist"


# --- the look ---------------------------------------------------------------------------------------


@pytest.fixture
def real_colours(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots independent of $TERM and NO_COLOR: the images and canvas draw grey blocks."""
    force_real_colours(monkeypatch, HalfBlockImage, DigitCanvas)


def _at_step(step_id: str, keys: tuple[str, ...] = ()):
    async def run_before(pilot) -> None:
        screen = pilot.app.screen
        await screen.show_step(screen.lesson.step_index(step_id))
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()  # the digits load in a worker on a busy machine
        if keys:
            await pilot.press(*keys)
        await pilot.pause()
        screen.scene.flush_prediction()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    return run_before


#: Keys drawing a 7 with the keyboard cursor (it starts at pixel (14, 14)).
SEVEN = ("up",) * 9 + ("left",) * 7 + ("space",) + ("right",) * 14 + tuple(
    key for _ in range(9) for key in ("down", "down", "left")
) + ("space",)

LOOKS = {
    # The first step: MNIST test digit #0 passing through the preprocessing unchanged.
    "test-digit": ("made-like-mnist", ()),
    # A 7 drawn with the keyboard, with the four steps of the preprocessing.
    "keyboard-seven": ("the-four-steps", SEVEN),
}


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("look", sorted(LOOKS))
def test_snapshots(
    snap_compare, tmp_path: Path, network: FakeNetwork, real_colours: None, look: str,
    size: tuple[int, int],
) -> None:

    step, keys = LOOKS[look]
    app = lesson_app(tmp_path, "draw-a-digit")
    assert snap_compare(app, run_before=_at_step(step, keys), terminal_size=size)


def test_snapshot_without_weights_or_colour(
    snap_compare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No weights and NO_COLOR at 80x24: one message, the canvas drawn in shade characters."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise model_engine.ModelError(
            "the shipped LeNet-5 weights cannot be used (lenet5.npz: no such model file); "
            "reinstall dl-tutor, or train your own with `dl-tutor train lenet --save PATH`"
        )

    monkeypatch.setattr(model_files, "load_shipped_lenet", broken)
    monkeypatch.setattr(HalfBlockImage, "color_capable", property(lambda self: False))
    monkeypatch.setattr(DigitCanvas, "color_capable", property(lambda self: False))
    app = lesson_app(tmp_path, "draw-a-digit")
    assert snap_compare(app, run_before=_at_step("draw-and-watch", SEVEN), terminal_size=(80, 24))


def test_test_digits_are_mnist_whatever_the_data_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under --data fashion-mnist the scene still shows digits: its network reads digits, and
    clothes would be a digits model tested on clothes."""
    from tutor.paths import DATA_DIR_ENV, shipped_data_dir

    asked: list[Path] = []
    monkeypatch.setenv(DATA_DIR_ENV, str(shipped_data_dir("fashion-mnist")))
    monkeypatch.setattr(draw_digit, "load_digits", lambda folder=None: asked.append(Path(folder)) or "digits")
    scene = DrawDigitScene({})
    assert scene.test_digits() == "digits"
    assert asked == [shipped_data_dir("mnist")]
