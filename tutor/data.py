"""The one way the app gets its data set: memoised, thread-safe, or one line saying why not.

The data set is the shipped MNIST, or the folder `dl-tutor --data-dir` named
(`tutor.paths.mnist_dir`: e.g. Fashion-MNIST, described by its dataset.toml). `load_digits()`
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
from pathlib import Path
from typing import Any

from tutor.engines import mnist
from tutor.text import first_line

__all__ = ["cache_dir", "cached_digits", "digits_or_reason", "first_line", "forget", "load_digits", "read_digits"]

_LOCK = threading.Lock()
#: (folder, reader, engine loader) -> the Digits read with them.
_MEMO: dict[tuple[str, Any, Any], mnist.Digits] = {}


def data_folder(folder: Path | str | None = None) -> Path:
    """The folder to read: `folder`, else the one the app uses (`tutor.paths.mnist_dir`)."""
    from tutor.paths import mnist_dir

    return mnist_dir() if folder is None else Path(folder)


def cache_dir() -> Path:
    """Where decoded data sets are cached: the "cache" folder in the learner's data folder."""
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
