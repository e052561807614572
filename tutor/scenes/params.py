"""Scene parameters as data: the kinds a lesson may give, and one `ParamSpec` per parameter.

`tutor.scenes.registry` declares every scene's parameters with the constructors here (`integer`,
`number`, `flag`, `choice`, `text`, `pair`, `vector`, `seed`); `ParamSpec.check` tells the lesson
validator what is wrong with a value and `ParamSpec.resolve` gives a scene a typed, clamped one.
Pure standard library, so the validator never imports Textual or NumPy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tutor.text import format_number

#: The kinds a parameter can have.
PARAM_KINDS: tuple[str, ...] = ("int", "number", "bool", "str", "choice", "pair", "vector")
#: Seeds are drawn by NumPy; any seed in this range reproduces a run.
SEED_MAX = 2**31 - 1
#: The longest string parameter (an expression, a layer name), in characters.
STR_MAX_LEN = 200

_MISSING: Any = object()


def _fmt(value: float) -> str:
    """A bound as a learner would write it: 1,000 or 0.5 or -1e-6 (`tutor.text.format_number`)."""
    return format_number(value, 6, significant=True, grouping=True)


@dataclass(frozen=True)
class ParamSpec:
    """One scene parameter: what a lesson may give and what the scene uses when it gives none.

    Attributes:
        kind: one of PARAM_KINDS. "pair" is a list of two numbers, "vector" a list of numbers.
        default: the value used when the lesson gives none (or a value the scene cannot use);
            None where the scene chooses (e.g. from another parameter, see `note`).
        low, high: the inclusive range of an int or number, or of each element of a pair or
            vector; None for no bound on that side.
        choices: the allowed strings of a "choice".
        min_len, max_len: the length limits of a vector (items) or a str (characters).
        note: one short line for the documentation (e.g. what a None default means).
    """

    kind: str
    default: Any = None
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    min_len: int = 0
    max_len: int | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in PARAM_KINDS:
            raise ValueError(f"ParamSpec kind must be one of {', '.join(PARAM_KINDS)}, got {self.kind!r}")
        if self.kind == "choice" and not self.choices:
            raise ValueError("a choice parameter needs its choices")

    # --- what a lesson may write --------------------------------------------------------------

    @property
    def legacy_kind(self) -> Any:
        """The kind as `SceneSpec.params` shows it: the choices tuple, or the kind's name."""
        return self.choices if self.kind == "choice" else self.kind

    def _range(self) -> str:
        if self.low is not None and self.high is not None:
            return f"from {_fmt(self.low)} to {_fmt(self.high)}"
        if self.low is not None:
            return f"at least {_fmt(self.low)}"
        if self.high is not None:
            return f"at most {_fmt(self.high)}"
        return ""

    def expected(self) -> str:
        """What a lesson may give, in words, with the range: "a whole number from 1 to 1,000"."""
        bounds = self._range()
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "str":
            return "a string" + (f" of at most {self.max_len:,} characters" if self.max_len else "")
        if self.kind in ("int", "number"):
            noun = "a whole number" if self.kind == "int" else "a number"
            return f"{noun} {bounds}".strip()
        each = f", each {bounds}" if bounds else ""
        if self.kind == "pair":
            return f"a list of two numbers{each}"
        if self.min_len == self.max_len and self.max_len:
            size = f"a list of exactly {self.max_len} numbers"
        elif self.max_len:
            size = f"a list of {max(1, self.min_len)} to {self.max_len} numbers"
        else:
            size = "a non-empty list of numbers"
        return size + each

    def describe(self) -> str:
        """`expected()` with the default, for the documentation."""
        if self.default is None:
            return f"{self.expected()}; default: {self.note or 'chosen by the scene'}"
        if self.kind == "bool":
            default = "true" if self.default else "false"
        else:
            default = repr(self.default) if isinstance(self.default, str) else str(self.default)
        return f"{self.expected()}; default {default}" + (f" ({self.note})" if self.note else "")

    def _in_range(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def check(self, value: Any) -> str | None:
        """None when a lesson's `value` is allowed (kind and range), else `expected()`."""
        return None if self.fits(value) else self.expected()

    def fits(self, value: Any) -> bool:
        """Whether `value`, exactly as a lesson wrote it, is of this kind and within range."""
        kind = self.kind
        if kind == "choice":
            return isinstance(value, str) and value in self.choices
        if kind == "bool":
            return isinstance(value, bool)
        if kind == "str":
            return isinstance(value, str) and (self.max_len is None or len(value) <= self.max_len)
        if kind == "int":
            return _is_int(value) and self._in_range(value)
        if kind == "number":
            return _is_number(value) and math.isfinite(value) and self._in_range(value)
        if not isinstance(value, list) or not all(
            _is_number(v) and math.isfinite(v) and self._in_range(v) for v in value
        ):
            return False
        if kind == "pair":
            return len(value) == 2
        return max(1, self.min_len) <= len(value) and (self.max_len is None or len(value) <= self.max_len)

    # --- what a scene uses --------------------------------------------------------------------

    def clamp(self, number: float) -> float:
        """`number` moved into [low, high]."""
        if self.low is not None and number < self.low:
            number = type(number)(self.low)
        if self.high is not None and number > self.high:
            number = type(number)(self.high)
        return number

    def resolve(self, value: Any) -> Any:
        """The value a scene may safely use for a lesson's `value`: clamped into range, or
        `_MISSING` (so the default applies) when it cannot be read as this kind at all."""
        kind = self.kind
        if kind == "choice":
            return value if isinstance(value, str) and value in self.choices else _MISSING
        if kind == "bool":
            return value if isinstance(value, bool) else _MISSING
        if kind == "str":
            ok = isinstance(value, str) and (self.max_len is None or len(value) <= self.max_len)
            return value if ok else _MISSING
        if kind == "int":
            number = as_int(value)
            return _MISSING if number is None else self.clamp(number)
        if kind == "number":
            number = as_float(value)
            return _MISSING if number is None else self.clamp(number)
        if not isinstance(value, (list, tuple)):
            return _MISSING
        numbers = [as_float(v) for v in value[: self.max_len or None]]
        if any(n is None for n in numbers):
            return _MISSING
        numbers = [self.clamp(n) for n in numbers]
        if kind == "pair":
            return numbers if len(numbers) == 2 else _MISSING
        return numbers if len(numbers) >= max(1, self.min_len) else _MISSING


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def as_float(value: Any) -> float | None:
    """A finite float from a number (or numeric text), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def as_int(value: Any) -> int | None:
    """A whole number from an int, a finite float (truncated) or whole-number text, else None."""
    if _is_int(value):
        return value
    if isinstance(value, str) and len(value) <= 40:
        try:
            return int(value.strip())
        except ValueError:
            pass
    number = as_float(value)
    return None if number is None else int(number)


# --- declaring parameters (short constructors, so the table below stays readable) ----------------


def integer(default: int | None, low: int | None, high: int | None, note: str = "") -> ParamSpec:
    """A whole number in [low, high]."""
    return ParamSpec("int", default, low, high, note=note)


def number(default: float | None, low: float | None, high: float | None, note: str = "") -> ParamSpec:
    """A finite number in [low, high]."""
    return ParamSpec("number", default, low, high, note=note)


def flag(default: bool) -> ParamSpec:
    """true or false."""
    return ParamSpec("bool", default)


def choice(*choices: str, default: str | None, note: str = "") -> ParamSpec:
    """One of the given strings."""
    return ParamSpec("choice", default, choices=tuple(choices), note=note)


def text(default: str, max_len: int = STR_MAX_LEN) -> ParamSpec:
    """A string of at most `max_len` characters."""
    return ParamSpec("str", default, max_len=max_len)


def pair(default: list[float] | None, low: float, high: float, note: str = "") -> ParamSpec:
    """A list of two numbers, each in [low, high]."""
    return ParamSpec("pair", default, low, high, note=note)


def vector(default: list[float] | None, low: float, high: float, max_len: int, min_len: int = 1,
           note: str = "") -> ParamSpec:
    """A list of `min_len` to `max_len` numbers, each in [low, high]."""
    return ParamSpec("vector", default, low, high, min_len=min_len, max_len=max_len, note=note)


def seed(default: int = 0) -> ParamSpec:
    """A random seed."""
    return integer(default, 0, SEED_MAX)


def next_option(options: tuple, value: float, direction: int) -> Any:
    """The next of the sorted numeric `options` above (direction 1) or below (-1) `value`,
    clamped to the ends (a knob stepping through learning rates or batch sizes)."""
    if direction > 0:
        return next((o for o in options if o > value + 1e-12), options[-1])
    return next((o for o in reversed(options) if o < value - 1e-12), options[0])


def cycle_option(options: tuple, value: Any, direction: int) -> Any:
    """The option `direction` places after `value` in `options`, wrapping round (from the
    first when `value` is not among them)."""
    index = options.index(value) if value in options else 0
    return options[(index + direction) % len(options)]
