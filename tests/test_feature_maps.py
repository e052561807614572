"""The feature-maps scene ("what it learned") with a small stand-in network, its failure paths, its
lesson and its look (snapshots at 80x24 and 120x40; regenerate with `--snapshot-update` on this file).

The network is a real `Model(LENET5)` whose C1 filters are hand-made edge detectors (the rest
seeded at random), returned by a monkeypatched `tutor.model_files.load_shipped_lenet`, so the
tests never depend on the shipped weights (which may be retrained).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from textual.widgets import Static

from tests.scene_host import (
    SceneHost,
    at_step,
    force_real_colours,
    lesson_app,
    shown_text,
)
from tutor import model_files, models
from tutor.engines import mnist
from tutor.engines import model as model_engine
from tutor.engines.evaluate import evaluate_in_batches as evaluate
from tutor.engines.model import LENET5, Model
from tutor.scenes import feature_maps
from tutor.scenes.feature_maps import MAX_MISTAKES, FeatureMapsScene
from tutor.scenes.feature_maps_layout import choose_c3_layout, choose_filters_layout
from tutor.scenes.registry import SCENES, check_param, load_scene_class
from tutor.widgets.confusion import render_confusion
from tutor.widgets.image import HalfBlockImage
from tutor.widgets.tiles import MapGrid, Tile, grid, side_by_side, tile_lines

LESSONS = Path(__file__).resolve().parent.parent / "lessons"


def edge_model() -> Model:
    """LeNet-5 with six readable C1 filters: horizontal and vertical edges (both signs), a
    diagonal and a blur; every other weight seeded at random."""
    model = Model(LENET5, seed=0)
    w = np.zeros((6, 1, 5, 5), dtype=np.float32)
    w[0, 0, :2, :], w[0, 0, 3:, :] = 1.0, -1.0
    w[1, 0, :, :2], w[1, 0, :, 3:] = 1.0, -1.0
    w[2], w[3] = -w[0], -w[1]
    w[4, 0] = 2.0 * np.eye(5, dtype=np.float32) - 0.4
    w[5, 0] = 0.3
    model.params["C1.w"] = w * 0.6
    return model


def _fake_digits(n_test: int = 12) -> Any:
    """Bars, crosses and rings as 28x28 uint8 "digits", labels 0-9 in turn."""
    images = np.zeros((n_test, 28, 28), dtype=np.uint8)
    for k in range(n_test):
        if k % 3 == 0:
            images[k, 4:24, 12 + k % 4 : 16 + k % 4] = 255
        elif k % 3 == 1:
            images[k, 10 + k % 5 : 14 + k % 5, 4:24] = 230
        else:
            yy, xx = np.mgrid[:28, :28]
            ring = np.abs(np.hypot(yy - 14, xx - 14) - 6 - k % 3) < 1.6
            images[k][ring] = 255
    labels = (np.arange(n_test) % 10).astype(np.uint8)
    return SimpleNamespace(train_images=images, train_labels=labels, test_images=images, test_labels=labels,
                           info=SimpleNamespace(class_names=tuple(str(d) for d in range(10))))


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    feature_maps.clear_cache()
    yield
    feature_maps.clear_cache()


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> Model:
    model = edge_model()
    monkeypatch.setattr(model_files, "load_shipped_lenet", lambda *a, **k: model)
    return model


@pytest.fixture
def digits(monkeypatch: pytest.MonkeyPatch) -> Any:
    fake = _fake_digits()
    monkeypatch.setattr(mnist, "load_digits", lambda *a, **k: fake)
    return fake


def _missing(*args: Any, **kwargs: Any) -> Any:
    raise model_engine.ModelError(
        "the shipped LeNet-5 weights cannot be used (lenet5.npz: no such model file); "
        "reinstall dl-tutor, or train your own with `dl-tutor train lenet --save PATH`"
    )


def _status(scene: FeatureMapsScene) -> str:
    return shown_text(scene.query_one("#fm-status", Static))


def _words(scene: FeatureMapsScene) -> str:
    return shown_text(scene.query_one("#fm-text", Static))


def _grid_text(scene: FeatureMapsScene) -> list[str]:
    return [strip.text for strip in scene.query_one(MapGrid).lines]


# --- pure pieces ----------------------------------------------------------------------------------


def test_registered_with_its_params() -> None:
    spec = SCENES["feature-maps"]
    assert spec.target == "tutor.scenes.feature_maps:FeatureMapsScene"
    for view in ("filters", "c3", "probs", "mistakes", "confusion"):
        assert check_param(spec.params["view"], view) is None
    assert check_param(spec.params["source"], "mine") is None
    assert check_param(spec.params["source"], "yours") is not None
    assert check_param(spec.params["index"], 7) is None
    assert load_scene_class("feature-maps") is FeatureMapsScene


def test_layouts_fit_the_stage() -> None:
    narrow = choose_filters_layout(36, 17)
    assert narrow.width <= 36 and narrow.height <= 17 and narrow.size >= 10
    wide = choose_filters_layout(74, 32)
    assert wide.width <= 74 and wide.height <= 32 and wide.size >= 18 and wide.scale == 2
    c3_narrow = choose_c3_layout(36, 17)
    assert (c3_narrow.columns, c3_narrow.size) == (4, 7) and c3_narrow.height <= 17
    c3_wide = choose_c3_layout(46, 30)
    assert (c3_wide.columns, c3_wide.size) == (4, 10)
    # Nothing fits the height: the widest arrangement that fits the width is used.
    assert choose_filters_layout(36, 3).width <= 36


def test_tiles_and_grids() -> None:
    tile = tile_lines(Tile(np.eye(5), "#1", scale=2, bold=True), "shade")
    assert len(tile) == 5 + 1 and all(s.cell_length == 10 for s in tile)
    assert tile[-1].text.startswith("#1")
    small = tile_lines(Tile(np.ones((28, 28)), size=10), "blocks")
    assert len(small) == 5 and small[0].cell_length == 10
    pair = side_by_side([tile, small], 1)
    assert len(pair) == 6 and all(s.cell_length == 21 for s in pair)
    lines = grid([pair] * 6, columns=2, gap=2, row_gap=1)
    assert len(lines) == 3 * 6 + 2 and max(s.cell_length for s in lines) == 44


def test_evaluate_finds_the_mistakes() -> None:
    class Fixed:
        def predict_proba(self, images: Any) -> np.ndarray:
            out = np.zeros((len(images), 10))
            out[:, 3] = 1.0
            return out

    images = np.zeros((7, 28, 28), dtype=np.uint8)
    labels = np.array([3, 1, 3, 3, 9, 3, 0])
    result = evaluate(Fixed(), images, labels, batch=2)
    assert result.wrong.tolist() == [1, 4, 6]
    assert result.accuracy == pytest.approx(4 / 7)
    assert result.confusion.sum() == 7 and result.confusion[3, 3] == 4 and result.confusion[9, 3] == 1
    assert evaluate(Fixed(), images, labels, cancelled=lambda: True) is None


# --- the scene ------------------------------------------------------------------------------------


async def test_views_show_the_network(network: Model, digits: Any) -> None:
    scene = FeatureMapsScene({"view": "filters", "index": 2})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert scene.total_frames == 11 and scene.position == 2
        probs = network.predict_proba(digits.test_images[2:3])[0]
        guess = int(np.argmax(probs))
        assert f"test #2: a 2 · guess {guess}" in _status(scene)
        assert scene.maps["C1"].shape == (6, 28, 28) and scene.maps["C3"].shape == (16, 10, 10)
        expected = network.feature_maps(digits.test_images[2])
        assert np.allclose(scene.maps["C1"], expected["C1"])
        lines = _grid_text(scene)
        assert any("#1" in line for line in lines) and any("#6" in line for line in lines)
        assert max(len(line) for line in lines) <= scene.content_size.width
        assert "six 5x5 filters" in _words(scene)
        scene.step_forward()
        await pilot.pause()
        assert "test #3: a 3" in _status(scene)
        await pilot.press("v")
        assert scene.view == "c3" and scene.position == 3
        assert "sixteen 10x10 maps" in _words(scene)
        await pilot.press("v")
        assert scene.view == "probs"
        probs = network.predict_proba(digits.test_images[3:4])[0]
        first = int(np.argmax(probs))
        assert f"{100 * probs[first]:.1f}% for {first}" in _words(scene)
        bars = _grid_text(scene)
        marked = [line for line in bars if "◀" in line]
        assert len(marked) == 1 and f"  {first} " in marked[0] and f"{100 * probs[first]:.1f}%" in marked[0]
        await pilot.press("right_square_bracket")  # jumps clamp at the last digit
        assert scene.position == 11


async def test_mistakes_and_confusion(network: Model, digits: Any) -> None:
    scene = FeatureMapsScene({"view": "probs", "index": 0})
    expected = evaluate(network, digits.test_images, digits.test_labels)
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("v")
        assert scene.view == "mistakes"
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert scene.evaluation is not None
        wrong = expected.wrong[:MAX_MISTAKES].tolist()
        assert scene.mistakes.tolist() == wrong and len(wrong) > 1
        assert scene.total_frames == len(wrong) - 1
        first = wrong[0]
        guess = int(expected.predictions[first])
        assert f"a {int(digits.test_labels[first])} read as {guess}" in _words(scene)
        assert f"test #{first}:" in _status(scene) and "✗" in _status(scene)
        scene.step_forward()
        await pilot.pause()
        assert f"test #{wrong[1]}:" in _status(scene)
        await pilot.press("o")
        assert scene.view == "filters" and scene.position == wrong[1]
        await pilot.press("v", "v", "v", "v")
        assert scene.view == "confusion" and scene.total_frames == 0
        text = _words(scene)
        assert f"{int(np.trace(expected.confusion)):,} of {len(digits.test_images):,} test digits right" in text
        # the same notation as the training scene's matrix (tutor.widgets.confusion)
        assert render_confusion(expected.confusion, scene.stage_width).plain in text
        await pilot.press("v")
        assert scene.view == "filters" and scene.position == wrong[1]
        assert models.cached_evaluation(network) is scene.evaluation

    # A second scene on the same network reuses the cached answers: no worker needed.
    again = FeatureMapsScene({"view": "mistakes"})
    async with SceneHost(again).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert again.evaluation is not None and again.mistakes.tolist() == wrong
        assert not list(again.workers)


async def test_missing_weights_show_one_message(monkeypatch: pytest.MonkeyPatch, digits: Any) -> None:
    monkeypatch.setattr(model_files, "load_shipped_lenet", _missing)
    scene = FeatureMapsScene({"view": "filters"})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        text = _words(scene)
        assert "No LeNet-5 to look inside" in text and "dl-tutor train lenet" in text
        assert scene.total_frames == 0 and not scene.query_one(MapGrid).display
        await pilot.press("v", "o", "right_square_bracket", "m", "full_stop")
        assert scene.position == 0 and "No LeNet-5 to look inside" in _words(scene)


async def test_the_learners_model(monkeypatch: pytest.MonkeyPatch, network: Model, digits: Any) -> None:
    scene = FeatureMapsScene({"source": "mine"})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert scene.which == "shipped" and scene.model is network
        assert "have not trained a LeNet-5 yet" in _words(scene) and "showing the shipped" in _words(scene)
    mine = Model(LENET5, seed=5)
    model_files.save_model(mine, models.model_path("lenet"))  # DL_TUTOR_HOME is a fresh folder per test
    scene = FeatureMapsScene({"source": "mine"})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert scene.which == "mine" and scene.model is not network
        assert np.allclose(np.asarray(scene.model.params["C1.w"]), np.asarray(mine.params["C1.w"]))
        await pilot.press("m")
        assert scene.source == "shipped" and scene.model is network
    models.model_path("lenet").write_bytes(b"not a model")
    scene = FeatureMapsScene({"source": "mine"})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert scene.which == "shipped" and "cannot be used" in _words(scene)


async def test_narrow_stage_fits(network: Model, digits: Any) -> None:
    scene = FeatureMapsScene({"view": "filters"})
    async with SceneHost(scene).run_test(size=(40, 22)) as pilot:
        await pilot.pause()
        width = scene.content_size.width
        for _ in range(3):
            lines = _grid_text(scene)
            assert lines and max(len(line) for line in lines) <= width
            await pilot.press("v")


# --- the lesson -----------------------------------------------------------------------------------


def test_lesson_passes_the_checker() -> None:
    from tutor.content.loader import load_lesson

    issues: list = []
    lesson = load_lesson(LESSONS / "what-it-learned", "what-it-learned", issues)
    assert issues == [] and lesson is not None
    kinds = {q.kind for q in lesson.questions.values()}
    assert {"single", "multiple", "number", "predict"} <= kinds
    assert {step.scene for step in lesson.steps} == {"feature-maps"}
    views = [step.scene_params["view"] for step in lesson.steps]
    assert set(views) == {"filters", "c3", "probs", "mistakes", "confusion"}


# --- the look -------------------------------------------------------------------------------------


@pytest.fixture
def real_colours(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots independent of $TERM and NO_COLOR: the maps draw coloured blocks."""
    force_real_colours(monkeypatch, HalfBlockImage)


#: Snapshots on the real MNIST test digits with the edge-filter network.
LOOKS = {
    "filters-80x24": ("filters", (), (80, 24)),
    "filters-120x40": ("filters", (), (120, 40)),
    "c3-80x24": ("deeper", (), (80, 24)),
    "c3-120x40": ("deeper", (), (120, 40)),
    "probs-80x24": ("confidence", (), (80, 24)),
    "mistakes-120x40": ("mistakes", (), (120, 40)),
    "confusion-80x24": ("confusion", (), (80, 24)),
}


@pytest.mark.parametrize("look", sorted(LOOKS))
def test_snapshots(snap_compare, tmp_path: Path, network: Model, real_colours: None, look: str) -> None:

    step, keys, size = LOOKS[look]
    app = lesson_app(tmp_path, "what-it-learned")
    assert snap_compare(app, run_before=at_step(step, keys, wait_for_workers=True), terminal_size=size)


def test_snapshot_without_weights(snap_compare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:

    monkeypatch.setattr(model_files, "load_shipped_lenet", _missing)
    app = lesson_app(tmp_path, "what-it-learned")
    assert snap_compare(app, run_before=at_step("filters", wait_for_workers=True), terminal_size=(80, 24))


def test_a_named_data_set_gets_its_class_names_in_the_words() -> None:
    from types import SimpleNamespace

    from tutor.engines.mnist import MNIST_CLASS_NAMES
    from tutor.scenes.feature_maps import FeatureMapsScene, describe_guess

    scene = FeatureMapsScene({})
    clothes = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
    scene.digits = SimpleNamespace(info=SimpleNamespace(class_names=clothes))
    assert scene.class_text(9) == "9 Ankle boot" and scene.class_text(0) == "0 T-shirt/top"
    probs = np.full(10, 0.01)
    probs[7] = 0.91
    assert describe_guess(probs, 9, True, scene.class_text).plain.startswith("guess 7 Sneaker 91% ✗ wrong")
    scene.digits = SimpleNamespace(info=SimpleNamespace(class_names=MNIST_CLASS_NAMES))
    assert scene.class_text(7) == "7" and describe_guess(probs, 7).plain.startswith("guess 7 91% ✓")
