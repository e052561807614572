"""`dl-tutor doctor`: what is installed, which backend runs and why, and whether data is intact."""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from pathlib import Path

from typing import TYPE_CHECKING

from tutor import __version__

if TYPE_CHECKING:
    from tutor.data import DataSet


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cupy_version() -> str:
    for name in ("cupy-cuda12x", "cupy-cuda13x", "cupy-cuda11x", "cupy"):
        version = _version(name)
        if version != "not installed":
            return f"{version} ({name})"
    return "not installed"


def data_lines(data: "DataSet") -> list[str]:
    """The data set in use: its title and how to switch, then who made it and the licence."""
    if data.shipped:
        other = next(name for name in ("mnist", "fashion-mnist") if name != data.key)
        return [f"{data.title} (shipped; --data {other} switches)", data.attribution]
    return [f"{data.title} (from --data-dir)", "authors and licence: see the folder's README"]


def report(backend_choice: str, lessons: Path) -> tuple[list[str], bool]:
    """The doctor's lines, and whether everything needed is fine."""
    from tutor.backend import BackendError, select_backend
    from tutor.content import CourseError, load_course
    from tutor.data import describe
    from tutor.engines.mnist import verify_checksums
    from tutor.paths import mnist_dir
    from tutor.progress import ProgressStore, default_home, directory_problem
    from tutor.terminal import color_system, low_bandwidth, terminal_size

    ok = True
    lines = [f"dl-tutor {__version__}"]
    lines.append(f"  Python      {platform.python_version()} ({sys.executable})")
    lines.append(
        "  Packages    textual " + _version("textual") + ", numpy " + _version("numpy")
        + ", plotext " + _version("plotext") + ", textual-plotext " + _version("textual-plotext")
        + ", cupy " + _cupy_version()
    )
    try:
        backend = select_backend(backend_choice)
        device = f" on {backend.device}" if backend.device else ""
        lines.append(f"  Backend     {backend.name}{device} (asked: {backend_choice})")
        lines.append(f"              {backend.reason}")
    except BackendError as error:
        ok = False
        lines.append(f"  Backend     PROBLEM (asked: {backend_choice}): {error}")
        lines.append("              Use --backend auto or numpy, or fix the CUDA install.")

    if backend_choice != "cupy":
        from tutor.backend import blas_threads, usable_cores
        from tutor.engines import half_process

        threads = blas_threads()
        lines.append(f"  Cores       {usable_cores()}, BLAS {threads} thread{'s' if threads != 1 else ''}: "
                     f"{half_process.status()}")

    columns, rows, is_tty = terminal_size()
    size_note = "" if is_tty else " (standard output is not a terminal)"
    if is_tty and (columns < 80 or rows < 24):
        size_note = " (below 80x24: enlarge it)"
    lines.append(f"  Terminal    {columns}x{rows}{size_note}")
    system, why = color_system()
    lines.append(f"  Colours     {system} ({why})")
    if low_bandwidth():
        lines.append(f"  Bandwidth   low: at most {os.environ.get('TEXTUAL_FPS', '8')} frames a second, 8 grey levels,"
                     " animations held while hidden")

    home = default_home()
    problem = directory_problem(home)  # really writes a temporary file: permissions can mislead
    if problem is None:
        lines.append(f"  Data dir    {home} (writable)")
    else:
        ok = False
        what, advice = problem
        lines.append(f"  Data dir    {home} PROBLEM: {what}; progress cannot be saved there")
        lines.append(f"              To fix it: {advice}.")
    store = ProgressStore()
    if problem is None or home.is_dir():
        # Read-only: a damaged file is reported and left where it is (the app moves it aside).
        progress, warning = store.load(move_damaged=False)
        if warning:
            ok = False
            lines.append(f"  Progress    {store.path} PROBLEM:")
            lines.append(f"              {warning}")
        elif store.path.exists():
            lines.append(f"  Progress    {store.path} ({len(progress.lessons)} lessons started)")
        else:
            lines.append(f"  Progress    {store.path} (none yet)")

    try:
        course = load_course(lessons)
        lines.append(f"  Lessons     {lessons} ({len(course.lessons)} lessons, valid)")
    except CourseError as error:
        ok = False
        lines.append(f"  Lessons     {lessons}: {len(error.issues)} problem(s); run `dl-tutor check-lessons {lessons}`")

    data = describe(mnist_dir())
    label = "Data files "
    checks = verify_checksums(mnist_dir())
    if all(check.ok for check in checks):
        lines.append(f"  {label} {len(checks)} files, SHA-256 OK ({mnist_dir()})")
    else:
        ok = False
        for check in checks:
            if not check.ok:
                lines.append(f"  {label} {check.message}")
    title, credit = data_lines(data)
    lines.append(f"  Data set    {title}")
    lines.append(f"              {credit}")
    lines.append("All good." if ok else "Some checks failed: see the lines above.")
    return lines, ok
