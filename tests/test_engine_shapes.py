"""The output-size formula (W - K + 2P)/S + 1, its explanations, and receptive fields."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.engines.shapes import (
    SizeProblem,
    check_size,
    output_size,
    receptive_field,
    valid_paddings,
    valid_strides,
    window_starts,
)
from tutor.quiz.generators.shapes import output_size_problem
from tutor.scenes.conv_sandbox import size_reason


@pytest.mark.parametrize(
    ("w", "k", "s", "p", "expected"),
    [
        (28, 5, 1, 0, 24),  # the seed's first conv layer
        (32, 5, 1, 0, 28),  # LeNet's C1 on the 32x32 input
        (28, 5, 1, 2, 28),  # "same" padding keeps 28
        (28, 2, 2, 0, 14),  # 2x2 pooling, stride 2
        (24, 2, 2, 0, 12),  # pooling after the 24x24 conv
        (14, 5, 1, 0, 10),  # LeNet's C3
        (10, 2, 2, 0, 5),  # LeNet's S4
        (5, 5, 1, 0, 1),  # LeNet's C5
        (7, 3, 2, 1, 4),
        (1, 1, 1, 0, 1),
    ],
)
def test_known_sizes(w: int, k: int, s: int, p: int, expected: int) -> None:
    assert output_size(w, k, s, p) == expected
    check = check_size(w, k, s, p)
    assert check.valid and check.size == expected and check.problem is SizeProblem.NONE and size_reason(check) == ""
    assert check.padded == w + 2 * p


def test_formula_text() -> None:
    assert check_size(28, 5, 1, 2).formula == "(28 - 5 + 2·2)/1 + 1 = 28"
    assert check_size(28, 5, 2, 0).formula == "(28 - 5 + 2·0)/2 + 1 = 12.5"


def test_kernel_larger_than_padded_input() -> None:
    check = check_size(3, 5, 1, 0)
    assert not check.valid and check.size is None
    assert "larger than the 3x3 padded input" in size_reason(check)
    assert "pad by at least 1" in size_reason(check)  # 3 + 2·1 = 5 fits
    with pytest.raises(ValueError, match="does not fit"):
        output_size(3, 5, 1, 0)
    # Padding fixes it.
    assert output_size(3, 5, 1, 1) == 1


def test_stride_that_does_not_divide() -> None:
    check = check_size(28, 5, 2, 0)  # 23 / 2 = 11.5
    assert not check.valid
    assert check.floor_size == 12 and check.leftover == 1
    assert "23/2 is not a whole number" in size_reason(check)
    assert "round down to 12" in size_reason(check)
    # 28 - 5 is odd and 2P is even, so no padding helps with stride 2: only the stride can.
    assert valid_paddings(28, 5, 2) == ()
    assert "P =" not in size_reason(check) and check_size(28, 5, 2, 1).valid is False
    assert valid_strides(28, 5, 0) == (1,)
    assert "S = 1" in size_reason(check)
    with pytest.raises(ValueError, match="not a whole number"):
        output_size(28, 5, 2, 0)


def test_suggested_padding_is_valid() -> None:
    check = check_size(10, 3, 3, 0)  # 7 / 3
    assert not check.valid
    # P = 1 gives 9/3 + 1 = 4
    assert "P = 1" in size_reason(check) and output_size(10, 3, 3, 1) == 4
    assert check.leftover == 1 and check.floor_size == 3


@pytest.mark.parametrize(
    ("w", "k", "s", "p", "words"),
    [
        (0, 3, 1, 0, "at least 1 pixel"),
        (5, 0, 1, 0, "at least 1x1"),
        (5, 3, 0, 0, "stride must be at least 1"),
        (5, 3, -1, 0, "stride must be at least 1"),
        (5, 3, 1, -1, "cannot be negative"),
    ],
)
def test_nonsense_values(w: int, k: int, s: int, p: int, words: str) -> None:
    check = check_size(w, k, s, p)
    assert not check.valid and words in size_reason(check)
    assert size_reason(check).count(". ") == 0 and size_reason(check).endswith(".")  # one sentence
    with pytest.raises(ValueError):
        output_size(w, k, s, p)


def test_receptive_field_with_padding() -> None:
    field = receptive_field(0, 0, 3, 1, 1, width=5)
    assert field.rows == (-1, 2) and field.cols == (-1, 2)
    assert field.padded_rows == (0, 3) and field.padded_cols == (0, 3)
    assert len(field.cells) == 9
    # The top row and the left column are padding: 5 cells.
    assert set(field.padding) == {(-1, -1), (-1, 0), (-1, 1), (0, -1), (1, -1)}
    assert field.real_cells == 4
    # The last output cell of a 5-wide input sees the right/bottom padding.
    last = receptive_field(4, 4, 3, 1, 1, width=5)
    assert last.rows == (3, 6) and (5, 5) in last.padding and len(last.padding) == 5
    # Without the width, right/bottom padding cannot be known.
    assert receptive_field(4, 4, 3, 1, 1).padding == ()


def test_receptive_field_stride() -> None:
    field = receptive_field(1, 2, 2, 2, 0, width=28)
    assert field.rows == (2, 4) and field.cols == (4, 6) and field.padding == ()
    assert field.cells == ((2, 4), (2, 5), (3, 4), (3, 5))


def test_window_starts() -> None:
    assert window_starts(7, 3, 2, 1) == (-1, 1, 3, 5)
    assert window_starts(28, 5, 2, 0)[-1] == 22  # rounded down: the last column 27 is unseen
    assert window_starts(3, 5, 1, 0) == ()


valid_combo = st.tuples(
    st.integers(1, 64), st.integers(1, 11), st.integers(1, 5), st.integers(0, 5)
)


@settings(max_examples=300, deadline=None)
@given(valid_combo)
def test_valid_means_the_last_window_fits_exactly(combo: tuple[int, int, int, int]) -> None:
    w, k, s, p = combo
    check = check_size(w, k, s, p)
    if check.valid:
        n = check.size
        assert n is not None and n >= 1
        last = receptive_field(n - 1, n - 1, k, s, p, width=w)
        # The last window ends exactly on the padded edge, never beyond.
        assert last.padded_cols[1] == w + 2 * p and last.padded_rows[1] == w + 2 * p
        assert last.cols[1] == w + p
        # One more step would leave the padded input.
        assert last.padded_cols[1] + s > w + 2 * p
        assert len(window_starts(w, k, s, p)) == n
    else:
        assert check.problem and size_reason(check) and check.size is None
        with pytest.raises(ValueError):
            output_size(w, k, s, p)


@settings(max_examples=200, deadline=None)
@given(valid_combo)
def test_padding_cells_are_outside_the_input(combo: tuple[int, int, int, int]) -> None:
    w, k, s, p = combo
    starts = window_starts(w, k, s, p)
    for i in (0, len(starts) - 1) if starts else ():
        field = receptive_field(i, i, k, s, p, width=w)
        for r, c in field.cells:
            inside = 0 <= r < w and 0 <= c < w
            assert ((r, c) in field.padding) == (not inside)
        if p == 0:
            assert field.padding == ()


def test_output_size_problem_is_valid_and_seeded() -> None:
    rng = np.random.default_rng(3)
    for seed in range(50):
        problem = output_size_problem(np.random.default_rng(seed))
        v = problem.values
        assert problem.kind == "number"
        assert problem.answer == (v["w"] - v["k"] + 2 * v["p"]) / v["s"] + 1
        assert float(problem.answer).is_integer()
        assert str(v["size"]) in v["formula"]
    a = output_size_problem(np.random.default_rng(7))
    b = output_size_problem(np.random.default_rng(7))
    assert a == b
    assert rng is not None


def test_registered_generators() -> None:
    from tutor.quiz.predict import generate

    problem = generate("shapes.output_size", seed=1)
    assert problem.kind == "number"
    pooled = generate("pooling.maxpool", seed=1)
    assert pooled.kind == "matrix"


def test_engines_load_no_ui() -> None:
    """shapes needs neither NumPy nor the UI; pooling needs NumPy but no Textual or Rich."""
    code = (
        "import json, sys\n"
        "import tutor.engines.shapes as s\n"
        "s.check_size(28, 5, 1, 0)\n"
        "before = 'numpy' in sys.modules\n"
        "import tutor.engines.pooling as p, numpy\n"
        "p.pool2d(numpy.zeros((4, 4)))\n"
        "print(json.dumps([before] + [m in sys.modules for m in ('textual', 'rich', 'cupy')]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [False, False, False, False]
