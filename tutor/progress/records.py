"""The learner's progress as data: small dataclasses keyed by ids, and their JSON form.

Progress is keyed by lesson, step and question *ids*, never by position, so reordering or
extending the course never corrupts it; records for lessons or questions that no longer exist
are kept (the content may come back). `from_dict` checks every type, so a damaged file is a
`ProgressFormatError` with one line saying where, never a crash later. Whether a lesson is done
is not decided here: see `tutor.session` (the one completion rule).
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "FORMAT_VERSION",
    "ExerciseRecord",
    "LessonRecord",
    "Progress",
    "ProgressFormatError",
    "QuestionRecord",
    "merge_progress",
    "progress_from_bytes",
    "progress_to_text",
]

#: The version written to (and expected in) progress files.
FORMAT_VERSION = 1


#: When set to an integer, the learner seed a progress file gets when it has none yet (a new file
#: or one written before the seed existed), so tests and screenshots show one option order.
LEARNER_SEED_ENV = "DL_TUTOR_LEARNER_SEED"


def new_learner_seed() -> int:
    """A learner seed for a progress file that has none: `DL_TUTOR_LEARNER_SEED` if it is set
    to an integer, else a random 32-bit number."""
    value = os.environ.get(LEARNER_SEED_ENV, "").strip()
    try:
        return int(value) & 0xFFFFFFFF
    except ValueError:
        return secrets.randbits(32)


class ProgressFormatError(ValueError):
    """A progress file's content does not have the expected shape (one-line message)."""


@dataclass
class QuestionRecord:
    """What the learner did with one question.

    Attributes:
        attempts: graded attempts (unreadable answers do not count).
        correct: True once answered right; it stays True.
        first_try: True when the first attempt was right.
        last_answer: the text of the latest graded answer.
        box: the question's Leitner box in review (`tutor.review`): 0 while it is not in
            review, 1 once it was missed (due the next day), higher after right reviews.
        due: the day its next review is due, as ISO "YYYY-MM-DD" ("" when not in review, or
            due at once).
        reviews: graded review answers (the first of each review; not counted in `attempts`).
        lapses: how many of those reviews were wrong (back to box 1).

    The four review fields are optional on disk (written only once `box` is set), so files
    from before review load unchanged, and older dl-tutors ignore them.
    """

    attempts: int = 0
    correct: bool = False
    first_try: bool = False
    last_answer: str = ""
    box: int = 0
    due: str = ""
    reviews: int = 0
    lapses: int = 0

    def review_state(self) -> tuple[int, str, int, int]:
        """(box, due, reviews, lapses): the review fields, compared as one by `merge_progress`."""
        return self.box, self.due, self.reviews, self.lapses


@dataclass
class LessonRecord:
    """The learner's state in one lesson.

    Attributes:
        step: id of the step the learner was on last (None before the first visit).
        visited: ids of the steps seen, in first-visit order, each once.
        questions: question id -> QuestionRecord.
        completed: history only: True once the lesson was done (`tutor.session`), kept when
            the lesson later gains steps; no status is read from it.
    """

    step: str | None = None
    visited: list[str] = field(default_factory=list)
    questions: dict[str, QuestionRecord] = field(default_factory=dict)
    completed: bool = False


#: An exercise's status after its latest check ("failing", "passed"), or after the learner put
#: its starter back ("reset": the file is an untouched starter again, not checked since).
EXERCISE_FAILING, EXERCISE_PASSED, EXERCISE_RESET = "failing", "passed", "reset"


@dataclass
class ExerciseRecord:
    """What the learner did with one hands-on exercise (`tutor.exercises`), keyed by its id.

    Attributes:
        status: the latest check's result, "failing" or "passed"; or "reset" when the learner
            put the starter back since (`Progress.record_reset`).
        attempts: how many times the checks ran on the learner's file (a reset keeps them).
        passed: True once every check passed; it stays True (a later failing edit or a reset
            does not take it back, as a question answered right stays right).
        checks_passed: how many checks passed in the latest run (0 after a reset).
        checks_total: how many checks the latest run had (0 when the run could not start them,
            and after a reset).
        first_failure: the latest run's first failing check, or what stopped it, in one line
            ("" when it passed, and after a reset).
        checked: when the latest check ran, local time "YYYY-MM-DDTHH:MM:SS".
        resets: how many times the learner put the starter back.
        reset_at: when the latest reset was, as `checked` ("" before the first).

    Exercise records are optional on disk (written only once one exists) and read leniently:
    an entry that is not a readable record is dropped alone, so a damaged exercise entry
    never costs the lessons' progress. `resets` and `reset_at` are written only once the
    exercise was reset, so the files of learners who never reset stay as they were.
    """

    status: str = EXERCISE_FAILING
    attempts: int = 0
    passed: bool = False
    checks_passed: int = 0
    checks_total: int = 0
    first_failure: str = ""
    checked: str = ""
    resets: int = 0
    reset_at: str = ""

    @property
    def last_change(self) -> tuple[str, int]:
        """(when the record last changed: its latest check or reset, how many checks and resets
        it counts): of two copies of one exercise's record (the app's and the file's, which a
        `dl-tutor exercises` in another pane wrote), the greater is the newer, a check and a
        reset within the same second included."""
        return max(self.checked, self.reset_at), self.attempts + self.resets


def _exercise_from_dict(data: Any) -> ExerciseRecord | None:
    """An ExerciseRecord from its on-disk form, or None when it is not a readable record."""
    if not isinstance(data, dict):
        return None
    record = ExerciseRecord()
    for name, kind in (("status", str), ("attempts", int), ("passed", bool),
                       ("checks_passed", int), ("checks_total", int), ("first_failure", str),
                       ("checked", str), ("resets", int), ("reset_at", str)):
        if name not in data:
            continue
        value = data[name]
        if not isinstance(value, kind) or (kind is int and (isinstance(value, bool) or value < 0)):
            return None
        setattr(record, name, value)
    if record.status not in (EXERCISE_FAILING, EXERCISE_PASSED, EXERCISE_RESET):
        return None
    record.first_failure = record.first_failure[:500]
    record.checked = record.checked[:40]
    record.reset_at = record.reset_at[:40]
    return record


def _exercise_to_dict(record: ExerciseRecord) -> dict[str, Any]:
    """The on-disk form of one exercise's record; the reset fields only once it was reset."""
    data: dict[str, Any] = {
        "status": record.status, "attempts": record.attempts, "passed": record.passed,
        "checks_passed": record.checks_passed, "checks_total": record.checks_total,
        "first_failure": record.first_failure, "checked": record.checked,
    }
    if record.resets or record.reset_at:
        data.update(resets=record.resets, reset_at=record.reset_at)
    return data


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


def _count(data: dict, key: str, where: str) -> int:
    """The count `data[key]` (default 0): an integer >= 0, else ProgressFormatError."""
    value = _expect(data.get(key, 0), int, f"{where}.{key}", "an integer")
    if value < 0:
        raise ProgressFormatError(f"{where}.{key}: expected a count >= 0, got {value}.")
    return value


def _date_text(data: dict, key: str, where: str) -> str:
    """The date `data[key]` (default ""): "" or an ISO date "YYYY-MM-DD"."""
    value = _expect(data.get(key, ""), str, f"{where}.{key}", "a string")
    if value:
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            raise ProgressFormatError(
                f"{where}.{key}: expected a date YYYY-MM-DD, got {value[:40]!r}."
            ) from None
    return value


def _question_from_dict(data: Any, where: str) -> QuestionRecord:
    """Validate and build a QuestionRecord (missing keys take their defaults)."""
    _expect(data, dict, where, "an object")
    attempts = _count(data, "attempts", where)
    return QuestionRecord(
        attempts=attempts,
        correct=_expect(data.get("correct", False), bool, f"{where}.correct", "true or false"),
        first_try=_expect(
            data.get("first_try", False), bool, f"{where}.first_try", "true or false"
        ),
        last_answer=_expect(data.get("last_answer", ""), str, f"{where}.last_answer", "a string"),
        box=_count(data, "box", where),
        due=_date_text(data, "due", where),
        reviews=_count(data, "reviews", where),
        lapses=_count(data, "lapses", where),
    )


def _question_to_dict(q: QuestionRecord) -> dict[str, Any]:
    """The on-disk form of one question; the review fields only once it is in review."""
    data: dict[str, Any] = {
        "attempts": q.attempts,
        "correct": q.correct,
        "first_try": q.first_try,
        "last_answer": q.last_answer,
    }
    if q.box or q.reviews:
        data.update(box=q.box, due=q.due, reviews=q.reviews, lapses=q.lapses)
    return data


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
        learner_seed: this learner's own number, drawn once and saved: it fixes the order in
            which each question's options are shown (`tutor.widgets.question_card`), so the
            order differs between learners but stays put across restarts. Not part of `==`:
            two records of the same learning are equal whatever seed they carry.
        exercises: exercise id -> ExerciseRecord (the hands-on track; see `record_check`).
    """

    version: int = FORMAT_VERSION
    last_lesson: str | None = None
    lessons: dict[str, LessonRecord] = field(default_factory=dict)
    learner_seed: int = field(default_factory=new_learner_seed, compare=False)
    exercises: dict[str, ExerciseRecord] = field(default_factory=dict)

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

    def record_check(
        self, exercise_id: str, passed: bool, *, checks_passed: int = 0, checks_total: int = 0,
        first_failure: str = "", checked: str = "",
    ) -> ExerciseRecord:
        """Count one run of an exercise's checks; `passed` sticks once True."""
        record = self.exercises.setdefault(exercise_id, ExerciseRecord())
        record.attempts += 1
        record.status = EXERCISE_PASSED if passed else EXERCISE_FAILING
        record.passed = record.passed or passed
        record.checks_passed, record.checks_total = checks_passed, checks_total
        record.first_failure = "" if passed else " ".join(first_failure.split())[:500]
        record.checked = checked
        return record

    def record_reset(self, exercise_id: str, *, when: str = "") -> ExerciseRecord | None:
        """The learner put the exercise's starter back (`dl-tutor exercises reset ID`): the
        status is "reset" (an untouched starter, not checked since), the latest run's counts
        and first failure are cleared, and the history stays (`attempts`, `passed`, `checked`);
        `resets` counts it and `reset_at` is `when`. None, and nothing changed, when the
        exercise was never checked (there is no status to take back)."""
        record = self.exercises.get(exercise_id)
        if record is None:
            return None
        record.status = EXERCISE_RESET
        record.checks_passed = record.checks_total = 0
        record.first_failure = ""
        record.resets += 1
        record.reset_at = when
        return record

    def mark_completed(self, lesson_id: str) -> None:
        """Record, as history, that lesson `lesson_id` was done (see `LessonRecord.completed`)."""
        self.lesson(lesson_id).completed = True

    def reset(self, lesson_id: str | None = None) -> None:
        """Forget one lesson's progress, or everything (the exercises' records too) when
        `lesson_id` is None.

        Resetting one lesson keeps `last_lesson`, so "resume" reopens it at its first step.
        """
        if lesson_id is None:
            self.last_lesson = None
            self.lessons.clear()
            self.exercises.clear()
        else:
            self.lessons.pop(lesson_id, None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the on-disk format)."""
        return {
            "version": self.version,
            "last_lesson": self.last_lesson,
            "learner_seed": self.learner_seed,
            "lessons": {
                lesson_id: {
                    "step": record.step,
                    "visited": list(record.visited),
                    "completed": record.completed,
                    "questions": {
                        question_id: _question_to_dict(q)
                        for question_id, q in record.questions.items()
                    },
                }
                for lesson_id, record in self.lessons.items()
            },
            # Only once there is one, so files without exercises stay as they were.
            **({"exercises": {exercise_id: _exercise_to_dict(record)
                              for exercise_id, record in self.exercises.items()}}
               if self.exercises else {}),
        }

    @classmethod
    def from_dict(cls, data: Any) -> Progress:
        """Build Progress from parsed JSON, checking every type.

        Unknown extra keys are ignored; missing keys take their defaults (a file without a
        learner seed gets a new one, saved with the next save); records of lessons and
        questions the course no longer has are kept.

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
        seed = data.get("learner_seed")
        if seed is None:
            seed = new_learner_seed()
        else:
            _expect(seed, int, "learner_seed", "an integer")
            if not 0 <= seed <= 0xFFFFFFFF:
                raise ProgressFormatError(
                    f"learner_seed: expected a number from 0 to {0xFFFFFFFF}, got {seed}."
                )
        raw_exercises = data.get("exercises", {})
        exercises: dict[str, ExerciseRecord] = {}
        if isinstance(raw_exercises, dict):  # anything else: the exercises alone are dropped
            for exercise_id, raw in raw_exercises.items():
                record = _exercise_from_dict(raw)
                if record is not None:
                    exercises[exercise_id] = record
        return cls(version=version, last_lesson=last_lesson, lessons=lessons, learner_seed=seed,
                   exercises=exercises)


def merge_progress(ours: Progress, theirs: Progress, base: Progress) -> None:
    """Fold into `ours` what another copy of the app saved since both read `base`.

    Two tutors can share one progress file (two browser tabs, a terminal and a tab). Each saves
    its own copy, so without a merge the last save would wipe the other's work. Steps seen and
    lessons completed are united; attempts add up (each side's new attempts count once, `base`
    tells which are new); a question is right if either side got it right; the latest answer is
    ours unless only the other side answered. `last_lesson` stays ours (this learner acted last).
    The learner seed stays ours too (it was read from the same file, or drawn for a new one).
    A question's review schedule (box and due day) is taken from the side that changed it since
    `base`, ours when both did; the review and lapse counts add up like attempts. An exercise's
    check attempts and resets add up too, `passed` sticks on either side, and its latest status
    (and the latest run's counts) is the side's whose check or reset came last
    (`ExerciseRecord.last_change`): a reset in another pane is not undone by the app's copy.
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
            _merge_review(our_q, their_q, base_q or QuestionRecord())
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
    for exercise_id, their_x in theirs.exercises.items():
        our_x = ours.exercises.get(exercise_id)
        if our_x is None:
            ours.exercises[exercise_id] = their_x
            continue
        base_x = base.exercises.get(exercise_id) or ExerciseRecord()
        their_checks = max(0, their_x.attempts - base_x.attempts)
        their_resets = max(0, their_x.resets - base_x.resets)
        if not their_checks and not their_resets:
            continue
        we_acted = (our_x.attempts, our_x.resets) != (base_x.attempts, base_x.resets)
        newer = not we_acted or their_x.last_change > our_x.last_change
        our_x.attempts += their_checks
        our_x.resets += their_resets
        our_x.passed = our_x.passed or their_x.passed
        if newer:  # the latest run or reset is theirs (`dl-tutor exercises` in another pane)
            our_x.status = their_x.status
            our_x.checks_passed, our_x.checks_total = their_x.checks_passed, their_x.checks_total
            our_x.first_failure = their_x.first_failure
        our_x.checked = max(our_x.checked, their_x.checked)
        our_x.reset_at = max(our_x.reset_at, their_x.reset_at)


def _merge_review(ours: QuestionRecord, theirs: QuestionRecord, base: QuestionRecord) -> None:
    """Fold the other side's review of one question into ours (see `merge_progress`)."""
    if theirs.review_state() == base.review_state():
        return
    we_reviewed = ours.review_state() != base.review_state()
    their_reviews = max(0, theirs.reviews - base.reviews)
    their_lapses = max(0, theirs.lapses - base.lapses)
    if not we_reviewed:
        ours.box, ours.due = theirs.box, theirs.due
        ours.reviews, ours.lapses = theirs.reviews, theirs.lapses
        return
    if not ours.box:  # only they put it in review
        ours.box, ours.due = theirs.box, theirs.due
    ours.reviews += their_reviews
    ours.lapses += their_lapses


def progress_from_bytes(raw: bytes) -> Progress:
    """Progress from a file's bytes; a UTF-8 byte-order mark (Windows editors add one) is fine.

    Raises:
        UnicodeDecodeError, RecursionError, json.JSONDecodeError, ProgressFormatError.
    """
    return Progress.from_dict(json.loads(raw.decode("utf-8-sig")))


def progress_to_text(progress: Progress) -> str:
    """The JSON text of `progress` (indent 2, sorted keys, non-ASCII as \\u escapes so any text
    the learner typed survives, trailing newline)."""
    return json.dumps(progress.to_dict(), indent=2, sort_keys=True, ensure_ascii=True) + "\n"
