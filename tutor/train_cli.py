"""`dl-tutor train MODEL`: training without the TUI, for a GPU box in tmux or a batch job.

Prints a one-line progress bar (on a terminal) or one line per epoch (in a log), the test
accuracy after every epoch and the total time. The first Ctrl+C (or SIGTERM, or SIGHUP when an
SSH connection drops) stops after the current batch and saves a checkpoint that `--resume`
continues exactly; a second Ctrl+C stops at once without saving.

A finished model goes to `--save PATH` (default: models/MODEL.npz in the data folder); a stopped
run's checkpoint goes beside it as NAME-stopped.npz (models/MODEL-stopped.npz, as in the training
scene), so an interrupted run never replaces a finished model. The paths are checked before
training starts; if saving still fails at the end, the result goes to a MODEL-rescued-TIME.npz in
the data folder (or the temp folder) and the command says where. The paths and the model names
(``lenet5`` is accepted for ``lenet``) come from `tutor.models`, the data from `tutor.data`.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from tutor.models import ALIASES, MODEL_NAMES, model_path, rescue_paths, stopped_path, stopped_path_for
from tutor.text import format_seconds, recipe_words


def _model_name(text: str) -> str:
    """A model named on the command line, an alias read as its one name ("lenet5" -> "lenet")."""
    return ALIASES.get(text, text)


def add_parser(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Register the `train` sub-command."""
    p = sub.add_parser(
        "train", parents=parents, help="train a model without the TUI (e.g. LeNet-5 on a GPU box)",
        description="Train a model on MNIST (--data fashion-mnist: the clothes; --data-dir: another set) and save "
                    "it; Ctrl+C saves a checkpoint. Models are kept per data set. The clothes have a recipe of their "
                    "own (adam lr 0.002 halved each epoch, batch 16, no shifts); the options you give win.",
    )
    p.add_argument("model", type=_model_name, choices=MODEL_NAMES, help="the network to train")
    p.add_argument("--epochs", type=int, default=10, help="passes over the training set (default 10)")
    p.add_argument("--batch-size", type=int, default=None, help="images per step (default 32; 16 on fashion-mnist)")
    p.add_argument("--lr", type=float, default=None,
                   help="learning rate (default: 0.001 for adam, 0.05 for sgd; 0.002 on fashion-mnist)")
    p.add_argument("--optimizer", choices=("sgd", "adam"), default=None,
                   help="sgd with momentum 0.9 (default), or adam (the default on fashion-mnist)")
    p.add_argument("--seed", type=int, default=0, help="initial weights and batch order (default 0; 0 to 4294967295)")
    p.add_argument("--shift", type=int, default=None, metavar="PIXELS",
                   help="move each training image by up to PIXELS at random (default 1; 0 = off; 0 on fashion-mnist)")
    p.add_argument("--target", type=float, default=None, metavar="ACC",
                   help="stop once the test accuracy (the validation accuracy with --validation-split) "
                        "reaches ACC (0-1, e.g. 0.99)")
    p.add_argument("--validation-split", type=float, default=0.0, metavar="FRACTION",
                   help="hold out the last FRACTION of the training images (as Keras's validation_split), "
                        "judge each epoch on them and test once at the end (default 0: judge on the test set)")
    p.add_argument("--save", type=Path, default=None, metavar="PATH",
                   help="where to write the trained model (default: models/MODEL.npz in the data folder); "
                        "a run stopped early writes NAME-stopped.npz beside it")
    p.add_argument("--resume", type=Path, default=None, metavar="PATH",
                   help="continue from a checkpoint written by an earlier run (e.g. models/MODEL-stopped.npz)")
    p.add_argument("--train-limit", type=int, default=None, metavar="N", help=argparse.SUPPRESS)


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
        try:
            self.stream.write(line[:200].ljust(100))
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def line(self, text: str) -> None:
        try:
            if self.live:
                self.stream.write("\r" + " " * 100 + "\r")
            self.stream.write(text + "\n")
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away (SIGHUP over SSH): keep training
            pass


def _say(stream: TextIO, text: str) -> None:
    """Print one line to `stream`, ignoring a terminal that went away (SIGHUP over SSH)."""
    try:
        stream.write(text + "\n")
        stream.flush()
    except (OSError, ValueError):
        pass


def save_targets(model: str, save: Path | None) -> tuple[Path, Path]:
    """(where a finished run's model goes, where a stopped run's checkpoint goes).

    Without --save: models/MODEL.npz and models/MODEL-stopped.npz in the data folder (as the
    training scene). With --save PATH: PATH, and NAME-stopped.npz beside it, so Ctrl+C never
    replaces a finished model with a half-trained one."""
    if save is None:
        return model_path(model), stopped_path(model)
    return save, stopped_path_for(save)


def _checkpoint_bytes(model: str, optimizer: str) -> int:
    """About how large a checkpoint of `model` trained with `optimizer` is (parameters, plus one
    array per parameter for SGD's velocity or two for Adam's moments, plus room for the rest)."""
    from tutor.engines.model import MODELS, total_params

    arrays = 1 + (2 if optimizer == "adam" else 1)
    return 4 * total_params(MODELS[model]) * arrays + 64 * 1024


def cmd_train(args: argparse.Namespace, data_dir: Path | None = None) -> int:
    """Run the training; exit 0 when done or stopped cleanly (a checkpoint saved), 1 on a problem
    with the data or a model file or when the result had to be saved elsewhere, 2 on bad options
    or a path that cannot be written, 130 when a second Ctrl+C stopped at once."""
    err = sys.stderr
    from tutor.data import describe
    from tutor.engines.train import DATA_RECIPES, recipe_config

    data = describe(data_dir)
    # The data set's recipe (tutor.engines.train.DATA_RECIPES), with the options given winning.
    config = recipe_config(
        data.key, model=args.model, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
        optimizer=args.optimizer, seed=args.seed, shift=args.shift, target_accuracy=args.target,
        train_limit=args.train_limit, validation_split=args.validation_split, report_seconds=0.2,
    )
    try:
        config.check()
    except ValueError as error:
        _say(err, f"dl-tutor train: {error}.")
        return 2
    from tutor.allocator import tune_allocator
    from tutor.backend import BackendError, select_backend
    from tutor.data import load_digits
    from tutor.engines.mnist import DataError
    from tutor.engines.model import ModelError
    from tutor.engines.train import BatchRecord, DoneRecord, EpochRecord, Trainer
    from tutor.model_files import SaveError, check_save_path, file_data_set, load_checkpoint

    final_path, stopped_path = save_targets(args.model, args.save)
    for path in (final_path, stopped_path):
        try:
            check_save_path(path, _checkpoint_bytes(args.model, config.optimizer))
        except SaveError as error:
            where = "" if args.save is not None else " (the default place; or give --save PATH)"
            _say(err, f"dl-tutor train: cannot save the model: {error}{where}.")
            return 2
    try:
        backend = select_backend(args.backend)
    except BackendError as error:
        _say(err, f"dl-tutor train: {error} Use --backend numpy or --backend auto.")
        return 2
    try:
        digits = load_digits(data_dir)
    except (DataError, OSError, ValueError) as error:
        _say(err, f"dl-tutor train: {error}")
        return 1
    if digits.train_images.shape[1:] != (28, 28):
        _say(err, f"dl-tutor train: the models expect 28x28 images; this data set has "
                  f"{digits.train_images.shape[1]}x{digits.train_images.shape[2]}.")
        return 1
    for split, images in (("training", digits.train_images), ("test", digits.test_images)):
        if len(images) == 0:
            what = "trained" if split == "training" else "tested"
            _say(err, f"dl-tutor train: the {split} images of {digits.info.name} are empty, so the model cannot be "
                      f"{what}: check or replace the files in the data folder.")
            return 1
    checkpoint = None
    if args.resume is not None:
        try:
            checkpoint = load_checkpoint(args.resume, xp=backend.xp)
            recorded = file_data_set(args.resume) or "mnist"
        except ModelError as error:
            _say(err, f"dl-tutor train: {error}.")
            return 1
        if recorded != data.key:
            again = f"--data {recorded}" if recorded in ("mnist", "fashion-mnist") else "its --data-dir"
            _say(err, f"dl-tutor train: {args.resume} was trained on {_title(recorded)}, not on {_title(data.key)}: "
                      f"continue it with the data it was trained on ({again}).")
            return 2
        if checkpoint.config.model != args.model:
            _say(err, f"dl-tutor train: {args.resume} holds a {checkpoint.config.model} model, not {args.model}.")
            return 2
        if checkpoint.epoch >= args.epochs:
            _say(err, f"dl-tutor train: {args.resume} has already done {checkpoint.epoch} epoch(s); "
                      f"give --epochs {checkpoint.epoch + 1} or more to continue it.")
            return 2
        # The recipe comes from the checkpoint; --epochs may extend the run.
        from dataclasses import replace

        config = replace(checkpoint.config, epochs=args.epochs, target_accuracy=args.target, report_seconds=0.2)
    try:
        trainer = Trainer(config, (digits.train_images, digits.train_labels), (digits.test_images, digits.test_labels),
                          xp=backend.xp, checkpoint=checkpoint)
    except ValueError as error:
        source = f"{args.resume}: " if checkpoint is not None else ""
        _say(err, f"dl-tutor train: {source}{error}.")
        return 2
    progress = _Progress(err)
    progress.line(
        f"training {args.model} on {len(trainer.images):,} images ({digits.info.name}"
        + (f", {len(trainer.val_images):,} more held out for validation" if trainer.val_images is not None else "")
        + f"), {recipe_words(config)}, seed {config.seed}"
        + (f" (the {_title(data.key)} recipe)" if data.key in DATA_RECIPES and checkpoint is None else "")
        + "; "
        f"backend {backend.name}: {backend.reason}"
    )
    if checkpoint is not None:
        progress.line(f"resuming at epoch {trainer.epoch + 1}, batch {trainer.batch} of {trainer.batches_per_epoch()}")

    # The first signal stops after the current batch; a second one during training stops at
    # once. While the result is being saved, signals are only counted: the save is short and
    # atomic, and what it wrote is always reported.
    interrupts = {"count": 0, "saving": False}

    def on_signal(signum: int, frame: Any) -> None:
        interrupts["count"] += 1
        if interrupts["count"] > 1 and not interrupts["saving"]:
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
    tune_allocator()
    started = time.perf_counter()
    done = None
    epochs: list[Any] = []
    try:
        try:
            for record in trainer.run():
                if isinstance(record, BatchRecord):
                    progress.batch(record, config.epochs)
                elif isinstance(record, EpochRecord):
                    epochs.append(record)
                    judged = ("validation" if record.validation_accuracy is not None else "test")
                    progress.line(
                        f"epoch {record.epoch + 1}/{record.epochs}: loss {record.train_loss:.4f}, "
                        f"train accuracy {100 * record.train_accuracy:.2f}%, {judged} accuracy "
                        f"{100 * record.judged:.2f}% ({record.seconds:.1f} s)"
                    )
                elif isinstance(record, DoneRecord):
                    done = record
        except KeyboardInterrupt:
            kept = f"; {args.resume} is unchanged" if args.resume is not None else ""
            progress.line(f"stopped at once: nothing was saved from this run{kept}.")
            return 130
        interrupts["saving"] = True
        assert done is not None
        return _save_result(args, trainer, done, epochs, config, final_path, stopped_path, progress,
                            time.perf_counter() - started, data.key)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _save_result(
    args: argparse.Namespace, trainer: Any, done: Any, epochs: list[Any], config: Any, final_path: Path,
    stopped_path: Path,
    progress: _Progress, elapsed: float, data: str = "mnist",
) -> int:
    """Save a finished run to `final_path` or a stopped one to `stopped_path` (or, when that
    fails, to a rescue file) and say where; the exit status."""
    from tutor import model_files
    from tutor.model_files import SaveError

    stopped = done.reason == "stopped"
    if stopped and trainer.epoch == 0 and trainer.batch == 0:
        progress.line("stopped before the first batch: nothing to save.")
        return 0
    target = stopped_path if stopped else final_path
    saved, problem, kept_run = None, "", None
    if not stopped:  # kept with the other runs; the model file only if it is at least as good
        from tutor.runs import record_run

        try:
            kept_run = record_run(trainer, epochs, done, data, home=final_path, force=args.save is not None)
            saved = final_path if kept_run.promoted else kept_run.path
        except OSError:  # the run's own file: the model is then saved as before, the reason named there
            pass
    for path in [] if saved is not None else [target, *rescue_paths(args.model, data)]:
        try:
            model_files.save_checkpoint(trainer, path, data=data)
        except OSError as error:  # SaveError, or anything else the disk said
            problem = problem or (str(error) if isinstance(error, SaveError) else f"{path}: {error.strerror or error}")
            continue
        saved = path
        break
    if saved is None:
        progress.line(f"dl-tutor train: could not save the model anywhere: {problem}; free some disk space "
                      "or give another --save PATH.")
        return 1
    if not stopped and args.resume is not None:
        _drop_consumed(Path(args.resume), stopped_path)
    if saved != target and kept_run is None:
        progress.line(f"dl-tutor train: could not save the model: {problem}; saved it to {saved} instead.")
    save_option = _data_option(data) + (f" --save {args.save}" if args.save is not None else "")
    if stopped:
        progress.line(
            f"stopped at epoch {trainer.epoch + 1}, batch {trainer.batch}; checkpoint saved to {saved}\n"
            f"continue with: dl-tutor train {args.model} --resume {saved} --epochs {config.epochs}{save_option}"
        )
    else:
        accuracy = "n/a" if done.test_accuracy is None else f"{100 * done.test_accuracy:.2f}%"
        why = "target accuracy reached" if done.reason == "target" else "done"
        once = " (measured once, on images no epoch was judged by)" if config.validation_split else ""
        progress.line(f"{why}: test accuracy {accuracy}{once} after {done.epochs_done} epoch(s), {elapsed:.1f} s; "
                      f"saved to {saved}")
        if kept_run is not None and not kept_run.promoted and kept_run.best is not None:
            best = kept_run.best
            score = "" if best.score is None else f" ({100 * best.score:.2f}% {best.judged_by})"
            progress.line(f"your better model{score} stays in {final_path}, the one the lessons use; "
                          f"this run is kept beside it in {kept_run.path.parent}")
    return 0 if saved == target or kept_run is not None else 1


def _title(key: str) -> str:
    """A data set key as a learner reads it."""
    return {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}.get(key, key)


def _data_option(key: str) -> str:
    """The option that chooses the data set `key` again: " --data fashion-mnist" for the shipped
    clothes, "" for MNIST (the default) or a --data-dir folder (whose option the user knows)."""
    return " --data fashion-mnist" if key == "fashion-mnist" else ""


def _drop_consumed(resumed: Path, stopped_path: Path) -> None:
    """A finished run supersedes the stopped run it continued: remove that checkpoint when it is
    this run's own stopped file (never any other file the user pointed --resume at)."""
    try:
        if resumed.resolve() == stopped_path.resolve() and stopped_path.is_file():
            stopped_path.unlink()
    except OSError:
        pass
