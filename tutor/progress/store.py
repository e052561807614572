"""Loading and saving the learner's progress (`ProgressStore`), one JSON file, written atomically.

The records themselves live in `tutor.progress.records`; the lock, atomic writes, rescue and
file checks in `tutor.progress.files`. Every public name of both is importable from here too.

A damaged file is moved aside with a timestamp and reported in one line, never silently lost
(read-only callers such as `dl-tutor list` only report it and leave it where it is). Several
tutors may share one file (two browser tabs, a terminal and a tab): each save reads the file,
folds in what the others saved and replaces it, under the file's lock (`files.locked`).
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path
from typing import Any

from tutor.files import file_kind
from tutor.progress import files
from tutor.progress.files import (
    LOCK_SUFFIX,
    LOCK_TIMEOUT,
    RESCUE_NAME,
    STALE_TEMP_SECONDS,
    TEMP_PREFIX,
    TEMP_SUFFIX,
    ExportTargetError,
    ProgressSaveError,
    default_home,
    directory_problem,
    rescue_folders,
)
from tutor.progress.records import (
    FORMAT_VERSION,
    ExerciseRecord,
    LessonRecord,
    Progress,
    ProgressFormatError,
    QuestionRecord,
    merge_progress,
    progress_from_bytes,
    progress_to_text,
)

__all__ = [
    "FORMAT_VERSION",
    "ExerciseRecord",
    "LOCK_SUFFIX",
    "LOCK_TIMEOUT",
    "RESCUE_NAME",
    "STALE_TEMP_SECONDS",
    "TEMP_PREFIX",
    "TEMP_SUFFIX",
    "ExportTargetError",
    "LessonRecord",
    "Progress",
    "ProgressFormatError",
    "ProgressSaveError",
    "ProgressStore",
    "QuestionRecord",
    "default_home",
    "directory_problem",
    "merge_progress",
    "rescue_folders",
]


class ProgressStore:
    """Loads and saves Progress at one path (default `default_home() / "progress.json"`)."""

    def __init__(self, path: Path | None = None) -> None:
        """Use `path`, or the default location when None."""
        self.path: Path = Path(path) if path is not None else default_home() / "progress.json"
        self._base: dict[str, Any] = Progress().to_dict()
        """What the file held when this store last read or wrote it (for `save(merge=True)`)."""
        self.last_save_error: ProgressSaveError | None = None
        """Why the latest `save` failed, or None when it succeeded (or none ran): while it is
        set, some progress exists only in memory (see `save_at_exit`)."""
        self._last_save_reason = ""

    @property
    def lock_path(self) -> Path:
        """The lock file beside the progress file (`progress.json.lock`)."""
        return self.path.with_name(self.path.name + LOCK_SUFFIX)

    def _free_name(self, kind: str) -> Path:
        """A free name `progress.json.<kind>-YYYYmmdd-HHMMSS[-N]` beside the file."""
        return files.free_name(self.path, kind)

    def _damaged_path(self) -> Path:
        """A free name `progress.json.damaged-YYYYmmdd-HHMMSS[-N]` beside the file."""
        return self._free_name("damaged")

    def _set_aside(self, reason: str) -> str:
        """Move the damaged file aside and return the one-line warning."""
        target = self._damaged_path()
        try:
            os.rename(self.path, target)
        except OSError as error:
            return (
                f"Your progress file {self.path} could not be read ({reason}) nor moved aside "
                f"({files.os_reason(error, target)}); starting with fresh progress for this session."
            )
        return (
            f"Your progress file could not be read ({reason}); it was moved to {target} "
            "and fresh progress was started."
        )

    def _damaged(self, reason: str, move_damaged: bool) -> str:
        """The one-line warning for a file that cannot be read, moving it aside if asked."""
        if move_damaged:
            return self._set_aside(reason)
        return (
            f"Your progress file {self.path} could not be read ({reason}); it was left as it "
            "is: repair it, or start the tutor, which moves it aside and starts fresh progress."
        )

    def load(self, *, move_damaged: bool = True) -> tuple[Progress, str | None]:
        """Read the progress file.

        Args:
            move_damaged: True for the app (and `progress --reset`): a damaged file is moved
                aside so that the next save does not replace it. False for read-only commands
                (`list`, `doctor`, `progress --export`): nothing on disk changes, not even a
                stray temporary file or the lock file.

        Returns:
            (progress, warning): a missing file gives fresh Progress and no warning; a damaged
            or unreadable file gives fresh Progress plus a one-line warning, which says where
            the file went (`progress.json.damaged-<timestamp>`) or that it was left in place.
        """
        if not move_damaged:
            return self._read(move_damaged=False)
        files.remove_stray_temp_files(self.path.parent)
        with files.locked(self.lock_path):
            return self._read(move_damaged=True)

    def _read(self, move_damaged: bool) -> tuple[Progress, str | None]:
        """`load` without the lock and the clean-up."""
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            return Progress(), None
        except OSError as error:
            reason = files.os_reason(error, self.path, writing=False)
            if error.errno == errno.ENOTDIR:  # the data folder is a file: nothing to move aside
                return Progress(), (
                    f"Progress cannot be read or saved: {reason}. Move that file away or set "
                    "DL_TUTOR_HOME to a folder; until then progress is kept in memory only."
                )
            return Progress(), self._damaged(reason, move_damaged)
        if not stat.S_ISREG(info.st_mode):  # reading a FIFO would block forever
            return Progress(), self._damaged(
                f"it is {file_kind(info.st_mode)}, not a regular file", move_damaged
            )
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return Progress(), None
        except OSError as error:
            return Progress(), self._damaged(
                files.os_reason(error, self.path, writing=False), move_damaged
            )
        try:
            progress = progress_from_bytes(raw)
        except UnicodeDecodeError:
            return Progress(), self._damaged("it is not UTF-8 text", move_damaged)
        except RecursionError:
            return Progress(), self._damaged("it is nested too deeply", move_damaged)
        except json.JSONDecodeError as error:
            return Progress(), self._damaged(files.json_reason(error), move_damaged)
        except (ProgressFormatError, ValueError) as error:
            return Progress(), self._damaged(files.one_line(str(error)), move_damaged)
        self._base = progress.to_dict()
        return progress, None

    def save(self, progress: Progress, *, merge: bool = False) -> None:
        """Write `progress` atomically (temp file + fsync + os.replace + directory fsync).

        With `merge` (the app), what another copy of the app saved to the file since this store
        last read or wrote it is first folded into `progress` (see `merge_progress`), so two
        tutors on one file do not wipe each other's work. The read, the merge and the replace
        happen under the file's lock, so two saves at the same moment cannot interleave. A
        reset saves without merging. `last_save_error` records whether this save failed.

        Raises:
            ProgressSaveError: when writing fails; the old file is left intact and no temp
                file is left behind.
        """
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)  # so the lock file can exist
        except OSError:
            pass  # the write below fails too and says why
        try:
            with files.locked(self.lock_path):
                if merge:
                    self._merge_from_disk(progress)
                files.atomic_write_text(self.path, progress_to_text(progress))
        except OSError as error:
            self._last_save_reason = files.os_reason(error, self.path)
            self.last_save_error = ProgressSaveError(
                f"Could not save progress to {self.path}: {self._last_save_reason}. "
                "Your progress is kept in memory for this session."
            )
            raise self.last_save_error from error
        self._base = progress.to_dict()
        self.last_save_error = None

    def _merge_from_disk(self, progress: Progress) -> None:
        """Fold the file's changes since our last read or write into `progress` (if any)."""
        try:
            disk = progress_from_bytes(self.path.read_bytes())
        except (OSError, ValueError, RecursionError):  # missing or damaged: our copy is the truth
            return
        if disk.to_dict() != self._base:
            merge_progress(progress, disk, Progress.from_dict(self._base))

    def save_at_exit(self, progress: Progress) -> tuple[bool, str | None]:
        """The app's last word on its progress, once its screen is gone.

        When the latest save failed (a full or read-only disk), save once more (the problem
        may be gone), and if that fails too, `rescue` the progress to another folder.

        Returns:
            (saved, note): `saved` is False when this session's progress is not in the progress
            file; `note` is None when there is nothing to say, else one line for the learner
            that says where the progress is and what to do.
        """
        if self.last_save_error is None:
            return True, None
        try:
            self.save(progress, merge=True)
        except ProgressSaveError:
            pass
        else:
            return True, f"Progress saved to {self.path} (an earlier save had failed)."
        reason = self._last_save_reason
        rescued = self.rescue(progress)
        if rescued is not None:
            return False, (
                f"Your progress could not be saved to {self.path} ({reason}); this session's "
                f"progress was rescued to {rescued}: once that is fixed, copy it there "
                f"(cp '{rescued}' '{self.path}')."
            )
        folders = ", ".join(str(folder) for folder in files.rescue_folders()) or "any folder"
        return False, (
            f"Your progress could not be saved to {self.path} ({reason}) nor rescued to "
            f"{folders}: this session's progress is lost. Free some space or fix the "
            "folder's permissions (`dl-tutor doctor` checks) before the next session."
        )

    def rescue(self, progress: Progress) -> Path | None:
        """Write `progress` to a new private file `dl-tutor-progress-rescued-<timestamp>.json`
        in the first of `rescue_folders()` that takes it (`files.rescue_text`); its path, or
        None when none did. Never replaces anything."""
        return files.rescue_text(progress_to_text(progress))

    def backup(self, progress: Progress) -> Path:
        """Write `progress` to a new `progress.json.bak-<timestamp>` beside the file (private,
        like the progress file) and return its path; ProgressSaveError when that fails."""
        target = self._free_name("bak")
        try:
            files.atomic_write_text(target, progress_to_text(progress))
        except OSError as error:
            raise ProgressSaveError(
                f"Could not back up progress to {target}: {files.os_reason(error, target)}."
            ) from error
        return target

    def export_text(self, text: str, path: Path) -> None:
        """Write a report (e.g. Markdown) to `path` atomically.

        The report gets the permissions of any new file (0666 less the umask; an existing
        file's own permissions are kept). Only a regular file is ever replaced.

        Raises:
            ExportTargetError: something else is at `path` (a link, a FIFO, a device, a folder).
            ProgressSaveError: when writing fails; an existing file at `path` is left intact.
        """
        target = Path(path)
        mode = files.export_mode(target)
        try:
            files.atomic_write_text(target, text, mode=mode)
        except OSError as error:
            raise ProgressSaveError(
                f"Could not export progress to {target}: {files.os_reason(error, target)}."
            ) from error

    def export(self, progress: Progress, path: Path) -> None:
        """Write `progress` as a JSON report to `path`, atomically (same format as the store),
        as `export_text` does."""
        self.export_text(progress_to_text(progress), path)

