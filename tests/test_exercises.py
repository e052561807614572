"""The exercise catalogue, every exercise's starter and reference solution, and the CLI contract.

For every exercise the untouched starter fails with a useful first failing case (inputs and
what was expected), and the reference solution written into the learner's file passes. The
two exercises that train on MNIST (about 10 s and 40 s alone on two cores, minutes beside the
rest of the suite) are marked `training` and left out of the default run: `pytest -m training`.
"""

from __future__ import annotations

import ast
import io
import re
import tomllib
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.exercises import cli as exercises_cli
from tutor.exercises.catalogue import EXERCISES, find, get
from tutor.exercises.sandbox import run_checks
from tutor.exercises.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent


def _slow_if_training(exercise):
    """Training to the exercise's target accuracy (40 s to 4 min on two cores) is a check for a
    learner's machine, not for every test run: `pytest -m training` runs it."""
    marks = [pytest.mark.slow, pytest.mark.training] if exercise.trains else []
    return pytest.param(exercise, id=exercise.id, marks=marks)


def _workspace(tmp_path: Path, exercise, text: str) -> Path:
    """Write `text` as the learner's file, with the reference solutions of what it builds on."""
    for need in exercise.needs:
        other = get(need)
        (tmp_path / other.file_name).write_text(other.solution_text(), encoding="utf-8")
    path = tmp_path / exercise.file_name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- the catalogue


def test_at_least_twelve_exercises_in_course_order() -> None:
    assert len(EXERCISES) >= 12
    course = tomllib.loads((REPO / "lessons" / "course.toml").read_text(encoding="utf-8"))
    order = [lesson for unit in course["units"] for lesson in unit["lessons"]]
    positions = [order.index(exercise.lesson) for exercise in EXERCISES]  # every lesson exists
    assert positions == sorted(positions)


def test_ids_files_and_package_data() -> None:
    assert len({e.id for e in EXERCISES}) == len(EXERCISES)
    assert len({e.module for e in EXERCISES}) == len(EXERCISES)
    for exercise in EXERCISES:
        assert exercise.module.isidentifier()
        assert exercise.starter_path.is_file() and exercise.solution_path.is_file()
        assert (REPO / "tutor" / "exercises" / "checks" / exercise.file_name).is_file()
        assert exercise.hints and all(hint.strip() for hint in exercise.hints)
        for need in exercise.needs:
            assert EXERCISES.index(get(need)) < EXERCISES.index(exercise)


def test_starters_give_signatures_and_docstrings_not_the_code() -> None:
    for exercise in EXERCISES:
        tree = ast.parse(exercise.starter_text())
        functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
        assert functions, exercise.id
        assert any(isinstance(node.body[-1], ast.Raise) for node in functions), exercise.id
        for function in functions:
            doc = ast.get_docstring(function)
            assert doc, (exercise.id, function.name)
            if isinstance(function.body[-1], ast.Raise):
                assert "Formula:" in doc, (exercise.id, function.name)


def test_find_by_id_prefix_or_file_name() -> None:
    assert find("threshold-unit")[0].id == "threshold-unit"
    assert find("lenet-p")[0].id == "lenet-params"
    assert find("pooling_layers.py")[0].id == "pooling"
    exercise, message = find("conv2d")
    assert exercise is None and "several" in message
    exercise, message = find("sigmoid-chain-rul3")
    assert exercise is None and "sigmoid-chain-rule" in message


# --------------------------------------------------------------------------- starters and solutions


@pytest.mark.parametrize("exercise", [pytest.param(e, id=e.id) for e in EXERCISES])
def test_untouched_starter_fails_with_its_first_case(tmp_path: Path, exercise) -> None:
    report = run_checks(exercise, _workspace(tmp_path, exercise, exercise.starter_text()))
    assert not report.problem, report.problem
    assert not report.passed
    first = report.checks[0]
    assert first.status == "fail"
    assert first.detail
    assert "case" in dict(first.details), first


@pytest.mark.parametrize("exercise", [_slow_if_training(e) for e in EXERCISES])
def test_reference_solution_passes(tmp_path: Path, exercise) -> None:
    report = run_checks(exercise, _workspace(tmp_path, exercise, exercise.solution_text()))
    assert report.passed, (report.problem, [(c.name, c.detail, c.details) for c in report.checks if not c.ok])
    assert all(c.status == "pass" for c in report.checks)


# --------------------------------------------------------------------------- the CLI


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["exercises", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_list_start_check_and_status(tmp_path: Path, capsys) -> None:
    ws = str(tmp_path / "ws")
    code, out, _ = _run(capsys, "--workspace", ws)
    assert code == 0
    assert all(e.id in out for e in EXERCISES) and "not started" in out

    code, out, _ = _run(capsys, "start", "threshold-unit", "--workspace", ws)
    path = Path(ws) / "threshold_unit.py"
    assert code == 0 and str(path) in out and path.read_text() == get("threshold-unit").starter_text()

    code, out, _ = _run(capsys, "check", "threshold-unit", "--workspace", ws)
    assert code == 1 and "FAIL" in out and "case:" in out and "expected:" in out
    assert "failing" in _run(capsys, "--workspace", ws)[1]

    path.write_text(get("threshold-unit").solution_text())
    code, out, _ = _run(capsys, "check", "threshold-unit", "--workspace", ws)
    assert code == 0 and "All 4 checks pass" in out
    assert out.count("PASS") == 4
    listing = _run(capsys, "--workspace", ws)[1]
    assert re.search(r"threshold-unit +passed ", listing)
    assert Workspace(ws).attempts(get("threshold-unit")) == 2


def test_cli_start_never_overwrites(tmp_path: Path, capsys) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    mine = ws / "quadratic_cost.py"
    mine.write_text("# my own work\n")
    code, out, _ = _run(capsys, "start", "quadratic-cost", "--workspace", str(ws))
    assert code == 0 and "already exists" in out and "kept" in out
    assert mine.read_text() == "# my own work\n"


def test_cli_usage_errors(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("DL_TUTOR_WORKSPACE", str(tmp_path / "env-ws"))
    code, _, err = _run(capsys, "check", "no-such-exercise")
    assert code == 2 and "no exercise" in err
    code, _, err = _run(capsys, "check", "quadratic-cost")
    assert code == 2 and "start quadratic-cost" in err and str(tmp_path / "env-ws") in err
    _run(capsys, "start", "mnist-mlp")
    code, _, err = _run(capsys, "check", "mnist-mlp")
    assert code == 2 and "dense-layer" in err
    with pytest.raises(SystemExit) as exit_info:
        main(["exercises", "check"])
    assert exit_info.value.code == 2


def test_cli_hint_solution_and_reset(tmp_path: Path, capsys, monkeypatch) -> None:
    ws = str(tmp_path)
    exercise = get("lenet-params")
    code, out, _ = _run(capsys, "hint", "lenet-params")
    assert code == 0 and all(hint[:30] in out for hint in exercise.hints)

    code, out, _ = _run(capsys, "solution", "lenet-params", "--yes")
    assert code == 0 and out == exercise.solution_text()
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    code, out, _ = _run(capsys, "solution", "lenet-params")
    assert code == 0 and "Not shown" in out and "def conv_params" not in out.split("[y/N]")[-1]
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = _run(capsys, "solution", "lenet-params")
    assert code == 2 and "--yes" in err

    path = tmp_path / exercise.file_name
    path.write_text("# attempt 1\n")
    code, out, _ = _run(capsys, "reset", "lenet-params", "--workspace", ws)
    assert code == 0 and "backup" in out
    assert path.read_text() == exercise.starter_text()
    (backup,) = tmp_path.glob("lenet_params.py.*.bak")
    assert backup.read_text() == "# attempt 1\n"


def test_cli_reset_after_a_pass_shows_the_starter_as_not_checked_and_keeps_the_runs(
    tmp_path: Path, capsys,
) -> None:
    """After `reset`, neither `exercises` nor `dl-tutor list` brings back the replaced file's
    "passed" from the progress file; its check runs are kept, and the next check counts on."""
    from tutor.progress import ProgressStore

    ws = str(tmp_path / "ws")
    exercise = get("threshold-unit")
    _run(capsys, "start", "threshold-unit", "--workspace", ws)
    (Path(ws) / exercise.file_name).write_text(exercise.solution_text())
    assert _run(capsys, "check", "threshold-unit", "--workspace", ws)[0] == 0

    def listed() -> tuple[str, str]:
        exercises_line = next(line for line in _run(capsys, "--workspace", ws)[1].splitlines()
                              if " threshold-unit " in line)
        main(["list"])
        list_line = next(line for line in capsys.readouterr().out.splitlines()
                         if "exercise threshold-unit:" in line)
        return exercises_line, list_line.strip()

    assert "passed" in listed()[0]
    code, out, _ = _run(capsys, "reset", "threshold-unit", "--workspace", ws)
    assert code == 0 and "backup" in out and "Note:" not in out
    assert (Path(ws) / exercise.file_name).read_text() == exercise.starter_text()
    exercises_line, list_line = listed()
    assert re.search(r"threshold-unit +not checked yet ", exercises_line), exercises_line
    assert list_line == "exercise threshold-unit: not checked yet (reset), 1 run"
    record = ProgressStore().load(move_damaged=False)[0].exercises["threshold-unit"]
    assert (record.status, record.attempts, record.passed, record.resets) == ("reset", 1, True, 1)

    code, out, _ = _run(capsys, "check", "threshold-unit", "--workspace", ws)  # the starter fails
    assert code == 1 and "FAIL" in out
    exercises_line, list_line = listed()
    assert re.search(r"threshold-unit +failing ", exercises_line), exercises_line
    assert list_line.startswith("exercise threshold-unit: failing, ")
    assert list_line.endswith(", 2 runs")
    record = ProgressStore().load(move_damaged=False)[0].exercises["threshold-unit"]
    assert (record.status, record.attempts, record.passed, record.resets) == ("failing", 2, True, 1)


def test_cli_reset_of_a_never_checked_exercise_writes_no_progress(tmp_path: Path, capsys) -> None:
    from tutor.progress import ProgressStore

    code, out, _ = _run(capsys, "reset", "quadratic-cost", "--workspace", str(tmp_path))
    assert code == 0 and "Starter written" in out and "Note:" not in out
    assert not ProgressStore().path.exists()
    listing = _run(capsys, "--workspace", str(tmp_path))[1]
    assert re.search(r"quadratic-cost +not checked yet ", listing)


def test_cli_reset_leaves_a_damaged_progress_file_alone(tmp_path: Path, capsys) -> None:
    from tutor.progress import ProgressStore

    store = ProgressStore()
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text("{not json")
    code, out, _ = _run(capsys, "reset", "quadratic-cost", "--workspace", str(tmp_path))
    assert code == 0 and "Note: the reset was not noted in your progress" in out
    assert store.path.read_text() == "{not json"


def test_watch_checks_and_stops(tmp_path: Path, capsys) -> None:
    workspace = Workspace(tmp_path)
    exercise = get("lenet-params")
    workspace.start(exercise)
    assert exercises_cli.watch(workspace, exercise, max_runs=1) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "Checking lenet-params" in out


def test_watch_ctrl_c_exits_cleanly(tmp_path: Path, capsys, monkeypatch) -> None:
    workspace = Workspace(tmp_path)
    exercise = get("lenet-params")
    workspace.start(exercise)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(exercises_cli.time, "sleep", interrupted)
    assert exercises_cli.watch(workspace, exercise) in (0, 1)  # no traceback, no exit code 130
    assert "Stopped watching" in capsys.readouterr().out


def test_damaged_status_file_keeps_the_work(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    exercise = get("threshold-unit")
    workspace.start(exercise)
    (tmp_path / ".status.json").write_text("{not json")
    assert workspace.status(exercise) == "not checked yet"
    workspace.record(exercise, True)
    assert workspace.status(exercise) == "passed"
    assert workspace.path(exercise).read_text() == exercise.starter_text()


@pytest.mark.slow
def test_wheel_ships_starters_solutions_and_checks(tmp_path: Path) -> None:
    import subprocess
    import sys
    import zipfile

    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-w", str(tmp_path)], cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = tmp_path.glob("dl_tutor-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for exercise in EXERCISES:
        for folder in ("starters", "solutions", "checks"):
            assert f"tutor/exercises/{folder}/{exercise.file_name}" in names
    assert "tutor/exercises/runner.py" in names
