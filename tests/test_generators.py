"""Every registered predict generator produces a question its own answer passes.

One property test over `tutor.quiz.predict.GENERATORS`: for each generator (with no params,
and with every distinct params dict the shipped lessons use) and several seeds, the generated
problem is well formed, deterministic, and graded by the real grader so that the answer typed
the way a learner types it is "correct" and a clearly wrong one is "wrong".
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from tests.answers import learner_texts, wrong_text
from tutor.content import load_course
from tutor.content.model import Question
from tutor.paths import default_lessons_dir
from tutor.quiz import Problem, grade, instantiate
from tutor.quiz.predict import GENERATED_KINDS, Generated, generate, generator_names

SEEDS = range(8)


def _cases() -> list[tuple[str, dict[str, Any]]]:
    """(generator, params): every generator with no params, plus every shipped params dict."""
    cases = {(name, "{}"): (name, {}) for name in generator_names()}
    for lesson in load_course(default_lessons_dir()).lessons:
        for question in lesson.questions.values():
            if question.kind == "predict" and question.generator:
                key = (question.generator, json.dumps(question.params, sort_keys=True))
                cases.setdefault(key, (question.generator, dict(question.params)))
    return [cases[key] for key in sorted(cases)]


CASES = _cases()


def _case_id(case: tuple[str, dict[str, Any]]) -> str:
    name, params = case
    return name + "".join(f"-{key}={value}" for key, value in sorted(params.items()))


def _finite(problem: Problem) -> bool:
    if problem.kind == "number":
        return math.isfinite(problem.answer)
    if problem.kind == "vector":
        return all(math.isfinite(x) for x in problem.answer)
    return all(math.isfinite(x) for row in problem.answer for x in row)


def test_every_generator_is_covered() -> None:
    assert {name for name, _ in CASES} == set(generator_names())


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_generator_answer_grades_correct(case: tuple[str, dict[str, Any]]) -> None:
    name, params = case
    question = Question(id="generated", kind="predict", prompt="", generator=name, params=params)
    for seed in SEEDS:
        where = f"{_case_id(case)} seed {seed}"
        generated = generate(name, seed, params)
        assert isinstance(generated, Generated), where
        assert generated.kind in GENERATED_KINDS, where
        assert generate(name, seed, params) == generated, f"{where}: not deterministic"

        problem = instantiate(question, seed)
        assert problem == instantiate(question, seed), f"{where}: not deterministic"
        assert problem.kind == generated.kind, where
        assert math.isfinite(problem.tolerance) and problem.tolerance > 0, where
        if problem.kind in ("single", "multiple"):
            assert len(problem.options) >= 2, where
            indices = [problem.answer] if problem.kind == "single" else list(problem.answer)
            assert indices, where
            assert all(0 <= i < len(problem.options) for i in indices), where
        else:
            assert _finite(problem), f"{where}: answer {problem.answer!r} is not finite"

        for text in learner_texts(problem):
            feedback = grade(problem, text)
            assert feedback.status == "correct", (
                f"{where}: its own answer typed as {text!r} graded {feedback.status}: "
                f"{feedback.message} (answer {problem.answer!r}, tolerance {problem.tolerance})"
            )
        wrong = wrong_text(problem)
        assert grade(problem, wrong).status == "wrong", f"{where}: {wrong!r} not graded wrong"
