"""A learner's progress as a Markdown report for an instructor (`dl-tutor progress --export F.md`).

Whether a lesson is done, how many of its steps were seen and its first-try accuracy are
`tutor.session`'s rules, the ones the course map and `dl-tutor list` use. "first try" is right
on the first attempt out of the questions attempted; "review" is a missed question's Leitner box
and the day it is due again (`tutor.review`). Once the learner has checked a hands-on exercise,
an "Exercises" section lists every exercise with its latest status, checks passed, check runs
and first failure (`Progress.exercises`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tutor.progress.store import Progress, QuestionRecord
from tutor.review import AT_ONCE, schedule_of
from tutor.session import first_try, lesson_status, steps_seen

if TYPE_CHECKING:
    from tutor.content import Course, Lesson


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell (one line, pipes escaped)."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _review_cell(record: QuestionRecord) -> str:
    """"box 2, due 2026-12-08" for a question in review, else ""."""
    schedule = schedule_of(record)
    if schedule is None:
        return ""
    box, day = schedule
    return f"box {box}, due {'now' if day == AT_ONCE else day.isoformat()}"


def markdown_report(progress: Progress, course: Course | None) -> str:
    """Lessons done, scores, and per-question attempts, in the course's order when it is known.

    Lessons recorded in the progress but no longer in the course are listed at the end by id
    (never as done: there is nothing left to check them against).
    """
    lines = ["# dl-tutor progress report", ""]
    seen: set[str] = set()
    rows: list[tuple[str, str, Lesson | None]] = []  # (unit title, lesson id, Lesson or None)
    if course is not None:
        for unit in course.units:
            for lesson in unit.lessons:
                rows.append((unit.title, lesson.id, lesson))
                seen.add(lesson.id)
    for lesson_id in progress.lessons:
        if lesson_id not in seen:
            rows.append(("(not in this course)", lesson_id, None))
    done_ids = {lid for _, lid, lesson in rows if lesson is not None and lesson_status(progress, lesson) == "done"}
    done = len(done_ids)
    lines += [f"Lessons completed: {done} of {len(rows)}."]
    counts = [first_try(progress, lesson) for _, _, lesson in rows if lesson is not None]
    attempted = sum(n for _, n in counts)
    if attempted:
        in_review = sum(
            1 for _, lid, lesson in rows if lesson is not None and lid in progress.lessons
            for qid in lesson.questions if schedule_of(progress.lessons[lid].questions.get(qid))
        )
        lines.append(
            f"Right on the first try: {sum(f for f, _ in counts)} of {attempted} questions "
            f"attempted; {in_review} in review."
        )
    lines.append("")
    lines += ["| unit | lesson | done | steps seen | right | first try |", "| --- | --- | :---: | ---: | ---: | ---: |"]
    for unit_title, lesson_id, lesson in rows:
        record = progress.lessons.get(lesson_id)
        title = getattr(lesson, "title", lesson_id)
        total_steps = len(getattr(lesson, "steps", ())) or "?"
        total_questions = len(getattr(lesson, "questions", {}))
        if not total_questions and record is not None:
            total_questions = len(record.questions)
        if record is None:
            lines.append(f"| {_cell(unit_title)} | {_cell(title)} |  | 0/{total_steps} | 0/{total_questions} |  |")
            continue
        right = sum(1 for q in record.questions.values() if q.correct)
        if lesson is not None:
            first_right, attempted = first_try(progress, lesson)
        else:
            attempted = sum(1 for q in record.questions.values() if q.attempts)
            first_right = sum(1 for q in record.questions.values() if q.first_try)
        first = f"{first_right}/{attempted}" if attempted else ""
        mark = "yes" if lesson_id in done_ids else ""
        seen = steps_seen(progress, lesson) if lesson is not None else len(record.visited)
        lines.append(
            f"| {_cell(unit_title)} | {_cell(title)} | {mark} | {seen}/{total_steps} | "
            f"{right}/{total_questions} | {first} |"
        )
    answered = [(lid, lesson, progress.lessons[lid]) for _, lid, lesson in rows if lid in progress.lessons and progress.lessons[lid].questions]
    if answered:
        lines += ["", "## Questions attempted", ""]
        for lesson_id, lesson, record in answered:
            lines += [f"### {_cell(getattr(lesson, 'title', lesson_id))}", "",
                      "| question | attempts | right | first try | last answer | review |", "| --- | ---: | :---: | :---: | --- | --- |"]
            for question_id, q in record.questions.items():
                lines.append(
                    f"| {_cell(question_id)} | {q.attempts} | {'yes' if q.correct else 'no'} | "
                    f"{'yes' if q.first_try else ''} | {_cell(q.last_answer)[:60]} | {_review_cell(q)} |"
                )
            lines.append("")
    lines += _exercise_lines(progress)
    return "\n".join(lines).rstrip() + "\n"


def _exercise_lines(progress: Progress) -> list[str]:
    """The "Exercises" section: every exercise in course order, then any recorded one the
    catalogue no longer has; nothing until some exercise was checked."""
    if not progress.exercises:
        return []
    from tutor.exercises.catalogue import EXERCISES

    known = [(exercise.id, exercise.lesson) for exercise in EXERCISES]
    ids = {exercise_id for exercise_id, _ in known}
    rows = known + [(exercise_id, "") for exercise_id in progress.exercises if exercise_id not in ids]
    passed = sum(1 for exercise_id, _ in known
                 if exercise_id in progress.exercises and progress.exercises[exercise_id].passed)
    lines = ["", "## Exercises", "", f"Exercises passed: {passed} of {len(known)}.", "",
             "| exercise | lesson | status | checks | check runs | last checked | first failure |",
             "| --- | --- | --- | ---: | ---: | --- | --- |"]
    for exercise_id, lesson_id in rows:
        record = progress.exercises.get(exercise_id)
        if record is None:
            lines.append(f"| {_cell(exercise_id)} | {_cell(lesson_id)} | not checked |  | 0 |  |  |")
            continue
        status = record.status + (" (passed before)" if record.passed and record.status != "passed" else "")
        checks = f"{record.checks_passed}/{record.checks_total}" if record.checks_total else ""
        lines.append(
            f"| {_cell(exercise_id)} | {_cell(lesson_id)} | {status} | {checks} | {record.attempts} | "
            f"{_cell(record.checked)} | {_cell(record.first_failure)[:100]} |"
        )
    return lines
