"""Tests for tutor.quiz.grade and tutor.quiz.predict: instantiate, grade, and generators."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.content.model import Question
from tutor.quiz import Feedback, Problem, grade, instantiate, predict
from tutor.quiz.grade import MAX_FORMAT_WIDTH, MAX_TEMPLATE_FIELDS, template_problem
from tutor.quiz.predict import Generated, generate, generator_names, register

MODEST = settings(max_examples=200, deadline=None, derandomize=True)


def fake_generator(rng, scale: float = 1.0) -> Generated:
    """A stand-in predict generator: a random weight and input, answer their product."""
    w = round(float(rng.uniform(-2, 2)), 2) * scale
    x = round(float(rng.uniform(-2, 2)), 2)
    return Generated(
        values={"w": f"{w:.2f}", "x": f"{x:.2f}", "y": f"{w * x:.4f}"},
        kind="number",
        answer=w * x,
        tolerance=0.01,
    )


def fake_vector_generator(rng) -> Generated:
    """A stand-in generator producing a vector answer and a single-choice twin."""
    a = int(rng.integers(1, 9))
    return Generated(values={"a": a}, kind="vector", answer=(a, 2 * a), tolerance=0.0)


def fake_bad_generator(rng) -> dict:
    """A broken generator that returns the wrong type."""
    return {"answer": 1}


@pytest.fixture
def fake_generators(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the fake generators for one test (the registry is restored afterwards)."""
    monkeypatch.setattr(predict, "GENERATORS", dict(predict.GENERATORS))
    register("test.product", f"{__name__}:fake_generator")
    register("test.vector", f"{__name__}:fake_vector_generator")
    register("test.bad", f"{__name__}:fake_bad_generator")
    register("test.missing_function", f"{__name__}:no_such_function")


def number_problem(answer: float = 0.25, tolerance: float = 0.01) -> Problem:
    """A number problem: answer 0.25 within ±0.01 by default."""
    return instantiate(
        Question(
            id="q-num",
            kind="number",
            prompt="What is w?",
            answer=answer,
            tolerance=tolerance,
            explanation="Because.",
            hints=("Look at w.",),
        )
    )


def vector_problem() -> Problem:
    """A vector problem: (2.0, 1.2) within ±0.01."""
    return instantiate(
        Question(id="q-vec", kind="vector", prompt="v?", answer=(2.0, 1.2), tolerance=0.01)
    )


def matrix_problem() -> Problem:
    """A 2×3 matrix problem."""
    return instantiate(
        Question(
            id="q-mat", kind="matrix", prompt="M?", answer=((1, 2, 3), (4, 5, 6)), tolerance=1e-6
        )
    )


def single_problem() -> Problem:
    """A single-choice problem whose answer is option c (index 2)."""
    return instantiate(
        Question(id="q-one", kind="single", prompt="Pick", options=("w", "x", "y", "z"), answer=2)
    )


def multiple_problem() -> Problem:
    """A multiple-choice problem whose answer is options a and c."""
    return instantiate(
        Question(
            id="q-many", kind="multiple", prompt="Pick", options=("w", "x", "y", "z"), answer=(0, 2)
        )
    )


# ------------------------------------------------------------------ instantiate


def test_instantiate_static_maps_one_to_one() -> None:
    problem = number_problem()
    assert problem == Problem(
        question_id="q-num",
        kind="number",
        prompt="What is w?",
        options=(),
        answer=0.25,
        tolerance=0.01,
        explanation="Because.",
        hints=("Look at w.",),
        seed=None,
    )
    assert multiple_problem().answer == (0, 2)
    assert matrix_problem().answer == ((1.0, 2.0, 3.0), (4.0, 5.0, 6.0))


def test_instantiate_rejects_answer_not_fitting_kind() -> None:
    with pytest.raises(ValueError, match="q-bad"):
        instantiate(Question(id="q-bad", kind="vector", prompt="?", answer=3.0))
    with pytest.raises(ValueError, match="kind"):
        instantiate(Question(id="q-kind", kind="essay", prompt="?", answer=3.0))


def test_instantiate_predict_fills_templates_and_is_seeded(fake_generators: None) -> None:
    question = Question(
        id="q-pred",
        kind="predict",
        prompt="w = {w}, x = {x}: what is w·x?",
        explanation="w·x = {w} × {x} = {y}.",
        hints=("Multiply {w} by {x}.",),
        generator="test.product",
        params={"scale": 1.0},
    )
    first = instantiate(question, seed=7)
    again = instantiate(question, seed=7)
    other = instantiate(question, seed=8)
    assert first == again
    assert first != other
    assert first.kind == "number" and first.seed == 7 and first.tolerance == 0.01
    assert "{" not in first.prompt and "{" not in first.explanation and "{" not in first.hints[0]
    assert grade(first, f"{first.answer:.6f}").status == "correct"


def test_instantiate_predict_missing_template_field(fake_generators: None) -> None:
    question = Question(id="q-pred", kind="predict", prompt="{nope}", generator="test.product")
    with pytest.raises(ValueError, match="q-pred.*nope"):
        instantiate(question)


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("w = {w}, {{literal}}", None),
        ("{w:>8} {w:.3f} {w:,.2f} {w!r:^20} {x:+08.3e}", None),
        (f"{{w:>{MAX_FORMAT_WIDTH}}}", None),
        ("{w:>300000000}", "width is above the limit"),
        ("{w:.999999999f}", "precision is above the limit"),
        ("{w:>" + "9" * 5000 + "}", "width is above the limit"),
        ("{w:>{x}}", "may not hold another field"),
        ("{w.__class__}", "plain name"),
        ("{w[0]}", "plain name"),
        ("{0} {}", "plain name"),
        ("{w!z}", "unknown conversion"),
        ("{w:%Y-%m}", "not a format spec"),
        ("{w", "not a valid template"),
        ("{w} " * (MAX_TEMPLATE_FIELDS + 1), "more than"),
    ],
)
def test_template_problem(template: str, problem: str | None) -> None:
    found = template_problem(template)
    assert (found is None) if problem is None else (problem in (found or "")), found
    assert found is None or "\n" not in found


def test_instantiate_refuses_a_huge_template_before_filling(fake_generators: None) -> None:
    for where in ("prompt", "explanation", "hints"):
        text = "{w:>300000000}"
        fields = {"prompt": "w = {w}", where: (text,) if where == "hints" else text}
        question = Question(id="q-wide", kind="predict", generator="test.product", **fields)
        with pytest.raises(ValueError, match="q-wide.*width is above the limit"):
            instantiate(question)


def test_instantiate_predict_needs_generator() -> None:
    with pytest.raises(ValueError, match="generator"):
        instantiate(Question(id="q-pred", kind="predict", prompt="?"))


def test_generator_registry(fake_generators: None) -> None:
    assert "neuron.threshold_output" in generator_names()
    assert "test.product" in generator_names()
    generated = generate("test.vector", 3, {})
    assert generated.kind == "vector" and generated == generate("test.vector", 3, None)


def test_unknown_generator_is_a_clear_key_error(fake_generators: None) -> None:
    with pytest.raises(KeyError, match="Unknown predict generator 'nope'"):
        generate("nope", 0, {})
    with pytest.raises(KeyError):
        instantiate(Question(id="q", kind="predict", prompt="?", generator="nope"))


def test_broken_generators(fake_generators: None) -> None:
    with pytest.raises(TypeError, match="expected Generated"):
        generate("test.bad", 0, {})
    with pytest.raises(ImportError, match="no_such_function"):
        generate("test.missing_function", 0, {})
    with pytest.raises(ValueError, match="module:function"):
        register("x", "no_colon_here")


def test_generated_rejects_predict_kind() -> None:
    with pytest.raises(ValueError):
        Generated(values={}, kind="predict", answer=None)


# ------------------------------------------------------------------ grade: numbers


@pytest.mark.parametrize(
    "response", ["0.25", " 0.25 ", "1/4", ".25", "2.5e-1", "0.259", 0.25, 0.2401]
)
def test_number_correct_within_tolerance(response: object) -> None:
    feedback = grade(number_problem(), response)
    assert feedback == Feedback("correct", "Right!", "Because.")
    assert feedback.counts_as_attempt and feedback.correct


def test_number_tolerance_boundary_is_inclusive() -> None:
    assert grade(number_problem(0.25, 0.01), "0.26").status == "correct"
    assert grade(number_problem(0.25, 0.01), "0.2601").status == "wrong"


@pytest.mark.parametrize(
    ("response", "fragment"),
    [("-0.25", "sign"), ("25", "scale"), ("0.025", "scale"), ("0.28", "Close"), ("3", "try again")],
)
def test_number_wrong_messages_help_without_the_answer(response: str, fragment: str) -> None:
    feedback = grade(number_problem(), response)
    assert feedback.status == "wrong"
    assert fragment in feedback.message
    assert "0.25" not in feedback.message
    assert "\n" not in feedback.message
    assert feedback.counts_as_attempt
    assert feedback.explanation == "Because."


@pytest.mark.parametrize(
    "response", ["", "abc", "nan", "inf", "1,5", True, None, float("nan"), [1.0], b"0.25"]
)
def test_number_invalid(response: object) -> None:
    feedback = grade(number_problem(), response)
    assert feedback.status == "invalid"
    assert not feedback.counts_as_attempt
    assert "Expected a number" in feedback.message


# ------------------------------------------------------------------ grade: vectors, matrices


@pytest.mark.parametrize(
    "response", ["2.0, 1.2", "[2 1.2]", "2;1.2", "(2.001, 1.199)", (2, 1.2), [2.0, 1.2]]
)
def test_vector_correct(response: object) -> None:
    assert grade(vector_problem(), response).status == "correct"


def test_vector_wrong_length_says_how_many() -> None:
    # A wrong count is a format problem: it says how many numbers, and is not an attempt.
    for response in ("1 2 3", [1, 2, 3]):
        feedback = grade(vector_problem(), response)
        assert feedback.status == "invalid" and not feedback.counts_as_attempt
        assert feedback.message.startswith("This answer needs 2 numbers, you gave 3.")


def test_vector_wrong_counts_entries() -> None:
    assert grade(vector_problem(), "2, 5").message == "Not quite: 1 of 2 numbers is off."
    assert grade(vector_problem(), "-2, -1.2").message == (
        "Check the signs: your numbers are the negatives of the right ones."
    )
    assert grade(vector_problem(), "[2, x]").status == "invalid"


def test_matrix_grading() -> None:
    problem = matrix_problem()
    assert grade(problem, "1 2 3; 4 5 6").status == "correct"
    assert grade(problem, [[1, 2, 3], [4, 5, 6]]).status == "correct"
    assert grade(problem, "1 2 3; 4 5 7").message == "Not quite: 1 of 6 entries is off."
    transposed = grade(problem, "1 4; 2 5; 3 6")  # a wrong shape is a format problem
    assert (
        transposed.status == "invalid"
        and "needs a 2×3 matrix, you gave 3×2" in transposed.message
        and "transposed" in transposed.message
    )
    assert grade(problem, "1 2; 3 4").message.startswith(
        "This answer needs a 2×3 matrix, you gave 2×2."
    )
    assert grade(problem, [[1, 2], [3, 4]]).status == "invalid"
    assert grade(problem, "1 2 3; 4 5").status == "invalid"
    assert grade(problem, [[1, 2, 3], [4, 5]]).status == "invalid"


# ------------------------------------------------------------------ grade: choices


def test_single_choice() -> None:
    problem = single_problem()
    assert grade(problem, 2).status == "correct"
    assert grade(problem, "c").status == "correct"
    assert grade(problem, "3").status == "correct"
    wrong = grade(problem, 1)
    assert wrong.status == "wrong" and "y" not in wrong.message.split()
    for invalid in (4, -1, True, "e", "", 2.0, None):
        assert grade(problem, invalid).status == "invalid", invalid


def test_multiple_choice() -> None:
    problem = multiple_problem()
    assert grade(problem, [0, 2]).status == "correct"
    assert grade(problem, {2, 0}).status == "correct"
    assert grade(problem, "a, c").status == "correct"
    assert grade(problem, "3 1").status == "correct"
    assert "missing" in grade(problem, [0]).message
    assert "too many" in grade(problem, [0, 1, 2]).message
    assert "wrong" in grade(problem, [1, 3]).message
    assert grade(problem, []).status == "invalid"
    assert grade(problem, [0, 9]).status == "invalid"
    assert grade(problem, [True]).status == "invalid"
    assert grade(problem, 5).status == "invalid"


def test_unknown_problem_kind_is_a_content_error() -> None:
    problem = dataclasses.replace(number_problem(), kind="predict")
    with pytest.raises(ValueError, match="kind"):
        grade(problem, "1")


# ------------------------------------------------------------------ properties


def all_problems() -> list[Problem]:
    """One problem of every kind."""
    return [
        number_problem(),
        vector_problem(),
        matrix_problem(),
        single_problem(),
        multiple_problem(),
    ]


@MODEST
@given(st.text())
def test_grade_never_raises_on_text(text: str) -> None:
    for problem in all_problems():
        feedback = grade(problem, text)
        assert feedback.status in ("correct", "wrong", "invalid")
        assert feedback.message and "\n" not in feedback.message


responses = st.one_of(
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
    st.lists(st.integers(-3, 10)),
    st.lists(st.floats()),
    st.lists(st.lists(st.floats(), max_size=4), max_size=4),
    st.frozensets(st.integers(-2, 6)),
    st.tuples(st.text(), st.integers()),
    st.binary(),
)


@MODEST
@given(responses)
def test_grade_never_raises_on_other_inputs(response: object) -> None:
    for problem in all_problems():
        feedback = grade(problem, response)
        assert feedback.status in ("correct", "wrong", "invalid")
        assert "\n" not in feedback.message


@MODEST
@given(st.floats(-1e6, 1e6, allow_nan=False), st.floats(0, 1))
def test_number_grade_matches_tolerance(answer: float, tolerance: float) -> None:
    problem = number_problem(answer, tolerance)
    assert grade(problem, repr(answer)).status == "correct"
    far = answer + 2 * tolerance + 1.0
    assert grade(problem, repr(far)).status == "wrong"


def test_a_wrong_pick_in_multiple_choice_is_named_by_its_text_not_a_letter() -> None:
    """Options are shuffled per learner, so the diagnosis quotes the option instead of a letter
    of the lesson's own order."""
    problem = Problem(
        question_id="q", kind="multiple", prompt="Which are gates?", options=("AND", "Banana", "OR"),
        answer=(0, 2), tolerance=0.0, explanation="", hints=(), reasons=("", "a fruit, not a gate", ""),
    )
    feedback = grade(problem, [0, 1, 2])
    assert feedback.status == "wrong"
    assert feedback.message == "Not quite: “Banana” does not belong: a fruit, not a gate"
