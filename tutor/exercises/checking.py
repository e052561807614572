"""What the checks are made of: call a learner's function, compare, check a gradient.

Used in the sandbox child only (`tutor.exercises.runner`). A check is a function of the
learner's module that returns an optional detail for its line (e.g. a relative error) or raises
`Failure`, which names the first failing case: its inputs, what was expected, what came back,
the largest error, and a hint. Every learner call gets copies of the arrays, so a function that
writes into its inputs cannot change the reference's.
"""

from __future__ import annotations

import copy
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from tutor.engines.gradcheck import numerical_gradient, relative_error

__all__ = [
    "Check",
    "Checklist",
    "Failure",
    "call",
    "compare",
    "describe",
    "grad_check",
    "located",
]

#: Where the learner's files are (set by the runner); tracebacks are searched for them.
LEARNER_DIR: list[Path] = []


class Failure(Exception):
    """A check that did not pass, with the first failing case.

    Attributes:
        summary: one line: what went wrong.
        details: (label, text) pairs: case, expected, got, largest error, hint.
    """

    def __init__(self, summary: str, *, case: str | None = None, expected: str | None = None,
                 got: str | None = None, error: float | str | None = None,
                 hint: str | None = None) -> None:
        super().__init__(summary)
        self.summary = summary
        details = [("case", case), ("expected", expected), ("got", got)]
        if isinstance(error, float):
            error = f"{error:.3g}"
        details += [("largest error", error), ("hint", hint)]
        self.details = [(label, text) for label, text in details if text]


@dataclass(frozen=True)
class Check:
    """One check: its line's name, the function, and whether it waits for the ones above."""

    name: str
    run: Callable[[ModuleType], str | None]
    after_others: bool = False


class Checklist:
    """The checks of one exercise, in order (`@checks.add("name")` registers one)."""

    def __init__(self) -> None:
        self.checks: list[Check] = []

    def add(self, name: str, *, after_others: bool = False) -> Callable:
        """Register the decorated function as the next check; `after_others`: skip it unless
        every check above passed (training on broken layers only wastes time)."""
        def register(function: Callable[[ModuleType], str | None]) -> Callable:
            self.checks.append(Check(name, function, after_others))
            return function

        return register


def located(error: BaseException) -> str:
    """Where in the learner's files an exception happened: "file.py line 12", or ""."""
    if isinstance(error, SyntaxError) and error.filename and error.lineno:
        return f"{Path(error.filename).name} line {error.lineno}"
    place = ""
    for frame in traceback.extract_tb(error.__traceback__):
        filename = Path(frame.filename)
        if any(filename.parent == folder for folder in LEARNER_DIR):
            place = f"{filename.name} line {frame.lineno}"
    return place


def first_line(error: BaseException) -> str:
    """"TypeError: message" cut to its first line and 200 characters."""
    text = str(error).strip().splitlines()
    message = text[0][:200] if text else ""
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def describe(value: Any, limit: int = 240) -> str:
    """A value on one line: arrays with their shape and dtype, long ones cut."""
    if isinstance(value, np.ndarray):
        body = np.array2string(value, precision=4, threshold=12, edgeitems=2, max_line_width=10**6,
                               separator=", ", suppress_small=True)
        body = " ".join(body.split())
        text = f"{body} (shape {value.shape}, {value.dtype})"
    elif isinstance(value, float):
        text = f"{value:.6g}"
    elif isinstance(value, (tuple, list)) and len(value) < 20 and all(isinstance(v, np.ndarray) for v in value):
        text = "(" + ", ".join(describe(v, limit // max(1, len(value))) for v in value) + ")"
    else:
        text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def call(module: ModuleType, name: str, *args: Any, case: str, expected: str | None = None,
         **kwargs: Any) -> Any:
    """`module.name(*args, **kwargs)` with copies of the arguments; a missing function, one not
    written yet, or one that raises becomes a Failure naming `case`."""
    function = getattr(module, name, None)
    if not callable(function):
        raise Failure(f"your file has no function {name}() (the starter had one; "
                      "`dl-tutor exercises reset ID` brings the starter back)")
    try:
        return function(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    except NotImplementedError as error:
        where = located(error)
        raise Failure(f"{name}() is not written yet (it raises NotImplementedError"
                      f"{' at ' + where if where else ''})", case=case, expected=expected,
                      hint="replace the `raise NotImplementedError` with your code") from None
    except (MemoryError, RecursionError, SystemExit, KeyboardInterrupt):
        raise
    except Exception as error:  # the learner's bug, reported with where it happened
        where = located(error)
        raise Failure(f"{name}() raised {first_line(error)}{' at ' + where if where else ''}",
                      case=case, expected=expected) from None


def _as_array(got: Any, name: str, expected: np.ndarray, case: str) -> np.ndarray:
    """`got` as a numeric array, or a Failure saying what type came back."""
    if got is None:
        raise Failure(f"{name} returned None: is a `return` missing?", case=case,
                      expected=describe(expected))
    try:
        array = np.asarray(got)
    except Exception:  # noqa: BLE001 - a value NumPy cannot read is a wrong type
        array = np.asarray(None)
    if array.dtype.kind not in "biuf":
        raise Failure(f"{name} returned {type(got).__name__} {describe(got, 80)}, expected numbers "
                      f"of shape {expected.shape}", case=case, expected=describe(expected))
    return array


def compare(name: str, got: Any, expected: Any, *, case: str, hint: str | None = None,
            rtol: float = 1e-6, atol: float = 1e-8, dtype: Any = None, exact_type: type | None = None) -> None:
    """Failure unless `got` has `expected`'s shape and values (within rtol, atol).

    Args:
        name: what is compared, e.g. "softmax(z)".
        dtype: when given, the dtype `got` must have ("int" and "float" mean any integer or
            floating dtype).
        exact_type: when given, the Python type `got` must be (e.g. float for a cost).
    """
    expected = np.asarray(expected)
    if exact_type is not None and not isinstance(got, exact_type):
        numbers = (int, np.floating, np.integer) if exact_type is float else (np.integer,)
        if isinstance(got, bool) or not (exact_type in (float, int) and isinstance(got, numbers)):
            raise Failure(f"{name} returned {type(got).__name__} {describe(got, 80)}, expected a "
                          f"{exact_type.__name__}", case=case, expected=describe(expected), hint=hint)
    array = _as_array(got, name, expected, case)
    if array.shape != expected.shape:
        raise Failure(f"{name} has shape {array.shape}, expected {expected.shape}", case=case,
                      expected=describe(expected), got=describe(array), hint=hint)
    if dtype is not None:
        kind = {"int": "iu", "float": "f"}.get(dtype) if isinstance(dtype, str) else None
        ok = array.dtype.kind in kind if kind else array.dtype == np.dtype(dtype)
        if not ok:
            raise Failure(f"{name} has dtype {array.dtype}, expected {dtype}", case=case,
                          expected=describe(expected), got=describe(array), hint=hint)
    diff = np.abs(array.astype(np.float64) - expected.astype(np.float64))
    bad = ~(diff <= atol + rtol * np.abs(expected.astype(np.float64)))
    if bad.any():
        largest = float(np.nanmax(diff)) if np.isfinite(diff).any() else float("inf")
        raise Failure(f"{name} is wrong", case=case, expected=describe(expected),
                      got=describe(array), error=largest, hint=hint)


def grad_check(name: str, analytic: Any, f: Callable[[np.ndarray], float], x: np.ndarray, *,
               case: str, hint: str | None = None, tolerance: float = 1e-6, samples: int | None = 30,
               seed: int = 0) -> float:
    """Hold an analytic gradient against central differences (in float64), CS231n style.

    Args:
        analytic: the learner's gradient of f at x (x's shape).
        f: a scalar function of an array shaped like x.
        samples: check this many entries chosen at random (None: all of them).

    Returns:
        The relative error, for the check's line; Failure when it is above `tolerance`.
    """
    x = np.array(x, dtype=np.float64)
    array = _as_array(analytic, name, x, case)
    if array.shape != x.shape:
        raise Failure(f"{name} has shape {array.shape}, expected {x.shape} (a gradient has the "
                      "shape of what it is the gradient of)", case=case, hint=hint)
    indices = None
    if samples is not None and x.size > samples:
        indices = np.random.default_rng(seed).choice(x.size, size=samples, replace=False)
    numeric = numerical_gradient(lambda p: float(f(p)), x, indices=indices)
    if indices is None:
        mine, theirs = array.astype(np.float64), numeric
    else:
        mine, theirs = array.astype(np.float64).ravel()[indices], numeric.ravel()[indices]
    error = relative_error(mine, theirs)
    if not error <= tolerance:
        raise Failure(
            f"{name} disagrees with the numerical gradient: relative error {error:.1e} "
            f"(below {tolerance:.0e} expected)", case=case, expected=describe(np.asarray(theirs)),
            got=describe(np.asarray(mine)), error=float(np.max(np.abs(mine - theirs))), hint=hint,
        )
    return error
