"""Read one `[[questions]]` table of a lesson.toml into a `Question`, or report why not.

Options may carry a reason (`{ text = "...", why = "..." }`), answers and known mistakes are
converted to the model's encoding (`encode`), and a predict question's generator and templates
are checked. Used by `tutor.content.loader`; issues go to its `Collector`.
"""

from __future__ import annotations

from typing import Any

from tutor.content.issues import Collector, show
from tutor.content.model import QUESTION_KINDS, Question
from tutor.quiz.diagnose import close, flat

__all__ = ["load_question", "encode"]

_QUESTION_KEYS = {
    "id", "kind", "prompt", "options", "answer", "tolerance", "explanation", "hints",
    "generator", "params", "shuffle", "mistakes",
}
_OPTION_KEYS = {"text", "why"}
_MISTAKE_KEYS = {"answer", "say"}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _load_options(opts: Any, prefix: str, out: Collector) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """A choice question's options: each a string, or `{ text = "...", why = "..." }`.

    Returns (texts, reasons) with "" where an option has no reason, or None when unusable.
    """
    if not isinstance(opts, list) or len(opts) < 2:
        out.add(f"{prefix}options", "expected a list of at least two options")
        return None
    texts: list[str] = []
    reasons: list[str] = []
    for i, option in enumerate(opts):
        key = f"{prefix}options[{i}]"
        if isinstance(option, dict):
            out.unknown_keys(option, _OPTION_KEYS, f"{key}.")
            text = option.get("text")
            why = option.get("why", "")
            if not isinstance(why, str):
                out.add(f"{key}.why", "expected text: why this option is wrong")
                why = ""
        else:
            text, why = option, ""
        if not isinstance(text, str) or not text.strip():
            out.add(key, 'expected a non-empty string or { text = "...", why = "..." }')
            return None
        texts.append(text.strip())
        reasons.append(" ".join(why.split()))
    if len(set(texts)) != len(texts):
        out.add(f"{prefix}options", "two options have the same text")
    return tuple(texts), tuple(reasons)


def encode(kind: str, value: Any, options: tuple[str, ...], key: str, out: Collector) -> Any:
    """A TOML answer (or known mistake) in the model's encoding for `kind`; None if unusable.

    single: the option's text -> its index; multiple: a list of texts -> sorted indices;
    number: float; vector: tuple of floats; matrix: tuple of equally long row tuples.
    """
    if kind == "single":
        if not isinstance(value, str):
            out.add(key, "expected the text of an option")
            return None
        if value.strip() not in options:
            out.add(key, f"{show(value)} is not among the options")
            return None
        return options.index(value.strip())
    if kind == "multiple":
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            out.add(key, "expected a list of option texts")
            return None
        for text in value:
            if text.strip() not in options:
                out.add(key, f"{show(text)} is not among the options")
                return None
        return tuple(sorted({options.index(text.strip()) for text in value}))
    if kind == "number":
        if not _number(value):
            out.add(key, "expected a number")
            return None
        return float(value)
    if kind == "vector":
        if not isinstance(value, list) or not value or not all(_number(v) for v in value):
            out.add(key, "expected a non-empty list of numbers")
            return None
        return tuple(float(v) for v in value)
    if kind == "matrix":
        ok = (
            isinstance(value, list)
            and value
            and all(isinstance(row, list) and row and all(_number(v) for v in row) for row in value)
            and len({len(row) for row in value}) == 1
        )
        if not ok:
            out.add(key, "expected a list of equally long lists of numbers")
            return None
        return tuple(tuple(float(v) for v in row) for row in value)
    return None


def _same(kind: str, a: Any, b: Any, tolerance: float) -> bool:
    """Two encoded answers are equal (numbers within `tolerance`, as the grader compares)."""
    if kind in ("single", "multiple"):
        return a == b
    flat_a, flat_b = flat(a), flat(b)
    return (
        flat_a is not None and flat_b is not None and len(flat_a) == len(flat_b)
        and all(close(x, y, tolerance) for x, y in zip(flat_a, flat_b))
    )


def _load_mistakes(raw: Any, kind: str, options: tuple[str, ...], answer: Any, tolerance: float,
                   prefix: str, out: Collector) -> tuple[tuple[Any, str], ...]:
    """`mistakes = [{ answer = ..., say = "..." }]`: known wrong answers and their messages."""
    if raw is None:
        return ()
    key = f"{prefix}mistakes"
    if kind == "predict":
        out.add(key, "a predict question's generator returns its own mistakes; remove 'mistakes'")
        return ()
    if kind == "single":
        out.add(key, "give a single-choice option its reason as { text = \"...\", why = \"...\" }")
        return ()
    if not isinstance(raw, list):
        out.add(key, "expected a list of { answer = ..., say = \"...\" } tables")
        return ()
    pairs: list[tuple[Any, str]] = []
    for i, entry in enumerate(raw):
        where = f"{key}[{i}]"
        if not isinstance(entry, dict):
            out.add(where, "expected a table { answer = ..., say = \"...\" }")
            continue
        out.unknown_keys(entry, _MISTAKE_KEYS, f"{where}.")
        say = entry.get("say")
        if not isinstance(say, str) or not say.strip():
            out.add(f"{where}.say", "expected the message a learner sees for this answer")
            continue
        value = encode(kind, entry.get("answer"), options, f"{where}.answer", out)
        if value is None:
            continue
        if answer is not None and _same(kind, value, answer, tolerance):
            out.add(f"{where}.answer", "this is the right answer, not a mistake")
            continue
        pairs.append((value, " ".join(say.split())))
    return tuple(pairs)


def load_question(raw: Any, index: int, out: Collector) -> Question | None:
    """Validate one [[questions]] table and convert its answer to the model's encoding."""
    prefix = f"questions[{index}]."
    if not isinstance(raw, dict):
        out.add(f"questions[{index}]", "expected a table")
        return None
    out.unknown_keys(raw, _QUESTION_KEYS, prefix)
    qid = out.ident(raw, "id", prefix)
    if qid:
        prefix = f"questions[{index}] ({qid})."
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in QUESTION_KINDS:
        out.add(f"{prefix}kind", f"expected one of {', '.join(QUESTION_KINDS)}, got {show(kind)}")
        return None
    prompt = out.text(raw, "prompt", prefix)
    explanation = out.text(raw, "explanation", prefix, required=False)
    hints_raw = raw.get("hints", [])
    hints: list[str] = []
    if not isinstance(hints_raw, list):
        out.add(f"{prefix}hints", "expected a list of strings")
    else:
        for h, hint in enumerate(hints_raw):
            if not isinstance(hint, str) or not hint.strip():
                out.add(f"{prefix}hints[{h}]", "hint is empty; write a hint or remove it")
            else:
                hints.append(hint.strip())
    tolerance = raw.get("tolerance", 1e-6)
    if not _number(tolerance) or tolerance < 0:
        out.add(f"{prefix}tolerance", "expected a number >= 0")
        tolerance = 1e-6
    shuffle = raw.get("shuffle", True)
    if not isinstance(shuffle, bool):
        out.add(f"{prefix}shuffle", "expected true or false")
        shuffle = True
    options: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    answer: Any = None
    generator = None
    params: dict[str, Any] = {}
    raw_answer = raw.get("answer")
    if kind in ("single", "multiple"):
        parsed = _load_options(raw.get("options"), prefix, out)
        if parsed is None:
            return None
        options, reasons = parsed
        answer = encode(kind, raw_answer, options, f"{prefix}answer", out)
        if answer is None:
            return None
        right = {answer} if kind == "single" else set(answer)
        for i in sorted(right):
            if reasons[i]:
                out.add(f"{prefix}options[{i}]", "the right option has a 'why'; a reason belongs to a wrong option")
    elif kind in ("number", "vector", "matrix"):
        answer = encode(kind, raw_answer, options, f"{prefix}answer", out)
        if answer is None:
            return None
    else:  # predict
        from tutor.quiz.grade import template_problem
        from tutor.quiz.predict import GENERATORS

        generator = raw.get("generator")
        if not isinstance(generator, str) or generator not in GENERATORS:
            out.add(
                f"{prefix}generator",
                f"unknown generator {show(generator)} (known: {', '.join(sorted(GENERATORS))})",
            )
            return None
        # The prompt, explanation and hints are templates the generator's values fill.
        templates = [("prompt", prompt), ("explanation", explanation)]
        templates += [(f"hints[{h}]", hint) for h, hint in enumerate(hints)]
        for key, template in templates:
            problem = template_problem(template)
            if problem:
                out.add(f"{prefix}{key}", f"template {problem}")
        if raw_answer is not None:
            out.add(f"{prefix}answer", "a predict question's answer is computed; remove 'answer'")
        params = raw.get("params", {})
        if not isinstance(params, dict):
            out.add(f"{prefix}params", "expected a table")
            params = {}
    mistakes = _load_mistakes(raw.get("mistakes"), kind, options, answer, float(tolerance), prefix, out)
    if kind not in ("single", "multiple") and "options" in raw:
        out.add(f"{prefix}options", f"a {kind} question has no options")
    if kind not in ("single", "multiple", "predict") and "shuffle" in raw:
        out.add(f"{prefix}shuffle", f"a {kind} question has no options to shuffle")
    if not qid or not prompt:
        return None
    return Question(
        id=qid, kind=kind, prompt=prompt, options=options, answer=answer,
        tolerance=float(tolerance), explanation=explanation, hints=tuple(hints),
        generator=generator, params=dict(params), shuffle=shuffle,
        reasons=reasons, mistakes=mistakes,
    )
