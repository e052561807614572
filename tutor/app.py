"""The Textual app: signals, the size guard and navigation; the session holds the progress rules."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from contextlib import suppress
from functools import partial
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.events import Resize
from textual.timer import Timer

from tutor.backend import Backend, select_backend
from tutor.content import Lesson, load_course
from tutor.paths import default_lessons_dir
from tutor.scenes.base import SceneBase
from tutor.screens.home import HomeScreen, about_markdown
from tutor.screens.lesson import LessonScreen
from tutor.screens.too_small import cover_while_too_small
from tutor.session import Session


class TutorApp(App):
    """dl-tutor: the course map and lessons over one `Session` (course + progress)."""

    TITLE = "dl-tutor"
    BINDINGS = [Binding("ctrl+c", "quit", "Quit", show=False, priority=True)]
    #: Seconds the app has, after its terminal went away, to keep its work and exit before a
    #: watchdog ends the process (a scene stuck in long work must not outlive its terminal).
    HANGUP_GRACE_SECONDS = 5.0
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
        self.lesson_screens: dict[str, LessonScreen] = {}
        """Lesson id -> its screen, kept (installed) when left, so that opening the lesson again
        in this run finds it as it was: the step, the scene's frame and knobs, answers shown."""

    def on_mount(self) -> None:
        if self.handle_signals:
            self._install_signal_handlers()
        self.push_screen(HomeScreen(self.session, about=about_markdown(self.session, self.backend)))
        if self.start_lesson is not None:  # where the learner left it
            self.open_lesson(self.start_lesson, self.session.resume_index(self.start_lesson))
        for warning in self.startup_warnings:
            self.notify(warning, severity="warning", timeout=10)
        self._check_size()

    def _install_signal_handlers(self) -> None:
        """SIGTERM, SIGHUP (a dropped SSH connection) and SIGINT quit the app the normal way, so
        progress is saved, a training run writes its checkpoint and the terminal is restored."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with suppress(NotImplementedError, RuntimeError, ValueError):  # not the main thread, Windows
                loop.add_signal_handler(sig, self._on_stop_signal, sig)
        with suppress(AttributeError, ValueError):  # no SIGHUP (Windows), not the main thread
            signal.signal(signal.SIGHUP, partial(self._on_hangup, loop))

    def _on_hangup(self, loop: asyncio.AbstractEventLoop, sig: int, frame: object = None) -> None:
        """SIGHUP, as a plain signal handler: it runs even while the event loop is busy. The
        orderly hang-up path runs on the loop; a daemon watchdog ends the process if the loop
        does not get there within HANGUP_GRACE_SECONDS (progress is saved at every step anyway)."""
        watchdog = threading.Timer(self.HANGUP_GRACE_SECONDS, os._exit, args=(128 + signal.SIGHUP,))
        watchdog.daemon = True
        watchdog.start()
        try:
            loop.call_soon_threadsafe(self._on_stop_signal, signal.Signals(sig))
        except RuntimeError:  # the loop is closed: nothing left to keep
            os._exit(128 + signal.SIGHUP)

    def _on_stop_signal(self, sig: signal.Signals) -> None:
        if self.stop_signal is not None:
            return  # already quitting
        self.stop_signal = sig
        self.session.save()
        if sig == signal.SIGHUP:
            # The terminal is gone, so there is nothing to restore: keep the work (a training
            # checkpoint) and end now. Textual's orderly exit can hang here, because the kernel
            # sends SIGCONT with the hang-up and Textual's SIGCONT handler writes to the terminal.
            for screen in {*self.screen_stack, *self.lesson_screens.values()}:
                for scene in screen.query(SceneBase):
                    scene.save_before_exit()
            # A failed save is retried, else rescued to another folder (nobody to tell); exiting
            # now matters more than any report.
            with suppress(Exception):
                self.session.save_at_exit()
            os._exit(128 + sig)
        self.exit(return_code=128 + sig)

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
        await self.pop_screen()
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
    lessons: Path | None = None, *, home: Path | None = None, backend: Backend | str | None = None,
    open_lesson: str | None = None, handle_signals: bool = False,
) -> TutorApp:
    """Build the app as the CLI and the tests both use it.

    Args:
        lessons: course folder (default: the shipped course). Raises CourseError when broken.
        home: data directory for progress (default: DL_TUTOR_HOME or the platform's data dir).
        backend: a Backend, or a name for `select_backend` (default: numpy, cheap for tests).
        open_lesson: a lesson id to open on start.
        handle_signals: turn SIGTERM/SIGHUP/SIGINT into a clean quit (the CLI; not in tests).
    """
    course = load_course(lessons or default_lessons_dir())
    session, warning = Session.load(course, home / "progress.json" if home else None)
    if not isinstance(backend, Backend):
        backend = select_backend(backend or "numpy")
    start = course.lesson(open_lesson) if open_lesson else None
    return TutorApp(
        session, backend, start_lesson=start,
        warnings=(warning,) if warning else (), handle_signals=handle_signals,
    )
