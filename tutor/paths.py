"""Where the shipped lessons and data live, for wheels and for editable installs alike."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def default_lessons_dir() -> Path:
    """The course shipped with dl-tutor.

    A wheel carries it as `tutor/lessons` (hatch force-include); an editable install or a
    source checkout reads the repository's top-level `lessons/` folder instead.
    """
    packaged = _PACKAGE_DIR / "lessons"
    if (packaged / "course.toml").is_file():
        return packaged
    return _PACKAGE_DIR.parent / "lessons"


#: Environment variable naming another data set folder (set by `dl-tutor --data-dir PATH`).
DATA_DIR_ENV = "DL_TUTOR_DATA_DIR"


def shipped_mnist_dir() -> Path:
    """The folder holding the shipped MNIST: four gzipped IDX files and their SHA256SUMS
    (`tutor.engines.mnist.shipped_dir` says where; imported here only when asked, as it loads
    NumPy)."""
    from tutor.engines.mnist import shipped_dir

    return shipped_dir()


def mnist_dir() -> Path:
    """The data set the lessons use: $DL_TUTOR_DATA_DIR when set (a folder in the same layout,
    with a dataset.toml naming its files and classes), else the shipped MNIST."""
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(override).expanduser() if override else shipped_mnist_dir()
