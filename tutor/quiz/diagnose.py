"""Name the slip a wrong numeric answer looks like: pure functions used by `tutor.quiz.grade`.

A known mistake (from the lesson's TOML or the generator) is matched first; otherwise the
generic detectors look for a flipped sign, a factor of 2 or 1/2, a power of ten, swapped or
reordered numbers, one number's sign, or a near miss, and say so in one line.
"""

from __future__ import annotations

import math
from typing import Any

from tutor.text import format_number

__all__ = [
    "Known", "MAX_MISTAKE_MESSAGE", "TRY_AGAIN", "close", "flat", "known_message",
    "number_message", "one_sign_slip", "order_slip", "scale_slip",
]

#: The nudge when no slip explains a wrong answer.
TRY_AGAIN = "Not quite: try again, or ask for a hint."

def close(got: float, expected: float, tolerance: float) -> bool:
    """Absolute-tolerance comparison with a hair of slack for float rounding.

    Never true for an infinite or NaN value: `1e308 * 10` overflows to inf, whose slack is
    inf too, and must not count as "off by a power of ten".
    """
    if not (math.isfinite(got) and math.isfinite(expected)):
        return False
    slack = 1e-12 + 4 * 2.220446049250313e-16 * max(abs(got), abs(expected))
    return abs(got - expected) <= tolerance + slack


#: The longest message a `mistakes` entry may show (longer ones are cut with an ellipsis).
MAX_MISTAKE_MESSAGE = 160
#: Powers of ten the scale detector names: 10^1 ... 10^6 too large or too small.
_MAX_POWER = 6
#: A slip is only named when it explains the answer to within this share of each number.
_SLIP_SHARE = 0.05

Known = tuple[tuple[Any, str], ...]


def _explains(candidate: float, expected: float, tolerance: float) -> bool:
    """`candidate` (the answer with a slip undone) equals `expected` closely and relatively.

    The relative test keeps a generous tolerance from naming a slip on a tiny answer: with
    expected 0.001 and tolerance 0.01, 0.5 is not "100 times too large".
    """
    if not close(candidate, expected, tolerance):
        return False
    if expected == 0 or abs(expected) <= tolerance:
        return True
    return abs(candidate - expected) <= _SLIP_SHARE * abs(expected) + 1e-12


def _scaled_by(got: tuple[float, ...], expected: tuple[float, ...], factor: float,
               tolerance: float) -> bool:
    """Every got ≈ factor × expected, and some expected number is clearly not zero."""
    if not any(abs(e) > tolerance for e in expected):
        return False
    try:
        return all(
            _explains(g / factor, e, tolerance) for g, e in zip(got, expected, strict=True)
        )
    except (OverflowError, ZeroDivisionError):
        return False


def scale_slip(got: tuple[float, ...], expected: tuple[float, ...], tolerance: float,
                several: bool) -> str | None:
    """A flipped sign, a factor of 2, or a power of ten explaining the whole answer."""
    if _scaled_by(got, expected, -1.0, tolerance):
        if several:
            return "Check the signs: your numbers are the negatives of the right ones."
        return "Check the sign: your answer is the negative of the right one."
    if _scaled_by(got, expected, 2.0, tolerance):
        return "Check for a factor of 2: your answer is twice the right one."
    if _scaled_by(got, expected, 0.5, tolerance):
        return "Check for a factor of 2: your answer is half the right one."
    for power in range(1, _MAX_POWER + 1):
        if _scaled_by(got, expected, 10.0**power, tolerance):
            return f"Check the scale: your answer is {10**power} times too large."
        if _scaled_by(got, expected, 10.0**-power, tolerance):
            return f"Check the scale: your answer is {10**power} times too small."
    return None


def one_sign_slip(got: tuple[float, ...], expected: tuple[float, ...],
                   tolerance: float) -> str | None:
    """Exactly one number has the wrong sign and all the others are right."""
    flipped = [
        i for i, (g, e) in enumerate(zip(got, expected, strict=True))
        if abs(e) > tolerance and _explains(-g, e, tolerance)
    ]
    if len(flipped) != 1:
        return None
    others_right = all(
        close(g, e, tolerance)
        for i, (g, e) in enumerate(zip(got, expected, strict=True)) if i != flipped[0]
    )
    if not others_right:
        return None
    return f"Check the sign of number {flipped[0] + 1}: it is the negative of the right one."


def order_slip(got: tuple[float, ...], expected: tuple[float, ...],
                tolerance: float) -> str | None:
    """The right numbers, in reverse (swapped) or another order."""
    n = len(expected)
    if n < 2:
        return None
    if all(close(g, e, tolerance) for g, e in zip(got, reversed(expected))):
        if n == 2:
            return "Check the order: your two numbers are swapped."
        return "Check the order: you have the right numbers in reverse order."
    unused = list(expected)
    for g in got:
        match = next((j for j, e in enumerate(unused) if close(g, e, tolerance)), None)
        if match is None:
            return None
        unused.pop(match)
    return "Check the order: you have the right numbers in the wrong order."


def known_message(got: Any, known: Known, tolerance: float) -> str | None:
    """The message of the first known mistake `got` matches (numbers within tolerance)."""
    flat_got = flat(got)
    for value, message in known:
        if isinstance(value, (int, tuple)) and not isinstance(got, float) and flat_got is None:
            if value == got:
                return message
            continue
        flat_value = flat(value)
        if (
            flat_got is not None and flat_value is not None
            and len(flat_got) == len(flat_value)
            and all(close(g, v, tolerance) for g, v in zip(flat_got, flat_value, strict=True))
        ):
            return message
    return None


def flat(value: Any) -> tuple[float, ...] | None:
    """A number, vector or matrix as a flat tuple of floats (None for option answers)."""
    if isinstance(value, float):
        return (value,)
    if isinstance(value, tuple) and value and all(isinstance(x, float) for x in value):
        return value
    if isinstance(value, tuple) and value and all(isinstance(row, tuple) for row in value):
        flat = tuple(x for row in value for x in row)
        return flat if all(isinstance(x, float) for x in flat) else None
    return None


def number_message(got: float, expected: float, tolerance: float) -> str:
    """One line naming the classic slip a wrong number looks like, else a nudge."""
    slip = scale_slip((got,), (expected,), tolerance, several=False)
    if slip:
        return slip
    if abs(got - expected) <= 10 * tolerance and tolerance > 0:
        return f"Close, but not within ±{format_number(tolerance, 6, significant=True)}: compute more precisely."
    return TRY_AGAIN
