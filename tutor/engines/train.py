"""Mini-batch training of a `Model` on digit images, as a generator of plain progress records.

`Trainer.run()` yields a `BatchRecord` every `report_seconds` (and at the end of each epoch),
an `EpochRecord` after each pass over the training set with the accuracy on the test set, and
one final `DoneRecord`. With `validation_split` the last part of the training images is held
out, as Keras's `validation_split` does: each epoch is then judged on those (early stopping,
the target accuracy and the best epoch look only at them) and the test set is measured once,
after the last epoch, in the `DoneRecord`. It never prints and knows nothing of a UI: the headless `dl-tutor train`
command and the training scene (a thread worker) both just iterate it. `stop()`, `pause()` and
`resume()` are safe to call from another thread; the loop looks at them between batches.

The network may also live outside this process: an `OutsideModel` (the learner's own LeNet-5 in
its sandboxed child, `tutor.exercises.learner_trainer`) takes each batch as the indices of its
images and the learning rate, and answers with the batch's loss and hits; the loop, its records,
pause and stop are the same. Its run keeps no checkpoint (the network is not here to save).

The images stay uint8 on the device (60,000 x 28 x 28 = 47 MB) and each batch is turned into
float32 in 0..1 as it is drawn, so memory stays small. The order of each epoch comes from
`seed + epoch`, so a run stopped mid-epoch and resumed from its checkpoint sees the same batches.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any, Callable, Protocol

import numpy as np

from tutor.backend import to_numpy
from tutor.engines.evaluate import (
    Evaluation,
    confusion_matrix,
    evaluate,
    evaluate_in_batches,
)
from tutor.engines.mnist import MAX_IDX_ITEMS
from tutor.engines.model import MODELS, Model, ModelError
from tutor.engines.optim import make_optimizer
from tutor.engines.train_config import (  # re-exported: a run's config lives beside the run
    DATA_RECIPES, DEFAULT_LR, MAX_EPOCHS, MAX_LR, MAX_SEED, MAX_VALIDATION_SPLIT, TrainConfig, recipe_config,
)

__all__ = [
    "DATA_RECIPES",
    "DEFAULT_LR",
    "MAX_EPOCHS",
    "MAX_LR",
    "MAX_VALIDATION_SPLIT",
    "MAX_SEED",
    "BatchRecord",
    "Checkpoint",
    "DoneRecord",
    "EpochRecord",
    "Evaluation",
    "Interrupted",
    "OutsideModel",
    "TrainConfig",
    "Trainer",
    "checkpoint_from_arrays",
    "confusion_matrix",
    "evaluate",
    "evaluate_in_batches",
    "recipe_config",
]

@dataclass(frozen=True)
class BatchRecord:
    """Progress inside an epoch."""

    epoch: int  #: 0-based epoch
    batch: int  #: batches done in this epoch
    batches: int  #: batches per epoch
    loss: float  #: mean loss of the batches since the last record
    accuracy: float  #: training accuracy over those batches
    images_per_second: float
    eta_seconds: float  #: estimated time to the end of the run
    steps: int  #: optimizer steps taken so far in the whole run


@dataclass(frozen=True)
class EpochRecord:
    """The end of one epoch."""

    epoch: int  #: 0-based epoch just finished
    epochs: int
    train_loss: float  #: mean batch loss over the epoch
    train_accuracy: float
    test_accuracy: float | None  #: None when the run holds out a validation set
    seconds: float  #: time this epoch took (training and test)
    learning_rate: float  #: the rate used during this epoch
    validation_accuracy: float | None = None  #: on the held-out images (validation_split)

    @property
    def judged(self) -> float:
        """The accuracy the run judges this epoch by: validation when held out, else test."""
        value = self.validation_accuracy if self.validation_accuracy is not None else self.test_accuracy
        return float(value) if value is not None else 0.0


@dataclass(frozen=True)
class DoneRecord:
    """The end of the run: reason is "finished", "target" (reached target_accuracy) or "stopped".

    With a validation split, `test_accuracy` is measured here once, after the last epoch (None
    when the run was stopped), and `best_test_accuracy` is the best *validation* accuracy."""

    reason: str
    epochs_done: int  #: complete epochs
    test_accuracy: float | None  #: after the last complete epoch (None if none completed)
    best_test_accuracy: float | None  #: the best judged accuracy (see EpochRecord.judged)
    seconds: float


Record = BatchRecord | EpochRecord | DoneRecord


class Interrupted(Exception):
    """An `OutsideModel`'s call cut short by its `interrupt()`: the run stops there (the batch
    in flight is not counted)."""


class OutsideModel(Protocol):
    """A network trained outside the Trainer (e.g. in another process) that holds its own copy
    of the data set, its parameters and its optimizer (set up by its owner from the recipe).

    Indices count from the start of the data set's training or test images, so `train_limit`,
    `test_limit` and a validation split (the end of the training images) mean the same images
    on both sides. A call that cannot go on raises an exception with one line; after
    `interrupt()` (from any thread) every call raises `Interrupted` at once."""

    def train_batch(self, indices: np.ndarray, lr: float) -> tuple[float, int]:
        """One optimizer step on the training images `indices` (B,) at learning rate `lr`:
        the batch's mean loss (before the step) and how many of the B it classified right."""
        ...

    def hits(self, split: str, start: int, count: int) -> int:
        """How many of the `split` ("train" or "test") images start..start+count it classifies
        right."""
        ...

    def interrupt(self) -> None:
        """Cut any call short now (another thread may be waiting in one)."""
        ...


def _accuracy(model: Model, images: Any, labels: Any, batch: int = 500, stop: threading.Event | None = None) -> float | None:
    """Test accuracy computed on the device, with a single copy back at the end; None when
    `stop` is set part-way (so a learner quitting never waits for the whole test set)."""
    xp = model.xp
    correct = xp.zeros((), dtype=xp.int64)
    for start in range(0, len(images), batch):
        if stop is not None and stop.is_set():
            return None
        scores = model.scores(model.prepare(images[start : start + batch]))
        correct += (xp.argmax(scores, axis=1) == labels[start : start + batch]).sum()
    return float(to_numpy(correct)) / max(1, len(images))


@dataclass(frozen=True)
class Checkpoint:
    """Where a stopped or finished run can continue from."""

    model: Model
    config: TrainConfig
    epoch: int  #: the epoch to continue in (0-based)
    batch: int  #: batches of that epoch already done
    optimizer_state: dict[str, np.ndarray]
    best_test_accuracy: float | None


def checkpoint_from_arrays(
    arrays: dict[str, np.ndarray], xp: Any = np, source_name: str = "the checkpoint", *, advice: str
) -> Checkpoint:
    """A checkpoint from the arrays `Trainer.checkpoint_arrays` gave (read back from
    `source_name`: `tutor.model_files.load_checkpoint`); ModelError otherwise, one line starting
    with `source_name` and ending with `advice` when they are damaged.

    Everything inside is checked before it is used: the model (by `Model.from_arrays`), the
    recipe (a JSON object that `TrainConfig.check` accepts, for the network inside), the position
    (whole numbers in range), the best accuracy, and the optimizer state (exactly the arrays the
    recipe's optimizer keeps, of their shapes, finite). A plain model (no training state) loads
    too: training then starts at epoch 0 with it.
    """
    model, extra = Model.from_arrays(arrays, xp=xp, source_name=source_name, advice=advice)

    def damaged(what: str) -> ModelError:
        return ModelError(f"{source_name}: the training state inside is damaged ({what}); {advice}")

    name = next((key for key, spec in MODELS.items() if spec == model.spec), None)
    if name is None:
        raise ModelError(f"{source_name}: holds a {model.spec.name} network that dl-tutor does not train "
                         f"(another version?); {advice}")
    config = TrainConfig(model=name)
    if "config" in extra:
        text = extra["config"]
        if text.ndim != 0 or text.dtype.kind != "U" or len(str(text)) > 10_000:
            raise damaged("the recipe is not a short text")
        try:
            fields = json.loads(str(text))
        except (ValueError, RecursionError) as error:
            raise damaged(f"the recipe is not JSON: {error}") from None
        if not isinstance(fields, dict):
            raise damaged("the recipe is not a JSON object")
        known = {k: v for k, v in fields.items() if k in TrainConfig.__dataclass_fields__}
        try:
            config = TrainConfig(**known)
            config.check()
        except (TypeError, ValueError, OverflowError) as error:
            raise damaged(f"recipe: {error}") from None
        if config.model != name:
            raise damaged(f"the recipe is for {config.model} but the network inside is {name}")
    epoch = _scalar(extra, "epoch", "iu", 0, damaged)
    batch = _scalar(extra, "batch", "iu", 0, damaged)
    if not 0 <= epoch <= MAX_EPOCHS:
        raise damaged(f"epoch {epoch:,} is not between 0 and {MAX_EPOCHS:,}")
    if not 0 <= batch <= MAX_IDX_ITEMS // config.batch_size:
        raise damaged(f"batch {batch:,} is not a position in an epoch")
    best: float | None = _scalar(extra, "best", "iuf", -1.0, damaged)
    if best is not None and not (best == -1 or 0 <= best <= 1):
        raise damaged(f"best accuracy {best} is not between 0 and 1")
    best = None if best is None or best < 0 else float(best)
    optimizer_state = _optimizer_state(model, config, extra, damaged)
    return Checkpoint(model, config, epoch, batch, optimizer_state, best)


def _scalar(extra: dict[str, np.ndarray], key: str, kinds: str, default: Any, damaged: Callable[[str], ModelError]) -> Any:
    """The 0-d array `extra[key]` as a Python number (`default` when absent); damage when it is
    not a single number of one of the dtype `kinds` ("i", "u", "f"), or not finite."""
    if key not in extra:
        return default
    value = extra[key]
    if value.ndim != 0 or value.dtype.kind not in kinds:
        raise damaged(f"{key} is not a single {'whole ' if 'f' not in kinds else ''}number")
    number = value.item()
    if isinstance(number, float) and not math.isfinite(number):
        raise damaged(f"{key} is not finite")
    return number


def _optimizer_state(
    model: Model, config: TrainConfig, extra: dict[str, np.ndarray], damaged: Callable[[str], ModelError]
) -> dict[str, np.ndarray]:
    """The optimizer state saved in `extra` ("opt:" keys), checked against what the recipe's
    optimizer keeps for this model: the same names, shapes and kinds, finite values. Empty when
    none was saved (the optimizer then starts afresh)."""
    saved = {k[4:]: v for k, v in extra.items() if k.startswith("opt:")}
    if not saved:
        return {}
    fresh = make_optimizer(config.optimizer, model.state(), config.learning_rate(), config.momentum)
    expected = fresh.state()
    if set(saved) != set(expected):
        raise damaged(f"the {config.optimizer} optimizer's state has other arrays than it keeps")
    state: dict[str, np.ndarray] = {}
    for key, want in expected.items():
        value = saved[key]
        if value.shape != want.shape:
            raise damaged(f"optimizer array {key} has shape {value.shape}, expected {want.shape}")
        if value.dtype.kind not in ("iu" if want.dtype.kind in "iu" else "f"):
            raise damaged(f"optimizer array {key} holds {value.dtype} values")
        if value.dtype.kind == "f" and not np.all(np.isfinite(value)):
            raise damaged(f"optimizer array {key} holds NaN or infinite values")
        if value.dtype.kind in "iu" and np.any(value < 0):
            raise damaged(f"optimizer array {key} is negative")
        state[key] = value.astype(want.dtype)
    return state


def _check_set(which: str, images: Any, labels: Any, spec: Any) -> None:
    """ValueError with one sentence unless `images` (N, H, W) and `labels` (N,) form a non-empty
    set of the size the network `spec` takes."""
    shape = tuple(np.shape(images))
    if len(shape) != 3 or shape[1:] != tuple(spec.input_shape[1:]):
        size = "x".join(str(d) for d in spec.input_shape[1:])
        raise ValueError(f"the {which} images must be {size} pixels (got an array of shape {shape})")
    if shape[0] == 0:
        raise ValueError(f"the {which} set holds no images, so the model cannot be "
                         + ("trained" if which == "training" else "tested"))
    if np.shape(labels) != (shape[0],):
        raise ValueError(f"the {which} set has {np.shape(labels)[0] if np.ndim(labels) else 0:,} labels "
                         f"for {shape[0]:,} images")


class Trainer:
    """Trains a model on uint8 digit images; iterate `run()` for progress records.

    Args:
        config: the recipe.
        train: (images (N, 28, 28) uint8, labels (N,)) as NumPy arrays.
        test: the same for the test set.
        xp: the array module to train on (numpy, or cupy from tutor.backend).
        checkpoint: continue from this (its model, epoch, batch and optimizer state).
        outside: train this network instead of building one (`OutsideModel`): `model` and
            `optimizer` are then None, and the run takes no checkpoint and no shifts.
    """

    def __init__(
        self,
        config: TrainConfig,
        train: tuple[np.ndarray, np.ndarray],
        test: tuple[np.ndarray, np.ndarray],
        xp: Any = np,
        checkpoint: Checkpoint | None = None,
        outside: OutsideModel | None = None,
    ) -> None:
        config.check()
        if outside is not None and (checkpoint is not None or config.shift):
            raise ValueError("a network trained outside starts afresh, on unshifted images")
        self.config = config
        self.xp = xp
        self.outside = outside
        images, labels = train
        if config.train_limit:
            images, labels = images[: config.train_limit], labels[: config.train_limit]
        test_images, test_labels = test
        if config.test_limit:
            test_images, test_labels = test_images[: config.test_limit], test_labels[: config.test_limit]
        _check_set("training", images, labels, MODELS[config.model])
        val_images = val_labels = None
        if config.validation_split:
            keep = int(len(images) * (1 - config.validation_split))  # as Keras splits
            if keep == len(images) or keep < 1:
                raise ValueError(f"a validation split of {config.validation_split:g} of {len(images):,} "
                                 "training images leaves " + ("no validation images" if keep else "none to train on"))
            images, val_images = images[:keep], images[keep:]
            labels, val_labels = labels[:keep], labels[keep:]
        _check_set("test", test_images, test_labels, MODELS[config.model])
        # Resident on the device for the whole run: uint8 images, int64 labels.
        self.images = xp.asarray(np.ascontiguousarray(images, dtype=np.uint8))
        self.labels = xp.asarray(np.asarray(labels, dtype=np.int64))
        self.test_images = xp.asarray(np.ascontiguousarray(test_images, dtype=np.uint8))
        self.test_labels = xp.asarray(np.asarray(test_labels, dtype=np.int64))
        #: The held-out images and labels (None without a validation split).
        self.val_images = None if val_images is None else xp.asarray(np.ascontiguousarray(val_images, dtype=np.uint8))
        self.val_labels = None if val_labels is None else xp.asarray(np.asarray(val_labels, dtype=np.int64))
        self.model: Model | None
        if outside is not None:
            self.model, self.optimizer = None, None
            self.epoch, self.batch, self.best = 0, 0, None
        elif checkpoint is not None:
            if checkpoint.model.spec != MODELS[config.model]:
                raise ValueError(f"the checkpoint holds a {checkpoint.model.spec.name} network, not {config.model}")
            batches = math.ceil(len(images) / config.batch_size)
            if not (0 <= checkpoint.batch < batches or (checkpoint.batch == 0 and batches == 0)):
                raise ValueError(
                    f"the checkpoint stopped at batch {checkpoint.batch:,} of an epoch, but this data set has "
                    f"{batches:,} batches of {config.batch_size} per epoch: continue it with the data it was "
                    "trained on"
                )
            self.model = checkpoint.model
            if self.model.xp is not xp:
                self.model = Model(checkpoint.model.spec, xp=xp)
                for name, value in checkpoint.model.state().items():
                    self.model.params[name] = xp.asarray(value)
            self.epoch, self.batch = checkpoint.epoch, checkpoint.batch
            self.best = checkpoint.best_test_accuracy
        else:
            self.model = Model(MODELS[config.model], xp=xp, seed=config.seed)
            self.epoch, self.batch, self.best = 0, 0, None
        if self.model is not None:
            self.optimizer = make_optimizer(config.optimizer, self.model.params, config.learning_rate(), config.momentum)
            if checkpoint is not None and checkpoint.optimizer_state:
                self.optimizer.load_state(checkpoint.optimizer_state, xp)
        self.last_test_accuracy: float | None = None
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._held = threading.Event()

    # -- control from any thread ------------------------------------------------------------

    def stop(self) -> None:
        """Finish after the current batch (the run then yields DoneRecord("stopped")); an
        outside network's batch in flight is cut short (`OutsideModel.interrupt`)."""
        self._stop.set()
        self._running.set()
        if self.outside is not None:
            self.outside.interrupt()

    def pause(self) -> None:
        """Hold before the next batch until `resume()` or `stop()`."""
        self._running.clear()

    def resume(self) -> None:
        """Continue after `pause()`."""
        self._running.set()

    @property
    def paused(self) -> bool:
        """Whether the loop is held by `pause()`."""
        return not self._running.is_set()

    @property
    def held(self) -> bool:
        """Whether the loop is waiting at a pause, with no batch in flight."""
        return self._held.is_set()

    @property
    def stopping(self) -> bool:
        """Whether `stop()` was called."""
        return self._stop.is_set()

    # -- the loop ----------------------------------------------------------------------------

    def batches_per_epoch(self) -> int:
        """Gradient steps in one epoch (the last batch may be smaller)."""
        return math.ceil(len(self.images) / self.config.batch_size)

    def _order(self, epoch: int) -> Any:
        """The shuffled image order of an epoch (from seed + epoch, so it can be replayed)."""
        perm = np.random.default_rng(self.config.seed + 1_000_003 * (epoch + 1)).permutation(len(self.images))
        return self.xp.asarray(perm)

    def _shifted(self, images: Any, epoch: int, batch: int) -> Any:
        """Each image (B, H, W) moved by its own random offset of up to `shift` pixels, the edge
        filled with 0; offsets from (seed, epoch, batch), so a resumed run draws the same ones."""
        xp, s = self.xp, self.config.shift
        n, h, w = images.shape
        rng = np.random.default_rng((self.config.seed, epoch, batch))
        dy = xp.asarray(rng.integers(0, 2 * s + 1, size=n))
        dx = xp.asarray(rng.integers(0, 2 * s + 1, size=n))
        padded = xp.pad(images, ((0, 0), (s, s), (s, s)))
        view = getattr(xp.lib.stride_tricks, "sliding_window_view", None)  # (B, 2s+1, 2s+1, H, W)
        if view is not None:  # two index arrays of length B, not three of shape (B, H, W)
            return view(padded, (h, w), axis=(1, 2))[xp.arange(n), dy, dx]
        rows, cols = dy[:, None, None] + xp.arange(h)[None, :, None], dx[:, None, None] + xp.arange(w)
        return padded[xp.arange(n)[:, None, None], rows, cols]

    def run(self) -> Iterator[Record]:
        """Train to the end (or until stopped or the target accuracy is reached), yielding records.

        Callers that train for long call `tutor.allocator.tune_allocator()` once at their start."""
        xp, cfg = self.xp, self.config
        size, batches = cfg.batch_size, self.batches_per_epoch()
        started = time.perf_counter()
        steps = 0
        total_steps = (cfg.epochs - self.epoch) * batches - self.batch
        while self.epoch < cfg.epochs:
            epoch = self.epoch
            lr = cfg.learning_rate() * cfg.lr_decay**epoch
            if self.optimizer is not None:
                self.optimizer.lr = lr
            order = self._order(epoch)
            epoch_start = time.perf_counter()
            loss_sum = xp.zeros((), dtype=xp.float64)
            correct = xp.zeros((), dtype=xp.int64)
            window_loss = xp.zeros((), dtype=xp.float64)
            window_correct = xp.zeros((), dtype=xp.int64)
            window_batches = window_images = 0
            epoch_images = 0
            last_report = time.perf_counter()
            report_start = last_report
            while self.batch < batches:
                if not self._running.is_set():
                    paused_at = time.perf_counter()
                    self._held.set()
                    while not self._running.wait(0.1):
                        pass
                    self._held.clear()
                    pause = time.perf_counter() - paused_at
                    started += pause
                    epoch_start += pause
                    last_report += pause
                    report_start += pause
                if self._stop.is_set():
                    yield DoneRecord("stopped", self.epoch, self.last_test_accuracy, self.best, time.perf_counter() - started)
                    return
                index = order[self.batch * size : (self.batch + 1) * size]
                if self.outside is not None:
                    try:
                        loss, hits = self.outside.train_batch(to_numpy(index), lr)
                    except Interrupted:
                        yield DoneRecord("stopped", self.epoch, self.last_test_accuracy, self.best,
                                         time.perf_counter() - started)
                        return
                else:
                    loss, hits = self._step(index, epoch)
                loss_sum += loss * len(index)
                correct += hits
                window_loss += loss
                window_correct += hits
                window_batches += 1
                window_images += len(index)
                epoch_images += len(index)
                self.batch += 1
                steps += 1
                now = time.perf_counter()
                if self.batch == batches or now - last_report >= cfg.report_seconds:
                    rate = window_images / max(now - report_start, 1e-9)
                    overall = steps / max(now - started, 1e-9)
                    yield BatchRecord(
                        epoch=epoch,
                        batch=self.batch,
                        batches=batches,
                        loss=float(to_numpy(window_loss)) / window_batches,
                        accuracy=float(to_numpy(window_correct)) / window_images,
                        images_per_second=rate,
                        eta_seconds=(total_steps - steps) / overall,
                        steps=steps,
                    )
                    window_loss = xp.zeros((), dtype=xp.float64)
                    window_correct = xp.zeros((), dtype=xp.int64)
                    window_batches = window_images = 0
                    last_report = report_start = time.perf_counter()
            validating = self.val_images is not None
            accuracy = self._judge(validating)
            if accuracy is None:  # stopped while testing: the epoch's training is complete
                self.epoch += 1
                self.batch = 0
                yield DoneRecord("stopped", self.epoch, self.last_test_accuracy, self.best, time.perf_counter() - started)
                return
            if not validating:
                self.last_test_accuracy = accuracy
            self.best = accuracy if self.best is None else max(self.best, accuracy)
            self.epoch += 1
            self.batch = 0
            yield EpochRecord(
                epoch=epoch,
                epochs=cfg.epochs,
                train_loss=float(to_numpy(loss_sum)) / max(1, epoch_images),
                train_accuracy=float(to_numpy(correct)) / max(1, epoch_images),
                test_accuracy=None if validating else accuracy,
                seconds=time.perf_counter() - epoch_start,
                learning_rate=lr,
                validation_accuracy=accuracy if validating else None,
            )
            if cfg.target_accuracy is not None and accuracy >= cfg.target_accuracy:
                yield DoneRecord("target", self.epoch, self._final_test(), self.best, time.perf_counter() - started)
                return
            if self._stop.is_set():
                yield DoneRecord("stopped", self.epoch, self.last_test_accuracy, self.best, time.perf_counter() - started)
                return
        yield DoneRecord("finished", self.epoch, self._final_test(), self.best, time.perf_counter() - started)

    def _step(self, index: Any, epoch: int) -> tuple[Any, Any]:
        """One optimizer step of the model here on the training images `index`: the batch's
        loss and hits (on the device)."""
        batch_images = self.images[index]
        if self.config.shift:
            batch_images = self._shifted(batch_images, epoch, self.batch)
        x = self.model.prepare(batch_images)
        y = self.labels[index]
        loss, probs, grads = self.model.loss_and_grads(x, y)
        self.optimizer.step(grads)
        return loss, (self.xp.argmax(probs, axis=1) == y).sum()

    def _judge(self, validating: bool) -> float | None:
        """The accuracy on the held-out images (`validating`) or the test images; None when
        stopped part-way."""
        if self.outside is None:
            if validating:
                return _accuracy(self.model, self.val_images, self.val_labels, stop=self._stop)
            return _accuracy(self.model, self.test_images, self.test_labels, stop=self._stop)
        # The held-out images are the end of the training images (after train_limit).
        split, start, count = ("train", len(self.images), len(self.val_images)) if validating else (
            "test", 0, len(self.test_images))
        hits = 0
        for begin in range(0, count, 500):
            if self._stop.is_set():
                return None
            try:
                hits += self.outside.hits(split, start + begin, min(500, count - begin))
            except Interrupted:
                return None
        return hits / max(1, count)

    def _final_test(self) -> float | None:
        """The test accuracy at the end of a run: the last epoch's, or (with a validation split)
        measured now, once; None when stopped part-way through that measurement."""
        if self.val_images is not None:
            self.last_test_accuracy = self._judge(False)
        return self.last_test_accuracy

    # -- checkpoints -------------------------------------------------------------------------

    def checkpoint_arrays(self) -> dict[str, np.ndarray]:
        """The model, the recipe, the position (epoch, batch) and the optimizer state as NumPy
        arrays: what a checkpoint file holds (`tutor.model_files.save_checkpoint` writes it).
        ValueError for a network trained outside (it is not here)."""
        if self.model is None:
            raise ValueError("a network trained outside has no checkpoint here")
        extra: dict[str, np.ndarray] = {
            "config": np.array(json.dumps(asdict(self.config))),
            "epoch": np.array(self.epoch),
            "batch": np.array(self.batch),
            "best": np.array(-1.0 if self.best is None else self.best),
        }
        extra.update({f"opt:{k}": v for k, v in self.optimizer.state().items()})
        return self.model.to_arrays(extra)
