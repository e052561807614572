"""HomeScreen: the course map, with a progress mark, score and first tries per lesson, a resume
entry, and the count of missed questions due for review (`v` opens the review screen)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tutor import __version__
from tutor.content.model import Lesson
from tutor.screens.footer import KeyFooter
from tutor.session import Session

if TYPE_CHECKING:
    from tutor.backend import Backend

RESUME_ID = "resume"
#: The id of the dim row naming the map's two number columns.
LEGEND_ID = "legend"

#: Below this many columns the map drops its first-try column, so lesson titles keep their room
#: (the details pane still shows first tries).
WIDE_MAP = 100

#: The course map's mark for each lesson status (`Session.status`).
MARKS = {"done": ("✓", "bold green"), "started": ("◐", "bold yellow"), "new": ("·", "dim")}


def about_markdown(session: Session, backend: Backend) -> str:
    """Markdown for the About panel."""
    return (
        f"# dl-tutor {__version__}\n\n"
        "A terminal tutor for deep learning, from the single neuron to LeNet-5, following the "
        "Deep Learning Workshop by Xenofon Karagiannis.\n\n"
        f"- **Course:** {session.course.title} (`{session.course.path}`)\n"
        f"- **Backend:** {backend.name} — {backend.reason}\n"
        f"- **Progress file:** `{session.store.path}`\n"
        f"- **Data set:** {_data_set_line()}\n\n"
        "MNIST digits: Y. LeCun, C. Cortes and C. J. C. Burges, distributed under "
        "CC BY-SA 3.0. Fashion-MNIST clothes: H. Xiao, K. Rasul and R. Vollgraf (Zalando "
        "Research), MIT licence, Zalando SE.\n\n*escape closes this panel*"
    )


def _data_set_line() -> str:
    """The data set in use and who made it (`dl-tutor --data` / `--data-dir` choose it)."""
    from tutor.data import describe

    data = describe()
    if data.shipped:
        return f"{data.title} ({data.attribution})"
    return f"{data.title} (from `{data.folder}`; see its README for authors and licence)"


class HomeScreen(Screen):
    """The course map of `session`: units and lessons in order; enter opens, r resumes, v reviews.

    Opening a lesson posts `HomeScreen.OpenLesson` up to the app, which shows it.
    """

    class OpenLesson(Message):
        """The learner chose `lesson`, to be shown from step `start`."""

        def __init__(self, lesson: Lesson, start: int) -> None:
            super().__init__()
            self.lesson = lesson
            self.start = start

    DEFAULT_CSS = """
    HomeScreen #title { height: auto; padding: 0 1; background: $panel; }
    HomeScreen #map-body { height: 1fr; }
    HomeScreen #map { width: 3fr; height: 1fr; min-width: 40; max-width: 72; border: round $panel-lighten-2;
                      text-wrap: nowrap; text-overflow: ellipsis; }
    HomeScreen #map:focus { border: round $accent; }
    HomeScreen #details { width: 2fr; height: 1fr; padding: 0 1; border: round $panel-lighten-2; }
    HomeScreen.-narrow #map { width: 1fr; }
    HomeScreen.-narrow #details { width: 28; }
    """

    BINDINGS = [
        Binding("r", "resume", "Resume"),
        Binding("v", "review", "Review"),
        Binding("question_mark", "help", "Help"),
        Binding("a", "about", "About"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, session: Session, *, about: str = "", highlight: str | None = None) -> None:
        """The map of `session`'s course; `about` is the Markdown of the About panel; `highlight`
        the id of the row to highlight first (default: resume, else the first lesson)."""
        super().__init__()
        self.session = session
        self.about = about
        self._highlight = highlight
        #: Whether the map shows its first-try column (set from the width on each refresh).
        self._wide = True

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        with Horizontal(id="map-body"):
            yield OptionList(id="map")
            yield Static(id="details")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.refresh_map()

    def on_screen_resume(self) -> None:
        self.refresh_map()

    def on_resize(self) -> None:
        if self._wide != (self.size.width >= WIDE_MAP):
            self.refresh_map()

    # --- content --------------------------------------------------------------------------------

    def refresh_map(self) -> None:
        """Rebuild the map from the course and the current progress."""
        course = self.session.course
        done = self.session.done_count()
        title = Text.assemble((course.title, "bold"), self._review_note(), "\n")
        title.append(f"{done} of {len(course.lessons)} lessons complete")
        title.append("  ·  ↑↓ choose · enter open · r resume · ? help", style="dim")
        self.query_one("#title", Static).update(title)
        option_list = self.query_one("#map", OptionList)
        keep = option_list.highlighted_option.id if option_list.highlighted_option else None
        option_list.clear_options()
        self._wide = self.size.width >= WIDE_MAP if self.size.width else True
        self.set_class(not self._wide, "-narrow")
        resume = self.session.resume_point()
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
        option_list.add_option(
            Option(
                Text("       right first try" if self._wide else "       right", style="dim"),
                id=LEGEND_ID, disabled=True,
            )
        )
        number = 0
        for unit in course.units:
            option_list.add_option(Option(Text(unit.title.upper(), style="bold"), disabled=True))
            for lesson in unit.lessons:
                number += 1
                option_list.add_option(Option(self._lesson_line(number, lesson), id=lesson.id))
        target = keep or self._highlight or (RESUME_ID if resume is not None else course.lessons[0].id)
        try:
            option_list.highlighted = option_list.get_option_index(target)
        except Exception:
            option_list.highlighted = 0
        option_list.focus()
        self._show_details()

    def _review_note(self) -> Text:
        """"  ·  3 due for review (v)" beside the course title; "" while nothing is in review."""
        due = len(self.session.due_reviews())
        if due:
            return Text.assemble("  ·  ", (f"{due} due for review", "bold"), (" (v)", "dim"))
        if self.session.scheduled_reviews():
            return Text("  ·  review: none due", style="dim")
        return Text("")

    def _lesson_line(self, number: int, lesson: Lesson) -> Text:
        correct, total = self.session.score(lesson)
        mark = MARKS[self.session.status(lesson)]
        score = f"{correct}/{total}" if total else "—"
        first, attempted = self.session.first_try(lesson)
        tries = f"{first}/{attempted}" if attempted else ""
        # One line per lesson (the map's CSS does not wrap): the numbers sit before the title,
        # under the legend row ("right", "first try"), so a title too long for the column ends
        # in "…" (the details pane shows it whole). A narrow map keeps only the score.
        numbers = f"{score:>5} {tries:>5}  " if self._wide else f"{score:>5}  "
        return Text.assemble(" ", mark, f" {number:>2}. ", (numbers, "dim"), lesson.title)

    def _show_details(self) -> None:
        option_list = self.query_one("#map", OptionList)
        option = option_list.highlighted_option
        details = self.query_one("#details", Static)
        if option is None:
            details.update("")
            return
        if option.id == RESUME_ID:
            lesson, index = self.session.resume_point() or (None, 0)
            if lesson is None:
                return
            text = Text.assemble(
                ("Pick up where you left off\n\n", "bold"),
                lesson.title, "\n", f"step {index + 1}: {lesson.steps[index].title}",
            )
            from tutor.models import stopped_runs

            for model in stopped_runs():
                text.append(f"\n\nA training run of {model} was interrupted and saved: its lesson's "
                            "training scene continues it with c.")
            details.update(text)
            return
        lesson = self.session.course.lesson(option.id)
        correct, total = self.session.score(lesson)
        visited = self.session.steps_seen(lesson)
        text = Text.assemble(
            (lesson.title + "\n\n", "bold"), lesson.summary, "\n\n",
            f"{len(lesson.steps)} steps, {visited} seen\n",
            f"{total} questions, {correct} answered right",
        )
        first, attempted = self.session.first_try(lesson)
        if attempted:
            text.append(f"\nfirst try {first}/{attempted}")
        due = sum(1 for item in self.session.due_reviews() if item.lesson.id == lesson.id)
        if due:
            text.append(f"\n{due} due for review (v)")
        details.update(text)

    # --- events and actions ---------------------------------------------------------------------

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_details()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == RESUME_ID:
            self.action_resume()
        elif event.option.id:
            lesson = self.session.course.lesson(event.option.id)
            self.post_message(self.OpenLesson(lesson, self.session.resume_index(lesson)))

    def action_resume(self) -> None:
        """Open the last lesson at its last step (or the first lesson)."""
        resume = self.session.resume_point()
        if resume is None:
            first = self.session.course.lessons[0]
            resume = first, self.session.resume_index(first)
        self.post_message(self.OpenLesson(*resume))

    def action_review(self) -> None:
        """Open review: the missed questions due today, one after another."""
        from tutor.screens.review import ReviewScreen

        self.app.push_screen(ReviewScreen(self.session))

    def action_help(self) -> None:
        """Keys help."""
        from tutor.screens.help import help_screen

        self.app.push_screen(help_screen(self.app))

    def action_about(self) -> None:
        """About dl-tutor."""
        from tutor.screens.help import AboutScreen

        self.app.push_screen(AboutScreen(self.about))
