"""`dl-tutor train MODEL`: training without the TUI, for a GPU box in tmux or a batch job.

Prints a one-line progress bar (on a terminal) or one line per epoch (in a log), the test
accuracy after every epoch and the total time. The first Ctrl+C (or SIGTERM, or SIGHUP when an
SSH connection drops) stops after the current batch and saves a checkpoint that `--resume`
continues exactly; a second Ctrl+C stops at once without saving.
"""

from __future__ import annotations

import argparse
import math
import signal
import sys
import time
from pathlib import Path
from typing import Any, TextIO

MODEL_CHOICES = ("lenet", "mlp-30-sigmoid", "mlp-128-relu")


def add_parser(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Register the `train` sub-command."""
    p = sub.add_parser(
        "train", parents=parents, help="train a model without the TUI (e.g. LeNet-5 on a GPU box)",
        description="Train a model on MNIST (or --data-dir) and save it; Ctrl+C saves a checkpoint.",
    )
    p.add_argument("model", choices=MODEL_CHOICES, help="the network to train")
    p.add_argument("--epochs", type=int, default=10, help="passes over the training set (default 10)")
    p.add_argument("--batch-size", type=int, default=32, help="images per step (default 32)")
    p.add_argument("--lr", type=float, default=None, help="learning rate (default: 0.001 for adam, 0.05 for sgd)")
    p.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd", help="sgd with momentum 0.9 (default), or adam")
    p.add_argument("--seed", type=int, default=0, help="initial weights and batch order (default 0)")
    p.add_argument("--shift", type=int, default=1, metavar="PIXELS",
                   help="move each training image by up to PIXELS at random (default 1; 0 = off)")
    p.add_argument("--target", type=float, default=None, metavar="ACC",
                   help="stop once the test accuracy reaches ACC (0-1, e.g. 0.99)")
    p.add_argument("--save", type=Path, default=None, metavar="PATH",
                   help="where to write the trained model (default: models/MODEL.npz in the data folder)")
    p.add_argument("--resume", type=Path, default=None, metavar="PATH",
                   help="continue from a checkpoint written by an earlier run")
    p.add_argument("--train-limit", type=int, default=None, metavar="N", help=argparse.SUPPRESS)


def default_model_path(model: str) -> Path:
    """Where trained models go when --save is not given (the learner's data folder)."""
    from tutor.progress.store import default_home

    return default_home() / "models" / f"{model}.npz"


def stopped_model_path(model: str) -> Path:
    """Where the app keeps a run stopped before its end (by `s`, leaving the lesson or quitting)."""
    path = default_model_path(model)
    return path.with_name(f"{model}-stopped.npz")


def stopped_runs() -> list[str]:
    """The models whose training in the app was interrupted and can be continued."""
    return [model for model in MODEL_CHOICES if stopped_model_path(model).is_file()]


def format_seconds(seconds: float) -> str:
    """m:ss for an ETA or a duration ("-:--" when unknown)."""
    if not math.isfinite(seconds):
        return "-:--"
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


class _Progress:
    """A one-line bar on a terminal, nothing between epochs otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()

    def batch(self, record: Any, epochs: int) -> None:
        if not self.live:
            return
        width = 24
        done = int(width * record.batch / record.batches)
        line = (
            f"\repoch {record.epoch + 1}/{epochs} [{'#' * done}{'.' * (width - done)}] "
            f"loss {record.loss:.4f}  acc {100 * record.accuracy:5.1f}%  "
            f"{record.images_per_second:,.0f} img/s  ETA {format_seconds(record.eta_seconds)}"
        )
        self.stream.write(line[:200].ljust(100))
        self.stream.flush()

    def line(self, text: str) -> None:
        if self.live:
            self.stream.write("\r" + " " * 100 + "\r")
        self.stream.write(text + "\n")
        self.stream.flush()


def cmd_train(args: argparse.Namespace, data_dir: Path | None = None) -> int:
    """Run the training; exit 0 when done or stopped cleanly, 1 on a problem, 2 on bad options."""
    err = sys.stderr
    from tutor.engines.train import TrainConfig

    config = TrainConfig(
        model=args.model, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, optimizer=args.optimizer,
        seed=args.seed, shift=args.shift, target_accuracy=args.target, train_limit=args.train_limit,
        report_seconds=0.2,
    )
    try:
        config.check()
    except ValueError as error:
        print(f"dl-tutor train: {error}.", file=err)
        return 2
    from tutor.backend import BackendError, select_backend
    from tutor.engines.mnist import DataError, load_digits
    from tutor.engines.model import ModelError
    from tutor.engines.train import BatchRecord, DoneRecord, EpochRecord, Trainer, load_checkpoint

    try:
        backend = select_backend(args.backend)
    except BackendError as error:
        print(f"dl-tutor train: {error} Use --backend numpy or --backend auto.", file=err)
        return 2
    try:
        digits = load_digits(data_dir)
    except DataError as error:
        print(f"dl-tutor train: {error}", file=err)
        return 1
    if digits.train_images.shape[1:] != (28, 28):
        print(f"dl-tutor train: the models expect 28x28 images; this data set has "
              f"{digits.train_images.shape[1]}x{digits.train_images.shape[2]}.", file=err)
        return 1
    checkpoint = None
    if args.resume is not None:
        try:
            checkpoint = load_checkpoint(args.resume, xp=backend.xp)
        except ModelError as error:
            print(f"dl-tutor train: {error}", file=err)
            return 1
        if checkpoint.config.model != args.model:
            print(f"dl-tutor train: {args.resume} holds a {checkpoint.config.model} model, not {args.model}.", file=err)
            return 2
        # The recipe comes from the checkpoint; --epochs may extend the run.
        from dataclasses import replace

        config = replace(checkpoint.config, epochs=args.epochs, target_accuracy=args.target, report_seconds=0.2)
    save_path = args.save or default_model_path(args.model)
    trainer = Trainer(config, (digits.train_images, digits.train_labels), (digits.test_images, digits.test_labels),
                      xp=backend.xp, checkpoint=checkpoint)
    progress = _Progress(err)
    progress.line(
        f"training {args.model} on {len(trainer.images):,} images ({digits.info.name}), "
        f"batch {config.batch_size}, {config.optimizer} lr {config.learning_rate():g}, "
        f"shift {config.shift} px, seed {config.seed}; "
        f"backend {backend.name}: {backend.reason}"
    )
    if checkpoint is not None:
        progress.line(f"resuming at epoch {trainer.epoch + 1}, batch {trainer.batch} of {trainer.batches_per_epoch()}")

    interrupts = {"count": 0}

    def on_signal(signum: int, frame: Any) -> None:
        interrupts["count"] += 1
        if interrupts["count"] > 1:
            raise KeyboardInterrupt
        trainer.stop()

    previous = {}
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            try:
                previous[sig] = signal.signal(sig, on_signal)
            except (ValueError, OSError):
                pass
    started = time.perf_counter()
    done = None
    try:
        for record in trainer.run():
            if isinstance(record, BatchRecord):
                progress.batch(record, config.epochs)
            elif isinstance(record, EpochRecord):
                progress.line(
                    f"epoch {record.epoch + 1}/{record.epochs}: loss {record.train_loss:.4f}, "
                    f"train accuracy {100 * record.train_accuracy:.2f}%, test accuracy "
                    f"{100 * record.test_accuracy:.2f}% ({record.seconds:.1f} s)"
                )
            elif isinstance(record, DoneRecord):
                done = record
    except KeyboardInterrupt:
        progress.line("stopped at once: nothing was saved from this run.")
        return 130
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    assert done is not None
    try:
        trainer.save_checkpoint(save_path)
    except OSError as error:
        print(f"dl-tutor train: could not save {save_path}: {error.strerror or error}", file=err)
        return 1
    elapsed = time.perf_counter() - started
    accuracy = "n/a" if done.test_accuracy is None else f"{100 * done.test_accuracy:.2f}%"
    if done.reason == "stopped":
        progress.line(
            f"stopped at epoch {trainer.epoch + 1}, batch {trainer.batch}; checkpoint saved to {save_path}\n"
            f"continue with: dl-tutor train {args.model} --resume {save_path} --epochs {config.epochs}"
        )
    else:
        why = "target accuracy reached" if done.reason == "target" else "done"
        progress.line(f"{why}: test accuracy {accuracy} after {done.epochs_done} epoch(s), {elapsed:.1f} s; saved to {save_path}")
    return 0
