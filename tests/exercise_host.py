"""Shared set-up of the tests that drive exercise steps through the real app: a one-lesson
fixture course whose step names an exercise (and, optionally, a scene that runs on the
learner's code), a private workspace, and a learner file recorded as passed or failing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tutor.exercises.catalogue import GIB, Exercise, Limits
from tutor.exercises.workspace import WORKSPACE_ENV, Workspace

#: The lesson id of every fixture course written here.
LESSON = "hands-on"
#: Limits for a scene's call of the learner's code in tests: an endless loop ends quickly.
SCENE_TEST_LIMITS = Limits(wall_seconds=5.0, cpu_seconds=8, memory_bytes=GIB)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return '"' + value.replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def exercise_course(root: Path, exercise: str, *, scene: str | None = None,
                    scene_params: dict[str, Any] | None = None, intro: bool = False,
                    question: str = "") -> Path:
    """Write a course with one lesson, `LESSON`, whose step "write-it" is the exercise step
    (after a step "intro" when `intro`), with `scene` and its params when given; `question` is
    a `[[questions]]` table (id "q") the exercise step asks. Returns `root`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "course.toml").write_text(
        'format_version = 1\ntitle = "Hands-on fixture"\n\n'
        f'[[units]]\nid = "u"\ntitle = "Unit"\nlessons = ["{LESSON}"]\n')
    lesson = root / LESSON
    lesson.mkdir(exist_ok=True)
    toml = f'id = "{LESSON}"\ntitle = "Hands on"\nsummary = "Write it yourself."\n\n'
    prose = ""
    if intro:
        toml += '[[steps]]\nid = "intro"\n\n'
        prose += "<!-- step: intro -->\n# Intro\n\nRead first.\n\n"
    toml += f'[[steps]]\nid = "write-it"\nexercise = "{exercise}"\n'
    if scene:
        toml += f'scene = "{scene}"\n'
        params = ", ".join(f"{k} = {_toml_value(v)}" for k, v in (scene_params or {}).items())
        toml += f"scene_params = {{ {params} }}\n"
    if question:
        toml += 'questions = ["q"]\n\n' + question
    (lesson / "lesson.toml").write_text(toml)
    (lesson / "lesson.md").write_text(prose + "<!-- step: write-it -->\n# Your turn\n\nWrite it yourself.\n")
    return root


def use_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **limits: tuple[Any, Any]) -> Path:
    """A private workspace for the test (no editor set); `limits` patches classes' limits:
    `limits={"LEARNER_LIMITS": (SceneClass, Limits(...))}` style, as NAME=(owner, value)."""
    folder = tmp_path / "ws"
    monkeypatch.setenv(WORKSPACE_ENV, str(folder))
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    for name, (owner, value) in limits.items():
        monkeypatch.setattr(owner, name, value)
    return folder


def write_learner_file(workspace: Path, exercise: Exercise, text: str, passed: bool | None = True) -> Path:
    """Write the learner's file for `exercise`; record it as passed or failing unless None."""
    workspace.mkdir(parents=True, exist_ok=True)
    path = workspace / exercise.file_name
    path.write_text(text, encoding="utf-8")
    if passed is not None:
        Workspace(workspace).record(exercise, passed)
    return path


async def settle_learner(pilot: Any, scene: Any, what: str, seconds: float = 20.0) -> None:
    """Pause until the scene's call of the learner's code is over (the UI runs meanwhile);
    fail naming `what` ("conv2d", "rule") when it never comes back."""
    for _ in range(int(seconds / 0.05)):
        await pilot.pause(0.05)
        if not scene.learner.running:
            await pilot.pause()
            return
    raise AssertionError(f"the learner's {what} never came back")
