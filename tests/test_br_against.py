"""`dl-tutor exercises check ID --against torch`: the learner's gradients against PyTorch autograd.

The message without PyTorch is tested in every environment ($DL_TUTOR_NO_TORCH hides it in the
parent and in the sandbox child); the comparisons themselves only where torch is installed
(`pytest.importorskip`). The learner's code still runs only in the child.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.exercises import torch_compare
from tutor.exercises.catalogue import EXERCISES, get
from tutor.exercises.sandbox import _parse, run_checks

QUICK = [e for e in EXERCISES if not e.trains]


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "ws"
    folder.mkdir()
    monkeypatch.setenv("DL_TUTOR_WORKSPACE", str(folder))
    monkeypatch.setenv("DL_TUTOR_HOME", str(tmp_path / "home"))
    return folder


def _solve(workspace: Path, *ids: str) -> None:
    for exercise_id in ids:
        exercise = get(exercise_id)
        shutil.copy(exercise.solution_path, workspace / exercise.file_name)


def test_every_exercise_says_what_it_compares() -> None:
    assert set(torch_compare.COMPARERS) == {e.id for e in EXERCISES}


def test_without_torch_one_line_says_how_to_install_it_and_exits_2(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture,
) -> None:
    _solve(workspace, "dense-layer")
    monkeypatch.setenv(torch_compare.HIDE_ENV, "1")
    assert not torch_compare.available()
    assert main(["exercises", "check", "dense-layer", "--against", "torch"]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "PyTorch is not installed" in lines[0]
    assert "`pip install torch`" in lines[0]
    assert "Checking" not in captured.out  # nothing ran


def test_watch_without_torch_says_so_once_and_watches_nothing(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture,
) -> None:
    _solve(workspace, "dense-layer")
    monkeypatch.setenv(torch_compare.HIDE_ENV, "1")
    assert main(["exercises", "watch", "dense-layer", "--against", "torch"]) == 2  # no loop
    captured = capsys.readouterr()
    assert len(captured.err.strip().splitlines()) == 1 and "PyTorch is not installed" in captured.err
    assert "Watching" not in captured.out and "Checking" not in captured.out


def test_watch_compares_on_every_check(workspace: Path, capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("torch")
    from tutor.exercises.cli import watch
    from tutor.exercises.workspace import Workspace

    _solve(workspace, "dense-layer")
    assert watch(Workspace(workspace), get("dense-layer"), against="torch", max_runs=1) == 0
    assert "  SAME  dense_backward dw: relative error " in capsys.readouterr().out


def test_torch_hidden_in_sys_modules_counts_as_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(torch_compare.HIDE_ENV, raising=False)
    monkeypatch.setitem(__import__("sys").modules, "torch", None)
    assert not torch_compare.available()


def test_child_without_torch_says_so_and_the_checks_still_count(
    workspace: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Torch missing in the child only (the parent's look was wrong): one note, checks intact."""
    _solve(workspace, "dense-layer")
    monkeypatch.setenv(torch_compare.HIDE_ENV, "1")
    report = run_checks(get("dense-layer"), workspace / "dense_layer.py", against="torch")
    assert report.passed
    (note,) = report.comparisons
    assert note.status == "note" and "could not import torch" in note.detail
    assert "pip install torch" in note.detail


def test_without_against_no_comparison_runs(workspace: Path) -> None:
    _solve(workspace, "threshold-unit")
    report = run_checks(get("threshold-unit"), workspace / "threshold_unit.py")
    assert report.passed and report.comparisons == ()


def test_compare_records_are_parsed_apart_from_the_checks() -> None:
    lines = [json.dumps(r) for r in (
        {"event": "start", "name": "a"},
        {"event": "check", "name": "a", "ok": True, "detail": ""},
        {"event": "compare", "name": "dense_backward dx", "ok": True, "detail": "relative error 1e-16"},
        {"event": "compare", "name": "dense_backward dw", "ok": False, "detail": "relative error 0.5"},
        {"event": "compare", "name": "PyTorch", "ok": None, "detail": "nothing to compare"},
        {"event": "done"},
    )]
    checks, fatal, running, done, comparisons = _parse(lines)
    assert [c.name for c in checks] == ["a"] and done and not fatal and not running
    assert [c.status for c in comparisons] == ["pass", "fail", "note"]


# --------------------------------------------------------------------------- with PyTorch


@pytest.mark.parametrize("exercise", QUICK, ids=lambda e: e.id)
def test_reference_solutions_agree_with_autograd(exercise, workspace: Path) -> None:
    pytest.importorskip("torch")
    _solve(workspace, exercise.id, *exercise.needs)
    report = run_checks(exercise, workspace / exercise.file_name, against="torch")
    assert report.passed, report
    assert report.comparisons, "no comparison line"
    if isinstance(torch_compare.COMPARERS[exercise.id], str):
        (note,) = report.comparisons
        assert note.status == "note" and "nothing to compare" in note.detail
        return
    compared = [c for c in report.comparisons if c.status != "note"]
    assert compared and all(c.status == "pass" for c in compared), report.comparisons
    for line in compared:
        error = float(line.detail.split("relative error ")[1].split()[0])
        assert error <= 1e-9, line


@pytest.mark.parametrize("exercise_id", ["mnist-mlp", "lenet-train"])
def test_training_exercises_compare_every_gradient(exercise_id: str, workspace: Path) -> None:
    """Their checks train for minutes: the comparisons are run on the solution module directly."""
    pytest.importorskip("torch")
    import importlib.util
    import sys

    exercise = get(exercise_id)
    _solve(workspace, exercise_id, *exercise.needs)
    sys.path.insert(0, str(workspace))
    try:
        spec = importlib.util.spec_from_file_location(exercise.module, workspace / exercise.file_name)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        records = []
        torch_compare.run(exercise_id, module, lambda **record: records.append(record))
    finally:
        sys.path.remove(str(workspace))
        for name in ("dense_layer", "softmax_cross_entropy", "conv2d_fast", "pooling_layers"):
            sys.modules.pop(name, None)
    names = [r["name"] for r in records]
    expected = 5 if exercise_id == "mnist-mlp" else 11  # the loss and every parameter
    assert len(records) == expected and all(r["ok"] for r in records), records
    assert names[0].endswith("loss")


def test_cli_prints_one_line_per_gradient(workspace: Path, capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("torch")
    _solve(workspace, "dense-layer")
    assert main(["exercises", "check", "dense-layer", "--against", "torch"]) == 0
    out = capsys.readouterr().out
    assert "Against PyTorch autograd" in out
    for name in ("dx", "dw", "db"):
        assert f"  SAME  dense_backward {name}: relative error " in out
    assert "  SAME  relu_backward dx: relative error " in out


def test_cli_no_gradients_says_so(workspace: Path, capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("torch")
    _solve(workspace, "threshold-unit")
    assert main(["exercises", "check", "threshold-unit", "--against", "torch"]) == 0
    assert "NOTE  PyTorch: nothing to compare: a threshold unit has no gradient" in capsys.readouterr().out


def test_a_wrong_gradient_shows_as_a_difference(workspace: Path, capsys: pytest.CaptureFixture) -> None:
    """dw doubled: the comparison names dw, with a large relative error, and the exit is 1."""
    pytest.importorskip("torch")
    path = workspace / "dense_layer.py"
    text = get("dense-layer").solution_text()
    path.write_text(text.replace("return dout @ w.T, x.T @ dout,", "return dout @ w.T, 2 * (x.T @ dout),"))
    assert main(["exercises", "check", "dense-layer", "--against", "torch"]) == 1
    out = capsys.readouterr().out
    assert "  SAME  dense_backward dx" in out
    assert "  DIFF  dense_backward dw: relative error 3.3e-01 (disagrees)" in out


def test_an_unwritten_backward_is_one_line(workspace: Path, capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("torch")
    exercise = get("pooling")
    (workspace / exercise.file_name).write_text(exercise.starter_text())
    assert main(["exercises", "check", "pooling", "--against", "torch"]) == 1
    out = capsys.readouterr().out
    assert "  STOP  the comparison stopped: maxpool_forward() is not written yet" in out
