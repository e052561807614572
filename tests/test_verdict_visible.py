"""The verdict is always in view: after enter, the verdict line, the diagnosis and (when right)
the explanation lie inside the prose column's visible region, for every question of a few
shipped lessons, each answered wrong once and then right: the lesson with the longest prose
above its questions at the smallest terminal (80x24), the one with a scene above several
questions at 120x40 (one lesson per size keeps the walk inside the slow tier's budget).

The lessons keep their own prose (long steps are the point), in a course of their own
(`tests/scene_host.course_with`); counts come from the lessons.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.containers import VerticalScroll
from textual.widgets import Input, Static

from tests.answers import learner_texts, wrong_text
from tests.scene_host import course_with
from tutor.app import make_app
from tutor.screens.lesson import LessonScreen
from tutor.widgets.question_card import ChoiceList, OneChoice, QuestionCard

#: Lessons whose steps ask several questions, some below a scene, some below long prose, each
#: with the terminal size it is walked at.
WALKS = [("cost-function", (80, 24)), ("artificial-neuron", (120, 40))]


def _wrong_choice(card: QuestionCard) -> list[int]:
    """A wrong response for a choice card, as the problem's own option indices."""
    answer = card.problem.answer
    if card.problem.kind == "single":
        return [next(i for i in range(len(card.problem.options)) if i != answer)]
    chosen = set(answer)
    missing = [i for i in range(len(card.problem.options)) if i not in chosen]
    return sorted(chosen | {missing[0]} if missing else chosen - {min(chosen)})


async def _respond(pilot, card: QuestionCard, right: bool) -> None:
    """Answer the way a learner does: in the card's field, then enter."""
    field = card.answer_widget
    field.focus()
    problem = card.problem
    if isinstance(field, Input):
        field.value = learner_texts(problem)[0] if right else wrong_text(problem)
    elif isinstance(field, OneChoice):
        index = problem.answer if right else _wrong_choice(card)[0]
        field.highlighted = card.shown_position(index)
    else:
        assert isinstance(field, ChoiceList)
        field.selected = set(problem.answer if right else _wrong_choice(card))
    await pilot.press("enter")
    await pilot.pause()  # the card scrolls its verdict into view after the next refreshes
    await pilot.pause()


def _out_of_view(screen: LessonScreen, card: QuestionCard) -> list[tuple]:
    column = screen.query_one("#prose-column", VerticalScroll).region
    out = []
    for widget_id in ("#qc-feedback", "#qc-extra"):
        widget = card.query_one(widget_id, Static)
        if widget.has_class("-empty"):
            continue
        region = widget.region
        if not (region.area > 0 and column.contains_region(region)):
            out.append((widget_id, region, column))
    return out


async def _assert_in_view(pilot, screen: LessonScreen, card: QuestionCard, where: str) -> None:
    """In view once the scroll has settled: a loaded machine may need a few more refreshes
    (bounded by a count of pauses, never a clock)."""
    for _ in range(20):
        if not _out_of_view(screen, card):
            return
        await pilot.pause()
    assert not _out_of_view(screen, card), (where, _out_of_view(screen, card))


@pytest.mark.slow
@pytest.mark.parametrize(("lesson_id", "size"), WALKS)
async def test_every_verdict_is_in_view(
    tmp_path: Path, lesson_id: str, size: tuple[int, int]
) -> None:
    course = course_with(tmp_path, [("unit", "Unit", [lesson_id])], prose=True)
    app = make_app(course, home=tmp_path / "home", open_lesson=lesson_id)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        checked = 0
        for lesson in app.session.course.lessons:
            if app.screen.lesson.id != lesson.id:
                app.open_lesson(lesson, 0)
                await pilot.pause()
            screen = app.screen
            assert isinstance(screen, LessonScreen)
            for index, step in enumerate(lesson.steps):
                await screen.show_step(index)
                await pilot.pause()
                for question_id in step.questions:
                    card = screen.query_one(f"#q-{question_id}", QuestionCard)
                    where = f"{lesson.id}/{step.id}/{question_id}"
                    await _respond(pilot, card, right=False)
                    assert card.wrong == 1, where
                    await _assert_in_view(pilot, screen, card, where + " (wrong)")
                    await _respond(pilot, card, right=True)
                    assert card.solved, where
                    await _assert_in_view(pilot, screen, card, where + " (right)")
                    checked += 1
        assert checked == sum(len(lesson.questions) for lesson in app.session.course.lessons)


@pytest.mark.parametrize("fraction", [0.25, 0.45, 0.75])
async def test_a_focus_scroll_cut_short_does_not_hide_the_verdict(tmp_path: Path, fraction: float) -> None:
    """The learner tabs to a card's field (Textual scrolls it to the centre, animated) and
    presses enter before the scroll ends: the column is left part way through a row. The verdict
    and its explanation still land in view (before the fix the two looks pushed each other one
    row out, turn about, on a loaded machine)."""
    course = course_with(tmp_path, [("unit", "Unit", ["cost-function"])], prose=True)
    app = make_app(course, home=tmp_path / "home", open_lesson="cost-function")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        lesson = screen.lesson
        index = next(i for i, step in enumerate(lesson.steps) if "best-b-for-w3" in step.questions)
        await screen.show_step(index)
        await pilot.pause()
        card = screen.query_one("#q-best-b-for-w3", QuestionCard)
        column = screen.query_one("#prose-column", VerticalScroll)
        field = card.answer_widget
        field.focus(scroll_visible=False)
        field.highlighted = card.shown_position(_wrong_choice(card)[0])
        column.scroll_to(y=max(0, column.max_scroll_y - 18) + fraction, animate=False, immediate=True)
        assert column.scroll_y % 1 == pytest.approx(fraction)  # where the failures on record were left
        await pilot.press("enter")
        assert card.wrong == 1
        await _assert_in_view(pilot, screen, card, f"cut short at {fraction}")
        assert column.scroll_y == round(column.scroll_y)
