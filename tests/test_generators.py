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


def _letter(index: int) -> str:
    return chr(ord("a") + index)


def _learner_texts(problem: Problem) -> list[str]:
    """The answer typed as a learner would (every accepted spelling we care about)."""
    answer = problem.answer
    if problem.kind == "number":
        return [repr(answer)]
    if problem.kind == "vector":
        return [", ".join(repr(x) for x in answer)]
    if problem.kind == "matrix":
        return ["; ".join(" ".join(repr(x) for x in row) for row in answer)]
    if problem.kind == "single":
        return [_letter(answer), str(answer + 1)]
    if problem.kind == "multiple":
        return [", ".join(_letter(i) for i in answer)]
    raise AssertionError(f"unexpected kind {problem.kind!r}")


def _wrong_text(problem: Problem) -> str:
    """A clearly wrong answer of the right shape (well beyond the tolerance)."""
    answer = problem.answer
    off = 1000.0 + 2 * problem.tolerance
    if problem.kind == "number":
        return repr(answer + off)
    if problem.kind == "vector":
        return ", ".join(repr(x + off if i == 0 else x) for i, x in enumerate(answer))
    if problem.kind == "matrix":
        return "; ".join(
            " ".join(repr(x + off if (r, c) == (0, 0) else x) for c, x in enumerate(row))
            for r, row in enumerate(answer)
        )
    if problem.kind == "single":
        return _letter(next(i for i in range(len(problem.options)) if i != answer))
    if problem.kind == "multiple":
        chosen = set(answer)
        missing = [i for i in range(len(problem.options)) if i not in chosen]
        chosen = chosen | {missing[0]} if missing else chosen - {min(chosen)}
        return ", ".join(_letter(i) for i in sorted(chosen))
    raise AssertionError(f"unexpected kind {problem.kind!r}")


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

        for text in _learner_texts(problem):
            feedback = grade(problem, text)
            assert feedback.status == "correct", (
                f"{where}: its own answer typed as {text!r} graded {feedback.status}: "
                f"{feedback.message} (answer {problem.answer!r}, tolerance {problem.tolerance})"
            )
        wrong = _wrong_text(problem)
        assert grade(problem, wrong).status == "wrong", f"{where}: {wrong!r} not graded wrong"
