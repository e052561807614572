"""The backpropagation unit's course findings (#16, #17): named steps, the playground's pan keys,
node check and parse errors, constants' gradients, formulas outside the engines, the practice
questions that ask for q, the stuck XOR run's held advice and the lessons' wording."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from textual.widgets import Input

from tests.scene_host import SceneHost, shown_text
from tutor.content import load_course
from tutor.engines import expression
from tutor.engines.autograd import (
    Value, gradients, node_numerical_gradient, seed_chain_example, seed_sigmoid_neuron,
    topological_order, trace,
)
from tutor.engines.autograd_steps import BackwardStep, ForwardStep
from tutor.engines.expression import ExpressionError
from tutor.engines.expression_steps import build_steps, parse_steps, step_variables
from tutor.quiz.generators.autograd import chain_problem
from tutor.scenes.expression_playground import ExpressionPlaygroundScene, build_typed
from tutor.scenes.graph_steps import GraphStepsScene
from tutor.scenes.xor_network import XorNetworkScene
from tutor.widgets.graph_view import GraphView

LESSONS = Path(__file__).resolve().parents[1] / "lessons"


def text_of(scene, widget_id: str) -> str:
    return shown_text(scene.query_one(f"#{widget_id}"))


def by_label(graph, label: str):
    return next(n for n in graph.nodes if n.label == label)


# --- named steps (engine) -------------------------------------------------------------------


def test_named_steps_label_their_nodes_and_match_the_one_line_graph() -> None:
    steps = parse_steps("q = x + y; f = q * z")
    assert [s.name for s in steps] == ["q", "f"] and step_variables(steps) == ("x", "y", "z")
    graph = trace(build_steps(steps, {"x": -2, "y": 5, "z": -4}), with_grads=False)
    assert [n.label for n in graph.nodes] == ["x", "y", "q", "z", "f"]
    assert by_label(graph, "q").value == 3 and by_label(graph, "f").value == -12
    root = build_steps(steps, {"x": -2, "y": 5, "z": -4})
    root.backward()
    assert {n.label: n.grad for n in trace(root).nodes} == {"x": -4, "y": -4, "q": -4, "z": 3, "f": 1}


@pytest.mark.parametrize(
    "text, message",
    [
        ("f = q * z; q = x + y", "used before it is defined"),
        ("q = x + y; q = q * 2", "defined twice"),
        ("x + y; f = 2 * x", "needs a name"),
        ("q = ; f = q", "is empty"),
        ("q = x; f = q * 2", "only copies"),
        ("exp = x + 1; f = exp * 2", "is a function"),
        ("q = x +* y; f = q", "column 8"),
    ],
)
def test_named_step_mistakes_are_one_line(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as err:
        parse_steps(text)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_long_sub_expressions_stay_unlabelled_and_the_output_is_f() -> None:
    root = expression.build(expression.parse("1/(1 + exp(-(w*x + b)))"), {"w": 2, "x": 1, "b": -1})
    labels = [n.label for n in trace(root).nodes if not n.is_leaf]
    assert labels[-1] == "f" and "w*x" in labels and "w*x + b" in labels
    assert all(len(label) <= expression.MAX_LABEL for label in labels)
    # "f" stays free when f is one of the variables.
    root = expression.build(expression.parse("f*f + f"), {"f": 2})
    assert root.label == "f*f + f"


# --- engine records, formulas elsewhere ------------------------------------------------------


def test_engine_steps_carry_numbers_not_words() -> None:
    fields = set(ForwardStep.__dataclass_fields__) | set(BackwardStep.__dataclass_fields__)
    assert "formula" not in fields
    source = (Path(expression.__file__).read_text() + Path(expression.__file__).with_name(
        "autograd_steps.py").read_text())
    assert "autograd_steps" not in Path(expression.__file__).read_text()
    assert "∂{f}" not in source


def test_gradients_and_node_finite_differences_agree_with_backward() -> None:
    for make in (seed_chain_example, seed_sigmoid_neuron):
        root, _ = make()
        numbers = gradients(root)
        root.backward()
        order = topological_order(root)
        assert numbers == pytest.approx([v.grad for v in order])
        for i in range(len(order)):
            assert node_numerical_gradient(root, i) == pytest.approx(order[i].grad, abs=1e-6)
    with pytest.raises(IndexError):
        node_numerical_gradient(Value(1.0), 3)


# --- graph scenes: constants' gradients ------------------------------------------------------


async def test_constants_show_their_gradient_once_the_backward_pass_is_done() -> None:
    scene = GraphStepsScene({"example": "sigmoid-neuron"})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        constants = [n for n in scene.full.nodes if n.is_leaf and not n.label]
        assert constants
        scene.position = scene.total_frames - 1
        scene.redraw()
        await pilot.pause()
        shown = scene.query_one(GraphView).graph
        assert all(shown.nodes[c.id].grad is None for c in constants)
        scene.to_end()
        await pilot.pause()
        shown = scene.query_one(GraphView).graph
        # z = 1 / v: ∂z/∂(the 1) = 1/v = z, and v = u + 1 passes ∂z/∂v on to its 1.
        grads = sorted(shown.nodes[c.id].grad for c in constants)
        assert all(g is not None for g in grads)
        assert grads == pytest.approx(sorted([0.7311, -0.5344]), abs=1e-4)
        assert "∂ = ?" not in "\n".join(scene.query_one(GraphView).graph_layout.lines)


# --- the playground ---------------------------------------------------------------------------


async def test_playground_named_steps_pan_keys_and_node_check() -> None:
    scene = ExpressionPlaygroundScene({"expression": "1/(1 + exp(-(w*x + b)))",
                                       "values": "w=2, x=1, b=-1"})
    async with SceneHost(scene).run_test(size=(40, 30)) as pilot:  # a scene panel at 80x24
        await pilot.pause()
        view = scene.query_one(GraphView)
        assert view.overflows and view.scroll_x == 0
        assert "a/d: pan" in text_of(scene, "pg-check")
        scene.focus()
        await pilot.press("d")
        await pilot.pause()
        assert view.scroll_x == 8
        await pilot.press("a")
        await pilot.pause()
        assert view.scroll_x == 0
        await pilot.press("z")
        await pilot.pause()
        assert view.scroll_y == min(3, view.max_scroll_y)
        # The view follows the step: when the forward pass reaches the output, it is in view.
        scene.position = len(scene.forward)
        scene.redraw()
        await pilot.pause()
        await pilot.pause()
        box = view.graph_layout.boxes[scene.full.output]
        assert view.scroll_x <= box.x and box.x + box.width <= view.scroll_x + view.size.width
        scene.to_end()
        await pilot.pause()
        # c checks the nodes one by one: backprop beside a finite difference.
        await pilot.press("c")
        await pilot.pause()
        check = text_of(scene, "pg-check")
        assert check.startswith("check ∂f/∂w:") and "backprop 0.1966" in check and "✓" in check
        # Named steps draw short labels.
        scene.query_one("#pg-expression", Input).value = "q = x + y; f = q * z"
        scene.query_one("#pg-values", Input).value = "x=-2, y=5, z=-4"
        scene.query_one("#pg-expression", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert [n.label for n in view.graph.nodes] == ["x", "y", "q", "z", "f"]
        scene.checked = by_label(scene.full, "q").id
        scene.redraw()
        await pilot.pause()
        check = text_of(scene, "pg-check")
        assert "∂f/∂q" in check and "backprop -4" in check and "-4.0000 ✓" in check
        # While the step's questions are open, the check waits.
        scene.hold_answers(True)
        await pilot.pause()
        assert "after you answer" in text_of(scene, "pg-check") and "-4" not in text_of(scene, "pg-check")


def test_playground_help_names_the_pan_and_check_keys() -> None:
    help_text = ExpressionPlaygroundScene.HELP
    for key in ("`a` / `d`", "`w` / `z`", "`c`", "q = x + y; f = q * z"):
        assert key in help_text
    keys = {key for b in ExpressionPlaygroundScene.BINDINGS for key in b.key.split(",")}
    assert {"a", "d", "w", "z", "c"} <= keys


def test_build_typed_reads_named_steps_and_names_missing_values() -> None:
    assert build_typed("q = x + y; f = q * z", "x=1, y=2, z=3").data == 9
    with pytest.raises(ExpressionError, match="missing value for z"):
        build_typed("q = x + y; f = q * z", "x=1, y=2")


# --- the practice generator defines q ----------------------------------------------------------


def test_chain_problem_writes_named_steps_the_playground_reads() -> None:
    seen = set()
    for seed in range(40):
        problem = chain_problem(np.random.default_rng(seed))
        text, name = problem.values["expr"], problem.values["name"]
        seen.add(name)
        assert text.startswith("q = x ") and "; f = q " in text  # q and f are defined
        values = problem.values["values"].replace(" ", "")
        root = build_typed(text, values)
        root.backward()
        graph = trace(root)
        assert by_label(graph, name).grad == pytest.approx(problem.answer)
    assert "q" in seen


def test_practice_prompts_define_what_they_ask_for() -> None:
    course = load_course(LESSONS)
    for lesson_id in ("computational-graphs", "expression-playground"):
        lesson = next(l for l in course.lessons if l.id == lesson_id)
        question = next(q for q in lesson.questions.values() if q.generator == "backprop.chain")
        assert "{expr}" in question.prompt
    playground = next(l for l in course.lessons if l.id == "expression-playground")
    practice = next(s for s in playground.steps if s.id == "practice")
    assert practice.scene_params["expression"] == "q = x + y; f = q * z"


# --- lessons' wording ----------------------------------------------------------------------------


def test_softmax_lesson_bounds_squared_error_by_two_and_uses_h_of_y_p() -> None:
    prose = (LESSONS / "softmax-cross-entropy" / "lesson.md").read_text()
    assert "can never exceed 1" not in prose and "at most 2" in prose
    # Σ(p - y)² for a one-hot y reaches 2 when all of p sits on a wrong class.
    p, y = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    assert float(((p - y) ** 2).sum()) == 2.0
    assert "H(y, p)" in prose
    assert "H(y, p)" in (LESSONS / "xor-network" / "lesson.md").read_text()


def test_stuck_step_prose_keeps_what_helps_below_the_reveal() -> None:
    prose = (LESSONS / "xor-network" / "lesson.md").read_text()
    stuck = prose.split("<!-- step: stuck -->")[1].split("<!-- step:")[0]
    before, after = stuck.split("<!-- reveal -->")
    assert "another seed" not in before and "more hidden units" not in before
    assert "another seed" in after and "larger learning rate" in after


# --- xor: the stuck run's advice ------------------------------------------------------------------


async def test_stuck_xor_run_holds_its_advice_and_never_advises_a_larger_rate() -> None:
    scene = XorNetworkScene({"hidden": 2, "loss": "mse", "lr": 2.0, "epochs": 5000, "seed": 0})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        scene.hold_answers(True)
        scene.to_end()
        await pilot.pause()
        assert scene.stuck
        held = text_of(scene, "xn-status").replace("\n", " ")
        assert "stuck" in held and "seed" not in held and "hidden units" not in held
        scene.hold_answers(False)
        await pilot.pause()
        shown = text_of(scene, "xn-status").replace("\n", " ")
        assert "another seed" in shown and "more hidden units" in shown
        assert "try a larger learning rate" not in shown and "or a larger learning rate" not in shown
    assert "larger learning rate usually" not in XorNetworkScene.HELP


def test_stuck_step_holds_the_scene() -> None:
    course = load_course(LESSONS)
    lesson = next(l for l in course.lessons if l.id == "xor-network")
    stuck = next(s for s in lesson.steps if s.id == "stuck")
    assert stuck.hold_scene and "what-to-try" in stuck.questions
