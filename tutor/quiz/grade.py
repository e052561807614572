"""Turn a lesson's Question into a concrete Problem, and grade a learner's response to it.

`instantiate` fixes everything a question may vary (a `predict` question runs its generator
with a seed); `grade` compares a response with the answer and returns a `Feedback` whose
message is one short line. Grading never raises for a learner's input: text that cannot be read
gives `status="invalid"` with the expected format, which does not count as an attempt.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from tutor.quiz.parse import (
    MATRIX_HINT,
    NUMBER_HINT,
    VECTOR_HINT,
    AnswerFormatError,
    count_message,
    parse_choice,
    parse_choices,
    parse_matrix,
    parse_number,
    parse_vector,
    shape_message,
)
from tutor.quiz.diagnose import MAX_MISTAKE_MESSAGE, Known
from tutor.quiz.diagnose import close as _close
from tutor.quiz.diagnose import known_message as _known_message
from tutor.quiz.diagnose import number_message as _number_message
from tutor.quiz.diagnose import one_sign_slip as _one_sign_slip
from tutor.quiz.diagnose import order_slip as _order_slip
from tutor.quiz.diagnose import scale_slip as _scale_slip

if TYPE_CHECKING:
    from tutor.content.model import Question

__all__ = [
    "Problem", "Feedback", "instantiate", "grade", "template_problem", "PROBLEM_KINDS",
    "MAX_TEMPLATE_FIELDS", "MAX_FORMAT_WIDTH", "MAX_MISTAKE_MESSAGE",
]

#: The kinds a Problem can have (`predict` questions become one of these).
PROBLEM_KINDS: tuple[str, ...] = ("single", "multiple", "number", "vector", "matrix")

Status = Literal["correct", "wrong", "invalid"]

_RIGHT = "Right!"


@dataclass(frozen=True)
class Problem:
    """A concrete question ready to ask: templates filled, answer fixed.

    Attributes:
        question_id: the Question's id (progress is keyed by it).
        kind: single, multiple, number, vector or matrix (never predict).
        prompt: the final Markdown shown to the learner.
        options: the choices for single and multiple.
        answer: single: option index (int); multiple: tuple of indices; number: float;
            vector: tuple of floats; matrix: tuple of row tuples.
        tolerance: absolute tolerance for numeric answers (element-wise for vector/matrix).
        explanation: shown after a right answer, or after a wrong one on request.
        hints: progressively stronger hints.
        seed: the seed a predict question was generated with, else None.
        reasons: single and multiple: per option, why it is wrong ("" when none is given).
        mistakes: known wrong answers (in this problem's encoding) with their messages.
    """

    question_id: str
    kind: str
    prompt: str
    options: tuple[str, ...]
    answer: Any
    tolerance: float
    explanation: str
    hints: tuple[str, ...]
    seed: int | None = None
    reasons: tuple[str, ...] = ()
    mistakes: tuple[tuple[Any, str], ...] = ()


@dataclass(frozen=True)
class Feedback:
    """The result of grading one response.

    Attributes:
        status: "correct", "wrong", or "invalid" (the response could not be read).
        message: one line: "Right!", "Not quite: ...", or the expected format.
        explanation: the problem's explanation, for the UI to show when right or on request.
    """

    status: Status
    message: str
    explanation: str = ""

    @property
    def counts_as_attempt(self) -> bool:
        """False for an unreadable response: the learner just gets the format hint."""
        return self.status != "invalid"

    @property
    def correct(self) -> bool:
        """True when the response was right."""
        return self.status == "correct"


# --------------------------------------------------------------------------- instantiate

#: The most `{fields}` one template (a predict question's prompt, explanation or hint) may hold.
MAX_TEMPLATE_FIELDS = 100
#: The largest width or precision a field's format spec may ask for (`{w:>8}`, `{w:.3f}`), so
#: that filling a template never builds a huge string.
MAX_FORMAT_WIDTH = 100
#: The standard format spec: [[fill]align][sign][z][#][0][width][grouping][.precision][type].
_FORMAT_SPEC_RE = re.compile(
    r"(?:.?[<>=^])?[-+ ]?z?#?0?(?P<width>\d*)[,_]?(?:\.(?P<precision>\d+))?[bcdeEfFgGnosxX%]?",
    re.DOTALL,
)


def _too_big(digits: str | None) -> bool:
    return bool(digits) and (len(digits) > 6 or int(digits) > MAX_FORMAT_WIDTH)


def template_problem(template: str) -> str | None:
    """None when `template` can be filled safely, else what is wrong with it (one line).

    A field is a plain name (`{w1}`, not `{w1.real}`, `{0}` or `{}`), at most
    MAX_TEMPLATE_FIELDS of them, each with an optional `!r`/`!s`/`!a` and a standard format spec
    whose width and precision are at most MAX_FORMAT_WIDTH and which holds no nested field.
    `dl-tutor check-lessons` reports these problems; `instantiate` refuses such a template.
    """
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as error:
        return f"is not a valid template ({error}); write {{{{ and }}}} for a literal brace"
    fields = 0
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        fields += 1
        if fields > MAX_TEMPLATE_FIELDS:
            return f"has more than {MAX_TEMPLATE_FIELDS} {{fields}}"
        shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        shown = shown if len(shown) <= 40 else shown[:37] + "...}"
        shown = shown.replace("\n", " ")
        if not name.isidentifier():
            return f"field {shown}: a field is a plain name such as {{w1}}"
        if conversion not in (None, "r", "s", "a"):
            return f"field {shown}: unknown conversion !{conversion}"
        if "{" in spec or "}" in spec:
            return f"field {shown}: a format spec may not hold another field"
        match = _FORMAT_SPEC_RE.fullmatch(spec or "")
        if match is None:
            return f"field {shown}: not a format spec"
        for part in ("width", "precision"):
            if _too_big(match.group(part)):
                return f"field {shown}: its {part} is above the limit of {MAX_FORMAT_WIDTH}"
    return None


def _fill(template: str, values: dict[str, object], question_id: str, what: str) -> str:
    """Fill a `{name}` template from a generator's values, naming the question on failure.

    A template that could build a huge string (see `template_problem`) is refused unfilled."""
    problem = template_problem(template)
    if problem is not None:
        raise ValueError(f"Question '{question_id}': the {what} template {problem}.")
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError, AttributeError) as error:
        known = ", ".join(sorted(values)) or "none"
        raise ValueError(
            f"Question '{question_id}': cannot fill the {what} template ({type(error).__name__}: "
            f"{error}); the generator gave: {known}."
        ) from None


def _canonical_answer(kind: str, answer: Any, question_id: str) -> Any:
    """Convert an answer to the canonical encoding for `kind` (tuples, floats, ints)."""
    try:
        if kind == "single":
            if isinstance(answer, bool):
                raise TypeError("a bool is not an option index")
            return int(answer)
        if kind == "multiple":
            return tuple(sorted({int(i) for i in answer}))
        if kind == "number":
            return float(answer)
        if kind == "vector":
            return tuple(float(x) for x in answer)
        if kind == "matrix":
            return tuple(tuple(float(x) for x in row) for row in answer)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"Question '{question_id}': answer {answer!r} does not fit kind '{kind}' ({error})."
        ) from None
    raise ValueError(
        f"Question '{question_id}': kind must be one of {', '.join(PROBLEM_KINDS)}, got {kind!r}."
    )


def instantiate(question: Question, seed: int = 0) -> Problem:
    """Make the concrete Problem for `question`.

    Static kinds map one to one (seed None). A `predict` question calls its generator with
    `numpy.random.default_rng(seed)` and fills its prompt, explanation and hints with the
    generated values (`str.format_map`), so the same seed always gives the same problem.

    Raises:
        ValueError: a content error: unknown kind, an answer that does not fit its kind, a
            predict question without a generator, or a template field the generator lacks.
        KeyError: the generator name is not registered.
    """
    if question.kind != "predict":
        return Problem(
            question_id=question.id,
            kind=question.kind,
            prompt=question.prompt,
            options=tuple(question.options),
            answer=_canonical_answer(question.kind, question.answer, question.id),
            tolerance=float(question.tolerance),
            explanation=question.explanation,
            hints=tuple(question.hints),
            seed=None,
            reasons=_aligned_reasons(question.reasons, len(question.options)),
            mistakes=_canonical_mistakes(question.kind, question.id, question.mistakes),
        )
    if not question.generator:
        raise ValueError(f"Question '{question.id}': a predict question needs a generator.")
    from tutor.quiz.predict import generate

    generated = generate(question.generator, seed, question.params)
    values = dict(generated.values)
    options = generated.options or tuple(
        _fill(option, values, question.id, "option") for option in question.options
    )
    return Problem(
        question_id=question.id,
        kind=generated.kind,
        prompt=_fill(question.prompt, values, question.id, "prompt"),
        options=tuple(options),
        answer=_canonical_answer(generated.kind, generated.answer, question.id),
        tolerance=float(generated.tolerance),
        explanation=_fill(question.explanation, values, question.id, "explanation"),
        hints=tuple(_fill(hint, values, question.id, "hint") for hint in question.hints),
        seed=seed,
        reasons=_aligned_reasons(generated.reasons, len(options)),
        mistakes=_canonical_mistakes(generated.kind, question.id, generated.mistakes),
    )


def _aligned_reasons(reasons: Iterable[str], n_options: int) -> tuple[str, ...]:
    """One reason per option ("" where none), whatever length the source had."""
    given = tuple(reasons)[:n_options]
    return given + ("",) * (n_options - len(given))


# --------------------------------------------------------------------------- grade


class _Invalid(Exception):
    """Internal: the response cannot be read; carries the one-line message."""


def _is_real(value: object) -> bool:
    """True for int/float-like numbers that are not bools."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _real(value: object, hint: str) -> float:
    """A finite float from a non-str number, else _Invalid(hint)."""
    if not _is_real(value):
        # NumPy scalars are not int/float subclasses in every case; accept via __float__.
        if isinstance(value, (str, bytes, bool)) or not hasattr(value, "__float__"):
            raise _Invalid(hint)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise _Invalid(hint) from None
    if not math.isfinite(number):
        raise _Invalid(hint)
    return number


def _as_number(response: object, expected: float) -> float:
    """Read a number response (text or a number); `expected` reads `15%` (see parse)."""
    if isinstance(response, str):
        return parse_number(response, expected)
    return _real(response, NUMBER_HINT)


def _as_vector(response: object, expected: tuple[float, ...]) -> tuple[float, ...]:
    """Read a vector response (text or an iterable of numbers) of len(expected) numbers."""
    if isinstance(response, str):
        return parse_vector(response, expected)
    if not isinstance(response, Iterable) or isinstance(response, bytes):
        raise _Invalid(VECTOR_HINT)
    values = tuple(_real(x, VECTOR_HINT) for x in response)
    if not values:
        raise _Invalid(VECTOR_HINT)
    if len(values) != len(expected):
        raise _Invalid(count_message(len(expected), len(values), VECTOR_HINT))
    return values


def _as_matrix(
    response: object, expected: tuple[tuple[float, ...], ...]
) -> tuple[tuple[float, ...], ...]:
    """Read a matrix response (text or an iterable of rows) of the expected shape."""
    if isinstance(response, str):
        return parse_matrix(response, expected)
    if not isinstance(response, Iterable) or isinstance(response, bytes):
        raise _Invalid(MATRIX_HINT)
    rows = []
    for row in response:
        if isinstance(row, (str, bytes)) or not isinstance(row, Iterable):
            raise _Invalid(MATRIX_HINT)
        rows.append(tuple(_real(x, MATRIX_HINT) for x in row))
    if not rows or not rows[0] or any(len(row) != len(rows[0]) for row in rows):
        raise _Invalid(MATRIX_HINT)
    expected_shape = (len(expected), len(expected[0]) if expected else 0)
    if (len(rows), len(rows[0])) != expected_shape:
        raise _Invalid(shape_message(expected_shape, (len(rows), len(rows[0]))))
    return tuple(rows)


def _option_range(n_options: int) -> str:
    """One line naming the valid options."""
    return f"Choose one of the {n_options} options."


def _as_choice(response: object, n_options: int) -> int:
    """Read a single-choice response (0-based int, or text such as `b` / `2`)."""
    if isinstance(response, str):
        return parse_choice(response, n_options)
    if isinstance(response, bool) or not isinstance(response, int):
        raise _Invalid(_option_range(n_options))
    if not 0 <= response < n_options:
        raise _Invalid(_option_range(n_options))
    return response


def _as_choices(response: object, n_options: int) -> frozenset[int]:
    """Read a multiple-choice response (iterable of 0-based ints, or text such as `a, c`)."""
    if isinstance(response, str):
        return parse_choices(response, n_options)
    if isinstance(response, bytes) or not isinstance(response, Iterable):
        raise _Invalid(f"Choose any of the {n_options} options.")
    chosen = set()
    for item in response:
        if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item < n_options:
            raise _Invalid(f"Choose any of the {n_options} options.")
        chosen.add(item)
    return frozenset(chosen)


def _plural(count: int, word: str) -> str:
    """`1 number`, `2 numbers`."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def _grade_number(problem: Problem, response: object, known: Known) -> tuple[Status, str]:
    """Grade a number response."""
    expected = float(problem.answer)
    got = _as_number(response, expected)
    if _close(got, expected, problem.tolerance):
        return "correct", _RIGHT
    known_message = _known_message(got, known, problem.tolerance)
    if known_message:
        return "wrong", known_message
    return "wrong", _number_message(got, expected, problem.tolerance)


def _grade_vector(problem: Problem, response: object, known: Known) -> tuple[Status, str]:
    """Grade a vector response element-wise (a wrong count is a format problem)."""
    expected = tuple(problem.answer)
    got = _as_vector(response, expected)
    tolerance = problem.tolerance
    off = sum(not _close(g, e, tolerance) for g, e in zip(got, expected, strict=True))
    if off == 0:
        return "correct", _RIGHT
    slip = (
        _known_message(got, known, tolerance)
        or _scale_slip(got, expected, tolerance, several=len(expected) > 1)
        or _one_sign_slip(got, expected, tolerance)
        or _order_slip(got, expected, tolerance)
    )
    if slip:
        return "wrong", slip
    verb = "is" if off == 1 else "are"
    return "wrong", f"Not quite: {off} of {len(expected)} numbers {verb} off."


def _grade_matrix(problem: Problem, response: object, known: Known) -> tuple[Status, str]:
    """Grade a matrix response element-wise (a wrong shape is a format problem)."""
    expected = tuple(tuple(row) for row in problem.answer)
    got = _as_matrix(response, expected)
    tolerance = problem.tolerance
    flat_got = tuple(x for row in got for x in row)
    flat_expected = tuple(x for row in expected for x in row)
    off = sum(not _close(g, e, tolerance) for g, e in zip(flat_got, flat_expected, strict=True))
    if off == 0:
        return "correct", _RIGHT
    transposed = tuple(x for column in zip(*expected, strict=True) for x in column)
    if len(expected) > 1 and all(
        _close(g, e, tolerance) for g, e in zip(flat_got, transposed, strict=True)
    ):
        return "wrong", "Check the orientation: your matrix is the transpose of the right one."
    slip = _known_message(got, known, tolerance) or _scale_slip(
        flat_got, flat_expected, tolerance, several=True
    )
    if slip:
        return "wrong", slip
    total = len(flat_expected)
    verb = "is" if off == 1 else "are"
    return "wrong", f"Not quite: {off} of {total} entries {verb} off."


def _grade_single(problem: Problem, response: object, known: Known) -> tuple[Status, str]:
    """Grade a single-choice response."""
    chosen = _as_choice(response, len(problem.options))
    if chosen == problem.answer:
        return "correct", _RIGHT
    known_message = _known_message(chosen, known, 0.0)
    if known_message:
        return "wrong", known_message
    reason = problem.reasons[chosen] if chosen < len(problem.reasons) else ""
    if reason:
        return "wrong", f"Not quite: {reason}"
    return "wrong", "Not quite: that is not the best option; read the others again."


def _grade_multiple(problem: Problem, response: object, known: Known) -> tuple[Status, str]:
    """Grade a multiple-choice response (the chosen set must equal the answer set)."""
    n_options = len(problem.options)
    chosen = _as_choices(response, n_options)
    expected = frozenset(problem.answer)
    if chosen == expected:
        return "correct", _RIGHT
    if not chosen:
        raise _Invalid(f"Choose at least one of the {n_options} options.")
    known_message = _known_message(tuple(sorted(chosen)), known, 0.0)
    if known_message:
        return "wrong", known_message
    wrongly_chosen = [i for i in sorted(chosen - expected) if i < len(problem.reasons) and problem.reasons[i]]
    if wrongly_chosen:
        # Named by its text: the learner sees the options in an order of their own, so a letter
        # from the lesson's order would point at another option.
        text = problem.options[wrongly_chosen[0]]
        short = text if len(text) <= 40 else text[:39].rstrip() + "…"
        return "wrong", f"Not quite: “{short}” does not belong: {problem.reasons[wrongly_chosen[0]]}"
    if chosen < expected:
        return "wrong", "Not quite: all you chose is right, but something is missing."
    if chosen > expected:
        return "wrong", "Not quite: you chose too many."
    return "wrong", "Not quite: at least one of your choices is wrong."


_GRADERS = {
    "number": _grade_number,
    "vector": _grade_vector,
    "matrix": _grade_matrix,
    "single": _grade_single,
    "multiple": _grade_multiple,
}


def _one_line(message: object, question_id: str) -> str:
    """A mistake's message as one printable line of at most MAX_MISTAKE_MESSAGE characters."""
    if not isinstance(message, str) or not message.strip():
        raise ValueError(f"Problem '{question_id}': a mistake's message must be non-empty text.")
    flat = " ".join(message.split())
    flat = "".join(char if char.isprintable() else "\ufffd" for char in flat)
    if len(flat) > MAX_MISTAKE_MESSAGE:
        flat = flat[: MAX_MISTAKE_MESSAGE - 1] + "…"
    return flat


def _canonical_mistakes(kind: str, question_id: str, mistakes: object) -> Known:
    """`mistakes` (a mapping or pairs of wrong answer -> message) in canonical form."""
    if not mistakes:
        return ()
    items = mistakes.items() if isinstance(mistakes, Mapping) else mistakes
    try:
        pairs = [(value, message) for value, message in items]  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise ValueError(
            f"Problem '{question_id}': mistakes must map wrong answers to messages."
        ) from None
    return tuple(
        (_canonical_answer(kind, value, question_id), _one_line(message, question_id))
        for value, message in pairs
    )


def grade(problem: Problem, response: object, mistakes: object = None) -> Feedback:
    """Grade `response` against `problem`; never raises for a learner's input.

    Args:
        problem: from `instantiate`.
        response: number/vector/matrix: the typed text (numbers and sequences are accepted
            too); single: a 0-based option index or text such as `b` / `2`; multiple: an
            iterable of 0-based indices or text such as `a, c`.
        mistakes: optional known wrong answers with targeted messages, a mapping (or pairs)
            from a wrong answer in the problem's encoding (a number, a vector tuple, a
            matrix of row tuples, an option index, a tuple of indices) to one line shown
            when the response matches it (numbers within the problem's tolerance), added to
            the problem's own (from the lesson's TOML or the generator). Checked before the
            generic detectors; a wrong option with a reason shows that reason.

    Returns:
        Feedback: "correct"; "wrong" with one line naming the classic slip the answer looks
        like (a flipped sign, a factor of 2, a power of ten up to 10^6, swapped order, one
        number's sign, a transposed matrix) or a nudge; or "invalid" with the expected
        format when the response cannot be read, including a wrong count of numbers or a
        matrix of the wrong shape ("This answer needs 2 numbers, you gave 3. ..."), which
        never counts as an attempt.

    Raises:
        ValueError: only for a content error: an unknown kind, or malformed `mistakes`.
    """
    try:
        grader = _GRADERS[problem.kind]
    except KeyError:
        raise ValueError(
            f"Problem '{problem.question_id}' has kind {problem.kind!r}; "
            f"expected one of {', '.join(PROBLEM_KINDS)}."
        ) from None
    known = problem.mistakes + _canonical_mistakes(problem.kind, problem.question_id, mistakes)
    try:
        status, message = grader(problem, response, known)
    except AnswerFormatError as error:
        return Feedback("invalid", str(error), problem.explanation)
    except _Invalid as error:
        return Feedback("invalid", str(error), problem.explanation)
    except Exception:  # an exotic response object (e.g. an iterable that fails): unreadable
        hint = {"number": NUMBER_HINT, "vector": VECTOR_HINT, "matrix": MATRIX_HINT}.get(
            problem.kind, _option_range(len(problem.options))
        )
        return Feedback("invalid", hint, problem.explanation)
    return Feedback(status, message, problem.explanation)
