"""The data set for scenes: loaded through the engine, with failures turned into one line.

Scenes never crash on damaged or missing MNIST files: they show the line this returns and a way
forward (the loader's messages already say how to repair the install).
"""

from __future__ import annotations

from typing import Any

from tutor.engines import mnist


def first_line(error: BaseException) -> str:
    """The first line of an error's message, or its type's name when it has none."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def load_digits_or_reason() -> tuple[Any, str]:
    """``(digits, "")`` on success, ``(None, one-line message)`` when the files cannot be read."""
    try:
        return mnist.load_digits(), ""
    except (mnist.DataError, OSError, ValueError) as error:
        return None, first_line(error)
