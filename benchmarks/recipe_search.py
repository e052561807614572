"""Try several LeNet-5 training recipes side by side (one process each) and print their test accuracy.

    python benchmarks/recipe_search.py --backend cupy --epochs 10
    python benchmarks/recipe_search.py --backend numpy --epochs 3 --jobs 2

How the default recipe in tutor/engines/train.py (TrainConfig) was chosen: each line below is
optimizer, learning rate, per-epoch decay and batch size; the output gives the test accuracy after
every epoch. Meant for a machine with many cores or a GPU.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RECIPES = [
    ("adam", 1e-3, 0.85, 64),
    ("adam", 2e-3, 0.75, 64),
    ("adam", 3e-3, 0.70, 64),
    ("adam", 1e-3, 1.00, 64),
    ("sgd", 0.05, 0.85, 64),
    ("sgd", 0.10, 0.80, 64),
    ("adam", 2e-3, 0.80, 32),
    ("adam", 1e-3, 0.85, 32),
]


def one(backend: str, epochs: int, optimizer: str, lr: float, decay: float, batch: int, seed: int, shift: int = 0) -> None:
    """Train one recipe and print a JSON line with the accuracies."""
    sys.path.insert(0, str(ROOT))
    import tempfile

    from tutor.allocator import tune_allocator
    from tutor.backend import select_backend
    from tutor.engines.mnist import load_digits
    from tutor.engines.train import EpochRecord, TrainConfig, Trainer
    from tutor.paths import mnist_dir

    digits = load_digits(mnist_dir(), cache_dir=Path(tempfile.gettempdir()) / "dl-tutor-bench-cache")
    config = TrainConfig(epochs=epochs, optimizer=optimizer, lr=lr, lr_decay=decay, batch_size=batch, seed=seed,
                         shift=shift, report_seconds=5)
    tune_allocator()  # once per process, as `dl-tutor train` does
    trainer = Trainer(config, (digits.train_images, digits.train_labels), (digits.test_images, digits.test_labels),
                      xp=select_backend(backend).xp)
    accs = [round(r.test_accuracy, 4) for r in trainer.run() if isinstance(r, EpochRecord)]
    print(json.dumps({"recipe": [optimizer, lr, decay, batch, seed, shift], "test_accuracy": accs}), flush=True)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--backend", default="numpy")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--jobs", type=int, default=len(RECIPES))
    p.add_argument("--shift", type=int, default=0, help="augment: shift training images by up to N pixels")
    p.add_argument("--one", nargs=4, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        opt, lr, decay, batch = args.one
        one(args.backend, args.epochs, opt, float(lr), float(decay), int(batch), args.seed, args.shift)
        return
    running: list[subprocess.Popen] = []
    for opt, lr, decay, batch in RECIPES:
        cmd = [sys.executable, __file__, "--backend", args.backend, "--epochs", str(args.epochs), "--seed",
               str(args.seed), "--shift", str(args.shift), "--one", opt, str(lr), str(decay), str(batch)]
        running.append(subprocess.Popen(cmd, env={**__import__("os").environ, "OMP_NUM_THREADS": "1",
                                                  "OPENBLAS_NUM_THREADS": "1"}))
        if len(running) >= args.jobs:
            running.pop(0).wait()
    for proc in running:
        proc.wait()


if __name__ == "__main__":
    main()
