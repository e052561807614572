"""The scalar autograd: every operation's gradient against central differences, the seed's numbers."""

from __future__ import annotations

import math
import random

import pytest

from tutor.engines.autograd import (
    Graph,
    GraphNode,
    Value,
    backward,
    local_gradient,
    numerical_gradient,
    reuse_example,
    seed_chain_example,
    seed_sigmoid_neuron,
    topological_order,
    trace,
)
from tutor.engines.autograd_steps import BackwardStep, ForwardStep, backward_steps, forward_steps
from tutor.graph_layout.formulas import backward_formula, forward_formula
from tutor.engines.expression_steps import build_steps, parse_steps
from tutor.quiz.generators.autograd import chain_problem, sigmoid_local_problem
from tutor.quiz.predict import Generated, generate

# (name, function of Values a, b, the points to sample a and b from)
OPERATIONS = [
    ("add", lambda a, b: a + b, (-3, 3), (-3, 3)),
    ("sub", lambda a, b: a - b, (-3, 3), (-3, 3)),
    ("mul", lambda a, b: a * b, (-3, 3), (-3, 3)),
    ("div", lambda a, b: a / b, (-3, 3), (0.5, 3)),
    ("div_neg", lambda a, b: a / b, (-3, 3), (-3, -0.5)),
    ("pow2", lambda a, b: a**2 * b, (-3, 3), (-3, 3)),
    ("pow3", lambda a, b: a**3 + b, (-3, 3), (-3, 3)),
    ("pow_frac", lambda a, b: a**0.5 * b, (0.2, 3), (-3, 3)),
    ("pow_neg", lambda a, b: a**-2 + b, (0.3, 3), (-3, 3)),
    ("neg", lambda a, b: -a * b, (-3, 3), (-3, 3)),
    ("exp", lambda a, b: (a * b).exp(), (-1.5, 1.5), (-1.5, 1.5)),
    ("log", lambda a, b: (a * b).log(), (0.2, 3), (0.2, 3)),
    ("sigmoid", lambda a, b: (a * b).sigmoid(), (-3, 3), (-3, 3)),
    ("tanh", lambda a, b: (a + b).tanh(), (-2, 2), (-2, 2)),
    ("relu", lambda a, b: (a * b).relu(), (-3, 3), (-3, 3)),
    ("radd", lambda a, b: 2 + a * b, (-3, 3), (-3, 3)),
    ("rsub", lambda a, b: 2 - a * b, (-3, 3), (-3, 3)),
    ("rmul", lambda a, b: 2 * a + b, (-3, 3), (-3, 3)),
    ("rdiv", lambda a, b: 1 / (a * a + b * b + 1), (-3, 3), (-3, 3)),
    ("mixed", lambda a, b: (a * b + a.tanh()).sigmoid() * (b - a) / (1 + a**2), (-2, 2), (-2, 2)),
]


@pytest.mark.parametrize("name, fn, range_a, range_b", OPERATIONS, ids=[o[0] for o in OPERATIONS])
def test_gradients_match_central_differences(name, fn, range_a, range_b) -> None:
    rng = random.Random(name)
    for _ in range(10):
        point = {"a": rng.uniform(*range_a), "b": rng.uniform(*range_b)}
        if name in ("relu",) and abs(point["a"] * point["b"]) < 0.1:
            continue  # away from the kink
        a, b = Value(point["a"], label="a"), Value(point["b"], label="b")
        out = fn(a, b)
        out.backward()

        def f(v: dict[str, float]) -> Value:
            return fn(Value(v["a"]), Value(v["b"]))

        for leaf, key in ((a, "a"), (b, "b")):
            numeric = numerical_gradient(f, point, key)
            assert leaf.grad == pytest.approx(numeric, rel=1e-5, abs=1e-6), (name, key, point)


def test_local_gradient_matches_the_backward_rule() -> None:
    a, b = Value(1.5), Value(-0.7)
    for node in (a + b, a * b, a - b, a / b, a**3, -a, a.exp(), a.log(), a.sigmoid(),
                 a.tanh(), a.relu(), b.relu()):
        node.backward()
        for i, child in enumerate(node._prev):
            assert local_gradient(node, i) == pytest.approx(child.grad), node._op
    s = a.sigmoid()
    assert local_gradient(s, 0) == pytest.approx(s.data * (1 - s.data))
    with pytest.raises(IndexError):
        local_gradient(a, 0)


def test_gradients_accumulate_when_a_value_is_used_twice() -> None:
    a = Value(3.0, label="a")
    f = a * a + a  # 2a + 1 = 7
    f.backward()
    assert a.grad == 7.0
    root, leaves = reuse_example()
    root.backward()
    assert root.data == -3.0
    assert leaves["a"].grad == -1.0  # b + 1
    assert leaves["b"].grad == 3.0
    backward(root)  # a second backward starts again from 0
    assert leaves["a"].grad == -1.0


def test_topological_order_puts_operands_first_and_handles_long_chains() -> None:
    root, leaves = seed_sigmoid_neuron()
    order = topological_order(root)
    position = {id(v): i for i, v in enumerate(order)}
    assert order[-1] is root and len(order) == len(set(position))
    for v in order:
        assert all(position[id(c)] < position[id(v)] for c in v._prev)
    x = Value(1.0)
    y = x
    for _ in range(3000):
        y = y + 0.0
    y.backward()
    assert x.grad == 1.0


def test_seed_chain_example() -> None:
    f, leaves = seed_chain_example()
    assert (leaves["q"].data, f.data) == (3.0, -12.0)
    assert (leaves["q"].label, f.label) == ("q", "f")
    f.backward()
    grads = {k: v.grad for k, v in leaves.items()}
    assert grads == {"x": -4.0, "y": -4.0, "z": 3.0, "q": -4.0}


def test_seed_sigmoid_neuron_numbers() -> None:
    z, n = seed_sigmoid_neuron()
    assert z.data == pytest.approx(0.7311, abs=5e-5)
    assert round(z.data, 2) == 0.73
    assert n["t"].data == 1.0 and n["r"].data == -1.0
    z.backward()
    expected = {"w0": -0.1966, "x0": 0.3932, "w1": -0.3932, "x1": -0.5898, "w2": 0.1966}
    for name, grad in expected.items():
        assert n[name].grad == pytest.approx(grad, abs=5e-5), name
    assert round(n["w0"].grad, 2) == -0.20
    for name, node in n.items():
        assert node.label == name
    assert z.label == "z"


def test_seed_product_of_rounded_local_factors() -> None:
    """The seed writes -0.53·1·0.37·(-1)·1·1·(-1) = -0.1961 for ∂z/∂w0 (exactly -0.1966)."""
    z, n = seed_sigmoid_neuron()
    chain = [(z, n["v"]), (n["v"], n["u"]), (n["u"], n["r"]), (n["r"], n["t"]),
             (n["t"], n["s"]), (n["s"], n["q"]), (n["q"], n["w0"])]
    factors = [local_gradient(node, node._prev.index(child)) for node, child in chain]
    assert factors[0] == pytest.approx(-0.5344, abs=5e-5)
    assert factors[2] == pytest.approx(0.3679, abs=5e-5)
    assert factors[1:2] + factors[3:] == [1.0, -1.0, 1.0, 1.0, -1.0]
    assert math.prod(round(f, 2) for f in factors) == pytest.approx(-0.1961, abs=1e-12)
    z.backward()
    assert math.prod(factors) == pytest.approx(n["w0"].grad, rel=1e-12)
    # The sigmoid shortcut: σ(1 - σ) at t is the product of the gates r, u, v, z.
    s = 1 / (1 + math.exp(-n["t"].data))
    through = math.prod(factors[:4])
    assert s * (1 - s) == pytest.approx(through, rel=1e-12)
    assert n["t"].grad == pytest.approx(Value(n["t"].data).sigmoid()._local()[0], rel=1e-12)


def test_trace_marks_grads_none_before_backward() -> None:
    f, _ = seed_chain_example()
    graph = trace(f)
    assert isinstance(graph, Graph) and all(isinstance(n, GraphNode) for n in graph.nodes)
    assert all(n.grad is None for n in graph.nodes)
    assert graph.output == len(graph.nodes) - 1 and graph.nodes[-1].label == "f"
    assert [n.id for n in graph.nodes] == list(range(len(graph.nodes)))
    by_label = {n.label: n for n in graph.nodes}
    assert by_label["q"].op == "+" and not by_label["q"].is_leaf
    assert [graph.nodes[i].label for i in by_label["q"].inputs] == ["x", "y"]
    assert by_label["x"].is_leaf and by_label["x"].inputs == () and by_label["x"].op == ""
    f.backward()
    graph = trace(f)
    assert {n.label: n.grad for n in graph.nodes} == {"x": -4.0, "y": -4.0, "q": -4.0,
                                                      "z": 3.0, "f": 1.0}
    assert all(g is None for g in (n.grad for n in trace(f, with_grads=False).nodes))
    assert all(type(n.value) is float for n in graph.nodes)


def test_forward_steps_of_the_chain_example() -> None:
    f, _ = seed_chain_example()
    steps = forward_steps(f)
    assert all(isinstance(s, ForwardStep) for s in steps)
    graph = trace(f)
    assert [forward_formula(graph, s) for s in steps] == ["q = x + y = -2 + 5 = 3",
                                                          "f = q · z = 3 · (-4) = -12"]
    assert [graph.nodes[s.node].label for s in steps] == ["q", "f"]
    assert [s.value for s in steps] == [3.0, -12.0]
    z, _ = seed_sigmoid_neuron()
    formulas = [forward_formula(trace(z), s) for s in forward_steps(z)]
    assert len(formulas) == 8
    assert "u = exp(r) = exp(-1) = 0.3679" in formulas
    assert formulas[-1] == "z = 1 / v = 1 / 1.3679 = 0.7311"


def test_backward_steps_of_the_chain_example() -> None:
    f, _ = seed_chain_example()
    steps = backward_steps(f)
    assert all(isinstance(s, BackwardStep) for s in steps)
    graph = trace(f)
    label = {n.id: n.label for n in graph.nodes}
    seed = steps[0]
    assert (seed.node, seed.via, seed.grad_after) == (graph.output, -1, 1.0)
    assert backward_formula(graph, seed) == "∂f/∂f = 1"
    rows = [(label[s.node], label[s.via], s.local, s.upstream, s.contribution, s.grad_after)
            for s in steps[1:]]
    assert rows == [
        ("q", "f", -4.0, 1.0, -4.0, -4.0),
        ("z", "f", 3.0, 1.0, 3.0, 3.0),
        ("x", "q", 1.0, -4.0, -4.0, -4.0),
        ("y", "q", 1.0, -4.0, -4.0, -4.0),
    ]
    assert backward_formula(graph, steps[3]) == "∂f/∂x = ∂f/∂q · ∂q/∂x = -4 · 1 = -4"
    assert all(n.grad is None for n in trace(f).nodes)  # backward_steps leaves .grad alone


def test_backward_steps_show_accumulation_and_agree_with_backward() -> None:
    f, leaves = reuse_example()
    steps = backward_steps(f)
    graph = trace(f)
    a_id = next(n.id for n in graph.nodes if n.label == "a")
    into_a = [s for s in steps if s.node == a_id]
    assert len(into_a) == 2
    assert [s.grad_after for s in into_a] == [1.0, -1.0]
    second = backward_formula(graph, into_a[1])
    assert into_a[1].adds and not into_a[0].adds and into_a[1].grad_before == 1.0
    assert "+=" in second and second.endswith("= -1")
    for root, _ in (reuse_example(), seed_sigmoid_neuron(), seed_chain_example()):
        steps = backward_steps(root)
        last = {}
        for s in steps:
            assert s.contribution == pytest.approx(s.local * s.upstream)
            last[s.node] = s.grad_after
        root.backward()
        for node in trace(root).nodes:
            assert last[node.id] == pytest.approx(node.grad, rel=1e-12)
        edges = sum(len(n.inputs) for n in trace(root).nodes)
        assert len(steps) == edges + 1


def test_errors_are_one_line() -> None:
    with pytest.raises(ZeroDivisionError) as err:
        Value(1.0) / Value(0.0)
    assert "\n" not in str(err.value)
    with pytest.raises(ValueError, match="log needs a positive number, got -1"):
        Value(-1.0).log()
    with pytest.raises(OverflowError, match="overflowed"):
        Value(1000.0).exp()
    with pytest.raises(OverflowError):
        Value(1e308) * 10
    with pytest.raises(ValueError):
        Value(-8.0) ** 0.5
    with pytest.raises(ValueError):
        Value(float("nan"))
    with pytest.raises(TypeError):
        Value(2.0) ** Value(2.0)  # type: ignore[operator]


def test_value_basics() -> None:
    v = Value(2)
    assert v.data == 2.0 and type(v.data) is float and v.grad == 0.0 and v._op == "" and v.label == ""
    w = v * 3
    assert w._op == "*" and w._prev[0] is v and w._prev[1].data == 3.0
    assert (1 / v)._op == "/" and (-v)._op == "neg" and (v**2)._op == "**"
    assert Value(-50.0).sigmoid().data >= 0.0 and Value(50.0).sigmoid().data <= 1.0


def test_generators_are_registered_deterministic_and_consistent() -> None:
    for seed in range(200):
        g = generate("backprop.chain", seed)
        assert g == generate("backprop.chain", seed)
        assert isinstance(g, Generated) and g.kind == "number"
        v = g.values
        assert set(v) >= {"expr", "values", "name", "grad"}
        values = {n.strip(): float(x) for n, x in (p.split("=") for p in v["values"].split(","))}
        root = build_steps(parse_steps(v["expr"]), values)  # "q = x + y; f = q * z"
        root.backward()
        node = next(n for n in topological_order(root) if n.label == v["name"])
        assert node.grad == g.answer
        assert float(v["grad"]) == g.answer

        s = generate("backprop.sigmoid_local", seed)
        assert s == generate("backprop.sigmoid_local", seed)
        assert s.kind == "number" and s.tolerance == 5e-4
        z = float(s.values["z"])
        assert -3 <= z <= 3 and round(z, 1) == z
        sig = 1 / (1 + math.exp(-z))
        assert s.answer == pytest.approx(sig * (1 - sig), abs=5e-5)
        assert float(s.values["s"]) == pytest.approx(sig, abs=5e-5)
        assert float(s.values["ds"]) == s.answer
    assert chain_problem.__doc__ and sigmoid_local_problem.__doc__
