"""The readable convolution engine: loops against a vectorised reference, the workshop's counts."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from tutor.engines.conv import (
    KERNELS, CellRecord, compare_param_counts, conv2d_loop, conv_cell, conv_multi_channel_loop,
    conv_output_size, conv_steps, param_count_conv, param_count_dense,
)
from tutor.quiz import predict


def reference_conv(image: np.ndarray, kernel: np.ndarray, bias: float = 0.0, stride: int = 1,
                   pad: int = 0) -> np.ndarray:
    """Cross-correlation computed another way: all windows at once, then one einsum."""
    padded = np.pad(np.asarray(image, dtype=np.float64), pad)
    k = kernel.shape[0]
    windows = sliding_window_view(padded, (k, k))[::stride, ::stride]  # (H', W', K, K)
    return np.einsum("ijkl,kl->ij", windows, kernel) + bias


@pytest.mark.parametrize(
    ("size", "k", "stride", "pad"),
    [((28, 28), 5, 1, 0), ((9, 7), 3, 1, 1), ((11, 11), 3, 2, 0), ((10, 10), 5, 1, 2), ((8, 12), 2, 2, 0)],
)
def test_loop_matches_reference(size: tuple[int, int], k: int, stride: int, pad: int) -> None:
    rng = np.random.default_rng(sum(size) + k + stride + pad)
    image = rng.normal(size=size)
    kernel = rng.normal(size=(k, k))
    out = conv2d_loop(image, kernel, bias=0.3, stride=stride, pad=pad)
    expected = reference_conv(image, kernel, 0.3, stride, pad)
    assert out.dtype == np.float64 and out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_worked_example_by_hand() -> None:
    image = np.array([[1, 2, 0, 1],
                      [0, 1, 3, 1],
                      [2, 0, 1, 2],
                      [1, 1, 0, 0]])
    kernel = np.array([[1, 0, -1],
                       [2, 0, -2],
                       [1, 0, -1]])
    # Cell (0, 0): 1*1 + 0*2 + (-1)*0 + 2*0 + 0*1 + (-2)*3 + 1*2 + 0*0 + (-1)*1 = -4
    # Cell (0, 1): 2 - 1 + 2*1 - 2*1 + 0 - 2 = -1
    # Cell (1, 0): 0 - 3 + 2*2 - 2*1 + 1 - 0 = 0
    # Cell (1, 1): 1 - 1 + 0 - 2*2 + 1 - 0 = -3
    out = conv2d_loop(image, kernel, bias=1.0)
    np.testing.assert_array_equal(out, [[-3.0, 0.0], [1.0, -2.0]])
    cell = conv_cell(image, kernel, 0, 0, bias=1.0)
    np.testing.assert_array_equal(cell.window, image[:3, :3])
    np.testing.assert_array_equal(cell.products, [[1, 0, 0], [0, 0, -6], [2, 0, -1]])
    assert cell.total == -4.0 and cell.bias == 1.0 and cell.output == -3.0
    assert (cell.top, cell.left) == (0, 0)


def test_no_flip_cross_correlation() -> None:
    image = np.zeros((3, 3))
    image[0, 0] = 1.0
    kernel = np.arange(9.0).reshape(3, 3)
    # True convolution would flip the kernel and give kernel[2, 2] = 8; deep learning takes kernel[0, 0].
    assert conv2d_loop(image, kernel)[0, 0] == 0.0
    image[0, 0], image[2, 2] = 0.0, 1.0
    assert conv2d_loop(image, kernel)[0, 0] == 8.0


def test_output_size_of_the_workshop() -> None:
    assert conv_output_size(28, 5) == 24  # 28 - 5 + 1
    image = np.random.default_rng(0).random((28, 28))
    assert conv2d_loop(image, KERNELS["blur"]).shape == (24, 24)
    assert conv_output_size(28, 5, pad=2) == 28
    assert conv_output_size(7, 3, stride=2) == 3
    with pytest.raises(ValueError, match="not a whole number"):
        conv_output_size(8, 3, stride=2)
    with pytest.raises(ValueError, match="does not fit"):
        conv_output_size(4, 5)
    with pytest.raises(ValueError, match="must be positive"):
        conv_output_size(8, 3, stride=0)


def test_cell_record_with_padding_and_stride() -> None:
    rng = np.random.default_rng(3)
    image = rng.integers(0, 9, size=(7, 7)).astype(float)
    kernel = rng.integers(-2, 3, size=(3, 3)).astype(float)
    full = conv2d_loop(image, kernel, bias=-0.5, stride=2, pad=1)
    cell = conv_cell(image, kernel, 1, 2, bias=-0.5, stride=2, pad=1)
    assert (cell.top, cell.left) == (1, 3)  # 1*2 - 1, 2*2 - 1
    np.testing.assert_array_equal(cell.window, np.pad(image, 1)[2:5, 4:7])
    assert cell.output == pytest.approx(full[1, 2])
    corner = conv_cell(image, kernel, 0, 0, stride=2, pad=1)
    assert (corner.top, corner.left) == (-1, -1)
    assert corner.window[0].tolist() == [0.0, 0.0, 0.0]  # the padding row
    with pytest.raises(IndexError, match="outside the 4x4"):
        conv_cell(image, kernel, 4, 0, stride=2, pad=1)


def test_cell_record_is_frozen_and_read_only() -> None:
    cell = conv_cell(np.ones((5, 5)), KERNELS["identity"], 0, 0)
    assert isinstance(cell, CellRecord) and cell.output == 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        cell.output = 2.0  # type: ignore[misc]
    with pytest.raises(ValueError):
        cell.products[0, 0] = 5.0


def test_steps_in_reading_order_fill_the_map() -> None:
    rng = np.random.default_rng(1)
    image = rng.random((8, 9))
    kernel = KERNELS["vertical edge"]
    cells = list(conv_steps(image, kernel, bias=0.25))
    assert len(cells) == 4 * 5
    assert [(c.row, c.col) for c in cells[:6]] == [(0, 0), (0, 1), (0, 2), (0, 3), (0, 4), (1, 0)]
    rebuilt = np.array([c.output for c in cells]).reshape(4, 5)
    np.testing.assert_allclose(rebuilt, conv2d_loop(image, kernel, bias=0.25))
    assert all(c.products.shape == (5, 5) and c.total == pytest.approx(c.products.sum()) for c in cells)


def test_multi_channel_is_sum_of_single_channels_plus_one_bias() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 9, 8))
    w = rng.normal(size=(4, 3, 3, 3))
    b = rng.normal(size=4)
    out = conv_multi_channel_loop(x, w, b)
    assert out.shape == (4, 7, 6)
    for f in range(4):
        expected = sum(conv2d_loop(x[c], w[f, c]) for c in range(3)) + b[f]
        np.testing.assert_allclose(out[f], expected, rtol=1e-12)
        ref = sum(reference_conv(x[c], w[f, c]) for c in range(3)) + b[f]
        np.testing.assert_allclose(out[f], ref, rtol=1e-12)
    strided = conv_multi_channel_loop(x[:, :, :7], w, b, stride=2, pad=1)
    assert strided.shape == (4, 5, 4)
    with pytest.raises(ValueError, match="matching C and F"):
        conv_multi_channel_loop(x, w[:, :2], b)


def test_multi_channel_matches_fast_layer() -> None:
    layers = pytest.importorskip("tutor.engines.layers")
    conv_forward = getattr(layers, "conv_forward", None)
    if conv_forward is None:
        pytest.skip("tutor.engines.layers has no conv_forward yet")
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 10, 10))
    w = rng.normal(size=(3, 2, 5, 5))
    b = rng.normal(size=3)
    for stride, pad in ((1, 0), (1, 2), (1, 1)):
        fast, _ = conv_forward(x[None].astype(np.float64), w, b, stride=stride, pad=pad)
        slow = conv_multi_channel_loop(x, w, b, stride=stride, pad=pad)
        np.testing.assert_allclose(np.asarray(fast)[0], slow, rtol=1e-10, atol=1e-10)


def test_kernels_are_five_by_five_and_documented() -> None:
    for name in ("vertical edge", "horizontal edge", "blur", "sharpen", "identity"):
        assert KERNELS[name].shape == (5, 5)
    assert KERNELS["blur"].sum() == pytest.approx(1.0)
    np.testing.assert_array_equal(KERNELS["horizontal edge"], KERNELS["vertical edge"].T)
    assert KERNELS["sharpen"].sum() == 1.0
    # On a flat patch the edge kernels give 0 and the identity the pixel itself.
    flat = np.full((5, 5), 0.7)
    assert conv2d_loop(flat, KERNELS["vertical edge"])[0, 0] == 0.0
    assert conv2d_loop(flat, KERNELS["identity"])[0, 0] == pytest.approx(0.7)
    # A step from background (left) to ink (right) excites the vertical-edge kernel: 5 rows of 1+1.
    step = np.zeros((5, 5))
    step[:, 3:] = 1.0
    assert conv2d_loop(step, KERNELS["vertical edge"])[0, 0] == 10.0
    assert conv2d_loop(step, KERNELS["horizontal edge"])[0, 0] == 0.0
    with pytest.raises(ValueError):
        KERNELS["blur"][0, 0] = 1.0


def test_parameter_counts_of_the_workshop() -> None:
    assert param_count_conv(1, 5) == 26  # 5*5 weights + 1 bias
    assert param_count_conv(20, 5) == 520
    assert param_count_dense(784, 30) == 23_550  # 784*30 + 30
    assert param_count_conv(6, 5, channels=1) == 156  # LeNet's C1
    assert param_count_conv(16, 5, channels=6) == 2_416  # LeNet's C3
    comparison = compare_param_counts()
    assert (comparison.per_map, comparison.conv_total, comparison.dense_total) == (26, 520, 23_550)
    assert comparison.dense_total > 40 * comparison.conv_total == 20_800
    assert comparison.ratio == pytest.approx(23_550 / 520)
    assert isinstance(comparison.conv_total, int) and isinstance(comparison.dense_total, int)


def test_cell_output_generator_is_seeded_and_right() -> None:
    first = predict.generate("conv.cell_output", seed=11)
    again = predict.generate("conv.cell_output", seed=11)
    assert first.values == again.values and first.answer == again.answer
    assert first.kind == "number"
    image = np.array([[int(v) for v in line.split()] for line in str(first.values["image"]).splitlines()])
    kernel = np.array([[int(v) for v in line.split()] for line in str(first.values["kernel"]).splitlines()])
    assert image.shape == (5, 5) and kernel.shape == (3, 3)
    r, c, b = int(first.values["row"]), int(first.values["col"]), int(first.values["bias"])
    expected = float((image[r:r + 3, c:c + 3] * kernel).sum() + b)
    assert first.answer == expected == float(first.values["answer"])
    answers = {predict.generate("conv.cell_output", seed=s).answer for s in range(20)}
    assert len(answers) > 3  # the numbers really change


def test_param_count_generator() -> None:
    for seed in range(10):
        problem = predict.generate("conv.param_count", seed=seed)
        v = problem.values
        assert problem.answer == int(v["filters"]) * (int(v["channels"]) * int(v["kernel"]) ** 2 + 1)
        assert v["per_map"] == int(v["channels"]) * int(v["kernel"]) ** 2 + 1


def test_engine_loads_no_ui(tmp_path) -> None:
    import json
    import os
    import subprocess
    import sys

    code = (
        "import sys, json, numpy\n"
        "from tutor.engines.conv import conv2d_loop, KERNELS\n"
        "from tutor.quiz.generators.conv import cell_output_problem\n"
        "conv2d_loop(numpy.ones((28, 28)), KERNELS['blur'])\n"
        "cell_output_problem(numpy.random.default_rng(0))\n"
        "print(json.dumps([m for m in ('textual', 'rich') if m in sys.modules]))\n"
    )
    env = dict(os.environ, DL_TUTOR_HOME=str(tmp_path), DL_TUTOR_BACKEND="numpy")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                            cwd=str(__import__("pathlib").Path(__file__).resolve().parent.parent), timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
