"""Hostile learner files: each gives one clear line, and the caller keeps running.

Every file is checked through `tutor.exercises.sandbox.run_checks`, which runs it in a child
process; the test process itself never imports learner code. Limits are made small here so a
run that must be stopped is stopped quickly.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tutor.exercises.catalogue import Limits, get
from tutor.exercises.sandbox import run_checks

EXERCISE = get("threshold-unit")
#: Small limits for the files that have to be stopped.
TIGHT = Limits(wall_seconds=1.5, cpu_seconds=30, memory_bytes=1024**3, output_bytes=64 * 1024)


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / EXERCISE.file_name
    path.write_text(body, encoding="utf-8")
    return path


def _good_body() -> str:
    return EXERCISE.solution_text()


def _one_line(report) -> str:
    assert report.problem, report
    assert "\n" not in report.problem
    assert "Traceback" not in report.problem
    return report.problem


def test_syntax_error_names_its_line(tmp_path: Path) -> None:
    report = run_checks(EXERCISE, _write(tmp_path, "import numpy as np\n\ndef threshold_unit(x, w, t)\n    return 0\n"))
    line = _one_line(report)
    assert "SyntaxError" in line and "threshold_unit.py line 3" in line
    assert not report.passed and report.checks == ()


def test_exception_at_import_names_its_line(tmp_path: Path) -> None:
    report = run_checks(EXERCISE, _write(tmp_path, "x = 1\ny = 1 / 0\n"))
    line = _one_line(report)
    assert "ZeroDivisionError" in line and "line 2" in line


def test_exception_in_a_function_fails_that_check_with_its_line(tmp_path: Path) -> None:
    body = _good_body().replace("    sums = np.asarray", "    {}['missing']\n    sums = np.asarray", 1)
    report = run_checks(EXERCISE, _write(tmp_path, body))
    assert not report.problem
    first = report.checks[0]
    assert first.status == "fail"
    assert "KeyError" in first.detail and "threshold_unit.py line" in first.detail
    assert dict(first.details)["case"]  # the failing case's inputs are named


def test_endless_loop_is_stopped_by_the_wall_time_limit(tmp_path: Path) -> None:
    body = _good_body().replace("    sums = np.asarray", "    while True:\n        pass\n    sums = np.asarray", 1)
    started = time.monotonic()
    report = run_checks(EXERCISE, _write(tmp_path, body), limits=TIGHT)
    assert time.monotonic() - started < 30
    line = _one_line(report)
    assert "time limit" in line and "the seed's rule" in line


def test_endless_loop_is_stopped_by_the_cpu_limit(tmp_path: Path) -> None:
    limits = Limits(wall_seconds=60.0, cpu_seconds=1, memory_bytes=1024**3)
    report = run_checks(EXERCISE, _write(tmp_path, "while True:\n    pass\n"), limits=limits)
    assert "CPU time" in _one_line(report)


def test_huge_allocation_is_a_memory_error(tmp_path: Path) -> None:
    body = _good_body().replace("    sums = np.asarray", "    big = np.ones((20_000, 20_000))\n    sums = np.asarray", 1)
    report = run_checks(EXERCISE, _write(tmp_path, body), limits=TIGHT)
    assert not report.problem
    detail = report.checks[0].detail
    assert "MemoryError" in detail or "memory" in detail
    assert "line" in detail


def test_sys_exit_stops_the_checks_with_one_line(tmp_path: Path) -> None:
    body = _good_body().replace("    sums = np.asarray", "    import sys\n    sys.exit(3)\n    sums = np.asarray", 1)
    report = run_checks(EXERCISE, _write(tmp_path, body))
    line = _one_line(report)
    assert "sys.exit(3)" in line and "threshold_unit.py line" in line


def test_sys_exit_at_import(tmp_path: Path) -> None:
    report = run_checks(EXERCISE, _write(tmp_path, "import sys\nsys.exit()\n"))
    assert "sys.exit()" in _one_line(report)


def test_os_exit_ends_the_child_and_is_reported(tmp_path: Path) -> None:
    body = _good_body().replace("    sums = np.asarray", "    import os\n    os._exit(0)\n    sums = np.asarray", 1)
    report = run_checks(EXERCISE, _write(tmp_path, body))
    line = _one_line(report)
    assert "os._exit" in line and "the seed's rule" in line


def test_output_flood_is_stopped(tmp_path: Path) -> None:
    body = _good_body().replace("    sums = np.asarray", "    while True:\n        print('x' * 1000)\n    sums = np.asarray", 1)
    started = time.monotonic()
    report = run_checks(EXERCISE, _write(tmp_path, body), limits=TIGHT)
    assert time.monotonic() - started < 30
    line = _one_line(report)
    assert "output flood" in line
    assert len(report.output) < 20_000  # only the start of the output is kept


def test_wrong_return_type_fails_with_a_clear_line(tmp_path: Path) -> None:
    body = _good_body().replace("    sums = np.asarray", "    return 'fire'\n    sums = np.asarray", 1)
    report = run_checks(EXERCISE, _write(tmp_path, body))
    first = report.checks[0]
    assert first.status == "fail" and "returned str" in first.detail


def test_missing_function_is_named(tmp_path: Path) -> None:
    report = run_checks(EXERCISE, _write(tmp_path, "OR_WEIGHTS = [1, 1]\n"))
    assert "no function threshold_unit()" in report.checks[0].detail


def test_prints_are_kept_for_the_learner(tmp_path: Path) -> None:
    body = _good_body().replace("    sums = np.asarray", "    print('debugging', x.shape)\n    sums = np.asarray", 1)
    report = run_checks(EXERCISE, _write(tmp_path, body))
    assert report.passed
    assert "debugging (4, 2)" in report.output


def test_background_children_are_killed(tmp_path: Path) -> None:
    marker = tmp_path / "still-running"
    body = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    time.sleep(1)\n"
        f"    open({str(marker)!r}, 'w').close()\n"
        "    os._exit(0)\n" + _good_body()
    )
    report = run_checks(EXERCISE, _write(tmp_path, body))
    assert report.checks
    time.sleep(1.5)
    assert not marker.exists()


def test_learner_code_never_runs_in_this_process(tmp_path: Path) -> None:
    run_checks(EXERCISE, _write(tmp_path, _good_body()))
    import sys

    assert "threshold_unit" not in sys.modules
    assert os.getpid() == os.getpid()  # still here


@pytest.mark.parametrize("mode", ["starter", "solution"])
def test_sandbox_reports_seconds(tmp_path: Path, mode: str) -> None:
    text = EXERCISE.starter_text() if mode == "starter" else EXERCISE.solution_text()
    report = run_checks(EXERCISE, _write(tmp_path, text))
    assert report.seconds > 0
    assert report.passed == (mode == "solution")


def test_a_fix_saved_within_the_same_second_is_checked(tmp_path: Path) -> None:
    """A compiled copy of the learner's file is never used: Python would trust one whose source
    has the same size and modification second, which a one-character fix saved right after a
    check keeps (`exercises watch` checks on every save)."""
    good = _good_body()
    broken = good.replace("(sums > threshold)", "(sums < threshold)", 1)
    assert broken != good and len(broken) == len(good)
    path = _write(tmp_path, good)
    stamp = path.stat().st_mtime_ns
    assert run_checks(EXERCISE, path).passed
    path.write_text(broken, encoding="utf-8")
    os.utime(path, ns=(stamp, stamp))
    assert not run_checks(EXERCISE, path).passed
    assert not list(tmp_path.rglob("*.pyc"))
