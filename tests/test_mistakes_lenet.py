"""The LeNet-5 lessons diagnose the classic slips they invite (#16).

Pure and fast: the shipped course is loaded without the app, its questions are instantiated
and graded by the real grader. The checks:

- the classic slips of these lessons (a partial batch dropped, the biases counted or left out,
  percent against fraction, bytes against mebibytes, float32 against uint8, the gap subtracted
  instead of added) get their own targeted message, found by a keyword;
- every `mistakes` entry of these lessons grades to exactly its own `say`, and every wrong
  option of their choice questions to its own `why`;
- the `timing.*` and `preprocess.*` generators, over seeds 0..20, return mistakes that are
  never the right answer and that the grader names with their own message (and a reason for
  every wrong option, should one of them ever produce a choice).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.answers import shipped_course, shipped_question
from tutor.content.model import Question
from tutor.quiz import grade, instantiate
from tutor.quiz.predict import generate

LESSONS = ("train-lenet", "what-it-learned", "draw-a-digit", "gpu-lenet", "where-this-led")
#: (generator, params): every way these generators are asked, and the data sets not shipped.
GENERATOR_CASES: list[tuple[str, dict[str, Any]]] = [
    ("timing.images_per_second", {}),
    ("timing.epoch_minutes", {"dataset": "imagenet"}),
    ("timing.epoch_minutes", {"dataset": "mnist"}),
    ("preprocess.box_size", {}),
    ("preprocess.centre_shift", {}),
]
SEEDS = range(21)


_course = shipped_course
_question = shipped_question


def _mine() -> list[tuple[str, Question]]:
    return [
        (lesson.id, question)
        for lesson in _course().lessons if lesson.id in LESSONS
        for question in lesson.questions.values()
    ]


def _one_line(text: str) -> str:
    return " ".join(text.split())


# (lesson, question, what the learner types, a word the targeted message must contain)
CLASSIC_SLIPS = [
    # A partial last batch is still a step.
    ("train-lenet", "steps-per-epoch", "937", "round up"),
    ("train-lenet", "steps-per-epoch", "937.5", "whole"),
    ("train-lenet", "steps-at-256", "46", "round up"),
    ("train-lenet", "steps-at-256", "235", "12,000"),
    # Biases: counted when they should not be, or forgotten when they should.
    ("train-lenet", "lenet-params", "61470", "bias"),
    ("what-it-learned", "filter-weights", "156", "biases"),
    ("what-it-learned", "c3-reads", "151", "bias"),
    # One map or filter instead of all of them; the padding left out.
    ("what-it-learned", "c3-reads", "25", "all six"),
    ("what-it-learned", "map-size", "24", "padding"),
    ("what-it-learned", "map-size", "14", "pooling"),
    # Right against wrong, percent against fraction.
    ("train-lenet", "published-error", "9905", "right"),
    ("train-lenet", "published-error", "950", "0.0095"),
    ("what-it-learned", "errors-at-99", "9900", "wrong"),
    ("what-it-learned", "errors-at-99", "95", "published"),
    ("what-it-learned", "probs-sum", "100", "percent"),
    ("draw-a-digit", "probabilities-sum", "1", "percent"),
    ("where-this-led", "alexnet-top5", "84.7", "accuracy"),
    ("where-this-led", "alexnet-top5", "0.153", "percent"),
    # Reading the wrong thing off the screen.
    ("draw-a-digit", "box-side", "28", "field"),
    ("draw-a-digit", "first-test-label", "0", "label"),
    # Bytes: float32 against uint8, mebibytes against megabytes.
    ("gpu-lenet", "resident-bytes", "188.16", "float32"),
    ("gpu-lenet", "resident-bytes", "44.86", "1024"),
    # Rates: milliseconds against seconds, the other batch, a difference for a ratio.
    ("gpu-lenet", "h200-rate", "409.6", "millisecond"),
    ("gpu-lenet", "h200-rate", "25600", "batch 64"),
    ("gpu-lenet", "big-batch-ratio", "4064", "ratio"),
    # The gap taken off instead of added; rounding to the paper's figure.
    ("where-this-led", "runner-up-top5", "4.4", "trailing"),
    ("where-this-led", "runner-up-top5", "10.9", "gap"),
    ("where-this-led", "params-millions", "61.7", "nearest ten million"),
    ("where-this-led", "times-lenet", "1000", "division"),
]


@pytest.mark.parametrize(("lesson_id", "question_id", "typed", "keyword"), CLASSIC_SLIPS)
def test_a_classic_slip_gets_its_targeted_message(
    lesson_id: str, question_id: str, typed: str, keyword: str
) -> None:
    problem = instantiate(_question(lesson_id, question_id))
    feedback = grade(problem, typed)
    assert feedback.status == "wrong"
    assert keyword in feedback.message, feedback.message


def test_every_numeric_question_declares_a_mistake() -> None:
    numeric = [q for _, q in _mine() if q.kind in ("number", "vector", "matrix")]
    assert numeric
    assert [q.id for q in numeric if not q.mistakes] == []


@pytest.mark.parametrize(
    ("lesson_id", "question_id"),
    [(lid, q.id) for lid, q in _mine() if q.mistakes],
)
def test_every_declared_mistake_grades_to_its_own_message(lesson_id: str, question_id: str) -> None:
    question = _question(lesson_id, question_id)
    problem = instantiate(question)
    assert grade(problem, problem.answer).correct
    for value, say in question.mistakes:
        feedback = grade(problem, value)
        assert feedback.status == "wrong", (value, feedback)
        assert feedback.message == _one_line(say), (value, feedback.message)


@pytest.mark.parametrize(
    ("lesson_id", "question_id"),
    [(lid, q.id) for lid, q in _mine() if q.kind in ("single", "multiple")],
)
def test_every_wrong_option_says_why(lesson_id: str, question_id: str) -> None:
    question = _question(lesson_id, question_id)
    problem = instantiate(question)
    right = {problem.answer} if problem.kind == "single" else set(problem.answer)
    wrong = [i for i in range(len(problem.options)) if i not in right]
    assert wrong
    for index in wrong:
        reason = problem.reasons[index]
        assert reason, (question_id, problem.options[index])
        picked = index if problem.kind == "single" else [index]
        feedback = grade(problem, picked)
        assert feedback.status == "wrong"
        assert reason in feedback.message, feedback.message


def _asker(generator: str, params: dict[str, Any]) -> Question:
    """The shipped question that asks `generator` with `params`, else a bare one that does."""
    for _, question in _mine():
        if question.kind == "predict" and question.generator == generator and dict(question.params) == params:
            return question
    return Question(id="generated", kind="predict", prompt="", generator=generator, params=params)


@pytest.mark.parametrize(("generator", "params"), GENERATOR_CASES)
@pytest.mark.parametrize("seed", SEEDS)
def test_generated_mistakes_are_wrong_and_named(generator: str, params: dict[str, Any], seed: int) -> None:
    generated = generate(generator, seed, params)
    if generated.kind in ("single", "multiple"):
        right = {generated.answer} if generated.kind == "single" else set(generated.answer)
        assert all(
            generated.reasons[i] for i in range(len(generated.options)) if i not in right
        ), generated.reasons
        return
    assert generated.mistakes, f"{generator} seed {seed} returns no mistake"
    problem = instantiate(_asker(generator, params), seed=seed)
    assert grade(problem, problem.answer).correct
    for value, message in dict(generated.mistakes).items():
        if generated.kind == "number":
            assert abs(value - generated.answer) > generated.tolerance, (value, generated.answer)
        else:
            assert any(
                abs(v - a) > generated.tolerance for v, a in zip(value, generated.answer, strict=True)
            ), (value, generated.answer)
        feedback = grade(problem, value)
        assert feedback.status == "wrong" and feedback.message == message, (value, feedback)


def test_the_shipped_askers_are_the_ones_checked() -> None:
    """Every way these lessons ask a timing or preprocess generator is among the cases."""
    asked = {
        (q.generator, tuple(sorted(dict(q.params).items())))
        for _, q in _mine() if q.kind == "predict" and q.generator.split(".")[0] in ("timing", "preprocess")
    }
    cases = {(name, tuple(sorted(params.items()))) for name, params in GENERATOR_CASES}
    assert asked and asked <= cases


def test_the_box_generator_names_scaling_both_sides_to_20() -> None:
    for seed in SEEDS:
        problem = instantiate(_asker("preprocess.box_size", {}), seed=seed)
        feedback = grade(problem, "20, 20")
        assert "Only the larger side" in feedback.message, (seed, feedback.message)


def test_the_shift_generator_names_a_subtraction_the_wrong_way_round() -> None:
    for seed in SEEDS:
        problem = instantiate(_asker("preprocess.centre_shift", {}), seed=seed)
        if all(x == 0 for x in problem.answer):
            continue
        flipped = ", ".join(str(-int(x)) for x in problem.answer)
        feedback = grade(problem, flipped)
        assert "wrong way round" in feedback.message, (seed, feedback.message)


def test_the_rate_generator_names_milliseconds() -> None:
    for seed in SEEDS:
        generated = generate("timing.images_per_second", seed)
        problem = instantiate(_asker("timing.images_per_second", {}), seed=seed)
        batch = int(str(generated.values["batch"]).replace(",", ""))
        feedback = grade(problem, repr(batch / int(generated.values["ms"])))
        assert "millisecond" in feedback.message, (seed, feedback.message)


@pytest.mark.parametrize("dataset", ["mnist", "imagenet"])
def test_the_epoch_generator_names_seconds_for_minutes(dataset: str) -> None:
    for seed in SEEDS:
        generated = generate("timing.epoch_minutes", seed, {"dataset": dataset})
        problem = instantiate(_asker("timing.epoch_minutes", {"dataset": dataset}), seed=seed)
        feedback = grade(problem, repr(generated.answer * 60))
        assert "seconds" in feedback.message, (seed, feedback.message)
