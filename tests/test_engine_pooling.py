"""The teaching pooling engine: hand examples, max positions, shifts, and the fast layers."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from tutor.engines.pooling import (
    VERTICAL_EDGE,
    compare_pooled,
    pool2d,
    pool_steps,
    pooled_size,
    shift_image,
    vertical_edge_map,
)
from tutor.quiz.generators.pooling import maxpool_problem

HAND = np.array(
    [
        [1, 1, 2, 4],
        [5, 6, 7, 8],
        [3, 2, 1, 0],
        [1, 2, 3, 4],
    ],
    dtype=float,
)
"""The classic max-pooling example: 2x2 windows, stride 2 give [[6, 8], [3, 4]]."""


def test_hand_example_max() -> None:
    result = pool2d(HAND, 2, 2, "max")
    assert result.output.tolist() == [[6.0, 8.0], [3.0, 4.0]]
    assert result.positions is not None
    assert result.positions.tolist() == [[[1, 1], [1, 3]], [[2, 0], [3, 3]]]


def test_hand_example_avg() -> None:
    result = pool2d(HAND, 2, 2, "avg")
    assert result.output.tolist() == [[3.25, 5.25], [2.0, 2.0]]
    assert result.positions is None


def test_ties_take_the_first_in_reading_order() -> None:
    result = pool2d(np.array([[0.0, 3.0], [3.0, 3.0]]), 2, 2, "max")
    assert result.positions.tolist() == [[[0, 1]]]


def test_24_to_12_and_values() -> None:
    rng = np.random.default_rng(0)
    feature = rng.normal(size=(24, 24))
    result = pool2d(feature, 2, 2, "max")
    assert result.output.shape == (12, 12)
    blocks = feature.reshape(12, 2, 12, 2)
    assert np.array_equal(result.output, blocks.max(axis=(1, 3)))
    avg = pool2d(feature, 2, 2, "avg").output
    assert np.allclose(avg, blocks.mean(axis=(1, 3)))
    # Each recorded position holds its window's maximum and lies inside that window.
    for i in range(12):
        for j in range(12):
            r, c = result.positions[i, j]
            assert feature[r, c] == result.output[i, j]
            assert 2 * i <= r < 2 * i + 2 and 2 * j <= c < 2 * j + 2


def test_steps_walk_row_by_row() -> None:
    steps = list(pool_steps(HAND, 2, 2, "max"))
    assert [(s.out_row, s.out_col) for s in steps] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert [s.index for s in steps] == [0, 1, 2, 3]
    second = steps[1]
    assert second.rows == (0, 2) and second.cols == (2, 4)
    assert second.window.tolist() == [[2.0, 4.0], [7.0, 8.0]]
    assert second.value == 8.0 and second.position == (1, 3)
    avg_steps = list(pool_steps(HAND, 2, 2, "avg"))
    assert avg_steps[0].value == 3.25 and avg_steps[0].position is None


def test_overlapping_and_odd_sizes() -> None:
    assert pooled_size(24) == 12 and pooled_size(5, 2, 2) == 2  # the last row is dropped
    assert pooled_size(5, 3, 1) == 3
    result = pool2d(np.arange(25.0).reshape(5, 5), 3, 1, "max")
    assert result.output.tolist() == [[12, 13, 14], [17, 18, 19], [22, 23, 24]]
    with pytest.raises(ValueError, match="does not fit"):
        pooled_size(1, 2, 2)
    with pytest.raises(ValueError, match="'max' or 'avg'"):
        list(pool_steps(HAND, 2, 2, "median"))
    with pytest.raises(ValueError, match="2-D"):
        pool2d(np.zeros((2, 2, 2)))


def test_shift_image() -> None:
    image = np.arange(16).reshape(4, 4)
    right = shift_image(image, 0, 1)
    assert right[:, 0].tolist() == [0, 0, 0, 0]
    assert np.array_equal(right[:, 1:], image[:, :3])
    up = shift_image(image, -1, 0)
    assert np.array_equal(up[:3], image[1:]) and up[3].tolist() == [0, 0, 0, 0]
    both = shift_image(image, 2, -2)
    assert both[2, 0] == image[0, 2] and both[0].sum() == 0
    assert shift_image(image, 0, 9).sum() == 0
    assert np.array_equal(shift_image(image, 0, 0), image)
    assert shift_image(image.astype(np.uint8), 1, 1).dtype == np.uint8


def test_vertical_edge_map() -> None:
    assert VERTICAL_EDGE.shape == (5, 5) and VERTICAL_EDGE.sum() == 0
    image = np.zeros((28, 28), dtype=np.uint8)
    image[:, 14:] = 255  # a dark-to-bright edge down the middle
    feature = vertical_edge_map(image)
    assert feature.shape == (24, 24)
    # The window starting at column c covers columns c..c+4: the response peaks when the
    # edge falls between its second and fourth column.
    assert np.allclose(feature[:, 11], 1.0)
    assert np.allclose(feature[:, :9], 0.0) and np.allclose(feature[:, 14:], 0.0)
    signed = vertical_edge_map(255 - image, relu=False)
    assert signed.min() == pytest.approx(-1.0)
    assert vertical_edge_map(255 - image).min() == 0.0


def test_compare_identical_and_shifted() -> None:
    image = np.zeros((28, 28))
    image[6:22, 8:10] = 1.0  # a vertical bar
    base = vertical_edge_map(image)
    same = compare_pooled(base, base)
    assert same.unchanged == same.cells == 144 and same.similarity == pytest.approx(1.0)
    assert same.active_share == 1.0
    shifted = compare_pooled(base, vertical_edge_map(shift_image(image, 0, 1)))
    # Before pooling every active cell of a one-pixel-shifted bar changes...
    assert shifted.raw_active_unchanged < shifted.raw_active
    # ...after max pooling the similarity is higher than before.
    assert shifted.similarity > shifted.raw_similarity
    with pytest.raises(ValueError, match="one shape"):
        compare_pooled(base, base[:-2])


def test_max_pooling_survives_a_shift_on_real_digits() -> None:
    """On real MNIST digits a one-pixel shift changes pooled maps less than raw ones."""
    from tutor.engines import mnist

    try:
        digits = mnist.load_digits()
    except Exception as exc:  # pragma: no cover - data missing on this machine
        pytest.skip(f"MNIST not available: {exc}")
    raw, pooled = [], []
    for image in digits.train_images[:20]:
        comparison = compare_pooled(vertical_edge_map(image), vertical_edge_map(shift_image(image, 0, 1)))
        raw.append(comparison.raw_similarity)
        pooled.append(comparison.similarity)
    assert np.mean(pooled) > np.mean(raw) + 0.03


def test_maxpool_problem() -> None:
    problem = maxpool_problem(np.random.default_rng(4))
    assert problem.kind == "matrix"
    matrix = np.array([[int(v) for v in line.split()] for line in problem.values["matrix"].splitlines()])
    assert matrix.shape == (4, 4)
    expected = matrix.reshape(2, 2, 2, 2).max(axis=(1, 3))
    assert np.array_equal(np.array(problem.answer), expected)
    assert problem.values["result"] == "; ".join(" ".join(str(v) for v in row) for row in expected)
    avg = maxpool_problem(np.random.default_rng(4), kind="avg")
    assert np.allclose(np.array(avg.answer), matrix.reshape(2, 2, 2, 2).mean(axis=(1, 3)))
    assert maxpool_problem(np.random.default_rng(9)) == maxpool_problem(np.random.default_rng(9))
    with pytest.raises(ValueError):
        maxpool_problem(np.random.default_rng(0), kind="sum")


def test_problem_answer_grades() -> None:
    from tutor.quiz.grade import Problem, grade

    problem = maxpool_problem(np.random.default_rng(2))
    asked = Problem("q", "matrix", "", (), problem.answer, 1e-6, "", ())
    assert grade(asked, problem.values["result"]).status == "correct"


@pytest.mark.skipif(importlib.util.find_spec("tutor.engines.layers") is None, reason="no fast layers yet")
def test_agrees_with_the_fast_layers() -> None:
    layers = pytest.importorskip("tutor.engines.layers")
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 24, 24)).astype(np.float32)
    fast_max, cache = layers.maxpool_forward(x, 2)
    fast_avg, _ = layers.avgpool_forward(x, 2)
    assert fast_max.shape == (2, 3, 12, 12)
    for n in range(2):
        for c in range(3):  # each feature map on its own
            slow = pool2d(x[n, c], 2, 2, "max")
            assert np.allclose(fast_max[n, c], slow.output)
            assert np.allclose(fast_avg[n, c], pool2d(x[n, c], 2, 2, "avg").output, atol=1e-6)
    # The fast layer's winners are our positions: index u * 2 + v inside each window.
    winner = cache[-1]
    slow = pool2d(x[0, 0], 2, 2, "max").positions
    rows, cols = np.mgrid[:12, :12]
    assert np.array_equal(winner[0, 0], (slow[..., 0] - 2 * rows) * 2 + (slow[..., 1] - 2 * cols))
