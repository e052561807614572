"""Load a lesson tree (course.toml + one folder per lesson) into typed objects, or explain why not.

Layout:
    course.toml                 format_version, title, [[units]] with ordered lesson ids
    <lesson-id>/lesson.toml     id, title, summary, [[steps]], [[questions]]
    <lesson-id>/lesson.md       prose, one section per step, each opened by `<!-- step: ID -->`

Every problem found is collected (not just the first) as a `LessonIssue` naming the file, the key
and what was expected, so `dl-tutor check-lessons` can list them all at once.

A lesson tree may come from anyone (`dl-tutor --lessons PATH`), so reading one is bounded: every
file it names must lie inside it (no `..`, absolute paths or links out of it), files have a size
limit, TOML a nesting limit, scene parameters the registry's ranges and predict templates the
limits of `tutor.quiz.grade.template_problem`. A problem is an issue, never a traceback.
"""

from __future__ import annotations

import re
import reprlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor.content.model import QUESTION_KINDS, Course, Lesson, Question, Step, Unit

#: Versions of the course format this release understands.
SUPPORTED_FORMAT_VERSIONS = (1,)

#: The largest course.toml or lesson.toml, in bytes (the shipped ones are at most 11 kB).
MAX_TOML_BYTES = 256_000
#: The largest prose file (lesson.md), in bytes (the shipped ones are under 9 kB). Markdown can
#: take the app's parser about 25 µs a character (a page of `[`), so this bounds a step's wait.
MAX_PROSE_BYTES = 256_000
#: The deepest nesting of tables and arrays in a TOML file (a lesson needs about 5).
MAX_TOML_DEPTH = 32

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_STEP_MARKER_RE = re.compile(r"^<!--\s*step:\s*(?P<id>\S+)\s*-->\s*$")
#: A line that holds back the rest of a step's prose until the step's questions are answered.
_REVEAL_MARKER_RE = re.compile(r"^<!--\s*reveal\s*-->\s*$")
_HEADING_RE = re.compile(r"^#{1,3}\s+(?P<title>.+?)\s*#*\s*$")

_COURSE_KEYS = {"format_version", "title", "units"}
_UNIT_KEYS = {"id", "title", "lessons"}
_LESSON_KEYS = {"id", "title", "summary", "prose", "steps", "questions"}
_STEP_KEYS = {"id", "title", "scene", "scene_params", "questions", "hold_scene"}
_QUESTION_KEYS = {
    "id", "kind", "prompt", "options", "answer", "tolerance", "explanation", "hints",
    "generator", "params", "shuffle", "mistakes",
}
_OPTION_KEYS = {"text", "why"}
_MISTAKE_KEYS = {"answer", "say"}


@dataclass(frozen=True)
class LessonIssue:
    """One problem in a lesson tree: which file, which key, what is wrong."""

    file: Path
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.key}" if self.key else str(self.file)
        return _one_line(f"{where}: {self.message}")


_SHORT = reprlib.Repr()
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxlevel = 60, 60, 6, 6, 3
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _show(value: Any) -> str:
    """A lesson's value for a message: its repr, shortened (a value may be huge or deep)."""
    return _SHORT.repr(value)


def _one_line(text: str) -> str:
    """`text` with control characters (new lines, terminal escapes) shown as escapes."""
    return _CONTROL_RE.sub(lambda m: repr(m.group())[1:-1], text)


def _key(name: Any) -> str:
    """A TOML key named in an issue, shortened."""
    name = str(name)
    return name if len(name) <= 60 else name[:57] + "..."


class CourseError(Exception):
    """The lesson tree has problems; `issues` lists every one of them."""

    def __init__(self, issues: list[LessonIssue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(issue) for issue in issues))


class _Collector:
    """Accumulates issues for one file while it is being read."""

    def __init__(self, issues: list[LessonIssue], file: Path) -> None:
        self.issues = issues
        self.file = file

    def add(self, key: str, message: str) -> None:
        self.issues.append(LessonIssue(self.file, key, message))

    def unknown_keys(self, table: dict[str, Any], allowed: set[str], prefix: str) -> None:
        for key in sorted(set(table) - allowed):
            self.add(f"{prefix}{_key(key)}", f"unknown key (allowed: {', '.join(sorted(allowed))})")

    def text(self, table: dict[str, Any], key: str, prefix: str = "", required: bool = True) -> str:
        value = table.get(key)
        if value is None:
            if required:
                self.add(f"{prefix}{key}", "missing; expected a non-empty string")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.add(f"{prefix}{key}", "expected a non-empty string")
            return ""
        return value.strip()

    def ident(self, table: dict[str, Any], key: str, prefix: str = "") -> str:
        value = self.text(table, key, prefix)
        if value and not _ID_RE.fullmatch(value):
            self.add(f"{prefix}{key}", f"{_show(value)} is not a valid id (lowercase letters, digits, - and _)")
        return value


def _inside(path: Path, folder: Path) -> bool:
    """Whether `path`, with every link followed, lies inside `folder` (also followed)."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):  # a link loop, an unreadable folder, a NUL byte
        return False


def _read_text(path: Path, limit: int, issues: list[LessonIssue]) -> str | None:
    """The UTF-8 text of `path` (an existing file already known to be inside the course), or
    None with an issue when it is larger than `limit` bytes, unreadable or not UTF-8."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)  # never more, whatever the file claims its size is
    except OSError as error:
        issues.append(LessonIssue(path, "", f"cannot be read ({error.strerror or error})"))
        return None
    if len(data) > limit:
        issues.append(LessonIssue(path, "", f"is larger than the limit of {limit:,} bytes"))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        issues.append(LessonIssue(path, "", "is not UTF-8 text"))
        return None


def _toml_depth(data: Any, limit: int) -> int:
    """How deeply tables and arrays nest in `data` (counting stops just past `limit`)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _read_toml(path: Path, folder: Path, issues: list[LessonIssue]) -> dict[str, Any] | None:
    """Parse a TOML file inside `folder`, recording as an issue a file that is missing, outside
    the folder, too large, not UTF-8, invalid or nested too deeply. The one place TOML is read."""
    if not _inside(path, folder):
        issues.append(
            LessonIssue(path, "", "is a link to a file outside its folder; a course may only use its own files")
        )
        return None
    if not path.is_file():
        issues.append(LessonIssue(path, "", "file is missing"))
        return None
    text = _read_text(path, MAX_TOML_BYTES, issues)
    if text is None:
        return None
    too_deep = f"nested too deeply (tables and arrays more than {MAX_TOML_DEPTH} levels deep)"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        issues.append(LessonIssue(path, "", f"invalid TOML: {error}"))
        return None
    except RecursionError:
        issues.append(LessonIssue(path, "", too_deep))
        return None
    if _toml_depth(data, MAX_TOML_DEPTH) > MAX_TOML_DEPTH:
        issues.append(LessonIssue(path, "", too_deep))
        return None
    return data


def split_prose(text: str) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """Split a lesson's Markdown into step sections.

    Returns ({step_id: (title, body)}, problems). The title is the section's first heading
    (removed from the body, since the screen shows it separately); it is "" when absent.
    """
    sections: dict[str, list[str]] = {}
    order: list[str] = []
    problems: list[str] = []
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        marker = _STEP_MARKER_RE.match(line.strip())
        if marker:
            current = marker.group("id")
            if current in sections:
                problems.append(f"line {number}: step {current!r} has a second section")
            sections[current] = []
            order.append(current)
            continue
        if current is None:
            if line.strip() and not line.strip().startswith("<!--"):
                problems.append(
                    f"line {number}: text before the first '<!-- step: ID -->' marker"
                )
            continue
        sections[current].append(line)
    result: dict[str, tuple[str, str]] = {}
    for step_id in order:
        lines = sections[step_id]
        title = ""
        for i, line in enumerate(lines):
            if not line.strip():
                continue
            heading = _HEADING_RE.match(line)
            if heading:
                title = heading.group("title")
                lines = lines[:i] + lines[i + 1 :]
            break
        result[step_id] = (title, "\n".join(lines).strip() + "\n")
    return result, problems


def split_reveal(body: str) -> tuple[str, str, int]:
    """A step's prose split at its `<!-- reveal -->` line: (shown, held back, markers found).

    Without a marker everything is shown and nothing is held back.
    """
    lines = body.splitlines()
    marks = [i for i, line in enumerate(lines) if _REVEAL_MARKER_RE.match(line.strip())]
    if not marks:
        return body, "", 0
    first = marks[0]
    rest = [line for line in lines[first + 1 :] if not _REVEAL_MARKER_RE.match(line.strip())]
    shown = "\n".join(lines[:first]).strip()
    return (shown + "\n" if shown else ""), "\n".join(rest).strip() + "\n", len(marks)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _load_options(opts: Any, prefix: str, out: _Collector) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
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


def _encode(kind: str, value: Any, options: tuple[str, ...], key: str, out: _Collector) -> Any:
    """A TOML answer (or known mistake) in the model's encoding for `kind`; None if unusable.

    single: the option's text -> its index; multiple: a list of texts -> sorted indices;
    number: float; vector: tuple of floats; matrix: tuple of equally long row tuples.
    """
    if kind == "single":
        if not isinstance(value, str):
            out.add(key, "expected the text of an option")
            return None
        if value.strip() not in options:
            out.add(key, f"{_show(value)} is not among the options")
            return None
        return options.index(value.strip())
    if kind == "multiple":
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            out.add(key, "expected a list of option texts")
            return None
        for text in value:
            if text.strip() not in options:
                out.add(key, f"{_show(text)} is not among the options")
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
    """Two encoded answers are equal (numbers within `tolerance`)."""
    if kind in ("single", "multiple"):
        return a == b
    flat_a = (a,) if kind == "number" else tuple(a) if kind == "vector" else tuple(x for r in a for x in r)
    flat_b = (b,) if kind == "number" else tuple(b) if kind == "vector" else tuple(x for r in b for x in r)
    return len(flat_a) == len(flat_b) and all(abs(x - y) <= tolerance for x, y in zip(flat_a, flat_b))


def _load_mistakes(raw: Any, kind: str, options: tuple[str, ...], answer: Any, tolerance: float,
                   prefix: str, out: _Collector) -> tuple[tuple[Any, str], ...]:
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
        value = _encode(kind, entry.get("answer"), options, f"{where}.answer", out)
        if value is None:
            continue
        if answer is not None and _same(kind, value, answer, tolerance):
            out.add(f"{where}.answer", "this is the right answer, not a mistake")
            continue
        pairs.append((value, " ".join(say.split())))
    return tuple(pairs)


def _load_question(raw: Any, index: int, out: _Collector) -> Question | None:
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
        out.add(f"{prefix}kind", f"expected one of {', '.join(QUESTION_KINDS)}, got {_show(kind)}")
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
        answer = _encode(kind, raw_answer, options, f"{prefix}answer", out)
        if answer is None:
            return None
        right = {answer} if kind == "single" else set(answer)
        for i in sorted(right):
            if reasons[i]:
                out.add(f"{prefix}options[{i}]", "the right option has a 'why'; a reason belongs to a wrong option")
    elif kind in ("number", "vector", "matrix"):
        answer = _encode(kind, raw_answer, options, f"{prefix}answer", out)
        if answer is None:
            return None
    else:  # predict
        from tutor.quiz.grade import template_problem
        from tutor.quiz.predict import GENERATORS

        generator = raw.get("generator")
        if not isinstance(generator, str) or generator not in GENERATORS:
            out.add(
                f"{prefix}generator",
                f"unknown generator {_show(generator)} (known: {', '.join(sorted(GENERATORS))})",
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


def _load_step(raw: Any, index: int, out: _Collector) -> dict[str, Any] | None:
    """Validate one [[steps]] table; prose is attached later from the Markdown file."""
    from tutor.scenes.registry import SCENES, check_param

    prefix = f"steps[{index}]."
    if not isinstance(raw, dict):
        out.add(f"steps[{index}]", "expected a table")
        return None
    out.unknown_keys(raw, _STEP_KEYS, prefix)
    step_id = out.ident(raw, "id", prefix)
    if step_id:
        prefix = f"steps[{index}] ({step_id})."
    title = out.text(raw, "title", prefix, required=False)
    scene = raw.get("scene")
    scene_params = raw.get("scene_params", {})
    if scene is not None:
        if not isinstance(scene, str) or scene not in SCENES:
            out.add(f"{prefix}scene", f"unknown scene {_show(scene)} (known: {', '.join(sorted(SCENES))})")
            scene = None
        elif not isinstance(scene_params, dict):
            out.add(f"{prefix}scene_params", "expected a table")
            scene_params = {}
        else:
            spec = SCENES[scene]
            for name, value in scene_params.items():
                if name not in spec.specs:
                    out.add(
                        f"{prefix}scene_params.{_key(name)}",
                        f"scene {scene!r} has no parameter {_show(name)} "
                        f"(it takes: {', '.join(sorted(spec.specs))})",
                    )
                    continue
                # The kind and the range the registry declares (a scene clamps into it too).
                expected = check_param(spec.specs[name], value)
                if expected:
                    out.add(f"{prefix}scene_params.{name}", f"expected {expected}, got {_show(value)}")
    elif scene_params:
        out.add(f"{prefix}scene_params", "given without a scene")
    questions = raw.get("questions", [])
    if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
        out.add(f"{prefix}questions", "expected a list of question ids")
        questions = []
    hold_scene = raw.get("hold_scene", False)
    if not isinstance(hold_scene, bool):
        out.add(f"{prefix}hold_scene", "expected true or false")
        hold_scene = False
    elif hold_scene and not (scene and questions):
        out.add(f"{prefix}hold_scene", "holds a scene's answers until the step's questions are answered; the step needs a scene and questions")
        hold_scene = False
    elif hold_scene and not SCENES[scene].holds_answers:
        out.add(f"{prefix}hold_scene", f"scene {scene!r} cannot hold its answers back")
        hold_scene = False
    if not step_id:
        return None
    return {
        "id": step_id, "title": title, "scene": scene,
        "scene_params": dict(scene_params) if scene else {}, "questions": tuple(questions),
        "key": prefix, "hold_scene": hold_scene,
    }


def load_lesson(folder: Path, expected_id: str, issues: list[LessonIssue]) -> Lesson | None:
    """Load one lesson folder, appending any problems to `issues`."""
    toml_path = folder / "lesson.toml"
    data = _read_toml(toml_path, folder, issues)
    if data is None:
        return None
    out = _Collector(issues, toml_path)
    out.unknown_keys(data, _LESSON_KEYS, "")
    lesson_id = out.ident(data, "id")
    if lesson_id and lesson_id != expected_id:
        out.add("id", f"is {_show(lesson_id)} but course.toml lists this folder as {expected_id!r}")
    title = out.text(data, "title")
    summary = out.text(data, "summary")

    questions: dict[str, Question] = {}
    raw_questions = data.get("questions", [])
    if not isinstance(raw_questions, list):
        out.add("questions", "expected an array of tables ([[questions]])")
        raw_questions = []
    for i, raw in enumerate(raw_questions):
        question = _load_question(raw, i, out)
        if question is None:
            continue
        if question.id in questions:
            out.add(f"questions[{i}].id", f"duplicate question id {question.id!r}")
            continue
        questions[question.id] = question

    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        out.add("steps", "expected at least one [[steps]] table")
        raw_steps = []
    step_dicts: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_steps):
        step = _load_step(raw, i, out)
        if step is None:
            continue
        if step["id"] in seen:
            out.add(f"steps[{i}].id", f"duplicate step id {step['id']!r}")
            continue
        seen.add(step["id"])
        step_dicts.append(step)

    asked: set[str] = set()
    for step in step_dicts:
        for qid in step["questions"]:
            if qid not in questions and not any(
                isinstance(q, dict) and q.get("id") == qid for q in raw_questions
            ):
                out.add(f"{step['key']}questions", f"no question has id {qid!r}")
            if qid in asked:
                out.add(f"{step['key']}questions", f"question {qid!r} is asked on two steps")
            asked.add(qid)
    for qid in questions:
        if qid not in asked:
            out.add("questions", f"question {qid!r} is never asked: list it in a step's questions")

    prose_name = data.get("prose", "lesson.md")
    if not isinstance(prose_name, str) or not prose_name or "\0" in prose_name:
        out.add("prose", "expected a file name")
        prose_name = "lesson.md"
    prose_path = folder / prose_name
    sections: dict[str, tuple[str, str]] = {}
    text: str | None = None
    if not _inside(prose_path, folder):
        # `..`, an absolute path or a link out of the folder: never read, never shown.
        out.add("prose", f"{_show(prose_name)} is outside the lesson folder; prose must be a file inside it")
    elif not prose_path.is_file():
        out.add("prose", f"file {_show(prose_name)} is missing")
    else:
        text = _read_text(prose_path, MAX_PROSE_BYTES, issues)
    if text is not None:
        sections, problems = split_prose(text)
        md = _Collector(issues, prose_path)
        for problem in problems:
            md.add("", problem)
        for step in step_dicts:
            if step["id"] not in sections:
                md.add("", f"no '<!-- step: {step['id']} -->' section for step {step['id']!r}")
            elif not sections[step["id"]][1].strip():
                md.add(f"step {step['id']}", "section has no prose")
            else:
                _, _, markers = split_reveal(sections[step["id"]][1])
                if markers > 1:
                    md.add(f"step {step['id']}", "more than one '<!-- reveal -->' line")
                elif markers and not step["questions"]:
                    md.add(f"step {step['id']}", "'<!-- reveal -->' holds prose back until the step's questions are answered, but the step has none")
        for section_id in sections:
            if section_id not in seen:
                md.add(f"step {section_id}", "section for a step that lesson.toml does not list")

    if not (lesson_id and title and summary and step_dicts):
        return None
    steps = []
    for step in step_dicts:
        heading, body = sections.get(step["id"], ("", ""))
        shown, held_back, _ = split_reveal(body)
        steps.append(
            Step(
                id=step["id"], title=step["title"] or heading or step["id"], prose=shown,
                scene=step["scene"], scene_params=step["scene_params"], questions=step["questions"],
                reveal=held_back, hold_scene=step["hold_scene"],
            )
        )
    return Lesson(
        id=lesson_id, title=title, summary=summary, steps=tuple(steps), questions=questions,
        path=folder,
    )


def load_course(root: Path) -> Course:
    """Load and validate the whole lesson tree under `root` (a folder holding course.toml).

    Raises CourseError listing every problem found.
    """
    root = Path(root)
    issues: list[LessonIssue] = []
    manifest = root / "course.toml"
    if not root.is_dir():
        raise CourseError([LessonIssue(root, "", "is not a folder holding a course.toml")])
    data = _read_toml(manifest, root, issues)
    if data is None:
        raise CourseError(issues)
    out = _Collector(issues, manifest)
    out.unknown_keys(data, _COURSE_KEYS, "")
    version = data.get("format_version")
    if version not in SUPPORTED_FORMAT_VERSIONS:
        out.add(
            "format_version",
            f"expected one of {', '.join(map(str, SUPPORTED_FORMAT_VERSIONS))}, got {_show(version)}"
            " (a newer dl-tutor may read it)",
        )
        raise CourseError(issues)
    title = out.text(data, "title")
    raw_units = data.get("units")
    if not isinstance(raw_units, list) or not raw_units:
        out.add("units", "expected at least one [[units]] table")
        raise CourseError(issues)
    units: list[Unit] = []
    unit_ids: set[str] = set()
    lesson_ids: set[str] = set()
    for u, raw in enumerate(raw_units):
        prefix = f"units[{u}]."
        if not isinstance(raw, dict):
            out.add(f"units[{u}]", "expected a table")
            continue
        out.unknown_keys(raw, _UNIT_KEYS, prefix)
        unit_id = out.ident(raw, "id", prefix)
        unit_title = out.text(raw, "title", prefix)
        if unit_id in unit_ids:
            out.add(f"{prefix}id", f"duplicate unit id {unit_id!r}")
        unit_ids.add(unit_id)
        ids = raw.get("lessons")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            out.add(f"{prefix}lessons", "expected a non-empty list of lesson ids")
            continue
        lessons: list[Lesson] = []
        for lesson_id in ids:
            if lesson_id in lesson_ids:
                out.add(f"{prefix}lessons", f"duplicate lesson id {_show(lesson_id)}")
                continue
            lesson_ids.add(lesson_id)
            if not _ID_RE.fullmatch(lesson_id):
                out.add(f"{prefix}lessons", f"{_show(lesson_id)} is not a valid lesson id")
                continue
            folder = root / lesson_id
            if not _inside(folder, root):
                out.add(f"{prefix}lessons", f"lesson folder {lesson_id}/ is a link out of the course folder")
                continue
            if not folder.is_dir():
                out.add(f"{prefix}lessons", f"lesson folder {lesson_id}/ is missing")
                continue
            lesson = load_lesson(folder, lesson_id, issues)
            if lesson is not None:
                lessons.append(lesson)
        units.append(Unit(id=unit_id, title=unit_title, lessons=tuple(lessons)))
    if issues:
        raise CourseError(issues)
    return Course(title=title, format_version=version, units=tuple(units), path=root)
