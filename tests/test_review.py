"""Review and mastery without the app: the Leitner schedule (`tutor.review`), the session's
review rules, the progress file's review fields, first-try accuracy, and the CLI (`list`,
`review`, the Markdown report)."""

from __future__ import annotations

import datetime
import json
import zlib
from pathlib import Path

import pytest

from tutor import review
from tutor.cli import LIST_WIDTH, main
from tutor.content import load_course
from tutor.progress import Progress, ProgressStore, QuestionRecord
from tutor.progress.records import ProgressFormatError, merge_progress
from tutor.quiz import instantiate
from tutor.session import Session, first_try

FIXTURE = Path(__file__).parent / "fixtures" / "course_ok"
DAY = datetime.date(2026, 3, 2)


def _days(n: int) -> datetime.date:
    return DAY + datetime.timedelta(days=n)


@pytest.fixture
def course():
    return load_course(FIXTURE)


@pytest.fixture
def session(course, tmp_path: Path) -> Session:
    """A session over the fixture course on DAY, saving under tmp_path."""
    found, _ = Session.load(course, tmp_path / "progress.json")
    found.clock = lambda: DAY
    return found


def _finish(session: Session, lesson_id: str, missed: tuple[str, ...] = ()) -> None:
    """See every step of the lesson and answer every question right, `missed` ones wrong first."""
    lesson = session.course.lesson(lesson_id)
    for step in lesson.steps:
        session.visit(lesson, step.id)
    for question_id in lesson.questions:
        if question_id in missed:
            session.answer(lesson, question_id, False, "wrong")
        session.answer(lesson, question_id, True, "right")


# --------------------------------------------------------------------------- the schedule


def test_boxes_wait_longer_and_longer() -> None:
    assert review.BOX_DAYS[0] == 1 and list(review.BOX_DAYS) == sorted(set(review.BOX_DAYS))
    assert review.MAX_BOX == len(review.BOX_DAYS)
    assert [review.interval(box) for box in range(1, review.MAX_BOX + 1)] == list(review.BOX_DAYS)
    assert review.interval(review.MAX_BOX + 3) == review.BOX_DAYS[-1]


def test_who_is_in_review() -> None:
    assert review.schedule_of(None) is None
    assert review.schedule_of(QuestionRecord()) is None
    right_first = QuestionRecord(attempts=1, correct=True, first_try=True)
    assert review.schedule_of(right_first) is None
    # Missed before review existed (an older file): box 1, due at once.
    old = QuestionRecord(attempts=3, correct=True, first_try=False)
    assert review.schedule_of(old) == (1, review.AT_ONCE)
    assert review.is_due(old, DAY)
    saved = QuestionRecord(attempts=2, correct=True, box=3, due=_days(4).isoformat())
    assert review.schedule_of(saved) == (3, _days(4))
    assert not review.is_due(saved, _days(3)) and review.is_due(saved, _days(4))
    future = QuestionRecord(attempts=2, box=review.MAX_BOX + 2, due=DAY.isoformat())
    assert review.schedule_of(future) == (review.MAX_BOX, DAY)


def test_right_moves_up_a_box_wrong_back_to_box_one() -> None:
    record = QuestionRecord(attempts=2, correct=True)
    review.miss(record, DAY)
    assert (record.box, record.due) == (1, _days(1).isoformat())
    today = _days(1)
    for box in range(2, review.MAX_BOX + 1):
        review.review(record, True, today)
        assert record.box == box
        assert record.due == (today + datetime.timedelta(days=review.BOX_DAYS[box - 1])).isoformat()
        today = datetime.date.fromisoformat(record.due)
    review.review(record, True, today)  # the top box repeats
    assert record.box == review.MAX_BOX
    review.review(record, False, today)
    assert (record.box, record.due) == (1, (today + datetime.timedelta(days=1)).isoformat())
    assert (record.reviews, record.lapses) == (review.MAX_BOX + 1, 1)
    assert record.attempts == 2  # reviews are not lesson attempts


def test_due_scheduled_and_next(course) -> None:
    progress = Progress()
    questions = progress.lesson("intro").questions
    questions["pick-one"] = QuestionRecord(attempts=2, correct=True, box=2, due=_days(3).isoformat())
    questions["a-number"] = QuestionRecord(attempts=2, correct=True, box=1, due=DAY.isoformat())
    questions["pick-many"] = QuestionRecord(attempts=1, correct=True, first_try=True)
    questions["gone"] = QuestionRecord(attempts=4, box=1, due=DAY.isoformat())  # not in the course
    progress.lesson("gates-or").questions["or-threshold"] = QuestionRecord(attempts=3, correct=True)
    scheduled = review.scheduled(course, progress)
    assert [item.question.id for item in scheduled] == ["or-threshold", "a-number", "pick-one"]
    assert [item.question.id for item in review.due(course, progress, DAY)] == ["or-threshold", "a-number"]
    assert review.next_due(course, progress, DAY).question.id == "pick-one"
    assert review.next_due(course, progress, _days(3)) is None
    assert len(review.due(course, progress, _days(3))) == 3


def test_mixed_quiz_is_seeded_per_learner_and_day(course) -> None:
    progress = Progress()
    finished = list(course.lessons)
    total = sum(len(lesson.questions) for lesson in finished)
    quiz = review.quiz(finished, progress, seed=7, today=DAY)
    assert len(quiz) == min(review.QUIZ_SIZE, total)
    assert quiz == review.quiz(finished, progress, seed=7, today=DAY)
    ids = [(item.lesson.id, item.question.id) for item in quiz]
    assert len(set(ids)) == len(ids)
    order = [(lesson.id, qid) for lesson in finished for qid in lesson.questions]
    assert ids == sorted(ids, key=order.index)  # asked in course order
    draws = {tuple(item.question.id for item in review.quiz(finished, progress, 7, _days(n)))
             for n in range(10)}
    assert len(draws) > 1  # another day, another quiz
    assert review.quiz([], progress, 7, DAY) == []
    assert len(review.quiz(finished[2:], progress, 7, DAY)) == len(finished[2].questions)


def test_fresh_numbers_for_a_predict_question(course) -> None:
    question = course.lesson("gates-and").questions["predict-output"]
    draws = {review.fresh_draw(1, question.id, _days(n), 0) for n in range(5)}
    assert len(draws) == 5 and 0 not in draws
    assert review.fresh_draw(1, question.id, DAY, 0) != review.fresh_draw(1, question.id, DAY, 1)
    base = zlib.crc32(question.id.encode())
    prompts = {instantiate(question, seed=base + draw).prompt for draw in draws}
    assert len(prompts) > 1


def test_describe_day() -> None:
    assert review.describe_day(DAY, DAY) == "today"
    assert review.describe_day(_days(1), DAY) == "tomorrow"
    assert review.describe_day(_days(3), DAY).startswith("in 3 days (Thu 5 Mar")


# --------------------------------------------------------------------------- the session's rules


def test_a_miss_in_a_lesson_puts_the_question_in_box_one(session: Session) -> None:
    _finish(session, "intro", missed=("a-number",))
    records = session.progress.lessons["intro"].questions
    assert (records["a-number"].box, records["a-number"].due) == (1, _days(1).isoformat())
    assert records["pick-one"].box == 0  # right first time: not in review
    assert session.due_reviews() == []
    assert session.next_review().question.id == "a-number"
    session.clock = lambda: _days(1)
    assert [item.question.id for item in session.due_reviews()] == ["a-number"]
    saved = json.loads(session.store.path.read_text(encoding="utf-8"))
    assert saved["lessons"]["intro"]["questions"]["a-number"]["box"] == 1
    assert "box" not in saved["lessons"]["intro"]["questions"]["pick-one"]


def test_review_answers_move_the_box_once_and_are_saved(session: Session) -> None:
    _finish(session, "intro", missed=("a-number", "pick-one"))
    intro = session.course.lesson("intro")
    session.clock = lambda: _days(1)
    session.review_answer(intro, "a-number", True, "2", first=True)
    session.review_answer(intro, "pick-one", False, "OR", first=True)
    session.review_answer(intro, "pick-one", True, "AND", first=False)  # a retry moves nothing
    store = ProgressStore(session.store.path)
    records = store.load()[0].lessons["intro"].questions
    assert (records["a-number"].box, records["a-number"].due) == (2, _days(4).isoformat())
    assert (records["pick-one"].box, records["pick-one"].due) == (1, _days(2).isoformat())
    assert (records["pick-one"].reviews, records["pick-one"].lapses) == (1, 1)
    assert records["a-number"].attempts == 2  # already right in the lesson: not a lesson attempt
    assert session.due_reviews() == []


def test_solving_in_review_solves_the_lesson(session: Session) -> None:
    gates_or = session.course.lesson("gates-or")
    session.visit(gates_or, "or")
    assert session.answer(gates_or, "or-threshold", False, "θ = 1.5") is False
    session.clock = lambda: _days(1)
    assert session.review_answer(gates_or, "or-threshold", True, "θ = 0.5", first=True) is True
    record = session.progress.lessons["gates-or"].questions["or-threshold"]
    assert record.correct and not record.first_try and record.attempts == 2
    assert record.box == 2
    assert session.is_done(gates_or)


def test_a_mixed_quiz_answer_moves_only_what_is_due_or_missed(session: Session) -> None:
    _finish(session, "intro", missed=("a-number",))
    intro = session.course.lesson("intro")
    session.review_answer(intro, "pick-one", True, "AND", first=True)  # not in review: stays out
    assert session.progress.lessons["intro"].questions["pick-one"].box == 0
    session.review_answer(intro, "a-number", True, "2", first=True)  # in review, not due yet
    assert session.progress.lessons["intro"].questions["a-number"].box == 1
    session.review_answer(intro, "pick-many", False, "AND", first=True)  # a miss: into box 1
    assert session.progress.lessons["intro"].questions["pick-many"].box == 1
    assert session.quiz() == session.quiz() and len(session.quiz()) == len(intro.questions)


def test_first_try_counts_the_attempted_questions_the_lesson_has_now(session: Session) -> None:
    intro = session.course.lesson("intro")
    assert first_try(session.progress, intro) == (0, 0)
    session.answer(intro, "pick-one", False, "OR")
    session.answer(intro, "pick-one", True, "AND")
    session.answer(intro, "a-number", True, "2")
    session.progress.record_answer("intro", "removed-question", True, "x")
    assert session.first_try(intro) == (1, 2)


# --------------------------------------------------------------------------- the progress file


def test_review_fields_round_trip_and_stay_optional() -> None:
    progress = Progress()
    progress.lesson("intro").questions["a"] = QuestionRecord(
        attempts=2, correct=True, box=3, due="2026-03-09", reviews=4, lapses=1,
    )
    progress.lesson("intro").questions["b"] = QuestionRecord(attempts=1, correct=True, first_try=True)
    data = progress.to_dict()
    assert data["lessons"]["intro"]["questions"]["b"] == {
        "attempts": 1, "correct": True, "first_try": True, "last_answer": "",
    }
    assert Progress.from_dict(json.loads(json.dumps(data))) == progress
    old = {"version": 1, "lessons": {"intro": {"questions": {"a": {"attempts": 2, "correct": True}}}}}
    loaded = Progress.from_dict(old).lessons["intro"].questions["a"]
    assert (loaded.box, loaded.due, loaded.reviews, loaded.lapses) == (0, "", 0, 0)


@pytest.mark.parametrize("field, value, words", [
    ("box", -1, "count >= 0"), ("box", "2", "an integer"), ("due", "next week", "YYYY-MM-DD"),
    ("due", 5, "a string"), ("reviews", True, "an integer"), ("lapses", -2, "count >= 0"),
])
def test_damaged_review_fields_are_named(field: str, value: object, words: str) -> None:
    data = {"lessons": {"intro": {"questions": {"a": {"attempts": 1, field: value}}}}}
    with pytest.raises(ProgressFormatError, match=words) as info:
        Progress.from_dict(data)
    assert f"lessons.intro.questions.a.{field}" in str(info.value)


def _with(box: int, due: str, reviews: int = 0, lapses: int = 0, attempts: int = 2) -> Progress:
    progress = Progress()
    progress.lesson("intro").questions["a"] = QuestionRecord(
        attempts=attempts, correct=True, box=box, due=due, reviews=reviews, lapses=lapses,
    )
    return progress


def test_merge_takes_the_review_of_the_side_that_reviewed() -> None:
    base = _with(1, "2026-03-03")
    ours, theirs = _with(1, "2026-03-03"), _with(2, "2026-03-06", reviews=1)
    merge_progress(ours, theirs, base)
    assert ours.lessons["intro"].questions["a"].review_state() == (2, "2026-03-06", 1, 0)
    # Both reviewed: our box and day stay (this learner acted last); the counts add up.
    ours, theirs = _with(1, "2026-03-04", reviews=1, lapses=1), _with(2, "2026-03-06", reviews=1)
    merge_progress(ours, theirs, base)
    assert ours.lessons["intro"].questions["a"].review_state() == (1, "2026-03-04", 2, 1)
    # Only we reviewed: theirs changes nothing.
    ours, theirs = _with(2, "2026-03-06", reviews=1), _with(1, "2026-03-03")
    merge_progress(ours, theirs, base)
    assert ours.lessons["intro"].questions["a"].review_state() == (2, "2026-03-06", 1, 0)


# --------------------------------------------------------------------------- the CLI


def _save_home(progress: Progress) -> None:
    ProgressStore().save(progress)  # the autouse fixture's DL_TUTOR_HOME


def _today_progress() -> Progress:
    today = datetime.date.today()
    progress = Progress()
    progress.visit("intro", "welcome")
    questions = progress.lesson("intro").questions
    questions["pick-one"] = QuestionRecord(attempts=3, correct=True, box=1, due=today.isoformat())
    questions["pick-many"] = QuestionRecord(attempts=1, correct=True, first_try=True)
    questions["a-number"] = QuestionRecord(
        attempts=2, correct=True, box=2, due=(today + datetime.timedelta(days=3)).isoformat(),
    )
    return progress


def test_cli_review_with_nothing_in_review(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lessons", str(FIXTURE), "review"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Nothing to review yet")


def test_cli_review_lists_what_is_due(capsys: pytest.CaptureFixture[str]) -> None:
    _save_home(_today_progress())
    assert main(["--lessons", str(FIXTURE), "review"]) == 0
    out = capsys.readouterr().out
    assert "1 question due." in out
    (row,) = [line for line in out.splitlines() if "pick-one" in line]
    assert row.split() == ["intro", "pick-one", "1", datetime.date.today().isoformat()]
    assert "a-number" not in out.split("Next one")[0]
    assert "Next one comes back in 3 days" in out and "a-number (box 2)" in out
    assert "press v on the course map" in out
    assert max(len(line) for line in out.splitlines()) <= LIST_WIDTH
    assert main(["--lessons", str(FIXTURE), "review", "--all"]) == 0
    every = capsys.readouterr().out
    (row,) = [line for line in every.splitlines() if "a-number" in line and "box" not in line]
    assert row.split()[:3] == ["intro", "a-number", "2"]


def test_cli_list_shows_first_tries_within_80_columns(capsys: pytest.CaptureFixture[str]) -> None:
    _save_home(_today_progress())
    assert main(["list"]) == 0  # the shipped course: its longest ids and titles
    shipped = capsys.readouterr().out
    assert max(len(line) for line in shipped.splitlines()) <= LIST_WIDTH
    assert main(["--lessons", str(FIXTURE), "list"]) == 0
    out = capsys.readouterr().out
    (row,) = [line for line in out.splitlines() if " intro " in line]
    assert "3/3" in row and "first try 1/3" in row
    (row,) = [line for line in out.splitlines() if " gates-or " in line]
    assert "first try" not in row
    assert "1 missed question due for review" in out


def test_report_shows_first_tries_and_review(tmp_path: Path) -> None:
    _save_home(_today_progress())
    target = tmp_path / "report.md"
    assert main(["--lessons", str(FIXTURE), "progress", "--export", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    (row,) = [line for line in text.splitlines() if line.startswith("| Basics | Introduction |")]
    assert row.endswith("| 3/3 | 1/3 |")
    assert "Right on the first try: 1 of 3 questions attempted; 2 in review." in text
    (row,) = [line for line in text.splitlines() if line.startswith("| pick-one |")]
    assert row.endswith(f"| box 1, due {datetime.date.today().isoformat()} |")


def test_cli_review_imports_neither_textual_nor_numpy(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys, tutor.cli\n"
        f"rc = tutor.cli.main(['--lessons', {str(FIXTURE)!r}, 'review'])\n"
        "print(rc, sorted(m for m in ('textual', 'numpy', 'rich') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=tmp_path, timeout=60)
    assert result.stdout.splitlines()[-1] == "0 []", result.stderr
