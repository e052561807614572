"""A fixture course made from the scene registry alone: one lesson per scene kind, one step per
parameter variant, with fixed prose and one fixed question.

It never reads the shipped lessons, so the tests that drive it (the walk and the monkey in
`tests/test_scene_kinds.py`) cost the same however many lessons the course has, and do not move
when a lesson's words or counts change. A new scene kind is toured as soon as it is registered.

The parameter space of a kind is its defaults, then each other allowed value of every choice
parameter and the other value of every flag, one parameter at a time (defaults and choices come
from the registry's ParamSpecs). Numbers keep their defaults: their ranges are checked by
`tests/test_hostile_lessons.py`, the shipped values without the app by
`tests/test_course_content.py`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tutor.scenes.registry import SCENES, SceneSpec, scene_names

#: The one question on every tour step: a number whose answer a test types in.
QUESTION_ANSWER = 4


def variants(spec: SceneSpec) -> list[dict[str, Any]]:
    """The parameter dicts a kind is toured with: {} (its defaults), then one value changed:
    every other choice of each choice parameter, the other value of each flag (both values
    where the registry leaves the default to the scene)."""
    found: list[dict[str, Any]] = [{}]
    for name, param in spec.specs.items():
        if param.kind == "choice":
            values: list[Any] = list(param.choices)
        elif param.kind == "bool":
            values = [True, False]
        else:
            continue
        found.extend({name: value} for value in values if param.default is None or value != param.default)
    return found


def lesson_id(scene: str) -> str:
    """The tour lesson that holds scene kind `scene`."""
    return f"tour-{scene}"


def step_id(params: dict[str, Any]) -> str:
    """A readable, unique step id for one variant ("defaults", "gate-xor", "editable-true")."""
    if not params:
        return "defaults"
    (name, value), = params.items()
    text = str(value).lower() if not isinstance(value, bool) else ("true" if value else "false")
    return "-".join(part for part in f"{name}-{text}".replace("_", "-").replace(" ", "-").split("-") if part)


def _toml_value(value: Any) -> str:
    """A scalar parameter value written as TOML (bools lower case, strings quoted)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def write_lesson(folder: Path, scene: str, steps: list[dict[str, Any]]) -> None:
    """One tour lesson for `scene` with the given parameter variants, in `folder`."""
    folder.mkdir(parents=True)
    toml = [f'id = "{lesson_id(scene)}"', f'title = "Tour: {scene}"', f'summary = "Every variant of {scene}."', ""]
    prose = []
    for params in steps:
        sid = step_id(params)
        inline = ", ".join(f"{name} = {_toml_value(value)}" for name, value in params.items())
        toml += ["[[steps]]", f'id = "{sid}"', f'scene = "{scene}"']
        if inline:
            toml.append(f"scene_params = {{ {inline} }}")
        toml += [f'questions = ["q-{sid}"]', ""]
        prose += [f"<!-- step: {sid} -->", f"## {scene}: {sid}", "", "Fixture prose for the scene tour.", ""]
    for params in steps:
        sid = step_id(params)
        toml += [
            "[[questions]]", f'id = "q-{sid}"', 'kind = "number"', 'prompt = "What is 2 + 2?"',
            f"answer = {QUESTION_ANSWER}", 'explanation = "Four."', 'hints = ["Count on your fingers."]', "",
        ]
    (folder / "lesson.toml").write_text("\n".join(toml), encoding="utf-8")
    (folder / "lesson.md").write_text("\n".join(prose), encoding="utf-8")


def tour_course(root: Path, scenes: list[str] | None = None) -> Path:
    """Write the tour course for `scenes` (default: every registered kind) under `root`."""
    course = root / "tour-course"
    names = scene_names() if scenes is None else scenes
    lines = ['format_version = 1', 'title = "Scene tour"', ""]
    for scene in names:
        write_lesson(course / lesson_id(scene), scene, variants(SCENES[scene]))
        lines += ["[[units]]", f'id = "unit-{scene}"', f'title = "{scene}"', f'lessons = ["{lesson_id(scene)}"]', ""]
    (course / "course.toml").write_text("\n".join(lines), encoding="utf-8")
    return course
