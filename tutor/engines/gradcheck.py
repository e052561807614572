"""The one numerical gradient: central differences in float64, to hold analytic gradients against.

For a scalar function f of an array x (any shape), entry i of the gradient is approximated by

    (f(x + h·e_i) - f(x - h·e_i)) / (2h),

whose error shrinks like h² for a smooth f. `relative_error` compares the result with an
analytic gradient in a way that does not depend on the gradient's scale. The autograd, the
descent loops and the network layers all check their gradients with these two functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

__all__ = ["numerical_gradient", "relative_error"]


def numerical_gradient(
    f: Callable[[np.ndarray], float],
    x: Any,
    h: float = 1e-6,
    *,
    indices: Iterable[int] | None = None,
) -> np.ndarray:
    """The central-difference gradient of the scalar f at x.

    Args:
        f: called as f(x) with x nudged by ±h in one entry at a time; returns a number. It may
            read the array it is given or, when x is a float64 NumPy array, the caller's x
            itself (that array is nudged in place and every entry is restored afterwards).
        x: the point: a float64 NumPy array of any shape (used in place), or anything
            `numpy.asarray` turns into numbers (a float64 copy is used).
        h: the step.
        indices: flat indices (into x.ravel()) of the entries to differentiate; None means all.
            The other entries of the result stay 0, and f is never called with them nudged.

    Returns:
        A float64 array of x's shape: entry i is (f(x + h·e_i) - f(x - h·e_i)) / (2h).
    """
    point = x if isinstance(x, np.ndarray) and x.dtype == np.float64 else np.array(x, dtype=np.float64)
    grad = np.zeros(point.shape, dtype=np.float64)
    chosen = range(point.size) if indices is None else indices
    for i in chosen:
        where = np.unravel_index(int(i), point.shape)
        old = float(point[where])
        point[where] = old + h
        plus = float(f(point))
        point[where] = old - h
        minus = float(f(point))
        point[where] = old
        grad[where] = (plus - minus) / (2 * h)
    return grad


def relative_error(a: Any, b: Any, floor: float = 1e-12) -> float:
    """The largest elementwise |a - b| / max(|a| + |b|, floor) between two gradients.

    Below about 1e-7 in float64 the two agree; near 1 they share nothing. `floor` keeps two
    zeros (or two tiny values) from dividing by zero.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error needs arrays of one shape, got {a.shape} and {b.shape}.")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), floor)))
