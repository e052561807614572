"""What a scene shows when the data set or the shipped network cannot be had.

The data come from `tutor.data` (memoised, thread-safe) and the networks from `tutor.models`;
this module keeps only the words a scene puts on screen instead of its picture, the names the
digit scenes already use for those two ways in, and one training digit as the network sees it
(`load_digit`, kept once loaded). Scenes never crash on damaged or missing
files: they show the one line the loaders give and a way forward.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.text import Text

from tutor.data import digits_or_reason, first_line
from tutor.engines.preprocess import as_unit_float
from tutor.models import SHIPPED_WAY_FORWARD as MODEL_WAY_FORWARD
from tutor.models import shipped_or_reason

__all__ = [
    "DATA_WAY_FORWARD",
    "MODEL_WAY_FORWARD",
    "clear_digit_cache",
    "data_failure_text",
    "first_line",
    "load_digit",
    "load_digits_or_reason",
    "load_shipped_lenet_or_reason",
]

#: How to go on when the digits cannot be loaded.
DATA_WAY_FORWARD = (
    "Press r to try again; if that fails, reinstall dl-tutor "
    "(pip install --force-reinstall dl-tutor) to restore the MNIST files."
)


def load_digits_or_reason(folder: Any = None) -> tuple[Any, str]:
    """``(digits, "")`` on success, ``(None, one-line message)`` when the files in `folder`
    (default: the app's data set) cannot be read (`tutor.data.digits_or_reason`: read once
    per process)."""
    return digits_or_reason(folder)


_digit_cache: dict[int, np.ndarray] = {}


def clear_digit_cache() -> None:
    """Forget the digits loaded so far (tests swap the loader)."""
    _digit_cache.clear()


def load_digit(index: int) -> tuple[np.ndarray | None, int, str]:
    """Training digit `index` scaled to 0..1, shape (28, 28) float64, as the network sees it.

    Returns ``(image, index used, "")``, the index clamped to the split, or
    ``(None, index, one-line message)`` when the MNIST files cannot be read.
    """
    digits, message = load_digits_or_reason()
    if digits is None:
        return None, index, message
    images = digits.train_images
    index = max(0, min(int(index), len(images) - 1))
    if index not in _digit_cache:
        _digit_cache[index] = as_unit_float(images[index])
    return _digit_cache[index], index, ""


def load_shipped_lenet_or_reason(xp: Any = None, way_forward: str = MODEL_WAY_FORWARD) -> tuple[Any, str]:
    """The shipped LeNet-5: ``(model, "")``, or ``(None, one line saying why)`` ending in
    `way_forward` unless the loader's message already says how to go on
    (`tutor.models.shipped_or_reason`)."""
    return shipped_or_reason(xp, way_forward)


def data_failure_text(error: str) -> Text:
    """What a scene shows instead of its picture when the digits could not be loaded."""
    text = Text()
    text.append("The MNIST digits could not be loaded.\n", style="bold")
    text.append((error or "No data.") + "\n")
    text.append(DATA_WAY_FORWARD)
    return text
