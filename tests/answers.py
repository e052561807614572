"""Answers typed the way a learner types them, for tests that grade through the real grader."""

from __future__ import annotations

from tutor.quiz import Problem


def letter(index: int) -> str:
    """The option letter for 0-based `index` (0 -> "a")."""
    return chr(ord("a") + index)


def learner_texts(problem: Problem) -> list[str]:
    """The answer typed as a learner would (every accepted spelling we care about)."""
    answer = problem.answer
    if problem.kind == "number":
        return [repr(answer)]
    if problem.kind == "vector":
        return [", ".join(repr(x) for x in answer)]
    if problem.kind == "matrix":
        return ["; ".join(" ".join(repr(x) for x in row) for row in answer)]
    if problem.kind == "single":
        return [letter(answer), str(answer + 1)]
    if problem.kind == "multiple":
        return [", ".join(letter(i) for i in answer)]
    raise AssertionError(f"unexpected kind {problem.kind!r}")


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
