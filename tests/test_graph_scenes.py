"""The computational-graph scenes: stepping the seed's graphs, the drill, the playground."""

from __future__ import annotations

import math

import pytest
from textual.widgets import Input

from tests.scene_host import SceneHost, shown_text
from tutor.scenes.expression_playground import ExpressionPlaygroundScene
from tutor.scenes.graph_drill import GraphDrillScene
from tutor.scenes.graph_steps import GraphStepsScene
from tutor.widgets.graph_view import GraphView


Host = SceneHost


def text_of(scene, widget_id: str) -> str:
    """Plain text shown by a Static."""
    return shown_text(scene.query_one(f"#{widget_id}"))


def node(scene, label: str):
    """The node with this label in the graph currently shown."""
    graph = scene.query_one(GraphView).graph
    return next(n for n in graph.nodes if n.label == label)


async def test_chain_forward_then_backward_with_seed_numbers() -> None:
    scene = GraphStepsScene({"example": "chain"})
    async with Host(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert math.isnan(node(scene, "q").value) and node(scene, "x").grad is None
        scene.step_forward()
        await pilot.pause()
        assert node(scene, "q").value == 3 and "q = x + y = -2 + 5 = 3" in text_of(scene, "graph-step")
        scene.step_forward()
        await pilot.pause()
        assert node(scene, "f").value == -12
        scene.to_end()
        await pilot.pause()
        grads = {label: node(scene, label).grad for label in "xyzqf"}
        assert grads == {"x": -4, "y": -4, "z": 3, "q": -4, "f": 1}
        assert "∂f/∂x" in text_of(scene, "graph-step") or "Gradients" in text_of(scene, "graph-step")
        # Stepping back hides the last gradient again ("?", never 0).
        scene.step_back()
        await pilot.pause()
        missing = [n for n in scene.query_one(GraphView).graph.nodes if n.grad is None]
        assert missing


async def test_reuse_adds_gradients() -> None:
    scene = GraphStepsScene({"example": "reuse"})
    async with Host(scene).run_test(size=(100, 40)) as pilot:
        scene.to_end()
        await pilot.pause()
        assert node(scene, "a").grad == -1 and node(scene, "b").grad == 3
        formulas = [scene.formula(step) for step in scene.backward]
        assert any("+=" in formula for formula in formulas)


async def test_sigmoid_neuron_gradients_and_no_constant_edges() -> None:
    scene = GraphStepsScene({"example": "sigmoid-neuron", "phase": "backward"})
    async with Host(scene).run_test(size=(120, 40)) as pilot:
        assert scene.forward == []
        assert node(scene, "z").value == pytest.approx(0.7311, abs=1e-4)
        scene.to_end()
        await pilot.pause()
        assert node(scene, "w0").grad == pytest.approx(-0.1966, abs=1e-4)
        assert node(scene, "x0").grad == pytest.approx(0.3932, abs=1e-4)
        assert node(scene, "w1").grad == pytest.approx(-0.3932, abs=1e-4)
        assert node(scene, "x1").grad == pytest.approx(-0.5898, abs=1e-4)
        assert node(scene, "w2").grad == pytest.approx(0.1966, abs=1e-4)
        labels = {scene.full.nodes[step.node].label for step in scene.backward}
        assert "" not in labels  # no ∂z/∂1 edges into constants


async def test_drill_checks_answers_and_finite_differences() -> None:
    scene = GraphDrillScene({"example": "chain"})
    async with Host(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert scene.position == 1  # the seed ∂f/∂f = 1 is given
        field = scene.query_one("#drill-answer", Input)
        field.focus()

        async def answer(text: str) -> None:
            field.value = text
            await pilot.press("enter")
            await pilot.pause()

        await answer("3")  # wrong local gradient for f = q * z w.r.t. q (it is z = -4)
        assert scene.stage == "local" and "✗" in text_of(scene, "graph-step")
        await answer("x")  # restricted field: letters never arrive; empty -> format hint
        await answer("-4")
        assert scene.stage == "product"
        await answer("-4")
        assert scene.position == 2 and scene.correct == 1
        # Skip the rest by revealing edge after edge.
        while scene.position < scene.total_frames:
            scene.step_forward()
            await pilot.pause()
        done = text_of(scene, "drill-question")
        assert "Done" in done and "Finite-difference check" in done and "✗" not in done


async def test_drill_hint() -> None:
    scene = GraphDrillScene({"example": "sigmoid-neuron"})
    async with Host(scene).run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        scene.action_hint()
        await pilot.pause()
        assert "Hint" in text_of(scene, "graph-step")


@pytest.mark.parametrize(
    ("expression", "values", "message"),
    [
        ("foo(x)", "x=1", "unknown name"),
        ("(x + y", "x=1, y=2", "expected ')'"),
        ("x * y", "x=1", "missing value"),
        ("1/(x - x)", "x=1", "division by zero"),
        ("log(x)", "x=-1", "log needs a positive number"),
        ("exp(x)", "x=1000", "overflowed"),
        ("", "", "empty"),
        ("x +* 2", "x=1", "column"),
        ("__import__('os')", "", "column"),
        ("x", "x=abc", ""),
    ],
)
async def test_playground_survives_bad_input(expression: str, values: str, message: str) -> None:
    scene = ExpressionPlaygroundScene({})
    async with Host(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        before = scene.full
        scene.query_one("#pg-expression", Input).value = expression
        scene.query_one("#pg-values", Input).value = values
        scene.query_one("#pg-values", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert scene.error and message.lower() in scene.error.lower()
        # The graph is cleared and the step line says so: the two agree.
        assert before is not None and scene.full is None
        assert scene.query_one(GraphView).graph is None
        assert "Nothing is drawn" in text_of(scene, "graph-step")
        assert "✗" in text_of(scene, "pg-error")


async def test_playground_draws_and_steps_a_new_expression() -> None:
    scene = ExpressionPlaygroundScene({})
    async with Host(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        scene.query_one("#pg-expression", Input).value = "1/(1 + exp(-(w*x + b)))"
        scene.query_one("#pg-values", Input).value = "w=2, x=-1, b=3"
        scene.query_one("#pg-expression", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert not scene.error and scene.position == 0
        scene.to_end()
        await pilot.pause()
        # σ(1) = 0.7311; ∂/∂w = σ(1)(1 - σ(1))·x = -0.1966.
        assert node(scene, "w").grad == pytest.approx(-0.1966, abs=1e-4)
        assert node(scene, "b").grad == pytest.approx(0.1966, abs=1e-4)
