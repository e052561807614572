"""The learner-code pieces behind the graph scenes and conv-slide's channels view, without a
process: the child's recipes `sigmoid_gate` and `conv_channels` on the reference solutions (run
here, as trusted code) and on wrong returns, the propagation of the learner's numbers through a
graph (`with_learner_numbers`), and the line a graph scene shows on a graph the learner's
functions do not compute."""

from __future__ import annotations

import re
import types

import numpy as np
import pytest

from tutor.engines.autograd import seed_sigmoid_neuron
from tutor.engines.conv import toy_channels
from tutor.exercises.catalogue import get
from tutor.exercises.learner_child import WrongValue, conv_channels, sigmoid_gate
from tutor.engines.autograd_steps import with_learner_numbers
from tutor.scenes.graph_steps import GraphStepsScene


def _module(exercise_id: str, extra: str = "") -> types.ModuleType:
    """The exercise's reference solution (plus `extra`) as a module."""
    module = types.ModuleType("learner")
    exec(get(exercise_id).solution_text() + extra, module.__dict__)  # noqa: S102 - our own solution
    return module


def test_sigmoid_gate_gives_sigma_and_its_gradient() -> None:
    result = sigmoid_gate(_module("sigmoid-chain-rule"), 1.0)
    s = 1.0 / (1.0 + np.exp(-1.0))
    assert result["z"] == pytest.approx(s) and result["dz"] == pytest.approx(s * (1 - s))


@pytest.mark.parametrize("extra, words", [
    ("\ndef sigmoid(x):\n    return None\n", "sigmoid returned None (a missing return?)"),
    ("\ndef sigmoid_backward(dout, x):\n    return np.zeros(3)\n",
     "sigmoid_backward returned shape (3,) for an input of shape (1,)"),
    ("\ndel sigmoid_backward\n", "your file has no function sigmoid_backward()"),
])
def test_sigmoid_gate_says_what_came_back_in_one_line(extra: str, words: str) -> None:
    with pytest.raises(WrongValue, match=re.escape(words)):
        sigmoid_gate(_module("sigmoid-chain-rule", extra), 1.0)


def test_conv_channels_gives_each_channels_sums_and_the_output() -> None:
    toy = toy_channels(3, 3)
    result = conv_channels(_module("conv2d-loops"), "conv2d_loops", toy.x, toy.w, toy.b)
    np.testing.assert_allclose(result["parts"], toy.parts)
    np.testing.assert_allclose(result["out"], toy.out)


def test_the_learners_gradient_at_t_reaches_the_weights() -> None:
    """∂z/∂t given at t (doubled here) flows on through the + and × gates below it; the gates
    above t keep the engine's numbers."""
    scene = GraphStepsScene({"example": "sigmoid-neuron"})
    full, forward, backward = scene.reference
    ids = {node.label: node.id for node in full.nodes if node.label}
    reference = {step.node: step.grad_after for step in backward}
    got_full, got_forward, got_backward = with_learner_numbers(
        full, forward, backward, 5.0, {ids["t"]: 2 * reference[ids["t"]]})
    grads = {step.node: step.grad_after for step in got_backward}
    for name in ("t", "s", "w2", "q", "p", "w0", "x0", "w1", "x1"):
        assert grads[ids[name]] == pytest.approx(2 * reference[ids[name]]), name
    for name in ("v", "u", "r"):
        assert grads[ids[name]] == reference[ids[name]], name
    for step in got_backward[1:]:
        assert step.contribution == pytest.approx(step.grad_after - step.grad_before)
    assert got_full.nodes[got_full.output].value == 5.0 and got_forward[-1].value == 5.0


def test_a_graph_their_functions_do_not_compute_says_so_only_when_bound() -> None:
    scene = GraphStepsScene({"example": "reuse"})
    assert scene.learner_line() == ("", "")
    scene.learner.bind("sigmoid-chain-rule", "/nowhere/sigmoid_chain_rule.py", True)
    assert scene.learner_line() == (
        "reference", "reference engine: this graph is not one your sigmoid_chain_rule.py computes")
    neuron = GraphStepsScene({"example": "sigmoid-neuron"})
    neuron.learner.bind("sigmoid-chain-rule", "/nowhere/sigmoid_chain_rule.py", False)
    assert neuron.learner_line()[1] == (
        "reference engine: your sigmoid and sigmoid_backward take over once they pass")
    # where it would wrap: the short form, one row
    assert neuron.learner_line(65)[1] == "reference engine until your sigmoid and sigmoid_backward pass"
    assert neuron.learner_line(36)[1] == "reference until yours pass"
    assert neuron.learner_line(200)[1].startswith("reference engine: your")


def test_seed_neuron_names_t() -> None:
    """The sigmoid gate's input, which the scenes look up by name."""
    _, named = seed_sigmoid_neuron()
    assert named["t"].data == 1.0
