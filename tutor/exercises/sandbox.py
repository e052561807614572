"""Run an exercise's checks on the learner's file in a child process, and read back a `Report`.

The learner's code is never imported here. `run_checks` starts
`python -m tutor.exercises.runner ID FILE` in its own session (so the whole process group can be
killed), with a wall-time limit, the child's CPU and memory limits in its environment, stdin
closed, and a pipe for the results. Two reader threads drain the child's output (keeping the
first `KEPT_OUTPUT` bytes; more than the exercise's output limit stops the run) and the result
pipe. However the child ends, the caller gets a `Report`: the checks that ran, and at most one
line (`problem`) saying what stopped the run. Nothing raises for anything the learner's code does.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tutor.exercises.catalogue import Exercise, Limits
from tutor.exercises.runner import CPU_ENV, MEMORY_ENV, RESULT_FD_ENV

__all__ = ["CheckLine", "Report", "run_checks"]

#: How much of the learner's output a report keeps to show.
KEPT_OUTPUT = 8 * 1024
#: How often a cancellable run looks at its `cancel` event, in seconds.
CANCEL_POLL = 0.1
#: The most bytes of records read back from the result pipe.
RESULT_LIMIT = 4 * 1024 * 1024


@dataclass(frozen=True)
class CheckLine:
    """One check's outcome.

    Attributes:
        name: what it checks.
        status: "pass", "fail" or "skip" (waits for the checks above).
        detail: for a pass, an optional note (a relative error); for a failure, its summary.
        details: for a failure, (label, text) pairs: case, expected, got, largest error, hint.
    """

    name: str
    status: str
    detail: str = ""
    details: tuple[tuple[str, str], ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the check passed."""
        return self.status == "pass"


@dataclass(frozen=True)
class Report:
    """What one run of the checks found.

    Attributes:
        exercise: the exercise's id.
        checks: the checks that ran, in order.
        problem: one line when the run could not finish (a syntax error, a timeout, a crash, an
            output flood, sys.exit...), else "".
        output: the start of what the learner's code printed.
        seconds: how long the run took.
    """

    exercise: str
    checks: tuple[CheckLine, ...] = ()
    problem: str = ""
    output: str = ""
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """Every check ran and passed."""
        return not self.problem and bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def passed_count(self) -> int:
        """How many checks passed."""
        return sum(c.ok for c in self.checks)


@dataclass
class _Drain:
    """What a reader thread collected from one pipe."""

    kept: bytearray = field(default_factory=bytearray)
    total: int = 0
    flooded: bool = False


def _drain(stream, keep: int, limit: int, on_flood) -> _Drain:
    """Read `stream` to its end in a thread, keeping `keep` bytes; past `limit`, call on_flood."""
    result = _Drain()

    def read() -> None:
        try:
            while True:
                chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
                if not chunk:
                    break
                result.total += len(chunk)
                room = keep - len(result.kept)
                if room > 0:
                    result.kept += chunk[:room]
                if result.total > limit and not result.flooded:
                    result.flooded = True
                    on_flood()
        except (OSError, ValueError):
            pass

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    result.thread = thread  # type: ignore[attr-defined]
    return result


def _kill(process: subprocess.Popen) -> None:
    """End the child and anything it started (its own session's process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.kill()
    except ProcessLookupError:
        pass


def _child_env(limits: Limits, write_fd: int) -> dict[str, str]:
    """The child's environment: ours, plus its limits and the result pipe."""
    env = dict(os.environ)
    env[RESULT_FD_ENV] = str(write_fd)
    env[CPU_ENV] = str(int(limits.cpu_seconds))
    env[MEMORY_ENV] = str(int(limits.memory_bytes))
    env.setdefault("PYTHONIOENCODING", "utf-8")
    # BLAS threads each reserve memory: keep their number small under the address-space limit.
    threads = str(min(4, os.cpu_count() or 1))
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, threads)
    return env


def _parse(lines: list[str]) -> tuple[list[CheckLine], str, str, bool]:
    """Checks, the fatal line, the check that was running, and whether the child said done."""
    checks: list[CheckLine] = []
    fatal, running, done = "", "", False
    for text in lines:
        try:
            record = json.loads(text)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        event = record.get("event")
        if event == "start":
            running = str(record.get("name", ""))
        elif event == "check":
            running = ""
            if record.get("ok"):
                checks.append(CheckLine(str(record.get("name")), "pass", str(record.get("detail") or "")))
            else:
                details = tuple((str(a), str(b)) for a, b in record.get("details") or [])
                checks.append(CheckLine(str(record.get("name")), "fail", str(record.get("summary", "")), details))
        elif event == "skip":
            checks.append(CheckLine(str(record.get("name")), "skip", "fix the checks above first"))
        elif event == "fatal":
            fatal = str(record.get("line", ""))
        elif event == "done":
            done = True
    return checks, fatal, running, done


def _size(count: int) -> str:
    """"1 MiB", "64 KiB": a byte count as the limit is written."""
    if count >= 1024 * 1024 and count % (1024 * 1024) == 0:
        return f"{count // (1024 * 1024)} MiB"
    return f"{count // 1024} KiB"


def _ending(returncode: int, limits: Limits) -> str:
    """One line for a child that ended without finishing the checks."""
    if returncode < 0:
        number = -returncode
        if number == signal.SIGXCPU or number == signal.SIGKILL:
            return (f"your code used more than {limits.cpu_seconds} s of CPU time (the limit) and was "
                    "stopped: an endless loop?")
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return f"the check process crashed ({name}) while running your code"
    return (f"your code ended the check process (exit status {returncode}: os._exit()?) before the "
            "checks finished. Return a value instead of exiting.")


def run_checks(exercise: Exercise, path: Path, *, limits: Limits | None = None,
               cancel: threading.Event | None = None) -> Report:
    """Run `exercise`'s checks on the learner's file `path` in a sandboxed child process.

    `cancel`: when it is set during the run (the app left the step, or a newer check replaced
    this one), the child is killed at once and the report says it was stopped."""
    limits = limits or exercise.limits
    started = time.monotonic()
    read_fd, write_fd = os.pipe()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "tutor.exercises.runner", exercise.id, str(path)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            pass_fds=(write_fd,), cwd=str(path.parent), env=_child_env(limits, write_fd),
            start_new_session=True,
        )
    except OSError as error:
        os.close(read_fd)
        os.close(write_fd)
        return Report(exercise.id, problem=f"could not start the check process: {error}")
    finally:
        try:
            os.close(write_fd)
        except OSError:
            pass
    results = os.fdopen(read_fd, "rb")
    flood = threading.Event()

    def stop_flood() -> None:
        flood.set()
        _kill(process)

    output = _drain(process.stdout, KEPT_OUTPUT, limits.output_bytes, stop_flood)
    records = _drain(results, RESULT_LIMIT, RESULT_LIMIT, lambda: _kill(process))
    timed_out = cancelled = False
    try:
        if cancel is None:
            process.wait(timeout=limits.wall_seconds)
        else:  # look at `cancel` ten times a second
            deadline = started + limits.wall_seconds
            while True:
                try:
                    process.wait(timeout=max(0.0, min(CANCEL_POLL, deadline - time.monotonic())))
                    break
                except subprocess.TimeoutExpired:
                    if cancel.is_set():
                        cancelled = True
                        _kill(process)
                        process.wait()
                        break
                    if time.monotonic() >= deadline:
                        raise
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill(process)
        process.wait()
    except BaseException:  # Ctrl+C in `watch`: never leave the child behind
        _kill(process)
        process.wait()
        raise
    _kill(process)  # anything the learner's code started in the background
    for drained in (output, records):
        drained.thread.join(timeout=5)  # type: ignore[attr-defined]
    for stream in (process.stdout, results):
        try:
            stream.close()
        except OSError:
            pass
    checks, fatal, running, done = _parse(records.kept.decode("utf-8", "replace").splitlines())
    during = f" (during the check '{running}')" if running else ""
    if cancelled:
        problem = "the check was stopped before it finished (a newer check replaced it)"
    elif flood.is_set():
        problem = (f"your code printed more than {_size(limits.output_bytes)}{during} and was "
                   "stopped (an output flood: a print inside a loop?)")
    elif timed_out:
        problem = (f"your code was stopped after {limits.wall_seconds:g} s (the time limit){during}: "
                   "an endless loop, or a very slow function?")
    elif fatal:
        problem = fatal
    elif not done:
        problem = _ending(process.returncode, limits)
        if running:
            problem = problem.rstrip(".") + f"; it was running the check '{running}'."
    else:
        problem = ""
    text = output.kept.decode("utf-8", "replace")
    if output.total > len(output.kept):
        text += f"\n[... {output.total - len(output.kept):,} more bytes not shown]"
    return Report(exercise.id, tuple(checks), problem, text, time.monotonic() - started)
