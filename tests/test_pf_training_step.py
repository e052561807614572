"""The NumPy training step (`tutor.engines.model.TrainingStep`) against the plain forward/backward.

`Model.loss_and_grads` takes the buffered, cache-blocked step on NumPy for convolutional
networks; these tests pin it to the readable path (`forward(train=True)` + `backward`), which the
gradient checks in test_engine_model.py already pin to finite differences.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from tutor.engines import layers as L
from tutor.engines import model as M
from tutor.engines import training_step
from tutor.engines.model import LENET5, Conv, Dense, Flatten, Model, ModelSpec, Pool, TrainingStep


def _reference(model: Model, x, labels):
    first = model.forward(x, train=True)
    loss, probs, dscores = L.softmax_cross_entropy_device(first.scores, labels)
    return loss, probs, model.backward(dscores, first)


def _batch(n: int, seed: int, shape=(1, 28, 28)):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, *shape)), rng.integers(0, 10, size=n)


def _assert_same(got, want, rtol: float) -> None:
    loss, probs, grads = got
    loss2, probs2, grads2 = want
    assert float(loss) == pytest.approx(float(loss2), rel=rtol)
    np.testing.assert_allclose(probs, probs2, rtol=rtol, atol=1e-12)
    assert set(grads) == set(grads2)
    for name in grads2:
        assert grads[name].shape == grads2[name].shape and grads[name].dtype == grads2[name].dtype, name
        np.testing.assert_allclose(grads[name], grads2[name], rtol=rtol, atol=rtol * np.abs(grads2[name]).max(), err_msg=name)


@pytest.mark.parametrize("n", [1, 5, 32])
def test_lenet_step_matches_forward_backward_in_float64(n: int) -> None:
    model = Model(LENET5, seed=2, dtype=np.float64)
    x, labels = _batch(n, n)
    assert model._steps_apply(x)  # the fast path is the one under test
    _assert_same(model.loss_and_grads(x, labels), _reference(model, x, labels), rtol=1e-10)


def test_lenet_step_in_float32_agrees_to_rounding() -> None:
    model = Model(LENET5, seed=3)
    x, labels = _batch(16, 7)
    x = x.astype(np.float32)
    _assert_same(model.loss_and_grads(x, labels), _reference(model, x, labels), rtol=2e-5)


@pytest.mark.parametrize("block_bytes", [1, 4096, 1 << 30])
def test_any_block_size_gives_the_same_gradients(monkeypatch, block_bytes: int) -> None:
    """Blocks of one output position, of part of a row, of several rows, or one block for all."""
    monkeypatch.setattr(training_step, "BLOCK_BYTES", block_bytes)
    model = Model(LENET5, seed=4, dtype=np.float64)
    x, labels = _batch(3, 11)
    _assert_same(model.loss_and_grads(x, labels), _reference(model, x, labels), rtol=1e-10)


def test_other_networks_strides_pads_and_activations() -> None:
    spec = ModelSpec(
        name="odd",
        input_shape=(2, 11, 11),
        layers=(
            Conv("A", filters=3, kernel=3, stride=2, pad=1, activation="relu"),  # 11 -> 6
            Pool("P", "avg", size=3),  # 6 -> 2
            Conv("B", filters=4, kernel=2, activation="sigmoid"),  # 2 -> 1: a dense-like convolution
            Flatten("flatten"),
            Dense("D", 5, activation="tanh"),
            Dense("output", 10, activation="linear"),
        ),
    )
    assert TrainingStep.supports(spec)
    model = Model(spec, seed=5, dtype=np.float64)
    x, labels = _batch(4, 3, shape=(2, 11, 11))
    _assert_same(model.loss_and_grads(x, labels), _reference(model, x, labels), rtol=1e-10)


def test_unsupported_networks_take_the_plain_path() -> None:
    max_pool = ModelSpec("m", (1, 8, 8), (Conv("A", 2, 3), Pool("P", "max"), Flatten(), Dense("output", 10, "linear")))
    assert not TrainingStep.supports(max_pool)
    assert not TrainingStep.supports(M.mlp_spec(30, "sigmoid"))
    model = Model(max_pool, seed=1, dtype=np.float64)
    x, labels = _batch(2, 1, shape=(1, 8, 8))
    assert not model._steps_apply(x)
    _assert_same(model.loss_and_grads(x, labels), _reference(model, x, labels), rtol=1e-12)


def test_results_are_new_arrays_every_call() -> None:
    """The buffers are reused, but nothing returned aliases them: a kept result stays put."""
    model = Model(LENET5, seed=6, dtype=np.float64)
    x1, y1 = _batch(4, 1)
    x2, y2 = _batch(4, 2)
    loss1, probs1, grads1 = model.loss_and_grads(x1, y1)
    kept = {name: g.copy() for name, g in grads1.items()}
    probs_kept = probs1.copy()
    model.loss_and_grads(x2, y2)
    for name in kept:
        np.testing.assert_array_equal(grads1[name], kept[name], err_msg=name)
    np.testing.assert_array_equal(probs1, probs_kept)


def test_batch_sizes_change_between_calls() -> None:
    """An epoch's last batch is often smaller: each size gets its own buffers."""
    model = Model(LENET5, seed=7, dtype=np.float64)
    for n in (6, 2, 6, 3, 1, 6):
        x, labels = _batch(n, 10 + n)
        _assert_same(model.loss_and_grads(x, labels), _reference(model, x, labels), rtol=1e-10)


def test_threads_sharing_a_model_get_their_own_buffers() -> None:
    model = Model(LENET5, seed=8, dtype=np.float64)
    batches = [_batch(4, 20 + i) for i in range(4)]
    expected = [_reference(model, x, y)[2] for x, y in batches]
    errors: list[str] = []

    def work(i: int) -> None:
        x, y = batches[i]
        for _ in range(20):
            grads = model.loss_and_grads(x, y)[2]
            for name, value in expected[i].items():
                if not np.allclose(grads[name], value, rtol=1e-10, atol=1e-14):
                    errors.append(f"thread {i}: {name}")
                    return

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_one_training_run_learns_the_same_with_either_path(monkeypatch) -> None:
    """Ten SGD steps through each path end at the same weights (float64)."""
    from tutor.engines.optim import SGD

    def train(fast: bool) -> dict:
        model = Model(LENET5, seed=9, dtype=np.float64)
        if not fast:
            monkeypatch.setattr(model, "_steps_apply", lambda x: False)
        opt = SGD(model.params, lr=0.05)
        for step in range(10):
            x, y = _batch(8, 100 + step)
            opt.step(model.loss_and_grads(x, y)[2])
        return model.state()

    fast, plain = train(True), train(False)
    for name in plain:
        np.testing.assert_allclose(fast[name], plain[name], rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("n", [8, 9])
def test_a_big_batch_is_the_mean_of_its_halves(monkeypatch, n: int) -> None:
    """From SPLIT_BATCH on, the step runs two halves (odd batches too) and weighs them by size.
    (The second process itself: test_half_process.py.)"""
    from tutor.engines import half_process

    monkeypatch.setattr(M, "SPLIT_BATCH", 8)
    monkeypatch.setattr(half_process, "available", lambda: True)
    pairs = []
    monkeypatch.setattr(half_process, "run_halves", lambda a, b, *rest: (pairs.append(rest[-2].shape[0]), (a(), b()))[1])
    model = Model(LENET5, seed=12, dtype=np.float64)
    x, labels = _batch(n, 40 + n)
    _assert_same(model.loss_and_grads(x, labels), _reference(model, x, labels), rtol=1e-10)
    assert pairs == [n - n // 2]


def test_one_core_keeps_a_middle_batch_whole(monkeypatch) -> None:
    from tutor.engines import half_process

    monkeypatch.setattr(M, "SPLIT_BATCH", 16)
    monkeypatch.setattr(M, "SPLIT_BATCH_TWO_CORES", 8)
    monkeypatch.setattr(half_process, "available", lambda: False)
    monkeypatch.setattr(half_process, "run_halves", lambda *a: pytest.fail("split on one core"))
    model = Model(LENET5, seed=12, dtype=np.float64)
    x, labels = _batch(8, 1)
    _assert_same(model.loss_and_grads(x, labels), _reference(model, x, labels), rtol=1e-10)


def test_one_core_splits_a_big_batch_too(monkeypatch) -> None:
    """From SPLIT_BATCH on the halves run one after the other on one core: the same split as on two."""
    from tutor.engines import half_process

    monkeypatch.setattr(M, "SPLIT_BATCH", 8)
    monkeypatch.setattr(half_process, "blas_threads", lambda: 1)
    monkeypatch.setattr(half_process, "_Child", lambda: pytest.fail("a second process on one core"))
    model = Model(LENET5, seed=12, dtype=np.float64)
    x, labels = _batch(9, 2)
    _assert_same(model.loss_and_grads(x, labels), _reference(model, x, labels), rtol=1e-10)


def test_column_blocks_cover_every_position_once() -> None:
    for ho, wo, n, most in [(28, 28, 32, 2520), (28, 28, 256, 2520), (10, 10, 32, 434), (5, 3, 1, 1), (1, 1, 7, 100)]:
        seen = np.zeros((ho, wo), dtype=int)
        for i0, i1, j0, j1 in L.column_blocks(ho, wo, n, most):
            assert (i1 - i0) * (j1 - j0) * n <= max(most, n)
            assert j0 == 0 and j1 == wo or i1 == i0 + 1
            seen[i0:i1, j0:j1] += 1
        assert (seen == 1).all()


def test_conv_windows_is_im2col_without_the_copy() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 9, 9, 4))
    for k, s in [(3, 1), (3, 2), (5, 1)]:
        cols, ho, wo = L.im2col(x, k, s)
        windows = L.conv_windows(x, k, s)
        assert windows.shape == (3, k, k, ho, wo, 4)
        np.testing.assert_array_equal(windows.reshape(cols.shape), cols)


def test_col2im_into_matches_col2im() -> None:
    rng = np.random.default_rng(1)
    x_shape = (2, 7, 7, 3)
    for k, s, p in [(3, 1, 0), (3, 2, 1), (2, 1, 1)]:
        ho = L.output_size(7, k, s, p)
        dcols = rng.normal(size=(2 * k * k, ho * ho * 3))
        want = L.col2im(dcols, x_shape, k, s, p, ho, ho)
        buffer = np.zeros((2, 7 + 2 * p, 7 + 2 * p, 3))
        got = L.col2im_into(dcols, buffer, k, s, ho, ho)
        np.testing.assert_allclose(got[:, p : p + 7, p : p + 7] if p else got, want)


def test_activation_backward_keeps_its_numbers() -> None:
    rng = np.random.default_rng(2)
    y = np.tanh(rng.normal(size=(4, 5)))
    dout = rng.normal(size=(4, 5))
    np.testing.assert_array_equal(L.activation_backward("tanh", dout, y), dout * (1 - y * y))
    s = 1 / (1 + np.exp(-rng.normal(size=(4, 5))))
    np.testing.assert_allclose(L.activation_backward("sigmoid", dout, s), dout * s * (1 - s), rtol=1e-15)
    # mixed precision keeps NumPy's promotion
    assert L.activation_backward("tanh", dout, y.astype(np.float32)).dtype == np.float64
