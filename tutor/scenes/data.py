"""The data set for scenes: loaded through the engine, with failures turned into one line.

Scenes never crash on damaged or missing MNIST files: they show the line this returns and a way
forward (the loader's messages already say how to repair the install).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.text import Text

from tutor.engines import mnist

#: How to go on when the digits cannot be loaded.
DATA_WAY_FORWARD = (
    "Press r to try again; if that fails, reinstall dl-tutor "
    "(pip install --force-reinstall dl-tutor) to restore the MNIST files."
)

#: How to go on without the shipped network (added when the error does not say it already).
MODEL_WAY_FORWARD = (
    "Reinstall dl-tutor (pip install --force-reinstall dl-tutor), "
    "or train your own with `dl-tutor train lenet --save PATH`."
)


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


def data_failure_text(error: str) -> Text:
    """What a scene shows instead of its picture when the digits could not be loaded."""
    text = Text()
    text.append("The MNIST digits could not be loaded.\n", style="bold")
    text.append((error or "No data.") + "\n")
    text.append(DATA_WAY_FORWARD)
    return text


def load_shipped_lenet_or_reason(xp: Any = np, way_forward: str = MODEL_WAY_FORWARD) -> tuple[Any, str]:
    """The shipped LeNet-5: ``(model, "")``, or ``(None, one line saying why)`` ending in
    `way_forward` unless the loader's message already says how to go on."""
    try:
        from tutor.engines import model as model_engine

        return model_engine.load_shipped_lenet(xp=xp), ""
    except Exception as exc:  # ImportError, ModelError, OSError, ValueError: say it, never crash
        reason = first_line(exc)
        if "dl-tutor train" not in reason:
            reason = f"{reason.rstrip('.')}. {way_forward}"
        return None, reason
