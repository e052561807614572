"""The exercise step: a lesson step naming a hands-on exercise (TOML `exercise = "ID"`).

The real app through Pilot on a fixture course in tmp_path, with the workspace in tmp_path
($DL_TUTOR_WORKSPACE): the panel shows the file's path and "not started"; start writes the
starter; checking the untouched starter shows the first failing case; the reference solution
passes and is recorded in the progress file; hostile files give one line and the app runs on;
the editor key without an editor says so in one line. Plus the loader's validation, the progress
records (kept apart from the lessons' so a damaged entry loses nothing else), the report and
`dl-tutor list`.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.exercise_host import exercise_course, use_workspace
from tutor.app import make_app
from tutor.cli import main
from tutor.content import CourseError, load_course
from tutor.exercises.catalogue import Limits, get
from tutor.exercises.workspace import Workspace
from tutor.progress import Progress, ProgressStore
from tutor.progress.records import merge_progress
from tutor.progress.report import markdown_report
from tutor.screens.lesson import LessonScreen
from tutor.widgets.exercise_panel import ExercisePanel

EXERCISE = get("threshold-unit")
#: Short limits, so the endless loop ends in seconds.
TIGHT = Limits(wall_seconds=4.0, cpu_seconds=3, memory_bytes=1024**3)


#: The question the exercise step asks in the `questions` variant of the fixture course.
QUESTION = textwrap.dedent("""\
    [[questions]]
    id = "q"
    kind = "number"
    prompt = "What is 1 + 1?"
    answer = 2
    hints = ["Count."]
    """)


def _course(root: Path, exercise: str = "threshold-unit", questions: bool = False) -> Path:
    """A one-lesson course whose second step is an exercise step."""
    return exercise_course(root, exercise, intro=True, question=QUESTION if questions else "")


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_workspace(tmp_path, monkeypatch, LIMITS=(ExercisePanel, TIGHT))


def _text(panel: ExercisePanel, widget_id: str) -> str:
    if widget_id == "ex-checks":
        return panel.shown_checks
    return str(panel.query_one(f"#{widget_id}").render())


async def _bring_into_view(pilot, widget) -> None:
    """Scroll `widget` into the screen, looking again after each refresh: the report lines
    above it may still be growing when the first scroll is computed (a busy CI machine)."""
    for _ in range(20):
        widget.scroll_visible(animate=False, immediate=True)
        await pilot.pause()
        if widget.region.area and pilot.app.screen.region.contains_region(widget.region):
            return
    raise AssertionError(f"{widget!r} never came into view: {widget.region}")


async def _wait_for_check(pilot, panel: ExercisePanel, seconds: float = 30.0) -> None:
    """Pause until the running check has been shown (the UI keeps running meanwhile)."""
    for _ in range(int(seconds / 0.05)):
        await pilot.pause(0.05)
        if not panel.running:
            return
    raise AssertionError("the check never finished")


# --------------------------------------------------------------------------- the loader


def test_step_exercise_is_loaded(tmp_path: Path) -> None:
    course = load_course(_course(tmp_path / "c"))
    steps = course.lesson("hands-on").steps
    assert steps[0].exercise is None and steps[1].exercise == "threshold-unit"


def test_unknown_exercise_is_a_lesson_error(tmp_path: Path) -> None:
    with pytest.raises(CourseError) as info:
        load_course(_course(tmp_path / "c", exercise="threshold-unti"))
    text = str(info.value)
    assert "exercise" in text and "unknown exercise 'threshold-unti'" in text
    assert "did you mean 'threshold-unit'" in text and "lesson.toml" in text


# --------------------------------------------------------------------------- the app


async def test_panel_start_check_fail_then_solution_passes_and_is_recorded(
    tmp_path: Path, workspace: Path,
) -> None:
    home = tmp_path / "home"
    app = make_app(_course(tmp_path / "c"), home=home, open_lesson="hands-on")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        assert screen.exercise_panel is None  # the first step has no exercise
        await pilot.press("ctrl+k")  # no exercise here: nothing happens
        await pilot.press("n")
        await pilot.pause()
        panel = screen.exercise_panel
        assert panel is not None
        path = workspace / "threshold_unit.py"
        assert str(path) in _text(panel, "ex-path").replace("\n", "")
        assert "not started" in _text(panel, "ex-checks")

        await pilot.press("ctrl+k")  # checking before starting: one line, nothing written
        await pilot.pause()
        assert "Start the exercise first" in _text(panel, "ex-message")
        assert not path.exists()

        await pilot.press("ctrl+g")
        await pilot.pause()
        assert path.read_text() == EXERCISE.starter_text()
        assert "not checked yet" in _text(panel, "ex-checks")

        await pilot.press("ctrl+k")
        # Started: still running (and saying so), or already done on a quick machine.
        assert (panel.running and "Checking" in _text(panel, "ex-checks")) or panel.report is not None
        await _wait_for_check(pilot, panel)
        checks = _text(panel, "ex-checks")
        assert "✗ failing" in checks and "not written yet" in checks and "case:" in checks
        assert not panel.report.passed
        record = json.loads((home / "progress.json").read_text())["exercises"]["threshold-unit"]
        assert record["status"] == "failing" and record["attempts"] == 1
        assert "not written yet" in record["first_failure"]

        path.write_text(EXERCISE.solution_text())
        await _bring_into_view(pilot, panel.query_one("#ex-check"))
        await pilot.click("#ex-check")  # the button does what ctrl+k does
        await _wait_for_check(pilot, panel)
        checks = _text(panel, "ex-checks")
        assert "All 4 checks pass" in checks and checks.count("✓ passed") == 4
        assert panel.has_class("-passed")
        record = json.loads((home / "progress.json").read_text())["exercises"]["threshold-unit"]
        assert record == {**record, "status": "passed", "attempts": 2, "passed": True,
                          "checks_passed": 4, "checks_total": 4, "first_failure": ""}
        assert Workspace(workspace).status(EXERCISE) == "passed"  # the CLI sees it too

        await pilot.press("ctrl+g")  # starting again never overwrites the work
        await pilot.pause()
        assert path.read_text() == EXERCISE.solution_text()
        assert "kept" in _text(panel, "ex-message")

    # A new run of the app shows the recorded status before any check.
    app = make_app(_course(tmp_path / "c"), home=home, open_lesson="hands-on")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = app.screen.exercise_panel
        assert panel is not None and "passed" in _text(panel, "ex-checks")
        assert "2 check runs" in _text(panel, "ex-checks")


#: Every hostile kind of learner file the issue lists: (body, the kind of line it gives,
#: words that line has). "stopped": the run could not finish (one "■ stopped" line, naming the
#: file's line where Python gives one); "failing": the checks ran and the first failing one says
#: what came back. `TIGHT` stops the loop in seconds and the allocation at once (1 GiB).
HOSTILE = {
    "syntax-error": ("import numpy as np\n\ndef threshold_unit(x, w, t)\n    return 0\n",
                     "stopped", ("SyntaxError", "threshold_unit.py line 3")),
    "exception": ("x = 1\ny = 1 / 0\n", "stopped", ("ZeroDivisionError", "line 2")),
    "endless-loop": ("while True:\n    pass\n", "stopped", ("limit",)),  # wall or CPU, first
    "huge-allocation": ("import numpy as np\nbig = np.ones((20_000, 20_000))\n", "stopped",
                        ("out of memory", "threshold_unit.py line 2")),
    "sys-exit": ("import sys\nsys.exit(3)\n", "stopped",
                 ("sys.exit(3)", "threshold_unit.py line 2")),
    "os-exit": ("import os\nos._exit(0)\n", "stopped", ("os._exit",)),
    "output-flood": ("while True:\n    print('x' * 1000)\n", "stopped", ("output flood",)),
    "wrong-return-type": (EXERCISE.solution_text().replace(
        "    sums = np.asarray", "    return 'fire'\n    sums = np.asarray", 1),
        "failing", ("returned str 'fire'",)),
}


def _seeded_progress(path: Path) -> dict:
    """Write a progress file with work elsewhere (a lesson's answer, another exercise's passed
    check); returns its content, which a hostile check must leave as it was."""
    progress = Progress()
    progress.visit("elsewhere", "s1")
    progress.record_answer("elsewhere", "q1", True, "42")
    progress.record_check("pooling", True, checks_passed=5, checks_total=5,
                          checked="2026-12-05T08:00:00")
    ProgressStore(path).save(progress)
    return json.loads(path.read_text())


@pytest.mark.parametrize("kind", list(HOSTILE))
async def test_hostile_file_gives_one_line_and_the_app_runs_on(
    tmp_path: Path, workspace: Path, kind: str,
) -> None:
    body, line_kind, words = HOSTILE[kind]
    home = tmp_path / "home"
    before = _seeded_progress(home / "progress.json")
    app = make_app(_course(tmp_path / "c"), home=home, open_lesson="hands-on")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("n")
        await pilot.pause()
        panel = screen.exercise_panel
        workspace.mkdir(parents=True, exist_ok=True)
        (workspace / "threshold_unit.py").write_text(body)
        await pilot.press("ctrl+k")
        await pilot.pause(0.3)
        await pilot.press("p")  # the UI answers while the learner's code runs (or loops)
        await pilot.pause()
        assert screen.step.id == "intro"
        await pilot.press("n")
        await pilot.pause()
        panel = screen.exercise_panel
        await pilot.press("ctrl+k")
        await _wait_for_check(pilot, panel)
        shown = _text(panel, "ex-checks")
        assert "Traceback" not in shown and "File \"" not in shown
        stops = [line for line in shown.splitlines() if "stopped" in line]
        if line_kind == "stopped":
            assert len(stops) == 1 and all(word in stops[0] for word in words), shown
        else:
            assert not stops
            first = next(line for line in shown.splitlines() if "✗ failing" in line)
            assert all(word in first for word in words), shown
        assert app.is_running and isinstance(app.screen, LessonScreen)
        await pilot.press("p")  # and it still moves on
        await pilot.pause()
        assert screen.step.id == "intro"
    progress = json.loads((home / "progress.json").read_text())
    record = progress["exercises"]["threshold-unit"]
    assert record["status"] == "failing" and record["attempts"] >= 1 and not record["passed"]
    assert "write-it" in progress["lessons"]["hands-on"]["visited"]
    # Nothing else is lost: the other lesson and the other exercise are as they were.
    assert progress["lessons"]["elsewhere"] == before["lessons"]["elsewhere"]
    assert progress["exercises"]["pooling"] == before["exercises"]["pooling"]
    assert progress["learner_seed"] == before["learner_seed"]


async def test_a_check_left_behind_is_dropped(tmp_path: Path, workspace: Path) -> None:
    home = tmp_path / "home"
    app = make_app(_course(tmp_path / "c"), home=home, open_lesson="hands-on")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        workspace.mkdir(parents=True, exist_ok=True)
        (workspace / "threshold_unit.py").write_text("while True:\n    pass\n")
        panel = app.screen.exercise_panel
        await pilot.press("ctrl+k")
        await pilot.pause(0.2)
        first = panel._cancel
        await pilot.press("ctrl+k")  # a newer check replaces the running one: its child is killed
        await pilot.pause(0.2)
        second = panel._cancel
        assert first is not None and first.is_set() and second is not None and not second.is_set()
        await pilot.press("p")  # leaving the step drops the result to come
        await pilot.pause()
        assert second.is_set()
        await app.workers.wait_for_complete()  # the dropped check's thread ends (its child killed)
        await pilot.pause()
        assert "exercises" not in json.loads((home / "progress.json").read_text())


async def test_editor_key_without_an_editor_says_so(tmp_path: Path, workspace: Path) -> None:
    app = make_app(_course(tmp_path / "c"), home=tmp_path / "home", open_lesson="hands-on")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        panel = app.screen.exercise_panel
        await pilot.press("ctrl+e")
        await pilot.pause()
        message = _text(panel, "ex-message")
        assert "No $VISUAL or $EDITOR" in message
        assert "dl-tutor exercises watch threshold-unit" in message
        assert str(workspace / "threshold_unit.py") in message.replace("\n", "")
        assert (workspace / "threshold_unit.py").exists()  # editing starts the exercise


async def test_editor_runs_suspended_and_the_file_is_checked_after(
    tmp_path: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import contextlib

    from tutor.widgets import exercise_panel

    ran: list[list[str]] = []

    def fake_editor(command: list[str], stop_handler=None) -> int:
        ran.append(command)
        Path(command[-1]).write_text(EXERCISE.solution_text())
        return 0

    monkeypatch.setenv("EDITOR", "myeditor --wait")
    monkeypatch.setattr(exercise_panel, "run_editor", fake_editor)
    app = make_app(_course(tmp_path / "c"), home=tmp_path / "home", open_lesson="hands-on")
    suspended: list[bool] = []

    @contextlib.contextmanager
    def fake_suspend():
        suspended.append(True)
        yield

    monkeypatch.setattr(app, "suspend", fake_suspend)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        panel = app.screen.exercise_panel
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert suspended and ran == [["myeditor", "--wait", str(workspace / "threshold_unit.py")]]
        await _wait_for_check(pilot, panel)
        assert "All 4 checks pass" in _text(panel, "ex-checks")


async def test_headless_terminal_cannot_suspend_one_line(tmp_path: Path, workspace: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISUAL", "vi")
    app = make_app(_course(tmp_path / "c"), home=tmp_path / "home", open_lesson="hands-on")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        panel = app.screen.exercise_panel
        await pilot.press("ctrl+e")
        await pilot.pause()
        message = _text(panel, "ex-message")
        assert "cannot hand over to an editor" in message and "exercises watch" in message


async def test_hint_key_on_an_exercise_step(tmp_path: Path, workspace: Path) -> None:
    app = make_app(_course(tmp_path / "c"), home=tmp_path / "home", open_lesson="hands-on")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        panel = app.screen.exercise_panel
        await pilot.press("h")
        await pilot.pause()
        assert "Hint 1 of 3" in _text(panel, "ex-message")
        await pilot.press("h")
        await pilot.pause()
        assert "Hint 2 of 3" in _text(panel, "ex-message")


async def test_exercise_keys_show_in_the_footer_on_exercise_steps_only(
    tmp_path: Path, workspace: Path,
) -> None:
    app = make_app(_course(tmp_path / "c"), home=tmp_path / "home", open_lesson="hands-on")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.check_action("exercise", ("check",)) is False
        await pilot.press("n")
        await pilot.pause()
        assert screen.check_action("exercise", ("check",)) is True
    from tutor.scenes.registry import SCENES, load_scene_class
    from tutor.screens.help import KEYS_HELP

    for key in ("ctrl+g", "ctrl+e", "ctrl+k"):
        assert f"`{key}` | exercise steps" in KEYS_HELP
    for name in SCENES:  # no scene takes the exercise keys
        for binding in load_scene_class(name).BINDINGS:
            keys = binding.key if hasattr(binding, "key") else binding[0]
            assert not {"ctrl+g", "ctrl+e", "ctrl+k"} & set(keys.split(",")), name


# --------------------------------------------------------------------------- progress


def test_exercise_records_round_trip_and_a_damaged_entry_loses_nothing_else(tmp_path: Path) -> None:
    progress = Progress()
    progress.visit("hands-on", "intro")
    progress.record_check("threshold-unit", False, checks_passed=1, checks_total=4,
                          first_failure="or_gate: wrong", checked="2026-12-05T08:00:00")
    progress.record_check("threshold-unit", True, checks_passed=4, checks_total=4,
                          checked="2026-12-05T08:05:00")
    progress.record_check("threshold-unit", False, checks_passed=3, checks_total=4,
                          first_failure="x", checked="2026-12-05T08:10:00")
    record = progress.exercises["threshold-unit"]
    assert (record.status, record.attempts, record.passed) == ("failing", 3, True)  # passed sticks
    data = progress.to_dict()
    assert Progress.from_dict(data) == progress
    assert "exercises" not in Progress().to_dict()  # files without exercises stay as they were

    data["exercises"]["broken"] = {"status": "maybe", "attempts": -1}
    data["exercises"]["also-broken"] = "x"
    loaded = Progress.from_dict(data)
    assert set(loaded.exercises) == {"threshold-unit"} and loaded.lessons == progress.lessons
    data["exercises"] = [1, 2]
    assert Progress.from_dict(data).lessons == progress.lessons


def test_exercise_attempts_merge_between_two_writers() -> None:
    base = Progress()
    base.record_check("pooling", False, checked="2026-12-05T08:00:00")
    ours, theirs = Progress.from_dict(base.to_dict()), Progress.from_dict(base.to_dict())
    ours.record_check("pooling", False, checked="2026-12-05T08:01:00")
    theirs.record_check("pooling", True, checks_passed=5, checks_total=5,
                        checked="2026-12-05T08:02:00")
    theirs.record_check("conv2d-loops", False, checked="2026-12-05T08:03:00")
    merge_progress(ours, theirs, base)
    assert ours.exercises["pooling"].attempts == 3
    assert ours.exercises["pooling"].status == "passed" and ours.exercises["pooling"].passed
    assert ours.exercises["conv2d-loops"].attempts == 1


def test_a_reset_keeps_the_history_and_round_trips() -> None:
    """`Progress.record_reset`, the one rule of a reset: not checked since, attempts kept."""
    progress = Progress()
    assert progress.record_reset("threshold-unit", when="2026-12-05T08:00:00") is None
    assert progress.exercises == {}  # never checked: nothing to take back, nothing written
    progress.record_check("threshold-unit", True, checks_passed=4, checks_total=4,
                          checked="2026-12-05T08:05:00")
    # Files of learners who never reset stay as they were.
    assert "resets" not in progress.to_dict()["exercises"]["threshold-unit"]
    record = progress.record_reset("threshold-unit", when="2026-12-05T08:06:00")
    assert record is progress.exercises["threshold-unit"]
    assert (record.status, record.attempts, record.passed, record.resets) == ("reset", 1, True, 1)
    assert (record.checks_passed, record.checks_total, record.first_failure) == (0, 0, "")
    assert (record.checked, record.reset_at) == ("2026-12-05T08:05:00", "2026-12-05T08:06:00")
    assert Progress.from_dict(progress.to_dict()) == progress
    progress.record_check("threshold-unit", False, checks_total=4, first_failure="x",
                          checked="2026-12-05T08:07:00")
    assert (record.status, record.attempts, record.resets) == ("failing", 2, 1)
    progress.record_reset("threshold-unit", when="2026-12-05T08:08:00")
    report = markdown_report(progress, None)
    row = next(l for l in report.splitlines() if l.startswith("| threshold-unit"))
    assert "reset (passed before)" in row and "| 2 |" in row  # the report says so; runs kept


def test_a_reset_in_another_pane_is_not_undone_by_the_apps_copy() -> None:
    """The app holds the record it saw passing; `dl-tutor exercises reset` in another pane
    writes the file: the app's next save (a merge) keeps the reset, and its attempts."""
    base = Progress()
    base.record_check("pooling", True, checks_passed=5, checks_total=5,
                      checked="2026-12-05T08:00:00")
    ours, theirs = Progress.from_dict(base.to_dict()), Progress.from_dict(base.to_dict())
    theirs.record_reset("pooling", when="2026-12-05T08:00:00")  # within the same second
    assert theirs.exercises["pooling"].last_change > ours.exercises["pooling"].last_change
    merge_progress(ours, theirs, base)
    record = ours.exercises["pooling"]
    assert (record.status, record.attempts, record.passed, record.resets) == ("reset", 1, True, 1)
    assert record.checks_total == 0

    # A check here after their reset: ours is the latest; both sides' counts add up.
    ours, theirs = Progress.from_dict(base.to_dict()), Progress.from_dict(base.to_dict())
    theirs.record_reset("pooling", when="2026-12-05T08:01:00")
    ours.record_check("pooling", False, checks_passed=1, checks_total=5,
                      checked="2026-12-05T08:02:00")
    merge_progress(ours, theirs, base)
    record = ours.exercises["pooling"]
    assert (record.status, record.attempts, record.resets) == ("failing", 2, 1)
    assert record.checks_passed == 1
    assert record.reset_at == "2026-12-05T08:01:00"


def test_cli_check_records_in_progress_and_list_survives_a_damaged_status_file(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = tmp_path / "ws"
    main(["exercises", "start", "threshold-unit", "--workspace", str(ws)])
    (ws / "threshold_unit.py").write_text(EXERCISE.solution_text())
    assert main(["exercises", "check", "threshold-unit", "--workspace", str(ws)]) == 0
    progress, _ = ProgressStore().load(move_damaged=False)
    assert progress.exercises["threshold-unit"].status == "passed"
    (ws / ".status.json").write_text("{damaged")
    capsys.readouterr()
    main(["exercises", "--workspace", str(ws)])
    line = next(l for l in capsys.readouterr().out.splitlines() if "threshold-unit" in l)
    assert "passed" in line  # the progress file still knows


def test_cli_check_leaves_a_damaged_progress_file_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture,
) -> None:
    ws = tmp_path / "ws"
    main(["exercises", "start", "threshold-unit", "--workspace", str(ws)])
    store = ProgressStore()
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text("{not json")
    main(["exercises", "check", "threshold-unit", "--workspace", str(ws)])
    assert store.path.read_text() == "{not json"
    assert "not added to your progress" in capsys.readouterr().out


def test_report_and_list_show_exercises(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = _course(tmp_path / "c")
    course = load_course(root)
    store = ProgressStore()
    progress = Progress()
    progress.record_check("threshold-unit", False, checks_passed=2, checks_total=4,
                          first_failure="or_gate: wrong | weights", checked="2026-12-05T08:00:00")
    progress.record_check("pooling", True, checks_passed=5, checks_total=5,
                          checked="2026-12-05T08:01:00")
    store.save(progress)
    report = markdown_report(progress, course)
    assert "## Exercises" in report
    row = next(l for l in report.splitlines() if l.startswith("| threshold-unit"))
    assert "failing" in row and "2/4" in row and "or_gate: wrong \\| weights" in row
    assert "Exercises passed: 1 of " in report

    assert main(["--lessons", str(root), "list"]) == 0
    out = capsys.readouterr().out
    assert all(len(line) <= 80 for line in out.splitlines())
    lines = out.splitlines()
    row = next(i for i, l in enumerate(lines) if "hands-on" in l)
    assert "exercise threshold-unit: failing, 2/4 checks, 1 run" in lines[row + 1]


async def test_a_check_in_another_pane_shows_in_the_panel(
    tmp_path: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`dl-tutor exercises check` (as `watch` runs it in a second tmux pane) writes the progress
    file; the panel shows its result, and the app's next save keeps both sides' check runs."""
    from tutor.widgets import exercise_panel

    monkeypatch.setattr(exercise_panel, "POLL_SECONDS", 0.2)
    app = make_app(_course(tmp_path / "c"), open_lesson="hands-on")  # the default progress file
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n", "ctrl+g", "ctrl+k")
        panel = app.screen.exercise_panel
        await _wait_for_check(pilot, panel)
        assert "✗ failing" in _text(panel, "ex-checks")
        (workspace / "threshold_unit.py").write_text(EXERCISE.solution_text())
        assert main(["exercises", "check", "threshold-unit"]) == 0  # the other pane
        for _ in range(100):
            await pilot.pause(0.05)
            if "passed" in _text(panel, "ex-checks"):
                break
        assert "Status: passed (2 check runs)" in _text(panel, "ex-checks")
        await pilot.press("p")  # the app saves again: the merge keeps the other pane's run
        await pilot.pause()
    progress, _ = ProgressStore().load(move_damaged=False)
    record = progress.exercises["threshold-unit"]
    assert (record.attempts, record.status, record.passed) == (2, "passed", True)


async def test_a_reset_in_another_pane_shows_in_the_panel_and_keeps_the_runs(
    tmp_path: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`dl-tutor exercises reset` in a second pane after a pass: the panel shows the starter as
    not checked yet (not "passed"), tells the step so (its scene leaves the learner's code), the
    app's next save keeps the reset and the runs, and the next check counts as usual."""
    from tutor.widgets import exercise_panel

    monkeypatch.setattr(exercise_panel, "POLL_SECONDS", 0.2)
    checked: list[ExercisePanel.Checked] = []  # the hook sees a message at every node it reaches

    def hook(message) -> None:
        if isinstance(message, ExercisePanel.Checked) and all(m is not message for m in checked):
            checked.append(message)

    def told() -> list[bool]:
        return [message.passed for message in checked]

    app = make_app(_course(tmp_path / "c"), open_lesson="hands-on")  # the default progress file
    async with app.run_test(size=(80, 24), message_hook=hook) as pilot:
        await pilot.pause()
        await pilot.press("n", "ctrl+g")
        (workspace / "threshold_unit.py").write_text(EXERCISE.solution_text())
        await pilot.press("ctrl+k")
        panel = app.screen.exercise_panel
        await _wait_for_check(pilot, panel)
        for _ in range(100):  # the panel shows the pass, then its message reaches the step
            if told():
                break
            await pilot.pause(0.05)
        assert panel.status == "passed" and told() == [True]
        assert main(["exercises", "reset", "threshold-unit"]) == 0  # the other pane
        for _ in range(100):  # the text and the message to the step: both, in either order
            await pilot.pause(0.05)
            if "not checked yet" in _text(panel, "ex-checks") and len(told()) == 2:
                break
        shown = _text(panel, "ex-checks")
        assert "not checked yet (the starter was put back; 1 check run before)" in shown
        assert not panel.has_class("-passed") and told() == [True, False]
        await pilot.press("p")  # the app saves: the merge keeps the other pane's reset
        await pilot.pause()
        record = ProgressStore().load(move_damaged=False)[0].exercises["threshold-unit"]
        assert (record.status, record.attempts, record.passed, record.resets) == (
            "reset", 1, True, 1)
        await pilot.press("n", "ctrl+k")  # a check after the reset works as usual
        panel = app.screen.exercise_panel
        await _wait_for_check(pilot, panel)
        assert "✗ failing" in _text(panel, "ex-checks")
    record = ProgressStore().load(move_damaged=False)[0].exercises["threshold-unit"]
    assert (record.status, record.attempts, record.passed, record.resets) == ("failing", 2, True, 1)


async def test_an_exercise_that_builds_on_another_says_which_first(
    tmp_path: Path, workspace: Path,
) -> None:
    app = make_app(_course(tmp_path / "c", exercise="mnist-mlp"), home=tmp_path / "home",
                   open_lesson="hands-on")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n", "ctrl+g", "ctrl+k")
        await pilot.pause()
        panel = app.screen.exercise_panel
        assert not panel.running
        message = _text(panel, "ex-message")
        assert "dense_layer.py" in message and "dl-tutor exercises start dense-layer" in message
