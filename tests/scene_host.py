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
        for _ in range(50):  # the step's focus lands a message later; its styles show it
            if screen.focused is not None:
                break
            await pilot.pause(0.02)
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
        if wait_for_workers:
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        await settle_plots(pilot)

    return run_before


async def settle_plots(pilot) -> None:
    """Draw every plot whose model changed now, not at its next 10 Hz tick: on a busy machine a
    snapshot could otherwise catch a plot one redraw behind its scene."""
    from tutor.widgets.plot import Plot

    await pilot.pause()
    for plot in pilot.app.screen.query(Plot):
        if plot.dirty:
            plot.redraw_now()
    await pilot.pause()


def course_with(tmp_path, units: list[tuple[str, str, list[str]]], *, prose: bool = False):
    """A course holding only the given shipped lessons, as (unit id, unit title, lesson ids),
    so a snapshot does not move when other lessons change.

    The lessons keep their steps, scenes, parameters and questions; unless `prose` is true,
    each step's prose is replaced by one fixed sentence under its own heading, so editing a
    lesson's words does not move a snapshot of its scene either."""
    import shutil

    from tutor.content.loader import load_lesson
    from tutor.paths import default_lessons_dir

    course = tmp_path / "course"
    text = "format_version = 1\ntitle = \"Test\"\n"
    for unit_id, title, lessons in units:
        for lesson in lessons:
            shutil.copytree(default_lessons_dir() / lesson, course / lesson)
            if not prose:
                loaded = load_lesson(course / lesson, lesson, [])
                (course / lesson / "lesson.md").write_text("".join(
                    f"<!-- step: {step.id} -->\n## {step.title}\n\nFixture prose for the step {step.id}.\n\n"
                    for step in loaded.steps
                ), encoding="utf-8")
        names = ", ".join(f'"{lesson}"' for lesson in lessons)
        text += f'\n[[units]]\nid = "{unit_id}"\ntitle = "{title}"\nlessons = [{names}]\n'
    course.mkdir(parents=True, exist_ok=True)
    (course / "course.toml").write_text(text, encoding="utf-8")
    return course


def lesson_app(tmp_path, lesson_id: str, *, prose: bool = False, **options):
    """The real app opened on one shipped lesson, alone in a `course_with` course (fixture prose
    unless `prose`), with its home under `tmp_path`; `options` go to `make_app`."""
    from tutor.app import make_app

    course = course_with(tmp_path, [("unit", "Unit", [lesson_id])], prose=prose)
    return make_app(course, home=tmp_path / "home", open_lesson=lesson_id, **options)


def force_real_colours(monkeypatch, *widgets: type) -> None:
    """Draw images with real greys whatever $TERM and NO_COLOR say (stable snapshots)."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    for widget in widgets:
        monkeypatch.setattr(widget, "color_capable", property(lambda self: True))


async def resize_and_settle(pilot, width: int, height: int) -> None:
    """Resize the terminal, then wait (on the app's own state, not a clock) until its size guard
    has acted: the guard waits for a burst of resizes to settle before it covers or uncovers."""
    await pilot.resize_terminal(width, height)
    for _ in range(400):  # a bound against a hang, not a timing
        if getattr(pilot.app, "_size_timer", None) is None:
            break
        await pilot.pause(0.025)
    await pilot.pause()
