"""HomeScreen: the course map, with a progress mark and score per lesson and a resume entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from tutor.content.model import Lesson

if TYPE_CHECKING:
    from tutor.app import TutorApp

RESUME_ID = "resume"


class HomeScreen(Screen):
    """The course map: units and lessons in order; enter opens, r resumes."""

    DEFAULT_CSS = """
    HomeScreen #title { height: auto; padding: 0 1; background: $panel; }
    HomeScreen #map-body { height: 1fr; }
    HomeScreen #map { width: 3fr; height: 1fr; min-width: 40; max-width: 72; border: round $panel-lighten-2;
                      text-wrap: nowrap; text-overflow: ellipsis; }
    HomeScreen #map:focus { border: round $accent; }
    HomeScreen #details { width: 2fr; height: 1fr; padding: 0 1; border: round $panel-lighten-2; }
    """

    BINDINGS = [
        Binding("r", "resume", "Resume"),
        Binding("question_mark", "help", "Help"),
        Binding("a", "about", "About"),
        Binding("q", "app.quit", "Quit"),
    ]

    @property
    def tutor(self) -> "TutorApp":
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        with Horizontal(id="map-body"):
            yield OptionList(id="map")
            yield Static(id="details")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_map()

    def on_screen_resume(self) -> None:
        self.refresh_map()

    # --- content --------------------------------------------------------------------------------

    def refresh_map(self) -> None:
        """Rebuild the map from the course and the current progress."""
        course = self.tutor.course
        done = sum(1 for lesson in course.lessons if self.tutor.lesson_done(lesson))
        self.query_one("#title", Static).update(
            f"[b]{course.title}[/b]\n{done} of {len(course.lessons)} lessons complete"
            "  ·  [dim]↑↓ choose · enter open · r resume · ? help[/dim]"
        )
        option_list = self.query_one("#map", OptionList)
        keep = option_list.highlighted_option.id if option_list.highlighted_option else None
        option_list.clear_options()
        resume = self.tutor.resume_point()
        if resume is not None:
            lesson, index = resume
            option_list.add_option(
                Option(
                    Text.assemble(
                        ("▶ Resume: ", "bold"), lesson.title,
                        (f"  (step {index + 1}/{len(lesson.steps)})", "dim"),
                    ),
                    id=RESUME_ID,
                )
            )
        number = 0
        for unit in course.units:
            option_list.add_option(Option(Text(unit.title.upper(), style="bold"), disabled=True))
            for lesson in unit.lessons:
                number += 1
                option_list.add_option(Option(self._lesson_line(number, lesson), id=lesson.id))
        target = keep or (RESUME_ID if resume is not None else course.lessons[0].id)
        try:
            option_list.highlighted = option_list.get_option_index(target)
        except Exception:
            option_list.highlighted = 0
        option_list.focus()
        self._show_details()

    def _lesson_line(self, number: int, lesson: Lesson) -> Text:
        progress = self.tutor.progress
        correct, total = progress.score(lesson.id, list(lesson.questions))
        record = progress.lessons.get(lesson.id)
        if self.tutor.lesson_done(lesson):
            mark = ("✓", "bold green")
        elif record is not None and record.visited:
            mark = ("◐", "bold yellow")
        else:
            mark = ("·", "dim")
        score = f"{correct}/{total}" if total else "—"
        # One line per lesson (the map's CSS does not wrap): the score sits before the title, so
        # a title too long for the column ends in "…" (the details pane shows it whole).
        return Text.assemble(" ", mark, f" {number:>2}. ", (f"{score:>5}  ", "dim"), lesson.title)

    def _show_details(self) -> None:
        option_list = self.query_one("#map", OptionList)
        option = option_list.highlighted_option
        details = self.query_one("#details", Static)
        if option is None:
            details.update("")
            return
        if option.id == RESUME_ID:
            lesson, index = self.tutor.resume_point() or (None, 0)
            if lesson is None:
                return
            text = Text.assemble(
                ("Pick up where you left off\n\n", "bold"),
                lesson.title, "\n", f"step {index + 1}: {lesson.steps[index].title}",
            )
            from tutor.train_cli import stopped_runs

            for model in stopped_runs():
                text.append(f"\n\nA training run of {model} was interrupted and saved: its lesson's "
                            "training scene continues it with c.")
            details.update(text)
            return
        lesson = self.tutor.course.lesson(option.id)
        correct, total = self.tutor.progress.score(lesson.id, list(lesson.questions))
        record = self.tutor.progress.lessons.get(lesson.id)
        seen = set(record.visited) if record else set()
        visited = len(seen & {step.id for step in lesson.steps})
        details.update(
            Text.assemble(
                (lesson.title + "\n\n", "bold"), lesson.summary, "\n\n",
                f"{len(lesson.steps)} steps, {visited} seen\n",
                f"{total} questions, {correct} answered right",
            )
        )

    # --- events and actions ---------------------------------------------------------------------

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_details()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == RESUME_ID:
            self.action_resume()
        elif event.option.id:
            self.tutor.open_lesson(self.tutor.course.lesson(event.option.id))

    def action_resume(self) -> None:
        """Open the last lesson at its last step (or the first lesson)."""
        resume = self.tutor.resume_point()
        if resume is None:
            self.tutor.open_lesson(self.tutor.course.lessons[0])
        else:
            self.tutor.open_lesson(resume[0], resume[1])

    def action_help(self) -> None:
        """Keys help."""
        from tutor.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_about(self) -> None:
        """About dl-tutor."""
        from tutor.screens.help import AboutScreen

        self.app.push_screen(AboutScreen(self.tutor.about_text()))
