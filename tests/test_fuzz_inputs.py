"""Fuzz every field a learner types into: the parsers and graders behind them, then the real app.

The learner types text in five places: the answer field of a question card (number, vector,
matrix and predict questions), the expression playground's two fields, the backward-pass drill,
the learning-rate field of the one-weight descent scene, and the perceptron's predict field.
Numeric parameters set by keys ([ and ]) are bounded by code and poked by tests/test_monkey.py.

The pure tests feed hypothesis-generated text (any Unicode, control characters, lone
surrogates, huge and tiny numbers, nan and inf, very long strings, many separators, brackets)
to every parser and grader a field uses: they either read it or fail with their documented
error, whose message is one printable line of bounded length that says what format is expected.
The app tests drive each kind of field through Pilot with 12 generated strings: the app keeps
running, every feedback line is one clean line, and progress.json stays valid.

Hypothesis runs derandomized, so every run tries the same inputs.
"""

from __future__ import annotations

import asyncio
import json
import math
import tempfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from textual import events
from textual.widgets import Input, Static

from tutor.app import make_app
from tutor.content import load_course
from tutor.content.model import Question
from tutor.engines.descent import (
    ONE_X, ONE_Z, gradient_descent, one_weight_cost, one_weight_grad,
)
from tutor.engines.expression import ExpressionError
from tutor.paths import default_lessons_dir
from tutor.progress import Progress
from tutor.quiz import AnswerFormatError, Problem, grade, instantiate
from tutor.quiz.parse import (
    MATRIX_HINT,
    NUMBER_HINT,
    VECTOR_HINT,
    parse_choice,
    parse_choices,
    parse_matrix,
    parse_number,
    parse_vector,
)
from tutor.scenes.descent_words import check_learning_rate, describe_run
from tutor.quiz.predict import GENERATORS
from tutor.scenes.expression_playground import MAX_NODES, build_typed
from tutor.screens.lesson import LessonScreen
from tutor.widgets.question_card import QuestionCard

#: No message shown to a learner may be longer than this, whatever they typed.
MAX_MESSAGE = 200

PURE = settings(max_examples=300, deadline=None, derandomize=True)
#: One app session per field kind. No shrinking: each try drives the app for seconds; a failure
#: reports the whole list of strings, and the failed assertion shows the offending line.
APP = settings(
    max_examples=1,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# ------------------------------------------------------------------ what a learner might type

#: Texts that have broken parsers elsewhere: overflow, underflow, nan/inf spellings, signed
#: zero, other scripts' digits, control and invisible characters, code, stray brackets.
NASTY = (
    "", " ", "1e309", "-1e309", "1e308", "-1e308", "1.7976931348623157e308", "5e-324",
    "1e-400", "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "-0", "+0", "-0.0", "0/0",
    "1/0", "-0/-0", "1/1e-320", "1e308/1e-10", "9" * 400, "0." + "0" * 400 + "1", ",", ",,,",
    ";;", "[]", "[[]]", "[[[[", "]]]]", "((1))", "[1, 2", "1, 2]", "[1; 2]", "[[1, 2], [3]]",
    "1 2; 3", "1,2\n3,4", "a, c", "none", "1_000", "0x10", "１２", "٣", "½", "\u22122", "--1",
    "1e", "e1", ".", "-", "+", "1..2", "1/2/3", "\x00", "\x1b[31m1", "\x07", "\u202e1",
    "\u200b", "\ufeff1", "\u2028", "\x85", "\t\n\r", "\ud800", "1\udfff", "__import__('os')",
    "exp(1)", "1 2 3 4", "x=1", "0.25", "2, 1.2", "[2 1.2]", "1 2; 3 4", "[[1, 2], [3, 4]]",
)
#: Pieces that glue into number-like noise.
TOKENS = (
    "0", "1", "7", "-", "\u2212", "+", ".", "e", "E", "/", ",", ";", " ", "\n", "\t", "[", "]",
    "(", ")", "9" * 30, "1e309", "nan", "inf", "a", "é", "\x1b", "\ud800", "\u3000",
)
#: Pieces repeated into very long answers.
LONG_PIECES = ("1,", ",", "[", "9", "1 ", "(", "1e309;", "x", "1 2;", "\u2212")


#: Numbers a learner might type: mostly everyday sizes, sometimes any finite float.
NUMBERS = st.one_of(
    st.floats(-10, 10).map(lambda x: round(x, 2)), st.floats(allow_nan=False, allow_infinity=False)
)


def answer_texts() -> st.SearchStrategy[str]:
    """Any text a learner could type or paste into an answer field."""
    return st.one_of(
        st.text(),
        st.text(st.characters(exclude_categories=()), max_size=30),  # lone surrogates too
        st.sampled_from(NASTY),
        st.lists(st.sampled_from(TOKENS), max_size=25).map("".join),
        st.builds(lambda piece, n: piece * n, st.sampled_from(LONG_PIECES), st.integers(50, 3000)),
        st.lists(NUMBERS, min_size=1, max_size=4).map(
            join_numbers
        ),  # readable answers, right or wrong
    )


def join_numbers(values: list[float]) -> str:
    """Numbers as a learner types them: one number, or several separated by commas."""
    return ", ".join(repr(value) for value in values)


#: Pieces of formulas and value lists, for the expression playground.
FORMULA_TOKENS = (
    "x", "y", "z", "a", "w1", "+", "-", "*", "/", "^", "**", "(", ")", "exp(", "log(", "tanh(",
    "sigmoid(", "relu(", "2", "0", "1e309", "0.5", ",", "=", " ", "x=1", "y=-2", "z=1e308",
)


#: Values for every name the generated formulas use.
GOOD_VALUES = "x=-2, y=5, z=-4, a=0.5, w1=3"


def formulas() -> st.SearchStrategy[str]:
    """Well-formed formulas over x, y, z, a and w1, small and large (some too big to draw)."""
    leaves = st.sampled_from(["x", "y", "z", "a", "w1", "2", "0.5", "1e309", "0"])
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "^"]), inner).map(
                lambda parts: f"({parts[0]} {parts[1]} {parts[2]})"
            ),
            st.tuples(st.sampled_from(["exp", "log", "tanh", "sigmoid", "relu", "-"]), inner).map(
                lambda parts: f"{parts[0]}({parts[1]})"
            ),
        ),
        max_leaves=16,
    )


def playground_texts() -> st.SearchStrategy[str]:
    """Texts for the expression and values fields: formulas, formula-like noise, anything."""
    return st.one_of(
        answer_texts(),
        formulas(),
        st.lists(st.sampled_from(FORMULA_TOKENS), max_size=40).map("".join),
        st.builds(lambda n: "x" + "+x" * n, st.integers(1, 99)),  # big graphs from one leaf
    )


# ------------------------------------------------------------------ checks


def assert_clear(message: str, *expected: str) -> None:
    """`message` is one non-empty printable line of bounded length (naming a format if given)."""
    assert message, "the message is empty"
    assert message == message.strip() and len(message.splitlines()) == 1, repr(message)
    assert all(char.isprintable() for char in message), repr(message)
    assert len(message) <= MAX_MESSAGE, f"{len(message)} characters: {message[:80]!r}…"
    if expected:
        assert any(part in message for part in expected), repr(message)


def flat_floats(value: object) -> list[float]:
    """The numbers in a parsed number, vector or matrix."""
    if isinstance(value, float):
        return [value]
    return [x for item in value for x in flat_floats(item)]  # type: ignore[attr-defined]


# ------------------------------------------------------------------ the parsers


@PURE
@given(answer_texts())
@example("1e309")
@example("2, 1e309")
@example("\x1b[2J1, 2")
def test_number_vector_matrix_parsers_read_or_explain(text: str) -> None:
    cases = (
        (parse_number, (NUMBER_HINT,)),
        (parse_vector, (VECTOR_HINT,)),
        (parse_matrix, (MATRIX_HINT, "all rows need the same length")),
    )
    for parse, hints in cases:
        try:
            value = parse(text)
        except AnswerFormatError as error:
            assert_clear(str(error), *hints)
        else:
            assert all(isinstance(x, float) and math.isfinite(x) for x in flat_floats(value))


def test_vector_keeps_the_reason_a_number_failed() -> None:
    with pytest.raises(AnswerFormatError, match="'1e309' is too large. Expected numbers"):
        parse_vector("2, 1e309")
    with pytest.raises(AnswerFormatError, match="'1/0' divides by zero. Expected rows"):
        parse_matrix("1 2; 3 1/0")


def test_echoed_text_is_printable() -> None:
    with pytest.raises(AnswerFormatError) as info:
        parse_number("\x1b[31m5")
    assert "\x1b" not in str(info.value) and "\ufffd[31m5" in str(info.value)


@PURE
@given(answer_texts(), st.sampled_from([1, 2, 4, 26, 30]))
def test_choice_parsers_read_or_explain(text: str, n_options: int) -> None:
    for parse in (parse_choice, parse_choices):
        try:
            chosen = parse(text, n_options)
        except AnswerFormatError as error:
            assert_clear(str(error), "option")
        else:
            indices = {chosen} if isinstance(chosen, int) else chosen
            assert all(0 <= i < n_options for i in indices)


# ------------------------------------------------------------------ the graders


def _every_problem() -> list[Problem]:
    """Every question of the shipped course as asked, plus every registered generator twice."""
    problems = []
    for unit in load_course(default_lessons_dir()).units:
        for lesson in unit.lessons:
            for question in lesson.questions.values():
                problems.append(instantiate(question, seed=zlib.crc32(question.id.encode())))
    for name in sorted(GENERATORS):
        question = Question(id="generated", kind="predict", prompt="", generator=name)
        problems.extend(instantiate(question, seed=seed) for seed in (0, 1))
    return problems


PROBLEMS = _every_problem()
FORMAT_HINTS = {
    "number": (NUMBER_HINT,),
    "vector": (VECTOR_HINT,),
    "matrix": (MATRIX_HINT, "all rows need the same length"),
    "single": ("option",),
    "multiple": ("option",),
}


def test_every_kind_is_fuzzed() -> None:
    assert {problem.kind for problem in PROBLEMS} == set(FORMAT_HINTS)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(answer_texts())
def test_grading_every_question_never_raises(text: str) -> None:
    for problem in PROBLEMS:
        feedback = grade(problem, text)
        assert feedback.status in ("correct", "wrong", "invalid")
        if feedback.status == "invalid":
            assert_clear(feedback.message, *FORMAT_HINTS[problem.kind])
            assert not feedback.counts_as_attempt
        else:
            assert_clear(feedback.message)


def _power_of_ten_apart(got: float, expected: float, tolerance: float) -> bool:
    """Whether got is expected times 10^k, k = 1..6 (or divided by it), within tolerance."""
    for factor in (10.0**k for k in range(1, 7)):
        for scaled in (got / factor, got * factor):
            if math.isfinite(scaled) and abs(scaled - expected) <= tolerance + 1e-11 + 1e-9 * abs(expected):
                return True
    return False


@PURE
@given(
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.25, -3.0, 1000.0, 1e-3]),
    st.sampled_from([0.0, 0.01]),
)
@example(1e308, 0.25, 0.01)
@example(-1.7e308, 0.25, 0.0)
@example(25.0, 0.25, 0.0)
def test_scale_hint_only_for_a_real_power_of_ten(got: float, answer: float, tolerance: float) -> None:
    problem = Problem("q", "number", "", (), answer, tolerance, "", ())
    feedback = grade(problem, repr(got))
    if "Check the scale" in feedback.message:
        assert _power_of_ten_apart(got, answer, tolerance), (got, answer)
    if got == answer * 100 and answer and tolerance == 0.0:
        assert "100 times too large" in feedback.message, (got, answer, feedback.message)


# ------------------------------------------------------------------ the scenes' pipelines


@PURE
@given(playground_texts(), playground_texts())
@example("x" + "+x" * 99, "x=1")
@example("x \x1b y", "x=1")
@example("exp(x)", "x=1e309")
def test_playground_builds_or_explains(expression: str, values: str) -> None:
    try:
        root = build_typed(expression, values)
    except ExpressionError as error:
        assert_clear(str(error))
    else:
        assert math.isfinite(root.data)


def test_playground_refuses_graphs_too_big_to_draw() -> None:
    with pytest.raises(ExpressionError, match=f"graph of 100 nodes, more than the {MAX_NODES}"):
        build_typed("x" + "+x" * 99, "x=1")


def test_every_shipped_playground_expression_fits() -> None:
    steps = [
        step
        for unit in load_course(default_lessons_dir()).units
        for lesson in unit.lessons
        for step in lesson.steps
        if step.scene == "expression-playground"
    ]
    assert steps
    for step in steps:
        expression = str(step.scene_params.get("expression", "(x + y) * z"))
        values = str(step.scene_params.get("values", "x=-2, y=5, z=-4"))
        build_typed(expression, values)  # raises ExpressionError if a lesson's graph is too big


@PURE
@given(st.one_of(answer_texts(), st.floats(-2e6, 2e6).map(repr)))
@example("1e6")
@example("-1e6")
@example("5e-324")
@example("0.26")
def test_learning_rate_field_runs_or_explains(text: str) -> None:
    """What Descent1DScene does with a typed rate: parse, check, run 40 iterations, describe."""
    try:
        lr = parse_number(text)
    except AnswerFormatError as error:
        assert_clear(str(error), NUMBER_HINT)
        return
    check = check_learning_rate(lr)
    if check.message:
        assert_clear(check.message)
    if not check.ok:
        return
    steps = list(
        gradient_descent(
            lambda p: one_weight_cost(p[0], ONE_X, ONE_Z),
            lambda p: (one_weight_grad(p[0], ONE_X, ONE_Z),),
            (0.0,), lr, iterations=40,
        )
    )
    kind, summary = describe_run(steps, lr)
    assert kind and (not summary or len(summary.splitlines()) == 1)


# ------------------------------------------------------------------ the real app

#: A one-lesson course with one step per kind of text field.
COURSE_TOML = """format_version = 1
title = "Fuzz"

[[units]]
id = "all"
title = "All fields"
lessons = ["fields"]
"""

LESSON_TOML = """id = "fields"
title = "Every text field"
summary = "One step per kind of field a learner types into."

[[steps]]
id = "answers"
questions = ["q-number", "q-vector", "q-matrix", "q-predict"]

[[steps]]
id = "playground"
scene = "expression-playground"

[[steps]]
id = "drill"
scene = "graph-drill"
scene_params = { example = "chain" }

[[steps]]
id = "rate"
scene = "descent-1d"
scene_params = { w0 = 0.0, lr = 0.1, iterations = 20, lr_input = true }

[[steps]]
id = "rule"
scene = "perceptron-training"
scene_params = { dataset = "and", weights = [0.0, 0.0], bias = 0.0, use_bias = true, max_epochs = 10, predict = true }

[[questions]]
id = "q-number"
kind = "number"
prompt = "A number?"
answer = 0.25
tolerance = 0.01
hints = ["A quarter."]

[[questions]]
id = "q-vector"
kind = "vector"
prompt = "A vector?"
answer = [2.0, 1.2]

[[questions]]
id = "q-matrix"
kind = "matrix"
prompt = "A matrix?"
answer = [[1, 2], [3, 4]]

[[questions]]
id = "q-predict"
kind = "predict"
generator = "perceptron.new_weight"
prompt = "w = [{w1}, {w2}], p = [{p1}, {p2}], t = {t}: the new weights?"
explanation = "e = {e}."
hints = ["e = t - a."]
"""

STEPS = ("answers", "playground", "drill", "rate", "rule")


#: Strings typed per app session (the pure tests above try hundreds per parser).
APP_STRINGS = 12


def twenty(texts: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    """APP_STRINGS strings for one app session, at least two thirds of them different.

    Hypothesis tries the simplest list first (all empty strings); the filter skips it, so the one
    session each test runs gets a varied list.
    """
    return st.lists(texts, min_size=APP_STRINGS, max_size=APP_STRINGS).filter(
        lambda drawn: len(set(drawn)) >= APP_STRINGS * 2 // 3
    )


FIELD_STRINGS = twenty(answer_texts())


def _course(root: Path) -> Path:
    """Write the fuzz course under `root` and return its folder."""
    course = root / "course"
    (course / "fields").mkdir(parents=True, exist_ok=True)
    (course / "course.toml").write_text(COURSE_TOML, encoding="utf-8")
    (course / "fields" / "lesson.toml").write_text(LESSON_TOML, encoding="utf-8")
    prose = "".join(f"<!-- step: {step} -->\n## {step}\n\nType anything.\n\n" for step in STEPS)
    (course / "fields" / "lesson.md").write_text(prose, encoding="utf-8")
    return course


def _plain(widget: Static) -> str:
    """The plain text a Static shows."""
    content = widget.content
    return content if isinstance(content, str) else getattr(content, "plain", str(content))


def _session(tmp_path: Path, step_id: str, drive) -> Path:
    """Open the fuzz lesson at `step_id`, run `drive(pilot, screen)`, check the app and progress."""
    home = Path(tempfile.mkdtemp(dir=tmp_path))
    course = _course(tmp_path)

    async def run() -> None:
        app = make_app(course, home=home, open_lesson="fields")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, LessonScreen)
            await screen.show_step(screen.lesson.step_index(step_id))
            await pilot.pause()
            await drive(pilot, screen)
            await pilot.pause()  # draw the last answer's result too
            assert app.is_running and app.screen is screen and screen.step.id == step_id

    asyncio.run(run())
    progress = Progress.from_dict(json.loads((home / "progress.json").read_text(encoding="utf-8")))
    assert progress.lessons["fields"].step == step_id
    return home


async def _type(pilot, field: Input, text: str, turn: int) -> str:
    """Put `text` in `field` (pasted on even turns, set on odd ones), press enter; the value sent."""
    field.focus()
    field.value = ""
    if turn % 2 == 0:
        field.post_message(events.Paste(text))  # what a terminal delivers: the first line only
    else:
        field.value = text  # anything at all, newlines included
    await pilot.pause()
    sent = field.value
    await pilot.press("enter")  # waits until the handlers ran; the next pause draws the result
    return sent


def _assert_line(text: str, marks: str = "") -> None:
    """A feedback line: one clean line, starting with one of `marks` when given."""
    assert_clear(text)
    if marks:
        assert text[0] in marks, repr(text)


@pytest.mark.slow
@APP
@given(FIELD_STRINGS)
def test_question_card_fields_survive_any_text(tmp_path: Path, texts: list[str]) -> None:
    expected_attempts: dict[str, int] = {}

    async def drive(pilot, screen) -> None:
        cards = list(screen.query(QuestionCard))
        assert [card.problem.kind for card in cards] == ["number", "vector", "matrix", "vector"]
        for turn, text in enumerate(texts):
            card = cards[turn % len(cards)]
            field = card.answer_widget
            assert isinstance(field, Input)
            sent = await _type(pilot, field, text, turn)
            status = "invalid" if not sent.strip() else grade(card.problem, sent).status
            if status != "invalid":
                expected_attempts[card.question.id] = expected_attempts.get(card.question.id, 0) + 1
            shown = _plain(card.query_one("#qc-feedback", Static))
            _assert_line(shown, {"correct": "✓", "wrong": "✗", "invalid": "?"}[status])

    home = _session(tmp_path, "answers", drive)
    saved = json.loads((home / "progress.json").read_text(encoding="utf-8"))
    questions = saved["lessons"]["fields"]["questions"]
    assert {qid: record["attempts"] for qid, record in questions.items()} == expected_attempts


@pytest.mark.slow
@APP
@given(twenty(playground_texts()), st.lists(st.booleans(), min_size=APP_STRINGS, max_size=APP_STRINGS))
def test_playground_fields_survive_any_text(
    tmp_path: Path, texts: list[str], in_values: list[bool]
) -> None:
    """Each turn types into one field; the other holds a good expression or good values."""

    async def drive(pilot, screen) -> None:
        scene = screen.scene
        expression = scene.query_one("#pg-expression", Input)
        values = scene.query_one("#pg-values", Input)
        for turn, (text, into_values) in enumerate(zip(texts, in_values, strict=True)):
            field, other = (values, expression) if into_values else (expression, values)
            other.value = "w1*x + tanh(a*y) - z" if into_values else GOOD_VALUES
            await _type(pilot, field, text, turn)
            if scene.error:
                assert scene.full is None  # cleared, as the error line says: nothing is drawn
                _assert_line(_plain(scene.query_one("#pg-error", Static)), "✗")
            else:
                assert scene.full is not None and len(scene.full.nodes) <= MAX_NODES

    _session(tmp_path, "playground", drive)


@pytest.mark.slow
@APP
@given(FIELD_STRINGS)
def test_drill_field_survives_any_text(tmp_path: Path, texts: list[str]) -> None:
    async def drive(pilot, screen) -> None:
        scene = screen.scene
        field = scene.query_one("#drill-answer", Input)
        for turn, text in enumerate(texts):
            position = scene.position
            await _type(pilot, field, text, turn)
            assert scene.position in (position, position + 1)
            _assert_line(scene.feedback.plain, "?✓✗")

    _session(tmp_path, "drill", drive)


@pytest.mark.slow
@APP
@given(FIELD_STRINGS)
def test_learning_rate_field_survives_any_text(tmp_path: Path, texts: list[str]) -> None:
    async def drive(pilot, screen) -> None:
        scene = screen.scene
        field = scene.query_one("#d1-lr", Input)
        for turn, text in enumerate(texts):
            if not field.has_focus:  # a good rate closed the field: `l` opens it again
                scene.focus()
                await pilot.press("l")
                await pilot.pause()
                assert field.has_focus
            await _type(pilot, field, text, turn)
            assert math.isfinite(scene.lr) and abs(scene.lr) <= 1e6
            if scene.message:
                _assert_line(scene.message)

    _session(tmp_path, "rate", drive)


@pytest.mark.slow
@APP
@given(FIELD_STRINGS)
def test_perceptron_predict_field_survives_any_text(tmp_path: Path, texts: list[str]) -> None:
    async def drive(pilot, screen) -> None:
        scene = screen.scene
        field = scene.query_one("#pt-answer", Input)
        for turn, text in enumerate(texts):
            if scene._awaiting is None:  # an answer was graded: `.` asks the next update
                scene.focus()
                if scene.position >= scene.total_frames:
                    await pilot.press("r")
                await pilot.press("full_stop")
                await pilot.pause()
                assert scene._awaiting is not None and field.has_focus
            await _type(pilot, field, text, turn)
            _assert_line(_plain(scene.query_one("#pt-feedback", Static)), "?✓✗")

    _session(tmp_path, "rule", drive)
