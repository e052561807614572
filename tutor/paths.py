"""Where the shipped lessons and data live, for wheels and for editable installs alike."""

from __future__ import annotations

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


def mnist_dir() -> Path:
    """The folder holding the four gzipped MNIST IDX files and their SHA256SUMS."""
    return _PACKAGE_DIR / "data" / "mnist"
