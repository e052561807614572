"""The Textual app: holds the course, the progress and the backend; screens do the rest."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from functools import partial
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.events import Resize
from textual.timer import Timer

from tutor import __version__
from tutor.backend import Backend, select_backend
from tutor.content import Course, Lesson, load_course
from tutor.paths import default_lessons_dir
from tutor.progress import Progress, ProgressSaveError, ProgressStore
from tutor.scenes.base import Scene
from tutor.screens.home import HomeScreen
from tutor.screens.lesson import LessonScreen
from tutor.screens.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen


class TutorApp(App):
    """dl-tutor: the course map, lessons, and progress saved as the learner goes."""

    TITLE = "dl-tutor"
    BINDINGS = [Binding("ctrl+c", "quit", "Quit", show=False, priority=True)]

    def __init__(
        self, course: Course, store: ProgressStore, backend: Backend, *,
        progress: Progress | None = None, start_lesson: Lesson | None = None,
        warnings: tuple[str, ...] = (), handle_signals: bool = False,
    ) -> None:
        super().__init__()
        self.course = course
        self.store = store
        self.backend = backend
        self.progress = progress if progress is not None else Progress()
        self.start_lesson = start_lesson
        self.startup_warnings = warnings
        self._save_failed = False
        self.handle_signals = handle_signals
        self.stop_signal: signal.Signals | None = None
        """The signal (SIGTERM, SIGHUP, SIGINT) that ended the app, if one did."""
        self.exit_notes: list[str] = []
        """Lines for the CLI to print once the terminal is restored (e.g. a saved checkpoint)."""
        self._size_timer: Timer | None = None

    def on_mount(self) -> None:
        if self.handle_signals:
            self._install_signal_handlers()
        self.push_screen(HomeScreen())
        if self.start_lesson is not None:
            self.open_lesson(self.start_lesson, self.resume_index(self.start_lesson))
        for warning in self.startup_warnings:
            self.notify(warning, severity="warning", timeout=10)
        self._check_size()

    # --- signals --------------------------------------------------------------------------------

    def _install_signal_handlers(self) -> None:
        """SIGTERM, SIGHUP (a dropped SSH connection) and SIGINT quit the app the normal way, so
        progress is saved, a training run writes its checkpoint and the terminal is restored."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, self._on_stop_signal, sig)
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, Windows
                pass
        try:
            signal.signal(signal.SIGHUP, partial(self._on_hangup, loop))
        except (AttributeError, ValueError):  # no SIGHUP (Windows), not the main thread
            pass

    #: Seconds the app has, after its terminal went away, to keep its work and exit by itself
    #: before a watchdog ends the process (a scene stuck in long work must not outlive its terminal).
    HANGUP_GRACE_SECONDS = 5.0

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
        self.save_progress()
        if sig == signal.SIGHUP:
            # The terminal is gone, so there is nothing to restore: keep the work (a training
            # checkpoint) and end now. Textual's orderly exit can hang here, because the kernel
            # sends SIGCONT with the hang-up and Textual's SIGCONT handler writes to the terminal.
            for screen in self.screen_stack:
                for scene in screen.query(Scene):
                    scene.save_before_exit()
            try:  # a failed save is retried, else rescued to another folder (nobody to tell)
                self.store.save_at_exit(self.progress)
            except Exception:  # noqa: BLE001 - exiting now matters more than any report
                pass
            os._exit(128 + sig)
        self.exit(return_code=128 + sig)

    # --- progress -------------------------------------------------------------------------------

    def save_progress(self) -> None:
        """Write progress; on failure keep it in memory and warn once."""
        try:
            self.store.save(self.progress, merge=True)
        except ProgressSaveError as error:
            if not self._save_failed:
                self.notify(str(error), severity="warning", timeout=10)
            self._save_failed = True
        else:
            if self._save_failed:
                self.notify("Progress saved again.", timeout=3)
            self._save_failed = False

    def record_visit(self, lesson: Lesson, step_id: str) -> None:
        """The learner is looking at `step_id` of `lesson`."""
        self.progress.visit(lesson.id, step_id)
        self._update_completion(lesson)
        self.save_progress()

    def record_answer(self, lesson: Lesson, question_id: str, correct: bool, answer: str) -> None:
        """A graded attempt at a question."""
        self.progress.record_answer(lesson.id, question_id, correct, answer)
        if self._update_completion(lesson):
            self.notify(f"Lesson complete: {lesson.title}. Well done!", timeout=6)
        self.save_progress()

    def lesson_done(self, lesson: Lesson) -> bool:
        """Every step seen and every question answered right."""
        record = self.progress.lessons.get(lesson.id)
        if record is None:
            return False
        seen = set(record.visited) >= {step.id for step in lesson.steps}
        correct, total = self.progress.score(lesson.id, list(lesson.questions))
        return seen and correct == total

    def _update_completion(self, lesson: Lesson) -> bool:
        """Mark the lesson completed when it first becomes done; True at that moment."""
        record = self.progress.lesson(lesson.id)
        if not record.completed and self.lesson_done(lesson):
            self.progress.mark_completed(lesson.id)
            return True
        return False

    def resume_index(self, lesson: Lesson) -> int:
        """The step to reopen `lesson` at: where the learner last was, else the start."""
        record = self.progress.lessons.get(lesson.id)
        return lesson.step_index(record.step) if record else 0

    def resume_point(self) -> tuple[Lesson, int] | None:
        """The last lesson and step the learner saw, if that lesson still exists."""
        last = self.progress.last_lesson
        if last is None:
            return None
        try:
            lesson = self.course.lesson(last)
        except KeyError:
            return None
        return lesson, self.resume_index(lesson)

    # --- navigation -----------------------------------------------------------------------------

    def open_lesson(self, lesson: Lesson, start: int | None = None) -> None:
        """Show `lesson` from step `start` (default: where the learner left it)."""
        self.push_screen(LessonScreen(lesson, self.resume_index(lesson) if start is None else start))

    #: Seconds a burst of resizes (a window being dragged, a multiplexer re-laying its panes)
    #: must be quiet before the size guard acts on the size it settled at.
    SIZE_SETTLE_SECONDS = 0.1

    def on_resize(self, event: Resize) -> None:
        """Check the size once a burst of resizes settles, not once per resize: pushing and
        popping the cover on every event of a storm kept the app re-laying screens for minutes."""
        if self._size_timer is not None:
            self._size_timer.stop()
        self._size_timer = self.set_timer(self.SIZE_SETTLE_SECONDS, self._check_size)

    def _check_size(self) -> None:
        """Cover the screen with one TooSmallScreen while the terminal is below the minimum."""
        self._size_timer = None
        width, height = self.size
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        covers = [screen for screen in self.screen_stack if isinstance(screen, TooSmallScreen)]
        if small and not covers:
            self.push_screen(TooSmallScreen())
        elif not small and covers:
            for cover in covers:
                if cover is self.screen:
                    self.pop_screen()
                else:  # something opened above the cover (help): take the cover out from under it
                    self._screen_stack.remove(cover)

    def about_text(self) -> str:
        """Markdown for the About panel."""
        return (
            f"# dl-tutor {__version__}\n\n"
            "A terminal tutor for deep learning, from the single neuron to LeNet-5, following the "
            "Deep Learning Workshop by Xenofon Karagiannis.\n\n"
            f"- **Course:** {self.course.title} (`{self.course.path}`)\n"
            f"- **Backend:** {self.backend.name} — {self.backend.reason}\n"
            f"- **Progress file:** `{self.store.path}`\n\n"
            "MNIST digits: Y. LeCun, C. Cortes and C. J. C. Burges, distributed under "
            "CC BY-SA 3.0.\n\n*escape closes this panel*"
        )


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
    store = ProgressStore(home / "progress.json" if home else None)
    progress, warning = store.load()
    if not isinstance(backend, Backend):
        backend = select_backend(backend or "numpy")
    start = course.lesson(open_lesson) if open_lesson else None
    return TutorApp(
        course, store, backend, progress=progress, start_lesson=start,
        warnings=(warning,) if warning else (), handle_signals=handle_signals,
    )
