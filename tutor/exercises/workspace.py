"""The learner's exercise folder: where files go, writing starters safely, backups, and status.

The folder is `--workspace PATH`, else `$DL_TUTOR_WORKSPACE`, else "exercises" in the data
folder (`$DL_TUTOR_HOME` or the platform's user data folder). A learner's file is never
overwritten: `start` keeps an existing file, `reset` moves it to a timestamped backup first.

Each exercise's last check result lives in `.status.json` in the workspace, written atomically
(a temporary file, then `os.replace`), and in the learner's progress file as well
(`tutor.exercises.tracking`): a damaged status file loses neither the learner's code nor the
status, which the progress file still holds (and the other way round).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tutor.exercises.catalogue import Exercise

__all__ = ["STATUS_FILE", "WORKSPACE_ENV", "Workspace", "default_workspace"]

#: The environment variable naming the workspace.
WORKSPACE_ENV = "DL_TUTOR_WORKSPACE"
#: The status file's name inside the workspace.
STATUS_FILE = ".status.json"

#: What `exercises` shows for each status.
NOT_STARTED, STARTED, FAILING, PASSED = "not started", "not checked yet", "failing", "passed"


def default_workspace() -> Path:
    """$DL_TUTOR_WORKSPACE, else the "exercises" folder in the data folder."""
    override = os.environ.get(WORKSPACE_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    from tutor.progress.files import default_home

    return default_home() / "exercises"


@dataclass(frozen=True)
class StartResult:
    """What `Workspace.start` did: the file's path, and whether it wrote it (False: kept it)."""

    path: Path
    written: bool


class Workspace:
    """One exercise folder.

    Attributes:
        root: the folder (created on the first write).
    """

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root).expanduser() if root is not None else default_workspace()

    def path(self, exercise: Exercise) -> Path:
        """Where the learner's file for `exercise` is (it may not exist yet)."""
        return self.root / exercise.file_name

    def exists(self, exercise: Exercise) -> bool:
        """Whether the learner has started `exercise` (its file is there)."""
        return self.path(exercise).is_file()

    def start(self, exercise: Exercise) -> StartResult:
        """Write the starter unless a file is already there (then keep it, untouched)."""
        target = self.path(exercise)
        if target.exists():
            return StartResult(target, written=False)
        self.root.mkdir(parents=True, exist_ok=True)
        # O_EXCL: even a file created between the test above and here is never overwritten.
        with open(target, "x", encoding="utf-8") as handle:
            handle.write(exercise.starter_text())
        return StartResult(target, written=True)

    def reset(self, exercise: Exercise) -> tuple[Path, Path | None]:
        """Put the starter back; the learner's file is first moved to a timestamped backup, and
        its status here is forgotten (the progress record is marked reset by
        `tracking.record_reset_in_progress`, which keeps its attempts).

        Returns the file's path and the backup's (None when there was no file)."""
        target = self.path(exercise)
        backup = None
        if target.exists():
            stamp = time.strftime("%Y%m%d-%H%M%S")
            backup = target.with_name(f"{target.name}.{stamp}.bak")
            counter = 1
            while backup.exists():
                backup = target.with_name(f"{target.name}.{stamp}-{counter}.bak")
                counter += 1
            os.replace(target, backup)
        self.start(exercise)
        self.record(exercise, None)
        return target, backup

    # -- status ----------------------------------------------------------------------------

    def _statuses(self) -> dict[str, dict]:
        """The status file's content ({} when missing or damaged)."""
        try:
            data = json.loads((self.root / STATUS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def status(self, exercise: Exercise) -> str:
        """not started, not checked yet, failing or passed."""
        if not self.exists(exercise):
            return NOT_STARTED
        entry = self._statuses().get(exercise.id)
        if not isinstance(entry, dict) or entry.get("status") not in (FAILING, PASSED):
            return STARTED
        return entry["status"]

    def attempts(self, exercise: Exercise) -> int:
        """How many times the checks ran on this exercise."""
        entry = self._statuses().get(exercise.id)
        count = entry.get("attempts", 0) if isinstance(entry, dict) else 0
        return count if isinstance(count, int) else 0

    def record(self, exercise: Exercise, passed: bool | None) -> None:
        """Remember a check's result (None: forget it, as after a reset). Never raises: a
        status that cannot be saved is only a status."""
        data = self._statuses()
        if passed is None:
            data.pop(exercise.id, None)
        else:
            data[exercise.id] = {
                "status": PASSED if passed else FAILING,
                "attempts": self.attempts(exercise) + 1,
                "checked": time.strftime("%Y-%m-%dT%H:%M:%S"),
            }
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=self.root, prefix=".status-", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1, sort_keys=True)
            os.replace(temp, self.root / STATUS_FILE)
        except OSError:
            pass
