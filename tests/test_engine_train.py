"""The training loop: records, early stop, stop/pause from another thread, checkpoints that resume exactly."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from tutor.engines.model import ModelError
from tutor.engines.train import (
    BatchRecord,
    DoneRecord,
    EpochRecord,
    TrainConfig,
    Trainer,
    confusion_matrix,
    evaluate,
)
from tutor.model_files import load_checkpoint, save_checkpoint


def toy_digits(n: int = 256, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Images whose class is written as a bright bar at row 2*label: learnable in a few steps."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, size=n)
    images = rng.integers(0, 40, size=(n, 28, 28)).astype(np.uint8)
    for i, label in enumerate(labels):
        images[i, 2 * label + 4 : 2 * label + 6, 4:24] = 255
    return images, labels


TRAIN = toy_digits(320, 0)
TEST = toy_digits(100, 1)


def run_all(trainer: Trainer) -> list:
    return list(trainer.run())


def test_records_come_in_order_and_the_model_learns() -> None:
    config = TrainConfig(model="mlp-30-sigmoid", optimizer="adam", shift=0, epochs=3, batch_size=32, lr=0.01, report_seconds=0)
    records = run_all(Trainer(config, TRAIN, TEST))
    batches = [r for r in records if isinstance(r, BatchRecord)]
    epochs = [r for r in records if isinstance(r, EpochRecord)]
    assert len(batches) == 3 * 10 and [b.batch for b in batches[:10]] == list(range(1, 11))
    assert [e.epoch for e in epochs] == [0, 1, 2]
    assert isinstance(records[-1], DoneRecord) and records[-1].reason == "finished"
    assert epochs[-1].train_loss < epochs[0].train_loss
    assert epochs[-1].test_accuracy >= 0.9
    assert records[-1].best_test_accuracy == max(e.test_accuracy for e in epochs)
    assert epochs[1].learning_rate == pytest.approx(0.01 * 0.85)


def test_lenet_trains_on_toy_digits() -> None:
    config = TrainConfig(model="lenet", epochs=2, batch_size=32, report_seconds=0)
    records = run_all(Trainer(config, TRAIN, TEST))
    assert records[-2].test_accuracy >= 0.8


def test_target_accuracy_stops_early() -> None:
    config = TrainConfig(model="mlp-30-sigmoid", optimizer="adam", shift=0, epochs=5, batch_size=32, lr=0.01, target_accuracy=0.5)
    records = run_all(Trainer(config, TRAIN, TEST))
    done = records[-1]
    assert done.reason == "target" and done.epochs_done < 5


def test_stop_from_another_thread_and_resume_exactly(tmp_path) -> None:
    config = TrainConfig(model="mlp-30-sigmoid", optimizer="adam", shift=0, epochs=2, batch_size=32, lr=0.01, report_seconds=0)
    reference = Trainer(config, TRAIN, TEST)
    run_all(reference)

    first = Trainer(config, TRAIN, TEST)
    for record in first.run():
        if isinstance(record, BatchRecord) and record.epoch == 0 and record.batch == 4:
            stopper = threading.Thread(target=first.stop)
            stopper.start()
            stopper.join()  # stopped from another thread, before the loop asks for its next batch
        last = record
    assert last.reason == "stopped" and (first.epoch, first.batch) == (0, 4)
    path = tmp_path / "ck.npz"
    save_checkpoint(first, path)

    checkpoint = load_checkpoint(path)
    assert (checkpoint.epoch, checkpoint.batch) == (0, 4) and checkpoint.config == config
    second = Trainer(checkpoint.config, TRAIN, TEST, checkpoint=checkpoint)
    records = run_all(second)
    assert records[-1].reason == "finished"
    for name, value in reference.model.params.items():
        np.testing.assert_allclose(second.model.params[name], value, rtol=1e-6, atol=1e-7)


def test_pause_holds_the_loop_until_resume() -> None:
    config = TrainConfig(model="mlp-30-sigmoid", epochs=1, batch_size=32, report_seconds=0)
    trainer = Trainer(config, TRAIN, TEST)
    run = trainer.run()
    next(run)
    trainer.pause()
    assert trainer.paused
    done_before = trainer.batch
    got: list[object] = []
    waiter = threading.Thread(target=lambda: got.append(next(run)))
    waiter.start()
    for _ in range(1000):  # until the loop reaches the pause (a guard against a hang, not a timing)
        if trainer.held:
            break
        time.sleep(0.01)
    assert trainer.held and got == [] and trainer.batch == done_before  # held: no batch ran
    trainer.resume()
    waiter.join(10)
    assert got and trainer.batch > done_before and not trainer.held
    trainer.stop()
    assert list(run)[-1].reason == "stopped"


def test_bad_settings_get_one_sentence() -> None:
    for kwargs, match in [
        ({"model": "resnet"}, "unknown model"),
        ({"optimizer": "rmsprop"}, "unknown optimizer"),
        ({"epochs": 0}, "at least 1"),
        ({"batch_size": 0}, "batch size"),
        ({"lr": -1.0}, "positive"),
        ({"target_accuracy": 99.0}, "between 0 and 1"),
        ({"epochs": 1_000_001}, "at most 1,000"),
        ({"epochs": 2.5}, "whole number"),
        ({"epochs": True}, "whole number"),
        ({"batch_size": 10**9}, "batch size"),
        ({"lr": 1e300}, "no larger than 10"),
        ({"lr": float("nan")}, "positive"),
        ({"lr": float("inf")}, "positive"),
        ({"lr": "0.1"}, "positive"),
        ({"momentum": 1.0}, "momentum"),
        ({"lr_decay": 0.0}, "lr_decay"),
        ({"seed": -1}, "seed must be a whole number from 0 to 4294967295"),
        ({"seed": 2**32}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"shift": -1}, "shift"),
        ({"train_limit": -5}, "train_limit"),
        ({"test_limit": 0}, "test_limit"),
        ({"report_seconds": -1.0}, "report_seconds"),
        ({"target_accuracy": float("nan")}, "between 0 and 1"),
    ]:
        with pytest.raises(ValueError, match=match):
            TrainConfig(**kwargs).check()


def test_damaged_checkpoint(tmp_path) -> None:
    path = tmp_path / "broken.npz"
    path.write_bytes(b"\x00" * 20)
    with pytest.raises(ModelError, match="broken.npz: not a dl-tutor model file"):
        load_checkpoint(path)
    # every other damage: tests/test_damaged_files.py


def test_empty_or_misshaped_sets_are_refused() -> None:
    config = TrainConfig(model="mlp-30-sigmoid", epochs=1)
    with pytest.raises(ValueError, match="the test set holds no images, so the model cannot be tested"):
        Trainer(config, TRAIN, (TEST[0][:0], TEST[1][:0]))
    with pytest.raises(ValueError, match="training set holds no images"):
        Trainer(config, (TRAIN[0][:0], TRAIN[1][:0]), TEST)
    with pytest.raises(ValueError, match="must be 28x28 pixels"):
        Trainer(config, (TRAIN[0][:, :20, :20], TRAIN[1]), TEST)
    with pytest.raises(ValueError, match="7 labels for 320 images"):
        Trainer(config, (TRAIN[0], TRAIN[1][:7]), TEST)


def test_a_checkpoint_past_the_end_of_this_data_is_refused(tmp_path) -> None:
    config = TrainConfig(model="mlp-30-sigmoid", epochs=2, batch_size=32, report_seconds=0)
    trainer = Trainer(config, TRAIN, TEST)
    for record in trainer.run():
        if trainer.batch == 9:
            trainer.stop()
    save_checkpoint(trainer, tmp_path / "ck.npz")
    checkpoint = load_checkpoint(tmp_path / "ck.npz")
    with pytest.raises(ValueError, match="stopped at batch 9 of an epoch, but this data set has 2 batches"):
        Trainer(config, (TRAIN[0][:64], TRAIN[1][:64]), TEST, checkpoint=checkpoint)
    with pytest.raises(ValueError, match="holds a mlp-30-sigmoid network, not lenet"):
        Trainer(TrainConfig(model="lenet"), TRAIN, TEST, checkpoint=checkpoint)


def test_evaluate_and_confusion_matrix() -> None:
    trainer = Trainer(TrainConfig(model="mlp-30-sigmoid", optimizer="adam", shift=0, epochs=2, batch_size=32, lr=0.01), TRAIN, TEST)
    run_all(trainer)
    accuracy, pred, probs = evaluate(trainer.model, TEST[0], TEST[1])
    matrix = confusion_matrix(TEST[1], pred)
    assert matrix.sum() == 100 and np.trace(matrix) == round(accuracy * 100)
    assert probs.shape == (100, 10)
    assert confusion_matrix([0, 1, 1], [0, 1, 0]).tolist()[:2] == [[1] + [0] * 9, [1, 1] + [0] * 8]


def test_shifted_images_move_by_at_most_the_shift_and_replay() -> None:
    images = np.zeros((40, 28, 28), dtype=np.uint8)
    images[:, 10, 12] = 255
    trainer = Trainer(TrainConfig(shift=2), (images, np.zeros(40)), (images, np.zeros(40)))
    moved = trainer._shifted(images, epoch=3, batch=5)
    spots = np.array([np.argwhere(m)[0] for m in moved])
    assert (np.abs(spots - [10, 12]) <= 2).all() and len({tuple(s) for s in spots}) > 5
    np.testing.assert_array_equal(moved, trainer._shifted(images, epoch=3, batch=5))
    assert not np.array_equal(moved, trainer._shifted(images, epoch=3, batch=6))
    with pytest.raises(ValueError, match="shift"):
        TrainConfig(shift=9).check()


def test_stop_during_the_test_pass_ends_at_once() -> None:
    from tutor.engines import train as train_module

    config = TrainConfig(model="mlp-30-sigmoid", epochs=3, batch_size=32, report_seconds=0)
    trainer = Trainer(config, TRAIN, TEST)
    original = train_module._accuracy

    def stop_first(*args, **kwargs):
        trainer.stop()
        return original(*args, **kwargs)

    train_module._accuracy, saved = stop_first, original
    try:
        records = run_all(trainer)
    finally:
        train_module._accuracy = saved
    assert records[-1].reason == "stopped" and not any(isinstance(r, EpochRecord) for r in records)
    assert (trainer.epoch, trainer.batch) == (1, 0)


def test_shifted_images_are_the_same_with_or_without_a_window_view() -> None:
    """The shifts use a sliding-window view where the array module has one and plain indexing
    where it has not (an older CuPy): the same pixels either way, and each image moved whole."""
    from types import SimpleNamespace

    trainer = Trainer(TrainConfig(model="mlp-30-sigmoid", shift=2), TRAIN, TEST)
    images = trainer.images[:40]
    viewed = trainer._shifted(images, 3, 5)
    trainer.xp = SimpleNamespace(pad=np.pad, arange=np.arange, asarray=np.asarray,
                                 lib=SimpleNamespace(stride_tricks=SimpleNamespace()))
    indexed = trainer._shifted(images, 3, 5)
    np.testing.assert_array_equal(viewed, indexed)
    assert viewed.shape == images.shape and int(viewed.sum()) <= int(images.sum())
