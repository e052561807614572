"""A real `python -m tutor` on a pseudo-terminal, as a terminal emulator would run it.

Shared by the interruption tests and `benchmarks/bandwidth.py` (which counts the bytes it sends).
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

ESCAPES = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")
ROOT = Path(__file__).resolve().parents[1]


class TutorError(AssertionError):
    """The tutor did not show what was expected (the message holds what it showed)."""


class Tutor:
    """`python -m tutor ARGS` on a pty (100x30 by default), with its output kept.

    `env` adds to (or, with None values, removes from) the environment; the tutor always gets
    its own DL_TUTOR_HOME, the NumPy backend and TERM=xterm-256color.
    """

    def __init__(self, home: Path, *args: str, size: tuple[int, int] = (100, 30),
                 env: dict[str, str | None] | None = None) -> None:
        full = {**os.environ, "DL_TUTOR_HOME": str(home), "TERM": "xterm-256color", "DL_TUTOR_BACKEND": "numpy"}
        full.pop("NO_COLOR", None)
        full.pop("DL_TUTOR_DATA_DIR", None)
        for name, value in (env or {}).items():
            if value is None:
                full.pop(name, None)
            else:
                full[name] = value
        columns, rows = size
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: size the terminal, then become the tutor
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
            os.chdir(ROOT)
            os.execve(sys.executable, [sys.executable, "-m", "tutor", *args], full)
        self.raw = b""
        self.status: int | None = None

    @property
    def text(self) -> str:
        return ESCAPES.sub("", self.raw.decode("utf-8", "replace"))

    def read(self, seconds: float) -> None:
        """Collect output for up to `seconds` (less if the tutor closes the terminal)."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.1))
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:  # EIO: the tutor exited and the pty closed
                    return
                if not chunk:
                    return
                self.raw += chunk

    def wait_for(self, pattern: str, timeout: float = 30.0) -> None:
        """Read until `pattern` (a regex) appears in the plain text; fail with the screen if not."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if re.search(pattern, self.text):
                return
            self.read(0.2)
            if self.exited():
                break
        raise TutorError(f"{pattern!r} did not appear; the tutor showed:\n{self.text[-3000:]}")

    def send(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def resize(self, columns: int, rows: int) -> None:
        """Resize the terminal, as a window manager or tmux does (the tutor gets SIGWINCH)."""
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))

    def exited(self) -> bool:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
        return self.status is not None

    def finish(self, timeout: float = 20.0) -> int:
        """Read to the end and return the exit code (fail if the tutor does not exit)."""
        end = time.monotonic() + timeout
        while not self.exited():
            if time.monotonic() > end:
                os.kill(self.pid, signal.SIGKILL)
                raise TutorError(f"the tutor did not exit; it showed:\n{self.text[-3000:]}")
            self.read(0.2)
        self.read(0.5)
        return self.status

    def terminal_is_usable(self) -> bool:
        """The pty is back in cooked mode with echo (what a shell needs after the app)."""
        lflag = termios.tcgetattr(self.fd)[3]
        return bool(lflag & termios.ECHO) and bool(lflag & termios.ICANON)

    def close(self) -> None:
        if not self.exited():
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        try:
            os.close(self.fd)
        except OSError:
            pass
