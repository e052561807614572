"""The fast layers (tutor.engines.layers) against naive loops and numerical gradients in float64."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tutor.engines import layers as L


def naive_conv(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int, pad: int) -> np.ndarray:
    """Six nested loops: out[n, f, i, j] = b[f] + sum over c, u, v of w[f, c, u, v] x[n, c, iS+u, jS+v]."""
    n, c, h, wd = x.shape
    f, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho, wo = (h - k + 2 * pad) // stride + 1, (wd - k + 2 * pad) // stride + 1
    out = np.zeros((n, f, ho, wo))
    for a in range(n):
        for g in range(f):
            for i in range(ho):
                for j in range(wo):
                    window = xp[a, :, i * stride : i * stride + k, j * stride : j * stride + k]
                    out[a, g, i, j] = (window * w[g]).sum() + b[g]
    return out


@pytest.mark.parametrize("stride,pad", [(1, 0), (1, 2), (2, 1), (3, 0)])
def test_conv_forward_matches_the_loop(stride: int, pad: int) -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 9, 9))
    w = rng.normal(size=(4, 3, 3, 3))
    b = rng.normal(size=4)
    out, _ = L.conv_forward(x, w, b, stride, pad)
    np.testing.assert_allclose(out, naive_conv(x, w, b, stride, pad), atol=1e-12)


def test_output_size_formula_and_errors() -> None:
    assert L.output_size(28, 5) == 24
    assert L.output_size(32, 5) == 28
    assert L.output_size(28, 5, 1, 2) == 28
    assert L.output_size(28, 2, 2) == 14
    assert L.output_size(5, 5) == 1
    with pytest.raises(ValueError, match="does not fit"):
        L.output_size(4, 5)
    with pytest.raises(ValueError, match="whole number"):
        L.output_size(28, 5, 2)
    with pytest.raises(ValueError, match="positive"):
        L.output_size(28, 0)


def _check(analytic: np.ndarray, numeric: np.ndarray) -> None:
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("stride,pad", [(1, 0), (1, 1), (2, 1)])
def test_conv_backward_against_numerical_gradients(stride: int, pad: int) -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 2, 7, 7))
    w = rng.normal(size=(3, 2, 3, 3))
    b = rng.normal(size=3)
    out, cache = L.conv_forward(x, w, b, stride, pad)
    dout = rng.normal(size=out.shape)
    dx, dw, db = L.conv_backward(dout, cache)

    def f() -> float:
        return float((L.conv_forward(x, w, b, stride, pad)[0] * dout).sum())

    _check(dx, L.numerical_gradient(f, x))
    _check(dw, L.numerical_gradient(f, w))
    _check(db, L.numerical_gradient(f, b))
    assert L.conv_backward(dout, cache, need_dx=False)[0] is None


@pytest.mark.parametrize("pool", ["avg", "max"])
def test_pooling_forward_and_backward(pool: str) -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 3, 6, 8))
    forward = L.avgpool_forward if pool == "avg" else L.maxpool_forward
    backward = L.avgpool_backward if pool == "avg" else L.maxpool_backward
    out, cache = forward(x)
    tiles = x.reshape(2, 3, 3, 2, 4, 2)
    expected = tiles.mean(axis=(3, 5)) if pool == "avg" else tiles.max(axis=(3, 5))
    np.testing.assert_allclose(out, expected)
    dout = rng.normal(size=out.shape)
    dx = backward(dout, cache)

    def f() -> float:
        return float((forward(x)[0] * dout).sum())

    _check(dx, L.numerical_gradient(f, x))


def test_maxpool_hand_example_and_ties() -> None:
    x = np.array([[[[1, 3, 2, 2], [4, 2, 0, 1], [5, 6, 7, 8], [1, 1, 9, 0]]]], dtype=float)
    out, cache = L.maxpool_forward(x)
    assert out[0, 0].tolist() == [[4, 2], [6, 9]]
    dx = L.maxpool_backward(np.ones_like(out), cache)
    # The window [[2, 2], [0, 1]] ties: only the first 2 (reading order) gets the gradient.
    assert dx[0, 0].tolist() == [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]


def test_pooling_refuses_maps_that_do_not_tile() -> None:
    with pytest.raises(ValueError, match="does not split"):
        L.avgpool_forward(np.zeros((1, 1, 5, 4)))


def test_dense_and_activations_against_numerical_gradients() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(5, 4))
    w = rng.normal(size=(4, 3))
    b = rng.normal(size=3)
    for name in L.ACTIVATIONS:
        dout = rng.normal(size=(5, 3))

        def f() -> float:
            z, _ = L.dense_forward(x, w, b)
            return float((L.activation_forward(name, z)[0] * dout).sum())

        z, dcache = L.dense_forward(x, w, b)
        y, acache = L.activation_forward(name, z)
        dx, dw, db = L.dense_backward(L.activation_backward(name, dout, acache), dcache)
        _check(dx, L.numerical_gradient(f, x))
        _check(dw, L.numerical_gradient(f, w))
        _check(db, L.numerical_gradient(f, b))


def test_inplace_activation_gives_the_same_values() -> None:
    x = np.linspace(-3, 3, 13)
    for name in L.ACTIVATIONS:
        expected, _ = L.activation_forward(name, x.copy())
        out, _ = L.activation_forward(name, x.copy(), inplace=True)
        np.testing.assert_allclose(out, expected)
    with pytest.raises(ValueError, match="unknown activation"):
        L.activation_forward("swish", x)


def test_softmax_cross_entropy_the_seed_example() -> None:
    # The workshop's example: true class B, predicted (0.228, 0.619, 0.153) -> loss 0.479
    # (-ln 0.619 = 0.47965..., which the workshop writes cut to three decimals).
    logits = np.log(np.array([[0.228, 0.619, 0.153]]))
    loss, probs, _ = L.softmax_cross_entropy(logits, np.array([1]))
    assert math.floor(loss * 1000) / 1000 == 0.479
    np.testing.assert_allclose(probs, [[0.228, 0.619, 0.153]], atol=1e-12)


def test_softmax_cross_entropy_gradient_and_overflow() -> None:
    rng = np.random.default_rng(5)
    logits = rng.normal(size=(4, 10))
    labels = np.array([0, 3, 9, 3])
    _, _, d = L.softmax_cross_entropy(logits, labels)

    def f() -> float:
        return L.softmax_cross_entropy(logits, labels)[0]

    _check(d, L.numerical_gradient(f, logits))
    big = np.array([[1000.0, 0.0, -1000.0]])
    loss, probs, _ = L.softmax_cross_entropy(big, np.array([0]))
    assert math.isfinite(loss) and loss == pytest.approx(0.0)
    assert np.isfinite(L.softmax(big)).all()
