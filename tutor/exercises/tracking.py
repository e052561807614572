"""An exercise's status as the learner sees it, and recording a check in the learner's progress.

Two places remember a check's result: the learner's progress file (`Progress.exercises`: status,
attempts, the first failure; shown by the lesson screen, `dl-tutor list` and the report) and the
workspace's `.status.json` (`Workspace.record`, which `dl-tutor exercises` has always read). Both
are written after every check, by the CLI and by the app alike, so either one may be damaged or
deleted without losing the other's status, and neither ever costs the learner's code. A reset
(`dl-tutor exercises reset ID`) clears the workspace's status and marks the progress record
"reset" (`Progress.record_reset`: the attempts are kept), so neither brings back the status of
the file it replaced. Imports neither NumPy nor Textual.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.exercises.workspace import FAILING, NOT_STARTED, PASSED, STARTED, Workspace
from tutor.progress.records import EXERCISE_RESET as RESET

if TYPE_CHECKING:
    from tutor.exercises.catalogue import Exercise
    from tutor.exercises.sandbox import Report
    from tutor.progress import ExerciseRecord

__all__ = ["first_failure", "record_in_progress", "record_reset_in_progress", "status", "stamp"]


def stamp() -> str:
    """Now, as a check's time is recorded ("YYYY-MM-DDTHH:MM:SS", local time)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S")


def first_failure(report: Report) -> str:
    """What stopped the run, else the first failing check and its summary, in one line ("" when
    every check passed)."""
    if report.problem:
        return report.problem
    for line in report.checks:
        if line.status == "fail":
            return f"{line.name}: {line.detail}" if line.detail else line.name
    return ""


def outcome(report: Report) -> dict:
    """The keyword arguments of `Progress.record_check` for one run (less `checked`)."""
    return {
        "checks_passed": report.passed_count, "checks_total": len(report.checks),
        "first_failure": first_failure(report),
    }


def status(workspace: Workspace, exercise: Exercise, record: ExerciseRecord | None = None) -> str:
    """not started, not checked yet, failing or passed: no file is "not started" whatever was
    recorded; else the workspace's status, or the progress record's when the workspace has none
    (its status file damaged or deleted) and the record is a check's result (a record marked
    "reset" leaves the starter "not checked yet")."""
    found = workspace.status(exercise)
    if found == STARTED and record is not None and record.status in (FAILING, PASSED):
        return record.status
    return found if workspace.exists(exercise) else NOT_STARTED


def record_in_progress(exercise_id: str, report: Report, path: Path | None = None) -> str | None:
    """Add one check to the progress file at `path` (default: the usual one), merged with what a
    running app saved; None when done, else one line saying why not. A progress file that cannot
    be read is left exactly as it is (the app moves it aside and says so)."""
    return _change_progress(
        lambda progress: progress.record_check(exercise_id, report.passed, checked=stamp(),
                                               **outcome(report)),
        "the check was not added to your progress: ", path)


def record_reset_in_progress(exercise_id: str, path: Path | None = None) -> str | None:
    """Mark the exercise reset in the progress file at `path` (`Progress.record_reset`: not
    checked since, its attempts kept), as `record_in_progress` adds a check; None when done
    (or when the exercise has no record to mark), else one line saying why not."""
    return _change_progress(lambda progress: progress.record_reset(exercise_id, when=stamp()),
                            "the reset was not noted in your progress: ", path)


def _change_progress(change, failed: str, path: Path | None) -> str | None:
    """Load the progress file at `path`, apply `change(progress)` (nothing is saved when it
    returns None) and save, merged with what a running app saved; None when done, else one line
    (`failed` + why). A progress file that cannot be read is left exactly as it is."""
    from tutor.progress import ProgressSaveError, ProgressStore

    store = ProgressStore(path)
    progress, warning = store.load(move_damaged=False)
    if warning:
        return failed + warning
    if change(progress) is None:
        return None
    try:
        store.save(progress, merge=True)
    except ProgressSaveError as error:
        return str(error)
    return None


def lesson_notes(progress, lesson) -> list[str]:
    """`dl-tutor list`'s lines under a lesson: each exercise of it (named by one of its steps,
    or belonging to it in the catalogue) that the learner has started or checked, as
    "exercise ID: STATUS, P/T checks, N runs" (the progress record's status; a file in the
    default workspace that was never checked is "not checked yet", and so is a reset one,
    "not checked yet (reset)", its runs before the reset still counted)."""
    from tutor.exercises.catalogue import EXERCISES, get

    ids = [step.exercise for step in lesson.steps if step.exercise]
    ids += [exercise.id for exercise in EXERCISES if exercise.lesson == lesson.id]
    workspace = Workspace()
    notes = []
    for exercise_id in dict.fromkeys(ids):
        exercise = get(exercise_id)
        record = progress.exercises.get(exercise_id)
        if record is not None:  # the record (its file may be in another --workspace)
            found = f"{STARTED} (reset)" if record.status == RESET else record.status
        elif workspace.exists(exercise):
            found = STARTED
        else:
            continue
        parts = [found]
        if record is not None:
            if record.checks_total:
                parts.append(f"{record.checks_passed}/{record.checks_total} checks")
            parts.append(f"{record.attempts} run{'' if record.attempts == 1 else 's'}")
        notes.append(f"exercise {exercise_id}: {', '.join(parts)}")
    return notes
