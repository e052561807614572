"""Train the learner's own LeNet-5 in one sandboxed child process that lives for a whole run.

The training scene trains the learner's network (their init_lenet, lenet_forward and
lenet_loss_and_grads from lenet_train.py, with their layer files beside it) once the lenet-train
exercise passes. A call per batch would start a process per batch (0.3 s each, 1,875 batches an
epoch), so `LearnerTrainer` starts one child, `python -m tutor.exercises.learner_trainer_child
FILE DATA`, with the sandbox's environment, limits and process handling
(`tutor.exercises.sandbox.child_env`, `drain`, `kill`; the child applies
`runner.apply_limits`): its own session, stdin closed, its output drained and capped, a result
pipe. The child loads the data set itself, so a batch travels as its image indices and the
learning rate (one JSON line on a request pipe) and comes back as its loss and hits (one JSON
line on the result pipe).

`LearnerTrainer` is a `tutor.engines.train.OutsideModel`: `Trainer(..., outside=...)` runs its
usual loop on it (records, pause, stop). Every request has a time limit (the child interrupts
their code at `limits.wall_seconds` and says where it was; this side kills it a little later if
it does not answer). Whatever their code does (raise, loop, allocate, `sys.exit`, `os._exit`,
flood the output, return the wrong kind of value), a call raises `LearnerFailed` with one line
and the child is gone; `interrupt()`, from any thread, kills the child at once and the waiting
call raises `tutor.engines.train.Interrupted`. Nothing here touches the UI.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from tutor.engines.train import Interrupted
from tutor.exercises.catalogue import GIB, Limits
from tutor.exercises.learner_trainer_child import REQUEST_FD_ENV, STEP_SECONDS_ENV
from tutor.exercises.sandbox import KEPT_OUTPUT, child_env, child_record, drain, ending_line, kill, size_text

__all__ = ["TRAINER_LIMITS", "LearnerFailed", "LearnerTrainer"]

#: A training child's limits: `wall_seconds` is the limit of one request (a batch, 500 test
#: images); the CPU limit covers a whole run of many epochs (an endless loop is caught by the
#: request's limit long before); the output limit counts over the run (a print per batch fits).
TRAINER_LIMITS = Limits(wall_seconds=20.0, cpu_seconds=6 * 3600, memory_bytes=4 * GIB,
                        output_bytes=8 * 1024 * 1024)
#: How long the child may take to start: Python, NumPy, the data set and their files.
START_SECONDS = 120.0
#: How much longer than the child's own limit this side waits before killing it.
HARD_MARGIN = 3.0
#: The most bytes of records kept unread from the result pipe.
RECORD_LIMIT = 1024 * 1024


class LearnerFailed(Exception):
    """The learner's code could not go on; `str(error)` is one line (with their file and line
    number where Python gives one)."""


class LearnerTrainer:
    """The learner's LeNet-5 in its child process (a `tutor.engines.train.OutsideModel`).

    Args:
        path: their lenet_train.py (its folder holds the files it imports).
        data: the data set's folder (`tutor.data.DataSet.folder`), loaded by the child.
        limits: the child's limits (`TRAINER_LIMITS`; tests shorten them).

    Use: `start()` (in a worker thread: it waits for the child), `init(...)`, then
    `train_batch`/`hits` as the Trainer asks, and `close()` at the end (also a context manager).
    """

    def __init__(self, path: Path | str, data: Path | str, limits: Limits | None = None) -> None:
        self.path = Path(path)
        self.data = Path(data)
        self.limits = limits or TRAINER_LIMITS
        self.problem = ""
        """The one line that ended it, once a call failed."""
        self.sizes: tuple[int, int] = (0, 0)
        """(training images, test images) of the data set the child loaded."""
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._interrupted = threading.Event()
        self._requests: Any = None
        self._results: int | None = None
        self._buffer = b""
        self._output: Any = None
        self._flooded = False

    # --- the process ------------------------------------------------------------------------

    def start(self) -> None:
        """Start the child and wait until it has loaded the data and their file."""
        if not self.path.is_file():
            raise LearnerFailed(f"your file {self.path.name} is not there any more")
        read_fd, write_fd = os.pipe()
        request_read, request_write = os.pipe()
        env = child_env(self.limits, write_fd)
        env[REQUEST_FD_ENV] = str(request_read)
        env[STEP_SECONDS_ENV] = f"{self.limits.wall_seconds:g}"
        with self._lock:
            if self._interrupted.is_set():
                for fd in (read_fd, write_fd, request_read, request_write):
                    os.close(fd)
                raise Interrupted()
            try:
                self._process = subprocess.Popen(
                    [sys.executable, "-m", "tutor.exercises.learner_trainer_child", str(self.path.resolve()),
                     str(self.data)],
                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                    pass_fds=(write_fd, request_read), cwd=str(self.path.parent), env=env,
                    start_new_session=True,
                )
            except OSError as error:
                for fd in (read_fd, request_write):
                    os.close(fd)
                raise LearnerFailed(f"could not start the process for your code: {error}") from None
            finally:
                os.close(write_fd)
                os.close(request_read)
        self._results = read_fd
        self._requests = os.fdopen(request_write, "w", encoding="utf-8")
        self._output = drain(self._process.stdout, KEPT_OUTPUT, self.limits.output_bytes, self._flood)
        ready = self._reply(time.monotonic() + START_SECONDS, "while loading your file")
        self.sizes = (int(ready.get("train", 0)), int(ready.get("test", 0)))

    def _flood(self) -> None:
        """The drain thread: their output passed the limit."""
        self._flooded = True
        self._kill()

    def _kill(self) -> None:
        with self._lock:
            if self._process is not None:
                kill(self._process)

    def interrupt(self) -> None:
        """Cut the run short from any thread: the child is killed and the waiting call (and
        every later one) raises `Interrupted`."""
        self._interrupted.set()
        self._kill()

    def close(self) -> None:
        """End the child (and anything it started) and free the pipes; safe to call twice."""
        self._kill()
        process = self._process
        if process is not None:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if self._output is not None:
            self._output.thread.join(timeout=5)
        for stream in (self._requests, process.stdout if process is not None else None):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
        self._requests = None
        if self._results is not None:
            os.close(self._results)
            self._results = None

    def __enter__(self) -> LearnerTrainer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def alive(self) -> bool:
        """Whether the child is running."""
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        """The child's process id (its session's too), once started."""
        return None if self._process is None else self._process.pid

    def output_text(self) -> str:
        """The start of what their code printed."""
        return bytes(self._output.kept).decode("utf-8", "replace") if self._output is not None else ""

    # --- requests ---------------------------------------------------------------------------

    def init(self, seed: int, optimizer: str, lr: float, momentum: float) -> int:
        """Their init_lenet(seed) and the optimizer on it; the parameter count."""
        return int(self._request({"op": "init", "seed": int(seed), "optimizer": optimizer, "lr": float(lr),
                                  "momentum": float(momentum)}, "in init_lenet")["params"])

    def train_batch(self, indices: np.ndarray, lr: float) -> tuple[float, int]:
        """One optimizer step on the training images `indices` (B,): (mean loss, hits)."""
        reply = self._request({"op": "step", "indices": [int(i) for i in indices], "lr": float(lr)},
                              "for one batch")
        loss = reply.get("loss")
        return (float("nan") if loss is None else float(loss)), int(reply["hits"])

    def hits(self, split: str, start: int, count: int) -> int:
        """How many of the `split` images start..start+count their network classifies right."""
        return int(self._request({"op": "hits", "split": split, "start": int(start), "count": int(count)},
                                 "testing")["hits"])

    def _request(self, request: dict, doing: str) -> dict:
        """Send one request and wait for its answer (within the limit)."""
        if self._interrupted.is_set():
            raise Interrupted()
        if self.problem:
            raise LearnerFailed(self.problem)
        if self._requests is None:
            raise LearnerFailed("the process for your code was not started")
        try:
            self._requests.write(json.dumps(request) + "\n")
            self._requests.flush()
        except (OSError, ValueError):  # the child is gone: its records say why
            pass
        return self._reply(time.monotonic() + self.limits.wall_seconds + HARD_MARGIN, doing)

    def _reply(self, deadline: float, doing: str) -> dict:
        """The next record from the child, or LearnerFailed / Interrupted."""
        while True:
            if b"\n" in self._buffer:
                line, self._buffer = self._buffer.split(b"\n", 1)
                record = child_record(line)
                if record is None:
                    continue
                if record.get("event") == "fatal":
                    self._fail(str(record.get("line", "")) or "your code stopped the training process")
                return record
            if self._interrupted.is_set():
                self._reap()
                raise Interrupted()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._fail(f"your code was stopped after {self.limits.wall_seconds:g} s {doing} (the time "
                           "limit): an endless loop?")
            ready, _, _ = select.select([self._results], [], [], min(0.1, remaining))
            if not ready:
                continue
            chunk = os.read(self._results, 65536)
            if not chunk:
                self._ended()
            self._buffer += chunk
            if len(self._buffer) > RECORD_LIMIT:
                self._fail("the training process sent more than it should (a damaged answer)")

    def _reap(self) -> None:
        """Wait for the ended (or killed) child, killing it if it lingers."""
        process = self._process
        if process is not None:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._kill()
                process.wait()

    def _ended(self) -> None:
        """The child closed its result pipe: it ended. Raise with the reason."""
        process = self._process
        self._reap()
        if self._interrupted.is_set():
            raise Interrupted()
        if self._flooded:
            self._fail(f"your code printed more than {size_text(self.limits.output_bytes)} and was stopped "
                       "(a print inside a loop?)")
        code = process.returncode if process is not None else 1
        self._fail(ending_line(code, self.limits).replace("the check process", "the training process")
                   .replace("the checks finished", "training finished"))

    def _fail(self, line: str) -> None:
        """Kill the child and raise LearnerFailed(line) (every later call raises it too)."""
        self._kill()
        self._reap()
        self.problem = line
        raise LearnerFailed(line)
