"""How numbers and messages read in dl-tutor's text: one rule per kind of value.

Pure standard library, so the CLI's fast path and every scene may import it (the engines do
not: they stay free of the app, and keep their own few formatters for their own messages).

The rules, the same everywhere:

- **Zero has no sign.** Whatever rounds to zero is written without a minus: ``-0.0001`` with
  three decimals is ``"0"`` (``"0.000"`` with fixed decimals), never ``"-0"``.
- **Not-a-number and infinities are words:** ``"nan"``, ``"inf"`` and ``"-inf"``.
- **Trailing zeros are trimmed** (``2.500`` reads ``"2.5"``, ``2.000`` reads ``"2"``) unless
  the caller asks for ``fixed=True``, which keeps exactly ``digits`` decimals (``"2.500"``) so
  that numbers line up in a column.
- **digits counts decimals**, or significant digits with ``significant=True``; in that mode
  whole numbers below 10**15 are written in full and others in the short exponent form
  ``"1.235e5"`` / ``"1e-6"`` (no ``+`` and no leading zero in the exponent).
- **Durations** read ``m:ss`` (`format_duration`); **timings** of one step read in the unit
  that suits them, ``"0.25 s"``, ``"6.00 ms"``, ``"400 µs"`` (`format_timing`).
- **Shares** read as percentages, ``"42%"`` (`format_share`), with no ``"-0%"``.
- **An error in one line:** `first_line` keeps the first line of the message.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

__all__ = [
    "first_line",
    "format_duration",
    "format_number",
    "format_seconds",
    "format_share",
    "format_timing",
    "format_vector",
]

#: Whole numbers below this are written in full in ``significant`` mode ("2,147,483,647").
_WHOLE_LIMIT = 1e15


def _unsigned_zero(text: str) -> str:
    """``text`` without its minus sign when every digit in it is 0 ("-0.00" -> "0.00")."""
    if text.startswith("-") and not any(ch in "123456789" for ch in text.split("e")[0]):
        return text[1:]
    return text


def format_number(
    value: float,
    digits: int = 3,
    *,
    fixed: bool = False,
    significant: bool = False,
    grouping: bool = False,
) -> str:
    """A number as dl-tutor shows it (see the module docstring for the rules).

    Args:
        value: The number (anything `float` accepts).
        digits: Decimals after the point, or significant digits when ``significant``.
        fixed: Keep exactly ``digits`` decimals instead of trimming trailing zeros
            (ignored when ``significant``).
        significant: Round to ``digits`` significant digits, whole numbers in full.
        grouping: Separate thousands with commas ("1,000").

    Returns:
        Text such as ``"0.731"``, ``"-2"``, ``"0.500"`` (fixed), ``"1.235e5"``, ``"nan"``.

    >>> format_number(-0.0001), format_number(2.5, 3, fixed=True), format_number(float("inf"))
    ('0', '2.500', 'inf')
    """
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    comma = "," if grouping else ""
    if significant:
        if value.is_integer() and abs(value) < _WHOLE_LIMIT:
            return f"{int(value):{comma}d}"
        text = f"{value:{comma}.{max(1, digits)}g}"
        if "e" in text:
            mantissa, exponent = text.split("e")
            text = f"{mantissa}e{int(exponent)}"
        return _unsigned_zero(text)
    digits = max(0, digits)
    text = f"{value:{comma}.{digits}f}"
    if not fixed and "." in text:
        text = text.rstrip("0").rstrip(".")
    return _unsigned_zero(text)


def format_vector(values: Iterable[float], digits: int = 3, **options: bool) -> str:
    """Numbers in brackets, each by `format_number`: ``[1, -0.5, 0.25]``.

    ``options`` are `format_number`'s keywords (``fixed``, ``significant``, ``grouping``).
    """
    return "[" + ", ".join(format_number(v, digits, **options) for v in values) + "]"


def format_share(share: float, decimals: int = 0) -> str:
    """A share of a whole (0.42) as a percentage ("42%"); never "-0%", nan as "nan"."""
    share = float(share)
    if not math.isfinite(share):
        return format_number(share)
    return _unsigned_zero(f"{share:.{max(0, decimals)}%}")


def format_duration(seconds: float) -> str:
    """m:ss for an ETA or a duration ("-:--" when unknown), rounded to whole seconds."""
    if not math.isfinite(seconds):
        return "-:--"
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


#: The old name of `format_duration` (m:ss), kept for the modules that import it.
format_seconds = format_duration


def format_timing(seconds: float) -> str:
    """How long one step took: "0.25 s" from 0.1 s up, else "6.00 ms", below 1 ms "400 µs"."""
    if seconds >= 0.1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.0f} µs"


def first_line(error: BaseException | str, *, limit: int | None = None, with_type: bool = False) -> str:
    """The first line of an error's message (or of a text), stripped.

    Args:
        error: An exception or a text.
        limit: The most characters the message may keep; a longer one is cut to
            ``limit - 1`` characters and "…". None keeps the whole line.
        with_type: Prefix an exception's type name: ``"ValueError: bad shape"``.

    Returns:
        The line; for an exception with no message, its type's name.
    """
    lines = str(error).strip().splitlines()
    message = lines[0].strip() if lines else ""
    if limit is not None and len(message) > limit:
        message = message[: max(0, limit - 1)] + "…"
    if isinstance(error, str):
        return message
    name = type(error).__name__
    if not message:
        return name
    return f"{name}: {message}" if with_type else message


def recipe_words(config: Any) -> str:
    """A training run's recipe (a `tutor.engines.train_config.TrainConfig`) in the words `dl-tutor
    train` and the training scene both use: "batch 32, sgd lr 0.05 (x0.85 each epoch), shift 1 px"."""
    decay = f" (x{config.lr_decay:g} each epoch)" if config.lr_decay != 1 else ""
    return (f"batch {config.batch_size}, {config.optimizer} lr {config.learning_rate():g}{decay}, "
            f"shift {config.shift} px")
