"""Honest timings of the same LeNet-5 work on each array backend (NumPy, and CuPy on a GPU).

The backend-race scene and the GPU lesson ask three questions of a backend:

* `time_convolution`: how long one LeNet C1 convolution (6 filters of 5x5 over a batch of
  (N, 1, 28, 28) images, padded by 2) takes;
* `time_training_steps`: how many images per second a full training step of LeNet-5 gets
  through (forward, backward and one Adam update) with the batch already on the device;
* `transfer_cost`: how long copying a batch of uint8 images host -> device and back costs.

A GPU runs asynchronously: a CuPy call returns as soon as its kernel is *queued*, so a timer
read right after it measures almost nothing. Every timing here therefore waits for the device
(`synchronize`) before it starts and stops the clock. Each measurement runs `warmup` untimed
calls first (CuPy compiles its kernels on first use) and reports plain Python floats in a
frozen `Timing`. `available_backends` lists NumPy and CuPy with whether each works here and why
not, using `tutor.backend.probe_cupy`, so it never raises when CuPy is missing or broken.

The `predict` questions on throughput (images per second, minutes per epoch) are
`tutor.quiz.generators.timing`.
"""

from __future__ import annotations

import math
import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tutor.backend import probe_cupy, to_numpy
from tutor.engines import layers as L
from tutor.engines.model import LENET5, Model
from tutor.engines.optim import make_optimizer

__all__ = [
    "BackendInfo",
    "Timing",
    "available_backends",
    "backend_name",
    "synchronize",
    "time_convolution",
    "time_training_steps",
    "transfer_cost",
]

#: LeNet-5's first layer: 6 filters of 5x5 on one channel, padding 2 keeps 28x28.
C1_FILTERS, C1_KERNEL, C1_PAD = 6, 5, 2


@dataclass(frozen=True)
class BackendInfo:
    """One array backend and whether it can run here.

    Attributes:
        name: "numpy" or "cupy".
        works: True when the backend computed correctly on this machine.
        reason: one line: what it runs on, or why it cannot run.
        device: the CPU or GPU description, or None when it does not work.
        xp: the array module when it works, else None.
    """

    name: str
    works: bool
    reason: str
    device: str | None = None
    xp: Any = None


@dataclass(frozen=True)
class Timing:
    """One measurement.

    Attributes:
        what: "conv" (one C1 convolution), "train" (one training step) or "transfer"
            (a batch to the device and back).
        backend: "numpy" or "cupy".
        batch: images per call.
        seconds: seconds per call, averaged over the timed calls (0.0 for a transfer on NumPy).
        images_per_second: batch / seconds (math.inf when seconds is 0).
        calls: how many calls were timed.
    """

    what: str
    backend: str
    batch: int
    seconds: float
    images_per_second: float
    calls: int


def backend_name(xp: Any) -> str:
    """ "numpy" for NumPy, else the module's top-level name (e.g. "cupy")."""
    if xp is np:
        return "numpy"
    return str(getattr(xp, "__name__", "cupy")).split(".")[0]


def _cpu_description() -> str:
    """The CPU, as far as the standard library can tell, with its core count."""
    name = platform.processor() or platform.machine() or "CPU"
    cores = os.cpu_count() or 1
    return f"{name}, {cores} core{'s' if cores != 1 else ''}"


def available_backends() -> tuple[BackendInfo, ...]:
    """NumPy (always works) and CuPy (works only with a working GPU; otherwise says why).

    Never raises: a missing or broken CuPy becomes `works=False` with the probe's reason.
    """
    numpy_info = BackendInfo("numpy", True, "NumPy runs on the CPU.", _cpu_description(), np)
    try:
        cupy, reason, device = probe_cupy()
    except Exception as error:  # the probe promises not to raise; stay safe anyway
        cupy, reason, device = None, f"CuPy could not be checked: {type(error).__name__}", None
    if cupy is None:
        return numpy_info, BackendInfo("cupy", False, reason, None, None)
    return numpy_info, BackendInfo("cupy", True, f"CuPy runs on {device}.", device, cupy)


def synchronize(xp: Any) -> None:
    """Wait until the device has finished all queued work (nothing to wait for on NumPy)."""
    if xp is np:
        return
    cuda = getattr(xp, "cuda", None)
    if cuda is not None:
        cuda.Device().synchronize()


class Cancelled(Exception):
    """A measurement was given up between two calls because its `cancelled()` said so."""


def _timed(xp: Any, call: Callable[[], Any], repeats: int, warmup: int, clock: Callable[[], float],
           cancelled: Callable[[], bool] | None = None) -> float:
    """Seconds per call of `call`, synchronising the device around the timed calls.

    Raises:
        Cancelled: when `cancelled()` is true before a call (checked between calls, so a
            measurement of many large calls ends within one call of being asked to).
    """
    if repeats < 1:
        raise ValueError("repeats must be at least 1")

    def check() -> None:
        if cancelled is not None and cancelled():
            raise Cancelled("the measurement was cancelled")

    for _ in range(max(0, warmup)):
        check()
        call()
    synchronize(xp)
    start = clock()
    for _ in range(repeats):
        check()
        call()
    synchronize(xp)
    return max(0.0, float(clock() - start)) / repeats


def _timing(what: str, xp: Any, batch: int, seconds: float, calls: int) -> Timing:
    rate = batch / seconds if seconds > 0 else math.inf
    return Timing(what, backend_name(xp), int(batch), float(seconds), float(rate), int(calls))


def _check_batch(batch: int) -> None:
    if batch < 1:
        raise ValueError("the batch must hold at least one image")


def time_convolution(
    xp: Any, batch: int, repeats: int = 5, *, warmup: int = 1, seed: int = 0,
    clock: Callable[[], float] = time.perf_counter, cancelled: Callable[[], bool] | None = None,
) -> Timing:
    """Time LeNet's C1 convolution (`layers.conv_forward`) on a random (batch, 1, 28, 28) input.

    Args:
        xp: numpy or cupy: where the input and the 6 filters (6, 1, 5, 5) live.
        batch: images per call.
        repeats: timed calls (after `warmup` untimed ones).
        clock: the timer (seconds); tests pass a fake one.
        cancelled: asked before every call; when true, the measurement raises `Cancelled`.
    Returns:
        Timing("conv", ...) with seconds per call.
    """
    _check_batch(batch)
    rng = np.random.default_rng(seed)
    x = xp.asarray(rng.random((batch, 1, 28, 28), dtype=np.float32))
    w = xp.asarray(rng.standard_normal((C1_FILTERS, 1, C1_KERNEL, C1_KERNEL)).astype(np.float32) * 0.2)
    b = xp.asarray(np.zeros(C1_FILTERS, dtype=np.float32))
    seconds = _timed(xp, lambda: L.conv_forward(x, w, b, 1, C1_PAD), repeats, warmup, clock, cancelled)
    return _timing("conv", xp, batch, seconds, repeats)


def time_training_steps(
    xp: Any, batch: int, steps: int = 3, *, warmup: int = 1, seed: int = 0, optimizer: str = "adam",
    clock: Callable[[], float] = time.perf_counter, cancelled: Callable[[], bool] | None = None,
) -> Timing:
    """Time full LeNet-5 training steps on random uint8 images that already live on `xp`.

    One step is what `Trainer` does per batch: the uint8 batch is turned into float32 on the
    device (`Model.prepare`), then forward, backward (`Model.loss_and_grads`) and one update.

    Args:
        xp: numpy or cupy.
        batch: images per step.
        steps: timed steps (after `warmup` untimed ones).
    Returns:
        Timing("train", ...) with seconds per step and images per second.
    """
    _check_batch(batch)
    rng = np.random.default_rng(seed)
    model = Model(LENET5, xp=xp, seed=seed)
    opt = make_optimizer(optimizer, model.params, 1e-3)
    images = xp.asarray(rng.integers(0, 256, size=(batch, 28, 28), dtype=np.uint8))  # resident
    labels = xp.asarray(rng.integers(0, 10, size=batch).astype(np.int64))

    def step() -> None:
        _, _, grads = model.loss_and_grads(model.prepare(images), labels)
        opt.step(grads)

    seconds = _timed(xp, step, steps, warmup, clock, cancelled)
    return _timing("train", xp, batch, seconds, steps)


def transfer_cost(
    xp: Any, batch: int, repeats: int = 5, *, warmup: int = 1, seed: int = 0,
    clock: Callable[[], float] = time.perf_counter, cancelled: Callable[[], bool] | None = None,
) -> Timing:
    """Time copying a uint8 batch (batch, 28, 28) from host memory to the device and back.

    On NumPy the data already is in host memory: nothing moves, and the cost is 0.0 seconds.
    """
    _check_batch(batch)
    if xp is np:
        return _timing("transfer", xp, batch, 0.0, 0)
    host = np.random.default_rng(seed).integers(0, 256, size=(batch, 28, 28), dtype=np.uint8)
    seconds = _timed(xp, lambda: to_numpy(xp.asarray(host)), repeats, warmup, clock, cancelled)
    return _timing("transfer", xp, batch, seconds, repeats)
