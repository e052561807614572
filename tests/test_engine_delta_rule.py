"""The delta rule for a linear unit: each update is -η times the gradient of ½(t - o)²."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from tutor.engines.cost import LINE_X, LINE_Y
from tutor.engines.delta_rule import delta_rule_updates, sample_cost, sample_cost_grad
from tutor.engines.gradcheck import numerical_gradient, relative_error

LR = 0.02  # the line-fit lesson's learning rate


def test_update_is_minus_eta_times_numerical_gradient() -> None:
    for u in delta_rule_updates(LINE_X, LINE_Y, LR, epochs=3):
        numeric = numerical_gradient(lambda p, u=u: sample_cost(p[0], p[1], u.i, u.t), [u.w, u.b])
        assert u.delta_w == pytest.approx(-LR * numeric[0], abs=1e-8)
        assert u.delta_b == pytest.approx(-LR * numeric[1], abs=1e-8)
        assert (u.step_w, u.step_b) == pytest.approx((u.delta_w, u.delta_b), abs=1e-12)
        assert (u.grad_w, u.grad_b) == pytest.approx(tuple(numeric), abs=1e-6)


def test_analytic_gradient_matches_numerical_in_float64() -> None:
    rng = np.random.default_rng(0)
    for _ in range(20):
        w, b, i, t = rng.normal(size=4)
        numeric = numerical_gradient(lambda p, i=i, t=t: sample_cost(p[0], p[1], i, t), [w, b])
        assert relative_error(sample_cost_grad(w, b, i, t), numeric) < 1e-7


def test_first_updates_on_the_line_fit_data() -> None:
    """Worked numbers from w = 0, b = 0 with η = 0.02 on the six points of y = 2x - 1."""
    first, second, third = list(delta_rule_updates(LINE_X, LINE_Y, LR))[:3]
    # sample (-1, -3): o = 0, t - o = -3, Δw = 0.02·(-3)·(-1) = 0.06, Δb = -0.06
    assert (first.i, first.t, first.o, first.error) == (-1.0, -3.0, 0.0, -3.0)
    assert (first.delta_w, first.delta_b) == (0.06, -0.06)
    assert (first.grad_w, first.grad_b) == (-3.0, 3.0)
    assert (first.w_after, first.b_after) == (0.06, -0.06)
    # sample (0, -1): i = 0 leaves w alone
    assert second.o == -0.06 and second.error == -0.94
    assert (second.delta_w, second.delta_b) == (0.0, -0.0188)
    # sample (1, 1): o = 0.06 - 0.0788 = -0.0188
    assert third.o == -0.0188 and third.error == 1.0188
    assert third.delta_w == pytest.approx(0.020376, abs=1e-12)


def test_records_chain_and_converge() -> None:
    updates = list(delta_rule_updates(LINE_X, LINE_Y, LR, epochs=500))
    assert len(updates) == 500 * len(LINE_X)
    for before, after in pairwise(updates):
        assert (after.w, after.b) == (before.w_after, before.b_after)
    assert updates[-1].w_after == pytest.approx(2.0, abs=1e-3)
    assert updates[-1].b_after == pytest.approx(-1.0, abs=1e-3)


def test_same_numbers_for_the_same_inputs() -> None:
    assert list(delta_rule_updates(LINE_X, LINE_Y, LR, epochs=2)) == list(
        delta_rule_updates(LINE_X, LINE_Y, LR, epochs=2)
    )


def test_stops_when_weights_blow_up() -> None:
    updates = list(delta_rule_updates(LINE_X, LINE_Y, 1e9, epochs=1000))
    assert len(updates) < 1000 * len(LINE_X)


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError):
        list(delta_rule_updates([1.0, 2.0], [1.0], LR))
