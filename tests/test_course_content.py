"""Every step of the shipped course, checked as content (no app): its scene resolves its
parameters, and its questions grade their own answers.

This replaces the per-lesson Pilot walk: the app side of every scene kind is driven once on the
scene tour (`tests/test_scene_kinds.py`), and what a lesson adds, its parameter values and its
questions, is checked here in milliseconds. Nothing pins how many lessons, steps or questions
the course has; `dl-tutor check-lessons` holds the rules a lesson must follow.
"""

from __future__ import annotations

import pytest

from tests.answers import learner_texts
from tutor.content import load_course
from tutor.paths import default_lessons_dir
from tutor.quiz import grade, instantiate
from tutor.scenes.registry import SCENES, check_param, load_scene_class

COURSE = load_course(default_lessons_dir())
LESSONS = {lesson.id: lesson for lesson in COURSE.lessons}
#: Seeds a predict question is tried with (each learner gets a seed of their own).
SEEDS = range(4)


@pytest.mark.parametrize("lesson_id", list(LESSONS))
def test_every_scene_resolves_its_parameters(lesson_id: str) -> None:
    for step in LESSONS[lesson_id].steps:
        if not step.scene:
            continue
        where = f"{lesson_id}: step {step.id} ({step.scene})"
        spec = SCENES[step.scene]
        for name, value in step.scene_params.items():
            assert name in spec.params, f"{where}: unknown parameter {name}"
            assert check_param(spec.params[name], value) is None, f"{where}: {name} = {value!r}"
        scene = load_scene_class(step.scene)(dict(step.scene_params))
        total, start = scene.total_frames, scene.initial_position
        assert isinstance(total, int) and total >= 0, where
        assert isinstance(start, int) and start >= 0, where


@pytest.mark.parametrize("lesson_id", list(LESSONS))
def test_every_question_grades_its_own_answer(lesson_id: str) -> None:
    lesson = LESSONS[lesson_id]
    asked = [qid for step in lesson.steps for qid in step.questions]
    assert sorted(asked) == sorted(lesson.questions), f"{lesson_id}: every question is asked once"
    for qid in asked:
        question = lesson.questions[qid]
        for seed in SEEDS if question.kind == "predict" else (0,):
            problem = instantiate(question, seed)
            for text in learner_texts(problem):
                feedback = grade(problem, text)
                assert feedback.correct, f"{lesson_id}: {qid} (seed {seed}) typed {text!r}: {feedback.message}"
            assert problem.explanation.strip(), f"{lesson_id}: {qid} explains nothing"
