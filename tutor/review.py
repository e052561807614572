"""The review schedule, pure: which questions come back when (Leitner boxes), and the mixed quiz.

A question the learner did not get right on the first try goes into review, in box 1. Each box
waits longer before the question comes back (BOX_DAYS: box 1 the next day, box 2 three days,
box 3 a week, ...): a right review moves the question up one box (the last box repeats), a
wrong one sends it back to box 1, and a miss anywhere else (in its lesson, in a mixed quiz) does
too. The schedule lives in the question's own record (`QuestionRecord.box`, `.due`), so it is
saved and merged with the rest of the progress; a question missed before review existed (an
older progress file: missed, no box) is due at once, in box 1.

Days are calendar days of the learner's clock (`datetime.date`), passed in by the caller
(`tutor.session.Session.clock`), so tests choose the day. The progress rules that call these
functions live in `tutor.session`; the CLI and `tutor.screens.review` ask the session. Importing
this module imports neither Textual nor NumPy.
"""

from __future__ import annotations

import datetime
import random
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tutor.progress import Progress, QuestionRecord

if TYPE_CHECKING:
    from tutor.content import Course, Lesson, Question

#: Days a question waits in each box before it is due again: box n waits BOX_DAYS[n - 1].
BOX_DAYS: tuple[int, ...] = (1, 3, 7, 14, 30)
#: The top box; a right review there keeps the question there (due again in BOX_DAYS[-1] days).
MAX_BOX = len(BOX_DAYS)
#: How many questions a mixed quiz asks (fewer when the finished lessons hold fewer).
QUIZ_SIZE = 5
#: A day before any real one: the due day of a question missed before review existed.
AT_ONCE = datetime.date.min


@dataclass(frozen=True)
class ReviewItem:
    """One question to ask in review or in a mixed quiz.

    Attributes:
        lesson: the lesson that holds the question.
        question: the question itself.
        box: its Leitner box now (0: not in review, e.g. a mixed-quiz question never missed).
        due: the day it is due (AT_ONCE: at once), or None when it is not in review.
    """

    lesson: Lesson
    question: Question
    box: int
    due: datetime.date | None

    @property
    def is_predict(self) -> bool:
        """Whether the question generates its numbers (review asks it with fresh ones)."""
        return self.question.kind == "predict" and bool(self.question.generator)


def schedule_of(record: QuestionRecord | None) -> tuple[int, datetime.date] | None:
    """(box, due day) of a question in review, or None when it is not in review.

    A question with a box has its saved due day (AT_ONCE when none is saved); one missed without
    a box (an older progress file) is in box 1, due at once. Boxes above MAX_BOX (a newer
    dl-tutor's) count as MAX_BOX."""
    if record is None:
        return None
    if record.box > 0:
        due = datetime.date.fromisoformat(record.due) if record.due else AT_ONCE
        return min(record.box, MAX_BOX), due
    if record.attempts > 0 and not record.first_try:
        return 1, AT_ONCE
    return None


def is_due(record: QuestionRecord | None, today: datetime.date) -> bool:
    """Whether the question is in review and due on `today` (or before)."""
    schedule = schedule_of(record)
    return schedule is not None and schedule[1] <= today


def interval(box: int) -> int:
    """The days a question waits in `box` (1..MAX_BOX) before it is due again."""
    return BOX_DAYS[max(1, min(box, MAX_BOX)) - 1]


def miss(record: QuestionRecord, today: datetime.date) -> None:
    """A wrong answer outside review (in its lesson, in a mixed quiz): box 1, due the next day."""
    record.box = 1
    record.due = (today + datetime.timedelta(days=interval(1))).isoformat()


def review(record: QuestionRecord, correct: bool, today: datetime.date) -> None:
    """A review answer: right moves the question up a box (the top box repeats), wrong sends it
    back to box 1 (a lapse); either way it is due again after its new box's wait."""
    schedule = schedule_of(record)
    box = schedule[0] if schedule else 1
    record.reviews += 1
    if correct:
        box = min(box + 1, MAX_BOX)
    else:
        box = 1
        record.lapses += 1
    record.box = box
    record.due = (today + datetime.timedelta(days=interval(box))).isoformat()


def _question_rows(course: Course, progress: Progress) -> Iterable[tuple[Lesson, Question, QuestionRecord | None]]:
    """Every question of the course, in course order, with its record (None if never answered)."""
    for lesson in course.lessons:
        record = progress.lessons.get(lesson.id)
        questions = record.questions if record is not None else {}
        for question_id, question in lesson.questions.items():
            yield lesson, question, questions.get(question_id)


def scheduled(course: Course, progress: Progress) -> list[ReviewItem]:
    """Every question of the course in review, soonest due first (course order among equals).

    Records of lessons or questions the course no longer has are left out (kept on disk)."""
    items = []
    for lesson, question, record in _question_rows(course, progress):
        schedule = schedule_of(record)
        if schedule is not None:
            items.append(ReviewItem(lesson, question, *schedule))
    return sorted(items, key=lambda item: item.due or AT_ONCE)  # stable: course order kept


def due(course: Course, progress: Progress, today: datetime.date) -> list[ReviewItem]:
    """The questions due for review on `today`, soonest due first."""
    return [item for item in scheduled(course, progress) if item.due is not None and item.due <= today]


def next_due(course: Course, progress: Progress, today: datetime.date) -> ReviewItem | None:
    """The question in review that comes back first after `today`, or None."""
    later = [item for item in scheduled(course, progress) if item.due is not None and item.due > today]
    return later[0] if later else None


def quiz(
    finished: Iterable[Lesson], progress: Progress, seed: int, today: datetime.date,
    size: int = QUIZ_SIZE,
) -> list[ReviewItem]:
    """A short mixed quiz: `size` questions drawn from the `finished` lessons, the same all day
    for one learner (seeded by the learner seed and the day), in course order."""
    pool = []
    for lesson in finished:
        record = progress.lessons.get(lesson.id)
        for question_id, question in lesson.questions.items():
            saved = record.questions.get(question_id) if record is not None else None
            schedule = schedule_of(saved)
            box, day = schedule if schedule else (0, None)
            pool.append(ReviewItem(lesson, question, box, day))
    rng = random.Random(zlib.crc32(f"quiz:{seed}:{today.isoformat()}".encode()))
    picked = sorted(rng.sample(range(len(pool)), min(size, len(pool))))
    return [pool[i] for i in picked]


def fresh_draw(seed: int, question_id: str, today: datetime.date, reviews: int) -> int:
    """The draw (seed offset, `QuestionCard.draw`) that gives a predict question fresh numbers
    in review: new for each learner, day and review, never 0 (the lesson's own first problem)."""
    return 1 + zlib.crc32(f"review:{seed}:{question_id}:{today.isoformat()}:{reviews}".encode()) % 1_000_000


def describe_day(day: datetime.date, today: datetime.date) -> str:
    """A due day in words relative to `today`: "today", "tomorrow", "in 3 days (Tue 8 Dec)"."""
    if day <= today:
        return "today"
    days = (day - today).days
    if days == 1:
        return "tomorrow"
    return f"in {days} days ({day.strftime('%a')} {day.day} {day.strftime('%b')})"

