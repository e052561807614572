"""The one numerical gradient (`tutor.engines.gradcheck`) and the three forms that call it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tutor.engines import autograd, descent, gradcheck, layers


def test_central_differences_of_known_functions() -> None:
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    grad = gradcheck.numerical_gradient(lambda p: float((p**3).sum()), x)
    np.testing.assert_allclose(grad, 3 * x**2, rtol=1e-8)
    assert grad.dtype == np.float64 and grad.shape == x.shape
    assert float(gradcheck.numerical_gradient(math.sin, 0.3)) == pytest.approx(math.cos(0.3), abs=1e-9)


def test_the_point_is_restored_and_read_in_place() -> None:
    x = np.array([1.0, 2.0, 3.0])
    before = x.copy()
    grad = gradcheck.numerical_gradient(lambda _: float(x @ x), x)  # reads x, not its argument
    np.testing.assert_allclose(grad, 2 * before, rtol=1e-8)
    np.testing.assert_array_equal(x, before)
    strided = np.arange(12.0).reshape(3, 4).T  # not contiguous: nudged in place all the same
    grad = gradcheck.numerical_gradient(lambda _: float((strided**2).sum()), strided)
    np.testing.assert_allclose(grad, 2 * strided, rtol=1e-6)


def test_only_the_chosen_entries() -> None:
    calls: list[tuple[float, float]] = []

    def f(p: np.ndarray) -> float:
        calls.append((float(p[0]), float(p[1])))
        return float(p[0] * p[1])

    grad = gradcheck.numerical_gradient(f, [2.0, 3.0], indices=[1])
    assert grad.tolist() == [0.0, pytest.approx(2.0)]
    assert len(calls) == 2 and all(a == 2.0 for a, _ in calls)  # p[0] was never nudged


def test_relative_error() -> None:
    assert gradcheck.relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert gradcheck.relative_error([0.0], [0.0]) == 0.0
    assert gradcheck.relative_error([1.0], [-1.0]) == 1.0
    assert gradcheck.relative_error([1e-3, 5.0], [1.0001e-3, 5.0]) == pytest.approx(0.5e-4, rel=1e-3)
    with pytest.raises(ValueError, match="one shape"):
        gradcheck.relative_error([1.0], [1.0, 2.0])


def test_the_three_forms_agree() -> None:
    """autograd (named inputs), descent (tuples) and layers (an array nudged in place)."""
    def f_tuple(p: tuple[float, ...]) -> float:
        return p[0] ** 2 * p[1] + math.exp(p[1])

    point = (1.5, -0.5)
    expected = (2 * point[0] * point[1], point[0] ** 2 + math.exp(point[1]))
    assert descent.numerical_gradient(f_tuple, point) == pytest.approx(expected, rel=1e-7)
    named = {"a": point[0], "b": point[1]}
    for i, name in enumerate(named):
        value = autograd.numerical_gradient(lambda v: f_tuple((v["a"], v["b"])), named, name)
        assert value == pytest.approx(expected[i], rel=1e-7)
    x = np.array(point)
    assert layers.numerical_gradient(lambda: f_tuple(tuple(x)), x) == pytest.approx(expected, rel=1e-7)
    with pytest.raises(KeyError):
        autograd.numerical_gradient(lambda v: 0.0, named, "missing")
