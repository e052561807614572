"""Tests for tutor.engines.descent: the seed's cost example number by number, every gradient
against a central difference in float64, the descent loops (converging, oscillating, diverging,
climbing, stalled), fit_line, mini-batch descent, the surfaces and their landmarks, and the
predict generators."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import warnings
from contextlib import contextmanager

import numpy as np
import pytest

from tutor.engines.descent import (
    COST_T,
    COST_X,
    LINE_X,
    LINE_Y,
    ONE_X,
    ONE_Z,
    SURFACES,
    BatchStep,
    CostTable,
    DescentStep,
    LearningRateCheck,
    RateVerdict,
    RunKind,
    ResidualRow,
    Surface,
    check_learning_rate,
    cost_table,
    descend_surface,
    fit_line,
    gradient_descent,
    judge_run,
    linear_predict,
    minibatch_descent,
    noisy_line,
    numerical_gradient,
    one_weight_cost,
    one_weight_grad,
    quadratic_cost,
    quadratic_cost_grad,
    surface_grid,
    tangent_line,
)
from tutor.quiz.generators.descent import cost_problem, derivative_problem, next_weight_problem
from tutor.scenes.descent_words import RateCheck, describe_run
from tutor.scenes.descent_words import check_learning_rate as words_check
from tutor.quiz.predict import Generated, generate

SEEDS = range(200)


@contextmanager
def strict_numerics():
    """Any NumPy floating-point problem raises, and any warning is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            yield


def rel_error(a: float, b: float) -> float:
    """CS231n's relative error |a - b| / max(1e-8, |a| + |b|)."""
    return abs(a - b) / max(1e-8, abs(a) + abs(b))


def central_difference(f, params, h: float = 1e-5) -> list[float]:
    """An independent float64 central-difference gradient of f(tuple) (not the engine's)."""
    p = np.asarray(params, dtype=np.float64)
    out = []
    for i in range(len(p)):
        e = np.zeros_like(p)
        e[i] = h
        out.append((f(tuple(p + e)) - f(tuple(p - e))) / (2 * h))
    return out


def one_cost(p: tuple[float, ...]) -> float:
    return one_weight_cost(p[0], ONE_X, ONE_Z)


def one_grad(p: tuple[float, ...]) -> tuple[float]:
    return (one_weight_grad(p[0], ONE_X, ONE_Z),)


def run_one(lr: float, start: float = 0.0, **kwargs) -> list[DescentStep]:
    return list(gradient_descent(one_cost, one_grad, (start,), lr, **kwargs))


# --------------------------------------------------------------------------- the seed's cost


def test_data_sets() -> None:
    assert LINE_X == (-1.0, 0.0, 1.0, 2.0, 3.0, 4.0)
    assert LINE_Y == tuple(2 * x - 1 for x in LINE_X)
    assert COST_X == tuple(float(v) for v in range(1, 9))
    assert COST_T == tuple(2 * x + 4 for x in COST_X)
    assert ONE_X == (1.0, 2.0, 3.0, 4.0) and ONE_Z == tuple(2 * x for x in ONE_X)
    for data in (LINE_X, LINE_Y, COST_X, COST_T, ONE_X, ONE_Z):
        assert isinstance(data, tuple) and all(type(v) is float for v in data)


def test_seed_cost_example_number_by_number() -> None:
    outputs = linear_predict(3, 2, COST_X)
    assert outputs.shape == (8,)
    assert outputs.tolist() == [5, 8, 11, 14, 17, 20, 23, 26]
    table = cost_table(3, 2, COST_X, COST_T)
    assert isinstance(table, CostTable) and table.n == 8
    assert all(isinstance(row, ResidualRow) for row in table.rows)
    assert [row.a for row in table.rows] == [5, 8, 11, 14, 17, 20, 23, 26]
    assert [row.diff for row in table.rows] == [1, 0, -1, -2, -3, -4, -5, -6]
    assert [row.square for row in table.rows] == [1, 0, 1, 4, 9, 16, 25, 36]
    assert table.total == 92.0
    assert table.cost == 5.75  # exactly: 92 / 16
    assert quadratic_cost(3, 2, COST_X, COST_T) == 5.75
    assert type(quadratic_cost(3, 2, COST_X, COST_T)) is float
    # The true line costs nothing.
    assert quadratic_cost(2, 4, COST_X, COST_T) == 0.0
    with pytest.raises(AttributeError):
        table.cost = 0.0  # type: ignore[misc]


def test_cost_table_agrees_with_quadratic_cost() -> None:
    rng = np.random.default_rng(3)
    for _ in range(50):
        n = int(rng.integers(1, 10))
        x, t = rng.normal(size=n), rng.normal(size=n)
        w, b = rng.normal(size=2)
        table = cost_table(w, b, x, t)
        assert table.n == n
        assert math.isclose(table.cost, quadratic_cost(w, b, x, t), rel_tol=1e-9, abs_tol=1e-12)
        assert math.isclose(table.total, sum(r.square for r in table.rows), rel_tol=1e-9,
                            abs_tol=1e-12)
        for row in table.rows:
            assert math.isclose(row.diff, row.t - row.a, abs_tol=1e-11)
            assert all(type(v) is float for v in (row.x, row.t, row.a, row.diff, row.square))
    with pytest.raises(ValueError):
        cost_table(1, 0, (1.0, 2.0), (1.0,))


def test_records_hide_float_noise() -> None:
    table = cost_table(0.1, 0.2, (1.0,), (0.0,))
    assert table.rows[0].a == 0.3  # 0.1 + 0.2 is stored as 0.3


def test_linear_predict_shapes() -> None:
    assert linear_predict(2.0, -1.0, np.array(LINE_X)).tolist() == list(LINE_Y)
    assert float(linear_predict(2.0, 1.0, 3.0)) == 7.0


def test_one_weight_cost_is_the_seeds_parabola() -> None:
    # J(w) = 1/8 Σ (2x - w x)² = 3.75 (w - 2)² on ONE data, J'(w) = 7.5 (w - 2).
    for w in (-1.0, 0.0, 0.5, 2.0, 3.25):
        assert math.isclose(one_weight_cost(w, ONE_X, ONE_Z), 3.75 * (w - 2) ** 2, abs_tol=1e-12)
        assert math.isclose(one_weight_grad(w, ONE_X, ONE_Z), 7.5 * (w - 2), abs_tol=1e-12)
    assert one_weight_cost(0.0, ONE_X, ONE_Z) == 15.0
    assert one_weight_grad(0.0, ONE_X, ONE_Z) == -15.0


def test_tangent_line() -> None:
    f = lambda w: one_weight_cost(w, ONE_X, ONE_Z)  # noqa: E731
    df = lambda w: one_weight_grad(w, ONE_X, ONE_Z)  # noqa: E731
    (w0, y0), (w1, y1) = tangent_line(f, df, 0.0, 1.0)
    assert (w0, y0, w1, y1) == (-1.0, 30.0, 1.0, 0.0)  # slope -15 through (0, 15)
    (w0, y0), (w1, y1) = tangent_line(f, df, 2.0, 0.5)
    assert (w0, w1) == (1.5, 2.5) and y0 == y1 == 0.0  # flat at the minimum
    (w0, y0), (w1, y1) = tangent_line(f, df, 3.0, 0.25)
    assert math.isclose((y1 - y0) / (w1 - w0), df(3.0))
    assert math.isclose((y0 + y1) / 2, f(3.0))


# --------------------------------------------------------------------------- gradient checks


def test_quadratic_cost_grad_against_central_difference() -> None:
    rng = np.random.default_rng(0)
    data_sets = [(LINE_X, LINE_Y), (COST_X, COST_T), noisy_line(50, seed=1)]
    for x, t in data_sets:
        for _ in range(25):
            w, b = rng.uniform(-5, 5, size=2)
            analytic = quadratic_cost_grad(w, b, x, t)
            numeric = central_difference(lambda p: quadratic_cost(p[0], p[1], x, t), (w, b))
            assert all(type(g) is float for g in analytic)
            for a, n in zip(analytic, numeric):
                assert rel_error(a, n) < 1e-6, (w, b, a, n)


def test_one_weight_grad_against_central_difference() -> None:
    rng = np.random.default_rng(1)
    for _ in range(50):
        m = int(rng.integers(1, 6))
        x, z = rng.normal(size=m), rng.normal(size=m)
        w = float(rng.uniform(-4, 4))
        (numeric,) = central_difference(lambda p: one_weight_cost(p[0], x, z), (w,))
        assert rel_error(one_weight_grad(w, x, z), numeric) < 1e-6


@pytest.mark.parametrize("name", list(SURFACES))
def test_surface_grad_against_central_difference(name: str) -> None:
    surface = SURFACES[name]
    xmin, xmax, ymin, ymax = surface.box
    rng = np.random.default_rng(2)
    for _ in range(100):
        x, y = float(rng.uniform(xmin, xmax)), float(rng.uniform(ymin, ymax))
        numeric = central_difference(lambda p: surface.f(p[0], p[1]), (x, y))
        analytic = surface.grad(x, y)
        assert all(type(g) is float for g in analytic)
        for a, n in zip(analytic, numeric):
            assert rel_error(a, n) < 1e-6, (name, x, y, a, n)


def test_numerical_gradient_helper() -> None:
    f = lambda p: p[0] ** 3 + 2 * p[0] * p[1]  # noqa: E731
    g = numerical_gradient(f, (1.5, -2.0))
    assert rel_error(g[0], 3 * 1.5**2 + 2 * -2.0) < 1e-8
    assert rel_error(g[1], 2 * 1.5) < 1e-8


# --------------------------------------------------------------------------- surfaces


def _hessian(surface: Surface, point: tuple[float, float], h: float = 1e-4) -> np.ndarray:
    """A numerical Hessian from differences of the analytic gradient (2, 2)."""
    x, y = point
    hx = (np.subtract(surface.grad(x + h, y), surface.grad(x - h, y))) / (2 * h)
    hy = (np.subtract(surface.grad(x, y + h), surface.grad(x, y - h))) / (2 * h)
    return np.array([hx, hy])


def test_surfaces_are_the_contracted_ones() -> None:
    assert set(SURFACES) == {"regression", "valley", "two-minima", "saddle"}
    for name, s in SURFACES.items():
        assert isinstance(s, Surface) and s.name == name and s.formula
        assert s.lr > 0 and s.starts and s.minima
        xmin, xmax, ymin, ymax = s.box
        assert xmin < xmax and ymin < ymax
        for x, y in s.starts + s.minima + s.saddles:
            assert xmin <= x <= xmax and ymin <= y <= ymax
    assert SURFACES["regression"].box == (-1.0, 5.0, -4.0, 3.0)
    assert SURFACES["regression"].minima == ((2.0, -1.0),)
    assert SURFACES["valley"].minima == ((0.0, 0.0),)
    assert SURFACES["saddle"].saddles == ((0.0, 0.0),)
    left, right = sorted(SURFACES["two-minima"].minima)
    assert -1.6 < left[0] < -1.4 and 1.2 < right[0] < 1.4
    assert len(SURFACES["two-minima"].saddles) == 1


def test_surface_values() -> None:
    valley, saddle = SURFACES["valley"], SURFACES["saddle"]
    assert valley.f(2.0, 1.0) == 7.0 and type(valley.f(2.0, 1.0)) is float
    assert saddle.f(0.0, math.sqrt(3)) == pytest.approx(-0.75)
    regression = SURFACES["regression"]
    for w, b in ((0.0, 0.0), (3.0, 2.0), (2.0, -1.0)):
        assert regression.f(w, b) == pytest.approx(quadratic_cost(w, b, LINE_X, LINE_Y))
    two = SURFACES["two-minima"]
    deep, shallow = two.minima  # deepest first
    assert two.f(*deep) < two.f(*shallow)
    assert deep[0] < 0 < shallow[0]


@pytest.mark.parametrize("name", list(SURFACES))
def test_minima_and_saddles_are_critical_points_of_the_right_kind(name: str) -> None:
    surface = SURFACES[name]
    angles = np.linspace(0, 2 * math.pi, 24, endpoint=False)
    directions = [(math.cos(a), math.sin(a)) for a in angles]
    r = 1e-3
    for point in surface.minima:
        assert math.hypot(*surface.grad(*point)) < 1e-12, point
        base = surface.f(*point)
        assert all(surface.f(point[0] + r * dx, point[1] + r * dy) > base for dx, dy in directions)
        assert np.all(np.linalg.eigvalsh(_hessian(surface, point)) > 0)
    for point in surface.saddles:
        assert math.hypot(*surface.grad(*point)) < 1e-12, point
        base = surface.f(*point)
        along_x = surface.f(point[0] + r, point[1]) - base, surface.f(point[0] - r, point[1]) - base
        along_y = surface.f(point[0], point[1] + r) - base, surface.f(point[0], point[1] - r) - base
        if name == "saddle":  # up along x, down along y
            assert min(along_x) > 0 and max(along_y) < 0
        else:  # two-minima: the pass between the wells, down along x, up along y
            assert max(along_x) < 0 and min(along_y) > 0
        eig = np.linalg.eigvalsh(_hessian(surface, point))
        assert eig[0] < 0 < eig[1]


def test_surface_grid_shapes_and_values() -> None:
    surface = SURFACES["two-minima"]
    xs, ys, z = surface_grid(surface, 7, 5)
    assert xs.shape == (7,) and ys.shape == (5,) and z.shape == (5, 7)
    assert (xs[0], xs[-1], ys[0], ys[-1]) == surface.box
    for j in range(5):
        for i in range(7):
            assert z[j, i] == pytest.approx(surface.f(float(xs[i]), float(ys[j])))
    _, _, zr = surface_grid(SURFACES["regression"], 4, 3, xp=np)
    assert zr.shape == (3, 4)


# --------------------------------------------------------------------------- descent on J(w)


def test_first_step_by_hand() -> None:
    step = run_one(0.05)[0]
    assert isinstance(step, DescentStep)
    assert step.iteration == 1
    assert step.params == (0.0,) and step.cost == 15.0
    assert step.grad == (-15.0,) and step.update == (0.75,)
    assert step.params_after == (0.75,)
    assert step.cost_after == 3.75 * 1.25**2
    assert step.status == "ok"
    with pytest.raises(AttributeError):
        step.status = "x"  # type: ignore[misc]


def test_steps_chain_and_hold_plain_floats() -> None:
    steps = run_one(0.05)
    for before, after in zip(steps, steps[1:]):
        assert after.params == before.params_after
        assert after.cost == before.cost_after
        assert after.iteration == before.iteration + 1
    for s in steps:
        assert all(type(v) is float for v in (*s.params, *s.grad, *s.update, *s.params_after))
        assert type(s.cost) is float and type(s.cost_after) is float


def test_small_rate_converges_to_two() -> None:
    with strict_numerics():
        steps = run_one(0.05)
    assert steps[-1].status == "converged"
    assert all(s.status == "ok" for s in steps[:-1])
    assert len(steps) < 100
    assert abs(steps[-1].params_after[0] - 2.0) < 1e-9
    costs = [s.cost for s in steps] + [steps[-1].cost_after]
    assert all(a > b for a, b in zip(costs[:20], costs[1:21]))  # records keep 12 decimals
    assert all(a >= b for a, b in zip(costs, costs[1:]))
    assert all(s.update[0] > 0 for s in steps)  # always downhill toward 2, never across
    assert judge_run(steps, 0.05).kind == "converged"


def test_rate_point_two_oscillates_but_converges() -> None:
    with strict_numerics():
        steps = run_one(0.2)
    signs = [math.copysign(1, s.update[0]) for s in steps if s.update[0] != 0]
    assert len(signs) > 10
    assert all(a != b for a, b in zip(signs, signs[1:]))  # every update flips sign
    assert steps[-1].status == "converged"
    assert abs(steps[-1].params_after[0] - 2.0) < 1e-9
    kind, message = describe_run(steps, 0.2)
    assert kind == "oscillating"
    assert "alternate" in message and "still falls" in message


def test_rate_point_three_diverges_without_raising_or_warning() -> None:
    with strict_numerics():
        steps = run_one(0.3)
    assert steps[-1].status == "diverged"
    assert all(s.status == "ok" for s in steps[:-1])
    assert 1 < len(steps) < 100  # a finite stop well before the iterations ran out
    errors = [abs(s.params[0] - 2) for s in steps]
    assert all(a < b for a, b in zip(errors, errors[1:]))  # each step overshoots further
    kind, message = describe_run(steps, 0.3)
    assert kind == "diverged"
    assert f"iteration {len(steps)}" in message


def test_huge_rate_diverges_at_once() -> None:
    with strict_numerics():
        steps = run_one(1e5)
    assert len(steps) == 1 and steps[0].status == "diverged"
    assert steps[0].params_after == (1.5e6,)
    assert judge_run(steps, 1e5).kind == "diverged"


def test_overflow_to_inf_is_caught() -> None:
    """With no limit the values run to inf; the pure-Python cost raises OverflowError there."""
    cost = lambda p: 3.75 * (p[0] - 2) ** 2  # noqa: E731  (float ** raises OverflowError)
    grad = lambda p: (7.5 * (p[0] - 2),)  # noqa: E731
    with strict_numerics():
        steps = list(gradient_descent(cost, grad, 0.0, 1e5, iterations=1000, limit=math.inf))
    assert steps[-1].status == "diverged"
    assert len(steps) < 1000
    assert not math.isfinite(steps[-1].cost_after) or not math.isfinite(steps[-1].params_after[0])


def test_negative_rate_climbs() -> None:
    with strict_numerics():
        steps = run_one(-0.1)
    costs = [s.cost for s in steps] + [steps[-1].cost_after]
    assert all(a < b for a, b in zip(costs, costs[1:]))
    assert all(s.update[0] < 0 for s in steps)  # away from w = 2
    kind, message = describe_run(steps, -0.1)
    assert kind == "climbing" and "uphill" in message


def test_zero_rate_never_moves() -> None:
    steps = run_one(0.0)
    assert len(steps) == 100
    assert all(s.params_after == (0.0,) and s.update == (0.0,) for s in steps)
    assert all(s.status == "ok" for s in steps)
    kind, message = describe_run(steps, 0)
    assert kind == "stalled" and "never move" in message


def test_tiny_rate_crawls() -> None:
    steps = run_one(0.001)
    assert len(steps) == 100 and steps[-1].status == "ok"
    kind, message = describe_run(steps, 0.001)
    assert kind == "crawling" and "1%" in message


def test_start_at_the_minimum_converges_at_once() -> None:
    steps = run_one(0.05, start=2.0)
    assert len(steps) == 1 and steps[0].status == "converged"
    assert steps[0].update == (0.0,)
    assert judge_run(steps, 0.05).kind == "converged"


def test_iterations_and_tolerance() -> None:
    assert len(run_one(0.05, iterations=5)) == 5
    assert run_one(0.05, iterations=0) == []
    assert len(run_one(0.05, tolerance=0.0, iterations=300)) == 300
    assert judge_run([], 0.1).kind == "stalled"


def test_check_learning_rate() -> None:
    """The engine's verdicts, and the lines the descent scenes word them with."""
    assert check_learning_rate(0.05) == LearningRateCheck(True, 0.05, RateVerdict.FINE)
    assert words_check(0.05) == RateCheck(True, 0.05, "")
    zero = words_check(0)
    assert zero.ok and zero.value == 0.0 and check_learning_rate(0).verdict is RateVerdict.ZERO
    assert zero.message == "A learning rate of 0 never moves the weights."
    neg = words_check(-0.1)
    assert neg.ok and neg.value == -0.1 and check_learning_rate(-0.1).verdict is RateVerdict.NEGATIVE
    assert neg.message == "A negative learning rate climbs uphill: the cost will grow."
    for bad in (float("nan"), float("inf"), float("-inf")):
        check = words_check(bad)
        assert not check.ok and check.value is None
        assert check_learning_rate(bad).verdict is RateVerdict.NOT_FINITE
        assert check.message == "The learning rate must be a finite number."
    big = words_check(1e7)
    assert not big.ok and check_learning_rate(1e7).verdict is RateVerdict.TOO_LARGE
    assert big.message == "That learning rate is too large to try: pick a value below 1e6."
    assert not check_learning_rate(-1e7).ok
    assert check_learning_rate(1e5).ok  # large, but it may be tried (and will diverge)
    assert not check_learning_rate("abc").ok  # type: ignore[arg-type]


def test_run_verdict_carries_the_numbers() -> None:
    steps = run_one(0.05)
    verdict = judge_run(steps, 0.05)
    assert verdict.kind is RunKind.CONVERGED and verdict.steps == len(steps)
    assert verdict.start_cost == steps[0].cost and verdict.end_cost == steps[-1].cost_after
    assert verdict.cost_fell and not verdict.blew_up
    empty = judge_run([], 0.1)
    assert empty.kind is RunKind.STALLED and empty.steps == 0
    assert describe_run([], 0.1) == ("stalled", "No steps were taken.")


# --------------------------------------------------------------------------- fit_line


def test_fit_line_defaults_get_close_but_not_onto_the_line() -> None:
    steps = fit_line(LINE_X, LINE_Y)
    assert len(steps) == 500
    assert steps[0].params == (0.0, 0.0)
    w, b = steps[-1].params_after
    at_ten = w * 10 + b
    assert at_ten == pytest.approx(18.7506, abs=1e-3)  # the true line gives 19
    assert abs(at_ten - 19) < 0.5 and at_ten != 19
    assert judge_run(steps, 0.01).kind == "converged"  # cost below 1% of its start
    costs = [s.cost for s in steps]
    assert all(a > b for a, b in zip(costs, costs[1:]))


def test_fit_line_more_epochs_gets_closer() -> None:
    errors = []
    for epochs in (500, 1000, 2000):
        w, b = fit_line(LINE_X, LINE_Y, epochs=epochs)[-1].params_after
        errors.append(abs(w * 10 + b - 19))
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 1e-3
    long_run = fit_line(LINE_X, LINE_Y, epochs=10_000)
    assert long_run[-1].status == "converged"
    assert long_run[-1].params_after == pytest.approx((2.0, -1.0), abs=1e-8)


def test_fit_line_on_noisy_data() -> None:
    x, t = noisy_line()
    assert len(x) == len(t) == 200
    assert (x, t) == noisy_line()  # seeded
    assert noisy_line(seed=1) != (x, t)
    assert all(-1 <= v <= 4 for v in x)
    residuals = np.array(t) - (2 * np.array(x) - 1)
    assert 0.4 < residuals.std() < 0.6
    w, b = fit_line(x, t, lr=0.1, epochs=2000)[-1].params_after
    ls_w, ls_b = np.polyfit(x, t, 1)
    assert (w, b) == pytest.approx((ls_w, ls_b), abs=1e-6)
    assert abs(w - 2) < 0.15 and abs(b + 1) < 0.3


# --------------------------------------------------------------------------- mini-batch descent


def test_full_batch_is_gradient_descent() -> None:
    x, t = noisy_line(60, seed=4)
    full = list(minibatch_descent(x, t, start=(0.5, -0.5), lr=0.05, epochs=40))
    assert full == list(minibatch_descent(x, t, start=(0.5, -0.5), lr=0.05, epochs=40, seed=9))
    assert full == list(minibatch_descent(x, t, (0.5, -0.5), 0.05, batch_size=60, epochs=40))
    assert full == list(minibatch_descent(x, t, (0.5, -0.5), 0.05, batch_size=1000, epochs=40))
    steps = list(gradient_descent(
        lambda p: quadratic_cost(p[0], p[1], x, t),
        lambda p: quadratic_cost_grad(p[0], p[1], x, t),
        (0.5, -0.5), 0.05, iterations=40, tolerance=0.0,
    ))
    assert len(full) == len(steps) == 40
    for record, step in zip(full, steps):
        assert isinstance(record, BatchStep)
        assert record.epoch == record.update
        assert record.batch_size == 60
        assert record.params == step.params_after
        assert record.grad == step.grad
        assert record.batch_cost == step.cost
        assert record.full_cost == step.cost_after
        assert record.diverged is False


def test_stochastic_makes_n_updates_per_epoch() -> None:
    x, t = noisy_line(20, seed=2)
    records = list(minibatch_descent(x, t, lr=0.02, batch_size=1, epochs=3))
    assert len(records) == 60
    assert [r.update for r in records] == list(range(1, 61))
    assert [r.epoch for r in records] == [1] * 20 + [2] * 20 + [3] * 20
    assert all(r.batch_size == 1 for r in records)
    assert [r.examples_seen for r in records] == list(range(1, 61))


def test_minibatch_bookkeeping_with_a_short_last_batch() -> None:
    x, t = noisy_line(23, seed=3)
    records = list(minibatch_descent(x, t, lr=0.05, batch_size=5, epochs=2))
    assert len(records) == 10  # 5 batches per epoch: 5, 5, 5, 5, 3
    assert [r.batch_size for r in records] == [5, 5, 5, 5, 3] * 2
    assert [r.examples_seen for r in records] == [5, 10, 15, 20, 23, 28, 33, 38, 43, 46]
    for r in records:
        assert r.full_cost == pytest.approx(quadratic_cost(*r.params, x, t))
        assert all(type(v) is float for v in (*r.params, *r.grad, r.batch_cost, r.full_cost))


def test_minibatch_is_seeded() -> None:
    x, t = noisy_line(40, seed=5)
    a = list(minibatch_descent(x, t, lr=0.05, batch_size=4, epochs=3, seed=1))
    b = list(minibatch_descent(x, t, lr=0.05, batch_size=4, epochs=3, seed=1))
    c = list(minibatch_descent(x, t, lr=0.05, batch_size=4, epochs=3, seed=2))
    assert a == b
    assert a != c
    with pytest.raises(AttributeError):
        a[0].update = 5  # type: ignore[misc]


def test_sgd_reaches_the_neighbourhood_of_the_line() -> None:
    x, t = noisy_line()
    records = list(minibatch_descent(x, t, lr=0.01, batch_size=1, epochs=5))
    w, b = records[-1].params
    assert abs(w - 2) < 0.3 and abs(b + 1) < 0.4
    assert records[-1].full_cost < records[0].full_cost


def test_minibatch_divergence_is_a_record_not_an_exception() -> None:
    x, t = noisy_line(30, seed=6)
    for batch_size in (None, 1, 7):
        with strict_numerics():
            records = list(minibatch_descent(x, t, lr=50.0, batch_size=batch_size, epochs=50))
        assert records[-1].diverged is True
        assert all(not r.diverged for r in records[:-1])
        assert len(records) < 50 * 30
    with pytest.raises(ValueError):
        list(minibatch_descent(x, t, batch_size=0))
    with pytest.raises(ValueError):
        list(minibatch_descent((), ()))


# --------------------------------------------------------------------------- descending surfaces


@pytest.mark.parametrize("method", ["gd", "momentum", "adam"])
def test_every_method_reaches_the_valley_minimum(method: str) -> None:
    valley = SURFACES["valley"]
    with strict_numerics():
        steps = list(descend_surface(valley, valley.starts[0], valley.lr, 1000, method))
    assert steps[0].params == valley.starts[0]
    assert steps[-1].status == "converged"
    assert steps[-1].params_after == pytest.approx(valley.minima[0], abs=1e-6)


@pytest.mark.parametrize("method", ["gd", "momentum", "adam"])
def test_every_method_reaches_the_regression_minimum(method: str) -> None:
    surface = SURFACES["regression"]
    steps = list(descend_surface(surface, surface.starts[0], surface.lr, 1000, method))
    assert steps[-1].params_after == pytest.approx((2.0, -1.0), abs=1e-6)


def test_plain_descent_zigzags_in_the_valley() -> None:
    valley = SURFACES["valley"]
    steps = list(descend_surface(valley, valley.starts[0], valley.lr, 1000))
    y_signs = [math.copysign(1, s.update[1]) for s in steps[:20]]
    assert all(a != b for a, b in zip(y_signs, y_signs[1:]))  # y flips every step
    assert all(s.update[0] > 0 for s in steps[:20])  # x walks steadily along the valley


def test_two_minima_starts_end_in_different_minima() -> None:
    two = SURFACES["two-minima"]
    deep, shallow = two.minima
    ends = {}
    for start in ((-0.2, 1.5), (0.5, 1.5)):
        steps = list(descend_surface(two, start, two.lr, 2000))
        assert steps[-1].status == "converged"
        ends[start] = steps[-1].params_after
    assert ends[(-0.2, 1.5)] == pytest.approx(deep, abs=1e-6)
    assert ends[(0.5, 1.5)] == pytest.approx(shallow, abs=1e-6)
    assert {two.starts[0], two.starts[1]} == set(ends)


def test_saddle_stalls_on_the_axis_and_escapes_off_it() -> None:
    saddle = SURFACES["saddle"]
    on_axis = list(descend_surface(saddle, (2.0, 0.0), saddle.lr, 1000))
    assert on_axis[-1].status == "converged"  # at rest, but on the saddle
    assert on_axis[-1].params_after == pytest.approx((0.0, 0.0), abs=1e-8)
    assert all(s.params[1] == 0.0 for s in on_axis)
    off_axis = list(descend_surface(saddle, (2.0, 0.01), saddle.lr, 1000))
    assert off_axis[-1].params_after == pytest.approx((0.0, math.sqrt(3)), abs=1e-6)
    assert off_axis[-1].cost_after < on_axis[-1].cost_after
    below = list(descend_surface(saddle, (2.0, -0.01), saddle.lr, 1000, "momentum"))
    assert below[-1].params_after == pytest.approx((0.0, -math.sqrt(3)), abs=1e-6)


def test_momentum_and_adam_first_steps() -> None:
    valley = SURFACES["valley"]
    lr, beta = 0.1, 0.9
    gx, gy = valley.grad(3.0, 1.0)  # (3, 10)
    m1, m2 = list(descend_surface(valley, (3.0, 1.0), lr, 2, "momentum", beta=beta))
    assert m1.update == pytest.approx((-lr * gx, -lr * gy))
    g2 = m2.grad
    assert m2.update == pytest.approx((beta * m1.update[0] - lr * g2[0],
                                       beta * m1.update[1] - lr * g2[1]))
    (a1,) = list(descend_surface(valley, (3.0, 1.0), lr, 1, "adam"))
    assert a1.update == pytest.approx((-lr, -lr), rel=1e-6)  # Adam's first step is lr·sign(g)
    with pytest.raises(ValueError):
        list(descend_surface(valley, (3.0, 1.0), lr, 1, "rmsprop"))


@pytest.mark.parametrize("method", ["gd", "momentum"])
def test_surface_descent_diverges_as_a_record(method: str) -> None:
    valley = SURFACES["valley"]
    with strict_numerics():
        steps = list(descend_surface(valley, valley.starts[0], 1.0, 500, method))
    assert steps[-1].status == "diverged"
    assert len(steps) < 500
    assert judge_run(steps, 1.0).kind == "diverged"


# --------------------------------------------------------------------------- generators


def _same(a: Generated, b: Generated) -> bool:
    return (a.values, a.kind, a.answer, a.options, a.tolerance) == (
        b.values, b.kind, b.answer, b.options, b.tolerance,
    )


def _floats(text: str) -> tuple[float, ...]:
    assert text.startswith("[") and text.endswith("]")
    return tuple(float(v) for v in text[1:-1].split(", "))


GENERATOR_NAMES = {
    "descent.next_weight": next_weight_problem,
    "descent.cost": cost_problem,
    "descent.derivative": derivative_problem,
}
FIELDS = {
    "descent.next_weight": {"xs", "zs", "w", "lr", "grad", "new_w", "m"},
    "descent.cost": {"xs", "ts", "w", "b", "outputs", "misses", "squares", "total", "cost", "n"},
    "descent.derivative": {"xs", "zs", "w", "grad", "m"},
}


@pytest.mark.parametrize("name", list(GENERATOR_NAMES))
def test_generators_are_deterministic_and_registered(name: str) -> None:
    generator = GENERATOR_NAMES[name]
    for seed in SEEDS:
        first = generator(np.random.default_rng(seed))
        assert _same(first, generator(np.random.default_rng(seed))), seed
        assert first.kind == "number" and first.tolerance == 1e-6
        assert set(first.values) == FIELDS[name]
        assert type(first.answer) is float
    for seed in (0, 1, 17, 199):
        assert _same(generate(name, seed), generator(np.random.default_rng(seed)))
    distinct = {repr(sorted(generator(np.random.default_rng(s)).values.items())) for s in SEEDS}
    assert len(distinct) > 50


def _decimals(value: float) -> int:
    text = f"{value:.10f}".rstrip("0")
    return len(text.split(".")[1])


def test_next_weight_problem_agrees_with_the_engine() -> None:
    rates = set()
    for seed in SEEDS:
        g = next_weight_problem(np.random.default_rng(seed))
        v = g.values
        xs, zs = _floats(v["xs"]), _floats(v["zs"])
        w, lr = float(v["w"]), float(v["lr"])
        assert len(xs) == len(zs) == v["m"] and v["m"] in (2, 3)
        assert all(v == int(v) for v in xs + zs)
        grad = one_weight_grad(w, xs, zs)
        assert float(v["grad"]) == pytest.approx(grad, abs=1e-12)
        step = next(gradient_descent(
            lambda p: one_weight_cost(p[0], xs, zs), lambda p: (one_weight_grad(p[0], xs, zs),),
            (w,), lr,
        ))
        assert g.answer == pytest.approx(step.params_after[0], abs=1e-9)
        assert g.answer == pytest.approx(w - lr * grad, abs=1e-9)
        assert float(v["new_w"]) == g.answer
        assert _decimals(g.answer) <= 4
        rates.add(lr)
    assert rates == {0.1, 0.05, 0.01}


def test_cost_problem_agrees_with_the_engine() -> None:
    for seed in SEEDS:
        g = cost_problem(np.random.default_rng(seed))
        v = g.values
        xs, ts, outputs = _floats(v["xs"]), _floats(v["ts"]), _floats(v["outputs"])
        w, b = float(v["w"]), float(v["b"])
        assert len(xs) == len(ts) == v["n"] == 3
        assert all(x == int(x) for x in xs + ts + (w, b))
        assert outputs == tuple(linear_predict(w, b, xs).tolist())
        assert g.answer == quadratic_cost(w, b, xs, ts) == cost_table(w, b, xs, ts).cost
        assert float(v["cost"]) == g.answer
        assert g.answer > 0 and _decimals(g.answer) <= 1


def test_derivative_problem_agrees_with_the_engine() -> None:
    for seed in SEEDS:
        g = derivative_problem(np.random.default_rng(seed))
        v = g.values
        xs, zs = _floats(v["xs"]), _floats(v["zs"])
        w = float(v["w"])
        assert len(xs) == len(zs) == v["m"]
        expected = one_weight_grad(w, xs, zs)
        assert g.answer == pytest.approx(expected, abs=1e-12)
        (numeric,) = central_difference(lambda p: one_weight_cost(p[0], xs, zs), (w,))
        assert g.answer == pytest.approx(numeric, abs=1e-6)
        assert float(v["grad"]) == g.answer
        assert _decimals(g.answer) <= 2


# --------------------------------------------------------------------------- isolation


def test_engine_imports_neither_textual_nor_rich() -> None:
    code = (
        "import sys, json, numpy\n"
        "import tutor.engines.descent as m\n"
        "list(m.gradient_descent(lambda p: m.one_weight_cost(p[0], m.ONE_X, m.ONE_Z),\n"
        "    lambda p: (m.one_weight_grad(p[0], m.ONE_X, m.ONE_Z),), (0.0,), 0.3))\n"
        "m.surface_grid(m.SURFACES['valley'], 5, 4)\n"
        "import tutor.quiz.generators.descent as g\n"
        "g.cost_problem(numpy.random.default_rng(0))\n"
        "print(json.dumps([n for n in ('textual', 'rich') if n in sys.modules]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
    assert result.stdout.strip().count("\n") == 0  # the engine printed nothing
