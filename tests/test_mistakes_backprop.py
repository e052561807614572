"""The backpropagation lessons diagnose their classic slips (#16).

Pure and fast: the shipped course is loaded without the app, its questions are instantiated and
graded by the real grader. The classic wrong answers named in the issue (∂f/∂q typed for ∂f/∂z,
a forgotten second path, w0 used instead of x0) get their targeted message; every mistake a
lesson declares grades to its own message; and the generators behind the predict questions of
these lessons (backprop.chain, backprop.sigmoid_local, backprop.softmax_loss) return mistakes
that grade wrong with their own message and are never the right answer.
"""

from __future__ import annotations

import pytest

from tests.answers import shipped_course, shipped_question, typed
from tutor.content.model import Question
from tutor.quiz import Problem, grade, instantiate

LESSONS = (
    "computational-graphs",
    "sigmoid-neuron-graph",
    "expression-playground",
    "activation-functions",
    "softmax-cross-entropy",
    "xor-network",
)
GENERATORS = ("backprop.chain", "backprop.sigmoid_local", "backprop.softmax_loss")
SEEDS = range(21)


_course = shipped_course
_question = shipped_question


def _typed(problem: Problem, value: object) -> str:
    return typed(problem.kind, value)


# --- the classic slips the issue names, and their neighbours -----------------------------------

CLASSIC = [
    # f = (x + y)·z at (-2, 5, -4): ∂f/∂q = -4 typed for ∂f/∂z = 3.
    ("computational-graphs", "grad-z", "-4", "∂f/∂q"),
    ("computational-graphs", "forward-f", "-22", "parentheses"),
    ("computational-graphs", "grad-x", "1", "upstream"),
    ("computational-graphs", "nudge-x", "-11.6", "sign"),
    # f = a·b + a: only the path through a·b.
    ("computational-graphs", "reuse-grad-a", "-2", "paths merge"),
    ("computational-graphs", "reuse-grad-a", "1", "multiply gate"),
    # The neuron: w0's own value instead of x0's.
    ("sigmoid-neuron-graph", "grad-w0", "0.39", "OTHER input"),
    ("sigmoid-neuron-graph", "grad-w0", "0.1966", "upstream"),
    ("sigmoid-neuron-graph", "grad-x1", "-0.39", "∂z/∂w1"),
    ("sigmoid-neuron-graph", "forward-z", "0.2689", "r = -t"),
    ("sigmoid-neuron-graph", "grad-v", "-0.73", "-1/v²"),
    ("sigmoid-neuron-graph", "forward-qpst", "-2, -6, -8, -11", "two negatives"),
    # f = x*x + x: the add gate's edge forgotten.
    ("expression-playground", "reuse-grad-x", "6", "add gate"),
    ("expression-playground", "tanh-grad-b", "-0.42", "OTHER input"),
    ("expression-playground", "minus-square", "9", "binds tighter"),
    ("activation-functions", "four-layers", "1", "multiplies"),
    ("activation-functions", "sigmoid-peak", "0.5", "1 - σ(0)"),
    ("activation-functions", "leaky-at-minus-3", "-3, 1", "LARGER"),
    ("softmax-cross-entropy", "seed-loss", "0.2083", "base 10"),
    ("softmax-cross-entropy", "seed-gradient", "-0.228, 0.381, -0.153", "y - p"),
    ("softmax-cross-entropy", "softmax-pb", "0.571", "exponentiates"),
    ("xor-network", "output-delta", "-0.4", "local gradient"),
    ("xor-network", "hidden-delta", "-0.048", "h_j·(1 - h_j)"),
    ("xor-network", "parameter-count", "12", "bias"),
]


@pytest.mark.parametrize(("lesson", "question", "typed", "keyword"), CLASSIC,
                         ids=[f"{q}={t}" for _, q, t, _ in CLASSIC])
def test_a_classic_slip_gets_its_targeted_message(
    lesson: str, question: str, typed: str, keyword: str
) -> None:
    feedback = grade(instantiate(_question(lesson, question)), typed)
    assert feedback.status == "wrong", feedback
    assert keyword in feedback.message, feedback.message


def _static_questions() -> list[tuple[str, Question]]:
    return [
        (lesson_id, question)
        for lesson_id in LESSONS
        for question in _course().lesson(lesson_id).questions.values()
        if question.kind != "predict"
    ]


@pytest.mark.parametrize("case", _static_questions(), ids=lambda case: f"{case[0]}:{case[1].id}")
def test_every_declared_mistake_and_reason_is_heard(case: tuple[str, Question]) -> None:
    _, question = case
    problem = instantiate(question)
    if problem.kind in ("number", "vector", "matrix"):
        assert problem.mistakes, "a numeric question without a diagnosed mistake"
    for value, message in problem.mistakes:
        feedback = grade(problem, _typed(problem, value))
        assert feedback.status == "wrong", (value, feedback)
        assert feedback.message == message, (value, feedback.message)
    if problem.kind in ("single", "multiple"):
        right = {problem.answer} if problem.kind == "single" else set(problem.answer)
        for index, reason in enumerate(problem.reasons):
            if index in right:
                continue
            assert reason, f"option {index} has no reason"
            if problem.kind == "single":
                assert grade(problem, _typed(problem, index)).message == f"Not quite: {reason}"


# --- the generators ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", GENERATORS)
def test_generated_mistakes_are_wrong_and_heard(name: str) -> None:
    question = Question(id="generated", kind="predict", prompt="", generator=name)
    for seed in SEEDS:
        problem = instantiate(question, seed)
        where = f"{name} seed {seed}"
        if problem.kind in ("single", "multiple"):
            right = {problem.answer} if problem.kind == "single" else set(problem.answer)
            missing = [i for i in range(len(problem.options)) if i not in right and not problem.reasons[i]]
            assert not missing, f"{where}: options {missing} have no reason"
            continue
        assert problem.mistakes, f"{where}: no diagnosed mistake"
        for value, message in problem.mistakes:
            assert abs(float(value) - float(problem.answer)) > problem.tolerance, f"{where}: {value} is right"
            feedback = grade(problem, _typed(problem, value))
            assert feedback.status == "wrong", f"{where}: {value} graded {feedback.status}"
            assert feedback.message == message, f"{where}: {value} -> {feedback.message}"


@pytest.mark.parametrize("seed", SEEDS)
def test_the_chain_slips_name_the_path(seed: int) -> None:
    """∂f/∂x or ∂f/∂y from the local gradient alone is caught as a missing upstream factor."""
    problem = instantiate(_question("computational-graphs", "chain-predict"), seed)
    for _, message in problem.mistakes:
        assert len(message) <= 160
    if "∂f/∂x" in problem.prompt or "∂f/∂y" in problem.prompt:
        assert any("upstream" in message for _, message in problem.mistakes), problem.prompt
