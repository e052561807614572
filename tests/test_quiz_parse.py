"""Tests for tutor.quiz.parse: accepted formats, clear one-line errors, and no other exceptions."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.quiz.parse import (
    AnswerFormatError,
    parse_choice,
    parse_choices,
    parse_matrix,
    parse_number,
    parse_vector,
)

MODEST = settings(max_examples=200, deadline=None, derandomize=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3.0),
        ("-3", -3.0),
        ("+1.5", 1.5),
        ("0.25", 0.25),
        (".5", 0.5),
        ("1.", 1.0),
        ("1e-3", 1e-3),
        ("2.5E+2", 250.0),
        ("  7  ", 7.0),
        ("\u22122", -2.0),  # Unicode minus sign
        ("1/4", 0.25),
        ("-3/2", -1.5),
        ("1 / 8", 0.125),
        ("2*3", 6.0),  # arithmetic is read by the safe expression parser
        ("1%", 0.01),  # without an expected value a percentage is its fraction
    ],
)
def test_parse_number_accepts(text: str, expected: float) -> None:
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "nan",
        "NaN",
        "inf",
        "-inf",
        "infinity",
        "1e999",
        "1/0",
        "1_000",
        "0x10",
        "abc",
        "1,5",
        "2 3",
        "1/",
        "--1",
        "1e",
        "٣",
        "__import__('os')",
        "x + 1",
        "exp(1000)",
        "log(-1)",
        "5%%",
    ],
)
def test_parse_number_rejects_with_one_line_message(text: str) -> None:
    with pytest.raises(AnswerFormatError) as info:
        parse_number(text)
    message = str(info.value)
    assert "\n" not in message
    assert "Expected a number" in message


def test_error_is_a_value_error() -> None:
    assert issubclass(AnswerFormatError, ValueError)


@pytest.mark.parametrize(
    "text",
    ["2.0, 1.2", "[2 1.2]", "2;1.2", "(2, 1.2)", "2.0,1.2", " [ 2 ,  1.2 ] ", "2\t1.2", "2, 1.2,"],
)
def test_parse_vector_accepts_styles(text: str) -> None:
    assert parse_vector(text) == pytest.approx((2.0, 1.2))


def test_parse_vector_negative_and_fraction() -> None:
    assert parse_vector("[2.0, -0.8]") == pytest.approx((2.0, -0.8))
    assert parse_vector("1/2 \u22121/4") == pytest.approx((0.5, -0.25))
    assert parse_vector("5") == (5.0,)


@pytest.mark.parametrize(
    "text", ["", "[]", "()", "[2, 3)", "[2, 3", "2, 3]", "2,,3", "[[1, 2]]", "2, x"]
)
def test_parse_vector_rejects(text: str) -> None:
    with pytest.raises(AnswerFormatError) as info:
        parse_vector(text)
    assert "\n" not in str(info.value)
    assert "Expected numbers separated by commas" in str(info.value)


@pytest.mark.parametrize(
    "text",
    [
        "[[1, 2], [3, 4]]",
        "1 2; 3 4",
        "1 2\n3 4",
        "1 2\n3 4\n",
        "[1 2; 3 4]",
        "[1, 2], [3, 4]",
        "[1,2];[3,4]",
        "((1, 2), (3, 4))",
        "1, 2; 3, 4",
    ],
)
def test_parse_matrix_accepts_styles(text: str) -> None:
    assert parse_matrix(text) == ((1.0, 2.0), (3.0, 4.0))


def test_parse_matrix_single_row_and_column() -> None:
    assert parse_matrix("[1, 2, 3]") == ((1.0, 2.0, 3.0),)
    assert parse_matrix("1; 2; 3") == ((1.0,), (2.0,), (3.0,))


@pytest.mark.parametrize(
    "text", ["", "[]", "[[]]", "1 2; 3", "[[1, 2], [3]]", "[[1,2],3 4]", "1 x; 3 4"]
)
def test_parse_matrix_rejects(text: str) -> None:
    with pytest.raises(AnswerFormatError) as info:
        parse_matrix(text)
    assert "\n" not in str(info.value)


def test_parse_matrix_ragged_message_names_rows() -> None:
    with pytest.raises(AnswerFormatError, match="Row 2 has 1 number but row 1 has 2"):
        parse_matrix("1 2; 3")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a", 0), ("b", 1), ("B", 1), ("2", 1), (" d ", 3), ("(c)", 2), ("c)", 2), ("4", 3)],
)
def test_parse_choice(text: str, expected: int) -> None:
    assert parse_choice(text, 4) == expected


@pytest.mark.parametrize("text", ["", "e", "0", "5", "ab", "x", "-1", "1.5"])
def test_parse_choice_rejects(text: str) -> None:
    with pytest.raises(AnswerFormatError) as info:
        parse_choice(text, 4)
    assert "a-d" in str(info.value) or "no option" in str(info.value)


def test_parse_choice_no_options() -> None:
    with pytest.raises(AnswerFormatError, match="no options"):
        parse_choice("a", 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a, c", {0, 2}),
        ("1 3", {0, 2}),
        ("ac", {0, 2}),
        ("C;A", {0, 2}),
        ("b", {1}),
        ("a,a", {0}),
        ("none", set()),
        ("[a, d]", {0, 3}),
    ],
)
def test_parse_choices(text: str, expected: set[int]) -> None:
    assert parse_choices(text, 4) == frozenset(expected)


@pytest.mark.parametrize("text", ["", " , ", "a, z", "5", "a 9"])
def test_parse_choices_rejects(text: str) -> None:
    with pytest.raises(AnswerFormatError):
        parse_choices(text, 4)


# ------------------------------------------------------------------ properties


@MODEST
@given(st.text())
def test_parsers_raise_only_answer_format_error(text: str) -> None:
    for parse in (parse_number, parse_vector, parse_matrix):
        try:
            result = parse(text)
        except AnswerFormatError as error:
            assert "\n" not in str(error)
        else:
            flat = [result] if isinstance(result, float) else list(result)
            flat = [x for item in flat for x in (item if isinstance(item, tuple) else (item,))]
            assert all(isinstance(x, float) and math.isfinite(x) for x in flat)
    for n in (0, 1, 4, 30):
        for parse_options in (parse_choice, parse_choices):
            try:
                parse_options(text, n)
            except AnswerFormatError as error:
                assert "\n" not in str(error)


@MODEST
@given(st.text(alphabet="0123456789.,;eE+-/ []()\n\u2212", max_size=30))
def test_number_like_noise_raises_only_answer_format_error(text: str) -> None:
    for parse in (parse_number, parse_vector, parse_matrix):
        try:
            parse(text)
        except AnswerFormatError:
            pass


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)


@MODEST
@given(finite)
def test_number_round_trip(x: float) -> None:
    for text in (repr(x), f"{x:.17g}", f"{x:e}".replace("e", "E")):
        assert math.isclose(parse_number(text), float(text), rel_tol=0, abs_tol=1e-9)
    assert parse_number(repr(x)) == x
    assert parse_number(repr(x).replace("-", "\u2212")) == x


STYLES = (
    lambda xs: ", ".join(xs),
    lambda xs: "[" + " ".join(xs) + "]",
    lambda xs: ";".join(xs),
    lambda xs: "(" + ", ".join(xs) + ")",
    lambda xs: ",".join(xs),
    lambda xs: "[" + ", ".join(xs) + "]",
    lambda xs: "  " + "\t".join(xs) + " ",
)


@MODEST
@given(st.lists(finite, min_size=1, max_size=8), st.sampled_from(range(len(STYLES))))
def test_vector_round_trip(values: list[float], style: int) -> None:
    text = STYLES[style]([repr(v) for v in values])
    parsed = parse_vector(text)
    assert len(parsed) == len(values)
    assert all(abs(p - v) <= 1e-9 for p, v in zip(parsed, values, strict=True))


@MODEST
@given(
    st.integers(1, 4).flatmap(
        lambda cols: st.lists(
            st.lists(finite, min_size=cols, max_size=cols), min_size=1, max_size=4
        )
    ),
    st.sampled_from(["nested", "semicolons", "lines", "matlab"]),
)
def test_matrix_round_trip(rows: list[list[float]], style: str) -> None:
    cells = [[repr(v) for v in row] for row in rows]
    if style == "nested":
        text = "[" + ", ".join("[" + ", ".join(r) + "]" for r in cells) + "]"
    elif style == "semicolons":
        text = "; ".join(" ".join(r) for r in cells)
    elif style == "lines":
        text = "\n".join(", ".join(r) for r in cells)
    else:
        text = "[" + "; ".join(" ".join(r) for r in cells) + "]"
    parsed = parse_matrix(text)
    assert len(parsed) == len(rows)
    for got_row, row in zip(parsed, rows, strict=True):
        assert len(got_row) == len(row)
        assert all(abs(g - v) <= 1e-9 for g, v in zip(got_row, row, strict=True))


@MODEST
@given(st.integers(1, 26).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_choice_round_trip(case: tuple[int, int]) -> None:
    n, index = case
    assert parse_choice(chr(ord("a") + index), n) == index
    assert parse_choice(chr(ord("A") + index), n) == index
    assert parse_choice(str(index + 1), n) == index


def test_import_quiz_does_not_import_numpy_or_textual() -> None:
    code = (
        "import sys, tutor.quiz, tutor.quiz.predict, tutor.progress; "
        "bad = [m for m in ('numpy', 'textual', 'rich') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[1]
    )
    assert result.returncode == 0, result.stdout + result.stderr
