"""Messages the training worker posts to the scene (handled on the UI thread, never in the worker).

Each carries the id of the run it belongs to, so the scene ignores those of an older run. They
keep the "training_scene" namespace: the scene's handlers are `on_training_scene_progress` etc.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

from tutor.engines.train import BatchRecord, Checkpoint, DoneRecord, EpochRecord

if TYPE_CHECKING:
    from tutor.runs import RunSaved
    from tutor.scenes.training.results import Results


@dataclass(eq=False)
class RunStarted(Message, namespace="training_scene"):
    """The data is loaded and the trainer built."""

    run_id: int
    train_images: int
    test_images: int
    batches: int
    validation_images: int = 0


@dataclass(eq=False)
class Progress(Message, namespace="training_scene"):
    """The whole history of a run so far; a newer one replaces an older one still queued."""

    run_id: int
    losses: tuple[tuple[float, float], ...]
    epochs: tuple[EpochRecord, ...]
    last: BatchRecord | None

    def can_replace(self, message: Message) -> bool:
        """Progress of the same run carries everything the older message did."""
        return isinstance(message, Progress) and message.run_id == self.run_id


@dataclass(eq=False)
class RunDone(Message, namespace="training_scene"):
    """The run ended (finished, target or stopped) and its model was saved (or not)."""

    run_id: int
    done: DoneRecord
    saved: Path | None
    save_error: str
    checkpoint: Checkpoint | None
    epoch: int
    batch: int
    batches: int | None
    run: RunSaved | None = None  #: a finished run as `tutor.runs.record_run` kept it
    learner: bool = False  #: the run trained the learner's own network (nothing was saved)


@dataclass(eq=False)
class ResultsReady(Message, namespace="training_scene"):
    """The confusion matrix and mistakes of a model on the test digits."""

    run_id: int
    results: Results


@dataclass(eq=False)
class RunFailed(Message, namespace="training_scene"):
    """The run could not go on; `error` is one sentence."""

    run_id: int
    error: str
    learner: bool = False  #: the learner's code failed (`error` is its one line)
