"""The second half of a big training batch, computed by a second Python process on a second core.

`Model.loss_and_grads` trains a big batch (`model.SPLIT_BATCH`) as two halves (the mean of their
gradients). Where BLAS may use two threads or more, `run_halves` gives the second half to a kept
child process and computes the first here, at the same time. Threads cannot do this as well: a
training step makes a few hundred NumPy calls per half, and two threads hand the GIL back and
forth at each of them (measured on 2 cores at batch 256: one core 21 ms, two threads 13.3 ms,
two processes 10.2 ms).

The child (`python -m tutor.engines.half_process`) shares one memory-mapped file with this
process: the parameters, the half batch and its labels go in, the loss, probabilities and
gradients come out, and only a few bytes cross the pipe per step. The file is unlinked as soon
as the child has opened it, so nothing is left behind, even after a crash. The child runs in a
session of its own (Ctrl+C in the terminal does not reach it), ignores SIGINT, and ends when this
process closes the pipe or exits.

Each half takes BLAS's threads divided by two, in either process; with one thread both halves
run here, one after the other, with the same numbers. If the child cannot start, dies or fails,
the half is computed here instead, and `status()` says why; the run never notices but for the
time.
"""

from __future__ import annotations

import atexit
import math
import mmap
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from tutor.backend import blas_limit, blas_threads, error_line
from tutor.engines.spec import layer_shapes

__all__ = ["Result", "available", "close", "run_halves", "status"]

#: (loss, probabilities, gradients by parameter name), as `Model.loss_and_grads` returns them.
Result = tuple[Any, Any, dict[str, Any]]
#: How long one half may take in the child before it is given up (the largest batch, 60,000
#: images, takes about 3 s a half on a slow core).
HALF_TIMEOUT_S = 120.0
#: How long the child may take to start and open the shared file.
START_TIMEOUT_S = 60.0
_ALIGN = 64


def _layout(entries: list[tuple[str, str, tuple[int, ...]]]) -> tuple[list[tuple[str, str, tuple[int, ...], int]], int]:
    """Byte offsets (aligned) for (name, dtype, shape) entries, and the total size."""
    placed, offset = [], 0
    for name, dtype, shape in entries:
        placed.append((name, dtype, shape, offset))
        size = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        offset += -(-max(size, 1) // _ALIGN) * _ALIGN
    return placed, max(offset, _ALIGN)


def _views(buffer: Any, placed: list[tuple[str, str, tuple[int, ...], int]]) -> dict[str, np.ndarray]:
    """NumPy arrays over the shared buffer, one per entry."""
    return {name: np.ndarray(shape, dtype=np.dtype(dtype), buffer=buffer, offset=offset)
            for name, dtype, shape, offset in placed}


class _Child:
    """The parent's handle on one child process and the file it shares with it."""

    def __init__(self) -> None:
        env = dict(os.environ)
        env.pop("PYTHONSTARTUP", None)
        # The child imports the very package this process runs (a script may have put it on
        # sys.path itself, as the benchmarks do).
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tutor.engines.half_process"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            start_new_session=True, close_fds=True, env=env,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.send_end = Connection(os.dup(self.process.stdin.fileno()), readable=False)
        self.recv_end = Connection(os.dup(self.process.stdout.fileno()), writable=False)
        self.process.stdin.close()
        self.process.stdout.close()
        self.key: Any = None
        self.capacity = 0
        self.views: dict[str, np.ndarray] = {}
        self.mapping: mmap.mmap | None = None
        self.pending = False  # a half was sent and its answer not read yet

    def _receive(self, timeout: float) -> tuple:
        if not self.recv_end.poll(timeout):
            raise TimeoutError(f"the second process gave no answer in {timeout:.0f} s")
        return self.recv_end.recv()

    def _drain(self) -> None:
        """Read and drop the answer to an interrupted step (Ctrl+C between sending and reading)."""
        if self.pending:
            self.pending = False
            self._receive(HALF_TIMEOUT_S)

    def prepare(self, spec: Any, dtype: Any, params: dict[str, Any], x: Any, labels: Any, blas: int) -> None:
        """Share a file laid out for this network, dtypes and at least this many images."""
        self._drain()
        n = x.shape[0]
        key = (spec, np.dtype(dtype).str, x.dtype.str, labels.dtype.str, tuple(x.shape[1:]), blas)
        if key == self.key and n <= self.capacity:
            return
        capacity = max(n, self.capacity) if key == self.key else n
        entries = [(f"p:{name}", np.dtype(dtype).str, tuple(value.shape)) for name, value in params.items()]
        entries += [(f"g:{name}", np.dtype(dtype).str, tuple(value.shape)) for name, value in params.items()]
        entries += [("x", x.dtype.str, (capacity, *x.shape[1:])), ("labels", labels.dtype.str, (capacity,)),
                    ("probs", np.dtype(dtype).str, (capacity, math.prod(layer_shapes(spec)[-1][1]))),
                    ("loss", np.dtype(dtype).str, ())]
        placed, size = _layout(entries)
        folder = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
        fd, path = tempfile.mkstemp(prefix="dl-tutor-half-", dir=folder)
        try:
            os.ftruncate(fd, size)
            mapping = mmap.mmap(fd, size)
        finally:
            os.close(fd)
        try:
            self.send_end.send(("layout", path, size, placed, spec, np.dtype(dtype).str, blas))
            reply = self._receive(START_TIMEOUT_S)
        finally:
            os.unlink(path)  # both have it open: the name is no longer needed
        if reply[0] != "ready":
            raise RuntimeError(reply[1] if len(reply) > 1 else "the second process could not share memory")
        self.views = _views(mapping, placed)
        self.mapping, self.key, self.capacity = mapping, key, capacity

    def submit(self, params: dict[str, Any], x: Any, labels: Any) -> None:
        """Copy the parameters and the half batch in and start the child on them."""
        self._drain()
        n = x.shape[0]
        views = self.views
        for name, value in params.items():
            np.copyto(views[f"p:{name}"], value)
        np.copyto(views["x"][:n], x)
        np.copyto(views["labels"][:n], labels)
        self.send_end.send(("go", n))
        self.pending = True

    def collect(self, names: list[str], n: int) -> Result:
        """Wait for the child's half and copy it out (new arrays)."""
        reply = self._receive(HALF_TIMEOUT_S)
        self.pending = False
        if reply[0] != "done":
            raise RuntimeError(reply[1] if len(reply) > 1 else "the second process failed")
        views = self.views
        grads = {name: views[f"g:{name}"].copy() for name in names}
        return views["loss"].copy(), views["probs"][:n].copy(), grads

    def close(self) -> None:
        """Ask the child to end, then make sure it has."""
        for end in (self.send_end, self.recv_end):
            try:
                if end is self.send_end:
                    end.send(("quit",))
                end.close()
            except (OSError, ValueError):
                pass
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.views = {}
        if self.mapping is not None:
            try:
                self.mapping.close()
            except BufferError:  # a view is still alive somewhere; the memory goes with it
                pass
            self.mapping = None


_busy = threading.Lock()  # one pair at a time uses the child
_child: _Child | None = None
_broken: str | None = None


def available() -> bool:
    """Whether a big batch should split: BLAS may use two threads and the child has not failed."""
    return _broken is None and blas_threads() >= 2


def status() -> str:
    """One line: whether big batches train in two processes, and why not."""
    if _broken is not None:
        return f"big batches train in this process only: {_broken}"
    if blas_threads() < 2:
        return "big batches train in this process only: BLAS may use one thread"
    return "big batches train as two halves in two processes" + (" (the second is running)" if _child else "")


def _give_up(error: BaseException) -> None:
    """Stop using the child for the rest of this process, saying why."""
    global _child, _broken
    _broken = error_line(error)
    if _child is not None:
        _child.close()
        _child = None


def run_halves(first: Callable[[], Result], second_local: Callable[[], Result], spec: Any, dtype: Any,
               params: dict[str, Any], x2: Any, labels2: Any) -> tuple[Result, Result]:
    """`first()` here and the second half (`second_local()`'s arithmetic, on x2 and labels2 with
    these parameters) in the child, at once where BLAS may use two threads; otherwise, or if the
    child cannot do it, both here, one after the other."""
    global _child
    threads = blas_threads()
    if threads < 2 or _broken is not None or not _busy.acquire(blocking=False):
        return first(), second_local()
    try:
        with blas_limit(max(1, threads // 2)):
            try:
                if _child is None:
                    _child = _Child()
                _child.prepare(spec, dtype, params, x2, labels2, max(1, threads // 2))
                _child.submit(params, x2, labels2)
            except Exception as error:  # noqa: BLE001 - any failure: this process does the half
                _give_up(error)
                return first(), second_local()
            a = first()
            try:
                b = _child.collect(list(params), x2.shape[0])
            except Exception as error:  # noqa: BLE001 - the child died, timed out or failed
                _give_up(error)
                b = second_local()
            return a, b
    finally:
        _busy.release()


@atexit.register
def close() -> None:
    """End the child (at exit, and for tests)."""
    global _child
    if _child is not None:
        _child.close()
        _child = None


# -- the child ------------------------------------------------------------------------------------


def _serve(receive: Connection, send: Connection) -> None:
    """Answer layout/go/quit messages until told to quit or the parent goes."""
    from tutor.engines.model import Model

    model: Model | None = None
    views: dict[str, np.ndarray] = {}
    names: list[str] = []
    limit = None
    while True:
        try:
            message = receive.recv()
        except (EOFError, OSError):
            return
        kind = message[0]
        if kind == "quit":
            return
        try:
            if kind == "layout":
                _, path, size, placed, spec, dtype, blas = message
                with open(path, "r+b") as file:
                    mapping = mmap.mmap(file.fileno(), size)
                views = _views(mapping, placed)
                names = [name[2:] for name, *_ in placed if name.startswith("p:")]
                if model is None or model.spec != spec or np.dtype(model.dtype) != np.dtype(dtype):
                    model = Model(spec, dtype=np.dtype(dtype).type)
                from threadpoolctl import threadpool_limits

                limit = threadpool_limits(limits=blas, user_api="blas")  # kept until the next layout
                send.send(("ready",))
            elif kind == "go":
                n = message[1]
                assert model is not None
                x, labels = views["x"][:n], views["labels"][:n]
                params = {name: views[f"p:{name}"] for name in names}
                loss, probs, grads = model._training_step(x).run(params, x, labels)
                for name in names:
                    np.copyto(views[f"g:{name}"], grads[name])
                np.copyto(views["probs"][:n], probs)
                np.copyto(views["loss"], loss)
                send.send(("done",))
        except Exception as error:  # noqa: BLE001 - reported to the parent, which does the half itself
            send.send(("error", error_line(error)))
    del limit


def _main() -> None:
    """The child's entry point: the pipe ends are stdin and stdout; nothing else is printed."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    receive = Connection(os.dup(0), writable=False)
    send = Connection(os.dup(1), readable=False)
    quiet = os.open(os.devnull, os.O_RDWR)
    os.dup2(quiet, 0)
    os.dup2(quiet, 1)
    _serve(receive, send)


if __name__ == "__main__":
    _main()
