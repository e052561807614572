"""No scene of the shipped course shows the value its step asks for before it is answered.

Every step with a scene and a numeric question (number, vector, matrix) has its scene drawn with
the step's own parameters, the way the learner meets it: held back when the step says
`hold_scene`, at the first frame and at the last (a learner may play to the end before
answering). The question's answer must not be in the drawn text. Plots are left out: their axis
ticks are round numbers that say nothing about an answer. This is the generic check behind the
hand-written cases of `tests/test_scene_holds.py`, over the whole course, so a new step or a
changed scene cannot leak an answer unnoticed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from tests.answers import shipped_course
from tutor.content.rules import visible_answer
from tutor.scenes.registry import load_scene_class

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("scenes-keep-answers")]

#: "lesson/step/question" -> why the scene may show that number: only where the number on
#: screen is not the answer given away.
ALLOWED: dict[str, str] = {
    "stochastic-descent/adam/adam-first-step": (
        "the answer equals the learning rate, an input the prompt gives: the surprise the "
        "question teaches is that Adam's first step is lr whatever the gradient"
    ),
    "sigmoid-neuron-graph/drill/grad-x1": (
        "the drill is itself the exercise: its last frame is reached only by answering or "
        "skipping every node, as the question's own Show answer would"
    ),
}


def _cases() -> list[tuple[str, str, str]]:
    course = shipped_course()
    cases = []
    for lesson in course.lessons:
        for step in lesson.steps:
            if not step.scene:
                continue
            asked = [
                qid for qid in step.questions
                if lesson.questions[qid].kind in ("number", "vector", "matrix")
                and f"{lesson.id}/{step.id}/{qid}" not in ALLOWED
            ]
            if asked:
                cases.append((lesson.id, step.id, ",".join(asked)))
    return cases


CASES = _cases()


class Host(App):
    """One app for every step: each scene is mounted in turn, its plots never drawn (hidden by
    the stylesheet, not after mounting: that laid the scene out and painted it a second time)."""

    CSS = "Plot { display: none; }"

    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="holder")


def _text(app: App) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def _draw(pilot: Any, app: App, lesson_id: str, step_id: str) -> tuple[str, str]:
    """The step's scene as first shown and at its last frame, held when the step holds it."""
    step = shipped_course().lesson(lesson_id).steps[
        shipped_course().lesson(lesson_id).step_index(step_id)
    ]
    holder = app.query_one("#holder", VerticalScroll)
    await holder.remove_children()
    scene = load_scene_class(step.scene)(dict(step.scene_params))
    await holder.mount(scene)  # mounted, first frame drawn into its widgets
    if step.hold_scene:
        scene.hold_answers(True)
    await pilot.pause()
    first = _text(app)
    if getattr(scene, "total_frames", 0):
        scene.to_end()
        await pilot.pause()
    return first, _text(app)


@pytest.fixture(scope="module")
def drawn() -> dict[tuple[str, str], tuple[str, str]]:
    async def draw_all() -> dict[tuple[str, str], tuple[str, str]]:
        app = Host()
        async with app.run_test(size=(100, 40)) as pilot:
            return {
                (lesson_id, step_id): await _draw(pilot, app, lesson_id, step_id)
                for lesson_id, step_id, _ in CASES
            }

    return asyncio.run(draw_all())


@pytest.mark.parametrize(("lesson_id", "step_id", "questions"), CASES)
def test_the_scene_does_not_show_the_answer(
    drawn: dict[tuple[str, str], tuple[str, str]], lesson_id: str, step_id: str, questions: str
) -> None:
    lesson = shipped_course().lesson(lesson_id)
    first, last = drawn[(lesson_id, step_id)]
    for qid in questions.split(","):
        question = lesson.questions[qid]
        for when, text in (("as first shown", first), ("at its last frame", last)):
            shown = visible_answer(question, text)
            assert shown is None, (
                f"{lesson_id}/{step_id}: the scene shows {shown}, the answer to {qid}, "
                f"{when}; hold it (hold_scene) or ask for something the scene does not draw"
            )


def test_the_check_covers_the_course() -> None:
    """Most numeric questions asked beside a scene are checked (a guard against a filter that
    quietly drops everything)."""
    assert len(CASES) >= 20
