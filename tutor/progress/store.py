"""The learner's progress: small dataclasses saved as JSON, keyed by ids, written atomically.

Progress is keyed by lesson, step and question *ids*, never by position, so reordering or
extending the course never corrupts it; records for lessons or questions that no longer exist
are kept (the content may come back). Saving writes a temporary file in the same directory,
fsyncs it and `os.replace`s it over the old one, so a crash mid-write leaves the old file. A
damaged file is moved aside with a timestamp and reported in one line, never silently lost.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "FORMAT_VERSION",
    "QuestionRecord",
    "LessonRecord",
    "Progress",
    "ProgressFormatError",
    "ProgressSaveError",
    "ProgressStore",
    "default_home",
    "merge_progress",
]

#: The version written to (and expected in) progress files.
FORMAT_VERSION = 1
#: Prefix and suffix of the temporary files an atomic write creates.
TEMP_PREFIX = ".progress-"
TEMP_SUFFIX = ".tmp"
#: Stray temporary files older than this (seconds) are removed by `ProgressStore.load`; younger
#: ones may belong to another running copy of the app that is writing right now.
STALE_TEMP_SECONDS = 60.0


class ProgressFormatError(ValueError):
    """A progress file's content does not have the expected shape (one-line message)."""


class ProgressSaveError(OSError):
    """Progress could not be written; the message is one line saying where and why."""


def _one_line(text: str, limit: int = 160) -> str:
    """Collapse whitespace and newlines and shorten, for one-line messages."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _os_reason(error: BaseException) -> str:
    """A short human reason for an OS-level error."""
    if isinstance(error, OSError) and error.strerror:
        return _one_line(error.strerror)
    return _one_line(str(error) or type(error).__name__)


# --------------------------------------------------------------------------- records


@dataclass
class QuestionRecord:
    """What the learner did with one question.

    Attributes:
        attempts: graded attempts (unreadable answers do not count).
        correct: True once answered right; it stays True.
        first_try: True when the first attempt was right.
        last_answer: the text of the latest graded answer.
    """

    attempts: int = 0
    correct: bool = False
    first_try: bool = False
    last_answer: str = ""


@dataclass
class LessonRecord:
    """The learner's state in one lesson.

    Attributes:
        step: id of the step the learner was on last (None before the first visit).
        visited: ids of the steps seen, in first-visit order, each once.
        questions: question id -> QuestionRecord.
        completed: True once the learner finished the lesson.
    """

    step: str | None = None
    visited: list[str] = field(default_factory=list)
    questions: dict[str, QuestionRecord] = field(default_factory=dict)
    completed: bool = False


def _expect(value: Any, kind: type | tuple[type, ...], where: str, what: str) -> Any:
    """Return `value` if it has type `kind` (bools are not ints), else ProgressFormatError."""
    ok = isinstance(value, kind)
    if (
        ok
        and isinstance(value, bool)
        and bool not in (kind if isinstance(kind, tuple) else (kind,))
    ):
        ok = False
    if not ok:
        raise ProgressFormatError(f"{where}: expected {what}, got {type(value).__name__}.")
    return value


def _question_from_dict(data: Any, where: str) -> QuestionRecord:
    """Validate and build a QuestionRecord (missing keys take their defaults)."""
    _expect(data, dict, where, "an object")
    attempts = _expect(data.get("attempts", 0), int, f"{where}.attempts", "an integer")
    if attempts < 0:
        raise ProgressFormatError(f"{where}.attempts: expected a count >= 0, got {attempts}.")
    return QuestionRecord(
        attempts=attempts,
        correct=_expect(data.get("correct", False), bool, f"{where}.correct", "true or false"),
        first_try=_expect(
            data.get("first_try", False), bool, f"{where}.first_try", "true or false"
        ),
        last_answer=_expect(data.get("last_answer", ""), str, f"{where}.last_answer", "a string"),
    )


def _lesson_from_dict(data: Any, where: str) -> LessonRecord:
    """Validate and build a LessonRecord (missing keys take their defaults)."""
    _expect(data, dict, where, "an object")
    step = data.get("step")
    if step is not None:
        _expect(step, str, f"{where}.step", "a string or null")
    visited = _expect(data.get("visited", []), list, f"{where}.visited", "a list")
    for i, step_id in enumerate(visited):
        _expect(step_id, str, f"{where}.visited[{i}]", "a string")
    questions_data = _expect(data.get("questions", {}), dict, f"{where}.questions", "an object")
    questions = {
        question_id: _question_from_dict(record, f"{where}.questions.{question_id}")
        for question_id, record in questions_data.items()
    }
    return LessonRecord(
        step=step,
        visited=list(dict.fromkeys(visited)),
        questions=questions,
        completed=_expect(
            data.get("completed", False), bool, f"{where}.completed", "true or false"
        ),
    )


@dataclass
class Progress:
    """Everything the app remembers about the learner.

    Attributes:
        version: the file format version (FORMAT_VERSION).
        last_lesson: id of the lesson to resume, or None.
        lessons: lesson id -> LessonRecord.
    """

    version: int = FORMAT_VERSION
    last_lesson: str | None = None
    lessons: dict[str, LessonRecord] = field(default_factory=dict)

    def lesson(self, lesson_id: str) -> LessonRecord:
        """The record of lesson `lesson_id`, created empty if it does not exist yet."""
        record = self.lessons.get(lesson_id)
        if record is None:
            record = self.lessons[lesson_id] = LessonRecord()
        return record

    def visit(self, lesson_id: str, step_id: str) -> None:
        """Remember that the learner is on `step_id` of `lesson_id` (the lesson to resume)."""
        record = self.lesson(lesson_id)
        self.last_lesson = lesson_id
        record.step = step_id
        if step_id not in record.visited:
            record.visited.append(step_id)

    def record_answer(self, lesson_id: str, question_id: str, correct: bool, answer: str) -> None:
        """Count one graded attempt; `correct` sticks once True, `first_try` if on attempt 1."""
        record = self.lesson(lesson_id).questions.setdefault(question_id, QuestionRecord())
        record.attempts += 1
        record.last_answer = answer
        if correct and not record.correct:
            record.correct = True
            record.first_try = record.attempts == 1

    def score(self, lesson_id: str, question_ids: list[str] | tuple[str, ...]) -> tuple[int, int]:
        """(answered right, total) over the given question ids; unknown ids count as not right.

        Records of questions not in `question_ids` (e.g. removed from the lesson) are ignored.
        """
        ids = list(dict.fromkeys(question_ids))
        record = self.lessons.get(lesson_id)
        questions = record.questions if record is not None else {}
        right = sum(1 for qid in ids if qid in questions and questions[qid].correct)
        return right, len(ids)

    def mark_completed(self, lesson_id: str) -> None:
        """Mark lesson `lesson_id` as completed."""
        self.lesson(lesson_id).completed = True

    def reset(self, lesson_id: str | None = None) -> None:
        """Forget one lesson's progress, or everything when `lesson_id` is None.

        Resetting one lesson keeps `last_lesson`, so "resume" reopens it at its first step.
        """
        if lesson_id is None:
            self.last_lesson = None
            self.lessons.clear()
        else:
            self.lessons.pop(lesson_id, None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the on-disk format)."""
        return {
            "version": self.version,
            "last_lesson": self.last_lesson,
            "lessons": {
                lesson_id: {
                    "step": record.step,
                    "visited": list(record.visited),
                    "completed": record.completed,
                    "questions": {
                        question_id: {
                            "attempts": q.attempts,
                            "correct": q.correct,
                            "first_try": q.first_try,
                            "last_answer": q.last_answer,
                        }
                        for question_id, q in record.questions.items()
                    },
                }
                for lesson_id, record in self.lessons.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Any) -> Progress:
        """Build Progress from parsed JSON, checking every type.

        Unknown extra keys are ignored; missing keys take their defaults; records of lessons
        and questions the course no longer has are kept.

        Raises:
            ProgressFormatError: on anything malformed (wrong types, unsupported version).
        """
        _expect(data, dict, "progress", "an object")
        version = _expect(data.get("version", FORMAT_VERSION), int, "version", "an integer")
        if version != FORMAT_VERSION:
            raise ProgressFormatError(
                f"version: this dl-tutor reads version {FORMAT_VERSION}, the file has {version}."
            )
        last_lesson = data.get("last_lesson")
        if last_lesson is not None:
            _expect(last_lesson, str, "last_lesson", "a string or null")
        lessons_data = _expect(data.get("lessons", {}), dict, "lessons", "an object")
        lessons = {
            lesson_id: _lesson_from_dict(record, f"lessons.{lesson_id}")
            for lesson_id, record in lessons_data.items()
        }
        return cls(version=version, last_lesson=last_lesson, lessons=lessons)


def merge_progress(ours: Progress, theirs: Progress, base: Progress) -> None:
    """Fold into `ours` what another copy of the app saved since both read `base`.

    Two tutors can share one progress file (two browser tabs, a terminal and a tab). Each saves
    its own copy, so without a merge the last save would wipe the other's work. Steps seen and
    lessons completed are united; attempts add up (each side's new attempts count once, `base`
    tells which are new); a question is right if either side got it right; the latest answer is
    ours unless only the other side answered. `last_lesson` stays ours (this learner acted last).
    """
    for lesson_id, their_record in theirs.lessons.items():
        our_record = ours.lessons.get(lesson_id)
        if our_record is None:
            ours.lessons[lesson_id] = their_record
            continue
        base_record = base.lessons.get(lesson_id)
        our_record.visited.extend(s for s in their_record.visited if s not in our_record.visited)
        our_record.completed = our_record.completed or their_record.completed
        if our_record.step is None:
            our_record.step = their_record.step
        for question_id, their_q in their_record.questions.items():
            our_q = our_record.questions.get(question_id)
            if our_q is None:
                our_record.questions[question_id] = their_q
                continue
            base_q = base_record.questions.get(question_id) if base_record else None
            before = base_q.attempts if base_q else 0
            their_new = max(0, their_q.attempts - before)
            if their_new == 0:
                continue
            we_answered = our_q.attempts > before
            our_q.attempts += their_new
            if not we_answered:
                our_q.last_answer = their_q.last_answer
                our_q.first_try = their_q.first_try
            elif before == 0:
                our_q.first_try = our_q.first_try or their_q.first_try
            our_q.correct = our_q.correct or their_q.correct
    if ours.last_lesson is None:
        ours.last_lesson = theirs.last_lesson


# --------------------------------------------------------------------------- storage


def default_home() -> Path:
    """The data directory: `$DL_TUTOR_HOME` if set, else the platform's user data directory.

    The directory is created when possible; failure to create it is not an error here (saving
    will report it).
    """
    override = os.environ.get("DL_TUTOR_HOME")
    if override:
        home = Path(override).expanduser()
    else:
        import platformdirs

        home = Path(platformdirs.user_data_path("dl-tutor", appauthor=False))
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass
    return home


def _fsync_directory(directory: Path) -> None:
    """fsync a directory so a rename survives a power cut; ignored where unsupported."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to `path` atomically: temp file in the same dir, fsync, os.replace.

    On failure the old file is untouched, the temp file is removed and the OSError is
    re-raised.
    """
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=directory, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        try:
            os.unlink(temp_name)
        except OSError:
            pass
        raise
    _fsync_directory(directory)


def _serialise(progress: Progress) -> str:
    """The JSON text of `progress` (indent 2, sorted keys, non-ASCII as \\u escapes so any text
    the learner typed survives, trailing newline)."""
    return json.dumps(progress.to_dict(), indent=2, sort_keys=True, ensure_ascii=True) + "\n"


class ProgressStore:
    """Loads and saves Progress at one path (default `default_home() / "progress.json"`)."""

    def __init__(self, path: Path | None = None) -> None:
        """Use `path`, or the default location when None."""
        self.path: Path = Path(path) if path is not None else default_home() / "progress.json"
        self._base: dict[str, Any] = Progress().to_dict()
        """What the file held when this store last read or wrote it (for `save(merge=True)`)."""

    def _remove_stray_temp_files(self) -> None:
        """Delete `.progress-*.tmp` files left by a writer that was killed mid-write."""
        now = time.time()
        try:
            candidates = list(self.path.parent.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"))
        except OSError:
            return
        for candidate in candidates:
            try:
                if now - candidate.stat().st_mtime >= STALE_TEMP_SECONDS:
                    candidate.unlink()
            except OSError:
                pass

    def _damaged_path(self) -> Path:
        """A free name `progress.json.damaged-YYYYmmdd-HHMMSS[-N]` beside the file."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        base = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        candidate = base
        counter = 1
        while candidate.exists():
            candidate = base.with_name(f"{base.name}-{counter}")
            counter += 1
        return candidate

    def _set_aside(self, reason: str) -> str:
        """Move the damaged file aside and return the one-line warning."""
        target = self._damaged_path()
        try:
            os.rename(self.path, target)
        except OSError as error:
            return (
                f"Your progress file {self.path} could not be read ({reason}) nor moved aside "
                f"({_os_reason(error)}); starting with fresh progress for this session."
            )
        return (
            f"Your progress file could not be read ({reason}); it was moved to {target} "
            "and fresh progress was started."
        )

    def load(self) -> tuple[Progress, str | None]:
        """Read the progress file.

        Returns:
            (progress, warning): a missing file gives fresh Progress and no warning; a damaged
            or unreadable file is moved aside to `progress.json.damaged-<timestamp>` and gives
            fresh Progress plus a one-line warning naming where the old file went.
        """
        self._remove_stray_temp_files()
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return Progress(), None
        except OSError as error:
            return Progress(), self._set_aside(_os_reason(error))
        try:
            data = json.loads(raw.decode("utf-8"))
            progress = Progress.from_dict(data)
        except UnicodeDecodeError:
            return Progress(), self._set_aside("it is not UTF-8 text")
        except RecursionError:
            return Progress(), self._set_aside("it is nested too deeply")
        except json.JSONDecodeError as error:
            return Progress(), self._set_aside(
                f"invalid JSON: {_one_line(error.msg)} at line {error.lineno}"
            )
        except (ProgressFormatError, ValueError) as error:
            return Progress(), self._set_aside(_one_line(str(error)))
        self._base = progress.to_dict()
        return progress, None

    def save(self, progress: Progress, *, merge: bool = False) -> None:
        """Write `progress` atomically (temp file + fsync + os.replace + directory fsync).

        With `merge` (the app), what another copy of the app saved to the file since this store
        last read or wrote it is first folded into `progress` (see `merge_progress`), so two
        tutors on one file do not wipe each other's work. A reset saves without merging.

        Raises:
            ProgressSaveError: when writing fails; the old file is left intact and no temp
                file is left behind.
        """
        if merge:
            self._merge_from_disk(progress)
        text = _serialise(progress)
        try:
            _atomic_write_text(self.path, text)
        except OSError as error:
            raise ProgressSaveError(
                f"Could not save progress to {self.path}: {_os_reason(error)}. "
                "Your progress is kept in memory for this session."
            ) from error
        self._base = progress.to_dict()

    def _merge_from_disk(self, progress: Progress) -> None:
        """Fold the file's changes since our last read or write into `progress` (if any)."""
        try:
            disk = Progress.from_dict(json.loads(self.path.read_bytes().decode("utf-8")))
        except (OSError, ValueError, RecursionError):  # missing or damaged: our copy is the truth
            return
        if disk.to_dict() != self._base:
            merge_progress(progress, disk, Progress.from_dict(self._base))

    def export_text(self, text: str, path: Path) -> None:
        """Write a report (e.g. Markdown) to `path` atomically; ProgressSaveError when it fails."""
        target = Path(path)
        try:
            _atomic_write_text(target, text)
        except OSError as error:
            raise ProgressSaveError(f"Could not export progress to {target}: {_os_reason(error)}.") from error

    def export(self, progress: Progress, path: Path) -> None:
        """Write `progress` as a JSON report to `path`, atomically (same format as the store).

        Raises:
            ProgressSaveError: when writing fails; an existing file at `path` is left intact.
        """
        target = Path(path)
        try:
            _atomic_write_text(target, _serialise(progress))
        except OSError as error:
            raise ProgressSaveError(
                f"Could not export progress to {target}: {_os_reason(error)}."
            ) from error
