"""dl-tutor over SSH, end to end: a real sshd on loopback, `ssh -t` inside tmux, real keys.

Each test starts a private sshd on 127.0.0.1 (its own keys and config in tmp_path) and a tmux
pane of 100x30 running `ssh -t` to it; the remote command starts the tutor from this checkout's
virtual environment, as a learner would on a remote machine. The tests read the pane the way
the learner sees it and type keys through tmux, so the keys cross the SSH connection as escape
sequences. Like a real ssh, the connection does not carry COLORTERM.

They check that the course map appears, a lesson opens and arrow keys move through it, that
`q` ends the session and leaves the local terminal usable, that a dropped connection keeps
the progress saved so far (the next login offers to resume where the learner was), and that
forgetting `-t` gets one line of explanation rather than a traceback.

The tests skip, with the reason, where sshd, ssh, ssh-keygen or tmux is missing; `.ci/run`
installs them when it runs as root on Debian.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ssh_harness import (
    LoopbackSshd,
    TmuxTerminal,
    missing_tools,
    process_alive,
    stop_pid_from_file,
    wait_until,
)
from tutor.content import load_course
from tutor.paths import default_lessons_dir

_MISSING = missing_tools()
pytestmark = pytest.mark.skipif(
    bool(_MISSING),
    reason=f"the SSH end-to-end tests need {', '.join(_MISSING)}: install openssh-server,"
    " openssh-client and tmux (`.ci/run` does so when it runs as root)",
)

REPO = Path(__file__).resolve().parent.parent
#: How long the tutor may take to draw its first screen over SSH on a slow, shared machine.
START_TIMEOUT = 30.0
#: How long any later screen change may take.
STEP_TIMEOUT = 15.0
#: The marker the pane's wrapper script prints once ssh has returned.
EXIT_MARKER = "ssh exited with status"


def _tutor_command() -> list[str]:
    """The command that starts dl-tutor from this checkout: the venv's script, else `-m tutor`."""
    script = Path(sys.executable).parent / "dl-tutor"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "tutor"]


class Session:
    """One learner's SSH session: sshd, the tmux pane running ssh, and the files they leave."""

    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.home = home
        self.sshd = LoopbackSshd(root / "sshd")
        self.terminal: TmuxTerminal | None = None
        self.runs = 0

    def connect(self) -> TmuxTerminal:
        """Open a new tmux pane that logs in with `ssh -t` and starts the tutor remotely."""
        self.runs += 1
        run = self.root / f"run{self.runs}"
        run.mkdir()
        self.remote_pid = run / "remote.pid"
        self.ssh_pid = run / "ssh.pid"
        self.stty = run / "stty.txt"
        # The remote side: what the learner's shell runs on the server. `exec` keeps the pid.
        remote = (
            f"cd {shlex.quote(str(REPO))} && echo $$ > {shlex.quote(str(self.remote_pid))}"
            f" && exec env DL_TUTOR_HOME={shlex.quote(str(self.home))} DL_TUTOR_BACKEND=numpy"
            f" TERM=xterm-256color {shlex.join(_tutor_command())}"
        )
        ssh = shlex.join(self.sshd.ssh_command(remote))
        # The local side: ssh in the pane (its pid written down first), then a check that the
        # terminal still works: stty's modes to a file, and a line read back from the keyboard.
        script = run / "pane.sh"
        script.write_text(
            f"sh -c 'echo $$ > \"$0\"; exec \"$@\"' {shlex.quote(str(self.ssh_pid))} {ssh}\n"
            f'echo "{EXIT_MARKER} $?"\n'
            f"stty -a > {shlex.quote(str(self.stty))}\n"
            "printf 'type a line: '\n"
            "read line\n"
            'echo "typed: $line"\n'
            "sleep 60\n"
        )
        if self.terminal is not None:
            self.terminal.stop()
        self.terminal = TmuxTerminal(width=100, height=30)
        self.terminal.start(["sh", str(script)])
        return self.terminal

    def expect(self, text: str, timeout: float = STEP_TIMEOUT) -> None:
        """Fail, showing the pane and sshd's log, unless `text` shows up in time."""
        assert self.terminal is not None
        if not self.terminal.wait_for(text, timeout):
            log = self.sshd.log_path.read_text() if self.sshd.log_path.exists() else ""
            pytest.fail(
                f"{text!r} did not appear within {timeout:.0f} s.\n"
                f"--- pane ---\n{self.terminal.screen()}\n--- sshd log ---\n{log}"
            )

    def progress(self) -> dict:
        """The progress file the remote tutor wrote."""
        return json.loads((self.home / "progress.json").read_text())

    def close(self) -> None:
        """Stop tmux and sshd, and any remote tutor a failed test left behind."""
        if self.terminal is not None:
            self.terminal.stop()
        for run in range(1, self.runs + 1):
            stop_pid_from_file(self.root / f"run{run}" / "ssh.pid", "ssh")
            stop_pid_from_file(self.root / f"run{run}" / "remote.pid", "tutor")
        self.sshd.stop()


@pytest.fixture
def session(tmp_path: Path):
    """A running loopback sshd and a fresh DL_TUTOR_HOME; everything stopped afterwards."""
    home = tmp_path / "home"
    home.mkdir()
    session = Session(tmp_path, home)
    try:
        session.sshd.start()
        yield session
    finally:
        session.close()


@pytest.fixture(scope="module")
def first_lesson():
    """The first lesson of the shipped course (the one highlighted on a first start)."""
    course = load_course(default_lessons_dir())
    return course, course.lessons[0]


def _remote_pid(session: Session) -> int:
    assert wait_until(lambda: session.remote_pid.exists() and session.remote_pid.read_text().strip(), 5)
    return int(session.remote_pid.read_text())


def _open_first_lesson_and_step_on(session: Session, course, lesson) -> None:
    """From a fresh start: see the map, open the first lesson, go to its second step."""
    session.expect(course.units[0].title.upper(), START_TIMEOUT)
    session.expect(lesson.title)
    session.terminal.send("Enter")
    session.expect(lesson.steps[0].title)
    session.expect(f"step 1 of {len(lesson.steps)}")
    session.terminal.send("Right")  # an escape sequence that must cross the connection intact
    session.expect(lesson.steps[1].title)
    session.expect(f"step 2 of {len(lesson.steps)}")


def test_course_map_and_lesson_over_ssh_then_quit_cleanly(session: Session, first_lesson) -> None:
    """Log in with ssh -t, open a lesson, quit with q: the terminal is left as it was."""
    course, lesson = first_lesson
    terminal = session.connect()
    session.expect(course.title, START_TIMEOUT)
    _open_first_lesson_and_step_on(session, course, lesson)
    remote = _remote_pid(session)

    terminal.send("q")
    session.expect(f"{EXIT_MARKER} 0")
    # The tutor ended on the server, and left the pane as it found it: no alternate screen,
    # no mouse reporting, a visible cursor, canonical mode with echo.
    assert wait_until(lambda: not process_alive(remote), 10), "the remote tutor is still running"
    assert terminal.pane_flags() == {"alternate_on": "0", "mouse_any_flag": "0", "cursor_flag": "1"}
    modes = set(re.split(r"[\s;]+", session.stty.read_text()))
    assert {"icanon", "echo", "isig"} <= modes, modes
    session.expect("type a line:")
    terminal.send_text("hello there")
    terminal.send("Enter")
    session.expect("typed: hello there")

    progress = session.progress()
    assert progress["last_lesson"] == lesson.id
    record = progress["lessons"][lesson.id]
    assert record["visited"][:2] == [lesson.steps[0].id, lesson.steps[1].id]
    assert record["step"] == lesson.steps[1].id


def test_without_ssh_t_the_tutor_explains_what_to_do(session: Session) -> None:
    """`ssh host dl-tutor` (no -t) gets no terminal: one line saying so, no traceback."""
    remote = (
        f"cd {shlex.quote(str(REPO))} && exec env DL_TUTOR_HOME={shlex.quote(str(session.home))}"
        f" DL_TUTOR_BACKEND=numpy {shlex.join(_tutor_command())}"
    )
    result = subprocess.run(
        session.sshd.ssh_command(remote, terminal=False),
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "interactive terminal" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_dropped_connection_keeps_progress_and_the_next_login_resumes(
    session: Session, first_lesson
) -> None:
    """Kill the ssh client mid-lesson: progress stays, the remote tutor exits, login resumes."""
    course, lesson = first_lesson
    terminal = session.connect()
    _open_first_lesson_and_step_on(session, course, lesson)
    remote = _remote_pid(session)
    # The tutor saves on every step; wait until the second step is on disk, then drop the line.
    path = session.home / "progress.json"
    assert wait_until(
        lambda: path.exists() and lesson.steps[1].id in path.read_text(), STEP_TIMEOUT
    ), "the tutor did not save the step it showed"
    ssh_pid = int(session.ssh_pid.read_text())
    os.kill(ssh_pid, signal.SIGKILL)
    session.expect(EXIT_MARKER)

    # Without its terminal the remote tutor must end, not linger on the server.
    assert wait_until(lambda: not process_alive(remote), 15), (
        "the remote tutor kept running after its connection dropped"
    )
    progress = session.progress()
    record = progress["lessons"][lesson.id]
    assert progress["last_lesson"] == lesson.id
    assert record["step"] == lesson.steps[1].id
    assert lesson.steps[0].id in record["visited"] and lesson.steps[1].id in record["visited"]
    kept = sorted(p.name for p in session.home.iterdir() if p.name != "cache")  # the course's cache
    assert kept == ["progress.json", "progress.json.lock"], (
        "a dropped connection left a damaged or temporary progress file"
    )

    # Log in again: the map offers to resume at step 2, and resuming lands there.
    terminal = session.connect()
    session.expect("Resume:", START_TIMEOUT)
    session.expect(f"(step 2/{len(lesson.steps)})")
    terminal.send("r")
    session.expect(lesson.steps[1].title)
    session.expect(f"step 2 of {len(lesson.steps)}")
    terminal.send("q")
    session.expect(f"{EXIT_MARKER} 0")
