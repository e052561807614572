"""The learner's progress: small dataclasses saved as JSON, keyed by ids, written atomically.

Progress is keyed by lesson, step and question *ids*, never by position, so reordering or
extending the course never corrupts it; records for lessons or questions that no longer exist
are kept (the content may come back). Saving writes a temporary file in the same directory,
fsyncs it and `os.replace`s it over the old one, so a crash mid-write leaves the old file. A
damaged file is moved aside with a timestamp and reported in one line, never silently lost
(read-only callers such as `dl-tutor list` only report it and leave it where it is).

Several tutors may share one file (two browser tabs, a terminal and a tab): each save reads the
file, folds in what the others saved and replaces it, holding an advisory lock
(`progress.json.lock`, `fcntl.flock`) so two such read-merge-replace cycles never interleave.
The lock is given up after LOCK_TIMEOUT seconds (the save then goes ahead unlocked, as it would
on a platform without `fcntl`), so a stuck lock never hangs the app.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.files import blocking_file, file_kind, new_file_mode

try:
    import fcntl
except ImportError:  # Windows: saves go unlocked (see LOCK_TIMEOUT)
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "FORMAT_VERSION",
    "QuestionRecord",
    "LessonRecord",
    "Progress",
    "ExportTargetError",
    "ProgressFormatError",
    "ProgressSaveError",
    "ProgressStore",
    "default_home",
    "directory_problem",
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
#: Suffix of the lock file beside the progress file (`progress.json.lock`); it is never removed.
LOCK_SUFFIX = ".lock"
#: Seconds a save waits for another copy of the app to release the lock before going ahead
#: unlocked (a lock is held for milliseconds; this only bounds a stuck holder, e.g. a hung disk).
LOCK_TIMEOUT = 2.0
#: Name of the file `ProgressStore.save_at_exit` rescues unsaved progress to, in the first
#: folder of `rescue_folders()` that takes it.
RESCUE_NAME = "dl-tutor-progress-rescued"


class ProgressFormatError(ValueError):
    """A progress file's content does not have the expected shape (one-line message)."""


class ProgressSaveError(OSError):
    """Progress could not be written; the message is one line saying where and why."""


class ExportTargetError(ProgressSaveError):
    """An export was refused because something other than a regular file is at the target
    (a symbolic link, a FIFO, a device, a folder); nothing was written or replaced."""


def _one_line(text: str, limit: int = 160) -> str:
    """Collapse whitespace and newlines and shorten, for one-line messages."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _os_reason(error: BaseException, path: Path | None = None, *, writing: bool = True) -> str:
    """A short human reason for an OS-level error on `path` (the file written, or read when not
    `writing`): what it means, with the system's own words kept to search for."""
    if not isinstance(error, OSError):
        return _one_line(str(error) or type(error).__name__)
    words = _one_line(error.strerror or str(error) or type(error).__name__)
    code = error.errno
    folder = path.parent if path is not None else None
    if code in (errno.EEXIST, errno.ENOTDIR) and path is not None:
        blocker = blocking_file(folder)
        if blocker is not None:
            return f"{blocker} is a file, not a folder"
    if code == errno.ENOSPC:
        return f"the disk is full ({words})"
    if code == getattr(errno, "EDQUOT", None):
        return f"your disk quota is used up ({words})"
    if code == errno.EROFS:
        return f"the disk is mounted read-only ({words})"
    if code in (errno.EACCES, errno.EPERM) and folder is not None and writing:
        return f"{words}: you may not write in {folder}"
    return words


_JSON_POSITION_WORDS = re.compile(r"\s+(?:starting\s+)?at$")


def _json_reason(error: json.JSONDecodeError) -> str:
    """"invalid JSON at line L, column C: what" (json's own message ends with a dangling "at",
    e.g. "Unterminated string starting at", which expects the position after it)."""
    what = _JSON_POSITION_WORDS.sub("", _one_line(error.msg))
    return f"invalid JSON at line {error.lineno}, column {error.colno}: {what}"


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


def _parse(raw: bytes) -> Progress:
    """Progress from a file's bytes; a UTF-8 byte-order mark (Windows editors add one) is fine.

    Raises:
        UnicodeDecodeError, RecursionError, json.JSONDecodeError, ProgressFormatError.
    """
    return Progress.from_dict(json.loads(raw.decode("utf-8-sig")))


def directory_problem(directory: Path) -> tuple[str, str] | None:
    """Whether progress can be saved in `directory`: None, or (what is wrong, what to do).

    Really creates and removes a temporary file there (permissions alone do not tell: a
    read-only disk, a full one, root on a network share)."""
    directory = Path(directory)
    blocker = blocking_file(directory)
    if blocker is not None:
        return (
            f"{blocker} is a file, not a folder",
            "move that file away, or set DL_TUTOR_HOME to a folder you can write to",
        )
    probe = directory / "progress.json"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=directory, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
        try:
            os.write(fd, b"{}\n")  # an empty file fits on a full disk; its content may not
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(name)
    except OSError as error:
        reason = _os_reason(error, probe)
        if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", None)):
            return reason, "free some space on that disk, or set DL_TUTOR_HOME to another folder"
        if error.errno == errno.EROFS:
            return reason, "set DL_TUTOR_HOME to a folder on a disk you can write to"
        return (
            reason,
            f"make it writable (chmod u+w {directory}), or set DL_TUTOR_HOME to a folder you "
            "can write to",
        )
    return None


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


def _atomic_write_text(path: Path, text: str, mode: int | None = None) -> None:
    """Write `text` to `path` atomically: temp file in the same dir, fsync, os.replace.

    The file is private (0600, as `tempfile.mkstemp` makes it) unless `mode` gives its
    permission bits. On failure the old file is untouched, the temp file is removed and the
    OSError is re-raised.
    """
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=directory, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
    try:
        if mode is not None:
            os.chmod(temp_name, mode)
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


def rescue_folders() -> list[Path]:
    """Where `ProgressStore.rescue` tries to write, in order: the current folder (where the
    learner will look), the home folder, then the temporary folder."""
    folders: list[Path] = []
    for get in (Path.cwd, Path.home, lambda: Path(tempfile.gettempdir())):
        try:
            folder = get()
        except (OSError, RuntimeError):  # a deleted current folder, no home
            continue
        if folder not in folders:
            folders.append(folder)
    return folders


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

    @contextlib.contextmanager
    def _locked(self) -> Iterator[bool]:
        """Hold the exclusive lock on `lock_path` for one read-merge-replace; yields whether it
        is held. Without `fcntl`, without a lock file (a missing or read-only folder) or after
        LOCK_TIMEOUT seconds of waiting, the body runs unlocked rather than not at all."""
        if fcntl is None:
            yield False
            return
        flags = os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
        try:  # read-write: NFS emulates flock with byte-range locks, which need it
            fd = os.open(self.lock_path, flags | os.O_RDWR, 0o644)
        except PermissionError:  # another user's lock file: a read-only one locks on local disks
            try:
                fd = os.open(self.lock_path, flags | os.O_RDONLY)
            except OSError:
                yield False
                return
        except OSError:
            yield False
            return
        try:
            held = False
            deadline = time.monotonic() + LOCK_TIMEOUT
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    held = True
                    break
                except BlockingIOError:  # another copy of the app holds it
                    if time.monotonic() >= deadline:
                        break
                    time.sleep(0.005)
                except OSError:  # e.g. ENOLCK on a network file system without locks
                    break
            yield held
        finally:
            os.close(fd)  # closing the descriptor releases the lock

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

    def _free_name(self, kind: str) -> Path:
        """A free name `progress.json.<kind>-YYYYmmdd-HHMMSS[-N]` beside the file."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        base = self.path.with_name(f"{self.path.name}.{kind}-{stamp}")
        candidate = base
        counter = 1
        while candidate.exists() or candidate.is_symlink():
            candidate = base.with_name(f"{base.name}-{counter}")
            counter += 1
        return candidate

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
                f"({_os_reason(error, target)}); starting with fresh progress for this session."
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
        self._remove_stray_temp_files()
        with self._locked():
            return self._read(move_damaged=True)

    def _read(self, move_damaged: bool) -> tuple[Progress, str | None]:
        """`load` without the lock and the clean-up."""
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            return Progress(), None
        except OSError as error:
            reason = _os_reason(error, self.path, writing=False)
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
                _os_reason(error, self.path, writing=False), move_damaged
            )
        try:
            progress = _parse(raw)
        except UnicodeDecodeError:
            return Progress(), self._damaged("it is not UTF-8 text", move_damaged)
        except RecursionError:
            return Progress(), self._damaged("it is nested too deeply", move_damaged)
        except json.JSONDecodeError as error:
            return Progress(), self._damaged(_json_reason(error), move_damaged)
        except (ProgressFormatError, ValueError) as error:
            return Progress(), self._damaged(_one_line(str(error)), move_damaged)
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
            with self._locked():
                if merge:
                    self._merge_from_disk(progress)
                _atomic_write_text(self.path, _serialise(progress))
        except OSError as error:
            self._last_save_reason = _os_reason(error, self.path)
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
            disk = _parse(self.path.read_bytes())
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
        folders = ", ".join(str(folder) for folder in rescue_folders()) or "any folder"
        return False, (
            f"Your progress could not be saved to {self.path} ({reason}) nor rescued to "
            f"{folders}: this session's progress is lost. Free some space or fix the "
            "folder's permissions (`dl-tutor doctor` checks) before the next session."
        )

    def rescue(self, progress: Progress) -> Path | None:
        """Write `progress` to a new private file `dl-tutor-progress-rescued-<timestamp>.json`
        in the first of `rescue_folders()` that takes it; its path, or None when none did.
        Never replaces anything (the file is created exclusively, links are not followed)."""
        text = _serialise(progress)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        for folder in rescue_folders():
            for counter in range(100):
                suffix = f"-{counter}" if counter else ""
                target = folder / f"{RESCUE_NAME}-{stamp}{suffix}.json"
                try:
                    fd = os.open(target, flags, 0o600)
                except FileExistsError:
                    continue
                except OSError:
                    break
                try:
                    with os.fdopen(fd, "w", encoding="utf-8") as handle:
                        handle.write(text)
                        handle.flush()
                        os.fsync(handle.fileno())
                except OSError:
                    with contextlib.suppress(OSError):
                        os.unlink(target)
                    break
                return target
        return None

    def backup(self, progress: Progress) -> Path:
        """Write `progress` to a new `progress.json.bak-<timestamp>` beside the file (private,
        like the progress file) and return its path; ProgressSaveError when that fails."""
        target = self._free_name("bak")
        try:
            _atomic_write_text(target, _serialise(progress))
        except OSError as error:
            raise ProgressSaveError(
                f"Could not back up progress to {target}: {_os_reason(error, target)}."
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
        mode = _export_mode(target)
        try:
            _atomic_write_text(target, text, mode=mode)
        except OSError as error:
            raise ProgressSaveError(
                f"Could not export progress to {target}: {_os_reason(error, target)}."
            ) from error

    def export(self, progress: Progress, path: Path) -> None:
        """Write `progress` as a JSON report to `path`, atomically (same format as the store),
        as `export_text` does."""
        self.export_text(_serialise(progress), path)


def _export_mode(target: Path) -> int:
    """The permission bits for a report written to `target` (`tutor.files.new_file_mode`).

    Raises:
        ExportTargetError: what is at `target` is not a regular file (links are not followed:
            replacing one would swap a regular file in for what it points to).
    """
    try:
        info = os.lstat(target)
    except OSError:  # nothing there (or an unreachable folder: the write says why)
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise ExportTargetError(
            f"Not exporting to {target}: it is {file_kind(info.st_mode)}, not a regular file "
            "(an export only ever replaces a regular file). Choose another file name."
        )
    return new_file_mode(target)
