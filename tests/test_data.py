"""tutor.data: the data set read once per process, shared by threads, or one line saying why."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.test_train_cli import write_set
from tutor import data
from tutor.engines import mnist


@pytest.fixture(autouse=True)
def _fresh() -> Any:
    data.forget()
    yield
    data.forget()


def test_read_once_and_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    fake = SimpleNamespace(test_images=[])

    def read(folder: Any = None) -> Any:
        calls.append(folder)
        return fake

    monkeypatch.setattr(data, "read_digits", read)
    assert data.cached_digits() is None
    assert data.load_digits() is fake and data.load_digits() is fake
    assert data.digits_or_reason() == (fake, "")
    assert data.cached_digits() is fake and len(calls) == 1


def test_two_threads_read_it_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    fake = object()

    def slow(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        time.sleep(0.05)
        return fake

    monkeypatch.setattr(mnist, "load_digits", slow)  # the engine's loader under read_digits
    got: list[Any] = []
    threads = [threading.Thread(target=lambda: got.append(data.load_digits())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert got == [fake] * 4 and calls == [1]


def test_a_failure_is_one_line_and_not_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise mnist.DataError("train-images-idx3-ubyte.gz is damaged: reinstall dl-tutor\nmore")

    monkeypatch.setattr(mnist, "load_digits", broken)
    assert data.digits_or_reason() == (None, "train-images-idx3-ubyte.gz is damaged: reinstall dl-tutor")
    fake = object()
    monkeypatch.setattr(mnist, "load_digits", lambda *a, **k: fake)
    assert data.digits_or_reason() == (fake, "")  # "press r to try again" tries again


def test_the_data_dir_and_the_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_set(tmp_path / "fashion", 20, 10, name="Tiny Fashion")
    monkeypatch.setenv("DL_TUTOR_DATA_DIR", str(folder))
    monkeypatch.setenv("DL_TUTOR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DL_TUTOR_CACHE_DIR")  # the learner's own data folder, as by default
    digits = data.load_digits()
    assert digits.info.name == "Tiny Fashion" and len(digits.test_images) == 10
    assert [p for p in (tmp_path / "home" / "cache").glob("tiny-fashion-*") if (p / "train_images.npy").is_file()]
    assert data.load_digits(folder) is digits
    monkeypatch.setenv("DL_TUTOR_DATA_DIR", "")
    assert data.load_digits() is not digits  # the shipped MNIST: another folder, another set


def test_the_cache_folder_can_be_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DL_TUTOR_CACHE_DIR", str(tmp_path / "shared"))
    assert data.cache_dir() == tmp_path / "shared"
    monkeypatch.setenv("DL_TUTOR_CACHE_DIR", " ")
    assert data.cache_dir().name == "cache" and data.cache_dir().parent.name != "shared"


def test_the_engine_writes_no_cache_unless_asked(tmp_path: Path) -> None:
    folder = write_set(tmp_path / "set", 8, 4)
    before = set(tmp_path.rglob("*"))
    mnist.load_digits(folder)
    assert set(tmp_path.rglob("*")) == before
