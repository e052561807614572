"""The session: the one completion rule, the resume point, visits, answers and saving.

That the course map, `dl-tutor list` and the report agree is checked through the app in
`tests/test_app_flow.py` (`test_a_lesson_that_gained_a_step_shows_one_status_everywhere`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tutor.content import load_course
from tutor.progress import ProgressStore
from tutor.session import Session, lesson_status

FIXTURE = Path(__file__).parent / "fixtures" / "course_ok"
LESSON = "gates-or"


def test_the_completion_rule(tmp_path: Path) -> None:
    course_path = tmp_path / "course"
    shutil.copytree(FIXTURE, course_path)
    course = load_course(course_path)
    lesson = course.lesson(LESSON)
    session = Session(course, ProgressStore(tmp_path / "home" / "progress.json"))
    assert session.status(lesson) == "new"
    session.visit(lesson, lesson.steps[0].id)
    assert session.status(lesson) == "started"  # every step seen, but a question is open
    (question_id,) = lesson.questions
    assert session.answer(lesson, question_id, False, "θ = 1.5") is False
    assert session.answer(lesson, question_id, True, "θ = 0.5") is True  # this answer finished it
    assert session.status(lesson) == "done" and session.done_count() == 1
    assert session.answer(lesson, question_id, True, "θ = 0.5") is False  # already done
    assert session.progress.lessons[LESSON].completed
    # A flag set by hand (or by an older dl-tutor) does not make a lesson done.
    other = course.lesson("gates-and")
    session.progress.mark_completed(other.id)
    assert lesson_status(session.progress, other) == "new"


def test_resume_point_and_saving_trouble(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tutor.progress import ProgressSaveError

    course = load_course(FIXTURE)
    told: list[tuple[str, str]] = []
    session, warning = Session.load(course, tmp_path / "progress.json")
    assert warning is None and session.resume_point() is None
    session.notify = lambda message, severity, timeout: told.append((message, severity))
    lesson = course.lesson("intro")
    session.visit(lesson, lesson.steps[1].id)
    assert session.resume_point() == (lesson, 1)

    def fail(progress, **options) -> None:
        raise ProgressSaveError("Could not save progress: read-only.")

    monkeypatch.setattr(session.store, "save", fail)
    session.visit(lesson, lesson.steps[0].id)
    session.visit(lesson, lesson.steps[1].id)
    assert told == [("Could not save progress: read-only.", "warning")]  # once, not per step
    monkeypatch.undo()
    session.save()
    assert told[-1] == ("Progress saved again.", "information")
    assert Session.load(course, tmp_path / "progress.json")[0].resume_point() == (lesson, 1)
