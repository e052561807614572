"""Turning xp arrays into the plain numbers that engine records hold, the same way everywhere.

Records carry Python floats and tuples (never NumPy or CuPy arrays) rounded to a fixed number of
decimals, so a scene can print them and a test can compare them without float noise.
"""

from __future__ import annotations

from typing import Any

from tutor.backend import to_numpy


def plain(value: Any, decimals: int) -> float:
    """A Python float rounded to `decimals`, with -0.0 turned into 0.0 (inf and nan pass)."""
    return round(float(value), decimals) + 0.0


def plain_vector(values: Any, decimals: int) -> tuple[float, ...]:
    """A tuple of `plain` floats from a number, a sequence or an xp array of any shape."""
    return tuple(plain(v, decimals) for v in to_numpy(values).reshape(-1).tolist())


__all__ = ["plain", "plain_vector", "to_numpy"]
