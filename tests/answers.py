"""Answers typed the way a learner types them, for tests that grade through the real grader."""

from __future__ import annotations

from functools import lru_cache

from tutor.content import Course, Question, load_course
from tutor.paths import default_lessons_dir
from tutor.quiz import Problem


@lru_cache(maxsize=1)
def shipped_course() -> Course:
    """The shipped course, loaded once per test process."""
    return load_course(default_lessons_dir())


def shipped_question(lesson_id: str, question_id: str) -> Question:
    """One question of the shipped course."""
    return shipped_course().lesson(lesson_id).questions[question_id]


def typed(kind: str, value: object) -> str:
    """An answer (in a problem's encoding) typed the way a learner types it."""
    if kind == "number":
        return repr(float(value))  # type: ignore[arg-type]
    if kind == "vector":
        return ", ".join(repr(float(x)) for x in value)  # type: ignore[union-attr]
    if kind == "matrix":
        return "; ".join(" ".join(repr(float(x)) for x in row) for row in value)  # type: ignore[union-attr]
    if kind == "single":
        return letter(int(value))  # type: ignore[arg-type]
    if kind == "multiple":
        return ", ".join(letter(int(i)) for i in value)  # type: ignore[union-attr]
    raise AssertionError(f"unexpected kind {kind!r}")


def letter(index: int) -> str:
    """The option letter for 0-based `index` (0 -> "a")."""
    return chr(ord("a") + index)


def learner_texts(problem: Problem) -> list[str]:
    """The answer typed as a learner would (every accepted spelling we care about)."""
    if problem.kind == "single":
        return [letter(problem.answer), str(problem.answer + 1)]
    return [typed(problem.kind, problem.answer)]


def wrong_text(problem: Problem) -> str:
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
        return letter(next(i for i in range(len(problem.options)) if i != answer))
    if problem.kind == "multiple":
        chosen = set(answer)
        missing = [i for i in range(len(problem.options)) if i not in chosen]
        chosen = chosen | {missing[0]} if missing else chosen - {min(chosen)}
        return ", ".join(letter(i) for i in sorted(chosen))
    raise AssertionError(f"unexpected kind {problem.kind!r}")
