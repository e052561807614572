"""The UI's fast paths (issue #19) keep what the learner sees: a lesson opened from the command
line leaves to the course map built then, the footer shows the focused step's keys after a step
change, and the help is kept between openings yet always opens at its top."""

from __future__ import annotations

from pathlib import Path

from textual.containers import VerticalScroll
from textual.widgets import OptionList
from textual.widgets._footer import FooterKey

from tutor.app import make_app
from tutor.screens.footer import KeyFooter
from tutor.screens.help import HelpScreen
from tutor.screens.home import HomeScreen
from tutor.screens.lesson import LessonScreen

FIXTURE_COURSE = Path(__file__).parent / "fixtures" / "course_ok"


async def test_a_lesson_opened_directly_leaves_to_the_map_and_comes_back(tmp_path: Path) -> None:
    """No course map is built under a lesson opened from the command line; ctrl+o builds it,
    with the row a map built at start would highlight (the first lesson, for a new learner)."""
    app = make_app(FIXTURE_COURSE, home=tmp_path, open_lesson="gates-or")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        assert not any(isinstance(screen, HomeScreen) for screen in app.screen_stack)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        course_map = app.screen.query_one("#map", OptionList)
        assert course_map.highlighted_option.id == app.session.course.lessons[0].id
        assert app.screen.focused is course_map
        course_map.highlighted = course_map.get_option_index("gates-or")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen) and app.screen.lesson.id == "gates-or"
        await pilot.press("ctrl+o")  # now the map is below: the lesson pops back to it
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert sum(isinstance(screen, HomeScreen) for screen in app.screen_stack) == 1


def _footer_keys(screen: LessonScreen) -> list[str]:
    return [key.key for key in screen.query_one(KeyFooter).query(FooterKey) if "-command-palette" not in key.classes]


async def test_the_footer_follows_steps_and_the_help_opens_at_its_top(tmp_path: Path) -> None:
    """After each step change the footer shows the keys of what has focus (the scene's own on a
    scene step); `?` shows one kept help, scrolled back to its top each time."""
    app = make_app(FIXTURE_COURSE, home=tmp_path, open_lesson="intro")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        for key in ("n", "p", "n"):
            await pilot.press(key)
            await pilot.pause()
            shown = [binding.key for (_, binding, _, _) in screen.active_bindings.values() if binding.show]
            assert sorted(_footer_keys(screen)) == sorted(shown)
        assert screen.scene is not None and screen.focused is screen.scene

        await pilot.press("question_mark")
        await pilot.pause()
        first = app.screen
        assert isinstance(first, HelpScreen)
        first.query_one(VerticalScroll).scroll_end(animate=False)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.focused is screen.scene
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen is first
        assert first.query_one(VerticalScroll).scroll_y == 0
