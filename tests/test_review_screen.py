"""Review through the app, the way a learner meets it: `v` on the course map, the due questions
one after another in the lesson's own QuestionCard, answers saved as they are given, escape back
to the map, and the mixed quiz (`m`). On the fixture course, on a fixed day."""

from __future__ import annotations

import datetime
import json
import zlib
from pathlib import Path

from textual.widgets import Input, OptionList, Static

from tests.scene_host import shown_text
from tutor.app import make_app
from tutor.progress import Progress, ProgressStore, QuestionRecord
from tutor.screens.home import HomeScreen
from tutor.screens.review import ReviewScreen
from tutor.widgets.question_card import QuestionCard

FIXTURE = Path(__file__).parent / "fixtures" / "course_ok"
DAY = datetime.date(2026, 3, 2)


def _days(n: int) -> str:
    return (DAY + datetime.timedelta(days=n)).isoformat()


def _app(home: Path, progress: Progress):
    ProgressStore(home / "progress.json").save(progress)
    app = make_app(FIXTURE, home=home)
    app.session.clock = lambda: DAY
    return app


def _saved(home: Path, lesson: str, question: str) -> dict:
    data = json.loads((home / "progress.json").read_text(encoding="utf-8"))
    return data["lessons"][lesson]["questions"][question]


async def _choose(pilot, card: QuestionCard, index: int) -> None:
    """Answer a single-choice card with the problem's option `index`."""
    field = card.answer_widget
    assert isinstance(field, OptionList)
    field.focus()
    field.highlighted = card.shown_position(index)  # options are shown in the learner's order
    await pilot.press("enter")
    await pilot.pause()


def _title(app) -> str:
    return shown_text(app.screen.query_one("#title", Static))


async def test_review_asks_what_is_due_saves_each_answer_and_escape_goes_back(tmp_path: Path) -> None:
    progress = Progress()
    intro = progress.lesson("intro").questions
    intro["pick-one"] = QuestionRecord(attempts=2, correct=True, box=1, due=_days(0))
    intro["a-number"] = QuestionRecord(attempts=3, correct=True, box=1, due=_days(-2))
    intro["pick-many"] = QuestionRecord(attempts=1, correct=True, box=2, due=_days(2))
    app = _app(tmp_path, progress)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "2 due for review" in _title(app)
        await pilot.press("v")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        card = screen.query_one(QuestionCard)
        assert card.question.id == "a-number"  # the longest due first
        await pilot.press("escape", "n")  # skipped: stays due
        await pilot.pause()
        card = screen.query_one(QuestionCard)
        assert card.question.id == "pick-one"

        await _choose(pilot, card, card.problem.options.index("Banana"))
        assert _saved(tmp_path, "intro", "pick-one") == {
            **_saved(tmp_path, "intro", "pick-one"), "box": 1, "due": _days(1), "reviews": 1,
            "lapses": 1, "attempts": 2,
        }
        assert "Back to box 1" in shown_text(screen.query_one("#review-after", Static))
        await _choose(pilot, card, card.problem.options.index("AND"))  # a retry moves nothing
        assert card.solved and _saved(tmp_path, "intro", "pick-one")["reviews"] == 1
        assert screen.focused is None
        await pilot.press("enter")  # the end of the round
        await pilot.pause()
        assert not screen.query(QuestionCard)
        summary = shown_text(screen.query_one("#review-about", Static))
        assert "2 of 2 answered" not in summary and "1 of 2 answered, 0 right" in summary
        assert "1 question is due for review: v asks it." in summary
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "1 due for review" in _title(app)

        await pilot.press("v")  # the skipped one is still due
        await pilot.pause()
        screen = app.screen
        card = screen.query_one(QuestionCard)
        assert card.question.id == "a-number"
        assert isinstance(screen.focused, Input)

        # Escape leaves the field (the half-typed answer stays), then the review: nothing lost.
        await pilot.press("4")
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen) and card.answer_widget.value == "4"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "1 due for review" in _title(app)

        await pilot.press("v")  # goes on where it left off
        await pilot.pause()
        screen = app.screen
        card = screen.query_one(QuestionCard)
        assert card.question.id == "a-number"
        await pilot.press("2", "enter")
        await pilot.pause()
        assert _saved(tmp_path, "intro", "a-number")["box"] == 2
        assert _saved(tmp_path, "intro", "a-number")["due"] == _days(3)
        await pilot.press("n")
        await pilot.pause()
        summary = shown_text(screen.query_one("#review-about", Static))
        assert "1 of 1 answered, 1 right" in summary
        assert "comes back tomorrow: pick-one" in summary
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "review: none due" in _title(app)


async def test_a_predict_question_comes_back_with_fresh_numbers(tmp_path: Path) -> None:
    progress = Progress()
    progress.lesson("gates-and").questions["predict-output"] = QuestionRecord(
        attempts=2, correct=True, box=1, due=_days(-1),
    )
    app = _app(tmp_path, progress)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        screen = app.screen
        card = screen.query_one(QuestionCard)
        item = screen.item
        assert item.is_predict
        assert card.draw == app.session.fresh_draw(item) != 0
        assert card.problem.seed == zlib.crc32(b"predict-output") + card.draw
        await _choose(pilot, card, card.problem.answer)
        assert card.solved
        saved = _saved(tmp_path, "gates-and", "predict-output")
        assert (saved["box"], saved["due"], saved["attempts"]) == (2, _days(3), 2)


async def test_nothing_due_says_when_and_offers_the_mixed_quiz(tmp_path: Path) -> None:
    progress = Progress()
    for step in ("welcome", "unit"):
        progress.visit("intro", step)
    intro = progress.lesson("intro").questions
    for question_id in ("pick-one", "pick-many"):
        intro[question_id] = QuestionRecord(attempts=1, correct=True, first_try=True)
    intro["a-number"] = QuestionRecord(attempts=2, correct=True, box=2, due=_days(3))
    app = _app(tmp_path, progress)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "review: none due" in _title(app)
        await pilot.press("v")
        await pilot.pause()
        screen = app.screen
        summary = shown_text(screen.query_one("#review-about", Static))
        assert "Nothing is due for review." in summary
        assert "comes back in 3 days" in summary and "a-number" in summary
        assert "m: a mixed quiz" in summary
        await pilot.press("m")
        await pilot.pause()
        assert screen.mode == "quiz" and len(screen.items) == 3  # intro is the one lesson done
        assert {item.lesson.id for item in screen.items} == {"intro"}
        card = screen.query_one(QuestionCard)
        assert card.question.id == "pick-one"
        await _choose(pilot, card, card.problem.options.index("Cloud"))  # a miss: into box 1
        assert _saved(tmp_path, "intro", "pick-one")["box"] == 1
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
