"""Tests for tutor.engines.activations: every derivative against a central difference in
float64 (away from kinks), softmax (sums to 1, shift-invariant, stable where the naive one
overflows), the seed's cross-entropy number, the softmax + cross-entropy gradient, and the
backprop.softmax_loss predict generator."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from tutor.engines.activations import (
    CLASS_NAMES,
    FUNCTIONS,
    Activation,
    cross_entropy,
    elu,
    elu_grad,
    leaky_relu,
    leaky_relu_grad,
    maxout,
    maxout_grad,
    onehot,
    relu,
    saturation_profile,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_cross_entropy_grad,
    softmax_naive,
    step,
    step_grad,
    tanh,
)
from tutor.quiz.generators.activations import softmax_loss_problem
from tutor.quiz.predict import Generated, generate

H = 1e-6
#: Points away from every kink (0) where the central difference is exact enough.
XS = np.array([-6.0, -3.2, -1.5, -0.7, -0.05, 0.05, 0.3, 1.0, 2.5, 5.9])


def central(f, x: np.ndarray, h: float = H) -> np.ndarray:
    """Central difference of an elementwise function at x (float64)."""
    return (f(x + h) - f(x - h)) / (2 * h)


# --------------------------------------------------------------------------- activations


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_every_derivative_matches_a_central_difference(name: str) -> None:
    a = FUNCTIONS[name]
    assert isinstance(a, Activation) and a.name == name
    np.testing.assert_allclose(a.df(XS), central(a.f, XS), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("slope", [0.01, 0.1, 0.3])
def test_leaky_relu_derivative_with_other_slopes(slope: float) -> None:
    np.testing.assert_allclose(
        leaky_relu_grad(XS, slope), central(lambda x: leaky_relu(x, slope), XS), rtol=1e-6
    )


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0])
def test_elu_derivative_with_other_alphas(alpha: float) -> None:
    np.testing.assert_allclose(
        elu_grad(XS, alpha), central(lambda x: elu(x, alpha), XS), rtol=1e-6, atol=1e-9
    )


def test_values_at_known_points() -> None:
    assert float(sigmoid(0.0)) == 0.5
    assert float(sigmoid_grad(0.0)) == 0.25
    assert float(tanh(0.0)) == 0.0
    assert sigmoid(2.0) == pytest.approx(1 / (1 + math.exp(-2)))
    np.testing.assert_array_equal(relu([-1.0, 0.0, 2.0]), [0.0, 0.0, 2.0])
    np.testing.assert_array_equal(step([-1.0, 0.0, 2.0]), [0.0, 1.0, 1.0])
    np.testing.assert_array_equal(step_grad([-1.0, 0.0, 2.0]), [0.0, 0.0, 0.0])
    assert float(FUNCTIONS["relu"].df(0.0)) == 0.0  # the kink: left derivative
    assert float(leaky_relu(-2.0)) == pytest.approx(-0.2)
    assert float(elu(-50.0)) == pytest.approx(-1.0)


def test_activations_never_overflow_or_warn() -> None:
    big = np.array([-1e4, -800.0, 800.0, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for a in FUNCTIONS.values():
            assert np.isfinite(a.f(big)).all() and np.isfinite(a.df(big)).all(), a.name
    np.testing.assert_array_equal(sigmoid(big), [0.0, 0.0, 1.0, 1.0])


def test_activations_keep_shapes() -> None:
    x = np.linspace(-3, 3, 12).reshape(3, 4)
    for a in FUNCTIONS.values():
        assert a.f(x).shape == (3, 4) and a.df(x).shape == (3, 4)


def test_activation_texts_are_one_line() -> None:
    for a in FUNCTIONS.values():
        for text in (a.formula, a.range):
            assert text and "\n" not in text
        assert a.range_text == a.range


def test_saturation_profile_shows_vanishing_gradients() -> None:
    xs = np.linspace(-6, 6, 121)
    s = saturation_profile("sigmoid", xs)
    assert s.max() == pytest.approx(0.25) and s[0] < 0.003 and s[-1] < 0.003
    assert (saturation_profile("relu", xs[xs > 0]) == 1).all()
    with pytest.raises(KeyError, match="known"):
        saturation_profile("swish", xs)


def test_maxout_and_its_derivative() -> None:
    w1, b1, w2, b2 = 1.0, 0.0, -0.5, 1.0  # lines cross at x = 2/3
    xs = np.array([-2.0, 0.0, 0.5, 1.0, 3.0])
    np.testing.assert_allclose(maxout(xs, w1, b1, w2, b2), np.maximum(xs, 1 - 0.5 * xs))
    np.testing.assert_allclose(
        maxout_grad(xs, w1, b1, w2, b2), central(lambda x: maxout(x, w1, b1, w2, b2), xs)
    )


# --------------------------------------------------------------------------- softmax


def test_softmax_sums_to_one_for_vectors_and_batches() -> None:
    rng = np.random.default_rng(0)
    z = rng.normal(size=5)
    assert softmax(z).sum() == pytest.approx(1.0)
    assert (softmax(z) > 0).all()
    batch = rng.normal(size=(7, 4)) * 5
    p = softmax(batch)
    assert p.shape == (7, 4)
    np.testing.assert_allclose(p.sum(axis=1), np.ones(7))
    np.testing.assert_allclose(p[3], softmax(batch[3]))


def test_softmax_is_shift_invariant() -> None:
    z = np.array([1.0, 2.0, 0.5])
    for c in (-100.0, -3.0, 0.7, 50.0):
        np.testing.assert_allclose(softmax(z + c), softmax(z), atol=1e-15)


def test_softmax_is_stable_where_the_naive_one_overflows() -> None:
    z = [1000.0, 1001.0, 999.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(z)
        naive = softmax_naive(z)
    np.testing.assert_allclose(p, softmax([1.0, 2.0, 0.0]))
    assert np.isfinite(p).all() and p.sum() == pytest.approx(1.0)
    assert not np.isfinite(naive).all()
    np.testing.assert_allclose(softmax_naive([1.0, 2.0, 0.5]), softmax([1.0, 2.0, 0.5]))


def test_seed_cross_entropy() -> None:
    p = [0.228, 0.619, 0.153]
    # -ln 0.619 = 0.47965...: the seed writes it cut to 3 decimals, 0.479.
    assert math.floor(cross_entropy(p, 1) * 1000) / 1000 == 0.479
    assert cross_entropy(p, 1) == pytest.approx(0.479, abs=1e-3)
    assert cross_entropy(p, 1) == pytest.approx(-math.log(0.619))
    assert type(cross_entropy(p, 1)) is float
    assert math.isfinite(cross_entropy([1.0, 0.0, 0.0], 1))


def test_batch_cross_entropy_is_the_mean() -> None:
    p = softmax(np.array([[1.0, 2.0, 0.5], [0.0, 0.0, 3.0]]))
    y = [1, 0]
    assert cross_entropy(p, y) == pytest.approx((cross_entropy(p[0], 1) + cross_entropy(p[1], 0)) / 2)


def test_softmax_cross_entropy_gradient_is_p_minus_y() -> None:
    z = np.array([1.0, 2.0, 0.5])
    for y in range(3):
        g = softmax_cross_entropy_grad(z, y)
        np.testing.assert_allclose(g, softmax(z) - onehot(y, 3))
        numeric = np.array([
            (cross_entropy(softmax(z + H * e), y) - cross_entropy(softmax(z - H * e), y)) / (2 * H)
            for e in np.eye(3)
        ])
        np.testing.assert_allclose(g, numeric, atol=1e-8)
        assert g.sum() == pytest.approx(0.0, abs=1e-15)


def test_batch_softmax_cross_entropy_gradient_matches_finite_differences() -> None:
    rng = np.random.default_rng(3)
    z = rng.normal(size=(4, 3))
    y = np.array([0, 2, 1, 1])
    g = softmax_cross_entropy_grad(z, y)
    numeric = np.zeros_like(z)
    for idx in np.ndindex(*z.shape):
        e = np.zeros_like(z)
        e[idx] = H
        numeric[idx] = (cross_entropy(softmax(z + e), y) - cross_entropy(softmax(z - e), y)) / (2 * H)
    np.testing.assert_allclose(g, numeric, atol=1e-8)


def test_onehot() -> None:
    np.testing.assert_array_equal(onehot(1, 3), [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(onehot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])


# --------------------------------------------------------------------------- the generator

SEEDS = range(200)
FIELDS = {"z1", "z2", "z3", "cls", "p1", "p2", "p3", "loss"}


def test_softmax_loss_generator_is_registered_and_deterministic() -> None:
    for seed in SEEDS:
        first = softmax_loss_problem(np.random.default_rng(seed))
        again = softmax_loss_problem(np.random.default_rng(seed))
        assert first == again, seed
        assert isinstance(first, Generated)
        assert first.kind == "number" and first.tolerance == 5e-3
        assert set(first.values) == FIELDS
        assert type(first.answer) is float
    for seed in (0, 1, 17, 199):
        assert generate("backprop.softmax_loss", seed) == softmax_loss_problem(
            np.random.default_rng(seed)
        )
    distinct = {repr(sorted(softmax_loss_problem(np.random.default_rng(s)).values.items())) for s in SEEDS}
    assert len(distinct) > 50


def test_softmax_loss_generator_agrees_with_the_engine() -> None:
    classes = set()
    for seed in SEEDS:
        g = softmax_loss_problem(np.random.default_rng(seed))
        v = g.values
        z = [float(v[k]) for k in ("z1", "z2", "z3")]
        assert all(zi == int(zi) and -2 <= zi <= 3 for zi in z) and len(set(z)) > 1
        cls = CLASS_NAMES.index(v["cls"])
        classes.add(cls)
        p = softmax(z)
        assert [v[k] for k in ("p1", "p2", "p3")] == [f"{pi:.3f}" for pi in p]
        loss = -math.log(p[cls])
        assert g.answer == round(loss, 3)
        assert v["loss"] == f"{g.answer:.3f}"
        # Working from the shown (rounded) probability stays within the tolerance.
        assert abs(-math.log(float(v[f"p{cls + 1}"])) - g.answer) <= g.tolerance
    assert classes == {0, 1, 2}


def test_one_softmax_for_lessons_and_layers() -> None:
    """The training layers use this softmax; it keeps a float32 batch float32 and never overflows."""
    from tutor.engines import layers

    assert layers.softmax is softmax
    logits = np.array([[1000.0, 1001.0, 999.0], [0.0, 1.0, 2.0]], dtype=np.float32)
    p = softmax(logits)
    assert p.dtype == np.float32 and np.isfinite(p).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)
    assert softmax([1, 2, 3]).dtype == np.float64
