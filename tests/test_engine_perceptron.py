"""Tests for tutor.engines.perceptron: hardlim, the learning rule, training runs (the seed's
test problem pinned number by number), the gates it learns and XOR it cannot, the geometry
helpers, the hand-wired two-layer XOR, and the predict generators."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from tutor.engines import neuron
from tutor.engines.perceptron import (
    DATASETS,
    XOR_HIDDEN,
    XOR_OUTPUT,
    Dataset,
    Layer2Forward,
    TrainingRun,
    Update,
    boundary,
    hardlim,
    net_input,
    predict,
    random_start,
    run_training,
    train,
    two_layer_forward,
    update,
    weight_arrow,
)
from tutor.quiz.generators.perceptron import SIDE_OPTIONS, new_weight_problem, output_problem, side_problem
from tutor.quiz.predict import Generated, generate

SEEDS = range(200)
BINARY = [(0, 0), (0, 1), (1, 0), (1, 1)]


def _dataset(name: str) -> tuple[tuple[tuple[float, ...], ...], tuple[int, ...]]:
    d = DATASETS[name]
    return d.inputs, d.targets


# --------------------------------------------------------------------------- hardlim and the unit


def test_hardlim_convention_on_scalars() -> None:
    assert hardlim(0) == 1 and type(hardlim(0)) is int
    assert hardlim(0.0) == 1
    assert hardlim(-0.0) == 1
    assert hardlim(-1e-12) == 0
    assert hardlim(1e-12) == 1
    assert hardlim(-3) == 0
    assert hardlim(np.float64(2.5)) == 1 and type(hardlim(np.float64(2.5))) is int
    assert hardlim(np.array(0.0)) == 1


def test_hardlim_on_arrays() -> None:
    out = hardlim(np.array([-2.0, -1e-12, 0.0, 1e-12, 3.0]))
    assert out.dtype.kind == "i"
    assert out.tolist() == [0, 0, 1, 1, 1]
    grid = hardlim(np.array([[0, -1], [1, -0.5]]), xp=np)
    assert grid.shape == (2, 2)
    assert grid.tolist() == [[1, 0], [1, 0]]


def test_on_the_boundary_differs_from_mcculloch_pitts() -> None:
    """At exactly the boundary the perceptron says 1; the 1943 unit says 0."""
    # Threshold unit with theta = 2 is the perceptron with b = -2.
    assert neuron.threshold_unit(np.array([1, 1]), [1, 1], 2.0) == 0
    assert predict([1, 1], -2.0, [1, 1]) == 1
    # Off the boundary they agree.
    x = neuron.binary_inputs(2)
    assert neuron.threshold_unit(x, [1, 1], 1.5).tolist() == predict([1, 1], -1.5, x).tolist()


def test_net_input_and_predict_shapes() -> None:
    assert net_input([1.0, -0.8], 0.0, [1, 2]) == -0.6  # rounded: no float noise
    assert type(net_input([1.0, -0.8], 0.0, [1, 2])) is float
    assert net_input([0.1, 0.2], -0.3, [1, 1]) == 0.0
    assert predict([0.1, 0.2], -0.3, [1, 1]) == 1  # 0.1 + 0.2 - 0.3 is 0, on the line
    single = predict([1.0, 1.0], -1.5, [1, 1])
    assert single == 1 and type(single) is int
    batch = predict(np.array([1.0, 1.0]), -1.5, np.array(BINARY), xp=np)
    assert batch.shape == (4,) and batch.dtype.kind == "i"
    assert batch.tolist() == [0, 0, 0, 1]
    nets = net_input([1.0, 1.0], -1.5, BINARY, xp=np)
    assert nets.shape == (4,)
    assert nets.tolist() == [-1.5, -0.5, -0.5, 0.5]
    rng = np.random.default_rng(0)
    p = rng.normal(size=(50, 3))
    w = rng.normal(size=3)
    assert predict(w, 0.3, p).tolist() == [int(row @ w + 0.3 >= 0) for row in p]


# --------------------------------------------------------------------------- the learning rule


def test_update_record_fields() -> None:
    u = update([1.0, -0.8], 0.0, [1, 2], 1, use_bias=False, index=7, epoch=3, pattern=2)
    assert isinstance(u, Update)
    assert (u.index, u.epoch, u.pattern) == (7, 3, 2)
    assert u.p == (1.0, 2.0) and u.t == 1
    assert u.w_before == (1.0, -0.8) and u.b_before == 0.0
    assert u.net == -0.6 and u.a == 0 and u.e == 1
    assert u.w_after == (2.0, 1.2)  # -0.8 + 2 is stored as 1.2
    assert u.b_after == 0.0
    assert u.changed is True
    for value in (u.net, u.b_before, u.b_after, *u.p, *u.w_before, *u.w_after):
        assert type(value) is float
    for value in (u.t, u.a, u.e, u.index, u.epoch, u.pattern):
        assert type(value) is int
    with pytest.raises(AttributeError):
        u.e = 0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("w", "b", "p", "t", "a", "w_new", "b_new"),
    [
        # t = 1, a = 0: add p (and 1 to the bias)
        ((0.5, -1.0), 0.0, (1, 1), 1, 0, (1.5, 0.0), 1.0),
        # t = 0, a = 1: subtract p (and 1 from the bias)
        ((0.5, 1.0), 0.5, (2, -1), 0, 1, (-1.5, 2.0), -0.5),
        # t = a: nothing changes
        ((0.5, 1.0), 0.5, (2, -1), 1, 1, (0.5, 1.0), 0.5),
        ((-1.0, -1.0), 0.0, (1, 1), 0, 0, (-1.0, -1.0), 0.0),
        # on the boundary a = 1, so target 0 is an error
        ((1.0, 1.0), -2.0, (1, 1), 0, 1, (0.0, 0.0), -3.0),
    ],
)
def test_rule_matches_hand_computed_cases(w, b, p, t, a, w_new, b_new) -> None:
    u = update(w, b, p, t)
    assert u.a == a
    assert u.e == t - a
    assert u.w_after == w_new
    assert u.b_after == b_new
    # The three cases of the rule are one unified rule: w + e p, b + e.
    assert u.w_after == tuple(wi + u.e * pi for wi, pi in zip(w, p))
    assert u.b_after == b + u.e
    assert u.changed == (t != a)


def test_unified_rule_equals_the_three_cases() -> None:
    rng = np.random.default_rng(5)
    for _ in range(300):
        w = tuple(float(v) for v in rng.integers(-4, 5, size=2) / 2)
        b = float(rng.integers(-4, 5) / 2)
        p = tuple(float(v) for v in rng.integers(-2, 3, size=2))
        t = int(rng.integers(0, 2))
        u = update(w, b, p, t)
        if t == 1 and u.a == 0:
            expected = (tuple(wi + pi for wi, pi in zip(w, p)), b + 1)
        elif t == 0 and u.a == 1:
            expected = (tuple(wi - pi for wi, pi in zip(w, p)), b - 1)
        else:
            expected = (w, b)
        assert (u.w_after, u.b_after) == expected


def test_without_bias_b_stays() -> None:
    u = update([0.5, -1.0], 0.0, [1, 1], 1, use_bias=False)
    assert u.e == 1 and u.b_after == 0.0
    run = run_training(*_dataset("seed-test"), (1.0, -0.8), use_bias=False)
    assert all(u.b_before == u.b_after == 0.0 for u in run.updates)


def test_update_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        update([1.0, 1.0], 0.0, [1, 1], 2)
    with pytest.raises(ValueError):
        update([1.0, 1.0], 0.0, [1, 1, 1], 1)


# --------------------------------------------------------------------------- the seed's problem


def test_seed_test_problem_dataset() -> None:
    d = DATASETS["seed-test"]
    assert isinstance(d, Dataset) and d.name == "seed-test"
    assert d.inputs == ((1, 2), (-1, 2), (0, -1))
    assert d.targets == (1, 0, 0)
    assert d.description


def test_seed_test_problem_number_by_number() -> None:
    updates = list(train(*_dataset("seed-test"), (1.0, -0.8), use_bias=False))
    first, second, third = updates[:3]
    assert (first.pattern, first.p, first.t) == (0, (1.0, 2.0), 1)
    assert first.w_before == (1.0, -0.8)
    assert (first.net, first.a, first.e) == (-0.6, 0, 1)
    assert first.w_after == (2.0, 1.2)

    assert (second.pattern, second.p, second.t) == (1, (-1.0, 2.0), 0)
    assert second.w_before == (2.0, 1.2)
    assert (second.net, second.a, second.e) == (0.4, 1, -1)
    assert second.w_after == (3.0, -0.8)

    assert (third.pattern, third.p, third.t) == (2, (0.0, -1.0), 0)
    assert third.w_before == (3.0, -0.8)
    assert (third.net, third.a, third.e) == (0.8, 1, -1)
    assert third.w_after == (3.0, 0.2)

    # Epoch 2 is clean, is yielded, and ends training.
    assert len(updates) == 6
    assert [u.index for u in updates] == list(range(6))
    assert [u.epoch for u in updates] == [1, 1, 1, 2, 2, 2]
    assert [u.pattern for u in updates] == [0, 1, 2, 0, 1, 2]
    assert [u.changed for u in updates[3:]] == [False, False, False]
    assert [u.net for u in updates[3:]] == [3.4, -2.6, -0.2]
    assert all(u.w_before == u.w_after == (3.0, 0.2) for u in updates[3:])


def test_seed_test_problem_run() -> None:
    run = run_training(*_dataset("seed-test"), (1.0, -0.8), use_bias=False)
    assert isinstance(run, TrainingRun)
    assert run.converged is True
    assert run.epochs == 2
    assert run.changes == 3
    assert run.final_w == (3.0, 0.2)
    assert run.final_b == 0.0
    assert run.epoch_errors == (3, 0)
    inputs, targets = _dataset("seed-test")
    assert predict(run.final_w, run.final_b, inputs).tolist() == list(targets)


def test_training_stops_at_max_epochs() -> None:
    run = run_training(*_dataset("xor"), (0.0, 0.0), 0.0, max_epochs=3)
    assert run.epochs == 3 and len(run.updates) == 12
    assert run.converged is False
    with pytest.raises(ValueError):
        run_training(*_dataset("and"), (0.0, 0.0), max_epochs=0)
    with pytest.raises(ValueError):
        run_training([(0, 0), (1, 1)], [0], (0.0, 0.0))
    with pytest.raises(ValueError):
        run_training([], [], (0.0, 0.0))


def test_already_right_start_runs_one_clean_epoch() -> None:
    run = run_training(*_dataset("and"), (1.0, 1.0), -1.5)
    assert run.converged and run.epochs == 1 and run.changes == 0
    assert len(run.updates) == 4
    assert run.final_w == (1.0, 1.0) and run.final_b == -1.5


# --------------------------------------------------------------------------- the OR example


def test_or_example_boundary_through_half() -> None:
    w = (0.5, 0.5)
    b = -0.25  # chosen so that the boundary passes through [0, 0.5]
    assert net_input(w, b, (0.0, 0.5)) == 0.0
    inputs, targets = _dataset("or")
    assert predict(w, b, inputs).tolist() == list(targets)
    assert predict(w, b, (0.0, 0.5)) == 1  # on the line: class 1
    segment = boundary(w, b)
    assert segment is not None
    for x, y in segment:
        assert 0.5 * x + 0.5 * y - 0.25 == pytest.approx(0.0, abs=1e-12)


# --------------------------------------------------------------------------- gates, random starts


def test_gate_datasets() -> None:
    expected = {
        "and": (0, 0, 0, 1), "or": (0, 1, 1, 1), "nand": (1, 1, 1, 0), "nor": (1, 0, 0, 0),
        "xor": (0, 1, 1, 0),
    }
    for name, targets in expected.items():
        d = DATASETS[name]
        assert d.name == name
        assert d.inputs == tuple(BINARY)
        assert d.targets == targets
        assert d.targets == neuron.GATES[name.upper()]
        assert d.description and "\n" not in d.description


def test_random_start() -> None:
    w, b = random_start(np.random.default_rng(3))
    assert len(w) == 2 and all(type(v) is float for v in (*w, b))
    again = random_start(np.random.default_rng(3))
    assert (w, b) == again
    for seed in range(50):
        w, b = random_start(np.random.default_rng(seed))
        for v in (*w, b):
            assert -1.0 <= v <= 1.0
            assert v == round(v, 1)
    w, b = random_start(np.random.default_rng(1), low=2.0, high=3.0, decimals=2)
    assert all(2.0 <= v <= 3.0 and v == round(v, 2) for v in (*w, b))


@pytest.mark.parametrize("name", ["and", "or", "nand", "nor"])
def test_linear_gates_converge_from_random_starts(name: str) -> None:
    inputs, targets = _dataset(name)
    for seed in range(100):
        w0, b0 = random_start(np.random.default_rng(seed))
        run = run_training(inputs, targets, w0, b0, use_bias=True, max_epochs=50)
        assert run.converged, (name, seed)
        assert run.epoch_errors[-1] == 0
        assert predict(run.final_w, run.final_b, inputs).tolist() == list(targets), seed
        assert all(
            predict(run.final_w, run.final_b, p) == t for p, t in zip(inputs, targets)
        )


def test_xor_never_converges() -> None:
    inputs, targets = _dataset("xor")
    for seed in range(100):
        w0, b0 = random_start(np.random.default_rng(seed))
        run = run_training(inputs, targets, w0, b0, use_bias=True, max_epochs=30)
        assert run.converged is False, seed
        assert run.epochs == 30
        assert min(run.epoch_errors) > 0, seed
        assert predict(run.final_w, run.final_b, inputs).tolist() != list(targets)


def test_bias_is_a_weight_whose_input_is_always_one() -> None:
    for name in ("and", "or", "nand", "xor"):
        inputs, targets = _dataset(name)
        augmented = [(*p, 1) for p in inputs]
        for seed in range(20):
            w0, b0 = random_start(np.random.default_rng(seed))
            with_bias = list(train(inputs, targets, w0, b0, use_bias=True, max_epochs=10))
            folded = list(train(augmented, targets, (*w0, b0), use_bias=False, max_epochs=10))
            assert len(with_bias) == len(folded)
            for u, v in zip(with_bias, folded):
                assert u.w_after + (u.b_after,) == pytest.approx(v.w_after, abs=1e-9)
                assert u.net == pytest.approx(v.net, abs=1e-9)
                assert (u.a, u.e, u.epoch, u.pattern) == (v.a, v.e, v.epoch, v.pattern)
                assert v.b_after == 0.0


# --------------------------------------------------------------------------- geometry


def test_boundary_delegates_to_neuron() -> None:
    for w, b in [((1.0, 1.0), -1.5), ((0.5, -1.0), 0.2), ((2.0, 0.0), -1.0)]:
        assert boundary(w, b) == neuron.boundary_segment(w, -b)
    assert boundary((0.0, 0.0), 1.0) is None
    assert boundary((1.0, 1.0), 10.0) is None  # misses the box
    box = (-3.0, 3.0, -3.0, 3.0)
    assert boundary((3.0, 0.2), 0.0, box) == neuron.boundary_segment((3.0, 0.2), 0.0, box)


def test_weight_arrow_is_orthogonal_and_points_to_class_one() -> None:
    rng = np.random.default_rng(11)
    cases = [((1.0, 1.0), -1.5), ((3.0, 0.2), 0.0), ((-0.5, 2.0), 0.7)]
    cases += [(tuple(rng.uniform(-2, 2, size=2)), float(rng.uniform(-2, 2))) for _ in range(50)]
    for w, b in cases:
        arrow = weight_arrow(w, b)
        assert arrow is not None
        (x0, y0), (x1, y1) = arrow
        # The tail lies on the boundary, at the point closest to the origin.
        assert w[0] * x0 + w[1] * y0 + b == pytest.approx(0.0, abs=1e-9)
        norm2 = w[0] ** 2 + w[1] ** 2
        assert (x0, y0) == pytest.approx((-b * w[0] / norm2, -b * w[1] / norm2))
        # Length 0.5, along w, orthogonal to the boundary direction (-w2, w1).
        dx, dy = x1 - x0, y1 - y0
        assert math.hypot(dx, dy) == pytest.approx(0.5)
        assert dx * -w[1] + dy * w[0] == pytest.approx(0.0, abs=1e-9)
        assert dx * w[0] + dy * w[1] > 0
        # The head is on the a = 1 side, and the opposite point on the a = 0 side.
        assert predict(w, b, (x1, y1)) == 1
        assert predict(w, b, (x0 - dx, y0 - dy)) == 0
    assert weight_arrow((0.0, 0.0), 1.0) is None
    (x0, y0), (x1, y1) = weight_arrow((1.0, 1.0), -1.5, length=2.0)
    assert math.hypot(x1 - x0, y1 - y0) == pytest.approx(2.0)
    assert (x0, y0) == pytest.approx((0.75, 0.75))


# --------------------------------------------------------------------------- two layers for XOR


def test_two_layer_forward_computes_xor() -> None:
    for p, target in zip(BINARY, DATASETS["xor"].targets):
        out = two_layer_forward(p)
        assert isinstance(out, Layer2Forward)
        assert out.y == target, p
        assert out.p == tuple(float(v) for v in p)
        assert len(out.h) == 2 and len(out.nets) == 3
        assert out.h == tuple(hardlim(n) for n in out.nets[:2])
        assert out.y == hardlim(out.nets[2])
    assert [two_layer_forward(p).h for p in BINARY] == [(0, 1), (1, 1), (1, 1), (1, 0)]
    assert two_layer_forward((1, 1)).nets == (1.5, -0.5, -0.5)


def test_xor_hidden_units_are_or_and_nand_and_output_is_and() -> None:
    (w_or, b_or), (w_nand, b_nand) = XOR_HIDDEN
    inputs, _ = _dataset("or")
    assert predict(w_or, b_or, inputs).tolist() == list(DATASETS["or"].targets)
    assert predict(w_nand, b_nand, inputs).tolist() == list(DATASETS["nand"].targets)
    w_and, b_and = XOR_OUTPUT
    assert predict(w_and, b_and, inputs).tolist() == list(DATASETS["and"].targets)


def test_two_layer_forward_custom_units() -> None:
    # Swap the output for OR: the network then computes OR(OR, NAND) = 1 everywhere.
    out = [two_layer_forward(p, output=((1.0, 1.0), -0.5)).y for p in BINARY]
    assert out == [1, 1, 1, 1]


# --------------------------------------------------------------------------- generators


def _same(a: Generated, b: Generated) -> bool:
    return (a.values, a.kind, a.answer, a.options, a.tolerance) == (
        b.values, b.kind, b.answer, b.options, b.tolerance,
    )


GENERATOR_NAMES = {
    "perceptron.output": output_problem,
    "perceptron.new_weight": new_weight_problem,
    "perceptron.side": side_problem,
}


@pytest.mark.parametrize("generator", list(GENERATOR_NAMES.values()))
def test_generators_are_deterministic(generator) -> None:
    for seed in SEEDS:
        first = generator(np.random.default_rng(seed))
        second = generator(np.random.default_rng(seed))
        assert isinstance(first, Generated)
        assert _same(first, second), seed
    distinct = {repr(sorted(generator(np.random.default_rng(s)).values.items())) for s in SEEDS}
    assert len(distinct) > 30


def test_generators_are_registered() -> None:
    for name, function in GENERATOR_NAMES.items():
        for seed in (0, 1, 17, 199):
            assert _same(generate(name, seed), function(np.random.default_rng(seed)))


def test_output_problem_agrees_with_predict() -> None:
    answers = set()
    for seed in SEEDS:
        g = output_problem(np.random.default_rng(seed))
        v = g.values
        w = (float(v["w1"]), float(v["w2"]))
        b = float(v["b"])
        p = (float(v["p1"]), float(v["p2"]))
        assert all(-2 <= x <= 2 and x * 2 == int(x * 2) for x in (*w, b))
        assert all(x in (-2, -1, 0, 1, 2) for x in p)
        assert g.kind == "single" and g.options == ("0", "1")
        assert g.answer == predict(w, b, p) == v["a"]
        assert float(v["net"]) == net_input(w, b, p)
        assert g.options[g.answer] == str(v["a"])
        answers.add(g.answer)
    assert answers == {0, 1}


def test_new_weight_problem_agrees_with_update() -> None:
    wrong = 0
    for seed in SEEDS:
        g = new_weight_problem(np.random.default_rng(seed))
        v = g.values
        w = (float(v["w1"]), float(v["w2"]))
        p = (float(v["p1"]), float(v["p2"]))
        t = int(v["t"])
        u = update(w, 0.0, p, t, use_bias=False)
        assert g.kind == "vector" and g.tolerance == 1e-6
        assert isinstance(g.answer, tuple) and len(g.answer) == 2
        assert all(type(x) is float for x in g.answer)
        assert g.answer == u.w_after
        assert (v["a"], v["e"]) == (u.a, u.e) == (predict(w, 0.0, p), t - predict(w, 0.0, p))
        assert float(v["net"]) == u.net
        assert (float(v["nw1"]), float(v["nw2"])) == u.w_after
        wrong += u.changed
    assert 0.55 * len(SEEDS) <= wrong <= 0.8 * len(SEEDS)  # about 2/3 misclassified


def test_side_problem_agrees_with_predict() -> None:
    answers = []
    for seed in SEEDS:
        g = side_problem(np.random.default_rng(seed))
        v = g.values
        w = (float(v["w1"]), float(v["w2"]))
        b = float(v["b"])
        p = (float(v["p1"]), float(v["p2"]))
        net = net_input(w, b, p)
        assert float(v["net"]) == net
        assert g.kind == "single" and g.options == SIDE_OPTIONS
        assert g.options == (
            "the side w points to: a = 1", "the other side: a = 0", "exactly on the line",
        )
        expected = 2 if net == 0 else (0 if net > 0 else 1)
        assert g.answer == expected
        # The side w points to is where the perceptron outputs 1 (on the line too).
        assert predict(w, b, p) == (0 if g.answer == 1 else 1)
        answers.append(g.answer)
    on_line = answers.count(2)
    assert set(answers) == {0, 1, 2}
    assert 0.1 * len(SEEDS) <= on_line <= 0.35 * len(SEEDS)


# --------------------------------------------------------------------------- isolation


def test_engine_imports_neither_textual_nor_rich() -> None:
    code = (
        "import sys, json, numpy\n"
        "import tutor.engines.perceptron as m\n"
        "m.run_training(*[m.DATASETS['and'].inputs, m.DATASETS['and'].targets], (0.0, 0.0))\n"
        "import tutor.quiz.generators.perceptron as g\n"
        "g.side_problem(numpy.random.default_rng(0))\n"
        "print(json.dumps([n for n in ('textual', 'rich') if n in sys.modules]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
    assert result.stdout.strip().count("\n") == 0  # the engine printed nothing
