"""The training lab's memory: every finished run kept, and the best one is the model lessons use.

A finished run (the training scene or `dl-tutor train`) is written to
``models/runs/NAME/STAMP.npz`` beside `tutor.models.model_path(NAME)`: its checkpoint (network,
recipe, optimizer state) and a JSON summary: when, the recipe, every epoch's loss and
accuracies, the final test accuracy, and the run's **score**, the accuracy it is judged by (the
last epoch's validation accuracy when the run held some images out, else its test accuracy).

``models/NAME.npz``, the model every lesson and `find_model` use, is the best run by score: a
new run replaces it only when it scores at least as well, so an experiment at lr 1.0 (10%) never
replaces a LeNet-5 at 99%. At most RUNS_KEPT runs per network stay (the oldest that is not the
best goes first). Nothing here draws: the training scene's runs view and `dl-tutor train` read
`list_runs` and `record_run`'s answer.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tutor.engines.train import DEFAULT_LR
from tutor.models import canonical, model_path

__all__ = ["RUNS_KEPT", "RunSaved", "RunSummary", "best_run", "list_runs", "record_run", "runs_folder", "score_of"]

#: The most runs kept per network and data set.
RUNS_KEPT = 20
#: The key of the JSON summary inside a run's .npz (next to the checkpoint's arrays).
SUMMARY_KEY = "extra:run"


@dataclass(frozen=True)
class RunSummary:
    """One kept run, as its file's summary says."""

    path: Path
    when: str  #: "2026-12-05 12:04", local time
    recipe: dict[str, Any]  #: the TrainConfig fields
    epochs: list[dict[str, Any]] = field(default_factory=list)  #: per epoch: loss, train, valid, test
    test_accuracy: float | None = None  #: after the last epoch (measured once with a validation set)
    score: float | None = None  #: what the run is judged by (see the module)

    @property
    def judged_by(self) -> str:
        """"validation" or "test": which accuracy `score` is."""
        return "validation" if self.recipe.get("validation_split") else "test"

    def curve(self) -> list[float]:
        """The judged accuracy after each epoch (validation, else test)."""
        key = "valid" if self.judged_by == "validation" else "test"
        return [e[key] for e in self.epochs if isinstance(e.get(key), (int, float))]

    def label(self) -> str:
        """The recipe in a few words: "adam lr 0.001, batch 64, 3 epochs"."""
        r = self.recipe
        lr = r.get("lr") if r.get("lr") is not None else DEFAULT_LR.get(r.get("optimizer"), 0)
        count = len(self.epochs)
        return f"{r.get('optimizer')} lr {lr:g}, batch {r.get('batch_size')}, {count} epoch{'s' if count != 1 else ''}"


@dataclass(frozen=True)
class RunSaved:
    """What `record_run` did: the run's file, whether it became the model lessons use, and the
    best run after it (the one lessons use)."""

    path: Path
    promoted: bool
    best: RunSummary | None


def runs_folder(name: str, data: str | None = None, home: Path | None = None) -> Path:
    """Where the runs of network `name` on data set `data` (default: the app's) are kept:
    runs/NAME beside its model file `home` (default: `model_path`)."""
    home = model_path(name, data) if home is None else Path(home)
    return home.parent / "runs" / canonical(name)


def score_of(epochs: list[Any], test_accuracy: float | None) -> float | None:
    """A run's score: the last epoch's validation accuracy when it has one, else the final test
    accuracy (None when neither is known)."""
    if epochs and getattr(epochs[-1], "validation_accuracy", None) is not None:
        return float(epochs[-1].validation_accuracy)
    return None if test_accuracy is None else float(test_accuracy)


def _summary(epochs: list[Any], done: Any, config: Any) -> dict[str, Any]:
    from dataclasses import asdict

    rows = [{"epoch": e.epoch + 1, "loss": round(float(e.train_loss), 6), "train": float(e.train_accuracy),
             "valid": e.validation_accuracy, "test": e.test_accuracy} for e in epochs]
    return {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "recipe": asdict(config),
        "epochs": rows,
        "test_accuracy": done.test_accuracy,
        "score": score_of(epochs, done.test_accuracy),
    }


def _read_summary(path: Path) -> RunSummary | None:
    """The summary inside a run file (None for a file that is not a readable run)."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            if SUMMARY_KEY not in archive.files:
                return None
            raw = archive[SUMMARY_KEY]
        data = json.loads(str(raw)) if raw.ndim == 0 and raw.dtype.kind == "U" else None
    except (OSError, ValueError, KeyError, EOFError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("recipe"), dict):
        return None
    score = data.get("score")
    test = data.get("test_accuracy")
    number = (lambda v: float(v) if isinstance(v, (int, float)) and math.isfinite(v) else None)
    epochs = [e for e in data.get("epochs", []) if isinstance(e, dict)]
    return RunSummary(path, str(data.get("when", "")), data["recipe"], epochs, number(test), number(score))


def list_runs(name: str, data: str | None = None, home: Path | None = None) -> list[RunSummary]:
    """The kept runs of `name` on `data`, oldest first (unreadable files are skipped)."""
    folder = runs_folder(name, data, home)
    if not folder.is_dir():
        return []
    runs = [_read_summary(path) for path in sorted(folder.glob("*.npz"))]
    return [run for run in runs if run is not None]


def best_run(runs: list[RunSummary]) -> RunSummary | None:
    """The run with the highest score (the latest of equals); None when none has a score."""
    scored = [run for run in runs if run.score is not None]
    return max(reversed(scored), key=lambda run: run.score) if scored else None


def _current_score(path: Path) -> float | None:
    """The score of the model file lessons use now: its run summary's, else the best accuracy its
    checkpoint recorded; None when it has neither (then any new run replaces it)."""
    summary = _read_summary(path) if path.is_file() else None
    if summary is not None:
        return summary.score
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as archive:
            best = float(archive["extra:best"]) if "extra:best" in archive.files else -1.0
    except (OSError, ValueError, KeyError, EOFError):
        return None
    return best if best >= 0 else None


def record_run(trainer: Any, epochs: list[Any], done: Any, data: str, home: Path | None = None,
               force: bool = False) -> RunSaved:
    """Keep a finished run: write it to the runs folder beside `home` (default: the model the
    lessons use, `model_path`), and to `home` itself when it scores at least as well as what is
    there (always with `force`: a path the learner named). SaveError (an OSError with one line)
    when a file cannot be written."""
    from tutor.model_files import save_checkpoint

    config = trainer.config
    summary = _summary(epochs, done, config)
    extra = {"run": np.array(json.dumps(summary))}
    home = model_path(config.model, data) if home is None else Path(home)
    folder = runs_folder(config.model, data, home)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    serial = 1  # names sort in the order the runs finished, within a second too
    while (path := folder / f"{stamp}-{serial:03d}.npz").exists():
        serial += 1
    save_checkpoint(trainer, path, data=data, extra=extra)
    current = _current_score(home)
    score = summary["score"]
    promoted = force or current is None or (score is not None and score >= current)
    if promoted:
        save_checkpoint(trainer, home, data=data, extra=extra)
    _prune(folder, keep=home)
    runs = list_runs(config.model, data, home)
    return RunSaved(path, promoted, best_run(runs))


def _prune(folder: Path, keep: Path) -> None:
    """Keep at most RUNS_KEPT runs: drop the oldest that is not the best."""
    runs = [_read_summary(path) for path in sorted(folder.glob("*.npz"))]
    runs = [run for run in runs if run is not None]
    best = best_run(runs)
    others = [run for run in runs if run is not best]
    for run in others[: max(0, len(runs) - RUNS_KEPT)]:
        try:
            run.path.unlink()
        except OSError:
            pass
