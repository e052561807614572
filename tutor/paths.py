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


#: Environment variable naming another data set folder (set by `dl-tutor --data-dir PATH`, and
#: by `--data NAME` to the shipped folder of that name).
DATA_DIR_ENV = "DL_TUTOR_DATA_DIR"

#: The data sets `--data` names (`tutor.engines.mnist.SHIPPED_SETS`, kept here without NumPy for
#: the argument parser; a test checks they agree).
SHIPPED_DATA: tuple[str, ...] = ("mnist", "fashion-mnist")


def shipped_data_dir(name: str = "mnist") -> Path:
    """The folder of the data set `name` (one of SHIPPED_DATA) shipped with dl-tutor
    (`tutor.engines.mnist.shipped_dir` says where; imported here only when asked, as it loads
    NumPy)."""
    from tutor.engines.mnist import shipped_dir

    return shipped_dir(name)


def shipped_mnist_dir() -> Path:
    """The folder holding the shipped MNIST: four gzipped IDX files and their SHA256SUMS."""
    return shipped_data_dir("mnist")


def mnist_dir() -> Path:
    """The data set the lessons use: $DL_TUTOR_DATA_DIR when set (a folder in the same layout,
    with a dataset.toml naming its files and classes; `--data fashion-mnist` sets it to the
    shipped Fashion-MNIST), else the shipped MNIST."""
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(override).expanduser() if override else shipped_mnist_dir()
