"""Answers read as people write them, and the classic slips named when an answer is wrong.

Formats: thousands separators, percentages, fractions, the Unicode minus, arithmetic through
the safe expression parser, labelled and bracketed vectors; a wrong count of numbers is a
format problem (status "invalid", not an attempt). Detectors: a flipped sign, a factor of 2,
a power of ten, swapped order, one number's sign, a transposed matrix, and known mistakes
passed to `grade`.
"""

from __future__ import annotations

import math

import pytest

from tutor.quiz import AnswerFormatError, Problem, grade, parse_matrix, parse_number, parse_vector


def number(answer: float, tolerance: float = 0.01) -> Problem:
    return Problem("q-num", "number", "", (), float(answer), tolerance, "", ())


def vector(*answer: float, tolerance: float = 0.01) -> Problem:
    return Problem("q-vec", "vector", "", (), tuple(float(x) for x in answer), tolerance, "", ())


def matrix(rows: tuple[tuple[float, ...], ...]) -> Problem:
    answer = tuple(tuple(float(x) for x in row) for row in rows)
    return Problem("q-mat", "matrix", "", (), answer, 1e-6, "", ())


def one_line(message: str) -> bool:
    return bool(message) and "\n" not in message and message.isprintable() and len(message) <= 200


# ------------------------------------------------------------------ formats accepted


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("60,000", 60000.0),
        ("23,550", 23550.0),
        ("61,706", 61706.0),
        ("1,234,567.5", 1234567.5),
        ("3/4", 0.75),
        ("\u22123", -3.0),
        ("e^-1", math.exp(-1)),
        ("ln 3", math.log(3)),
        ("log(3)", math.log(3)),
        ("0.25^4", 0.25**4),
        ("1/(1+exp(-1))", 1 / (1 + math.exp(-1))),
        ("2*pi", 2 * math.pi),
        ("w = 2", 2.0),
        ("15.3%", 0.153),
    ],
)
def test_number_formats(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


def test_percent_follows_the_size_of_the_answer() -> None:
    assert parse_number("15.3%", expected=15.3) == pytest.approx(15.3)  # asked in percent
    assert parse_number("15.3%", expected=0.153) == pytest.approx(0.153)  # asked as a fraction
    assert grade(number(15.3), "15.3%").correct
    assert grade(number(0.153, 0.001), "15.3%").correct
    assert not grade(number(0.5), "0.5%").correct  # 0.5% is 0.005, not 0.5


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("w = 2, b = -1", (2.0, -1.0)),
        ("(2, -1)", (2.0, -1.0)),
        ("[2 -1]", (2.0, -1.0)),
        ("2; \u22121", (2.0, -1.0)),
        ("1/2, e^-1", (0.5, math.exp(-1))),
        ("ln 3, 1/(1 + exp(-1))", (math.log(3), 1 / (1 + math.exp(-1)))),
    ],
)
def test_vector_formats(text: str, value: tuple[float, ...]) -> None:
    assert parse_vector(text) == pytest.approx(value)
    assert grade(vector(*value), text).correct


def test_commas_in_vectors_separate_first_then_group_thousands() -> None:
    # Commas separate numbers when that gives the expected count...
    assert parse_vector("60,000", expected=(60.0, 0.0)) == (60.0, 0.0)
    assert grade(vector(60, 0), "60,000").correct
    # ...and are thousands separators only when that reading has the right count.
    assert parse_vector("1,000, 2", expected=(1000.0, 2.0)) == (1000.0, 2.0)
    assert parse_vector("60,000 23,550", expected=(1.0, 1.0)) == (60000.0, 23550.0)
    assert grade(vector(60000, 23550), "60,000; 23,550").correct
    assert grade(number(61706), "61,706").correct


def test_matrix_rows_read_each_format() -> None:
    assert parse_matrix("1,000 e^0; 3/4 \u22121", ((1000, 1), (0.75, -1))) == (
        (1000.0, 1.0), (0.75, -1.0),
    )


# ------------------------------------------------------------------ formats refused


@pytest.mark.parametrize("text", ["abc", "1,,2", "", "2,3.5", "exp(", "x + 1", "1e999"])
def test_unreadable_numbers_are_format_problems(text: str) -> None:
    with pytest.raises(AnswerFormatError) as info:
        parse_number(text)
    assert one_line(str(info.value)) and "Expected a number" in str(info.value)
    feedback = grade(number(3), text)
    assert feedback.status == "invalid" and not feedback.counts_as_attempt


@pytest.mark.parametrize("text", ["abc", "1,,2", "(1, 2", "[1, [2]]"])
def test_unreadable_vectors_are_format_problems(text: str) -> None:
    feedback = grade(vector(1, 2), text)
    assert feedback.status == "invalid" and not feedback.counts_as_attempt
    assert one_line(feedback.message) and "Expected numbers" in feedback.message


@pytest.mark.parametrize(
    ("problem", "response", "start"),
    [
        (number(3), "2, 3", "This answer needs 1 number, you gave 2."),
        (vector(1, 2), "1 2 3", "This answer needs 2 numbers, you gave 3."),
        (vector(1, 2), "1", "This answer needs 2 numbers, you gave 1."),
        (vector(1, 2, 3), [1, 2], "This answer needs 3 numbers, you gave 2."),
        (matrix(((1, 2), (3, 4))), "1 2 3; 4 5 6", "This answer needs a 2×2 matrix, you gave 2×3."),
    ],
)
def test_wrong_counts_are_format_problems(problem: Problem, response: object, start: str) -> None:
    feedback = grade(problem, response)
    assert feedback.status == "invalid" and not feedback.counts_as_attempt
    assert feedback.message.startswith(start) and one_line(feedback.message)


# ------------------------------------------------------------------ mistakes named


@pytest.mark.parametrize(
    ("problem", "response", "message"),
    [
        (number(0.25), "-0.25", "Check the sign: your answer is the negative of the right one."),
        (number(0.25), "0.5", "Check for a factor of 2: your answer is twice the right one."),
        (number(0.25), "0.125", "Check for a factor of 2: your answer is half the right one."),
        (number(0.25), "25", "Check the scale: your answer is 100 times too large."),
        (number(60000, 0.5), "60", "Check the scale: your answer is 1000 times too small."),
        (number(3.5), "3500000", "Check the scale: your answer is 1000000 times too large."),
        (
            vector(2, -1),
            "-2, 1",
            "Check the signs: your numbers are the negatives of the right ones.",
        ),
        (vector(2, -1), "-1, 2", "Check the order: your two numbers are swapped."),
        (
            vector(1, 2, 3),
            "3 2 1",
            "Check the order: you have the right numbers in reverse order.",
        ),
        (
            vector(1, 2, 3),
            "2 1 3",
            "Check the order: you have the right numbers in the wrong order.",
        ),
        (
            vector(1, 2, 3),
            "1 -2 3",
            "Check the sign of number 2: it is the negative of the right one.",
        ),
        (vector(1, 2), "2 4", "Check for a factor of 2: your answer is twice the right one."),
        (
            matrix(((1, 2), (3, 4))),
            "1 3; 2 4",
            "Check the orientation: your matrix is the transpose of the right one.",
        ),
    ],
)
def test_classic_slips_are_named(problem: Problem, response: str, message: str) -> None:
    feedback = grade(problem, response)
    assert feedback.status == "wrong" and feedback.counts_as_attempt
    assert feedback.message == message


def test_no_slip_is_named_without_one() -> None:
    assert grade(number(0.25), "0.7").message == "Not quite: try again, or ask for a hint."
    assert grade(vector(1, 2, 3), "1 2 5").message == "Not quite: 1 of 3 numbers is off."
    # A generous tolerance does not name a slip on a tiny answer.
    assert "times" not in grade(number(0.001), "0.5").message


def test_known_mistakes_come_first() -> None:
    feedback = grade(number(0.25), "0.75", mistakes={0.75: "You computed 1 - p: p is asked."})
    assert feedback.status == "wrong" and feedback.message == "You computed 1 - p: p is asked."
    # A known mistake wins over a generic detector; vectors match element-wise.
    feedback = grade(vector(2, -1), "-2 1", mistakes=[((-2, 1), "You subtracted the update.")])
    assert feedback.message == "You subtracted the update."
    # Its message is made one printable line.
    feedback = grade(number(1), "5", mistakes={5: "Line one\nline two"})
    assert feedback.message == "Line one line two"
    # Answers that match no known mistake get the generic detectors.
    assert grade(number(0.25), "-0.25", mistakes={0.75: "x"}).message.startswith("Check the sign")


def test_malformed_mistakes_are_content_errors() -> None:
    with pytest.raises(ValueError):
        grade(vector(1, 2), "1 3", mistakes={"abc": "not a vector"})
    with pytest.raises(ValueError):
        grade(number(1), "2", mistakes={2: ""})
