"""Where one LeNet-5 training batch of our NumPy engine spends its time, by layer and by operation.

    python benchmarks/profile_lenet.py                         # batch 32, 300 batches, 1 thread
    python benchmarks/profile_lenet.py --batch-size 256 --threads 2
    python benchmarks/profile_lenet.py --block-bytes 524288    # another im2col block size

Runs the training loop's body (gather a batch, prepare it, `Model.loss_and_grads`, the SGD step,
count the hits) on MNIST with timers wrapped around the engine's functions, and prints each
operation's own time (nested calls subtracted) and share, each layer's time, and the arithmetic
floor: the step's floating-point operations divided by the GEMM peak measured here with the same
threads. The timers cost a few microseconds per call, so the total is a little above an
unprofiled step. Nothing is asserted: the script prints figures.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse() -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--batches", type=int, default=300, help="batches timed (after 20 warm-up batches)")
    p.add_argument("--threads", type=int, default=1, help="BLAS threads (set before NumPy loads)")
    p.add_argument("--block-bytes", type=int, default=None, help="override training_step.BLOCK_BYTES")
    return p.parse_args()


class Timers:
    """Exclusive time per label (nested timed calls subtracted) and inclusive time per layer."""

    def __init__(self) -> None:
        self.own: dict[str, float] = collections.defaultdict(float)
        self.calls: dict[str, int] = collections.defaultdict(int)
        self.layer: dict[str, float] = collections.defaultdict(float)
        self.stack: list[float] = []

    def timed(self, fn, label, layer_of=None):
        """fn wrapped: its own time goes to `label` (or label(args)), its whole time to the
        layer `layer_of(args)` names (when given)."""
        def wrapper(*args, **kwargs):
            self.stack.append(0.0)
            start = time.perf_counter()
            result = fn(*args, **kwargs)
            spent = time.perf_counter() - start
            inner = self.stack.pop()
            name = label(args) if callable(label) else label
            self.own[name] += spent - inner
            self.calls[name] += 1
            if self.stack:
                self.stack[-1] += spent
            if layer_of is not None:
                self.layer[layer_of(args)] += spent
            return result

        return wrapper

    def clear(self) -> None:
        self.own.clear()
        self.calls.clear()
        self.layer.clear()


def gemm_peak(np) -> float:
    """FLOP/s of a 1024x1024 float32 matrix product (the best of 5)."""
    a = np.random.default_rng(0).standard_normal((1024, 1024)).astype(np.float32)
    out = np.empty_like(a)
    np.matmul(a, a, out=out)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        np.matmul(a, a, out=out)
        best = min(best, time.perf_counter() - start)
    return 2 * 1024**3 / best


def step_flops(spec, n: int) -> int:
    """Multiply-adds x 2 of one training step's GEMMs: forward, weight gradient, input
    gradient (none for the first layer)."""
    from tutor.engines.spec import Conv, Dense, layer_shapes

    total = 0
    first = True
    for layer, (in_shape, out_shape) in zip(spec.layers, layer_shapes(spec)):
        if isinstance(layer, Conv):
            macs = layer.filters * in_shape[0] * layer.kernel**2 * out_shape[1] * out_shape[2] * n
        elif isinstance(layer, Dense):
            macs = in_shape[0] * layer.units * n
        else:
            continue
        total += 2 * macs * (2 if first else 3)
        first = False
    return total


def main() -> int:
    """Profile and print."""
    args = parse()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import numpy as np

    from tutor.allocator import tune_allocator
    from tutor.engines import layers as L
    from tutor.engines import model as M
    from tutor.engines import training_step as S
    from tutor.engines.optim import SGD

    tune_allocator()
    if args.block_bytes:
        S.BLOCK_BYTES = args.block_bytes
    try:
        import tempfile

        from tutor.engines.mnist import load_digits
        from tutor.paths import mnist_dir

        digits = load_digits(mnist_dir(), cache_dir=Path(tempfile.gettempdir()) / "dl-tutor-bench-cache")
        images, labels = digits.train_images, digits.train_labels.astype(np.int64)
        source = "MNIST"
    except Exception as error:  # noqa: BLE001 - the profile runs on random digits too
        rng = np.random.default_rng(0)
        images = rng.integers(0, 256, size=(60000, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=60000)
        source = f"random digits ({error})"
    n = args.batch_size
    # A big batch trains as two halves, the second in another process where BLAS has two
    # threads; here both run in this one, one after the other, so that every operation is
    # timed (lenet_ratio.py measures the two processes).
    from tutor.engines import half_process

    halves = n >= M.SPLIT_BATCH or (n >= M.SPLIT_BATCH_TWO_CORES and half_process.available())
    half_process.run_halves = lambda first, second, *rest: (first(), second())
    model = M.Model(M.LENET5, seed=0)
    optimizer = SGD(model.params, lr=0.05, momentum=0.9)
    order = np.random.default_rng(0).permutation(len(images))
    batches_per_epoch = -(-len(images) // n)

    t = Timers()
    # Operations: patch the engine's module-level names (the code looks them up at call time).
    class TimedNumpy:
        """numpy for the model's training step, with copyto and matmul timed."""

        __name__ = "numpy"

        def __getattr__(self, name):
            return getattr(np, name)

    timed_np = TimedNumpy()
    def copy_kind(a) -> str:
        if a[0].ndim == 6:
            return "im2col (strided copy)"
        if a[1].ndim == 4 and a[1].strides[3] != a[1].itemsize:
            return "input to (C,H,W,N) (transposing copy)"
        return "average pooling forward"

    timed_np.copyto = t.timed(np.copyto, copy_kind)
    timed_np.matmul = t.timed(np.matmul, "conv GEMMs")
    model.xp = timed_np  # the training step takes its array module from the model
    L.col2im_into = t.timed(L.col2im_into, "col2im")
    L.activation_forward = t.timed(L.activation_forward, "activation forward (in place)")
    L.activation_backward = t.timed(L.activation_backward, "activation backward (dense)")
    S._grad_factor = t.timed(S._grad_factor, "activation derivative (conv)")
    L.dense_forward = t.timed(L.dense_forward, "dense GEMMs", lambda a: "dense layers + loss")
    L.dense_backward = t.timed(L.dense_backward, "dense GEMMs", lambda a: "dense layers + loss")
    L.softmax_cross_entropy_device = t.timed(L.softmax_cross_entropy_device, "softmax + cross-entropy",
                                             lambda a: "dense layers + loss")
    stage = S._ConvStage
    stage.forward = t.timed(stage.forward, "conv forward: weights, bias (glue)", lambda a: f"{a[0].layer.name} forward")
    stage.pool_into = t.timed(stage.pool_into, "average pooling forward",
                              lambda a: f"{a[0].pool.name} forward (pooling)")
    stage.backward = t.timed(stage.backward, "conv backward: pooling backward, dw/db copies (glue)",
                             lambda a: f"{a[0].layer.name} backward (+ {a[0].pool.name} backward)" if a[0].pool
                             else f"{a[0].layer.name} backward")
    M.TrainingStep.run = t.timed(M.TrainingStep.run, "step glue (flatten, Python)")
    model.prepare = t.timed(model.prepare, "data: normalise (prepare)", lambda a: "data")
    optimizer.step = t.timed(optimizer.step, "optimizer (SGD momentum)", lambda a: "optimizer")

    def gather(index):
        return images[index], labels[index]

    gather = t.timed(gather, "data: gather the batch", lambda a: "data")

    def one(b: int) -> None:
        index = order[(b % batches_per_epoch) * n : (b % batches_per_epoch + 1) * n]
        batch_images, y = gather(index)
        x = model.prepare(batch_images)
        loss, probs, grads = model.loss_and_grads(x, y)
        optimizer.step(grads)
        (np.argmax(probs, axis=1) == y).sum()

    for b in range(20):
        one(b)
    t.clear()
    start = time.perf_counter()
    for b in range(args.batches):
        one(b)
    total = time.perf_counter() - start
    per = total / args.batches

    print(f"LeNet-5 training step, batch {n}, {args.threads} BLAS thread(s), {args.batches} batches of {source}; "
          f"numpy {np.__version__}, block {S.BLOCK_BYTES // 1024} KB, cpus {os.cpu_count()}")
    if halves:
        print(f"(two halves of {n // 2} and {n - n // 2}, profiled one after the other here: on two cores the "
              "second runs in another process at the same time)")
    print(f"step {per * 1e3:.3f} ms (profiled), epoch of {batches_per_epoch} batches ~ {per * batches_per_epoch:.2f} s\n")
    print(f"{'operation (own time)':<56}{'ms/step':>9}{'share':>8}{'calls':>7}")
    accounted = 0.0
    for name, value in sorted(t.own.items(), key=lambda kv: -kv[1]):
        accounted += value
        print(f"{name:<56}{value / args.batches * 1e3:>9.3f}{value / total:>8.1%}{t.calls[name] / args.batches:>7.0f}")
    rest = total - accounted
    print(f"{'loop (outside the timed calls)':<56}{rest / args.batches * 1e3:>9.3f}{rest / total:>8.1%}")
    print(f"\n{'layer (whole time)':<56}{'ms/step':>9}{'share':>8}")
    for name, value in sorted(t.layer.items(), key=lambda kv: -kv[1]):
        print(f"{name:<56}{value / args.batches * 1e3:>9.3f}{value / total:>8.1%}")
    flops = step_flops(M.LENET5, n)
    peak = gemm_peak(np)
    floor = flops / peak
    print(f"\narithmetic: {flops / 1e6:.1f} MFLOP per step, {flops * batches_per_epoch / 1e9:.0f} GFLOP per epoch; "
          f"GEMM peak here {peak / 1e9:.0f} GFLOP/s ({args.threads} thread(s))")
    print(f"floor {floor * 1e3:.3f} ms/step, {floor * batches_per_epoch:.2f} s/epoch; "
          f"the step takes {per / floor:.1f}x the floor; GEMMs alone run at "
          f"{flops / ((t.own['conv GEMMs'] + t.own['dense GEMMs']) / args.batches) / 1e9:.0f} GFLOP/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
