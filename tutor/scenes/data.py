"""What a scene shows when the data set or the shipped network cannot be had.

The data come from `tutor.data` (memoised, thread-safe) and the networks from `tutor.models`;
this module keeps only the words a scene puts on screen instead of its picture, and the names
the digit scenes already use for those two ways in. Scenes never crash on damaged or missing
files: they show the one line the loaders give and a way forward.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from tutor.data import digits_or_reason, first_line
from tutor.models import SHIPPED_WAY_FORWARD as MODEL_WAY_FORWARD
from tutor.models import shipped_or_reason

__all__ = [
    "DATA_WAY_FORWARD",
    "MODEL_WAY_FORWARD",
    "data_failure_text",
    "first_line",
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
