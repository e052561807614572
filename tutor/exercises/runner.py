"""The sandbox child: `python -m tutor.exercises.runner EXERCISE_ID FILE`.

Started by `tutor.exercises.sandbox`, never imported by the tutor itself. It first limits
itself (RLIMIT_CPU, RLIMIT_AS, RLIMIT_FSIZE, no core files), then loads the learner's file and
runs the exercise's checks, writing one JSON record per line to the result pipe whose file
descriptor is in $DL_TUTOR_RESULT_FD (the learner's prints go to stdout and stderr, which the
parent caps). The records:

    {"event": "start", "name": ...}                    a check begins
    {"event": "check", "name": ..., "ok": true, "detail": ...}
    {"event": "check", "name": ..., "ok": false, "summary": ..., "details": [[label, text], ...]}
    {"event": "skip", "name": ...}                      waits for the checks above to pass
    {"event": "fatal", "line": ...}                     the run cannot go on (one line)
    {"event": "compare", "name": ..., "ok": ..., "detail": ...}
                                                        with $DL_TUTOR_AGAINST=torch, after the
                                                        checks: one gradient against autograd
                                                        (`tutor.exercises.torch_compare`)
    {"event": "done"}

Whatever the learner's code does (raise, exit, loop, allocate), the worst it can do is end this
process; the parent turns that into one line.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import resource
import signal
import sys
from pathlib import Path
from typing import Any, TextIO

#: The environment variables the parent sets.
RESULT_FD_ENV = "DL_TUTOR_RESULT_FD"
CPU_ENV = "DL_TUTOR_CPU_LIMIT"
MEMORY_ENV = "DL_TUTOR_MEMORY_LIMIT"
#: "torch": after the checks, compare the learner's gradients with PyTorch autograd.
AGAINST_ENV = "DL_TUTOR_AGAINST"
#: The largest file the learner's code may write (and the result pipe is not a file).
FILE_LIMIT = 256 * 1024 * 1024


def _limit(kind: int, value: int) -> None:
    """Lower one resource limit (never raise it above the hard limit we were given)."""
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    # For CPU time the soft limit sends SIGXCPU, and the hard one, a little later, SIGKILL.
    new_hard = value + 5 if kind == resource.RLIMIT_CPU else value
    if hard != resource.RLIM_INFINITY:
        new_hard = min(new_hard, hard)
    resource.setrlimit(kind, (value, new_hard))


def apply_limits() -> None:
    """CPU seconds (SIGXCPU ends the process), address space (allocations beyond it raise
    MemoryError), file size (a write beyond it raises OSError) and no core files."""
    cpu = int(os.environ.get(CPU_ENV, "0") or 0)
    memory = int(os.environ.get(MEMORY_ENV, "0") or 0)
    if cpu > 0:
        _limit(resource.RLIMIT_CPU, cpu)
    if memory > 0:
        _limit(resource.RLIMIT_AS, memory)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _limit(resource.RLIMIT_FSIZE, FILE_LIMIT)
    _limit(resource.RLIMIT_CORE, 0)


class Channel:
    """The result pipe: one JSON object per line, flushed at once (so a crash loses nothing
    written before it)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def send(self, **record: Any) -> None:
        """Write one record."""
        try:
            self.stream.write(json.dumps(record) + "\n")
            self.stream.flush()
        except (OSError, ValueError):
            pass


def open_channel() -> Channel:
    """The result pipe, moved out of sight of the learner's code's usual descriptors."""
    fd = int(os.environ.pop(RESULT_FD_ENV))
    return Channel(os.fdopen(fd, "w", encoding="utf-8", closefd=True))


def exit_line(error: SystemExit, where: str) -> str:
    """One line for a sys.exit() in the learner's code."""
    code = error.code
    shown = "" if code is None else repr(code)
    place = f" ({where})" if where else ""
    return (f"your code called sys.exit({shown}){place}: the checks stopped there. Return a value "
            "instead of exiting.")


def load_learner(path: Path, name: str) -> Any:
    """Import the learner's file as module `name` (its folder first on sys.path).

    Compiled copies of the learner's files are neither read nor written: Python trusts a cached
    copy whose source size and modification second match, and a one-character fix saved within
    the same second as the last check (`exercises watch` re-checks on every save) keeps both.
    Everything this child imports after this point is compiled from its source."""
    sys.dont_write_bytecode = True
    sys.pycache_prefix = os.path.join(os.devnull, "dl-tutor")  # a folder that cannot exist
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def run(exercise_id: str, path: Path, channel: Channel, against: str = "") -> None:
    """Load the learner's file and run every check of the exercise, reporting on `channel`;
    with `against` "torch", then compare its gradients with PyTorch autograd."""
    from tutor.exercises import checking
    from tutor.exercises.catalogue import get

    exercise = get(exercise_id)
    checklist = importlib.import_module(exercise.checks_module).CHECKS
    checking.LEARNER_DIR.append(path.parent.resolve())
    try:
        module = load_learner(path.resolve(), exercise.module)
    except SyntaxError as error:
        channel.send(event="fatal", line=f"{checking.located(error) or path.name}: SyntaxError: "
                     f"{error.msg}")
        return
    except SystemExit as error:
        channel.send(event="fatal", line=exit_line(error, checking.located(error)))
        return
    except MemoryError as error:
        where = checking.located(error)
        channel.send(event="fatal", line=f"your file ran out of memory while loading"
                     f"{' (' + where + ')' if where else ''}: the checks allow "
                     f"{gib_text(os.environ.get(MEMORY_ENV))}.")
        return
    except BaseException as error:  # noqa: BLE001 - anything the learner's file raises
        where = checking.located(error)
        channel.send(event="fatal", line=f"{where or path.name}: {checking.first_line(error)} "
                     "(while loading your file)")
        return
    failed = False
    for check in checklist.checks:
        if check.after_others and failed:
            channel.send(event="skip", name=check.name)
            continue
        channel.send(event="start", name=check.name)
        try:
            detail = check.run(module)
        except checking.Failure as failure:
            failed = True
            channel.send(event="check", name=check.name, ok=False, summary=failure.summary,
                         details=failure.details)
            continue
        except SystemExit as error:
            channel.send(event="fatal", line=exit_line(error, checking.located(error)))
            return
        except MemoryError as error:
            failed = True
            where = checking.located(error)
            channel.send(event="check", name=check.name, ok=False,
                         summary=f"ran out of memory{' at ' + where if where else ''}: the checks "
                         f"allow {gib_text(os.environ.get(MEMORY_ENV))} (an array far too large?)",
                         details=[])
            continue
        except RecursionError as error:
            failed = True
            where = checking.located(error)
            channel.send(event="check", name=check.name, ok=False,
                         summary=f"endless recursion{' at ' + where if where else ''}", details=[])
            continue
        except Exception as error:  # noqa: BLE001 - a learner's value our check could not read
            failed = True
            where = checking.located(error)
            channel.send(event="check", name=check.name, ok=False,
                         summary=f"{checking.first_line(error)}{' at ' + where if where else ''}",
                         details=[])
            continue
        channel.send(event="check", name=check.name, ok=True, detail=detail or "")
    if against == "torch" and not _compare(exercise_id, module, channel):
        return
    channel.send(event="done")


def _compare(exercise_id: str, module: Any, channel: Channel) -> bool:
    """The comparisons with autograd; False when the learner's code ended the run (sys.exit)."""
    from tutor.exercises import checking, torch_compare

    try:
        torch_compare.run(exercise_id, module, channel.send)
    except SystemExit as error:
        channel.send(event="fatal", line=exit_line(error, checking.located(error)))
        return False
    except BaseException as error:  # noqa: BLE001 - a comparison must not lose the checks' lines
        if isinstance(error, KeyboardInterrupt):
            raise
        where = checking.located(error)
        channel.send(event="compare", name="stopped", ok=False,
                     detail=f"{checking.first_line(error)}{' at ' + where if where else ''}")
    return True


def gib_text(value: str | None) -> str:
    """"3 GiB" from a byte count in an environment variable."""
    try:
        return f"{int(value or 0) / 1024**3:g} GiB"
    except ValueError:
        return "the memory limit"


def child_main(argv: list[str] | None, usage: str, body: Any) -> int:
    """What every sandbox child does first and last: open the result pipe, limit itself, check
    its two arguments (else a one-line usage and 2), then `body(first, second, channel)`;
    Ctrl+C is one line and 130."""
    args = sys.argv[1:] if argv is None else argv
    channel = open_channel()
    apply_limits()
    if len(args) != 2:
        channel.send(event="fatal", line=f"usage: {usage}")
        return 2
    try:
        body(args[0], args[1], channel)
    except KeyboardInterrupt:
        channel.send(event="fatal", line="interrupted")
        return 130
    return 0


def exit_now(code: int) -> None:
    """End a child at once: skip interpreter teardown, which learner code (atexit, threads)
    could hang."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the child process."""
    return child_main(argv, "python -m tutor.exercises.runner ID FILE",
                      lambda exercise_id, path, channel: run(exercise_id, Path(path), channel,
                                                             os.environ.pop(AGAINST_ENV, "")))


if __name__ == "__main__":
    exit_now(main())
