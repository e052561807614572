"""ExercisePanel: a hands-on exercise on a lesson step (TOML `exercise = "ID"` on a [[steps]]).

Below the step's prose it shows the task, the learner's file in the workspace and the status of
each check: not started, failing (with the first failing case in one line) or passed. Its keys
(bound by the lesson screen, also buttons here): `ctrl+g` writes the starter (never over the
learner's work), `ctrl+e` opens the file in $VISUAL / $EDITOR with the app suspended (and checks
it when the editor closes), `ctrl+k` runs the checks, `h` shows the next hint. `b` (the panel's
own key, while one of its buttons has focus; also the "Keras/PyTorch" button) opens
`BridgeScreen`: the exercise written with Keras and with PyTorch (`tutor.exercises.bridge`), in
a scrollable view that escape closes.

The checks run in the sandbox (`tutor.exercises.sandbox.run_checks`: a child process with time
and memory limits) from a worker thread, so the UI never waits on the learner's code. Each run
has a number; a result whose number is not the latest (a newer check, or the step was left) is
dropped, and a replaced run's child is killed. Every result is recorded in the learner's
progress (`Session.record_exercise`) and in the workspace's status file.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import threading
import time
from functools import partial
from pathlib import Path

from rich.console import Group
from rich.markdown import Markdown as RichMarkdown
from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tutor.exercises import tracking
from tutor.exercises.catalogue import Exercise, Limits, find
from tutor.exercises.workspace import FAILING, PASSED, Workspace
from tutor.progress import ExerciseRecord
from tutor.progress.records import EXERCISE_RESET
from tutor.session import Session

#: The panel's keys, as Textual names them (bound by the lesson screen) and as the panel writes them.
START_KEY, EDIT_KEY, CHECK_KEY, HINT_KEY = "ctrl+g", "ctrl+e", "ctrl+k", "h"
#: Opens the exercise written with Keras and with PyTorch (`BridgeScreen`).
BRIDGE_KEY = "b"
#: How often the panel looks whether a check ran elsewhere (`dl-tutor exercises watch`), seconds.
POLL_SECONDS = 2.0
#: The failure details shown under a failing check (the first one only), in this order.
DETAIL_LABELS = ("case", "expected", "got", "largest error", "hint")


def editor_command() -> list[str]:
    """$VISUAL, else $EDITOR, split as a shell would (an empty list when neither is set)."""
    for name in ("VISUAL", "EDITOR"):
        value = os.environ.get(name, "").strip()
        if value:
            try:
                return shlex.split(value)
            except ValueError:
                return [value]
    return []


def run_editor(command: list[str], stop_handler=None) -> int:
    """Run the editor in the foreground and wait for it; its exit status.

    Ctrl+C in the editor belongs to the editor: while it runs the tutor ignores SIGINT (the
    app's asyncio SIGINT handler, which quits, is taken off and put back after as
    `stop_handler`), and the editor starts with SIGINT's default action."""
    import asyncio

    loop = None
    try:
        loop = asyncio.get_running_loop()
        if not loop.remove_signal_handler(signal.SIGINT):
            loop = None
    except (RuntimeError, ValueError):
        loop = None
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        previous = None
    try:
        return subprocess.run(
            command, check=False,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509
        ).returncode
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        if loop is not None and stop_handler is not None:
            loop.add_signal_handler(signal.SIGINT, stop_handler, signal.SIGINT)


class BridgeScreen(ModalScreen[None]):
    """The exercise written with Keras and with PyTorch: a scrollable Markdown view, 76 columns
    wide at most (its code lines are 64 at most, so an 80-column terminal shows them whole).
    `escape` (or `q`, or `b` again) closes it; the arrows and page keys scroll it."""

    DEFAULT_CSS = """
    BridgeScreen { align: center middle; }
    BridgeScreen > VerticalScroll {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; border-title-color: $text; background: $surface; padding: 0 1;
    }
    """

    BINDINGS = [Binding(f"escape,q,{BRIDGE_KEY}", "close", "Close")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        scroll = VerticalScroll(id="bridge-scroll")
        scroll.border_title = self.title_text
        scroll.border_subtitle = "↑ ↓ PgUp PgDn scroll · escape closes"
        with scroll:
            yield Static(RichMarkdown(self.text, code_theme="monokai", inline_code_lexer="python"),
                         id="bridge-text")

    def on_mount(self) -> None:
        self.query_one("#bridge-scroll").focus()

    def action_close(self) -> None:
        """Close the view."""
        self.dismiss(None)


class ExercisePanel(Vertical):
    """One exercise: task, file, checks, and the actions start / edit / check / hint, and the
    same exercise in Keras and PyTorch (`b`)."""

    BINDINGS = [Binding(BRIDGE_KEY, "bridge", "Keras/PyTorch", show=False)]

    DEFAULT_CSS = """
    ExercisePanel {
        height: auto; border: round $accent; border-title-color: $text;
        padding: 0 1; margin: 1 0 0 0;
    }
    ExercisePanel.-passed { border: round $success; }
    ExercisePanel > Static { height: auto; }
    ExercisePanel > #ex-task { color: $text-muted; }
    ExercisePanel > #ex-message { color: $warning; }
    ExercisePanel > #ex-message.-empty { display: none; }
    /* A grid whose column count `_fit_buttons` sets from the width: the buttons fill as many
       rows as a narrow panel (an exercise step with a scene, at 80 columns) needs. */
    ExercisePanel #ex-buttons {
        layout: grid; grid-size: 5; grid-columns: auto; grid-rows: 1; grid-gutter: 0 1;
        height: auto; margin-top: 1;
    }
    ExercisePanel #ex-buttons Button { min-width: 0; width: auto; }
    """

    #: The limits of a run (None: the exercise's own); tests shorten them.
    LIMITS: Limits | None = None

    class Checked(Message):
        """A run of the checks finished and was recorded, or the panel saw the status change
        elsewhere (a check, or a reset, in another pane); `passed`: every check passes."""

        def __init__(self, exercise_id: str, passed: bool) -> None:
            super().__init__()
            self.exercise_id = exercise_id
            self.passed = passed

    def __init__(self, exercise: Exercise, session: Session, workspace: Workspace | None = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.exercise = exercise
        self.session = session
        self.workspace = workspace or Workspace()
        self.report = None  # this run's latest Report (tutor.exercises.sandbox), if any
        self.record: ExerciseRecord | None = None
        self.running = False
        self.hints_shown = 0
        self.shown_checks = ""
        """The checks' lines on screen, as plain text."""
        self._run_id = 0
        self._cancel: threading.Event | None = None
        self._started_at = 0.0
        self._stamp: tuple | None = None
        self.border_title = f"Exercise: {exercise.title}"

    @property
    def path(self) -> Path:
        """The learner's file."""
        return self.workspace.path(self.exercise)

    @property
    def status(self) -> str:
        """not started, not checked yet, failing or passed."""
        if self.report is not None and self.workspace.exists(self.exercise):
            return PASSED if self.report.passed else FAILING
        return tracking.status(self.workspace, self.exercise, self.record)

    def compose(self) -> ComposeResult:
        yield Static(escape(self.exercise.task), id="ex-task")
        yield Static(id="ex-path")
        yield Static(id="ex-checks")
        yield Static(id="ex-message", classes="-empty")
        with Horizontal(id="ex-buttons"):
            yield Button(f"Start {_key(START_KEY)}", id="ex-start", compact=True)
            yield Button(f"Edit {_key(EDIT_KEY)}", id="ex-edit", compact=True)
            yield Button(f"Check {_key(CHECK_KEY)}", id="ex-check", compact=True, variant="primary")
            yield Button(f"Hint {_key(HINT_KEY)}", id="ex-hint", compact=True)
            yield Button(f"Keras/PyTorch {_key(BRIDGE_KEY)}", id="ex-bridge", compact=True)

    def on_mount(self) -> None:
        self.record = self.session.exercise_record(self.exercise.id)
        self._stamp = self._files_stamp()
        self._told = self.status
        """The status the step was last told of (the lesson screen tells its scene on show)."""
        self.refresh_view()
        self.set_interval(POLL_SECONDS, self._poll)

    def on_unmount(self) -> None:
        self._stop_running()

    # --- showing ------------------------------------------------------------------------------

    def say(self, message: str) -> None:
        """One line for the learner under the checks ("" clears it)."""
        line = self.query_one("#ex-message", Static)
        line.update(escape(message))
        line.set_class(not message, "-empty")

    def refresh_view(self) -> None:
        """Redraw the path and the checks from what is known now."""
        exists = self.workspace.exists(self.exercise)
        where = escape(str(self.path))
        self.query_one("#ex-path", Static).update(
            f"File: [b]{where}[/b]" if exists else f"File (not written yet): {where}"
        )
        texts = []
        for markup, wraps in self._checks_lines(exists):
            text = Text.from_markup(markup, overflow="fold" if wraps else "ellipsis")
            text.no_wrap = not wraps
            texts.append(text)
        self.shown_checks = "\n".join(text.plain for text in texts)
        self.query_one("#ex-checks", Static).update(Group(*texts))
        self.query_one("#ex-start", Button).display = not exists
        self.set_class(exists and self.status == PASSED, "-passed")
        self._fit_buttons()

    def on_resize(self) -> None:
        self._fit_buttons()

    def _fit_buttons(self) -> None:
        """As many button columns as the panel's width holds (all in one row when it is wide)."""
        row = self.query_one("#ex-buttons")
        width = self.content_region.width
        if width <= 0:
            return
        widths = [len(str(b.label)) + 2 for b in row.query(Button) if b.display]
        columns = max(1, len(widths))
        while columns > 1:
            needed = sum(max(widths[i::columns]) for i in range(columns)) + columns - 1
            if needed <= width:
                break
            columns -= 1
        if row.styles.grid_size_columns != columns:
            row.styles.grid_size_columns = columns

    def _checks_lines(self, exists: bool) -> list[tuple[str, bool]]:
        """The checks' status as (markup, wraps) lines: one line per check, cut at the panel's
        edge; the first failure's case, expected value and hint, and what stopped a run, wrap."""
        if not exists:
            return [(f"Status: [b]not started[/b]. {START_KEY} (Start) writes the starter file.", True)]
        lines: list[tuple[str, bool]] = []
        if self.running:
            seconds = time.monotonic() - self._started_at
            lines.append((f"[b]Checking…[/b] ({seconds:.0f} s; your code runs in a separate process)", True))
        report = self.report
        if report is not None:
            first_fail = True
            for line in report.checks:
                name = escape(line.name)
                if line.status == "pass":
                    note = f" [dim]({escape(line.detail)})[/dim]" if line.detail else ""
                    lines.append((f"[green]✓ passed[/green]  {name}{note}", False))
                elif line.status == "skip":
                    lines.append((f"[dim]· not run  {name}: waits for the checks above[/dim]", False))
                else:
                    lines.append((f"[red]✗ failing[/red] {name}: {escape(line.detail)}", first_fail))
                    if first_fail:
                        details = dict(line.details)
                        for label in DETAIL_LABELS:
                            if details.get(label):
                                lines.append((f"    [dim]{label}: {escape(details[label])}[/dim]", True))
                    first_fail = False
            if report.problem:
                lines.append((f"[red]■ stopped[/red] {escape(report.problem)}", True))
            total = len(report.checks)
            if report.passed:
                lines.append((f"[b green]All {total} checks pass[/b green] ({report.seconds:.1f} s). "
                              "Well done.", True))
            elif total and not self.running:
                lines.append((f"{report.passed_count} of {total} checks pass ({report.seconds:.1f} s). "
                              f"Edit ({EDIT_KEY}) and check again ({CHECK_KEY}).", True))
            return lines
        record = self.record
        status = self.status
        if status == PASSED:
            lines.append((f"Status: [b green]passed[/b green] ({_attempts(record)}). "
                          f"{CHECK_KEY} checks again.", True))
        elif status == FAILING and record is not None:
            count = (f"{record.checks_passed} of {record.checks_total} checks pass"
                     if record.checks_total else "the checks could not run")
            lines.append((f"Status: [b red]failing[/b red] ({count}; {_attempts(record)})", True))
            if record.first_failure:
                lines.append((f"  first failure: {escape(record.first_failure)}", True))
        elif not self.running:
            reset = (f" (the starter was put back; {_attempts(record)} before)"
                     if record is not None and record.status == EXERCISE_RESET else "")
            lines.append((f"Status: [b]not checked yet[/b]{reset}. {CHECK_KEY} (Check) runs the "
                          "checks.", True))
        return lines

    # --- actions ------------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        action = {"ex-start": self.start, "ex-edit": self.edit, "ex-check": self.check,
                  "ex-hint": self.hint, "ex-bridge": self.bridge}.get(event.button.id or "")
        if action is not None:
            action()

    def start(self) -> bool:
        """Write the starter file (never over the learner's file); whether the file is there."""
        try:
            result = self.workspace.start(self.exercise)
        except OSError as error:
            self.say(f"Could not write the starter into {self.workspace.root}: "
                     f"{error.strerror or error}. Set DL_TUTOR_WORKSPACE to another folder.")
            return False
        if result.written:
            self.say(f"Starter written. {EDIT_KEY} opens it, {CHECK_KEY} checks it.")
        else:
            self.say("Your file is already there: it is kept as it is.")
        self.refresh_view()
        return True

    def edit(self) -> None:
        """Open the file in $VISUAL / $EDITOR with the app suspended; check it afterwards."""
        if not self.workspace.exists(self.exercise) and not self.start():
            return
        elsewhere = (f"edit {self.path} in another pane and run "
                     f"`dl-tutor exercises watch {self.exercise.id}` beside it")
        command = editor_command()
        if not command:
            self.say(f"No $VISUAL or $EDITOR is set: {elsewhere}.")
            return
        before = self._file_stamp()
        try:
            with self.app.suspend():
                code = run_editor([*command, str(self.path)],
                                  getattr(self.app, "_on_stop_signal", None))
        except SuspendNotSupported:
            self.say(f"This terminal cannot hand over to an editor: {elsewhere}.")
            return
        except OSError as error:
            self.say(f"Could not start the editor {command[0]!r}: {error.strerror or error}; "
                     f"{elsewhere}.")
            return
        self.refresh_view()
        if code != 0:
            self.say(f"The editor ended with status {code}.")
        if self._file_stamp() != before and not self.exercise.trains:
            self.check()
        elif self._file_stamp() != before:
            self.say(f"Saved. {CHECK_KEY} checks it (it trains a network: allow a minute or so).")

    def check(self) -> None:
        """Run the checks in a worker thread; a running one is replaced (its child killed)."""
        problem = self._unusable()
        if problem:
            self.say(problem)
            return
        self._stop_running()
        self._run_id += 1
        cancel = self._cancel = threading.Event()
        self.running = True
        self._started_at = time.monotonic()
        self.say("This exercise trains a network on MNIST: allow a minute or so."
                 if self.exercise.trains else "")
        self.refresh_view()
        self.run_worker(partial(self._run_checks, self._run_id, cancel, self.path), thread=True,
                        group="exercise-check", exit_on_error=False)

    def hint(self) -> None:
        """The next hint (after the last one, the first again)."""
        hints = self.exercise.hints
        if not hints:
            self.say("This exercise has no hints.")
            return
        number = self.hints_shown % len(hints)
        self.hints_shown += 1
        self.say(f"Hint {number + 1} of {len(hints)}: {hints[number]}")

    def bridge(self) -> bool:
        """Open the exercise written with Keras and with PyTorch; whether there is one."""
        from tutor.exercises.bridge import bridge_text

        text = bridge_text(self.exercise)
        if not text:
            self.say("This exercise has no Keras / PyTorch version yet.")
            return False
        self.app.push_screen(BridgeScreen(f"{self.exercise.id}: Keras and PyTorch", text))
        return True

    def action_bridge(self) -> None:
        """`b` while the panel has focus."""
        self.bridge()

    # --- the check's thread -------------------------------------------------------------------

    def _run_checks(self, run_id: int, cancel: threading.Event, path: Path) -> None:
        """In the worker thread: run the sandbox and hand the report to the UI thread."""
        from tutor.exercises.sandbox import Report, run_checks

        try:
            report = run_checks(self.exercise, path, limits=self.LIMITS, cancel=cancel)
        except Exception as error:  # noqa: BLE001 - never let a check take the app down
            report = Report(self.exercise.id, problem=f"the checks could not run: {error}")
        if cancel.is_set():
            return
        try:
            self.app.call_from_thread(self._finish, run_id, report)
        except RuntimeError:  # the app is closing
            pass

    def _finish(self, run_id: int, report) -> None:
        """In the UI thread: show and record a finished run, unless a newer one replaced it."""
        if run_id != self._run_id or not self.is_attached:
            return
        self.running = False
        self._cancel = None
        self.report = report
        self.workspace.record(self.exercise, report.passed)
        self.record = self.session.record_exercise(
            self.exercise.id, report.passed, checked=tracking.stamp(), **tracking.outcome(report),
        )
        self._stamp = self._files_stamp()
        if report.passed:
            self.say("")
        self.refresh_view()
        self._told = PASSED if report.passed else FAILING
        self.post_message(self.Checked(self.exercise.id, report.passed))

    def _stop_running(self) -> None:
        """Drop the running check's result to come and kill its child."""
        if self._cancel is not None:
            self._cancel.set()
            self._cancel = None
        self._run_id += 1
        self.running = False

    # --- helpers ------------------------------------------------------------------------------

    def _unusable(self) -> str:
        """"" when the checks can run, else why not in one line."""
        if not self.workspace.exists(self.exercise):
            return f"Start the exercise first ({START_KEY}): there is no file yet."
        for need in self.exercise.needs:
            other = find(need)[0]
            if other is not None and not self.workspace.exists(other):
                return (f"This exercise imports your {other.file_name} from the {need} exercise: "
                        f"start and solve that one first (`dl-tutor exercises start {need}`).")
        return ""

    def _file_stamp(self) -> int | None:
        try:
            return self.path.stat().st_mtime_ns
        except OSError:
            return None

    def _files_stamp(self) -> tuple:
        """When the progress file and the workspace's status file last changed."""
        stamps = []
        for path in (self.session.store.path, self.workspace.root / ".status.json"):
            try:
                stamps.append(path.stat().st_mtime_ns)
            except OSError:
                stamps.append(None)
        return tuple(stamps)

    def _poll(self) -> None:
        """A running check ticks; a check recorded elsewhere (`exercises watch` in another pane,
        or a file written by hand) is shown."""
        if self.running:
            self.refresh_view()
            return
        stamp = self._files_stamp()
        if stamp == self._stamp:
            return
        self._stamp = stamp
        record = self.session.exercise_record(self.exercise.id)
        if record is not None and (self.record is None
                                   or record.last_change > self.record.last_change):
            self.record = record
            self.report = None  # a newer check or reset ran elsewhere: show its record
        self.refresh_view()
        status = self.status
        # The step's scene follows it: onto the learner's code once it passes, and off it again
        # when it fails or the starter was put back (`dl-tutor exercises reset`).
        if status != self._told and (status in (PASSED, FAILING) or self._told == PASSED):
            self._told = status
            self.post_message(self.Checked(self.exercise.id, status == PASSED))


def _key(key: str) -> str:
    """"^e" for "ctrl+e", as the footer writes it."""
    return "^" + key.removeprefix("ctrl+") if key.startswith("ctrl+") else key


def _attempts(record: ExerciseRecord | None) -> str:
    """"1 check run", "4 check runs"."""
    count = record.attempts if record is not None else 0
    return f"{count} check run{'' if count == 1 else 's'}"


__all__ = ["BRIDGE_KEY", "CHECK_KEY", "EDIT_KEY", "HINT_KEY", "START_KEY", "BridgeScreen",
           "ExercisePanel", "editor_command", "run_editor"]
