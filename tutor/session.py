"""A learner's session: the course, their progress and where it is saved, and THE progress rules.

Every place that shows how far a learner got asks this module (the course map, the lesson screen,
`dl-tutor list`, the Markdown report), so they can never disagree. Importing it imports neither
Textual nor NumPy.

The completion rule, decided once here:

    A lesson is *done* when every step it has **now** has been visited and every question it has
    **now** has been answered right. It is *started* when any step of it has been visited, and
    *new* otherwise.

The rule is recomputed from the course and the records whenever it is asked, so a lesson that
gains a step after it was finished shows as started again, everywhere, until the new step is
seen. A lesson the course no longer has is never done (there is nothing left to check it
against). `LessonRecord.completed`, in the progress file, is history only: it is set the first
time a lesson is done (and kept when steps are added later), and no status is read from it.

First-try accuracy (`first_try`) counts, over the questions a lesson has now that the learner
attempted, those answered right on the first attempt; it is shown beside completion everywhere.

Review: a question missed (not right on the first try) comes back on the spaced schedule of
`tutor.review` (Leitner boxes). `Session.answer` puts a missed question in box 1;
`Session.review_answer` records an answer given in review or in a mixed quiz.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from tutor import review
from tutor.progress import ExerciseRecord, Progress, ProgressSaveError, ProgressStore, QuestionRecord
from tutor.review import ReviewItem

if TYPE_CHECKING:
    from tutor.content import Course, Lesson

#: A lesson's status: "done", "started" or "new" (see the module docstring for the rule).
Status = Literal["done", "started", "new"]

#: What a session calls to tell the learner something, as Textual's `App.notify` is called:
#: `notify(message, severity="warning" or "information", timeout=seconds)`. The app gives its own
#: `notify`; elsewhere (the CLI) nothing is shown.
Notify = Callable[..., object]


def _quiet(message: str, **options: object) -> None:
    """The default `Notify`: tell nobody."""


def lesson_status(progress: Progress, lesson: Lesson) -> Status:
    """The status of `lesson` in `progress`, by the one completion rule (module docstring)."""
    record = progress.lessons.get(lesson.id)
    if record is None or not record.visited:
        return "new"
    seen = set(record.visited) >= {step.id for step in lesson.steps}
    right, total = progress.score(lesson.id, list(lesson.questions))
    return "done" if seen and right == total else "started"


def steps_seen(progress: Progress, lesson: Lesson) -> int:
    """How many of the steps `lesson` has now were visited."""
    record = progress.lessons.get(lesson.id)
    return len(set(record.visited) & {step.id for step in lesson.steps}) if record else 0


def first_try(progress: Progress, lesson: Lesson) -> tuple[int, int]:
    """(right on the first try, attempted) over the questions `lesson` has now."""
    record = progress.lessons.get(lesson.id)
    if record is None:
        return 0, 0
    attempted = [
        record.questions[q] for q in lesson.questions
        if q in record.questions and record.questions[q].attempts > 0
    ]
    return sum(1 for q in attempted if q.first_try), len(attempted)


class Session:
    """The course, the learner's progress and its store, and the rules that read and change them.

    Attributes:
        course: the course being taught.
        store: where progress is saved (`ProgressStore`).
        progress: the learner's progress, in memory (saved after every change).
        notify: called like `App.notify` to tell the learner about saving trouble.
        clock: today's date (`datetime.date.today`; tests set another day), for review.
    """

    def __init__(
        self, course: Course, store: ProgressStore, progress: Progress | None = None,
        *, notify: Notify | None = None,
    ) -> None:
        self.course = course
        self.store = store
        self.progress = progress if progress is not None else Progress()
        self.notify: Notify = notify or _quiet
        self.clock: Callable[[], datetime.date] = datetime.date.today
        self._save_failed = False

    @classmethod
    def load(
        cls, course: Course, path: Path | None = None, *, move_damaged: bool = True,
    ) -> tuple[Session, str | None]:
        """A session over the progress file at `path` (default: the usual one), and the file's
        one-line warning or None (`ProgressStore.load`; read-only callers pass
        `move_damaged=False`)."""
        store = ProgressStore(path)
        progress, warning = store.load(move_damaged=move_damaged)
        return cls(course, store, progress), warning

    # --- reading ------------------------------------------------------------------------------

    @property
    def learner_seed(self) -> int:
        """This learner's seed (`Progress.learner_seed`): fixes the order of each question's
        options, the same across restarts."""
        return self.progress.learner_seed

    def status(self, lesson: Lesson) -> Status:
        """"done", "started" or "new", by the completion rule."""
        return lesson_status(self.progress, lesson)

    def is_done(self, lesson: Lesson) -> bool:
        """Whether `lesson` is done: every current step seen, every current question right."""
        return self.status(lesson) == "done"

    def done_count(self) -> int:
        """How many lessons of the course are done."""
        return sum(1 for lesson in self.course.lessons if self.is_done(lesson))

    def score(self, lesson: Lesson) -> tuple[int, int]:
        """(answered right, total) over the questions `lesson` has now."""
        return self.progress.score(lesson.id, list(lesson.questions))

    def steps_seen(self, lesson: Lesson) -> int:
        """How many of the steps `lesson` has now were visited."""
        return steps_seen(self.progress, lesson)

    def first_try(self, lesson: Lesson) -> tuple[int, int]:
        """(right on the first try, attempted) over the questions `lesson` has now."""
        return first_try(self.progress, lesson)

    def finished_lessons(self) -> list[Lesson]:
        """The lessons that are done, in course order."""
        return [lesson for lesson in self.course.lessons if self.is_done(lesson)]

    def due_reviews(self) -> list[ReviewItem]:
        """The questions due for review today, soonest due first (`tutor.review.due`)."""
        return review.due(self.course, self.progress, self.clock())

    def scheduled_reviews(self) -> list[ReviewItem]:
        """Every question in review, due or not, soonest due first."""
        return review.scheduled(self.course, self.progress)

    def next_review(self) -> ReviewItem | None:
        """The question in review that comes back first after today, or None."""
        return review.next_due(self.course, self.progress, self.clock())

    def quiz(self) -> list[ReviewItem]:
        """Today's mixed quiz over the finished lessons (the same all day for this learner)."""
        return review.quiz(self.finished_lessons(), self.progress, self.learner_seed, self.clock())

    def fresh_draw(self, item: ReviewItem) -> int:
        """The draw that asks `item`'s predict question with new numbers (`QuestionCard.draw`)."""
        record = self.progress.lessons.get(item.lesson.id)
        saved = record.questions.get(item.question.id) if record is not None else None
        reviews = saved.reviews if saved is not None else 0
        return review.fresh_draw(self.learner_seed, item.question.id, self.clock(), reviews)

    def _record(self, lesson: Lesson, question_id: str) -> QuestionRecord:
        """The record of a question, created empty when it has none."""
        return self.progress.lesson(lesson.id).questions.setdefault(question_id, QuestionRecord())

    def solved(self, lesson: Lesson, question_id: str) -> bool:
        """Whether the learner has answered question `question_id` of `lesson` right."""
        record = self.progress.lessons.get(lesson.id)
        question = record.questions.get(question_id) if record else None
        return bool(question and question.correct)

    def resume_index(self, lesson: Lesson) -> int:
        """The step to reopen `lesson` at: where the learner last was, else the start."""
        record = self.progress.lessons.get(lesson.id)
        return lesson.step_index(record.step) if record else 0

    def resume_point(self) -> tuple[Lesson, int] | None:
        """The last lesson and step the learner saw, if that lesson still exists."""
        last = self.progress.last_lesson
        if last is None:
            return None
        try:
            lesson = self.course.lesson(last)
        except KeyError:
            return None
        return lesson, self.resume_index(lesson)

    def exercise_record(self, exercise_id: str) -> ExerciseRecord | None:
        """The latest record of a hands-on exercise: ours, or the progress file's when a check
        or a reset ran since in another process (`dl-tutor exercises watch` or `reset` in a
        second pane; `ExerciseRecord.last_change`); read-only."""
        ours = self.progress.exercises.get(exercise_id)
        try:
            disk, warning = ProgressStore(self.store.path).load(move_damaged=False)
        except OSError:
            return ours
        theirs = None if warning else disk.exercises.get(exercise_id)
        if theirs is None:
            return ours
        if ours is None or theirs.last_change > ours.last_change:
            return theirs
        return ours

    # --- changing -----------------------------------------------------------------------------

    def record_exercise(
        self, exercise_id: str, passed: bool, *, checks_passed: int = 0, checks_total: int = 0,
        first_failure: str = "", checked: str = "",
    ) -> ExerciseRecord:
        """One run of an exercise's checks (`Progress.record_check`), saved at once."""
        record = self.progress.record_check(
            exercise_id, passed, checks_passed=checks_passed, checks_total=checks_total,
            first_failure=first_failure, checked=checked,
        )
        self.save()
        return self.progress.exercises.get(exercise_id, record)

    def visit(self, lesson: Lesson, step_id: str) -> None:
        """The learner is looking at step `step_id` of `lesson`; saved at once."""
        self.progress.visit(lesson.id, step_id)
        self._note_history(lesson)
        self.save()

    def answer(self, lesson: Lesson, question_id: str, correct: bool, answer: str) -> bool:
        """A graded attempt at a question, saved at once; True when it finished the lesson."""
        before = self.is_done(lesson)
        self.progress.record_answer(lesson.id, question_id, correct, answer)
        if not correct:  # a miss: the question comes back in review
            review.miss(self._record(lesson, question_id), self.clock())
        self._note_history(lesson)
        self.save()
        return not before and self.is_done(lesson)

    def review_answer(
        self, lesson: Lesson, question_id: str, correct: bool, answer: str, *, first: bool,
    ) -> bool:
        """A graded answer given in review or in a mixed quiz, saved at once; True when it
        finished the lesson.

        `first`: whether it is the first graded answer to this question in this review; only
        that one moves the question's box: when the question is due, right moves it up a box
        and wrong back to box 1 (`tutor.review.review`); when it is not due (a mixed quiz), a
        wrong answer puts it in box 1 and a right one changes nothing. A question not yet right
        in its lesson counts every answer as a lesson attempt too, so solving it here solves it
        there."""
        before = self.is_done(lesson)
        record = self._record(lesson, question_id)
        if not record.correct:
            self.progress.record_answer(lesson.id, question_id, correct, answer)
        if first:
            today = self.clock()
            if review.is_due(record, today):
                review.review(record, correct, today)
            elif not correct:
                review.miss(record, today)
        self._note_history(lesson)
        self.save()
        return not before and self.is_done(lesson)

    def _note_history(self, lesson: Lesson) -> None:
        """Set the history flag `LessonRecord.completed` once the lesson is done."""
        if self.is_done(lesson):
            self.progress.mark_completed(lesson.id)

    def save(self) -> None:
        """Write progress (merged with what other tutors on the file saved); on failure keep it
        in memory and warn once, and say so when saving works again."""
        try:
            self.store.save(self.progress, merge=True)
        except ProgressSaveError as error:
            if not self._save_failed:
                self.notify(str(error), severity="warning", timeout=10)
            self._save_failed = True
        else:
            if self._save_failed:
                self.notify("Progress saved again.", severity="information", timeout=3)
            self._save_failed = False

    def save_at_exit(self) -> tuple[bool, str | None]:
        """The session's last word once the app is gone (`ProgressStore.save_at_exit`)."""
        return self.store.save_at_exit(self.progress)
