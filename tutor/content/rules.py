"""Teaching rules for questions, checked by `dl-tutor check-lessons` as warnings.

A lesson that breaks these still loads and runs (they are not format errors), but it teaches
less: a distractor without its "why not", a numeric question with no diagnosed mistake, or an
answer a learner can copy from the prose above the question. The shipped course has none (a
test keeps it so). Pure: no Textual, no NumPy unless a predict question's generator is tried.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tutor.content.model import Course, Lesson, Question, Step
from tutor.quiz.diagnose import close

__all__ = ["TeachingWarning", "teaching_warnings", "visible_answer"]

#: Numbers in prose: 92, -3, 0.25, 5.75, 61,706, 1e-3 (a thousands comma is part of a number
#: only when exactly three digits follow it).
_NUMBER_RE = re.compile(r"(?<![\w.])[-−]?\d+(?:,\d{3}(?!\d))*(?:\.\d+)?(?:[eE][-+]?\d+)?")
#: Answers this small and whole are everywhere in prose (indices, counts, "the 2 inputs"), so
#: finding one proves nothing.
_TRIVIAL = 10


@dataclass(frozen=True)
class TeachingWarning:
    """One teaching-rule warning, in check-lessons' `file: key: message` form."""

    lesson: Lesson
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.lesson.path / 'lesson.toml'}: {self.key}: warning: {self.message}"


def _numbers(text: str) -> list[float]:
    """Every number written in `text`, in order."""
    found = []
    for match in _NUMBER_RE.finditer(text):
        raw = match.group().replace(",", "").replace("−", "-")
        try:
            found.append(float(raw))
        except ValueError:
            continue
    return found


def _trivial(value: float) -> bool:
    return float(value).is_integer() and abs(value) <= _TRIVIAL


def visible_answer(question: Question, text: str) -> str | None:
    """The question's answer if `text` writes it out, else None.

    A number is found when the prose writes it (within the question's tolerance) and it is not
    a small whole number; a vector or matrix when its numbers appear one after another.
    """
    if question.kind not in ("number", "vector", "matrix") or question.answer is None:
        return None
    numbers = _numbers(text)
    if question.kind == "number":
        answer = float(question.answer)
        if _trivial(answer):
            return None
        for value in numbers:
            if close(value, answer, question.tolerance):
                return _show(answer)
        return None
    flat = (
        tuple(question.answer) if question.kind == "vector"
        else tuple(x for row in question.answer for x in row)
    )
    if all(_trivial(x) for x in flat):
        return None
    n = len(flat)
    for start in range(len(numbers) - n + 1):
        if all(close(numbers[start + i], flat[i], question.tolerance) for i in range(n)):
            return ", ".join(_show(x) for x in flat)
    return None


def _show(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _question_warnings(lesson: Lesson, question: Question) -> Iterable[str]:
    if question.kind in ("single", "multiple"):
        right = {question.answer} if question.kind == "single" else set(question.answer or ())
        reasons = question.reasons or ("",) * len(question.options)
        missing = [
            chr(ord("a") + i) for i in range(len(question.options))
            if i not in right and not reasons[i]
        ]
        if missing:
            yield (
                f"wrong option(s) {', '.join(missing)} (in TOML order) have no reason; write "
                'them as { text = "...", why = "..." } so a learner who picks one learns why not'
            )
    elif question.kind in ("number", "vector", "matrix"):
        if not question.mistakes:
            yield (
                "no diagnosed mistake; add mistakes = [{ answer = ..., say = \"...\" }] for the "
                "classic slip this question invites"
            )
    elif question.kind == "predict":
        from tutor.quiz import instantiate

        try:
            problem = instantiate(question, seed=0)
        except Exception:  # check-lessons reports a broken generator as an error already
            return
        if problem.kind in ("single", "multiple"):
            right = {problem.answer} if problem.kind == "single" else set(problem.answer)
            if any(not problem.reasons[i] for i in range(len(problem.options)) if i not in right):
                yield f"generator {question.generator} gives a wrong option without a reason"
        elif not problem.mistakes:
            yield f"generator {question.generator} returns no diagnosed mistake"


def _step_warnings(lesson: Lesson, step: Step) -> Iterable[tuple[str, str]]:
    index = lesson.steps.index(step)
    following = lesson.steps[index + 1].title if index + 1 < len(lesson.steps) else ""
    for qid in step.questions:
        question = lesson.questions[qid]
        # The step's own heading and the next step's title (the "next step" line under the
        # questions) are on screen with the prose.
        shown = visible_answer(question, "\n".join((step.title, step.prose, following)))
        if shown is not None:
            yield (
                f"questions ({qid})",
                f"the answer {shown} is in step {step.id}'s title, prose or the next step's title "
                "before the question is answered; move it below a '<!-- reveal -->' line, retitle "
                "or ask for something else",
            )
        # The step's other questions are on screen at the same time: their prompts and
        # choices must not answer this one. On an `in_order` step a later question is shown
        # only after this one is answered, so it may build on the answer.
        for position, other_id in enumerate(step.questions):
            if other_id == qid or (step.in_order and position > step.questions.index(qid)):
                continue
            other = lesson.questions[other_id]
            if other.kind == "predict":
                continue  # a template: its numbers are drawn per problem
            shown = visible_answer(question, "\n".join((other.prompt, *other.options)))
            if shown is not None:
                yield (
                    f"questions ({qid})",
                    f"the answer {shown} is written in question {other_id}, shown beside it on "
                    f"step {step.id}; reword {other_id} or move one of them to another step",
                )


def _summary_warnings(lesson: Lesson) -> Iterable[tuple[str, str]]:
    """The summary is on the course map before the lesson opens: it must not answer a question."""
    for question in lesson.questions.values():
        shown = visible_answer(question, lesson.summary)
        if shown is not None:
            yield (
                "summary",
                f"the answer {shown} to question {question.id} is in the lesson summary shown on "
                "the course map; promise the idea, not the number",
            )


def teaching_warnings(course: Course) -> list[TeachingWarning]:
    """Every teaching-rule warning of `course`, in course order."""
    warnings: list[TeachingWarning] = []
    for lesson in course.lessons:
        for question in lesson.questions.values():
            for message in _question_warnings(lesson, question):
                warnings.append(TeachingWarning(lesson, f"questions ({question.id})", message))
        for step in lesson.steps:
            for key, message in _step_warnings(lesson, step):
                warnings.append(TeachingWarning(lesson, key, message))
        for key, message in _summary_warnings(lesson):
            warnings.append(TeachingWarning(lesson, key, message))
    return warnings
