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
import tomllib
from pathlib import Path
from typing import Any

from tutor.content.issues import Collector as _Collector
from tutor.content.issues import _ID_RE, CourseError, LessonIssue
from tutor.content.issues import short_key as _key
from tutor.content.issues import show as _show
from tutor.content.model import Course, Lesson, Question, Step, Unit
from tutor.content.questions import load_question as _load_question

#: Versions of the course format this release understands.
SUPPORTED_FORMAT_VERSIONS = (1,)

#: The largest course.toml or lesson.toml, in bytes (the shipped ones are at most 11 kB).
MAX_TOML_BYTES = 256_000
#: The largest prose file (lesson.md), in bytes (the shipped ones are under 9 kB). Markdown can
#: take the app's parser about 25 µs a character (a page of `[`), so this bounds a step's wait.
MAX_PROSE_BYTES = 256_000
#: The deepest nesting of tables and arrays in a TOML file (a lesson needs about 5).
MAX_TOML_DEPTH = 32

_STEP_MARKER_RE = re.compile(r"^<!--\s*step:\s*(?P<id>\S+)\s*-->\s*$")
#: A line that holds back the rest of a step's prose until the step's questions are answered.
_REVEAL_MARKER_RE = re.compile(r"^<!--\s*reveal\s*-->\s*$")
_HEADING_RE = re.compile(r"^#{1,3}\s+(?P<title>.+?)\s*#*\s*$")

_COURSE_KEYS = {"format_version", "title", "units"}
_UNIT_KEYS = {"id", "title", "lessons"}
_LESSON_KEYS = {"id", "title", "summary", "prose", "steps", "questions"}
_STEP_KEYS = {"id", "title", "scene", "scene_params", "questions", "hold_scene", "in_order", "exercise"}


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
    in_order = raw.get("in_order", False)
    if not isinstance(in_order, bool):
        out.add(f"{prefix}in_order", "expected true or false")
        in_order = False
    elif in_order and len(questions) < 2:
        out.add(f"{prefix}in_order", "asks a step's questions one after another; the step needs two or more")
        in_order = False
    exercise = _step_exercise(raw.get("exercise"), prefix, out)
    if not step_id:
        return None
    return {
        "id": step_id, "title": title, "scene": scene,
        "scene_params": dict(scene_params) if scene else {}, "questions": tuple(questions),
        "key": prefix, "hold_scene": hold_scene, "in_order": in_order, "exercise": exercise,
    }


def _step_exercise(value: Any, prefix: str, out: _Collector) -> str | None:
    """A step's `exercise` key: the exact id of a hands-on exercise, or None (with an issue)."""
    if value is None:
        return None
    from tutor.exercises.catalogue import EXERCISES

    known = [exercise.id for exercise in EXERCISES]
    if not isinstance(value, str) or value not in known:
        import difflib

        close = difflib.get_close_matches(value, known, n=1) if isinstance(value, str) else []
        guess = f"; did you mean {close[0]!r}?" if close else ""
        out.add(f"{prefix}exercise", f"unknown exercise {_show(value)}{guess} (known: "
                f"{', '.join(known)}; `dl-tutor exercises` lists them)")
        return None
    return value


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
                reveal=held_back, hold_scene=step["hold_scene"], in_order=step["in_order"],
                exercise=step["exercise"],
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


#: Bump when the Course objects change shape (a pickle of another shape is never read).
COURSE_CACHE_VERSION = 1


def _tree_key(root: Path) -> str:
    """A digest of every file under `root` (path, size, mtime) and of this package's own source
    files, so an edited lesson or a changed loader never meets an old cache."""
    import hashlib

    digest = hashlib.sha256(f"v{COURSE_CACHE_VERSION}|{root.resolve()}".encode())
    for folder in (root, Path(__file__).parent):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(f"|{path}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def load_course_cached(root: Path, cache_dir: Path | None) -> Course:
    """`load_course`, keeping the validated course in `cache_dir` (a pickle of our own making,
    keyed by `_tree_key`), so the next start of the app skips reading and checking every lesson
    (about 0.1 s). A missing, damaged or unwritable cache only means `load_course` runs; a broken
    tree raises CourseError as always (nothing is cached for it)."""
    import os
    import pickle

    root = Path(root)
    path: Path | None = None
    if cache_dir is None:
        return load_course(root)
    try:
        path = Path(cache_dir) / f"course-{_tree_key(root)[:32]}.pickle"
        with path.open("rb") as handle:
            stat = os.fstat(handle.fileno())
            # Only a file of our own that nobody else may write is unpickled (a shared or
            # misconfigured data folder must not become a way to run code in the tutor).
            if stat.st_uid == os.getuid() and not stat.st_mode & 0o022:
                course = pickle.load(handle)
                if isinstance(course, Course):
                    return course
    except FileNotFoundError:
        pass
    except Exception:  # noqa: BLE001 - a damaged cache or an unreadable tree: read the lessons
        pass
    course = load_course(root)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            for old in path.parent.glob("course-*.pickle"):
                old.unlink(missing_ok=True)
            temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(pickle.dumps(course, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(temporary, path)
        except (OSError, pickle.PicklingError):
            pass
    return course
