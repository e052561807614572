"""LeNet-5 on MNIST: our engine against PyTorch (when installed), measured in one run.

    python benchmarks/lenet.py                       # 1 epoch, NumPy, and PyTorch CPU if installed
    python benchmarks/lenet.py --epochs 10           # the full recipe: time and test accuracy
    python benchmarks/lenet.py --backend cupy        # CuPy, NumPy and PyTorch (CUDA when it works)
    python benchmarks/lenet.py --threads 2           # pin BLAS / PyTorch to 2 threads

Both sides train the same network (tanh, average pooling, 61,706 parameters) with the same batch
size, optimizer, learning rate and per-epoch decay, on the same uint8 images normalised per batch
the way the spec says ((x/255 - 0.1307) / 0.3081). Our side runs without the one-pixel shifts of
the default recipe unless `--shift 1` (PyTorch never shifts). For the CPU target (ratios of
interleaved runs at several batch sizes and thread counts) see benchmarks/lenet_ratio.py.
Epoch times count the training steps only; the test accuracy is measured after the last epoch on
all 10,000 test images. Ratios are our time divided by the other's (below 1 means we are faster).
Nothing here is asserted: the script prints figures for the README.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse() -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backend", choices=("numpy", "cupy"), default="numpy", help="our engine's backend (cupy also runs numpy)")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--optimizer", choices=("adam", "sgd"), default="sgd")
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=None, help="threads for BLAS and PyTorch (default: theirs)")
    p.add_argument("--no-torch", action="store_true", help="skip PyTorch even when it is installed")
    p.add_argument("--skip-numpy", action="store_true", help="with --backend cupy: do not time NumPy")
    p.add_argument("--shift", type=int, default=0, help="our shifts in pixels (0 = the same recipe as PyTorch)")
    p.add_argument("--train-limit", type=int, default=None, help="train on the first N images only (quick check)")
    return p.parse_args()


def peak_mb() -> float:
    """The process's peak resident memory so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(args: argparse.Namespace, backend: str, digits) -> dict:
    """Train with tutor.engines on `backend`; return seconds per epoch and the test accuracy."""
    from tutor.allocator import tune_allocator
    from tutor.backend import BackendError, select_backend
    from tutor.engines.train import BatchRecord, EpochRecord, TrainConfig, Trainer

    try:
        chosen = select_backend(backend)
    except BackendError as error:
        return {"name": f"ours ({backend})", "error": str(error)}
    config = TrainConfig(
        model="lenet",
        epochs=args.epochs,
        batch_size=args.batch_size,
        optimizer=args.optimizer,
        lr=args.lr,
        seed=args.seed,
        train_limit=args.train_limit,
        shift=args.shift,
        report_seconds=1.0,
    )
    tune_allocator()  # once per process, as `dl-tutor train` does
    trainer = Trainer(config, (digits.train_images, digits.train_labels), (digits.test_images, digits.test_labels), xp=chosen.xp)
    times: list[float] = []
    accuracy = None
    epoch_start = time.perf_counter()
    train_seconds = 0.0
    for record in trainer.run():
        if isinstance(record, BatchRecord) and record.batch == record.batches:
            train_seconds = time.perf_counter() - epoch_start
        elif isinstance(record, EpochRecord):
            times.append(train_seconds)
            accuracy = record.test_accuracy
            print(f"  ours/{backend} epoch {record.epoch + 1}: train {train_seconds:.2f} s, test accuracy {accuracy:.4f}", flush=True)
            epoch_start = time.perf_counter()
    return {"name": f"ours ({backend}, {chosen.device or 'cpu'})", "times": times, "accuracy": accuracy}


def run_torch(args: argparse.Namespace, device: str, digits) -> dict:
    """The same network and recipe in PyTorch."""
    import numpy as np
    import torch
    from torch import nn

    from tutor.engines.model import LENET5

    scale, centre = 1 / (255 * LENET5.input_std), LENET5.input_mean / LENET5.input_std
    if device == "cuda" and not torch.cuda.is_available():
        return {"name": "pytorch (cuda)", "error": "CUDA is not available to PyTorch"}
    torch.manual_seed(args.seed)
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(16, 120, 5), nn.Tanh(), nn.Flatten(),
        nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10),
    ).to(device)
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    lr = args.lr if args.lr is not None else (1e-3 if args.optimizer == "adam" else 0.05)
    if args.optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.85)
    limit = args.train_limit or len(digits.train_images)
    images = torch.from_numpy(digits.train_images[:limit]).to(device)
    labels = torch.from_numpy(digits.train_labels[:limit].astype(np.int64)).to(device)
    test_images = torch.from_numpy(digits.test_images).to(device)
    test_labels = torch.from_numpy(digits.test_labels.astype(np.int64)).to(device)
    loss_fn = nn.CrossEntropyLoss()
    times, accuracy = [], None
    for epoch in range(args.epochs):
        order = torch.from_numpy(np.random.default_rng(args.seed + epoch).permutation(limit)).to(device)
        model.train()
        if device == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        for b in range(0, limit, args.batch_size):
            idx = order[b : b + args.batch_size]
            x = images[idx].unsqueeze(1).float().mul_(scale).sub_(centre)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), labels[idx])
            loss.backward()
            opt.step()
        if device == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
        sched.step()
        model.eval()
        with torch.no_grad():
            correct = 0
            for b in range(0, len(test_images), 1000):
                x = test_images[b : b + 1000].unsqueeze(1).float().mul_(scale).sub_(centre)
                correct += (model(x).argmax(1) == test_labels[b : b + 1000]).sum().item()
        accuracy = correct / len(test_images)
        print(f"  pytorch/{device} epoch {epoch + 1}: train {times[-1]:.2f} s, test accuracy {accuracy:.4f}", flush=True)
    return {"name": f"pytorch {torch.__version__} ({device})", "times": times, "accuracy": accuracy}


def main() -> int:
    """Run every side that is available and print the table."""
    args = parse()
    if args.threads:
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)
    from tutor.engines.mnist import load_digits
    from tutor.paths import mnist_dir

    import tempfile

    digits = load_digits(mnist_dir(), cache_dir=Path(tempfile.gettempdir()) / "dl-tutor-bench-cache")
    print(f"LeNet-5, batch {args.batch_size}, {args.optimizer}, {args.epochs} epoch(s), "
          f"{args.train_limit or len(digits.train_images)} training images; cpus: {os.cpu_count()}", flush=True)
    results = []
    if args.backend == "cupy":
        results.append(run_ours(args, "cupy", digits))
    if args.backend == "numpy" or not args.skip_numpy:
        results.append(run_ours(args, "numpy", digits))
    if not args.no_torch:
        try:
            import torch

            if args.threads:
                torch.set_num_threads(args.threads)
            if args.backend == "cupy":
                results.append(run_torch(args, "cuda", digits))
            results.append(run_torch(args, "cpu", digits))
        except ImportError:
            print("  (PyTorch is not installed: no comparison)")
    print()
    print(f"{'implementation':<44}{'s/epoch':>9}{'img/s':>9}{'test acc':>10}")
    base = {}
    for r in results:
        if "error" in r:
            print(f"{r['name']:<44}  skipped: {r['error']}")
            continue
        best = min(r["times"])
        images = args.train_limit or len(digits.train_images)
        base[r["name"]] = best
        print(f"{r['name']:<44}{best:>9.2f}{images / best:>9.0f}{r['accuracy']:>10.4f}")
    names = list(base)
    if len(names) > 1:
        print()
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                print(f"ratio {a} / {b}: {base[a] / base[b]:.2f}")
    print(f"\npeak memory of this process: {peak_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
