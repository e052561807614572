"""The digit-browser scene mounted in a tiny app, with the MNIST loader replaced by a small fake."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from textual.widgets import Static

from tutor.engines import mnist
from tutor.scenes.digit_browser import DigitBrowserScene
from tutor.scenes.registry import SCENES, check_param, load_scene_class
from tutor.widgets.image import HalfBlockImage
from tutor.widgets.plot import Plot
from tests.scene_host import SceneHost


_Host = SceneHost


class _FakeDataError(Exception):
    """Stands in for mnist.DataError when the engine does not define it yet."""


DataError = getattr(mnist, "DataError", _FakeDataError)


def _fake_digits(n_train: int = 30, n_test: int = 12) -> Any:
    rng = np.random.default_rng(0)
    train = rng.integers(0, 256, size=(n_train, 28, 28), dtype=np.uint8)
    train[:, :4, :] = 0  # a background band so some pixels are 0
    test = rng.integers(0, 256, size=(n_test, 28, 28), dtype=np.uint8)
    train_labels = ((np.arange(n_train) + 5) % 10).astype(np.uint8)  # 5 first, as in MNIST
    test_labels = (np.arange(n_test) % 10).astype(np.uint8)
    info = SimpleNamespace(class_names=tuple(str(k) for k in range(10)))
    return SimpleNamespace(train_images=train, train_labels=train_labels,
                           test_images=test, test_labels=test_labels, info=info)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Any:
    digits = _fake_digits()
    monkeypatch.setattr(mnist, "load_digits", lambda *a, **k: digits, raising=False)
    return digits


def _status(scene: DigitBrowserScene) -> str:
    return str(scene.query_one("#db-status", Static).render())


def test_registered_with_its_params() -> None:
    spec = SCENES["digit-browser"]
    assert spec.target == "tutor.scenes.digit_browser:DigitBrowserScene"
    assert check_param(spec.params["view"], "means") is None
    assert check_param(spec.params["split"], "test") is None
    assert check_param(spec.params["start"], 3) is None
    assert load_scene_class("digit-browser") is DigitBrowserScene


async def test_browse_digits(fake: Any) -> None:
    scene = DigitBrowserScene({"split": "train"})
    async with _Host(scene).run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        assert scene.total_frames == 29
        image = scene.query_one("#db-image", HalfBlockImage)
        assert image.display and image.data.shape == (28, 28)
        assert np.array_equal(image.data, fake.train_images[0])
        assert "label 5" in _status(scene) and "#0 of 30" in _status(scene)
        scene.step_forward()
        await pilot.pause()
        assert scene.position == 1 and np.array_equal(image.data, fake.train_images[1])
        scene.step_back()
        scene.step_back()
        await pilot.pause()
        assert scene.position == 0
        await pilot.press("right_square_bracket")
        assert scene.position == 29  # clamped jump
        await pilot.press("left_square_bracket")
        assert scene.position == 0
        scene.toggle_play()
        assert scene.playing
        scene.toggle_play()
        assert not scene.playing


async def test_start_and_test_split(fake: Any) -> None:
    scene = DigitBrowserScene({"split": "test", "start": 4})
    async with _Host(scene).run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        assert scene.total_frames == 11 and scene.position == 4
        assert f"label {int(fake.test_labels[4])}" in _status(scene)
        scene.step_forward()
        scene.reset()
        await pilot.pause()
        assert scene.position == 4


async def test_cycle_views(fake: Any) -> None:
    scene = DigitBrowserScene({})
    async with _Host(scene).run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        scene.step_forward()
        await pilot.press("v")
        assert scene.view == "counts" and scene.total_frames == 0
        assert scene.query_one("#db-plot", Plot).display
        assert not scene.query_one("#db-image", HalfBlockImage).display
        bars = scene.query_one("#db-plot", Plot).model.bars
        assert list(bars.values) == [3] * 10
        await pilot.press("v")
        assert scene.view == "means" and scene.total_frames == 9
        image = scene.query_one("#db-image", HalfBlockImage)
        assert image.display and float(image.data.max()) <= 1.0
        assert "average 0" in _status(scene)
        scene.step_forward()
        await pilot.pause()
        assert "average 1" in _status(scene)
        await pilot.press("v")
        assert scene.view == "histogram"
        assert "exactly 0" in _status(scene)
        assert len(scene.query_one("#db-plot", Plot).model.bars.values) == 16
        await pilot.press("v")
        assert scene.view == "digits" and scene.position == 1  # remembered
        scene.reset()
        await pilot.pause()
        assert scene.view == "digits" and scene.position == 0


async def test_view_param_sets_first_view(fake: Any) -> None:
    scene = DigitBrowserScene({"view": "histogram", "split": "test"})
    async with _Host(scene).run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        assert scene.view == "histogram" and "test split" in _status(scene)


async def test_data_error_is_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise DataError("train-images-idx3-ubyte.gz is damaged (checksum mismatch)")

    monkeypatch.setattr(mnist, "load_digits", broken, raising=False)
    scene = DigitBrowserScene({})
    async with _Host(scene).run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        text = _status(scene)
        assert "could not be loaded" in text and "checksum mismatch" in text
        assert "reinstall" in text
        assert scene.total_frames == 0
        await pilot.press("v")
        await pilot.press("right_square_bracket")
        scene.step_forward()
        assert scene.position == 0
        # Once the files are back, reset loads them.
        digits = _fake_digits()
        monkeypatch.setattr(mnist, "load_digits", lambda *a, **k: digits, raising=False)
        scene.reset()
        await pilot.pause()
        assert scene.digits is digits and scene.total_frames == 29
        assert "label 5" in _status(scene)


async def test_another_data_set_shows_its_class_names(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_train_cli import write_set

    folder = write_set(tmp_path / "fashion", 30, 10, name="Tiny Fashion")
    monkeypatch.setenv("DL_TUTOR_DATA_DIR", str(folder))
    scene = DigitBrowserScene({"split": "train", "start": 0, "view": "digits"})
    async with _Host(scene).run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        label = int(scene.digits.train_labels[0])
        names = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
        assert scene.digits.info.name == "Tiny Fashion"
        assert f"label {label} {names[label]}" in _status(scene)


@pytest.mark.slow
async def test_d_switches_to_the_clothes_and_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """`d` cycles the shipped sets (the real files): the header names the set, a label gets its
    class name, the counts and means follow the set, and `r` goes back to the lesson's set."""
    scene = DigitBrowserScene({"split": "test", "start": 0, "view": "digits"})
    async with _Host(scene).run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        assert "MNIST, test split" in _status(scene) and scene.data.key == "mnist"
        digit_labels = scene.labels
        await pilot.press("d")
        await pilot.pause()
        assert scene.data.key == "fashion-mnist" and "Fashion-MNIST, test split" in _status(scene)
        label = int(scene.labels[0])
        assert f"label {label} {scene.digits.info.class_names[label]}" in _status(scene)
        assert scene.labels is not digit_labels
        await pilot.press("v", "v")  # means
        await pilot.pause()
        assert scene.view == "means" and "the average 0 T-shirt/top" in _status(scene)
        await pilot.press("d")
        await pilot.pause()
        assert scene.data.key == "mnist" and "the average 0 over" in _status(scene)
        await pilot.press("d")
        await pilot.pause()
        scene.reset()
        await pilot.pause()
        assert scene.data.key == "mnist" and scene.view == "digits" and "MNIST, test split" in _status(scene)


async def test_d_waits_while_the_questions_are_open(fake: Any) -> None:
    scene = DigitBrowserScene({"split": "train", "start": 0, "view": "digits"})
    async with _Host(scene).run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        scene.hold_answers(True)
        await pilot.press("d")
        await pilot.pause()
        assert scene.data.key == "mnist" and "once the questions are answered" in _status(scene)
        scene.hold_answers(False)
        await pilot.pause()
        assert "once the questions" not in _status(scene)
