"""The real app, driven through Pilot the way a learner meets it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList

from tests.scene_host import resize_and_settle
from tutor.app import make_app
from tutor.cli import LIST_MARKS, main
from tutor.content import load_course
from tutor.progress import Progress, ProgressStore
from tutor.scenes.threshold_unit import ThresholdUnitScene
from tutor.screens.help import HelpScreen
from tutor.screens.home import MARKS, HomeScreen
from tutor.screens.lesson import LessonScreen
from tutor.screens.too_small import TooSmallScreen
from tutor.widgets.question_card import QuestionCard
from tutor.widgets.transport import Transport

LESSON = "artificial-neuron"


def _progress(home: Path) -> dict:
    return json.loads((home / "progress.json").read_text(encoding="utf-8"))


async def _choose(pilot, card: QuestionCard, option_text: str) -> None:
    """Focus a single-choice card, highlight the option with this text and press enter."""
    field = card.answer_widget
    assert isinstance(field, OptionList)
    field.focus()
    await pilot.pause()
    index = next(i for i, text in enumerate(card.problem.options) if text == option_text)
    field.highlighted = card.shown_position(index)  # options are shown in the learner's order
    await pilot.press("enter")
    await pilot.pause()


async def test_map_open_navigate_answer_quit_resume(tmp_path: Path) -> None:
    app = make_app(home=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        # No progress yet: the first lesson is highlighted; enter opens it.
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        assert screen.step.id == "biology"
        await pilot.press("n")
        await pilot.pause()
        assert screen.step.id == "threshold-unit"
        await pilot.press("right")
        await pilot.pause()
        assert screen.step.id == "gates"
        await pilot.press("p")
        await pilot.press("left")
        await pilot.pause()
        assert screen.step.id == "biology"

        card = screen.query_one(QuestionCard)
        await _choose(pilot, card, "The axon, because it carries the output")
        assert "✗" in str(card.query_one("#qc-feedback").render())
        record = _progress(tmp_path)["lessons"][LESSON]["questions"]["neuron-parts"]
        assert record["attempts"] == 1 and record["correct"] is False

        await _choose(pilot, card, "The strength of a synapse, where an input arrives")
        assert card.solved
        record = _progress(tmp_path)["lessons"][LESSON]["questions"]["neuron-parts"]
        assert record == {**record, "attempts": 2, "correct": True, "first_try": False}

        # Move on to step 3 and leave the lesson there.
        app.set_focus(None)
        await pilot.press("n", "n")
        await pilot.pause()
        assert screen.step.id == "gates"
        await pilot.press("q")
    saved = _progress(tmp_path)
    assert saved["last_lesson"] == LESSON
    assert saved["lessons"][LESSON]["step"] == "gates"

    # A new run offers to resume at that step.
    app = make_app(home=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        option_list = app.screen.query_one("#map", OptionList)
        assert option_list.highlighted_option.id == "resume"
        assert "Resume" in str(option_list.highlighted_option.prompt)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.step.id == "gates"
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        # The map shows the score: one of ten answered right.
        line = str(app.screen.query_one("#map", OptionList).get_option(LESSON).prompt)
        assert "1/10" in line


async def test_scene_transport_keys(tmp_path: Path) -> None:
    app = make_app(home=tmp_path, open_lesson=LESSON)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        scene = app.screen.query_one(ThresholdUnitScene)
        transport = app.screen.query_one(Transport)
        assert scene.position == 0 and not scene.editable
        await pilot.press("full_stop", "full_stop")
        await pilot.pause()
        assert scene.position == 2
        assert transport.position == 2 and transport.total == 4
        await pilot.press("comma")
        await pilot.pause()
        assert scene.position == 1
        await pilot.press("plus")
        await pilot.pause()
        assert scene.speed == 2.0 and transport.speed == 2.0
        await pilot.press("space")
        await pilot.pause()
        assert scene.playing and transport.playing
        await pilot.press("space")
        assert not scene.playing
        await pilot.press("r")
        await pilot.pause()
        assert scene.position == 0
        # The transport bar reports clicks as actions the screen forwards to the scene.
        app.screen.post_message(Transport.Pressed(transport, "forward"))
        await pilot.pause()
        assert scene.position == 1


async def test_play_runs_to_the_end(tmp_path: Path) -> None:
    app = make_app(home=tmp_path, open_lesson=LESSON)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        scene = app.screen.query_one(ThresholdUnitScene)
        scene.speed = 8.0
        await pilot.press("space")
        await pilot.pause(1.0)
        assert scene.position == 4 and not scene.playing
        assert "AND" in str(scene.query_one("#tu-status").render())


async def test_edit_the_unit_into_or(tmp_path: Path) -> None:
    app = make_app(home=tmp_path, open_lesson=LESSON)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n", "n")
        await pilot.pause()
        scene = app.screen.query_one(ThresholdUnitScene)
        assert scene.has_focus and scene.gate == "OR"
        assert scene.table.matches is False
        # Pick θ (up from w1 wraps around) and lower it twice: 1.5 -> 0.5.
        await pilot.press("up", "left_square_bracket", "left_square_bracket")
        await pilot.pause()
        assert scene.threshold == 0.5
        assert scene.table.matches is True
        assert "computes OR" in str(scene.query_one("#tu-status").render())
        await pilot.press("r")
        await pilot.pause()
        assert scene.threshold == 1.5


async def test_number_question_invalid_then_right_and_new_problem(tmp_path: Path) -> None:
    app = make_app(home=tmp_path, open_lesson=LESSON)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await screen.show_step(screen.lesson.step_index("practice"))
        await pilot.pause()
        card = screen.query_one("#q-predict-sum", QuestionCard)
        field = card.answer_widget
        assert isinstance(field, Input)
        field.focus()
        await pilot.press("a", "b", "c", "enter")
        await pilot.pause()
        assert "Expected a number" in str(card.query_one("#qc-feedback").render())
        assert "predict-sum" not in _progress(tmp_path)["lessons"][LESSON]["questions"]
        # The right answer, as the engine computed it.
        field.value = str(card.problem.answer)
        await pilot.press("enter")
        await pilot.pause()
        assert card.solved
        assert _progress(tmp_path)["lessons"][LESSON]["questions"]["predict-sum"]["correct"]
        old_prompt = card.problem.prompt
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert card.problem.prompt != old_prompt and not card.solved
        assert field.value == ""
        # Escape leaves the answer field and never the lesson; ctrl+o leaves the lesson.
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_hint_and_help(tmp_path: Path) -> None:
    app = make_app(home=tmp_path, open_lesson=LESSON)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        card = app.screen.query(QuestionCard).first()
        assert card.hints_shown == 1
        assert "Hint 1" in str(card.query_one("#qc-extra").render())
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)


async def test_too_small_terminal(tmp_path: Path) -> None:
    app = make_app(home=tmp_path)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert "needs at least 80x24" in str(app.screen.query_one("#too-small").render())
        await resize_and_settle(pilot, 80, 24)
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_a_resize_storm_leaves_at_most_one_cover_and_quits(tmp_path: Path) -> None:
    """Resizes that cross 80x24 many times in a burst: the size guard acts once the burst
    settles, never stacks covers, takes its cover out from under the help screen, and q quits."""
    from textual.events import Resize
    from textual.geometry import Size

    def storm(end: tuple[int, int]) -> None:
        sizes = [(120 - 4 * i, 40 - i) for i in range(16)]
        for width, height in (sizes + sizes[::-1]) * 3 + [end]:
            size = Size(width, height)
            app._driver._size = size
            app.post_message(Resize(size, size))

    def covers() -> int:
        return sum(isinstance(screen, TooSmallScreen) for screen in app.screen_stack)

    app = make_app(home=tmp_path, open_lesson=LESSON)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        storm(end=(70, 20))
        await resize_and_settle(pilot, 70, 20)
        assert covers() == 1 and isinstance(app.screen, TooSmallScreen)
        await pilot.press("question_mark")  # help opens above the cover
        await pilot.pause()
        storm(end=(100, 30))
        await resize_and_settle(pilot, 100, 30)
        assert covers() == 0
        if isinstance(app.screen, HelpScreen):
            await pilot.press("escape")
            await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_a_tiny_terminal_on_a_scene_step_shows_the_notice(tmp_path: Path) -> None:
    """20x6 on a step with a scene and questions: the notice, no crash (the lesson behind the
    cover is never laid out below 80x24), and the lesson back once the terminal is big."""
    app = make_app(home=tmp_path, open_lesson=LESSON)
    async with app.run_test(size=(20, 6)) as pilot:
        await pilot.pause()
        lesson = next(screen for screen in app.screen_stack if isinstance(screen, LessonScreen))
        await lesson.show_step(1)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await resize_and_settle(pilot, 80, 24)
        assert app.screen is lesson and lesson.step.id == "threshold-unit"


async def test_damaged_progress_is_reported_and_app_starts(tmp_path: Path) -> None:
    (tmp_path / "progress.json").write_text("{not json", encoding="utf-8")
    app = make_app(home=tmp_path)
    assert app.startup_warnings and "progress" in app.startup_warnings[0].lower()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert any("progress" in n.message.lower() for n in app._notifications)
    assert list(tmp_path.glob("progress.json.damaged-*"))


async def test_unsaveable_progress_keeps_going(tmp_path: Path, monkeypatch) -> None:
    from tutor.progress import ProgressSaveError

    app = make_app(home=tmp_path, open_lesson=LESSON)

    def fail(progress, **options) -> None:
        raise ProgressSaveError("Could not save progress to X: read-only. Kept in memory.")

    monkeypatch.setattr(app.session.store, "save", fail)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert app.session.progress.lessons[LESSON].step == "threshold-unit"
        assert any("read-only" in n.message for n in app._notifications)


# --------------------------------------------------------------------------- one rule for done

FIXTURE = Path(__file__).parent / "fixtures" / "course_ok"
DONE_LESSON = "gates-or"


def _finished(course_path: Path) -> Progress:
    """Progress in which DONE_LESSON is finished: every step seen, every question right."""
    lesson = load_course(course_path).lesson(DONE_LESSON)
    progress = Progress()
    for step in lesson.steps:
        progress.visit(DONE_LESSON, step.id)
    for question_id in lesson.questions:
        progress.record_answer(DONE_LESSON, question_id, True, "right")
    progress.mark_completed(DONE_LESSON)
    return progress


def _add_a_step(course_path: Path) -> None:
    """DONE_LESSON gains a second step (as a course update would give it)."""
    folder = course_path / DONE_LESSON
    with open(folder / "lesson.toml", "a", encoding="utf-8") as toml:
        toml.write('\n[[steps]]\nid = "more"\n')
    with open(folder / "lesson.md", "a", encoding="utf-8") as prose:
        prose.write("\n<!-- step: more -->\n### More ###\n\nA step added later.\n")


async def _map_mark(course_path: Path, home: Path) -> str:
    """The mark the course map shows before DONE_LESSON's title."""
    app = make_app(course_path, home=home)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        line = str(app.screen.query_one("#map", OptionList).get_option(DONE_LESSON).prompt)
    return next(mark for mark, _ in MARKS.values() if mark in line)


def _list_mark(course_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The mark `dl-tutor list` prints before DONE_LESSON."""
    assert main(["--lessons", str(course_path), "list"]) == 0
    (row,) = [line for line in capsys.readouterr().out.splitlines() if f" {DONE_LESSON} " in line]
    return next(mark for mark in LIST_MARKS.values() if mark in row)


def _report_done(course_path: Path, tmp_path: Path) -> bool:
    """Whether `dl-tutor progress --export report.md` marks DONE_LESSON done (and counts it)."""
    target = tmp_path / "report.md"
    assert main(["--lessons", str(course_path), "progress", "--export", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    (row,) = [line for line in text.splitlines() if "| The OR gate |" in line]
    done = row.split("|")[3].strip() == "yes"
    assert f"Lessons completed: {int(done)} of 3." in text, text
    return done


async def test_a_lesson_that_gained_a_step_shows_one_status_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    course_path = tmp_path / "course"
    shutil.copytree(FIXTURE, course_path)
    home = Path(os.environ["DL_TUTOR_HOME"])  # the folder `dl-tutor list` reads too
    ProgressStore(home / "progress.json").save(_finished(course_path))

    # Finished: done in all three.
    assert await _map_mark(course_path, home) == MARKS["done"][0]
    assert _list_mark(course_path, capsys) == LIST_MARKS["done"]
    assert _report_done(course_path, tmp_path)

    # A step added after completion: started in all three (the sticky flag is history only).
    _add_a_step(course_path)
    assert await _map_mark(course_path, home) == MARKS["started"][0]
    assert _list_mark(course_path, capsys) == LIST_MARKS["started"]
    assert not _report_done(course_path, tmp_path)
    saved, _ = ProgressStore(home / "progress.json").load(move_damaged=False)
    assert saved.lessons[DONE_LESSON].completed  # still in the file, as history


async def test_course_map_gives_titles_room_at_80_columns(tmp_path: Path) -> None:
    """At 80 columns the map keeps only the score column, so the longer titles show whole; at
    120 it shows the first-try column too. `?` on the map names the review key."""
    app = make_app(home=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        options = app.screen.query_one("#map", OptionList)
        legend = str(options.get_option("legend").prompt)
        assert "right" in legend and "first try" not in legend
        line = str(options.get_option("perceptron-rule").prompt)
        assert line.endswith("The learning rule, step by step")
        assert options.content_region.width >= len(line)
        await resize_and_settle(pilot, 120, 30)
        await pilot.pause()
        assert "first try" in str(options.get_option("legend").prompt)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "`v` reviews" in app.screen.text
