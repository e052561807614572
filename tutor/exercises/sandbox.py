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

from tutor.backend import BLAS_THREADS_ENV
from tutor.exercises.catalogue import Exercise, Limits
from tutor.exercises.runner import AGAINST_ENV, CPU_ENV, MEMORY_ENV, RESULT_FD_ENV

__all__ = ["ChildRun", "CheckLine", "Report", "child_env", "drain", "ending_line", "kill", "run_checks",
           "run_child", "size_text"]

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
        status: "pass", "fail" or "skip" (waits for the checks above); a comparison with
            autograd (`Report.comparisons`) may also be "note" (it compares nothing).
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
        comparisons: with `against="torch"`, one line per gradient compared with PyTorch
            autograd (status "pass", "fail", or "note" for a line that compares nothing); they
            do not count in `passed`.
    """

    exercise: str
    checks: tuple[CheckLine, ...] = ()
    problem: str = ""
    output: str = ""
    seconds: float = 0.0
    comparisons: tuple[CheckLine, ...] = ()

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


def drain(stream, keep: int, limit: int, on_flood) -> _Drain:
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


def kill(process: subprocess.Popen) -> None:
    """End the child and anything it started (its own session's process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.kill()
    except ProcessLookupError:
        pass


def child_env(limits: Limits, write_fd: int, against: str = "") -> dict[str, str]:
    """The child's environment: ours, plus its limits and the result pipe."""
    env = dict(os.environ)
    env[RESULT_FD_ENV] = str(write_fd)
    env.pop(AGAINST_ENV, None)
    if against:
        env[AGAINST_ENV] = against
    env[CPU_ENV] = str(int(limits.cpu_seconds))
    env[MEMORY_ENV] = str(int(limits.memory_bytes))
    env.setdefault("PYTHONIOENCODING", "utf-8")
    # BLAS threads each reserve memory: keep their number small under the address-space limit.
    threads = str(min(4, os.cpu_count() or 1))
    for name in BLAS_THREADS_ENV:
        env.setdefault(name, threads)
    return env


def child_record(line: str | bytes) -> dict | None:
    """One line of a child's result pipe as its record (a JSON object), or None for anything
    else (a cut or garbled line): the one reading of the children's records."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _parse(lines: list[str]) -> tuple[list[CheckLine], str, str, bool, list[CheckLine]]:
    """Checks, the fatal line, the check that was running, whether the child said done, and
    the comparisons with autograd."""
    checks: list[CheckLine] = []
    comparisons: list[CheckLine] = []
    fatal, running, done = "", "", False
    for text in lines:
        record = child_record(text)
        if record is None:
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
        elif event == "compare":
            ok = record.get("ok")
            status = "note" if ok is None else "pass" if ok else "fail"
            comparisons.append(CheckLine(str(record.get("name")), status, str(record.get("detail") or "")))
        elif event == "done":
            done = True
    return checks, fatal, running, done, comparisons


def size_text(count: int) -> str:
    """"1 MiB", "64 KiB": a byte count as the limit is written."""
    if count >= 1024 * 1024 and count % (1024 * 1024) == 0:
        return f"{count // (1024 * 1024)} MiB"
    return f"{count // 1024} KiB"


def ending_line(returncode: int, limits: Limits) -> str:
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


@dataclass
class ChildRun:
    """How a sandboxed child ended (`run_child`): what it printed (the first KEPT_OUTPUT bytes
    and the total), what it wrote to the result pipe, its exit status, and whether it was
    stopped for an output flood, the wall-time limit or a cancel."""

    returncode: int | None = None
    output: bytes = b""
    output_total: int = 0
    records: bytes = b""
    flooded: bool = False
    timed_out: bool = False
    cancelled: bool = False
    start_error: str = ""  #: the child could not be started (one line)

    def output_text(self) -> str:
        """What the child printed, with a line saying how much more was cut."""
        text = self.output.decode("utf-8", "replace")
        if self.output_total > len(self.output):
            text += f"\n[... {self.output_total - len(self.output):,} more bytes not shown]"
        return text


def run_child(argv: list[str], *, cwd: Path, limits: Limits, cancel: threading.Event | None = None,
              record_limit: int = RESULT_LIMIT, against: str = "") -> ChildRun:
    """Run `python -m ARGV...` as a sandboxed child: its own session (the whole process group is
    killed at the end, so nothing it started lives on), stdin closed, `limits` in its
    environment (the child applies the CPU and memory limits itself: `runner.apply_limits`), a
    result pipe, the wall-time limit here, `cancel` looked at ten times a second, and output
    past `limits.output_bytes` stopping it. Never raises for what the child does; Ctrl+C in the
    caller kills the child and goes on up."""
    started = time.monotonic()
    read_fd, write_fd = os.pipe()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", *argv], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, pass_fds=(write_fd,), cwd=str(cwd),
            env=child_env(limits, write_fd, against), start_new_session=True,
        )
    except OSError as error:
        os.close(read_fd)
        return ChildRun(start_error=str(error))
    finally:
        try:
            os.close(write_fd)
        except OSError:
            pass
    results = os.fdopen(read_fd, "rb")
    run = ChildRun()

    def stop_flood() -> None:
        run.flooded = True
        kill(process)

    output = drain(process.stdout, KEPT_OUTPUT, limits.output_bytes, stop_flood)
    records = drain(results, record_limit, record_limit, lambda: kill(process))
    deadline = started + limits.wall_seconds
    try:
        while True:
            try:
                process.wait(timeout=max(0.0, min(CANCEL_POLL, deadline - time.monotonic())))
                break
            except subprocess.TimeoutExpired:
                if cancel is not None and cancel.is_set():
                    run.cancelled = True
                    break
                if time.monotonic() >= deadline:
                    run.timed_out = True
                    break
    finally:  # also on Ctrl+C in `watch`: never leave the child behind
        kill(process)  # and anything the learner's code started in the background
        process.wait()
        for drained in (output, records):
            drained.thread.join(timeout=5)  # type: ignore[attr-defined]
        for stream in (process.stdout, results):
            try:
                stream.close()
            except OSError:
                pass
    run.returncode = process.returncode
    run.output, run.output_total = bytes(output.kept), output.total
    run.records = bytes(records.kept)
    return run


def run_checks(exercise: Exercise, path: Path, *, limits: Limits | None = None,
               cancel: threading.Event | None = None, against: str = "") -> Report:
    """Run `exercise`'s checks on the learner's file `path` in a sandboxed child process.

    `cancel`: when it is set during the run (the app left the step, or a newer check replaced
    this one), the child is killed at once and the report says it was stopped.
    `against`: "torch" also compares the learner's gradients with PyTorch autograd, in the
    child, after the checks (`Report.comparisons`)."""
    limits = limits or exercise.limits
    started = time.monotonic()
    child = run_child(["tutor.exercises.runner", exercise.id, str(path)], cwd=path.parent, limits=limits,
                      cancel=cancel, against=against)
    if child.start_error:
        return Report(exercise.id, problem=f"could not start the check process: {child.start_error}")
    checks, fatal, running, done, comparisons = _parse(child.records.decode("utf-8", "replace").splitlines())
    during = f" (during the check '{running}')" if running else ""
    if child.cancelled:
        problem = "the check was stopped before it finished (a newer check replaced it)"
    elif child.flooded:
        problem = (f"your code printed more than {size_text(limits.output_bytes)}{during} and was "
                   "stopped (an output flood: a print inside a loop?)")
    elif child.timed_out:
        problem = (f"your code was stopped after {limits.wall_seconds:g} s (the time limit){during}: "
                   "an endless loop, or a very slow function?")
    elif fatal:
        problem = fatal
    elif not done:
        problem = ending_line(child.returncode, limits)
        if running:
            problem = problem.rstrip(".") + f"; it was running the check '{running}'."
    else:
        problem = ""
    return Report(exercise.id, tuple(checks), problem, child.output_text(), time.monotonic() - started,
                  tuple(comparisons))
