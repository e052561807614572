"""`dl-tutor exercises`: list, start, check, watch, hint, solution, reset and bridge the hands-on
exercises.

Exit status: 0 when all is well (for `check`: every check passes), 1 when some check fails,
2 for a usage error (an unknown id, no file yet, `--against torch` without PyTorch). Imports no
NumPy: the checks run in a child process (`tutor.exercises.sandbox`), and so does the
comparison with PyTorch autograd (`check ID --against torch`, `tutor.exercises.torch_compare`).
`bridge ID` prints the exercise written with Keras and with PyTorch (`tutor.exercises.bridge`).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.exercises import tracking
from tutor.exercises.catalogue import EXERCISES, Exercise, find
from tutor.exercises.workspace import STARTED, WORKSPACE_ENV, Workspace

if TYPE_CHECKING:
    from tutor.exercises.sandbox import Report

__all__ = ["add_parser", "cmd_exercises"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
#: How often `watch` looks at the file's modification time.
WATCH_INTERVAL = 0.5
#: The most lines of the learner's own output a check prints.
OUTPUT_LINES = 20

ACTIONS = ("list", "start", "check", "watch", "hint", "solution", "reset", "bridge")


def _workspace_option(parser: argparse.ArgumentParser, suppress: bool) -> None:
    parser.add_argument(
        "--workspace", metavar="PATH", type=Path,
        default=argparse.SUPPRESS if suppress else None,
        help=f"the folder holding your exercise files (default: ${WORKSPACE_ENV}, else "
        "'exercises' in the data folder)",
    )


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    """Register `exercises` and its actions on the top-level sub-command parsers."""
    parser = sub.add_parser(
        "exercises", parents=parents,
        help="hands-on exercises: write the NumPy yourself, the tutor checks it",
        description="Hands-on exercises: each one is a Python file in your workspace with the "
        "functions to write; `check` runs its checks in a separate, limited process.",
    )
    _workspace_option(parser, suppress=False)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    helps = {
        "list": "list every exercise with its status (the default)",
        "start": "write an exercise's starter file into the workspace (never overwrites)",
        "check": "run an exercise's checks on your file",
        "watch": "check again every time you save the file (Ctrl+C stops)",
        "hint": "show the exercise's hints",
        "solution": "print the reference solution (asks first)",
        "reset": "put the starter back (your file is kept as a backup)",
        "bridge": "show the exercise written with Keras and with PyTorch",
    }
    for action in ACTIONS:
        p = actions.add_parser(action, help=helps[action], parents=parents)
        _workspace_option(p, suppress=True)
        if action != "list":
            p.add_argument("id", metavar="ID", help="the exercise's id (or a unique prefix)")
        if action == "solution":
            p.add_argument("--yes", action="store_true", help="do not ask first")
        if action in ("check", "watch"):
            p.add_argument("--against", choices=("torch",), default="",
                           help="also compare your gradients with PyTorch autograd (needs torch)")


def _say(message: str = "") -> None:
    print(message)


def _error(message: str) -> None:
    print(f"dl-tutor exercises: {message}", file=sys.stderr)


def _resolve(args: argparse.Namespace) -> Exercise | None:
    exercise, message = find(args.id)
    if exercise is None:
        _error(message)
    return exercise


def cmd_exercises(args: argparse.Namespace) -> int:
    """Run one `exercises` action."""
    workspace = Workspace(getattr(args, "workspace", None))
    action = getattr(args, "action", None) or "list"
    if action == "list":
        return _list(workspace)
    exercise = _resolve(args)
    if exercise is None:
        return EXIT_USAGE
    if action == "start":
        return _start(workspace, exercise)
    if action == "hint":
        return _hint(exercise)
    if action == "solution":
        return _solution(exercise, args.yes)
    if action == "reset":
        return _reset(workspace, exercise)
    if action == "watch":
        return watch(workspace, exercise, against=getattr(args, "against", "") or "")
    if action == "bridge":
        return _bridge(exercise)
    return check(workspace, exercise, against=getattr(args, "against", "") or "")


def _recorded() -> dict:
    """The exercise records of the learner's progress, read only ({} when it cannot be read)."""
    from tutor.progress import ProgressStore

    try:
        progress, _ = ProgressStore().load(move_damaged=False)
    except OSError:
        return {}
    return progress.exercises


def _list(workspace: Workspace) -> int:
    id_width = max(len(e.id) for e in EXERCISES)
    status_width = len(STARTED)
    records = _recorded()
    _say(f"Hands-on exercises (workspace: {workspace.root})\n")
    for number, exercise in enumerate(EXERCISES, 1):
        status = tracking.status(workspace, exercise, records.get(exercise.id))
        _say(f"  {number:>2}. {exercise.id:<{id_width}}  {status:<{status_width}}  {exercise.title}")
    _say("\nStart one with: dl-tutor exercises start ID   (then check it: dl-tutor exercises check ID)")
    _say("The same in Keras and PyTorch: dl-tutor exercises bridge ID")
    return EXIT_OK


def _start(workspace: Workspace, exercise: Exercise) -> int:
    missing = [need for need in exercise.needs if not workspace.exists(find(need)[0])]
    try:
        result = workspace.start(exercise)
    except OSError as error:
        _error(f"could not write the starter into {workspace.root}: {error.strerror or error}. "
               "Choose another folder with --workspace PATH.")
        return EXIT_FAILED
    if result.written:
        _say(f"Wrote {result.path}")
    else:
        _say(f"{result.path} already exists: your work is kept, nothing was overwritten "
             f"(`dl-tutor exercises reset {exercise.id}` starts over, keeping a backup).")
    _say(f"Task: {exercise.task}")
    if missing:
        _say(f"It builds on your files for {', '.join(missing)}: start those too.")
    _say(f"Check it with: dl-tutor exercises check {exercise.id}")
    return EXIT_OK


def _hint(exercise: Exercise) -> int:
    _say(f"{exercise.id}: {exercise.task}\n")
    for number, hint in enumerate(exercise.hints, 1):
        _say(f"Hint {number}: {hint}")
    return EXIT_OK


def _solution(exercise: Exercise, yes: bool) -> int:
    if not yes:
        try:
            answer = input(f"Show the reference solution of {exercise.id}? Trying first teaches "
                           "more. [y/N] ")
        except EOFError:
            _error("no answer (stdin is closed); pass --yes to show the solution without asking.")
            return EXIT_USAGE
        if answer.strip().lower() not in ("y", "yes"):
            _say("Not shown. `dl-tutor exercises hint " + exercise.id + "` gives a nudge instead.")
            return EXIT_OK
    sys.stdout.write(exercise.solution_text())
    return EXIT_OK


def _bridge(exercise: Exercise) -> int:
    from tutor.exercises.bridge import bridge_text, plain_text

    text = bridge_text(exercise)
    if not text:
        _error(f"{exercise.id} has no Keras / PyTorch text yet.")
        return EXIT_FAILED
    sys.stdout.write(plain_text(text))
    return EXIT_OK


def _reset(workspace: Workspace, exercise: Exercise) -> int:
    try:
        path, backup = workspace.reset(exercise)
    except OSError as error:
        _error(f"could not reset {workspace.path(exercise)}: {error.strerror or error}.")
        return EXIT_FAILED
    kept = f" (your previous file is kept as a backup: {backup})" if backup else ""
    _say(f"Starter written to {path}{kept}.")
    note = tracking.record_reset_in_progress(exercise.id)  # not checked since; attempts kept
    if note:
        _say(f"Note: {note}")
    return EXIT_OK


def _usable(workspace: Workspace, exercise: Exercise) -> str:
    """"" when the exercise can be checked, else the one-line reason (a usage error)."""
    if not workspace.exists(exercise):
        return (f"no file for {exercise.id} yet ({workspace.path(exercise)}); "
                f"run `dl-tutor exercises start {exercise.id}` first.")
    for need in exercise.needs:
        other = find(need)[0]
        if other is not None and not workspace.exists(other):
            return (f"{exercise.id} imports your {other.file_name} from the {need} exercise, which "
                    f"is not in {workspace.root} yet; run `dl-tutor exercises start {need}` and "
                    "solve it first.")
    return ""


def print_report(report: "Report", exercise: Exercise, path: Path) -> None:
    """The report as the CLI shows it: one line per check; a failure's case indented below."""
    if report.output.strip():
        lines = report.output.rstrip().splitlines()
        _say("Your code printed:")
        for line in lines[:OUTPUT_LINES]:
            _say(f"  | {line[:200]}")
        if len(lines) > OUTPUT_LINES:
            _say(f"  | [... {len(lines) - OUTPUT_LINES} more lines]")
    marks = {"pass": "PASS", "fail": "FAIL", "skip": "SKIP"}
    for line in report.checks:
        note = f": {line.detail}" if line.detail else ""
        _say(f"  {marks[line.status]}  {line.name}{note}")
        for label, text in line.details:
            _say(f"          {label + ':':<15}{text}")
    if report.problem:
        _say(f"  STOP  {report.problem}")
    if report.comparisons:
        _say("Against PyTorch autograd (float64, random inputs):")
    for line in report.comparisons:
        mark = {"pass": "SAME", "fail": "DIFF", "note": "NOTE"}.get(line.status, "NOTE")
        if line.name == "stopped":  # the learner's function could not be called
            _say(f"  STOP  the comparison stopped: {line.detail}")
            continue
        _say(f"  {mark}  {line.name}: {line.detail}")
    if report.passed:
        _say(f"All {len(report.checks)} checks pass ({report.seconds:.1f} s). Well done.")
    elif not report.checks:
        _say(f"The checks could not run ({report.seconds:.1f} s). Fix the line above in {path} and "
             "check again.")
    else:
        total = len(report.checks)
        _say(f"{report.passed_count} of {total} checks pass ({report.seconds:.1f} s). "
             f"Edit {path} and check again; `dl-tutor exercises hint {exercise.id}` helps.")


def _against_problem(against: str) -> str:
    """Why `--against` cannot run here ("" when it can, or when not asked for)."""
    if against != "torch":
        return ""
    from tutor.exercises import torch_compare

    return "" if torch_compare.available() else torch_compare.INSTALL_LINE.format(python=sys.executable)


def check(workspace: Workspace, exercise: Exercise, against: str = "") -> int:
    """Run the checks once; 0 when all pass, 1 when some fail, 2 when there is no file.

    `against` "torch": the child also compares every gradient of the exercise with PyTorch
    autograd (one line each); a disagreement is a failure (1), no PyTorch a usage error (2)."""
    problem = _usable(workspace, exercise) or _against_problem(against)
    if problem:
        _error(problem)
        return EXIT_USAGE
    from tutor.exercises.sandbox import run_checks

    path = workspace.path(exercise)
    if exercise.trains:
        _say("This exercise trains a network on MNIST: allow a minute or so.")
    _say(f"Checking {exercise.id} ({path})")
    report = run_checks(exercise, path, against=against)
    print_report(report, exercise, path)
    workspace.record(exercise, report.passed)
    note = tracking.record_in_progress(exercise.id, report)
    if note:
        _say(f"Note: {note}")
    if against and not report.problem and not report.comparisons:
        _say("Note: no comparison with PyTorch ran.")
    differs = any(line.status == "fail" for line in report.comparisons)
    return EXIT_OK if report.passed and not differs else EXIT_FAILED


def watch(workspace: Workspace, exercise: Exercise, *, against: str = "",
          max_runs: int | None = None, interval: float = WATCH_INTERVAL) -> int:
    """Check now, then again after every save, until Ctrl+C (or `max_runs` checks, for tests);
    `against` as for `check` (no PyTorch: said once, before watching)."""
    problem = _usable(workspace, exercise) or _against_problem(against)
    if problem:
        _error(problem)
        return EXIT_USAGE
    path = workspace.path(exercise)
    runs, status = 0, EXIT_OK
    try:
        while True:
            try:
                stamp = path.stat().st_mtime_ns
            except OSError:
                stamp = None
            _say(f"\n=== {time.strftime('%H:%M:%S')} ===")
            status = check(workspace, exercise, against) if stamp is not None else EXIT_USAGE
            runs += 1
            if max_runs is not None and runs >= max_runs:
                return status
            _say(f"Watching {path} (save to check again, Ctrl+C to stop)")
            while True:
                time.sleep(interval)
                try:
                    now = path.stat().st_mtime_ns
                except OSError:
                    now = None
                if now != stamp and now is not None:
                    break
    except KeyboardInterrupt:
        _say("\nStopped watching.")
        return status
