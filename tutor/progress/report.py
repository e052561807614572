"""A learner's progress as a Markdown report for an instructor (`dl-tutor progress --export F.md`).

Whether a lesson is done, and how many of its steps were seen, is `tutor.session`'s rule, the
one the course map and `dl-tutor list` use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tutor.progress.store import Progress
from tutor.session import lesson_status, steps_seen

if TYPE_CHECKING:
    from tutor.content import Course, Lesson


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell (one line, pipes escaped)."""
    return " ".join(str(text).split()).replace("|", "\\|")


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
    lines += [f"Lessons completed: {done} of {len(rows)}.", ""]
    lines += ["| unit | lesson | done | steps seen | right | first try |", "| --- | --- | :---: | ---: | ---: | ---: |"]
    for unit_title, lesson_id, lesson in rows:
        record = progress.lessons.get(lesson_id)
        title = getattr(lesson, "title", lesson_id)
        total_steps = len(getattr(lesson, "steps", ())) or "?"
        total_questions = len(getattr(lesson, "questions", {}))
        if not total_questions and record is not None:
            total_questions = len(record.questions)
        if record is None:
            lines.append(f"| {_cell(unit_title)} | {_cell(title)} |  | 0/{total_steps} | 0/{total_questions} | 0 |")
            continue
        right = sum(1 for q in record.questions.values() if q.correct)
        first = sum(1 for q in record.questions.values() if q.first_try)
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
                      "| question | attempts | right | first try | last answer |", "| --- | ---: | :---: | :---: | --- |"]
            for question_id, q in record.questions.items():
                lines.append(
                    f"| {_cell(question_id)} | {q.attempts} | {'yes' if q.correct else 'no'} | "
                    f"{'yes' if q.first_try else ''} | {_cell(q.last_answer)[:60]} |"
                )
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
