"""Tests for tutor.engines.neuron: the threshold unit, its truth tables, the gates it can and
cannot reach, the predict generators, and the numbers the shipped lesson relies on."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from tutor.content import load_course
from tutor.engines.neuron import (
    GATES,
    binary_inputs,
    threshold_unit,
    truth_table,
)
from tutor.quiz.generators.neuron import threshold_output_problem, weighted_sum_problem, which_gate_problem
from tutor.paths import default_lessons_dir
from tutor.quiz.predict import Generated, generate

SEEDS = range(200)


def outputs(weights, threshold) -> tuple[int, ...]:
    return tuple(row.output for row in truth_table(weights, threshold).rows)


# --------------------------------------------------------------------------- the unit


def test_binary_inputs_counting_order() -> None:
    assert binary_inputs(2).tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    three = binary_inputs(3)
    assert three.shape == (8, 3)
    assert three.tolist()[1] == [0, 0, 1]  # the last input changes fastest
    assert three.tolist()[4] == [1, 0, 0]
    assert [int("".join(map(str, row)), 2) for row in three.tolist()] == list(range(8))
    assert binary_inputs(1).tolist() == [[0], [1]]


@pytest.mark.parametrize(
    ("weights", "threshold", "gate"),
    [
        ([1, 1], 1.5, "AND"),
        ([1, 1], 0.5, "OR"),
        ([-1, -1], -1.5, "NAND"),
        ([-1, -1], -0.5, "NOR"),
        ([1, 0], 0.5, "A"),
        ([0, -1], -0.5, "NOT B"),
    ],
)
def test_truth_table_gates(weights, threshold, gate) -> None:
    table = truth_table(weights, threshold, gate=gate)
    assert outputs(weights, threshold) == GATES[gate]
    assert table.matches is True
    assert table.errors == 0
    assert table.gate == gate
    assert table.weights == tuple(float(w) for w in weights)
    assert table.threshold == float(threshold)
    assert [row.inputs for row in table.rows] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    for row in table.rows:
        assert row.products == tuple(float(w * x) for w, x in zip(weights, row.inputs))
        assert row.weighted_sum == sum(row.products)
        assert row.output == int(row.weighted_sum > threshold)
        assert row.correct is True


def test_truth_table_rows_for_and() -> None:
    rows = truth_table([1, 1], 1.5).rows
    assert [row.weighted_sum for row in rows] == [0.0, 1.0, 1.0, 2.0]
    assert [row.output for row in rows] == [0, 0, 0, 1]
    assert all(row.target is None and row.correct is None for row in rows)
    table = truth_table([1, 1], 1.5)
    assert table.matches is None and table.errors == 0


def test_sum_equal_to_threshold_does_not_fire() -> None:
    row = truth_table([1, 1], 2).rows[3]
    assert row.inputs == (1, 1)
    assert row.weighted_sum == 2.0
    assert row.output == 0
    assert threshold_unit(np.array([1, 1]), [1, 1], 2.0) == 0
    assert threshold_unit(np.array([1, 1]), [1, 1], 1.999) == 1


def test_wrong_gate_counts_errors() -> None:
    table = truth_table([1, 1], 1.5, gate="OR")
    assert table.matches is False
    assert table.errors == 2
    assert [row.correct for row in table.rows] == [True, False, False, True]


def test_gate_needs_two_inputs_and_a_known_name() -> None:
    with pytest.raises(ValueError):
        truth_table([1, 1, 1], 1.5, gate="AND")
    with pytest.raises(ValueError):
        truth_table([1, 1], 1.5, gate="IMPLIES")


def test_truth_table_three_inputs() -> None:
    table = truth_table([1, 1, 1], 2.5)  # majority of three needs > 2.5: only 111
    assert len(table.rows) == 8
    assert [row.output for row in table.rows] == [0] * 7 + [1]


def test_threshold_unit_batch_shapes() -> None:
    x = binary_inputs(2)
    out = threshold_unit(x, [1.0, 1.0], 1.5)
    assert out.shape == (4,)
    assert out.dtype.kind == "i"
    assert out.tolist() == [0, 0, 0, 1]
    single = threshold_unit(np.array([1, 0]), [1.0, 1.0], 0.5)
    assert np.ndim(single) == 0 and int(single) == 1
    rng = np.random.default_rng(0)
    batch = rng.integers(0, 2, size=(50, 5))
    weights = rng.normal(size=5)
    result = threshold_unit(batch, weights, 0.3)
    assert result.shape == (50,)
    assert result.tolist() == [int(row @ weights > 0.3) for row in batch]
    assert set(result.tolist()) <= {0, 1}


def test_xor_is_unreachable_but_linear_gates_are_not() -> None:
    grid = np.arange(-3.0, 3.0001, 0.25)  # 25 values each for w1, w2 and theta
    w1, w2, theta = np.meshgrid(grid, grid, grid, indexing="ij")
    x = binary_inputs(2)  # (4, 2)
    sums = w1[..., None] * x[:, 0] + w2[..., None] * x[:, 1]  # (25, 25, 25, 4)
    fired = (sums > theta[..., None]).astype(int)
    def reachable(gate: str) -> np.ndarray:
        return np.all(fired == np.array(GATES[gate]), axis=-1)
    assert not reachable("XOR").any()
    assert not np.all(fired == np.array([1, 0, 0, 1]), axis=-1).any()  # XNOR neither
    for gate in ("AND", "OR", "NAND", "NOR"):
        hits = np.argwhere(reachable(gate))
        assert len(hits) > 0, gate
        i, j, k = hits[0]
        # The vectorised check agrees with the engine itself.
        assert truth_table([grid[i], grid[j]], grid[k], gate=gate).matches is True


# --------------------------------------------------------------------------- generators


def _same(a: Generated, b: Generated) -> bool:
    return (a.values, a.kind, a.answer, a.options, a.tolerance) == (
        b.values, b.kind, b.answer, b.options, b.tolerance,
    )


@pytest.mark.parametrize(
    "generator", [threshold_output_problem, weighted_sum_problem, which_gate_problem]
)
def test_generators_are_deterministic(generator) -> None:
    for seed in SEEDS:
        first = generator(np.random.default_rng(seed))
        second = generator(np.random.default_rng(seed))
        assert _same(first, second), seed
    distinct = {repr(sorted(generator(np.random.default_rng(s)).values.items())) for s in SEEDS}
    assert len(distinct) > 10  # seeds really vary the problem


def test_threshold_output_problem_agrees_with_truth_table() -> None:
    seen_outputs = set()
    for seed in SEEDS:
        g = threshold_output_problem(np.random.default_rng(seed))
        v = g.values
        w = (float(v["w1"]), float(v["w2"]))
        theta = float(v["theta"])
        x = (v["x1"], v["x2"])
        assert x[0] in (0, 1) and x[1] in (0, 1)
        row = truth_table(w, theta).rows[2 * x[0] + x[1]]
        assert row.inputs == x
        assert g.kind == "single"
        assert g.options == ("0 (stays silent)", "1 (fires)")
        assert g.answer == row.output == v["out"]
        assert float(v["s"]) == pytest.approx(row.weighted_sum)
        assert (">" in v["rule"]) == bool(row.output)
        seen_outputs.add(g.answer)
    assert seen_outputs == {0, 1}


def test_weighted_sum_problem_agrees_with_direct_sum() -> None:
    for seed in SEEDS:
        g = weighted_sum_problem(np.random.default_rng(seed))
        v = g.values
        w = [float(v[f"w{i}"]) for i in (1, 2, 3)]
        x = [v[f"x{i}"] for i in (1, 2, 3)]
        assert set(x) <= {0, 1} and any(x), "at least one input is on"
        assert g.kind == "number"
        assert g.answer == pytest.approx(sum(wi * xi for wi, xi in zip(w, x)))
        assert float(v["s"]) == pytest.approx(g.answer)


def test_which_gate_problem_agrees_with_truth_table() -> None:
    answers = set()
    for seed in SEEDS:
        g = which_gate_problem(np.random.default_rng(seed))
        v = g.values
        w = (float(v["w1"]), float(v["w2"]))
        theta = float(v["theta"])
        assert g.kind == "single"
        assert g.options == ("AND", "OR", "NAND", "NOR")
        gate = g.options[g.answer]
        table = truth_table(w, theta, gate=gate)
        assert table.matches is True, (seed, w, theta, gate)
        # Exactly one option fits.
        assert sum(truth_table(w, theta, gate=o).matches for o in g.options) == 1
        sums = [float(s) for s in v["table"].split(", ")]
        assert sums == [row.weighted_sum for row in table.rows]
        answers.add(gate)
    assert answers == {"AND", "OR", "NAND", "NOR"}


def test_registered_generators_use_default_rng_seed() -> None:
    for name, function in [
        ("neuron.threshold_output", threshold_output_problem),
        ("neuron.weighted_sum", weighted_sum_problem),
        ("neuron.which_gate", which_gate_problem),
    ]:
        for seed in (0, 1, 17, 199):
            assert _same(generate(name, seed), function(np.random.default_rng(seed)))


# --------------------------------------------------------------------------- the lesson's numbers


@pytest.fixture(scope="module")
def lesson():
    return load_course(default_lessons_dir()).lesson("artificial-neuron")


def test_lesson_equal_does_not_fire(lesson) -> None:
    q = lesson.questions["equal-does-not-fire"]
    assert "w = [1, 1]" in q.prompt and "θ = 2" in q.prompt
    output = truth_table([1, 1], 2).rows[3].output
    assert q.options[q.answer] == str(output)


def test_lesson_or_truth_table(lesson) -> None:
    q = lesson.questions["or-truth-table"]
    assert "w = [1, 1]" in q.prompt and "θ = 0.5" in q.prompt
    assert q.answer == tuple(float(o) for o in outputs([1, 1], 0.5))
    assert outputs([1, 1], 0.5) == GATES["OR"]


def test_lesson_or_threshold(lesson) -> None:
    q = lesson.questions["or-threshold"]
    fits = {
        i
        for i, option in enumerate(q.options)
        if truth_table([1, 1], float(option.split("=")[1]), gate="OR").matches
    }
    assert fits == {q.answer}


_SETTING = re.compile(r"w = \[(?P<w1>-?[\d.]+), (?P<w2>-?[\d.]+)\], θ = (?P<theta>-?[\d.]+)$")


def test_lesson_nand_settings(lesson) -> None:
    q = lesson.questions["nand-settings"]
    fits = set()
    for i, option in enumerate(q.options):
        m = _SETTING.match(option)
        assert m, f"cannot parse option {option!r}"
        w = (float(m["w1"]), float(m["w2"]))
        if truth_table(w, float(m["theta"]), gate="NAND").matches:
            fits.add(i)
    assert fits == set(q.answer)
    # The explanation's sums for w = [-1, -1] and w = [-0.5, -0.5] are the engine's.
    assert [r.weighted_sum for r in truth_table([-1, -1], 0).rows] == [0, -1, -1, -2]
    assert [r.weighted_sum for r in truth_table([-0.5, -0.5], 0).rows] == [0, -0.5, -0.5, -1]
    assert outputs([1, 1], 1.5) == GATES["AND"]  # "The last setting is AND."


def test_lesson_xor_answer(lesson) -> None:
    q = lesson.questions["xor-impossible"]
    assert q.options[q.answer].startswith("No: its 1s and its 0s")


def test_lesson_fixed_scene_matches_its_gate(lesson) -> None:
    """A scene the learner cannot edit must show a unit that computes the gate it names."""
    for step in lesson.steps:
        params = step.scene_params
        if step.scene == "threshold-unit" and params.get("editable") is False and "gate" in params:
            table = truth_table(params["weights"], params["threshold"], gate=params["gate"])
            assert table.matches, step.id


def test_lesson_editable_scenes_start_unsolved(lesson) -> None:
    """An editable gate exercise that starts already solved teaches nothing."""
    for step in lesson.steps:
        params = step.scene_params
        if step.scene == "threshold-unit" and params.get("editable") and "gate" in params:
            assert not truth_table(params["weights"], params["threshold"], gate=params["gate"]).matches


def test_lesson_prose_xor_table(lesson) -> None:
    text = (Path(lesson.path) / "lesson.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\s*([01])\s+([01])\s+\|\s+([01])\s*$", text, flags=re.M)
    assert [int(r[2]) for r in rows] == list(GATES["XOR"])
    assert [(int(r[0]), int(r[1])) for r in rows] == [(0, 0), (0, 1), (1, 0), (1, 1)]
