"""The timing engine: honest, synchronised measurements that never crash without a GPU."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from tutor import backend
from tutor.engines import timing
from tutor.quiz.predict import generate


class FakeClock:
    """A clock that advances by `tick` seconds on every read."""

    def __init__(self, tick: float) -> None:
        self.now, self.tick, self.reads = 0.0, tick, 0

    def __call__(self) -> float:
        self.reads += 1
        self.now += self.tick
        return self.now


def fake_gpu(log: list[str]) -> Any:
    """A stand-in for CuPy: NumPy arrays, plus a device whose synchronize() is logged."""

    class Device:
        def synchronize(self) -> None:
            log.append("sync")

    def asarray(a: Any, dtype: Any = None) -> Any:
        log.append("asarray")
        return np.asarray(a, dtype=dtype)

    return SimpleNamespace(__name__="fakegpu", asarray=asarray, cuda=SimpleNamespace(Device=Device))


def test_convolution_on_numpy_reports_plain_floats() -> None:
    result = timing.time_convolution(np, batch=4, repeats=2)
    assert result.what == "conv" and result.backend == "numpy" and result.batch == 4
    assert type(result.seconds) is float and type(result.images_per_second) is float
    assert result.seconds > 0 and result.calls == 2
    assert result.images_per_second == pytest.approx(4 / result.seconds)


def test_convolution_seconds_per_call_from_the_clock() -> None:
    # One read before and one after the 4 timed calls: 0.5 s between them -> 0.125 s per call.
    clock = FakeClock(0.5)
    result = timing.time_convolution(np, batch=8, repeats=4, clock=clock)
    assert clock.reads == 2
    assert result.seconds == pytest.approx(0.125)
    assert result.images_per_second == pytest.approx(64.0)


def test_gpu_path_synchronises_around_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    log: list[str] = []
    xp = fake_gpu(log)
    calls: list[int] = []

    def conv(x: Any, w: Any, b: Any, stride: int, pad: int) -> Any:
        assert x.shape == (3, 1, 28, 28) and w.shape == (6, 1, 5, 5) and b.shape == (6,)
        assert (stride, pad) == (1, 2)  # C1 keeps 28x28
        calls.append(1)
        log.append("conv")
        return None

    monkeypatch.setattr(timing.L, "conv_forward", conv)
    clock = FakeClock(1.0)

    def reading() -> float:
        log.append("clock")
        return clock()

    result = timing.time_convolution(xp, batch=3, repeats=2, warmup=1, clock=reading)
    assert result.backend == "fakegpu"
    assert len(calls) == 3  # one warm-up + two timed
    body = [e for e in log if e != "asarray"]
    # warm-up, then wait for the device before starting and before stopping the clock
    assert body == ["conv", "sync", "clock", "conv", "conv", "sync", "clock"]
    assert result.seconds == pytest.approx(0.5)


def test_training_steps_on_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    result = timing.time_training_steps(np, batch=2, steps=1, warmup=0)
    assert result.what == "train" and result.batch == 2 and result.calls == 1
    assert result.seconds > 0 and math.isfinite(result.images_per_second)
    assert result.images_per_second == pytest.approx(2 / result.seconds)


def test_training_steps_really_train(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each timed step is forward + backward + one optimizer update on the same resident batch.
    seen: list[tuple[tuple[int, ...], str]] = []
    original = timing.Model.loss_and_grads

    def spy(self: Any, x: Any, labels: Any) -> Any:
        seen.append((tuple(x.shape), str(x.dtype)))
        return original(self, x, labels)

    monkeypatch.setattr(timing.Model, "loss_and_grads", spy)
    clock = FakeClock(0.25)
    result = timing.time_training_steps(np, batch=5, steps=3, warmup=1, clock=clock)
    assert seen == [((5, 1, 28, 28), "float32")] * 4
    assert result.seconds == pytest.approx(0.25 / 3)
    assert result.images_per_second == pytest.approx(5 * 3 / 0.25)


def test_transfer_is_free_on_numpy() -> None:
    result = timing.transfer_cost(np, batch=64)
    assert result.what == "transfer" and result.seconds == 0.0 and result.calls == 0
    assert result.images_per_second == math.inf


def test_transfer_on_a_device_copies_there_and_back() -> None:
    log: list[str] = []
    xp = fake_gpu(log)
    result = timing.transfer_cost(xp, batch=10, repeats=3, warmup=0, clock=FakeClock(0.3))
    assert log.count("asarray") == 3 and log.count("sync") == 2
    assert result.seconds == pytest.approx(0.1) and result.images_per_second == pytest.approx(100.0)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        timing.time_convolution(np, batch=0)
    with pytest.raises(ValueError):
        timing.time_convolution(np, batch=1, repeats=0)


def test_available_backends_without_cupy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timing, "probe_cupy", lambda: (None, backend.NOT_INSTALLED, None))
    numpy_info, cupy_info = timing.available_backends()
    assert numpy_info.name == "numpy" and numpy_info.works and numpy_info.xp is np
    assert "core" in numpy_info.device
    assert cupy_info.name == "cupy" and not cupy_info.works and cupy_info.xp is None
    assert cupy_info.reason == "CuPy is not installed (pip install 'dl-tutor[gpu]')"


def test_available_backends_with_broken_cupy(monkeypatch: pytest.MonkeyPatch) -> None:
    reason = "CuPy is installed but no GPU works: CUDARuntimeError: cudaErrorNoDevice"
    monkeypatch.setattr(timing, "probe_cupy", lambda: (None, reason, None))
    assert timing.available_backends()[1].reason == reason

    def explode() -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(timing, "probe_cupy", explode)
    info = timing.available_backends()[1]
    assert not info.works and "RuntimeError" in info.reason


def test_available_backends_with_working_cupy(monkeypatch: pytest.MonkeyPatch) -> None:
    gpu = SimpleNamespace(__name__="cupy")
    monkeypatch.setattr(timing, "probe_cupy", lambda: (gpu, "CuPy works", "NVIDIA H200, 139.8 GiB"))
    info = timing.available_backends()[1]
    assert info.works and info.xp is gpu and info.device == "NVIDIA H200, 139.8 GiB"
    assert info.reason == "CuPy runs on NVIDIA H200, 139.8 GiB."


def test_available_backends_on_this_machine_never_raises() -> None:
    backend._reset_cache()
    infos = timing.available_backends()
    assert [i.name for i in infos] == ["numpy", "cupy"]
    assert infos[1].works == (infos[1].xp is not None)


def test_images_per_second_problem() -> None:
    for seed in range(20):
        problem = generate("timing.images_per_second", seed)
        ms = problem.values["ms"]
        batch = int(str(problem.values["batch"]).replace(",", ""))
        assert problem.kind == "number"
        assert problem.answer == pytest.approx(batch * 1000 / ms)
        assert problem.values["answer"] == f"{problem.answer:,.0f}"


def test_epoch_minutes_problem() -> None:
    problem = generate("timing.epoch_minutes", 3, {"dataset": "imagenet"})
    rate = int(str(problem.values["rate"]).replace(",", ""))
    assert problem.values["images"] == "1,300,000"
    assert problem.answer == pytest.approx(1_300_000 / rate / 60)
    mnist = generate("timing.epoch_minutes", 3, {"dataset": "mnist"})
    assert mnist.answer == pytest.approx(60_000 / rate / 60)  # same seed, same rate
    with pytest.raises(ValueError):
        generate("timing.epoch_minutes", 0, {"dataset": "cifar"})


def test_a_measurement_ends_between_calls_when_cancelled() -> None:
    """A long measurement (many large calls) stops within one call of being asked to."""
    calls: list[int] = []
    asked = iter([False, False, False, True])  # warm-up, two timed calls, then cancelled

    def call() -> None:
        calls.append(1)

    with pytest.raises(timing.Cancelled):
        timing._timed(np, call, repeats=1_000, warmup=1, clock=lambda: 0.0, cancelled=lambda: next(asked))
    assert len(calls) == 3
    seconds = timing.time_convolution(np, 2, repeats=2, cancelled=lambda: False).seconds
    assert seconds >= 0.0
