"""Leaving a lesson only on purpose, and predict-then-reveal, through the real app (Pilot).

Escape leaves the focused widget and never the lesson; ctrl+o (the leave key) goes to the map,
and the lesson comes back as it was left. A step's held-back prose shows once its questions
are solved or given up on (Show answer), and a `hold_scene` step's scene holds its answers until
then. The course is a small fixture written here, so shipped lessons can change freely.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from textual.containers import VerticalScroll
from textual.widgets import Button, Input, Markdown, OptionList

from tutor.app import make_app
from tutor.scenes.base import SceneBase
from tutor.scenes.threshold_unit import ThresholdUnitScene
from tutor.screens.home import HomeScreen
from tutor.screens.lesson import LEAVE_KEY, LessonScreen
from tutor.widgets.question_card import OneChoice, QuestionCard
from tutor.widgets.transport import Transport

LESSON = "fx"

LESSON_TOML = """\
id = "fx"
title = "Fixture lesson"
summary = "Escape, leave and reveal."

[[steps]]
id = "choose"
questions = ["pick", "count"]

[[steps]]
id = "play"
scene = "threshold-unit"
scene_params = { weights = [1.0, 1.0], threshold = 1.5, gate = "AND", editable = false }
questions = ["sum"]

[[steps]]
id = "last"

[[questions]]
id = "pick"
kind = "single"
prompt = "Which is right?"
options = ["right", { text = "wrong one", why = "Not this one." }, "wrong two"]
answer = "right"
explanation = "Because it is."

[[questions]]
id = "count"
kind = "number"
prompt = "How many?"
answer = 4
explanation = "Two and two."
hints = ["Count them."]

[[questions]]
id = "sum"
kind = "number"
prompt = "What is 1 + 1?"
answer = 2
"""

LESSON_MD = """\
<!-- step: choose -->
## Choose

Pick one, then count.

<!-- reveal -->
SECRET-A: it was right, and there were four.

<!-- step: play -->
## Play

Watch the unit.

<!-- reveal -->
SECRET-B: two.

<!-- step: last -->
## Last

The end.
"""


def fixture_course(tmp_path: Path) -> Path:
    course = tmp_path / "course"
    (course / LESSON).mkdir(parents=True)
    (course / "course.toml").write_text(
        f'format_version = 1\ntitle = "Test"\n\n[[units]]\nid = "u"\ntitle = "Unit"\nlessons = ["{LESSON}"]\n',
        encoding="utf-8",
    )
    (course / LESSON / "lesson.toml").write_text(LESSON_TOML, encoding="utf-8")
    (course / LESSON / "lesson.md").write_text(LESSON_MD, encoding="utf-8")
    return course


def app_on(tmp_path: Path):
    return make_app(fixture_course(tmp_path), home=tmp_path / "home", open_lesson=LESSON)


async def _at(pilot, step_id: str) -> LessonScreen:
    screen = pilot.app.screen
    assert isinstance(screen, LessonScreen)
    await screen.show_step(screen.lesson.step_index(step_id))
    await pilot.pause()
    return screen


def _card(screen: LessonScreen, question_id: str) -> QuestionCard:
    return screen.query_one(f"#q-{question_id}", QuestionCard)


def _prose(screen: LessonScreen) -> VerticalScroll:
    return screen.query_one("#prose-column", VerticalScroll)


def _reveal_shown(screen: LessonScreen) -> bool:
    reveal = screen.query_one("#reveal", Markdown)
    return reveal.display and not reveal.has_class("-held")


async def _answer(pilot, card: QuestionCard, text: str) -> None:
    """Answer `card`: a number typed, or the single-choice option with this text."""
    field = card.answer_widget
    field.focus()
    await pilot.pause()
    if isinstance(field, Input):
        field.value = text
    else:
        assert isinstance(field, OptionList)
        field.highlighted = card.shown_position(card.problem.options.index(text))
    await pilot.press("enter")
    await pilot.pause()


def _recorded(app, question_id: str):
    return app.session.progress.lessons[LESSON].questions.get(question_id)


# --------------------------------------------------------------------------- escape and leaving


async def test_tab_then_enter_on_a_choice_answers_nothing(tmp_path: Path) -> None:
    app = app_on(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _at(pilot, "choose")
        assert screen.focused is _prose(screen)  # no scene: the prose column has focus
        await pilot.press("tab")
        await pilot.pause()
        card = _card(screen, "pick")
        assert isinstance(screen.focused, OneChoice) and screen.focused is card.answer_widget
        await pilot.press("enter")
        await pilot.pause()
        assert not card.solved and card.wrong == 0
        assert "Choose an option first" in str(card.query_one("#qc-feedback").render())
        assert _recorded(app, "pick") is None


async def test_escape_leaves_widgets_never_the_lesson(tmp_path: Path) -> None:
    app = app_on(tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await _at(pilot, "choose")
        prose = _prose(screen)
        count = _card(screen, "count")
        # From an answer field: what was typed stays.
        count.answer_widget.focus()
        await pilot.press("1", "2", "escape")
        await pilot.pause()
        assert app.screen is screen and screen.focused is prose
        assert count.answer_widget.value == "12"
        # From a choice list and from a button.
        for widget in (_card(screen, "pick").answer_widget, count.query_one("#qc-check", Button)):
            widget.focus()
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen and screen.focused is prose, widget
        # With the prose focused, escape stays too, and names the key that leaves.
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert app.screen is screen
        assert any(LEAVE_KEY in n.message for n in app._notifications)
        # From the scene.
        screen = await _at(pilot, "play")
        assert isinstance(screen.focused, SceneBase)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.focused is _prose(screen)


async def test_typing_never_leaves_and_the_leave_key_works_from_an_answer_field(tmp_path: Path) -> None:
    app = app_on(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _at(pilot, "choose")
        await pilot.press("backspace")  # with the prose focused: nothing to delete, stays
        field = _card(screen, "count").answer_widget
        field.focus()
        await pilot.press("1", "2", "backspace", "m", "backspace")
        await pilot.pause()
        assert app.screen is screen and field.value == "1"
        await pilot.press(LEAVE_KEY)
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_the_leave_key_goes_to_the_map_and_the_lesson_comes_back_as_left(tmp_path: Path) -> None:
    app = app_on(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _at(pilot, "play")
        scene = screen.query_one(ThresholdUnitScene)
        await pilot.press("full_stop", "full_stop")
        await pilot.pause()
        assert scene.position == 2
        await pilot.press(LEAVE_KEY)
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        # The map opens it again (as its resume and its list do).
        lesson = screen.lesson
        app.screen.post_message(HomeScreen.OpenLesson(lesson, app.session.resume_index(lesson)))
        await pilot.pause()
        await pilot.pause()
        assert app.screen is screen and screen.step.id == "play"
        assert screen.query_one(ThresholdUnitScene) is scene and scene.position == 2
        assert app.session.progress.last_lesson == LESSON


# --------------------------------------------------------------------------- predict, then reveal


async def test_reveal_is_held_until_every_question_is_solved(tmp_path: Path) -> None:
    app = app_on(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _at(pilot, "choose")
        assert "SECRET-A" in screen.lesson.steps[0].reveal
        assert "SECRET-A" not in screen.lesson.steps[0].prose
        assert not _reveal_shown(screen)
        await _answer(pilot, _card(screen, "pick"), "right")
        assert _card(screen, "pick").solved and not _reveal_shown(screen)
        await _answer(pilot, _card(screen, "count"), "4")
        assert _reveal_shown(screen)
        # Back on the step later: solved questions show it at once.
        screen = await _at(pilot, "last")
        screen = await _at(pilot, "choose")
        assert _reveal_shown(screen)


async def test_a_step_solved_in_an_earlier_run_shows_its_reveal_at_once(tmp_path: Path) -> None:
    course = fixture_course(tmp_path)
    app = make_app(course, home=tmp_path / "home")
    lesson = app.session.course.lesson(LESSON)
    for question_id in ("pick", "count"):
        app.session.answer(lesson, question_id, True, "right")
    app = make_app(course, home=tmp_path / "home", open_lesson=LESSON)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _at(pilot, "choose")
        assert _reveal_shown(screen)


async def test_giving_up_shows_the_answer_and_the_reveal_but_records_nothing(tmp_path: Path) -> None:
    app = app_on(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _at(pilot, "choose")
        await _answer(pilot, _card(screen, "pick"), "right")
        card = _card(screen, "count")
        show = card.query_one("#qc-show", Button)
        await _answer(pilot, card, "5")
        assert not show.display
        await pilot.press("ctrl+r")  # not offered yet: nothing happens
        assert not card.revealed
        await _answer(pilot, card, "6")
        assert show.display
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert card.revealed and not card.solved
        assert "The answer: 4" in str(card.query_one("#qc-feedback").render())
        assert "Two and two." in str(card.query_one("#qc-extra").render())
        assert card.answer_widget.disabled
        assert _reveal_shown(screen)
        record = _recorded(app, "count")
        assert record.attempts == 2 and not record.correct
        # For this run, the step shows the answer again when the learner comes back to it.
        screen = await _at(pilot, "last")
        screen = await _at(pilot, "choose")
        assert _card(screen, "count").revealed and _reveal_shown(screen)


async def test_a_hold_scene_step_holds_the_scene_until_its_questions_are_done(
    tmp_path: Path, monkeypatch
) -> None:
    calls: list[bool] = []
    original = ThresholdUnitScene.hold_answers

    def record(self, held: bool) -> None:
        calls.append(held)
        original(self, held)

    monkeypatch.setattr(ThresholdUnitScene, "hold_answers", record)
    app = app_on(tmp_path)
    # The step opts in here, whatever the registry says of threshold-unit (the call is checked).
    lesson = app.start_lesson
    steps = tuple(dataclasses.replace(s, hold_scene=s.id == "play") for s in lesson.steps)
    object.__setattr__(lesson, "steps", steps)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _at(pilot, "choose")
        assert calls == []  # no scene on this step
        screen = await _at(pilot, "play")
        scene = screen.query_one(ThresholdUnitScene)
        assert calls == [True] and scene.answers_held
        await _answer(pilot, _card(screen, "sum"), "3")
        assert calls == [True]
        transport = screen.query_one(Transport)
        assert scene.holding and transport.held  # the bar hides its counts while held
        await _answer(pilot, _card(screen, "sum"), "2")
        assert calls == [True, False] and not scene.answers_held
        await pilot.pause()
        assert not transport.held
        assert _reveal_shown(screen)


async def test_an_in_order_step_shows_each_question_after_the_one_before(tmp_path: Path) -> None:
    app = app_on(tmp_path)
    lesson = app.start_lesson
    steps = tuple(dataclasses.replace(s, in_order=s.id == "choose") for s in lesson.steps)
    object.__setattr__(lesson, "steps", steps)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _at(pilot, "choose")
        pick, count = _card(screen, "pick"), _card(screen, "count")
        assert not pick.waiting and count.waiting
        assert count.query_one("#qc-prompt").region.height == 0  # the prompt is not drawn
        assert "Answer question 1 first" in str(count.query_one("#qc-wait").render())
        await _answer(pilot, pick, "wrong one")  # a wrong answer keeps the next one waiting
        assert count.waiting
        await _answer(pilot, pick, "right")
        assert not count.waiting and count.query_one("#qc-prompt").region.height > 0
        await _answer(pilot, count, "4")
        assert _reveal_shown(screen)
        # Coming back: both are solved, nothing waits.
        screen = await _at(pilot, "last")
        screen = await _at(pilot, "choose")
        assert not _card(screen, "count").waiting


async def test_a_scene_key_reaches_the_scene_from_an_answered_choice(tmp_path: Path) -> None:
    """After answering, the scene's own keys still work without tabbing back to it; typing in
    an answer field stays typing."""
    app = app_on(tmp_path)
    lesson = app.start_lesson
    steps = tuple(
        dataclasses.replace(s, scene_params={**s.scene_params, "editable": True}) if s.id == "play" else s
        for s in lesson.steps
    )
    object.__setattr__(lesson, "steps", steps)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _at(pilot, "play")
        scene = screen.query_one(ThresholdUnitScene)

        def knobs() -> tuple:
            return (tuple(scene.weights), scene.threshold)

        before = knobs()
        screen.query_one("#prose-column").focus()
        await pilot.pause()
        await pilot.press("right_square_bracket")  # the scene's own key: raise the knob
        await pilot.pause()
        assert knobs() != before
        card = _card(screen, "sum")
        card.answer_widget.focus()
        await pilot.pause()
        now = knobs()
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert knobs() == now and card.answer_widget.value == "]"


async def test_arrows_in_a_choice_list_move_its_highlight_not_the_scene(tmp_path: Path) -> None:
    """A scene that binds ↑/↓ (the training scene picks a setting with them) must not take them
    from the choice list in focus: the list's own keys win; its other keys still reach the scene."""
    from tests.scene_host import course_with
    from tutor.scenes.training import TrainingScene
    from tutor.widgets.question_card import ChoiceList

    course = course_with(tmp_path, [("u", "Unit", ["mnist-dense"])])
    app = make_app(course, home=tmp_path / "home", open_lesson="mnist-dense")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        index = next(i for i, s in enumerate(screen.lesson.steps) if s.id == "stop-at-a-target")
        await screen.show_step(index)
        await pilot.pause()
        scene = screen.query_one(TrainingScene)
        choices = screen.query_one(ChoiceList)
        choices.focus()
        await pilot.pause()
        picked = scene.picked
        await pilot.press("down")
        await pilot.pause()
        assert choices.highlighted == 0 and scene.picked == picked
        await pilot.press("down")
        await pilot.pause()
        assert choices.highlighted == 1 and scene.picked == picked
