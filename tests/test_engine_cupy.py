"""The engine on a real GPU: CuPy results equal NumPy's. Skipped, with the reason, where CuPy cannot run."""

from __future__ import annotations

import numpy as np
import pytest

from tutor.backend import BackendError, select_backend, to_numpy
from tutor.engines import layers as L
from tutor.engines.model import LENET5, Model
from tutor.engines.train import TrainConfig, Trainer
from tutor.model_files import load_checkpoint, load_model, save_checkpoint


def _cupy():
    try:
        return select_backend("cupy").xp
    except BackendError as error:
        pytest.skip(f"no working GPU here: {error}")


@pytest.fixture(scope="module")
def cp():
    return _cupy()


@pytest.mark.parametrize("kernels", ["1", "0"])
@pytest.mark.parametrize("stride,pad", [(1, 0), (1, 2), (2, 1)])
def test_conv_on_the_gpu_equals_numpy(cp, monkeypatch, kernels: str, stride: int, pad: int) -> None:
    monkeypatch.setenv("DL_TUTOR_GPU_KERNELS", kernels)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 2, 9, 9))
    w = rng.normal(size=(4, 2, 3, 3))
    b = rng.normal(size=4)
    out, cache = L.conv_forward(x, w, b, stride, pad)
    dout = rng.normal(size=out.shape)
    dx, dw, db = L.conv_backward(dout, cache)
    gout, gcache = L.conv_forward(cp.asarray(x), cp.asarray(w), cp.asarray(b), stride, pad)
    gdx, gdw, gdb = L.conv_backward(cp.asarray(dout), gcache)
    for mine, ref in ((gout, out), (gdx, dx), (gdw, dw), (gdb, db)):
        assert type(mine).__module__.startswith("cupy")
        np.testing.assert_allclose(mine.get(), ref, rtol=1e-10, atol=1e-10)


def test_pooling_and_loss_on_the_gpu(cp) -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 6, 6))
    for forward, backward in ((L.avgpool_forward, L.avgpool_backward), (L.maxpool_forward, L.maxpool_backward)):
        out, cache = forward(x)
        gout, gcache = forward(cp.asarray(x))
        np.testing.assert_allclose(gout.get(), out)
        np.testing.assert_allclose(backward(cp.asarray(out), gcache).get(), backward(out, cache))
    logits = rng.normal(size=(4, 10))
    labels = np.array([1, 2, 3, 4])
    loss, probs, d = L.softmax_cross_entropy(logits, labels)
    gloss, gprobs, gd = L.softmax_cross_entropy(cp.asarray(logits), cp.asarray(labels))
    assert gloss == pytest.approx(loss)
    np.testing.assert_allclose(gd.get(), d, atol=1e-12)


def test_training_on_the_gpu_follows_numpy_and_checkpoints_move_across(cp, tmp_path) -> None:
    rng = np.random.default_rng(2)
    images = rng.integers(0, 256, size=(256, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=256)
    config = TrainConfig(model="lenet", epochs=1, batch_size=64, report_seconds=0)
    cpu = Trainer(config, (images, labels), (images[:64], labels[:64]))
    gpu = Trainer(config, (images, labels), (images[:64], labels[:64]), xp=cp)
    cpu_losses = [r.loss for r in cpu.run() if hasattr(r, "loss")]
    gpu_losses = [r.loss for r in gpu.run() if hasattr(r, "loss")]
    np.testing.assert_allclose(gpu_losses, cpu_losses, rtol=1e-3)
    for name, value in cpu.model.params.items():
        np.testing.assert_allclose(to_numpy(gpu.model.params[name]), value, rtol=1e-2, atol=1e-4)
    path = tmp_path / "gpu.npz"
    save_checkpoint(gpu, path)
    checkpoint = load_checkpoint(path)  # onto the CPU
    assert isinstance(checkpoint.model.params["C1.w"], np.ndarray)
    probs = load_model(path, xp=cp).predict_proba(images[:5])
    assert isinstance(probs, np.ndarray) and probs.shape == (5, 10)
    np.testing.assert_allclose(probs, checkpoint.model.predict_proba(images[:5]), atol=1e-5)


def test_lenet_parameters_live_on_the_device(cp) -> None:
    model = Model(LENET5, xp=cp)
    assert all(type(p).__module__.startswith("cupy") for p in model.params.values())


@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_fused_optimizer_kernels_equal_the_numpy_updates(cp, name: str) -> None:
    from tutor.engines.optim import make_optimizer

    rng = np.random.default_rng(3)
    params = {"a": rng.normal(size=(4, 3)).astype(np.float32), "b": rng.normal(size=5).astype(np.float32)}
    gpu_params = {k: cp.asarray(v) for k, v in params.items()}
    cpu_opt = make_optimizer(name, params, lr=0.01)
    gpu_opt = make_optimizer(name, gpu_params, lr=0.01)
    for _ in range(3):
        grads = {k: rng.normal(size=v.shape).astype(np.float32) for k, v in params.items()}
        cpu_opt.step(grads)
        gpu_opt.step({k: cp.asarray(v) for k, v in grads.items()})
    for k in params:
        np.testing.assert_allclose(gpu_params[k].get(), params[k], rtol=1e-5, atol=1e-6)
