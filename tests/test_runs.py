"""The training lab's memory (`tutor.runs`): every finished run kept with its recipe and curves;
the model file the lessons use is the best run by its score, never replaced by a worse one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.test_engine_train import TEST, TRAIN
from tests.test_train_cli import write_set
from tutor import runs
from tutor.cli import main
from tutor.engines.train import EpochRecord, Trainer, TrainConfig
from tutor.model_files import load_checkpoint


def _finished(lr: float, split: float = 0.25, epochs: int = 2):
    trainer = Trainer(TrainConfig(model="mlp-30-sigmoid", optimizer="adam", shift=0, epochs=epochs,
                                  batch_size=32, lr=lr, report_seconds=0, validation_split=split), TRAIN, TEST)
    records = list(trainer.run())
    return trainer, [r for r in records if isinstance(r, EpochRecord)], records[-1]


def test_a_run_is_kept_with_its_recipe_curves_and_score(tmp_path: Path) -> None:
    home = tmp_path / "models" / "mlp-30-sigmoid.npz"
    trainer, epochs, done = _finished(0.01)
    saved = runs.record_run(trainer, epochs, done, "mnist", home=home)
    assert saved.promoted and home.is_file() and saved.path.parent == tmp_path / "models" / "runs" / "mlp-30-sigmoid"
    (run,) = runs.list_runs("mlp-30-sigmoid", "mnist", home)
    assert run.recipe["lr"] == 0.01 and run.recipe["validation_split"] == 0.25
    assert run.curve() == [e.validation_accuracy for e in epochs]
    assert run.score == epochs[-1].validation_accuracy and run.test_accuracy == done.test_accuracy
    assert run.judged_by == "validation" and run.label() == "adam lr 0.01, batch 32, 2 epochs"
    assert saved.best == run
    load_checkpoint(saved.path)  # a run file is a checkpoint too
    load_checkpoint(home)


def test_a_worse_run_is_kept_but_never_replaces_the_model(tmp_path: Path) -> None:
    home = tmp_path / "models" / "mlp-30-sigmoid.npz"
    good = runs.record_run(*_finished(0.01), "mnist", home=home)
    before = home.read_bytes()
    worse = runs.record_run(*_finished(1e-6, epochs=1), "mnist", home=home)
    assert not worse.promoted and home.read_bytes() == before
    assert worse.best.path == good.path
    assert len(runs.list_runs("mlp-30-sigmoid", "mnist", home)) == 2
    forced = runs.record_run(*_finished(1e-6, epochs=1), "mnist", home=home, force=True)  # --save PATH
    assert forced.promoted and home.read_bytes() != before


def test_runs_are_pruned_oldest_first_but_the_best_stays(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runs, "RUNS_KEPT", 3)
    home = tmp_path / "models" / "mlp-30-sigmoid.npz"
    best = runs.record_run(*_finished(0.01), "mnist", home=home)
    for _ in range(4):
        runs.record_run(*_finished(1e-6, epochs=1), "mnist", home=home)
    kept = runs.list_runs("mlp-30-sigmoid", "mnist", home)
    assert len(kept) == 3 and kept[0].path == best.path


def test_a_damaged_run_file_is_skipped(tmp_path: Path) -> None:
    home = tmp_path / "models" / "mlp-30-sigmoid.npz"
    runs.record_run(*_finished(0.01), "mnist", home=home)
    folder = runs.runs_folder("mlp-30-sigmoid", "mnist", home)
    (folder / "00000000-000000.npz").write_bytes(b"not a model")
    np.savez(folder / "00000000-000001.npz", spec=np.array("{}"))  # an .npz with no summary
    assert len(runs.list_runs("mlp-30-sigmoid", "mnist", home)) == 1


def test_dl_tutor_train_keeps_the_better_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_set(tmp_path / "tiny", 200, 40)
    base = ["train", "mlp-30-sigmoid", "--data-dir", str(data), "--optimizer", "adam", "--validation-split", "0.2"]
    assert main([*base, "--epochs", "3", "--lr", "0.01"]) == 0
    capsys.readouterr()
    assert main([*base, "--epochs", "1", "--lr", "0.000001"]) == 0
    err = capsys.readouterr().err
    assert "your better model" in err and "stays in" in err and "the one the lessons use" in err
