"""tutor.text: one rule each for -0, nan/inf, trailing zeros, durations, timings and errors."""

from __future__ import annotations

import math

from tutor.text import (
    first_line,
    format_duration,
    format_number,
    format_seconds,
    format_share,
    format_timing,
    format_vector,
)


def test_zero_has_no_sign_in_every_mode():
    assert format_number(-0.0) == "0"
    assert format_number(-0.0001) == "0"
    assert format_number(-0.0004, 3, fixed=True) == "0.000"
    assert format_number(-0.0, significant=True) == "0"
    assert format_number(-0.001, 2, fixed=True, grouping=True) == "0.00"
    assert format_share(-0.001) == "0%"
    # a small number that does not round to zero keeps its sign
    assert format_number(-0.0006) == "-0.001"
    assert format_number(-1e-20, 4, significant=True) == "-1e-20"


def test_nan_and_infinities_are_words():
    for options in ({}, {"fixed": True}, {"significant": True}, {"grouping": True}):
        assert format_number(math.nan, **options) == "nan"
        assert format_number(math.inf, **options) == "inf"
        assert format_number(-math.inf, **options) == "-inf"
    assert format_share(math.nan) == "nan"


def test_trailing_zeros_trimmed_unless_fixed():
    assert format_number(2.5) == "2.5"
    assert format_number(2.0) == "2"
    assert format_number(0.7310585, 4) == "0.7311"
    assert format_number(1.0004, 3) == "1"
    assert format_number(2.5, 3, fixed=True) == "2.500"
    assert format_number(2.0, 2, fixed=True) == "2.00"
    assert format_number(12.345, 0) == "12"
    assert format_number(255, 0, fixed=True) == "255"


def test_significant_digits_whole_numbers_and_exponents():
    assert format_number(-12.0, 4, significant=True) == "-12"
    assert format_number(-0.19661193324148188, 4, significant=True) == "-0.1966"
    assert format_number(123456.7, 4, significant=True) == "1.235e5"
    assert format_number(1e-6, 6, significant=True) == "1e-6"
    assert format_number(2**31 - 1, 6, significant=True, grouping=True) == "2,147,483,647"
    assert format_number(1e15, 6, significant=True) == "1e15"
    assert format_number(0.5, 6, significant=True, grouping=True) == "0.5"


def test_grouping_and_vectors():
    assert format_number(12345.678, 1, grouping=True) == "12,345.7"
    assert format_vector([1.0, -0.5, -0.0]) == "[1, -0.5, 0]"
    assert format_vector([0.1, 0.25], 3, fixed=True) == "[0.100, 0.250]"
    assert format_vector([]) == "[]"


def test_share_is_a_percentage():
    assert format_share(0.42) == "42%"
    assert format_share(0.12345, 1) == "12.3%"
    assert format_share(1) == "100%"


def test_duration_and_timing_are_two_rules():
    assert format_duration(75) == "1:15"
    assert format_duration(-3) == "0:00"
    assert format_duration(math.inf) == "-:--"
    assert format_seconds is format_duration  # the old name of the m:ss rule
    assert format_timing(0.25) == "0.25 s"
    assert format_timing(0.006) == "6.00 ms"
    assert format_timing(0.0004) == "400 µs"


def test_first_line_of_errors_and_texts():
    assert first_line(ValueError("bad shape\nmore detail")) == "bad shape"
    assert first_line(ValueError()) == "ValueError"
    assert first_line(ValueError("  \n")) == "ValueError"
    assert first_line(KeyError("x"), with_type=True) == "KeyError: 'x'"
    assert first_line(RuntimeError(""), with_type=True) == "RuntimeError"
    assert first_line(OSError("a" * 100), limit=10, with_type=True) == "OSError: " + "a" * 9 + "…"
    assert first_line("one\ntwo") == "one"
    assert first_line("") == ""
    assert first_line("abcdef", limit=6) == "abcdef"


def test_weights_read_as_lessons_print_them() -> None:
    """The rule the neuron engine's own `fmt` had (now gone): 3 decimals, trimmed, no -0."""
    import numpy as np

    assert [format_number(v) for v in (1.0, -0.5, 1.5, 0.0, -0.0, 2.25)] == ["1", "-0.5", "1.5", "0", "0", "2.25"]
    assert format_number(np.float64(-1.0)) == "-1"
