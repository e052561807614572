"""The pooling scene: window-by-window max/avg pooling of an edge map, and the shift test.

Pilot tests use a small fake data set in place of MNIST; snapshots use the shipped digits on
the lesson screen at 80x24 and 120x40 (regenerate with `--snapshot-update` on this file).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from textual.widgets import Static

from tests.scene_host import SceneHost, at_step, lesson_app, shown_text
from tutor.engines import mnist
from tutor.engines.pooling import compare_pooled, pool2d, shift_image, vertical_edge_map
from tutor.scenes.pooling import PoolingScene
from tutor.scenes.registry import SCENES, check_param, load_scene_class
from tutor.widgets.image import HalfBlockImage


def _fake_digits() -> Any:
    """Three 28x28 "digits": bars and a ring, uint8, labels 7, 3, 0."""
    images = np.zeros((3, 28, 28), dtype=np.uint8)
    images[0, 4:24, 10:14] = 255
    images[1, 6:22, 6:9] = 200
    images[1, 6:22, 16:20] = 120
    yy, xx = np.mgrid[:28, :28]
    images[2][np.abs(np.hypot(yy - 13.5, xx - 13.5) - 8) < 2] = 255
    labels = np.array([7, 3, 0], dtype=np.uint8)
    return SimpleNamespace(train_images=images, train_labels=labels,
                           test_images=images, test_labels=labels)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Any:
    digits = _fake_digits()
    monkeypatch.setattr(mnist, "load_digits", lambda *a, **k: digits)
    return digits


def _text(scene: PoolingScene, widget_id: str) -> str:
    return shown_text(scene.query_one(widget_id, Static))


def test_registered_with_its_params() -> None:
    spec = SCENES["pooling"]
    assert load_scene_class("pooling") is PoolingScene
    assert check_param(spec.params["kind"], "avg") is None
    assert check_param(spec.params["mode"], "shift") is None
    assert check_param(spec.params["mode"], "other") is not None
    assert check_param(spec.params["index"], 2) is None
    assert check_param(spec.params["shift"], 1) is None


async def test_max_pooling_frames_show_known_values(fake: Any) -> None:
    scene = PoolingScene({"index": 0, "kind": "max"})
    feature = vertical_edge_map(fake.train_images[0])
    expected = pool2d(feature, 2, 2, "max")
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert scene.total_frames == 144
        # Frame 0: nothing pooled yet, the first window marked, the output empty.
        assert "none yet" in _text(scene, "#pl-cap-b") and "nothing pooled yet" in _text(scene, "#pl-detail")
        assert np.all(scene.query_one("#pl-b", HalfBlockImage).data == 0)
        feature_image = scene.query_one("#pl-a", HalfBlockImage)
        pooled_image = scene.query_one("#pl-b", HalfBlockImage)
        assert feature_image.data.shape == (24, 24)
        assert np.allclose(feature_image.data, feature)
        assert "a 7 (#0)" in _text(scene, "#pl-status")
        # The bar's left edge: the window at output cell (4, 3) covers rows 8-9, cols 6-7.
        # Find a frame with a non-zero maximum and check the printed value and position.
        frame = 4 * 12 + 3  # cells pooled before (4, 3)
        scene.position = frame + 1
        await pilot.pause()
        detail = _text(scene, "#pl-detail")
        value = expected.output[4, 3]
        r, c = expected.positions[4, 3]
        assert value > 0.5
        assert "rows 8-9, cols 6-7 → out (4,3)" in detail
        assert f"max = {value:.2f}" in detail
        assert f"[{value:.2f}]" in detail and f"at ({r},{c})" in detail
        assert feature_image.highlight == (8, 6, 2, 2)
        assert pooled_image.highlight == (4, 3, 1, 1)
        # The output holds the cells computed so far and zeros after them.
        out = pooled_image.data
        assert np.allclose(out.ravel()[: frame + 1], expected.output.ravel()[: frame + 1])
        assert np.all(out.ravel()[frame + 1 :] == 0)
        assert f"cell {frame + 1}" in _text(scene, "#pl-cap-b")
        scene.to_end()
        await pilot.pause()
        assert np.allclose(pooled_image.data, expected.output)
        # One counting convention: the last frame is 144 and so is the caption's cell.
        assert scene.position == scene.total_frames == 144
        assert "cell 144" in _text(scene, "#pl-cap-b") and "of 144" in _text(scene, "#pl-cap-b")


async def test_m_switches_to_average(fake: Any) -> None:
    scene = PoolingScene({"index": 0})
    feature = vertical_edge_map(fake.train_images[0])
    mean = pool2d(feature, 2, 2, "avg").output
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        scene.position = 52
        await pilot.pause()
        await pilot.press("m")
        assert scene.kind == "avg" and scene.position == 52
        detail = _text(scene, "#pl-detail")
        assert f"mean = {mean[4, 3]:.2f}" in detail and "[" not in detail
        assert "avg pooling" in _text(scene, "#pl-status")
        await pilot.press("m")
        assert scene.kind == "max"


async def test_digit_keys_and_reset(fake: Any) -> None:
    scene = PoolingScene({"index": 1, "kind": "avg"})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert "a 3 (#1)" in _text(scene, "#pl-status")
        await pilot.press("right_square_bracket")
        assert scene.index == 2 and "a 0 (#2)" in _text(scene, "#pl-status")
        await pilot.press("right_square_bracket")
        assert scene.index == 2  # the last digit
        await pilot.press("left_square_bracket", "left_square_bracket", "left_square_bracket")
        assert scene.index == 0
        await pilot.press("m")
        scene.reset()
        await pilot.pause()
        assert scene.index == 1 and scene.kind == "avg" and scene.position == 0


async def test_shift_mode(fake: Any) -> None:
    scene = PoolingScene({"index": 0, "mode": "shift", "shift": 1})
    image = fake.train_images[0]
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert scene.position == 1 and scene.total_frames == 4
        comparison = compare_pooled(vertical_edge_map(image), vertical_edge_map(shift_image(image, 0, 1)))
        pooled_b = scene.query_one("#pl-b", HalfBlockImage).data
        assert np.allclose(pooled_b, comparison.pooled_b)
        detail = _text(scene, "#pl-detail")
        assert f"{comparison.similarity:.0%}" in detail and f"{comparison.raw_similarity:.0%}" in detail
        assert "1 px right" in _text(scene, "#pl-status")
        scene.step_back()
        await pilot.pause()
        assert "0 px right" in _text(scene, "#pl-status")
        assert "100%" in _text(scene, "#pl-detail")
        assert np.allclose(scene.query_one("#pl-c", HalfBlockImage).data, 0.0)
        # v goes to the animation and back, remembering the shift.
        await pilot.press("v")
        assert scene.mode == "animate" and scene.total_frames == 144 and scene.position == 0
        assert not scene.query_one("#pl-col-c").display
        await pilot.press("v")
        assert scene.mode == "shift" and scene.position == 0


async def test_data_error_is_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise mnist.DataError("train-images-idx3-ubyte.gz is missing")

    monkeypatch.setattr(mnist, "load_digits", broken)
    scene = PoolingScene({})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        text = _text(scene, "#pl-status")
        assert "could not be loaded" in text and "is missing" in text and "reinstall" in text
        assert scene.total_frames == 0
        await pilot.press("m", "v", "right_square_bracket")
        scene.step_forward()
        await pilot.pause()
        digits = _fake_digits()
        monkeypatch.setattr(mnist, "load_digits", lambda *a, **k: digits)
        scene.reset()
        await pilot.pause()
        assert scene.total_frames in (144, 4)
        assert "could not be loaded" not in _text(scene, "#pl-status")


# --- the two lessons' questions -------------------------------------------------------------------


@pytest.mark.parametrize("lesson_id", ["stride-padding", "pooling"])
def test_lesson_questions_fill_and_grade(lesson_id: str) -> None:
    """Every predict question fills its templates, and its own answer text grades as right."""
    from tutor.content.loader import load_lesson
    from tutor.quiz.grade import grade, instantiate

    root = Path(__file__).resolve().parent.parent / "lessons"
    issues: list = []
    lesson = load_lesson(root / lesson_id, lesson_id, issues)
    assert lesson is not None and not issues
    kinds = {q.kind for q in lesson.questions.values()}
    assert {"single", "multiple", "number", "vector", "predict"} <= kinds
    for question in lesson.questions.values():
        if question.kind != "predict":
            continue
        for seed in range(30):
            problem = instantiate(question, seed)
            for text in (problem.prompt, problem.explanation, *problem.hints):
                assert "{" not in text and "}" not in text
            if problem.kind == "matrix":
                response = "; ".join(" ".join(f"{v:g}" for v in row) for row in problem.answer)
            else:
                response = f"{problem.answer:g}"
            assert grade(problem, response).status == "correct"


# --- snapshots on the lesson screen ---------------------------------------------------------------

SIZES = [(80, 24), (120, 40)]

SHOTS = {
    # Max pooling after 40 windows of the first training digit (a 5).
    "max-40": ("max-pool", ("full_stop",) * 40),
    # The shift test at one pixel.
    "shift-1": ("shift", ()),
}


@pytest.fixture
def _colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real colours, as in a 256-colour terminal, whatever $TERM and NO_COLOR say here."""
    from tutor.widgets.image import HalfBlockImage

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(HalfBlockImage, "color_capable", property(lambda self: True))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(SHOTS))
def test_snapshots(snap_compare, tmp_path: Path, _colour: None, name: str, size: tuple[int, int]) -> None:

    step_id, keys = SHOTS[name]
    app = lesson_app(tmp_path, "pooling")

    assert snap_compare(app, run_before=at_step(step_id, keys), terminal_size=size)
