"""Lesson packs written to break the tutor (issue #14): each attack is reproduced and must end in
one line naming the file and the key, never a traceback, a file read from outside the pack, or a
scene that eats the memory or never stops.

- 6: TOML nested hundreds deep (RecursionError in the parser) and absurdly large TOML files.
- 11: prose, lesson files and lesson folders that lead out of the pack (`..`, absolute paths,
  symlinks).
- 7: resource limits: huge prose files, scene parameters beyond their registered range, and
  predict templates whose format spec asks for a huge width.
- 8: every registered scene kind built with hostile values of every parameter.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest

from tutor.cli import main
from tutor.content import CourseError, Question, load_course
from tutor.content import loader
from tutor.quiz import instantiate
from tutor.quiz.grade import MAX_FORMAT_WIDTH
from tutor.scenes.registry import SCENES, ParamSpec, load_scene_class

# --------------------------------------------------------------------------- a pack to attack

STEP_MD = "<!-- step: {id} -->\n## Step {id}\n\nSome prose.\n"


def write_course(root: Path, lessons: dict[str, tuple[str, str]]) -> Path:
    """A course at `root` with lessons {id: (lesson.toml text, lesson.md text)}, one unit."""
    root.mkdir(parents=True, exist_ok=True)
    ids = json.dumps(list(lessons))
    (root / "course.toml").write_text(
        f'format_version = 1\ntitle = "Hostile"\n\n[[units]]\nid = "u"\ntitle = "U"\nlessons = {ids}\n',
        encoding="utf-8",
    )
    for lesson_id, (toml_text, md_text) in lessons.items():
        folder = root / lesson_id
        folder.mkdir()
        (folder / "lesson.toml").write_text(toml_text, encoding="utf-8")
        (folder / "lesson.md").write_text(md_text, encoding="utf-8")
    return root


def lesson_toml(lesson_id: str = "evil", extra: str = "", steps: str = '[[steps]]\nid = "s"\n') -> str:
    return f'id = "{lesson_id}"\ntitle = "Evil"\nsummary = "An attack."\n{extra}\n{steps}'


def good_course(root: Path) -> Path:
    return write_course(root, {"evil": (lesson_toml(), STEP_MD.format(id="s"))})


def check(root: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """`dl-tutor check-lessons ROOT`: it must fail cleanly; returns its issue lines."""
    assert main(["check-lessons", str(root)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return captured.out.splitlines()


def only_issue(lines: list[str], file: Path, key: str, message: str) -> str:
    """The one line naming `file`, then `key`, whose message holds `message`."""
    head = f"{file}: {key}: " if key else f"{file}: "
    found = [line for line in lines if line.startswith(head) and message in line]
    assert len(found) == 1, f"no single line {head}...{message}...; got:\n" + "\n".join(lines)
    return found[0]


# --------------------------------------------------------------------------- 6: TOML nesting, size


def _nested_array(depth: int) -> str:
    return "x = " + "[" * depth + "1" + "]" * depth + "\n"


def _nested_table(depth: int) -> str:
    return "x = " + "{ a = " * depth + "1" + " }" * depth + "\n"


@pytest.mark.parametrize(
    "nesting",
    [
        pytest.param(_nested_array(500), id="array-500"),  # RecursionError inside tomllib
        pytest.param(_nested_table(500), id="table-500"),
        pytest.param(_nested_array(loader.MAX_TOML_DEPTH + 5), id="array-over-the-limit"),
    ],
)
def test_deeply_nested_lesson_toml_is_one_issue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], nesting: str
) -> None:
    root = write_course(tmp_path / "c", {"evil": (lesson_toml() + nesting, STEP_MD.format(id="s"))})
    lines = check(root, capsys)
    only_issue(lines, root / "evil" / "lesson.toml", "", "nested too deeply")


def test_deeply_nested_course_toml_is_one_issue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = good_course(tmp_path / "c")
    with (root / "course.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n[deep]\n" + _nested_array(500))
    only_issue(check(root, capsys), root / "course.toml", "", "nested too deeply")


def test_deeply_nested_toml_in_list_data_dir_and_app(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_course(tmp_path / "c", {"evil": (lesson_toml() + _nested_array(500), STEP_MD.format(id="s"))})
    data = tmp_path / "data"
    data.mkdir()
    for argv in (["--lessons", str(root), "list"], ["--data-dir", str(data), "--lessons", str(root), "list"]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert "nested too deeply" in err and "Traceback" not in err
    from tutor.app import make_app

    with pytest.raises(CourseError, match="nested too deeply"):
        make_app(lessons=root, home=data)


def test_oversized_toml_is_refused_before_parsing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    padding = "# " + "x" * 1000 + "\n"
    toml_text = lesson_toml() + padding * (loader.MAX_TOML_BYTES // len(padding) + 1)
    root = write_course(tmp_path / "c", {"evil": (toml_text, STEP_MD.format(id="s"))})
    parsed: list[int] = []
    real_loads = loader.tomllib.loads
    monkeypatch.setattr(loader.tomllib, "loads", lambda text: parsed.append(len(text)) or real_loads(text))
    line = only_issue(check(root, capsys), root / "evil" / "lesson.toml", "", "larger than the limit")
    assert f"{loader.MAX_TOML_BYTES:,}" in line
    assert parsed and max(parsed) <= loader.MAX_TOML_BYTES  # only course.toml was parsed


# --------------------------------------------------------------------------- 11: files out of the pack

SECRET = "<!-- step: s -->\n## Stolen\n\nTOP SECRET CONTENT\n"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A Markdown file outside the pack that a lesson tries to show."""
    path = tmp_path / "outside" / "secret.md"
    path.parent.mkdir()
    path.write_text(SECRET, encoding="utf-8")
    return path


def _symlink(link: Path, target: Path) -> None:
    try:
        os.symlink(target, link, target_is_directory=target.is_dir())
    except (OSError, NotImplementedError) as error:  # e.g. Windows without the privilege
        pytest.skip(f"cannot make a symlink here: {error}")


@pytest.mark.parametrize("how", ["dotdot", "absolute"])
def test_prose_path_out_of_the_lesson_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], secret: Path, how: str
) -> None:
    name = "../../outside/secret.md" if how == "dotdot" else secret.as_posix()
    root = write_course(tmp_path / "c", {"evil": (lesson_toml(extra=f"prose = {json.dumps(name)}"), "")})
    assert (root / "evil" / name).resolve() == secret.resolve()  # the attack would work
    lines = check(root, capsys)
    only_issue(lines, root / "evil" / "lesson.toml", "prose", "outside the lesson folder")
    assert "TOP SECRET" not in "\n".join(lines)


def test_prose_symlink_out_of_the_pack_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], secret: Path
) -> None:
    root = good_course(tmp_path / "c")
    (root / "evil" / "lesson.md").unlink()
    _symlink(root / "evil" / "lesson.md", secret)
    lines = check(root, capsys)
    only_issue(lines, root / "evil" / "lesson.toml", "prose", "outside the lesson folder")
    # The app loads the course the same way: it never shows the file.
    with pytest.raises(CourseError) as info:
        load_course(root)
    assert "TOP SECRET" not in str(info.value)


def test_lesson_toml_symlink_out_of_its_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = good_course(tmp_path / "c")
    outside = tmp_path / "lesson.toml"
    (root / "evil" / "lesson.toml").rename(outside)
    _symlink(root / "evil" / "lesson.toml", outside)
    only_issue(check(root, capsys), root / "evil" / "lesson.toml", "", "outside its folder")


def test_lesson_folder_symlink_out_of_the_course_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = good_course(tmp_path / "c")
    elsewhere = tmp_path / "elsewhere"
    (root / "evil").rename(elsewhere)
    _symlink(root / "evil", elsewhere)
    only_issue(check(root, capsys), root / "course.toml", "units[0].lessons", "link out of the course folder")


def test_symlinks_inside_the_pack_still_work(tmp_path: Path) -> None:
    root = good_course(tmp_path / "c")
    (root / "evil" / "lesson.md").rename(root / "evil" / "real.md")
    _symlink(root / "evil" / "lesson.md", root / "evil" / "real.md")
    assert load_course(root).lesson("evil").steps[0].prose.strip() == "Some prose."


# --------------------------------------------------------------------------- 7: resource limits


def test_huge_prose_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = STEP_MD.format(id="s") + ("word " * 200 + "\n") * (loader.MAX_PROSE_BYTES // 1000 + 1)
    root = write_course(tmp_path / "c", {"evil": (lesson_toml(), body)})
    line = only_issue(check(root, capsys), root / "evil" / "lesson.md", "", "larger than the limit")
    assert f"{loader.MAX_PROSE_BYTES:,}" in line


#: (scene, parameter, a hostile value from the issue, what the scene uses instead)
OUT_OF_RANGE = [
    ("perceptron-training", "max_epochs", 1_000_000_000, ("max_epochs", 1000)),
    ("backend-race", "repeats", 1_000_000_000, ("repeats", 20)),
    ("line-fit", "query", 1e308, ("query_x", 1000.0)),
    ("batch-compare", "seed", -1, ("seed", 0)),
    ("conv-slide", "seed", -1, ("seed", 0)),
]


@pytest.mark.parametrize(("scene", "name", "value", "used"), OUT_OF_RANGE, ids=[f"{s}-{n}" for s, n, *_ in OUT_OF_RANGE])
def test_out_of_range_scene_parameter_is_reported_and_clamped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], scene: str, name: str, value: Any,
    used: tuple[str, Any],
) -> None:
    steps = f'[[steps]]\nid = "s"\nscene = "{scene}"\nscene_params = {{ {name} = {value!r} }}\n'
    root = write_course(tmp_path / "c", {"evil": (lesson_toml(steps=steps), STEP_MD.format(id="s"))})
    spec = SCENES[scene].specs[name]
    line = only_issue(
        check(root, capsys), root / "evil" / "lesson.toml", f"steps[0] (s).scene_params.{name}", spec.expected()
    )
    assert "from" in line and "to" in line  # the allowed range is named
    built = load_scene_class(scene)({name: value})
    attribute, expected = used
    assert getattr(built, attribute) == expected


def test_wide_template_field_is_reported_and_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    question = (
        '[[questions]]\nid = "q"\nkind = "predict"\ngenerator = "neuron.weighted_sum"\n'
        'prompt = "What is {w1:>300000000}?"\nexplanation = "Fine: {w1}."\n'
        'hints = ["ok", "{w1:.999999999f}"]\n'
    )
    steps = '[[steps]]\nid = "s"\nquestions = ["q"]\n'
    root = write_course(tmp_path / "c", {"evil": (lesson_toml(steps=steps) + question, STEP_MD.format(id="s"))})
    lines = check(root, capsys)
    toml_path = root / "evil" / "lesson.toml"
    only_issue(lines, toml_path, "questions[0] (q).prompt", f"width is above the limit of {MAX_FORMAT_WIDTH}")
    only_issue(lines, toml_path, "questions[0] (q).hints[1]", f"precision is above the limit of {MAX_FORMAT_WIDTH}")
    assert len(lines) == 2
    # At run time the template is refused before anything is filled.
    hostile = Question(id="q", kind="predict", prompt="{w1:>300000000}", generator="neuron.weighted_sum")
    with pytest.raises(ValueError, match="width is above the limit"):
        instantiate(hostile)


# --------------------------------------------------------------------------- 8: every scene, hostile values

#: Values a lesson (or a careless edit) can put into any parameter.
HOSTILE: list[Any] = [
    10**12, -(10**12), 1e308, -1e308, -1, float("nan"), float("inf"), "x", None,
    [1e308, -1e308], [float("nan")], {"a": 1}, True,
]


#: Scenes that train when built get one epoch for the other parameters (the fast tier).
QUICK: dict[str, dict[str, Any]] = {name: {"epochs": 1} for name in ("batch-compare", "line-fit", "xor-network")}


@pytest.mark.parametrize("scene", sorted(SCENES))
def test_every_scene_builds_with_hostile_parameters(scene: str) -> None:
    cls = load_scene_class(scene)
    for name in SCENES[scene].specs:
        for value in HOSTILE:
            built = cls({**QUICK.get(scene, {}), name: value})  # no app needed; must not raise
            total, start = built.total_frames, built.initial_position
            assert isinstance(total, int) and total >= 0 and start >= 0, (scene, name, value)
            resolved = built.params.get(name)
            spec = SCENES[scene].specs[name]
            assert resolved is None or spec.fits(resolved), f"{scene}.{name}={value!r} became {resolved!r}"


def _beyond(spec: ParamSpec) -> Any:
    """A value just outside the range (or of no allowed kind) that check-lessons must report."""
    if spec.kind in ("int", "number"):
        return spec.high + 1 if spec.high is not None else spec.low - 1
    if spec.kind == "pair":
        return [spec.high + 1, spec.high + 1]
    if spec.kind == "vector":
        return [spec.high + 1] * max(1, spec.min_len)
    if spec.kind == "str":
        return "x" * (spec.max_len + 1)
    return "no-such-choice" if spec.kind == "choice" else 1


def test_every_parameter_has_a_bounded_range() -> None:
    for scene, scene_spec in SCENES.items():
        for name, spec in scene_spec.specs.items():
            where = f"{scene}.{name}"
            if spec.kind in ("int", "number", "pair", "vector"):
                assert spec.low is not None and spec.high is not None, f"{where} has no range"
                assert math.isfinite(spec.low) and math.isfinite(spec.high) and spec.low <= spec.high, where
            if spec.kind in ("str", "vector"):
                assert spec.max_len is not None, f"{where} has no length limit"


def test_check_lessons_reports_every_parameter_out_of_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One lesson per scene kind, one step per parameter set just beyond its range."""
    lessons: dict[str, tuple[str, str]] = {}
    expected: list[tuple[str, str, str]] = []
    for scene, scene_spec in SCENES.items():
        steps, md = "", ""
        for i, (name, spec) in enumerate(scene_spec.specs.items()):
            value = _beyond(spec)
            steps += (f'[[steps]]\nid = "p{i}"\nscene = "{scene}"\n'
                      f"scene_params = {{ {name} = {json.dumps(value)} }}\n\n")
            md += STEP_MD.format(id=f"p{i}")
            expected.append((scene, f"steps[{i}] (p{i}).scene_params.{name}", spec.expected()))
        if steps:
            lessons[scene] = (lesson_toml(scene, steps=steps), md)
    root = write_course(tmp_path / "c", lessons)
    lines = check(root, capsys)
    for scene, key, message in expected:
        only_issue(lines, root / scene / "lesson.toml", key, message)
    assert len(lines) == len(expected)
