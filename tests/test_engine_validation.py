"""A validation split, as Keras's `validation_split`: the last part of the training images is
held out, each epoch is judged on it (best epoch, target accuracy), and the test set is
measured once, at the end."""

from __future__ import annotations

import numpy as np
import pytest

from tests.test_engine_train import TEST, TRAIN, run_all
from tutor.engines.train import DoneRecord, EpochRecord, Trainer, TrainConfig, _accuracy

RECIPE = dict(model="mlp-30-sigmoid", optimizer="adam", shift=0, epochs=3, batch_size=32, lr=0.01,
              report_seconds=0)


def test_the_last_fraction_is_held_out_and_never_trained_on() -> None:
    trainer = Trainer(TrainConfig(**RECIPE, validation_split=0.25), TRAIN, TEST)
    assert len(trainer.images) == 240 and len(trainer.val_images) == 80  # int(320 * 0.75) kept
    np.testing.assert_array_equal(trainer.images, TRAIN[0][:240])
    np.testing.assert_array_equal(trainer.val_images, TRAIN[0][240:])
    np.testing.assert_array_equal(trainer.val_labels, TRAIN[1][240:])
    assert trainer.batches_per_epoch() == 8  # 240 / 32, rounded up


def test_epochs_are_judged_on_validation_and_the_test_set_is_measured_once(monkeypatch) -> None:
    seen: list[int] = []

    def counting(model, images, labels, batch=500, stop=None):
        seen.append(len(images))
        return _accuracy(model, images, labels, batch, stop)

    monkeypatch.setattr("tutor.engines.train._accuracy", counting)
    trainer = Trainer(TrainConfig(**RECIPE, validation_split=0.25), TRAIN, TEST)
    records = run_all(trainer)
    epochs = [r for r in records if isinstance(r, EpochRecord)]
    done = records[-1]
    assert isinstance(done, DoneRecord) and done.reason == "finished"
    assert seen == [80, 80, 80, 100]  # three epochs on the 80 held out, the 100 test images once
    assert all(e.test_accuracy is None and e.validation_accuracy is not None for e in epochs)
    assert [e.judged for e in epochs] == [e.validation_accuracy for e in epochs]
    assert done.best_test_accuracy == max(e.validation_accuracy for e in epochs)
    assert done.test_accuracy == pytest.approx(_accuracy(trainer.model, trainer.test_images, trainer.test_labels))
    assert done.test_accuracy >= 0.9


def test_the_target_looks_at_validation_and_a_stop_never_tests(monkeypatch) -> None:
    trainer = Trainer(TrainConfig(**{**RECIPE, "epochs": 5}, validation_split=0.25, target_accuracy=0.5),
                      TRAIN, TEST)
    done = run_all(trainer)[-1]
    assert done.reason == "target" and done.epochs_done < 5 and done.test_accuracy is not None

    trainer = Trainer(TrainConfig(**RECIPE, validation_split=0.25), TRAIN, TEST)
    for record in trainer.run():
        if isinstance(record, EpochRecord):
            trainer.stop()
    assert record.reason == "stopped" and record.test_accuracy is None  # never looked at the test set


def test_without_a_split_nothing_changes() -> None:
    records = run_all(Trainer(TrainConfig(**RECIPE), TRAIN, TEST))
    epochs = [r for r in records if isinstance(r, EpochRecord)]
    assert all(e.validation_accuracy is None and e.judged == e.test_accuracy for e in epochs)
    assert records[-1].test_accuracy == epochs[-1].test_accuracy


@pytest.mark.parametrize("split, words", [
    (0.6, "validation split must be a fraction from 0 to 0.5"),
    (-0.1, "validation split must be a fraction"),
    (float("nan"), "validation split must be a fraction"),
])
def test_a_split_out_of_range_is_one_sentence(split: float, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        TrainConfig(**RECIPE, validation_split=split).check()


def test_a_split_that_leaves_nothing_to_train_on_is_one_sentence() -> None:
    one = (TRAIN[0][:1], TRAIN[1][:1])
    with pytest.raises(ValueError, match="leaves none to train on"):
        Trainer(TrainConfig(**RECIPE, validation_split=0.1), one, TEST)  # int(1 * 0.9) = 0 kept
