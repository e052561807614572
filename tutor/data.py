"""The one way the app gets its data set: memoised, thread-safe, or one line saying why not.

The data set is the shipped MNIST, the shipped Fashion-MNIST (`dl-tutor --data fashion-mnist`), or
the folder `dl-tutor --data-dir` named (`tutor.paths.mnist_dir`; described by its dataset.toml).
`describe()` says which, without reading the images: its key (the name models and results are
kept under, so a model of digits is never tested on clothes), title, attribution and class names. `load_digits()`
reads it once per process (through `tutor.engines.mnist.load_digits`, with the decoded arrays
cached on disk in the data folder's "cache") and hands every later caller, on any thread, the
same `Digits`; `digits_or_reason()` turns a failure into one line instead. A failure is never
remembered, so "try again" tries again. Scenes call these from a thread worker where they can
(the first load decodes 70,000 images); a second call is free.

Tests patch one function, `read_digits` (or `tutor.engines.mnist.load_digits` under it): the
memo is keyed by the reader in use, so a patched reader is always asked.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor.engines import mnist
from tutor.text import first_line

__all__ = [
    "DataSet", "cache_dir", "cached_digits", "data_key", "describe", "digits_or_reason", "first_line",
    "forget", "load_digits", "read_digits", "shipped_sets",
]

_LOCK = threading.Lock()
#: (folder, reader, engine loader) -> the Digits read with them.
_MEMO: dict[tuple[str, Any, Any], mnist.Digits] = {}


def data_folder(folder: Path | str | None = None) -> Path:
    """The folder to read: `folder`, else the one the app uses (`tutor.paths.mnist_dir`)."""
    from tutor.paths import mnist_dir

    return mnist_dir() if folder is None else Path(folder)


@dataclass(frozen=True)
class DataSet:
    """Which data set a folder holds, told without reading its images.

    key: the data set's name as a slug: "mnist", "fashion-mnist" (the shipped sets, and a folder
    of the same name: a folder without a dataset.toml is MNIST's layout and classes, so "mnist"),
    else the dataset.toml name ("kmnist"); models and results are kept per key; title: how a
    learner reads its name ("Fashion-MNIST"); attribution: its authors and licence (one line;
    "" for a folder of the learner's own); class_names: the names of its 10 classes ("0".."9"
    for digits)."""

    key: str
    title: str
    folder: Path
    shipped: bool
    attribution: str
    class_names: tuple[str, ...]

    @property
    def digits(self) -> bool:
        """Whether its classes are the digits 0-9 (labels are then shown as they are)."""
        return self.class_names == mnist.MNIST_CLASS_NAMES

    def label(self, index: int) -> str:
        """Class `index` as a learner reads it: "7" for digits, "Sneaker" for clothes."""
        names = self.class_names
        return names[index] if 0 <= index < len(names) else str(index)


def class_name(digits: Any, index: int) -> str:
    """Class `index`'s name in loaded data `digits` (its `info.class_names`) when the set names
    its classes ("Sneaker"); "" for digits, whose number is their name, or without data."""
    names = getattr(getattr(digits, "info", None), "class_names", ())
    index = int(index)
    return names[index] if 0 <= index < len(names) and names[index] != str(index) else ""


def class_number_and_name(digits: Any, index: int) -> str:
    """"7" for digits, "7 Sneaker" for a set that names its classes (as status lines write it)."""
    name = class_name(digits, index)
    return f"{int(index)} {name}" if name else str(int(index))


def _slug(text: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split()) or "data"


def describe(folder: Path | str | None = None) -> DataSet:
    """The `DataSet` in `folder` (default: the app's); reads only its dataset.toml. A folder
    whose dataset.toml cannot be read is still described (by its folder name, with digit
    classes): loading it will say what is wrong."""
    path = data_folder(folder)
    shipped = mnist.shipped_name(path)
    try:
        info = mnist.read_descriptor(path)
    except (mnist.DataError, OSError):
        info = mnist.DatasetInfo(path.name or "data", mnist.MNIST_INFO.files, mnist.MNIST_CLASS_NAMES)
    if shipped is not None:
        return DataSet(shipped, info.name, path, True, mnist.ATTRIBUTION[shipped], info.class_names)
    return DataSet(_slug(info.name), info.name, path, False, "", info.class_names)


def data_key(folder: Path | str | None = None) -> str:
    """The key of the data set in `folder` (default: the app's): "mnist", "fashion-mnist", ..."""
    return describe(folder).key


def shipped_sets() -> tuple[DataSet, ...]:
    """The data sets shipped with dl-tutor, MNIST first."""
    return tuple(describe(mnist.shipped_dir(name)) for name in mnist.SHIPPED_SETS)


def switchable_sets(current: DataSet) -> tuple[DataSet, ...]:
    """What a scene's data switch cycles through: the shipped sets, then `current` and the app's
    own set (`--data-dir`) when they are none of them."""
    options = shipped_sets()
    for extra in (current, describe()):
        if extra.key not in {option.key for option in options}:
            options = (*options, extra)
    return options


def next_set(current: DataSet, direction: int = 1) -> DataSet:
    """The data set after (or before, `direction` -1) `current` in `switchable_sets`."""
    options = switchable_sets(current)
    keys = [option.key for option in options]
    return options[(keys.index(current.key) + direction) % len(options)]


#: The environment variable naming another cache folder (decoded data sets, the course).
CACHE_DIR_ENV = "DL_TUTOR_CACHE_DIR"


def cache_dir() -> Path:
    """Where decoded data sets (and the validated course) are cached: $DL_TUTOR_CACHE_DIR, else
    the "cache" folder in the learner's data folder."""
    import os

    override = os.environ.get(CACHE_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    from tutor.progress.store import default_home

    return default_home() / "cache"


def read_digits(folder: Path | str | None = None) -> mnist.Digits:
    """Read the data set in `folder` (default: the app's) from disk, no memo; raises DataError
    (or OSError, ValueError) with one line naming the file."""
    return mnist.load_digits(data_folder(folder), cache_dir=cache_dir())


def _key(folder: Path | str | None) -> tuple[str, Any, Any]:
    return (str(data_folder(folder)), read_digits, mnist.load_digits)


def load_digits(folder: Path | str | None = None) -> mnist.Digits:
    """The data set in `folder` (default: the app's), read once per process and shared; raises
    what `read_digits` raises. Thread-safe: two threads asking at once read it once."""
    key = _key(folder)
    with _LOCK:
        digits = _MEMO.get(key)
        if digits is None:
            digits = read_digits(folder)
            _MEMO[key] = digits
        return digits


def digits_or_reason(folder: Path | str | None = None) -> tuple[mnist.Digits | None, str]:
    """``(digits, "")``, or ``(None, one line saying why)`` when the files cannot be read."""
    try:
        return load_digits(folder), ""
    except (mnist.DataError, OSError, ValueError) as error:
        return None, first_line(error)


def cached_digits(folder: Path | str | None = None) -> mnist.Digits | None:
    """The data set if it was read already (never reads, never waits for a read going on)."""
    if not _LOCK.acquire(blocking=False):
        return None
    try:
        return _MEMO.get(_key(folder))
    finally:
        _LOCK.release()


def forget() -> None:
    """Forget every data set read so far (tests; files replaced while the app runs)."""
    with _LOCK:
        _MEMO.clear()
