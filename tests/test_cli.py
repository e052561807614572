"""Tests for the `dl-tutor` command line, in-process (`tutor.cli.main`) and as a subprocess."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tutor import __version__
from tutor.cli import main
from tutor.content import CourseError, load_course
from tutor.progress import Progress, ProgressStore

REPO = Path(__file__).resolve().parent.parent
LESSONS = REPO / "lessons"
FIXTURE = Path(__file__).parent / "fixtures" / "course_ok"


def run_cli(*args: str, cwd: Path, env_extra: dict[str, str] | None = None, **kwargs):
    """`python -m tutor ARGS` in a subprocess with this test's DL_TUTOR_HOME."""
    env = dict(os.environ)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "tutor", *args], capture_output=True, text=True, cwd=cwd,
        env=env, timeout=60, **kwargs,
    )


def sample_progress() -> Progress:
    progress = Progress()
    progress.visit("artificial-neuron", "biology")
    progress.record_answer("artificial-neuron", "neuron-parts", correct=True, answer="2")
    progress.record_answer("artificial-neuron", "or-truth-table", correct=False, answer="1,1,1,1")
    progress.visit("old-lesson", "intro")
    return progress


@pytest.fixture
def home(_isolated_home: Path) -> Path:
    """The data directory the autouse fixture set up for this test."""
    assert os.environ["DL_TUTOR_HOME"] == str(_isolated_home)
    return _isolated_home


# --------------------------------------------------------------------------- --version, --help


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"dl-tutor {__version__}"


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: dl-tutor")
    for command in ("open", "list", "doctor", "check-lessons", "progress", "--backend", "--lessons"):
        assert command in out


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2


def test_version_subprocess(tmp_path: Path) -> None:
    result = run_cli("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"dl-tutor {__version__}"


# --------------------------------------------------------------------------- list


def test_list_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = captured.out.splitlines()
    assert lines[0] == load_course(LESSONS).title
    (row,) = [line for line in lines if "artificial-neuron" in line]
    assert "The artificial neuron" in row
    questions = len(load_course(LESSONS).lesson("artificial-neuron").questions)
    assert f"0/{questions}" in row
    assert "[ ]" in row
    assert "\x1b[" not in captured.out  # plain text, no colour codes


def test_list_shows_progress(capsys: pytest.CaptureFixture[str]) -> None:
    store = ProgressStore()
    store.save(sample_progress())
    assert main(["list"]) == 0
    (row,) = [line for line in capsys.readouterr().out.splitlines() if "artificial-neuron" in line]
    assert "1/10" in row and "first try 1/2" in row and "[~]" in row


def test_list_lessons_option_before_and_after_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lessons", str(FIXTURE), "list"]) == 0
    before = capsys.readouterr().out
    assert main(["list", "--lessons", str(FIXTURE)]) == 0
    after = capsys.readouterr().out
    assert before == after
    assert "Fixture course" in before
    for lesson_id in ("intro", "gates-and", "gates-or"):
        assert lesson_id in before
    assert "0/3" in before  # intro has three questions


def test_list_on_broken_course_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = _broken_course(tmp_path)
    assert main(["--lessons", str(broken), "list"]) == 1
    err = capsys.readouterr().err
    assert "problem(s)" in err
    assert "Traceback" not in err


def test_list_reports_a_damaged_progress_file_and_leaves_it(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue #14, item 17: `list` only reads; it used to rename the learner's file."""
    damaged = home / "progress.json"
    damaged.write_text("{ this is not json", encoding="utf-8")
    assert main(["list"]) == 0
    captured = capsys.readouterr()
    assert "artificial-neuron" in captured.out
    assert "0/10" in captured.out
    warning = captured.err.strip()
    assert warning.startswith("dl-tutor: ")
    assert len(warning.splitlines()) == 1
    assert "could not be read" in warning and "left as it is" in warning
    assert str(damaged) in warning
    assert damaged.read_text(encoding="utf-8") == "{ this is not json"
    assert sorted(p.name for p in home.iterdir()) == ["progress.json"]


def test_progress_reset_moves_a_damaged_file_aside(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = home / "progress.json"
    damaged.write_text("{ this is not json", encoding="utf-8")
    assert main(["progress", "--reset"]) == 0
    captured = capsys.readouterr()
    assert len(captured.err.strip().splitlines()) == 1 and "moved to" in captured.err
    (aside,) = home.glob("progress.json.damaged-*")
    assert aside.read_text(encoding="utf-8") == "{ this is not json"
    assert str(aside) in captured.err
    assert ProgressStore().load() == (Progress(), None)


def test_progress_export_refuses_a_damaged_file_and_leaves_it(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = home / "progress.json"
    damaged.write_text("{ this is not json", encoding="utf-8")
    target = tmp_path / "report.json"
    assert main(["progress", "--export", str(target)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Nothing was exported" in err
    assert not target.exists()  # an empty report would say the learner did nothing
    assert sorted(p.name for p in home.iterdir()) == ["progress.json"]


def test_list_subprocess_imports_neither_textual_nor_numpy(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "import tutor.cli\n"
        "rc = tutor.cli.main(['list'])\n"
        "print('RC', rc, 'textual' in sys.modules, 'numpy' in sys.modules, 'rich' in sys.modules)\n"
        "try:\n"
        "    tutor.cli.main(['--version'])\n"
        "except SystemExit as exit:\n"
        "    print('VERSION', exit.code, 'textual' in sys.modules, 'numpy' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "artificial-neuron" in result.stdout
    assert "RC 0 False False False" in result.stdout
    assert "VERSION 0 False False" in result.stdout


@pytest.mark.parametrize(
    ("args", "forbidden"),
    [
        (["list"], {"textual", "numpy", "rich"}),
        (["--version"], {"textual", "numpy", "rich"}),
        (["--help"], {"textual", "numpy", "rich"}),
        (["progress", "--export", "out.json"], {"textual", "numpy", "rich"}),
        # check-lessons runs each predict generator once (NumPy), but never loads the UI.
        (["check-lessons"], {"textual", "rich"}),
    ],
)
def test_entry_point_importtime_has_no_textual_or_numpy(
    tmp_path: Path, args: list[str], forbidden: set[str]
) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tutor", *args],
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    imported = {
        line.rsplit("|", 1)[-1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "tutor" in imported  # the probe itself works
    assert not imported & forbidden


# --------------------------------------------------------------------------- check-lessons


def _broken_course(tmp_path: Path) -> Path:
    """The fixture course with three problems in three files."""
    root = tmp_path / "broken"
    shutil.copytree(FIXTURE, root)
    toml = root / "gates-or" / "lesson.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('answer = "θ = 0.5"', 'answer = "θ = 9"'),
        encoding="utf-8",
    )
    intro = root / "intro" / "lesson.toml"
    intro.write_text(
        intro.read_text(encoding="utf-8").replace('hints = ["Three of them."]', 'hints = [""]'),
        encoding="utf-8",
    )
    md = root / "gates-and" / "lesson.md"
    md.write_text(md.read_text(encoding="utf-8") + "\n<!-- step: bonus -->\nExtra.\n", encoding="utf-8")
    return root


def test_check_lessons_shipped_course(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-lessons", str(LESSONS)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("OK: ")
    assert _shipped_counts() in out


def test_check_lessons_default_path_is_shipped_course(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-lessons"]) == 0
    assert str(LESSONS) in capsys.readouterr().out


def test_check_lessons_fixture_course(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-lessons", str(FIXTURE)]) == 0
    assert "3 lessons, 5 steps, 7 questions" in capsys.readouterr().out


def test_check_lessons_broken_course(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = _broken_course(tmp_path)
    assert main(["check-lessons", str(broken)]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    with pytest.raises(CourseError) as info:
        load_course(broken)
    assert lines == [str(issue) for issue in info.value.issues]
    assert len(lines) == 3
    expected = [
        (broken / "gates-or" / "lesson.toml", "questions[0] (or-threshold).answer"),
        (broken / "intro" / "lesson.toml", "questions[1] (pick-many).hints[0]"),
        (broken / "gates-and" / "lesson.md", "step bonus"),
    ]
    for path, key in expected:
        assert any(line.startswith(f"{path}: {key}: ") for line in lines), (path, key, lines)
    assert f"3 problem(s) in {broken}" in captured.err


def test_check_lessons_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-lessons", str(tmp_path / "nowhere")]) == 1
    assert "nowhere" in capsys.readouterr().out


def test_check_lessons_broken_predict_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "course"
    shutil.copytree(FIXTURE, root)
    toml = root / "gates-and" / "lesson.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("output?", "output {nonexistent}?"), encoding="utf-8"
    )
    assert main(["check-lessons", str(root)]) == 1
    out = capsys.readouterr().out
    assert "predict-output" in out and "nonexistent" in out
    assert "lesson.toml" in out


def test_check_lessons_subprocess_broken(tmp_path: Path) -> None:
    broken = _broken_course(tmp_path)
    result = run_cli("check-lessons", str(broken), cwd=tmp_path)
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 3
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------- open


def test_open_unknown_lesson_suggests_close_match(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["open", "artifical"]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert len(err.splitlines()) == 1
    assert "no lesson 'artifical'" in err
    assert "artificial-neuron" in err


def test_open_unknown_lesson_without_close_match(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["open", "zzzzzzzz"]) == 2
    assert "dl-tutor list" in capsys.readouterr().err


def test_open_ambiguous_prefix_lists_both(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lessons", str(FIXTURE), "open", "gates"]) == 2
    err = capsys.readouterr().err
    assert "several lessons" in err
    assert "gates-and" in err and "gates-or" in err
    assert "intro" not in err


def test_open_without_a_terminal(tmp_path: Path) -> None:
    result = run_cli("open", "artificial-neuron", cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "interactive terminal" in lines[0]
    assert result.stdout == ""


def test_open_by_unique_prefix_without_a_terminal(tmp_path: Path) -> None:
    # The prefix resolves (no "no lesson" message); then the missing terminal stops it.
    result = run_cli("open", "artificial", cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert "interactive terminal" in result.stderr
    assert "no lesson" not in result.stderr


def test_run_without_a_terminal(tmp_path: Path) -> None:
    result = run_cli(cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert "interactive terminal" in result.stderr
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------- doctor


def test_doctor(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"dl-tutor {__version__}")
    assert "numpy" in out
    assert "Backend     numpy" in out  # DL_TUTOR_BACKEND=numpy from conftest
    assert "MNIST" in out and "SHA-256 OK" in out
    assert f"Data dir    {home}" in out and "writable" in out
    assert "Lessons" in out and "valid" in out
    assert out.rstrip().endswith("All good.")


def test_doctor_reports_a_damaged_progress_file_and_leaves_it(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue #14, item 17: `doctor` only reads; it used to rename the learner's file."""
    damaged = home / "progress.json"
    damaged.write_bytes(b"\xff\xfe not text")
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "could not be read (it is not UTF-8 text)" in out and "left as it is" in out
    assert "All good." not in out and "Some checks failed" in out
    assert damaged.read_bytes() == b"\xff\xfe not text"
    assert sorted(p.name for p in home.iterdir()) == ["progress.json"]


def test_doctor_when_the_data_folder_is_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue #14, item 13: `doctor` said "All good." with DL_TUTOR_HOME pointing at a file."""
    not_a_folder = tmp_path / "home"
    not_a_folder.write_text("a file")
    monkeypatch.setenv("DL_TUTOR_HOME", str(not_a_folder))
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert f"{not_a_folder} is a file, not a folder" in out and "DL_TUTOR_HOME" in out
    assert "All good." not in out and "Traceback" not in out
    assert not_a_folder.read_text() == "a file"


def test_doctor_when_the_data_folder_is_not_writable(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue #14, item 13: `doctor` said "All good." when progress could not be saved."""
    from tutor.progress import files as files_module

    if os.geteuid() == 0:  # root writes anywhere: simulate the refusal

        def refuse(*args: object, **kwargs: object) -> None:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(files_module.tempfile, "mkstemp", refuse)
    else:
        home.chmod(0o500)
    try:
        assert main(["doctor"]) == 1
    finally:
        home.chmod(0o700)
    out = capsys.readouterr().out
    assert "Permission denied" in out and f"chmod u+w {home}" in out and "DL_TUTOR_HOME" in out
    assert "All good." not in out


def test_doctor_reports_damaged_course(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = _broken_course(tmp_path)
    assert main(["--lessons", str(broken), "doctor"]) == 1
    out = capsys.readouterr().out
    assert "3 problem(s)" in out and "check-lessons" in out


@pytest.mark.skipif(importlib.util.find_spec("cupy") is not None, reason="CuPy is installed here")
def test_doctor_with_cupy_backend_missing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--backend", "cupy"]) == 1
    out = capsys.readouterr().out
    assert "PROBLEM" in out and "CuPy is not installed" in out
    assert "Some checks failed" in out


def test_doctor_subprocess(tmp_path: Path) -> None:
    result = run_cli("doctor", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SHA-256 OK" in result.stdout
    assert "not a terminal" in result.stdout


# --------------------------------------------------------------------------- backend choice


def test_bogus_backend_env_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DL_TUTOR_BACKEND", "bogus")
    assert main(["list"]) == 2
    err = capsys.readouterr().err
    assert "DL_TUTOR_BACKEND" in err and "bogus" in err
    assert len(err.strip().splitlines()) == 1


def test_bogus_backend_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--backend", "bogus", "list"])
    assert info.value.code == 2


def test_bogus_backend_env_subprocess(tmp_path: Path) -> None:
    result = run_cli("list", cwd=tmp_path, env_extra={"DL_TUTOR_BACKEND": "bogus"})
    assert result.returncode == 2
    assert "bogus" in result.stderr


def test_backend_env_is_case_insensitive(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DL_TUTOR_BACKEND", "NumPy")
    assert main(["list"]) == 0


# --------------------------------------------------------------------------- progress


def test_progress_export(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ProgressStore().save(sample_progress())
    target = tmp_path / "out" / "report.json"
    assert main(["progress", "--export", str(target)]) == 0
    assert str(target) in capsys.readouterr().out
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data == sample_progress().to_dict()
    assert data["lessons"]["artificial-neuron"]["questions"]["neuron-parts"]["correct"] is True


def test_progress_export_markdown_report(home: Path, tmp_path: Path) -> None:
    ProgressStore().save(sample_progress())
    target = tmp_path / "report.md"
    assert main(["progress", "--export", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# dl-tutor progress report")
    course = load_course(LESSONS)
    neuron = course.lesson("artificial-neuron")
    # every lesson in the course, plus one the progress file knows that is no longer in it
    assert f"Lessons completed: 0 of {len(course.lessons) + 1}." in text
    assert f"| Neurons | The artificial neuron |  | 1/{len(neuron.steps)} | 1/{len(neuron.questions)} | 1/2 |" in text
    assert "| (not in this course) | old-lesson |" in text
    assert "| neuron-parts | 1 | yes | yes | 2 |" in text
    assert "| or-truth-table | 1 | no |  | 1,1,1,1 |" in text


@pytest.mark.parametrize("kind", ["symlink", "fifo"])
def test_progress_export_refuses_what_is_not_a_regular_file(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """Issue #14, item 12: `progress --export` replaced links, FIFOs and, as root, devices
    (`--export /dev/full` left a regular file in /dev; see test_progress for devices)."""
    ProgressStore().save(sample_progress())
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    target = tmp_path / "report.md"
    if kind == "symlink":
        target.symlink_to(precious)
    else:
        os.mkfifo(target)
    assert main(["progress", "--export", str(target)]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert len(err.splitlines()) == 1 and str(target) in err and "not a regular file" in err
    assert "exported" not in captured.out
    assert precious.read_text() == "keep me"
    assert target.is_symlink() if kind == "symlink" else target.is_fifo()


def test_progress_export_has_usual_permissions(home: Path, tmp_path: Path) -> None:
    ProgressStore().save(sample_progress())
    old = os.umask(0o022)
    try:
        assert main(["progress", "--export", str(tmp_path / "report.json")]) == 0
    finally:
        os.umask(old)
    assert (tmp_path / "report.json").stat().st_mode & 0o777 == 0o644


def test_progress_export_without_progress(tmp_path: Path) -> None:
    target = tmp_path / "empty.json"
    assert main(["progress", "--export", str(target)]) == 0
    assert json.loads(target.read_text(encoding="utf-8")) == Progress().to_dict()


def test_progress_needs_an_action() -> None:
    with pytest.raises(SystemExit) as info:
        main(["progress"])
    assert info.value.code == 2


def test_progress_reset_all_keeps_backup(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = ProgressStore()
    store.save(sample_progress())
    assert main(["progress", "--reset"]) == 0
    out = capsys.readouterr().out
    assert "all lessons" in out
    (backup,) = home.glob("progress.json.bak-*")
    assert str(backup) in out
    assert json.loads(backup.read_text(encoding="utf-8")) == sample_progress().to_dict()
    progress, warning = store.load()
    assert warning is None
    assert progress.lessons == {} and progress.last_lesson is None


def test_progress_reset_one_lesson(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = ProgressStore()
    store.save(sample_progress())
    assert main(["progress", "--reset", "artificial-neuron"]) == 0
    assert "lesson artificial-neuron" in capsys.readouterr().out
    progress, _ = store.load()
    assert "artificial-neuron" not in progress.lessons
    assert "old-lesson" in progress.lessons
    assert len(list(home.glob("progress.json.bak-*"))) == 1


def test_progress_reset_by_prefix(capsys: pytest.CaptureFixture[str]) -> None:
    store = ProgressStore()
    store.save(sample_progress())
    assert main(["progress", "--reset", "artificial"]) == 0
    assert "artificial-neuron" not in store.load()[0].lessons


def test_progress_reset_lesson_only_in_progress(capsys: pytest.CaptureFixture[str]) -> None:
    """A lesson removed from the course can still have its old records reset."""
    store = ProgressStore()
    store.save(sample_progress())
    assert main(["progress", "--reset", "old-lesson"]) == 0
    progress, _ = store.load()
    assert "old-lesson" not in progress.lessons
    assert "artificial-neuron" in progress.lessons


def test_progress_reset_exact_recorded_id_wins_over_prefix(capsys: pytest.CaptureFixture[str]) -> None:
    store = ProgressStore()
    progress = sample_progress()
    progress.visit("artificial", "old-step")
    store.save(progress)
    assert main(["progress", "--reset", "artificial"]) == 0
    after, _ = store.load()
    assert "artificial" not in after.lessons
    assert "artificial-neuron" in after.lessons


def test_progress_reset_unknown_lesson(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = ProgressStore()
    store.save(sample_progress())
    before = (home / "progress.json").read_text(encoding="utf-8")
    assert main(["progress", "--reset", "unknown-lesson"]) == 2
    err = capsys.readouterr().err
    assert "no lesson 'unknown-lesson'" in err
    assert (home / "progress.json").read_text(encoding="utf-8") == before
    assert not list(home.glob("progress.json.bak-*"))


def test_progress_reset_subprocess(tmp_path: Path) -> None:
    ProgressStore().save(sample_progress())
    result = run_cli("progress", "--reset", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert ProgressStore().load()[0].lessons == {}
    unknown = run_cli("progress", "--reset", "unknown-lesson", cwd=tmp_path)
    assert unknown.returncode == 2


def _shipped_counts() -> str:
    """The "N lessons, N steps, N questions" summary check-lessons prints for the shipped course."""
    from tutor.content import load_course
    from tutor.paths import default_lessons_dir

    course = load_course(default_lessons_dir())
    steps = sum(len(lesson.steps) for lesson in course.lessons)
    questions = sum(len(lesson.questions) for lesson in course.lessons)
    return f"{len(course.lessons)} lessons, {steps} steps, {questions} questions"


@pytest.mark.parametrize(
    "choice,line", [("16", "standard (TEXTUAL_COLOR_SYSTEM=standard)"), ("256", "256 (TEXTUAL_COLOR_SYSTEM=256)"),
                    ("truecolor", "truecolor (TEXTUAL_COLOR_SYSTEM=truecolor)"), ("none", "none (NO_COLOR is set)")],
)
def test_colors_option_overrides_what_the_terminal_says(monkeypatch, capsys, choice: str, line: str) -> None:
    from tutor.cli import main

    # Restored after the test: the option sets these for the whole process, as it should.
    monkeypatch.setenv("TEXTUAL_COLOR_SYSTEM", "")
    monkeypatch.setenv("NO_COLOR", "")
    monkeypatch.setenv("COLORTERM", "")
    main(["--colors", choice, "doctor"])
    assert line in capsys.readouterr().out


def test_app_refuses_a_broken_course_with_the_check_lessons_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = _broken_course(tmp_path)
    assert main(["check-lessons", str(broken)]) == 1
    problems = capsys.readouterr().out.splitlines()
    assert len(problems) == 3
    for argv in (["--lessons", str(broken)], ["--lessons", str(broken), "open", "intro"]):
        assert main(argv) == 1  # before any terminal check: the course is the first problem
        err = capsys.readouterr().err
        assert "has 3 problem(s)" in err and "check-lessons" in err
        assert [line.strip() for line in err.splitlines()[1:4]] == problems


# --------------------------------------------------------------------------- quitting the app


class _QuitApp:
    """What `finish_session` reads of a TutorApp that has just returned from `run()`."""

    def __init__(self, store: ProgressStore, stop_signal=None) -> None:
        from tutor.session import Session

        self.session = Session(load_course(LESSONS), store, sample_progress())
        self.stop_signal = stop_signal
        self.exit_notes: list[str] = []
        self.return_code = None


def _fail_saves(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every write of the progress file fails as on a full disk."""
    from tutor.progress import files as files_module

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files_module, "atomic_write_text", full)


def test_quitting_after_a_failed_save_rescues_progress_and_exits_1(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue #14, item 15: the session was lost silently, with exit status 0."""
    import signal

    from tutor.cli import finish_session
    from tutor.progress import ProgressSaveError

    monkeypatch.chdir(tmp_path)
    store = ProgressStore()
    _fail_saves(monkeypatch)
    with pytest.raises(ProgressSaveError):
        store.save(sample_progress(), merge=True)  # what the app did during the session
    assert finish_session(_QuitApp(store, signal.SIGTERM)) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0] == "Stopped by SIGTERM; your progress could not be saved (see below)."
    (rescued,) = tmp_path.glob("dl-tutor-progress-rescued-*.json")
    assert len(err) == 2 and str(rescued) in err[1] and "the disk is full" in err[1]
    assert json.loads(rescued.read_text()) == sample_progress().to_dict()


def test_quitting_normally_says_nothing_more(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tutor.cli import finish_session

    store = ProgressStore()
    store.save(sample_progress(), merge=True)
    assert finish_session(_QuitApp(store)) == 0
    assert capsys.readouterr().err == ""


async def test_the_app_s_failed_saves_are_rescued_when_it_quits(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The same through the real app: a read-only disk during the session, then `q`."""
    from tutor.app import make_app
    from tutor.cli import finish_session

    monkeypatch.chdir(tmp_path)
    app = make_app(home=home, open_lesson="artificial-neuron")
    _fail_saves(monkeypatch)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n")  # the next step: the app saves, and the save fails
        await pilot.pause()
        assert app.session.store.last_save_error is not None
    assert finish_session(app) == 1
    err = capsys.readouterr().err
    (rescued,) = tmp_path.glob("dl-tutor-progress-rescued-*.json")
    assert str(rescued) in err and len(err.strip().splitlines()) == 1
    record = json.loads(rescued.read_text())["lessons"]["artificial-neuron"]
    assert len(record["visited"]) == 2


def test_the_collector_is_off_only_while_the_app_loads(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """`main` turns the cycle collector off for the imports; a command other than the app runs
    with it on, the app turns it on once built (`tune_gc`), and it is on again after any return."""
    import gc

    from tutor import cli

    seen: dict[str, bool] = {}

    def record(name: str):
        def command(args) -> int:
            seen[name] = gc.isenabled()
            return 0
        return command

    monkeypatch.setitem(cli.COMMANDS, "list", record("list"))
    monkeypatch.setitem(cli.COMMANDS, "open", record("open"))
    assert gc.isenabled()
    assert main(["list"]) == 0 and seen["list"] is True
    assert main(["open", "anything"]) == 0 and seen["open"] is False  # cmd_run's tune_gc turns it on
    assert gc.isenabled()
    monkeypatch.undo()
    assert main(["open", "no-such-lesson-at-all"]) == 2  # an error before the app: back on anyway
    assert gc.isenabled()
    capsys.readouterr()
