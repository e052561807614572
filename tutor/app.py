"""The Textual app: the size guard and navigation (signals: app_signals.py); the session holds
the progress rules."""

from __future__ import annotations

import signal
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.events import Resize
from textual.timer import Timer

from tutor.app_signals import StopSignals
from tutor.backend import Backend, select_backend
from tutor.content import Course, Lesson
from tutor.content.loader import load_course_cached
from tutor.paths import default_lessons_dir
from tutor.screens.home import HomeScreen, about_markdown
from tutor.screens.lesson import LessonScreen
from tutor.screens.too_small import cover_while_too_small
from tutor.session import Session


class TutorApp(StopSignals, App):
    """dl-tutor: the course map and lessons over one `Session` (course + progress)."""

    TITLE = "dl-tutor"
    BINDINGS = [Binding("ctrl+c", "quit", "Quit", show=False, priority=True)]
    #: Seconds a burst of resizes (a window being dragged, a multiplexer re-laying its panes)
    #: must be quiet before the size guard acts on the size it settled at.
    SIZE_SETTLE_SECONDS = 0.1

    def __init__(
        self, session: Session, backend: Backend, *, start_lesson: Lesson | None = None,
        warnings: tuple[str, ...] = (), handle_signals: bool = False,
    ) -> None:
        super().__init__()
        self.session = session
        session.notify = self.notify  # saving trouble, told to the learner
        self.backend = backend
        self.start_lesson = start_lesson
        self.startup_warnings = warnings
        self.handle_signals = handle_signals
        self.stop_signal: signal.Signals | None = None
        """The signal (SIGTERM, SIGHUP, SIGINT) that ended the app, if one did."""
        self.exit_notes: list[str] = []
        """Lines for the CLI to print once the terminal is restored (e.g. a saved checkpoint)."""
        self._size_timer: Timer | None = None
        self._home_highlight: str | None = None
        self.lesson_screens: dict[str, LessonScreen] = {}
        """Lesson id -> its screen, kept (installed) when left, so that opening the lesson again
        in this run finds it as it was: the step, the scene's frame and knobs, answers shown."""

    def on_mount(self) -> None:
        if self.handle_signals:
            self._install_signal_handlers()
        if self.start_lesson is None:
            self.push_screen(self.new_home_screen())
        else:  # where the learner left it; the course map is built when they first go to it
            self._home_highlight = None if self.session.resume_point() else self.session.course.lessons[0].id
            self.open_lesson(self.start_lesson, self.session.resume_index(self.start_lesson))
        for warning in self.startup_warnings:
            self.notify(warning, severity="warning", timeout=10)
        self._check_size()

    def new_home_screen(self) -> HomeScreen:
        """The course map (for a lesson opened from the command line, with the row it would
        have shown highlighted had it been built at start)."""
        return HomeScreen(self.session, about=about_markdown(self.session, self.backend),
                          highlight=self._home_highlight)

    def on_home_screen_open_lesson(self, message: HomeScreen.OpenLesson) -> None:
        """The course map asks for a lesson, at a step."""
        self.open_lesson(message.lesson, message.start)

    def open_lesson(self, lesson: Lesson, start: int) -> None:
        """Show `lesson` at step `start`: its kept screen as it was left, else a new one."""
        screen = self.lesson_screens.get(lesson.id)
        if screen is None:
            screen = self.lesson_screens[lesson.id] = LessonScreen(self.session, lesson, start)
            self.install_screen(screen, f"lesson:{lesson.id}")
            self.push_screen(screen)
        else:
            self.push_screen(screen)
            screen.call_later(screen.reopen, start)

    async def on_lesson_screen_leave(self, message: LessonScreen.Leave) -> None:
        """Back to the course map. The lesson's screen is kept for this run unless its scene
        holds live work: that one is removed, so the scene stops and saves as it unmounts."""
        screen = message.lesson_screen
        if self.screen is not screen:
            return  # an overlay came up after the key: it is not the lesson that leaves
        keep = screen.keep_when_left
        if any(isinstance(below, HomeScreen) for below in self.screen_stack[:-1]):
            await self.pop_screen()
        else:  # opened from the command line: the course map replaces the lesson
            await self.switch_screen(self.new_home_screen())
        if not keep:
            self.lesson_screens.pop(screen.lesson.id, None)
            self.uninstall_screen(screen)
            await screen.remove()

    def on_resize(self, event: Resize) -> None:
        """Check the size once a burst of resizes settles, not once per resize: pushing and
        popping the cover on every event of a storm kept the app re-laying screens for minutes."""
        if self._size_timer is not None:
            self._size_timer.stop()
        self._size_timer = self.set_timer(self.SIZE_SETTLE_SECONDS, self._check_size)

    def _check_size(self) -> None:
        """Cover the screen with one TooSmallScreen while the terminal is below the minimum."""
        self._size_timer = None
        cover_while_too_small(self)


def make_app(
    lessons: Path | Course | None = None, *, home: Path | None = None, backend: Backend | str | None = None,
    open_lesson: str | None = None, handle_signals: bool = False,
) -> TutorApp:
    """Build the app as the CLI and the tests both use it.

    Args:
        lessons: course folder (default: the shipped course), or a course already loaded.
            Raises CourseError when broken.
        home: data directory for progress (default: DL_TUTOR_HOME or the platform's data dir).
        backend: a Backend, or a name for `select_backend` (default: numpy, cheap for tests).
        open_lesson: a lesson id to open on start.
        handle_signals: turn SIGTERM/SIGHUP/SIGINT into a clean quit (the CLI; not in tests).
    """
    from tutor.data import cache_dir

    if isinstance(lessons, Course):
        course = lessons
    else:
        course = load_course_cached(lessons or default_lessons_dir(), cache_dir())
    session, warning = Session.load(course, home / "progress.json" if home else None)
    if not isinstance(backend, Backend):
        backend = select_backend(backend or "numpy")
    start = course.lesson(open_lesson) if open_lesson else None
    return TutorApp(
        session, backend, start_lesson=start,
        warnings=(warning,) if warning else (), handle_signals=handle_signals,
    )
