"""Every registered scene kind, driven through the real app on the scene tour (`tests/scene_tour.py`).

Two tiers of the same idea, per scene kind rather than per lesson, so adding a lesson adds no
app time here:

* `test_kind_opens_steps_and_answers` (fast tier): the kind's default step opens in the lesson
  screen, its scene steps forward and back and resets, and the step's question is answered.
* `test_kind_walks_its_parameter_space_then_survives_a_monkey` (slow): every other variant of
  the kind (each choice and bool value) opens at 80x24, steps both ways, and the tour lesson is
  completed and saved as done; then, in the same session, seeded random keys, resizes and clicks
  across the variants leave the app on the lesson with a progress file that still loads.

What a shipped lesson adds (its own parameters and questions) is checked without the app in
`tests/test_course_content.py`.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from tests.scene_host import resize_and_settle
from tests.scene_tour import QUESTION_ANSWER, lesson_id, tour_course
from tutor.app import make_app
from tutor.scenes.registry import SCENES, scene_names
from tutor.screens.lesson import LessonScreen
from tutor.screens.too_small import TooSmallScreen
from tutor.widgets.question_card import QuestionCard

KINDS = scene_names()

#: What a curious learner presses. Leaving keys (q, escape, ctrl+c) are left out on purpose:
#: the point is to stay inside the lesson and poke at it.
MONKEY_KEYS = [
    "right", "left", "n", "p", "space", "full_stop", "comma", "end", "home", "r", "plus", "minus",
    "h", "up", "down", "left_square_bracket", "right_square_bracket", "tab", "shift+tab", "enter",
    "v", "k", "m", "w", "t", "c", "s", "x", "o", "a", "d", "0", "1", "2", "5", "9", "backspace",
    "question_mark", "escape_help",
]
#: Sizes the monkey resizes to (200x60 is pinned for every scene by tests/test_size_snapshots.py).
MONKEY_SIZES = [(80, 24), (100, 30), (120, 40)]
#: Presses per scene kind (spread over its variants by n/p); a soak run sets
#: DL_TUTOR_MONKEY_PRESSES, e.g. to 150.
MONKEY_PRESSES = int(os.environ.get("DL_TUTOR_MONKEY_PRESSES", "6"))


async def _step_scene_both_ways(pilot, screen: LessonScreen, where: str) -> None:
    """Step the open scene one frame forward and back (or back, at its end), reset it, and
    draw the result. A key's action runs before `press` returns; only the final `pause`
    renders (each render of a whole screen costs more than the keys do)."""
    scene = screen.scene
    assert scene is not None, where
    pilot.app.set_focus(None)  # keys go to the screen, not to a scene's answer field
    if scene.total_frames:
        start = scene.position
        if start >= scene.total_frames:
            await pilot.press("comma")
            assert scene.position == start - 1, where
        else:
            scene.predict = False  # a scene in predict mode would ask before it moves
            await pilot.press("full_stop")
            assert scene.position == start + 1, where
            await pilot.press("comma")
            assert scene.position == start, where
        await pilot.press("r")
    await pilot.pause()


async def _step_scene_directly(pilot, screen: LessonScreen, where: str) -> None:
    """The same moves as `_step_scene_both_ways`, through the screen's actions instead of key
    presses (the keys themselves are pressed on each kind's defaults step by the fast test), so
    a variant costs one render instead of four."""
    scene = screen.scene
    assert scene is not None, where
    if scene.total_frames:
        start = scene.position
        if start >= scene.total_frames:
            screen.action_scene("back")
            assert scene.position == start - 1, where
        else:
            scene.predict = False
            screen.action_scene("forward")
            assert scene.position == start + 1, where
            screen.action_scene("back")
            assert scene.position == start, where
        screen.action_scene("reset")
    await pilot.pause()


def _assert_reads_declared(screen: LessonScreen, where: str) -> None:
    """Once mounted, the scene has read only parameters the registry declares, and took the
    step's own value of each choice or flag it read (no silent fallback to a default); see
    also `tests/test_scene_spec_agreement.py`, which checks the same without the app."""
    scene = screen.scene
    assert scene is not None, where
    declared = SCENES[scene.scene_name].specs
    assert set(scene.params_read) <= set(declared), (where, set(scene.params_read) - set(declared))
    for name, value in screen.step.scene_params.items():
        if name in scene.params_read and declared[name].kind in ("choice", "bool"):
            assert scene.params_read[name] == value, (where, name, scene.params_read[name])


async def _answer(screen: LessonScreen, where: str) -> None:
    """Answer the step's question the way the learner types it."""
    for card in screen.query(QuestionCard):
        card.answer_widget.value = str(QUESTION_ANSWER)
        assert card.check().status == "correct", where


@pytest.mark.parametrize("kind", KINDS)
async def test_kind_opens_steps_and_answers(tmp_path: Path, kind: str) -> None:
    course = tour_course(tmp_path, [kind])
    app = make_app(course, home=tmp_path / "home", open_lesson=lesson_id(kind))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen) and screen.step.id == "defaults"
        await _step_scene_both_ways(pilot, screen, kind)
        _assert_reads_declared(screen, kind)
        await _answer(screen, kind)
        assert isinstance(app.screen, LessonScreen)


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
async def test_kind_walks_its_parameter_space_then_survives_a_monkey(tmp_path: Path, kind: str) -> None:
    course = tour_course(tmp_path, [kind])
    home = tmp_path / "home"
    app = make_app(course, home=home, open_lesson=lesson_id(kind))
    async with app.run_test(size=(80, 24)) as pilot:  # the smallest terminal the tutor supports
        screen = app.screen
        lesson = screen.lesson
        await pilot.pause()
        # A terminal far too small: the cover, and no crash in the scene laid out behind it.
        await resize_and_settle(pilot, 20, 6)
        assert isinstance(app.screen, TooSmallScreen), kind
        await resize_and_settle(pilot, 80, 24)
        assert app.screen is screen, kind
        # The defaults step is open (stepped by the fast test); every other variant is walked.
        await _answer(screen, f"{kind}: {lesson.steps[0].id}")
        for index, step in enumerate(lesson.steps[1:], start=1):
            await screen.show_step(index)  # mounted when it returns; one render per variant below
            _assert_reads_declared(screen, f"{kind}: {step.id}")
            await _step_scene_directly(pilot, screen, f"{kind}: {step.id}")
            await _answer(screen, f"{kind}: {step.id}")
        await pilot.pause()  # the last answer reaches the progress store
        assert app.session.is_done(lesson)
        saved = json.loads((home / "progress.json").read_text(encoding="utf-8"))
        assert saved["lessons"][lesson_id(kind)]["completed"] is True

        # Then a seeded monkey, in the same session: random keys, resizes and clicks.
        rng = random.Random(f"monkey-{kind}")
        await pilot.resize_terminal(100, 30)
        for turn in range(MONKEY_PRESSES):
            key = rng.choice(MONKEY_KEYS)
            if key == "escape_help":
                # `?` opens help; escape closes it again (escape on the lesson would leave it).
                if app.screen.__class__.__name__ == "HelpScreen":
                    await pilot.press("escape")
                continue
            if app.screen.__class__.__name__ == "HelpScreen":
                await pilot.press("escape")
            await pilot.press(key)
            if turn % 6 == 2:
                await pilot.resize_terminal(*rng.choice(MONKEY_SIZES))
            if turn % 6 == 4:
                await pilot.click(offset=(rng.randrange(0, 79), rng.randrange(0, 23)))
        if app.screen.__class__.__name__ == "HelpScreen":
            await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen), f"left the lesson: {app.screen!r}"
        assert app.screen.lesson.id == lesson_id(kind)
    json.loads((home / "progress.json").read_text(encoding="utf-8"))  # still readable
