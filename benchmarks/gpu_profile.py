"""Where a CuPy training step spends its time, at several batch sizes (a GPU-session tool).

    python benchmarks/gpu_profile.py [--batches 64 256 1024]

Prints milliseconds per step (forward+backward, optimizer) for our engine on CuPy and, when
PyTorch with CUDA is installed, for the same network in PyTorch, with the ratio ours / PyTorch
beside the issue's GPU target (at most 0.5 at batch 64), then the busiest Python functions of our
step (host-side overhead is what small batches pay for).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

GPU_TARGET = 0.5  # our step at most half of PyTorch eager's, at batch 64


def ours(cp, batch: int, steps: int = 60) -> tuple[float, float]:
    from tutor.engines.model import LENET5, Model
    from tutor.engines.optim import Adam

    model = Model(LENET5, xp=cp)
    opt = Adam(model.params)
    rng = np.random.default_rng(0)
    images = cp.asarray(rng.integers(0, 256, size=(batch * 4, 28, 28), dtype=np.uint8))
    labels = cp.asarray(rng.integers(0, 10, size=batch * 4))

    def step(i: int) -> None:
        idx = cp.arange((i % 4) * batch, (i % 4 + 1) * batch)
        loss, probs, grads = model.loss_and_grads(model.prepare(images[idx]), labels[idx])
        opt.step(grads)

    for i in range(5):
        step(i)
    cp.cuda.Device().synchronize()
    start = time.perf_counter()
    for i in range(steps):
        step(i)
    cp.cuda.Device().synchronize()
    wall = (time.perf_counter() - start) / steps * 1000
    # Host time alone: how long Python takes to issue the work (the GPU runs behind it).
    start = time.perf_counter()
    for i in range(steps):
        step(i)
    host = (time.perf_counter() - start) / steps * 1000
    cp.cuda.Device().synchronize()
    return wall, host


def torch_step(batch: int, steps: int = 60) -> float | None:
    try:
        import torch
        from torch import nn
    except ImportError:
        return None
    if not torch.cuda.is_available():
        return None
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(16, 120, 5), nn.Tanh(), nn.Flatten(), nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10),
    ).cuda()
    opt = torch.optim.Adam(model.parameters())
    x = torch.rand(batch, 1, 28, 28, device="cuda")
    y = torch.randint(0, 10, (batch,), device="cuda")
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(5):
        opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    torch.cuda.synchronize()
    return (time.perf_counter() - start) / steps * 1000


def main() -> None:
    import cupy as cp

    p = argparse.ArgumentParser()
    p.add_argument("--batches", type=int, nargs="+", default=[64, 256, 1024, 4096])
    args = p.parse_args()
    print(f"{'batch':>6}{'ours ms/step':>14}{'host ms':>9}{'torch ms':>10}{'ours s/epoch':>14}{'torch s/epoch':>15}"
          f"{'ratio':>7}{'target':>8}")
    for batch in args.batches:
        wall, host = ours(cp, batch)
        t = torch_step(batch)
        steps = 60000 / batch
        ratio = wall / t if t else float("nan")
        print(f"{batch:>6}{wall:>14.2f}{host:>9.2f}{(t or float('nan')):>10.2f}{wall * steps / 1000:>14.2f}"
              f"{(t or float('nan')) * steps / 1000:>15.2f}{ratio:>7.2f}{('<= ' + str(GPU_TARGET)) if batch == 64 else '':>8}",
              flush=True)
    profile = cProfile.Profile()
    profile.enable()
    ours(cp, 64, steps=40)
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(18)
    print(out.getvalue()[-4000:])


if __name__ == "__main__":
    main()
