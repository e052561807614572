"""The gradient-descent lessons diagnose the classic slips they invite (#16).

Pure and fast: the shipped course is loaded without the app, its questions are instantiated
and graded by the real grader. Three kinds of check:

- the slips the issue names (the missing ½ of the cost, the doubled misses, w and b swapped,
  the step taken up the slope) get their own targeted message, found by a keyword;
- every `mistakes` entry of these lessons grades to exactly its own `say`;
- the `descent.*` generators, over many seeds, return mistakes that are never the right
  answer and that the grader names with their own message (and a reason for every wrong
  option, should one of them ever produce a choice).
"""

from __future__ import annotations

import pytest

from tests.answers import shipped_course, shipped_question
from tutor.quiz import grade, instantiate
from tutor.quiz.predict import generate

LESSONS = (
    "line-fit", "cost-function", "descent-one-weight", "descent-many-dimensions",
    "stochastic-descent",
)
GENERATORS = ("descent.next_weight", "descent.cost", "descent.derivative")
SEEDS = range(21)


_course = shipped_course
_question = shipped_question


def _static_questions() -> list[tuple[str, str]]:
    """(lesson, question) for every question of these lessons that declares mistakes."""
    return [
        (lesson.id, question.id)
        for lesson in _course().lessons if lesson.id in LESSONS
        for question in lesson.questions.values() if question.mistakes
    ]


def _asker(generator: str) -> tuple[str, str]:
    """A shipped question that asks `generator`'s problems."""
    for lesson in _course().lessons:
        if lesson.id not in LESSONS:
            continue
        for question in lesson.questions.values():
            if question.kind == "predict" and question.generator == generator:
                return lesson.id, question.id
    raise AssertionError(f"no lesson of {LESSONS} asks {generator}")


# (lesson, question, what the learner types, a word the targeted message must contain)
CLASSIC_SLIPS = [
    # The missing ½: dividing the sum of squares by n instead of 2n.
    ("cost-function", "cost-575", "11.5", "2n"),
    ("cost-function", "double-residuals", "46", "2n"),
    ("descent-one-weight", "cost-at-zero", "30", "½"),
    # Doubled misses: the cost grows with the square, not in proportion.
    ("cost-function", "double-residuals", "11.5", "four times"),
    # w and b swapped.
    ("line-fit", "exact-weights", "-1, 2", "swapped"),
    ("line-fit", "prediction-500", "-7.9197", "swapped"),
    ("cost-function", "zero-cost", "4, 2", "swapped"),
    ("descent-many-dimensions", "cost-gradient", "2.5, 16.5", "swapped"),
    ("descent-many-dimensions", "first-step-2d", "0.2, 0.8833", "swapped"),
    # Stepping with the slope instead of against it; forgetting the learning rate.
    ("descent-one-weight", "second-weight", "0.28125", "slope"),
    ("descent-one-weight", "diverge-first-step", "15", "lr"),
    ("descent-many-dimensions", "first-step-2d", "-0.8833, -0.2", "up the slope"),
    # Other specific causes.
    ("line-fit", "delta-update", "0.07", "input"),
    ("cost-function", "sum-of-squares", "-20", "square"),
    ("descent-many-dimensions", "cost-gradient", "8.25, 1.25", "2n"),
    ("stochastic-descent", "noise-factor", "0.25", "√B"),
    ("stochastic-descent", "examples-after-20", "200, 4000", "Swapped"),
    ("stochastic-descent", "adam-first-step", "2", "√v̂"),
]


@pytest.mark.parametrize(("lesson_id", "question_id", "typed", "keyword"), CLASSIC_SLIPS)
def test_a_classic_slip_gets_its_targeted_message(
    lesson_id: str, question_id: str, typed: str, keyword: str
) -> None:
    problem = instantiate(_question(lesson_id, question_id))
    feedback = grade(problem, typed)
    assert feedback.status == "wrong"
    assert keyword in feedback.message, feedback.message


@pytest.mark.parametrize(("lesson_id", "question_id"), _static_questions())
def test_every_declared_mistake_grades_to_its_own_message(lesson_id: str, question_id: str) -> None:
    question = _question(lesson_id, question_id)
    problem = instantiate(question)
    assert grade(problem, problem.answer).correct
    for value, say in question.mistakes:
        feedback = grade(problem, value)
        assert feedback.status == "wrong", (value, feedback)
        assert feedback.message == " ".join(say.split()), (value, feedback.message)


def test_every_numeric_question_of_these_lessons_declares_a_mistake() -> None:
    numeric = [
        question.id
        for lesson in _course().lessons if lesson.id in LESSONS
        for question in lesson.questions.values() if question.kind in ("number", "vector", "matrix")
    ]
    declared = {question_id for _, question_id in _static_questions()}
    assert numeric and set(numeric) <= declared, set(numeric) - declared


@pytest.mark.parametrize("generator", GENERATORS)
@pytest.mark.parametrize("seed", SEEDS)
def test_generated_mistakes_are_wrong_and_named(generator: str, seed: int) -> None:
    generated = generate(generator, seed)
    if generated.kind in ("single", "multiple"):
        right = (
            {generated.answer} if generated.kind == "single" else set(generated.answer)
        )
        assert all(
            generated.reasons[i] for i in range(len(generated.options)) if i not in right
        ), generated.reasons
        return
    assert generated.mistakes, f"{generator} seed {seed} returns no mistake"
    lesson_id, question_id = _asker(generator)
    problem = instantiate(_question(lesson_id, question_id), seed=seed)
    assert grade(problem, problem.answer).correct
    for value, message in dict(generated.mistakes).items():
        assert abs(value - generated.answer) > generated.tolerance, (value, generated.answer)
        feedback = grade(problem, value)
        assert feedback.status == "wrong" and feedback.message == message, (value, feedback)


def test_the_cost_generator_names_dividing_by_n_instead_of_2n() -> None:
    """The issue's example: 6 typed where the cost is 3 means the ½ was left out."""
    seed = next(s for s in range(500) if generate("descent.cost", s).answer == 3)
    problem = instantiate(_question(*_asker("descent.cost")), seed=seed)
    feedback = grade(problem, "6")
    assert feedback.status == "wrong" and "2n" in feedback.message, feedback.message


def test_the_step_generator_names_a_step_up_the_slope() -> None:
    for seed in SEEDS:
        generated = generate("descent.next_weight", seed)
        problem = instantiate(_question(*_asker("descent.next_weight")), seed=seed)
        w, lr, grad = (float(generated.values[k]) for k in ("w", "lr", "grad"))
        feedback = grade(problem, repr(w + lr * grad))
        assert "against the slope" in feedback.message, (seed, feedback.message)
