"""Shared test helpers for scenes: a tiny app hosting one scene, and the text a Static shows."""

from __future__ import annotations

import io

from rich.console import Console
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll


class SceneHost(App):
    """Hosts one scene in a scrolling holder and focuses it, as the lesson screen does."""

    def __init__(self, scene) -> None:
        super().__init__()
        self.scene = scene

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield self.scene

    def on_mount(self) -> None:
        self.scene.focus()


def shown_text(widget) -> str:
    """The plain text a Static shows, whether it holds text or a Rich renderable (tables)."""
    content = widget.content
    if isinstance(content, str):
        return content
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()


def at_step(step_id: str, keys: tuple[str, ...] = (), *, wait_for_workers: bool = False):
    """A snapshot `run_before` that shows step `step_id` of the open lesson and presses `keys`
    (then, with wait_for_workers, lets the scene's background workers finish)."""

    async def run_before(pilot) -> None:
        screen = pilot.app.screen
        await screen.show_step(screen.lesson.step_index(step_id))
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
        if wait_for_workers:
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.pause()

    return run_before


def course_with(tmp_path, units: list[tuple[str, str, list[str]]]):
    """A course holding only the given shipped lessons, as (unit id, unit title, lesson ids),
    so a snapshot does not move when other lessons change."""
    import shutil

    from tutor.paths import default_lessons_dir

    course = tmp_path / "course"
    text = "format_version = 1\ntitle = \"Test\"\n"
    for unit_id, title, lessons in units:
        for lesson in lessons:
            shutil.copytree(default_lessons_dir() / lesson, course / lesson)
        names = ", ".join(f'"{lesson}"' for lesson in lessons)
        text += f'\n[[units]]\nid = "{unit_id}"\ntitle = "{title}"\nlessons = [{names}]\n'
    course.mkdir(parents=True, exist_ok=True)
    (course / "course.toml").write_text(text, encoding="utf-8")
    return course


def force_real_colours(monkeypatch, *widgets: type) -> None:
    """Draw images with real greys whatever $TERM and NO_COLOR say (stable snapshots)."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    for widget in widgets:
        monkeypatch.setattr(widget, "color_capable", property(lambda self: True))
