"""Call one of the learner's functions in a sandboxed child process and read back what it returned.

Scenes use this to run on the learner's own code once their exercise passes (the conv-slide
scene on their conv2d, the perceptron scene on their update, ...). The learner's code is never
imported here: `call_learner` starts `python -m tutor.exercises.learner_child` in its own
session with the exercise's CPU and memory limits (`tutor.exercises.runner.apply_limits`), the
same child environment and process handling as the checks (`tutor.exercises.sandbox`), and a
wall-time limit. Arrays travel both ways as `.npy` members of an `.npz` file in a private
temporary folder (never pickled); everything else as JSON on the result pipe.

What comes back is a `CallResult`: the value, or one line (`problem`) saying why there is none,
with the learner's file and line number where Python gives one: an exception, `sys.exit`,
`os._exit`, an endless loop (the time limit), a huge allocation, an output flood, a value of the
wrong kind. Nothing here raises for anything the learner's code does.

Two kinds of call:

* a learner function by name: `call_learner(path, "conv2d_loops", x, w, b)`;
* a *recipe*, `"recipe:NAME"`: a small trusted driver in the child
  (`tutor.exercises.learner_child.RECIPES`) that calls the learner's functions in a loop we
  write (the perceptron's presentations one after another, a descent path through their
  gradient) and checks the shape of each value they return.

`LearnerLink` is a scene's bookkeeping for these calls (no Textual here): which exercise and
file, whether it passed, the number of the latest run (results of older runs are dropped), and
a cancel event that kills a replaced run's child.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor.exercises.catalogue import GIB, Limits
from tutor.exercises.sandbox import child_record, ending_line, run_child, size_text

__all__ = ["LINE_STYLES", "SCENE_LIMITS", "CallResult", "LearnerLink", "call_learner", "decode", "encode"]

#: A scene's call is small: a few seconds at most, well under the checks' limits.
SCENE_LIMITS = Limits(wall_seconds=8.0, cpu_seconds=20, memory_bytes=2 * GIB, output_bytes=256 * 1024)
#: The largest result file read back (a scene never needs more).
RESULT_FILE_LIMIT = 64 * 1024 * 1024
#: The most bytes of records read back from the result pipe.
RECORD_LIMIT = 1024 * 1024
#: The names of the files in the call's private folder.
REQUEST_NAME, ARRAYS_NAME, RESULT_NAME = "request.json", "arrays.npz", "result.npz"
#: The Rich style of the line that says whose code a scene shows, by its kind (`learner_line`).
LINE_STYLES = {"yours": "bold green", "running": "bold", "fallback": "bold yellow", "reference": "dim"}


class Unreadable(ValueError):
    """A value that cannot travel between the processes (its one line says what it was)."""


# --- values across the pipe -----------------------------------------------------------------------


def encode(value: Any, arrays: dict[str, Any], where: str = "the value") -> Any:
    """`value` as JSON, each NumPy array replaced by {"a": key} with the array put in `arrays`.

    Numbers, bools, strings, None, lists, tuples and dicts with string keys are kept; NumPy
    scalars become Python numbers. Anything else raises `Unreadable` naming what it was."""
    import numpy as np

    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, np.generic):
        if value.dtype.kind in "biuf":
            return value.item()
        raise Unreadable(f"{where} is a NumPy {value.dtype} scalar, not a number")
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise Unreadable(f"{where} is an array of {value.dtype} (numbers expected)")
        key = f"a{len(arrays)}"
        arrays[key] = value
        return {"a": key}
    if isinstance(value, (list, tuple)):
        items = [encode(v, arrays, f"item {i} of {where}") for i, v in enumerate(value)]
        return {"l": items} if isinstance(value, list) else {"t": items}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"d": {k: encode(v, arrays, f"{where}[{k!r}]") for k, v in value.items()}}
    name = type(value).__name__
    raise Unreadable(f"{where} is {'an' if name[:1] in 'aeiouAEIOU' else 'a'} {name}")


def decode(value: Any, arrays: Any) -> Any:
    """The inverse of `encode` (`arrays`: a mapping of key -> array, e.g. a loaded .npz)."""
    if isinstance(value, dict):
        if "a" in value:
            return arrays[value["a"]]
        if "l" in value:
            return [decode(v, arrays) for v in value["l"]]
        if "t" in value:
            return tuple(decode(v, arrays) for v in value["t"])
        if "d" in value:
            return {k: decode(v, arrays) for k, v in value["d"].items()}
    return value


# --- one call -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallResult:
    """What one call of the learner's function gave.

    Attributes:
        value: what it returned (arrays as NumPy arrays, tuples as tuples), None on a problem.
        problem: one line saying why there is no value, else "".
        output: the start of what the learner's code printed.
        seconds: how long the call took, the child's start included.
    """

    value: Any = None
    problem: str = ""
    output: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether the call returned a value."""
        return not self.problem


def _records(text: str) -> tuple[Any, str, bool]:
    """The encoded result, the fatal line, and whether the child said it had a result."""
    result, fatal, got = None, "", False
    for line in text.splitlines():
        record = child_record(line)
        if record is None:
            continue
        if record.get("event") == "result":
            result, got = record.get("value"), True
        elif record.get("event") == "fatal":
            fatal = str(record.get("line", ""))
    return result, fatal, got


def call_learner(path: Path | str, function: str, *args: Any, module: str | None = None,
                 kwargs: dict[str, Any] | None = None, limits: Limits | None = None,
                 cancel: threading.Event | None = None) -> CallResult:
    """Call `function` (a name in the learner's file `path`, or "recipe:NAME") with `args` and
    `kwargs` in a sandboxed child, and return what it gave back.

    Args:
        module: the name the file is imported under (default: the file's stem), so that one
            exercise's file can import another's by name, as in the checks.
        limits: the child's limits (default `SCENE_LIMITS`).
        cancel: when set during the call (a newer run replaced it, the scene went away), the
            child is killed at once and the result says the call was stopped.
    """
    import numpy as np

    limits = limits or SCENE_LIMITS
    path = Path(path)
    started = time.monotonic()
    if not path.is_file():
        return CallResult(problem=f"your file {path.name} is not there any more")
    with tempfile.TemporaryDirectory(prefix="dl-tutor-call-") as folder:
        arrays: dict[str, Any] = {}
        try:
            request = {"module": module or path.stem, "function": function,
                       "args": encode(list(args), arrays, "an argument"),
                       "kwargs": encode(dict(kwargs or {}), arrays, "an argument")}
        except Unreadable as error:  # our own mistake, said as one line all the same
            return CallResult(problem=f"the tutor could not send the arguments: {error}")
        Path(folder, REQUEST_NAME).write_text(json.dumps(request), encoding="utf-8")
        np.savez(Path(folder, ARRAYS_NAME), allow_pickle=False, **arrays)
        child = run_child(["tutor.exercises.learner_child", str(path.resolve()), folder], cwd=path.parent,
                          limits=limits, cancel=cancel, record_limit=RECORD_LIMIT)
        if child.start_error:
            return CallResult(problem=f"could not start the process for your code: {child.start_error}")
        encoded, fatal, got = _records(child.records.decode("utf-8", "replace"))
        text = child.output.decode("utf-8", "replace")
        seconds = time.monotonic() - started
        name = function.removeprefix("recipe:")

        def failed(problem: str) -> CallResult:
            return CallResult(problem=problem, output=text, seconds=seconds)

        if child.cancelled:
            return failed("the call was stopped before it finished (a newer one replaced it)")
        if child.flooded:
            return failed(f"your code printed more than {size_text(limits.output_bytes)} and was "
                          "stopped (a print inside a loop?)")
        if child.timed_out:
            return failed(f"stopped after {limits.wall_seconds:g} s (the time limit): an endless loop?")
        if fatal:
            return failed(fatal)
        if not got:
            return failed(ending_line(child.returncode, limits).replace("the checks finished",
                                                                      f"{name} returned"))
        result_file = Path(folder, RESULT_NAME)
        try:
            if result_file.stat().st_size > RESULT_FILE_LIMIT:
                return failed(f"{name} returned more than {size_text(RESULT_FILE_LIMIT)} of arrays")
            with np.load(result_file, allow_pickle=False) as loaded:
                stored = {key: loaded[key] for key in loaded.files}
            value = decode(encoded, stored)
        except (OSError, ValueError, KeyError, TypeError) as error:
            return failed(f"the result of {name} could not be read back: {error}")
        return CallResult(value=value, output=text, seconds=seconds)


# --- a scene's bookkeeping ------------------------------------------------------------------------


class LearnerLink:
    """A scene's link to the learner's code: the exercise, the file, whether it passed, and the
    latest run (a number, and an event that stops it).

    The scene calls `bind` when the lesson screen tells it about the step's exercise, `begin`
    before each run (which stops the one before), `current(run_id)` when a result comes back
    (an older run's result is dropped), and `stop` when it goes away."""

    def __init__(self) -> None:
        self.exercise_id: str | None = None
        self.path: Path | None = None
        self.passed = False
        self.run_id = 0
        self._cancel: threading.Event | None = None
        self.problem = ""
        """The last run's one line when it failed (the scene then shows the reference)."""

    @property
    def bound(self) -> bool:
        """Whether the step has an exercise at all."""
        return self.exercise_id is not None

    @property
    def active(self) -> bool:
        """Whether the scene should run on the learner's code now: their exercise passed and
        their file is there."""
        return self.passed and self.path is not None and self.path.is_file()

    def bind(self, exercise_id: str, path: Path | str, passed: bool) -> bool:
        """Remember the step's exercise; True when something changed (the scene runs again).
        A new check clears the last problem: the learner may have fixed their file."""
        path = Path(path)
        changed = (exercise_id, path, passed) != (self.exercise_id, self.path, self.passed)
        self.exercise_id, self.path, self.passed = exercise_id, path, passed
        self.problem = ""
        if not passed:
            self.stop()
        return True if passed else changed

    def begin(self) -> tuple[int, threading.Event]:
        """A new run: stop the one before; its number and its cancel event."""
        self.stop()
        self._cancel = threading.Event()
        return self.run_id, self._cancel

    def current(self, run_id: int) -> bool:
        """Whether `run_id` is still the latest run (its result is wanted)."""
        return run_id == self.run_id and self._cancel is not None and not self._cancel.is_set()

    def finish(self, run_id: int) -> None:
        """The run `run_id` is over."""
        if run_id == self.run_id:
            self._cancel = None

    def stop(self) -> None:
        """Stop the running call (its child is killed) and drop its result to come."""
        if self._cancel is not None:
            self._cancel.set()
            self._cancel = None
        self.run_id += 1

    @property
    def running(self) -> bool:
        """Whether a run is going on."""
        return self._cancel is not None


# --- the scenes' side -----------------------------------------------------------------------------


class LearnerCode:
    """Mixin for a scene (a Textual widget) that can run on the learner's own function.

    The lesson screen calls `use_learner_code(exercise_id, path, passed)` on an exercise step's
    scene, on showing the step and after each check. A scene lists in `LEARNER_FUNCTIONS` the
    exercises it can run on (exercise id -> the learner's function it calls), implements
    `learner_changed` (start a call with `start_learner_call`, or stay on the reference) and
    draws `learner_line()` somewhere visible; `learner_arrived` is called in the UI thread when
    a call's result is in (`learner_value`) or it failed (`learner.problem`: the scene falls
    back to the reference engine). Calls run in a thread worker, each with a run number: a
    result that is not the latest run's is dropped, and a replaced call's child is killed.
    Textual is not imported here: this only calls the widget's own methods."""

    #: Exercise id -> the name of the learner's function the scene runs on ("f and g" when a
    #: scene runs on two of them).
    LEARNER_FUNCTIONS: dict[str, str] = {}
    #: The limits of the scene's calls (None: `SCENE_LIMITS`); tests shorten them.
    LEARNER_LIMITS: Limits | None = None

    def init_learner(self) -> None:
        """Call in `__init__`."""
        self.learner = LearnerLink()
        self.learner_value: Any = None
        """The latest call's value, or None (no call, one running, or it failed)."""
        self.learner_elsewhere: str = ""
        """Set when the step's exercise is one the scene knows but what it shows now is not
        something the learner's functions compute (another graph): the line says so after
        "reference engine: ", and no call starts."""

    # --- the lesson screen's side ---

    def use_learner_code(self, exercise_id: str, path: Path | str, passed: bool) -> None:
        """The step's exercise, its file and whether it passes now (after each check too)."""
        if exercise_id not in self.LEARNER_FUNCTIONS:
            return
        if self.learner.bind(exercise_id, path, passed):
            self.learner_value = None
            self.learner_changed()

    @property
    def learner_function(self) -> str:
        """The learner's function the scene runs on ("" when the step has no exercise)."""
        return self.LEARNER_FUNCTIONS.get(self.learner.exercise_id or "", "")

    @property
    def on_learner_code(self) -> bool:
        """Whether what the scene shows now came from the learner's function."""
        return self.learner.active and self.learner_value is not None

    # --- to implement ---

    def learner_changed(self) -> None:
        """The exercise, its file or its status changed: start a call, or draw the reference."""

    def learner_arrived(self) -> None:
        """A call's value is in `learner_value` (or it failed: `learner.problem`)."""
        self.redraw()  # type: ignore[attr-defined]

    def show_run_again(self) -> None:
        """Draw the run now shown, whose length may differ from the last one (the learner's or
        the reference's): the frame is kept within it and the transport told."""
        if self.position > self.total_frames:  # type: ignore[attr-defined]
            self.playing = False  # type: ignore[attr-defined]
            self.position = self.total_frames  # type: ignore[attr-defined]
        self.redraw()  # type: ignore[attr-defined]
        self._post_state()  # type: ignore[attr-defined]

    # --- calls ---

    def start_learner_call(self, function: str, *args: Any, **kwargs: Any) -> bool:
        """Call `function` ("recipe:NAME" or a learner function) with the arguments in a thread
        worker, unless the exercise does not pass yet; whether a call started."""
        self.learner_value = None
        if not self.learner.active or self.learner_elsewhere:
            self.learner.stop()
            return False
        run_id, cancel = self.learner.begin()
        self.learner.problem = ""
        path = self.learner.path
        self.run_worker(  # type: ignore[attr-defined]
            lambda: self._learner_work(run_id, cancel, path, function, args, kwargs),
            thread=True, group="learner-code", exit_on_error=False,
        )
        return True

    def _learner_work(self, run_id: int, cancel: threading.Event, path: Path, function: str,
                      args: tuple, kwargs: dict) -> None:
        """In the worker thread: the call, then its result handed to the UI thread."""
        from textual.worker import get_current_worker

        try:
            result = call_learner(path, function, *args, kwargs=kwargs, limits=self.LEARNER_LIMITS,
                                  cancel=cancel)
        except Exception as error:  # noqa: BLE001 - never let a scene's call take the app down
            result = CallResult(problem=f"your code could not be run: {error}")
        if cancel.is_set() or get_current_worker().is_cancelled:
            return
        try:
            self.app.call_from_thread(self._learner_done, run_id, result)  # type: ignore[attr-defined]
        except RuntimeError:  # the app is closing
            pass

    def _learner_done(self, run_id: int, result: CallResult) -> None:
        """In the UI thread: keep the latest run's result and tell the scene."""
        if not self.learner.current(run_id) or not self.is_attached:  # type: ignore[attr-defined]
            return
        self.learner.finish(run_id)
        self.learner_value = result.value if result.ok else None
        self.learner.problem = result.problem
        self.learner_arrived()

    def stop_learner(self) -> None:
        """Stop a running call (call in `on_unmount`)."""
        self.learner.stop()

    # --- the line that says whose code runs ---

    def learner_line(self, width: int = 0) -> tuple[str, str]:
        """(kind, text) of the line that says whose code the scene shows; kind is "" (the
        step has no exercise: show nothing), "reference", "running", "yours" or "fallback".

        `width`: the room the line has (0: any). Where a line would wrap, it takes a shorter
        form that stays one row in a narrow scene: the line saying their code runs leaves out
        the file's name, which the step's exercise panel shows anyway ("▶ your conv2d_loops"),
        and the one before it passes says "reference engine until your conv2d_loops passes", or
        "reference until yours passes"."""
        if not self.learner.bound or not self.learner_function:
            return "", ""
        function = self.learner_function
        path = self.learner.path
        file_name = path.name if path is not None else ""
        if self.learner_elsewhere:
            return "reference", f"reference engine: {self.learner_elsewhere}"
        if not self.learner.passed:
            several = " and " in function
            pass_ = "pass" if several else "passes"
            forms = (f"reference engine: your {function} {'take over once they pass' if several else 'takes over once it passes'}",
                     f"reference engine until your {function} {pass_}", f"reference until yours {pass_}")
            fits = [form for form in forms if width <= 0 or len(form) <= width]
            return "reference", fits[0] if fits else forms[-1]
        if path is None or not path.is_file():
            return "fallback", f"your {file_name} is not there: showing the reference engine"
        if self.learner.problem:
            return "fallback", f"✗ your {function}: {self.learner.problem} · showing the reference engine"
        running = self.learner_value is None
        kind, mark, end = ("running", "▶ running your", "…") if running else ("yours", "▶ your", "")
        whole = f"{mark} {function} from {file_name}{end}"
        return kind, f"{mark} {function}{end}" if 0 < width < len(whole) else whole

    def learner_text(self, width: int = 0) -> tuple[bool, Any]:
        """Whether to show the line that says whose code the scene shows, and that line as
        Rich Text in its kind's style (`LINE_STYLES`); `width` as for `learner_line`."""
        from rich.text import Text  # only a scene draws it: the CLI never loads Rich for this

        kind, words = self.learner_line(width)
        return bool(kind), Text(words, style=LINE_STYLES.get(kind, "dim"))
