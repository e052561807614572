"""Tests for tutor.progress: id-keyed records, strict loading, atomic saving, damaged files."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tutor.progress import (
    LessonRecord,
    Progress,
    ProgressFormatError,
    ProgressSaveError,
    ProgressStore,
    QuestionRecord,
    default_home,
)
from tutor.progress import files as files_module
from tutor.progress import store as store_module


def sample_progress() -> Progress:
    """Progress with two lessons, answers on two questions and one completed lesson."""
    progress = Progress()
    progress.visit("01-neuron", "intro")
    progress.visit("01-neuron", "weights")
    progress.visit("01-neuron", "intro")
    progress.record_answer("01-neuron", "q-sum", correct=False, answer="3")
    progress.record_answer("01-neuron", "q-sum", correct=True, answer="2.5")
    progress.record_answer("01-neuron", "q-act", correct=True, answer="b")
    progress.visit("02-perceptron", "rule")
    progress.mark_completed("01-neuron")
    return progress


# ------------------------------------------------------------------ the dataclasses


def test_visit_and_record_answer() -> None:
    progress = sample_progress()
    neuron = progress.lessons["01-neuron"]
    assert progress.last_lesson == "02-perceptron"
    assert neuron.step == "intro"
    assert neuron.visited == ["intro", "weights"]
    assert neuron.completed
    assert neuron.questions["q-sum"] == QuestionRecord(
        attempts=2, correct=True, first_try=False, last_answer="2.5"
    )
    assert neuron.questions["q-act"] == QuestionRecord(
        attempts=1, correct=True, first_try=True, last_answer="b"
    )


def test_correct_sticks_once_true() -> None:
    progress = Progress()
    progress.record_answer("l", "q", correct=True, answer="1")
    progress.record_answer("l", "q", correct=False, answer="2")
    record = progress.lessons["l"].questions["q"]
    assert (
        record.correct and record.first_try and record.attempts == 2 and record.last_answer == "2"
    )


def test_score_over_given_ids_only() -> None:
    progress = sample_progress()
    assert progress.score("01-neuron", ["q-sum", "q-act", "q-new"]) == (2, 3)
    assert progress.score("01-neuron", ["q-act"]) == (1, 1)
    assert progress.score("never-seen", ["a", "b"]) == (0, 2)
    assert "never-seen" not in progress.lessons


def test_lesson_creates_record() -> None:
    progress = Progress()
    assert progress.lesson("x") is progress.lesson("x")
    assert progress.lessons == {"x": LessonRecord()}


def test_reset_one_lesson_and_everything() -> None:
    progress = sample_progress()
    progress.reset("01-neuron")
    assert "01-neuron" not in progress.lessons and "02-perceptron" in progress.lessons
    progress.reset()
    assert progress == Progress()


def test_dict_round_trip() -> None:
    progress = sample_progress()
    data = progress.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert Progress.from_dict(data) == progress


def test_from_dict_ignores_unknown_keys_and_fills_defaults() -> None:
    data = {
        "version": 1,
        "future_field": [1, 2],
        "lessons": {
            "gone-lesson": {"questions": {"q": {"attempts": 3, "shiny": True}}, "extra": 1}
        },
    }
    progress = Progress.from_dict(data)
    assert progress.last_lesson is None
    assert progress.lessons["gone-lesson"].questions["q"] == QuestionRecord(attempts=3)


@pytest.mark.parametrize(
    "data",
    [
        [],
        "progress",
        {"version": "1"},
        {"version": True},
        {"version": 2},
        {"last_lesson": 3},
        {"lessons": []},
        {"lessons": {"l": []}},
        {"lessons": {"l": {"step": 1}}},
        {"lessons": {"l": {"visited": "intro"}}},
        {"lessons": {"l": {"visited": ["a", 2]}}},
        {"lessons": {"l": {"completed": "yes"}}},
        {"lessons": {"l": {"questions": {"q": {"attempts": "2"}}}}},
        {"lessons": {"l": {"questions": {"q": {"attempts": True}}}}},
        {"lessons": {"l": {"questions": {"q": {"attempts": -1}}}}},
        {"lessons": {"l": {"questions": {"q": {"correct": 1}}}}},
        {"lessons": {"l": {"questions": {"q": {"last_answer": None}}}}},
        {"lessons": {"l": {"questions": {"q": 5}}}},
    ],
)
def test_from_dict_rejects_wrong_types(data: object) -> None:
    with pytest.raises(ProgressFormatError) as info:
        Progress.from_dict(data)
    assert "\n" not in str(info.value)


# ------------------------------------------------------------------ the store


def test_store_round_trip(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress.json")
    progress = sample_progress()
    store.save(progress)
    loaded, warning = store.load()
    assert warning is None
    assert loaded == progress
    text = (tmp_path / "progress.json").read_text(encoding="utf-8")
    assert text == json.dumps(progress.to_dict(), indent=2, sort_keys=True) + "\n"
    assert not list(tmp_path.glob(".progress-*.tmp"))


def test_missing_file_is_fresh_progress_without_warning(tmp_path: Path) -> None:
    assert ProgressStore(tmp_path / "progress.json").load() == (Progress(), None)


def test_keyed_by_id_not_position(tmp_path: Path) -> None:
    """Reordering a lesson's steps or questions cannot change what was recorded for an id."""
    store = ProgressStore(tmp_path / "progress.json")
    store.save(sample_progress())
    loaded, _ = store.load()
    for question_ids in (["q-sum", "q-act"], ["q-act", "q-sum"], ["q-new", "q-act", "q-sum"]):
        assert loaded.score("01-neuron", question_ids)[0] == 2
    data = json.loads((tmp_path / "progress.json").read_text())
    assert set(data["lessons"]["01-neuron"]["questions"]) == {"q-sum", "q-act"}
    assert data["lessons"]["01-neuron"]["step"] == "intro"


def test_unicode_answers_survive(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress.json")
    progress = Progress()
    progress.record_answer("l", "q", correct=True, answer="\u22120.5 → ∑ 日本")
    store.save(progress)
    assert store.load()[0] == progress


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_crash_mid_write_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    store.save(sample_progress())
    before = path.read_bytes()

    def crash(*args: object, **kwargs: object) -> None:
        """Simulate the process dying mid-write."""
        raise RuntimeError("killed mid-write")

    monkeypatch.setattr(store_module.os, failing, crash)
    changed = sample_progress()
    changed.reset()
    with pytest.raises(RuntimeError, match="killed"):
        store.save(changed)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert not list(tmp_path.glob(".progress-*.tmp"))
    assert store.load() == (sample_progress(), None)


def test_os_error_mid_write_is_progress_save_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    store.save(sample_progress())
    before = path.read_bytes()

    def disk_full(*args: object, **kwargs: object) -> None:
        """Simulate a full disk."""
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module.os, "fsync", disk_full)
    with pytest.raises(ProgressSaveError) as info:
        store.save(Progress())
    message = str(info.value)
    assert message == (
        f"Could not save progress to {path}: the disk is full (No space left on device). "
        "Your progress is kept in memory for this session."
    )
    assert store.last_save_error is info.value
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert not list(tmp_path.glob(".progress-*.tmp"))


def test_read_only_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "ro"
    directory.mkdir()
    path = directory / "progress.json"
    store = ProgressStore(path)
    store.save(sample_progress())
    before = path.read_bytes()
    if os.geteuid() == 0:  # root ignores permissions: simulate the refusal instead

        def refuse(*args: object, **kwargs: object) -> None:
            """Simulate a read-only directory."""
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(store_module.os, "replace", refuse)
    else:
        directory.chmod(0o500)
    try:
        with pytest.raises(ProgressSaveError, match="Permission denied.*kept in memory"):
            store.save(Progress())
    finally:
        directory.chmod(0o700)
        monkeypatch.undo()
    assert path.read_bytes() == before
    assert not list(directory.glob(".progress-*.tmp"))


def test_export_writes_report_atomically(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress.json")
    target = tmp_path / "reports" / "me.json"
    store.export(sample_progress(), target)
    assert Progress.from_dict(json.loads(target.read_text())) == sample_progress()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(ProgressSaveError, match="Could not export"):
        store.export(sample_progress(), blocker / "under-a-file.json")


DAMAGED = [
    b"{not json",
    b"",
    b"\xff\xfe\x00garbage",
    b'{"version": 1, "lessons": {"l": {"visited": 7}}}',
    b"[1, 2, 3]",
    b"[" * 100_000 + b"]" * 100_000,
    b'{"version": 99}',
]
DAMAGED_IDS = [f"damaged-{i}" for i in range(len(DAMAGED))]


@pytest.mark.parametrize("content", DAMAGED)
def test_damaged_file_is_moved_aside_with_warning(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "progress.json"
    path.write_bytes(content)
    progress, warning = ProgressStore(path).load()
    assert progress == Progress()
    assert warning is not None and "\n" not in warning
    aside = list(tmp_path.glob("progress.json.damaged-*"))
    assert len(aside) == 1
    assert aside[0].read_bytes() == content
    assert str(aside[0]) in warning
    assert not path.exists()
    stamp = aside[0].name.removeprefix("progress.json.damaged-")
    time.strptime(stamp, "%Y%m%d-%H%M%S")


def test_damaged_names_get_a_counter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files_module.time, "strftime", lambda fmt: "20240101-120000")
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    for i in range(3):
        path.write_text(f"broken {i}")
        progress, warning = store.load()
        assert progress == Progress() and warning
    names = sorted(p.name for p in tmp_path.glob("progress.json.damaged-*"))
    assert names == [
        "progress.json.damaged-20240101-120000",
        "progress.json.damaged-20240101-120000-1",
        "progress.json.damaged-20240101-120000-2",
    ]


def test_unreadable_path_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    path.mkdir()  # a directory where the file should be: reading fails with an OSError
    progress, warning = ProgressStore(path).load()
    assert progress == Progress()
    assert warning and "\n" not in warning


def test_stale_temp_files_are_removed_fresh_ones_kept(tmp_path: Path) -> None:
    stale = tmp_path / ".progress-abc123.tmp"
    stale.write_text("{half a")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    fresh = tmp_path / ".progress-def456.tmp"
    fresh.write_text("{being written")
    unrelated = tmp_path / "notes.tmp"
    unrelated.write_text("keep me")
    os.utime(unrelated, (old, old))
    assert ProgressStore(tmp_path / "progress.json").load() == (Progress(), None)
    assert not stale.exists()
    assert fresh.exists() and unrelated.exists()


def test_dl_tutor_home_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "custom" / "home"
    monkeypatch.setenv("DL_TUTOR_HOME", str(home))
    assert default_home() == home
    assert home.is_dir()
    store = ProgressStore()
    assert store.path == home / "progress.json"
    store.save(sample_progress())
    assert (home / "progress.json").is_file()


def test_default_home_uses_platformdirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.delenv("DL_TUTOR_HOME", raising=False)
    calls = []

    def fake_user_data_path(appname: str, appauthor: object = None, **kwargs: object) -> Path:
        """Record the call and answer a temporary directory."""
        calls.append((appname, appauthor))
        return tmp_path / "xdg" / appname

    monkeypatch.setattr(platformdirs, "user_data_path", fake_user_data_path)
    assert default_home() == tmp_path / "xdg" / "dl-tutor"
    assert calls == [("dl-tutor", False)]
    assert (tmp_path / "xdg" / "dl-tutor").is_dir()


# --------------------------------------------------------------------------- two tutors, one file


def test_two_tutors_on_one_file_keep_each_others_work(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    first, second = ProgressStore(path), ProgressStore(path)
    mine, _ = first.load()
    theirs, _ = second.load()

    mine.visit("intro", "start")
    mine.record_answer("intro", "q1", False, "3")
    first.save(mine, merge=True)

    theirs.visit("intro", "middle")
    theirs.record_answer("intro", "q1", True, "4")
    theirs.visit("gates", "and")
    second.save(theirs, merge=True)  # folds in the first tutor's save

    on_disk, _ = ProgressStore(path).load()
    intro = on_disk.lessons["intro"]
    assert intro.visited == ["middle", "start"]
    q1 = intro.questions["q1"]
    assert (q1.attempts, q1.correct, q1.first_try, q1.last_answer) == (2, True, True, "4")
    assert "gates" in on_disk.lessons and on_disk.last_lesson == "gates"

    mine.record_answer("intro", "q2", True, "yes")
    first.save(mine, merge=True)  # the first tutor now learns of the second's work
    on_disk, _ = ProgressStore(path).load()
    assert on_disk.lessons["intro"].questions["q1"].attempts == 2  # counted once, not twice
    assert on_disk.lessons["intro"].questions["q2"].correct
    assert "gates" in on_disk.lessons and on_disk.last_lesson == "intro"
    assert mine.lessons["intro"].questions["q1"].correct  # the app's own copy caught up


def test_attempts_add_up_when_both_tutors_answer_the_same_question(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    first, second = ProgressStore(path), ProgressStore(path)
    mine, _ = first.load()
    mine.record_answer("intro", "q1", False, "1")
    first.save(mine, merge=True)
    theirs, _ = second.load()  # both start from one attempt
    mine.record_answer("intro", "q1", False, "2")
    first.save(mine, merge=True)
    theirs.record_answer("intro", "q1", False, "5")
    theirs.record_answer("intro", "q1", True, "4")
    second.save(theirs, merge=True)
    q1 = ProgressStore(path).load()[0].lessons["intro"].questions["q1"]
    assert (q1.attempts, q1.correct, q1.first_try, q1.last_answer) == (4, True, False, "4")


def test_a_reset_is_not_undone_by_merging(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    progress, _ = store.load()
    progress.visit("intro", "start")
    store.save(progress, merge=True)
    progress.reset()
    store.save(progress)  # what `dl-tutor progress --reset` does: no merge
    assert ProgressStore(path).load()[0].lessons == {}


def test_merging_ignores_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    progress, _ = store.load()
    path.write_text("{ not json", encoding="utf-8")
    progress.visit("intro", "start")
    store.save(progress, merge=True)
    assert ProgressStore(path).load()[0].lessons["intro"].visited == ["start"]


# ------------------------------------------------------------------ two tutors saving at once

RACING_WRITER = """
import sys, time
from pathlib import Path
from tutor.progress import ProgressStore
path, tag, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
ready, go = Path(sys.argv[4]), Path(sys.argv[5])
store = ProgressStore(path)
progress, _ = store.load()
ready.touch()
while not go.exists():
    time.sleep(0.001)
for i in range(count):
    progress.record_answer("race", f"{tag}-{i}", True, str(i))
    progress.record_answer("race", "shared", False, tag)
    store.save(progress, merge=True)
"""


def test_two_processes_saving_at_the_same_moment_lose_no_answer(tmp_path: Path) -> None:
    """Issue #14, item 10: without a lock around read-merge-replace, two tutors saving at once
    lost answers (without it, this test loses some of the 200 and most shared attempts)."""
    import subprocess
    import sys

    path, count = tmp_path / "progress.json", 100
    script = tmp_path / "writer.py"
    script.write_text(RACING_WRITER, encoding="utf-8")
    go = tmp_path / "go"
    env = dict(os.environ, PYTHONPATH=str(Path(store_module.__file__).parents[2]))  # this tutor
    writers = {
        tag: subprocess.Popen(
            [sys.executable, str(script), str(path), tag, str(count), str(tmp_path / tag), str(go)],
            env=env,
        )
        for tag in ("a", "b")
    }
    deadline = time.monotonic() + 120  # a hang guard, not a timing threshold
    while not all((tmp_path / tag).exists() for tag in writers) and time.monotonic() < deadline:
        assert all(writer.poll() is None for writer in writers.values()), "a writer died early"
        time.sleep(0.01)
    go.touch()  # both start saving together
    assert [writer.wait(timeout=120) for writer in writers.values()] == [0, 0]
    progress, warning = ProgressStore(path).load()
    assert warning is None
    questions = progress.lessons["race"].questions
    lost = {f"{tag}-{i}" for tag in writers for i in range(count)} - set(questions)
    assert not lost, f"{len(lost)} of {2 * count} answers were lost"
    assert questions["shared"].attempts == 2 * count
    assert not list(tmp_path.glob(".progress-*.tmp"))


def test_a_stuck_lock_never_hangs_a_save(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fcntl = pytest.importorskip("fcntl")
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    monkeypatch.setattr(files_module, "LOCK_TIMEOUT", 0.05)
    with open(store.lock_path, "w") as holder:  # another copy of the app, stuck holding it
        fcntl.flock(holder, fcntl.LOCK_EX)
        store.save(sample_progress(), merge=True)  # waits LOCK_TIMEOUT, then saves unlocked
    assert store.load() == (sample_progress(), None)
    assert store.last_save_error is None


def test_saving_without_fcntl_degrades_to_unlocked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files_module, "fcntl", None)  # as on Windows
    store = ProgressStore(tmp_path / "progress.json")
    store.save(sample_progress(), merge=True)
    assert store.load() == (sample_progress(), None)
    assert not store.lock_path.exists()


def test_an_unopenable_lock_file_degrades_to_unlocked(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress.json")
    store.lock_path.mkdir()  # something that cannot be opened as a lock file
    store.save(sample_progress(), merge=True)
    assert store.load() == (sample_progress(), None)


# --------------------------------------------------------------------------- read-only loading


@pytest.mark.parametrize("content", DAMAGED, ids=DAMAGED_IDS)
def test_read_only_load_reports_a_damaged_file_and_leaves_it(
    tmp_path: Path, content: bytes
) -> None:
    """Issue #14, item 17: `list` and `doctor` must not rename the learner's file."""
    path = tmp_path / "progress.json"
    path.write_bytes(content)
    stale = tmp_path / ".progress-old.tmp"
    stale.write_text("{half")
    os.utime(stale, (0, 0))
    store = ProgressStore(path)
    progress, warning = store.load(move_damaged=False)
    assert progress == Progress()
    assert warning is not None and "\n" not in warning
    assert str(path) in warning and "left as it is" in warning
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == [".progress-old.tmp", "progress.json"]


def test_read_only_load_of_a_fifo_does_not_block(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    os.mkfifo(path)
    progress, warning = ProgressStore(path).load(move_damaged=False)
    assert progress == Progress() and warning and "FIFO" in warning
    assert path.exists() and not path.is_file()


# --------------------------------------------------------------------------- byte-order mark


def test_a_utf8_byte_order_mark_is_not_damage(tmp_path: Path) -> None:
    """Issue #14, item 14: a file saved by an editor that writes a BOM was moved aside."""
    path = tmp_path / "progress.json"
    text = json.dumps(sample_progress().to_dict(), indent=2)
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    store = ProgressStore(path)
    assert store.load() == (sample_progress(), None)
    assert path.exists() and not list(tmp_path.glob("progress.json.damaged-*"))
    # another tutor's save with a BOM is merged, not ignored
    mine = Progress()
    mine.visit("later", "start")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    ProgressStore(path).save(mine, merge=True)
    on_disk, _ = ProgressStore(path).load()
    assert set(on_disk.lessons) == {"01-neuron", "02-perceptron", "later"}
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")


# --------------------------------------------------------------------------- reasons in words


def test_a_json_error_says_where_without_stammering(tmp_path: Path) -> None:
    """Issue #14, item 13: "...starting at at line 7" (json's message ends with "at")."""
    path = tmp_path / "progress.json"
    path.write_text('{\n\n\n\n\n\n  "last_lesson": "unterminated', encoding="utf-8")
    _, warning = ProgressStore(path).load()
    assert warning is not None
    assert "invalid JSON at line 7, column 18: Unterminated string" in warning
    assert "at at" not in warning and "starting at" not in warning


@pytest.mark.parametrize("content", DAMAGED, ids=DAMAGED_IDS)
def test_no_damage_reason_stammers(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "progress.json"
    path.write_bytes(content)
    _, warning = ProgressStore(path).load()
    assert warning and " at at " not in warning and not warning.rstrip(".").endswith(" at")


def test_a_data_folder_that_is_a_file_is_named_not_file_exists(tmp_path: Path) -> None:
    """Issue #14, item 13: "File exists" was the reason given when DL_TUTOR_HOME is a file."""
    home = tmp_path / "home"
    home.write_text("I am a file")
    store = ProgressStore(home / "progress.json")
    progress, warning = store.load()
    assert progress == Progress()
    assert warning and f"{home} is a file, not a folder" in warning and "\n" not in warning
    with pytest.raises(ProgressSaveError) as info:
        store.save(sample_progress())
    message = str(info.value)
    assert f"{home} is a file, not a folder" in message and "File exists" not in message
    assert home.read_text() == "I am a file"
    with pytest.raises(ProgressSaveError, match="is a file, not a folder"):
        store.export(sample_progress(), home / "deeper" / "report.json")


def test_directory_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert store_module.directory_problem(tmp_path) is None
    assert store_module.directory_problem(tmp_path / "new" / "folder") is None
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    what, advice = store_module.directory_problem(blocker)
    assert what == f"{blocker} is a file, not a folder" and "DL_TUTOR_HOME" in advice
    what, advice = store_module.directory_problem(blocker / "below")
    assert what == f"{blocker} is a file, not a folder"

    def refuse(*args: object, **kwargs: object) -> None:
        """A folder the user may not write in (root ignores chmod, so simulate it)."""
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files_module.tempfile, "mkstemp", refuse)
    what, advice = store_module.directory_problem(tmp_path)
    assert "Permission denied" in what and "chmod u+w" in advice and "DL_TUTOR_HOME" in advice
    monkeypatch.undo()

    def full(*args: object, **kwargs: object) -> None:
        """A full disk: an empty file can still be made, its content cannot be kept."""
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module.os, "fsync", full)
    what, advice = store_module.directory_problem(tmp_path)
    assert what == "the disk is full (No space left on device)" and "free some space" in advice
    assert not list(tmp_path.glob(".progress-*.tmp"))


# --------------------------------------------------------------------------- exports


def _fake_device(monkeypatch: pytest.MonkeyPatch, target: Path) -> None:
    """Make `os.lstat(target)` answer a character device (a real one is too dangerous to aim at:
    as root, the old export replaced /dev/full with a regular file)."""
    import stat as stat_module

    real_lstat = os.lstat

    def lstat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if Path(path) == target:
            return os.stat_result((stat_module.S_IFCHR | 0o666, 0, 0, 1, 0, 0, 0, 0, 0, 0))
        return real_lstat(path, *args, **kwargs)

    monkeypatch.setattr(store_module.os, "lstat", lstat)


@pytest.mark.parametrize("kind", ["symlink", "fifo", "folder", "device"])
def test_export_never_replaces_what_is_not_a_regular_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """Issue #14, item 12: `progress --export` replaced symlinks, FIFOs and (as root) devices."""
    store = ProgressStore(tmp_path / "progress.json")
    target = tmp_path / "report.json"
    pointed = tmp_path / "precious.txt"
    pointed.write_text("keep me")
    if kind == "symlink":
        target.symlink_to(pointed)
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    else:
        _fake_device(monkeypatch, target)
    words = {"symlink": "a symbolic link", "fifo": "a FIFO", "folder": "a folder",
             "device": "a character device"}[kind]
    for export in (store.export, lambda _, where: store.export_text("# report", where)):
        with pytest.raises(store_module.ExportTargetError) as info:
            export(sample_progress(), target)
        message = str(info.value)
        assert "\n" not in message and str(target) in message and words in message
    assert pointed.read_text() == "keep me"
    if kind == "symlink":
        assert target.is_symlink() and target.resolve() == pointed
    elif kind == "fifo":
        import stat as stat_module

        assert stat_module.S_ISFIFO(os.lstat(target).st_mode)
    elif kind == "folder":
        assert target.is_dir()
    else:
        monkeypatch.undo()
        assert not target.exists()  # nothing was written in its place
    assert not list(tmp_path.glob(".progress-*.tmp"))


@pytest.mark.parametrize(
    ("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)],
    ids=["umask-022", "umask-077", "umask-002"],
)
def test_exports_get_a_new_file_s_usual_permissions(tmp_path: Path, umask: int, mode: int) -> None:
    """Issue #14, item 12: exports were private (0600) like the progress file."""
    store = ProgressStore(tmp_path / "progress.json")
    old = os.umask(umask)
    try:
        store.export(sample_progress(), tmp_path / "report.json")
        store.export_text("# report", tmp_path / "report.md")
        store.save(sample_progress())
    finally:
        os.umask(old)
    assert (tmp_path / "report.json").stat().st_mode & 0o777 == mode
    assert (tmp_path / "report.md").stat().st_mode & 0o777 == mode
    assert (tmp_path / "progress.json").stat().st_mode & 0o777 == 0o600  # the store stays private


def test_export_over_a_regular_file_keeps_its_permissions(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress.json")
    target = tmp_path / "report.json"
    target.write_text("old report")
    target.chmod(0o640)
    store.export(sample_progress(), target)
    assert Progress.from_dict(json.loads(target.read_text())) == sample_progress()
    assert target.stat().st_mode & 0o777 == 0o640


def test_backup_is_private_and_never_overwrites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files_module.time, "strftime", lambda fmt: "20240101-120000")
    store = ProgressStore(tmp_path / "progress.json")
    first, second = store.backup(sample_progress()), store.backup(Progress())
    assert first.name == "progress.json.bak-20240101-120000"
    assert second.name == "progress.json.bak-20240101-120000-1"
    assert Progress.from_dict(json.loads(first.read_text())) == sample_progress()
    assert first.stat().st_mode & 0o777 == 0o600


# ------------------------------------------------------------------ quitting after a failed save


def _disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every write of the progress file fails as on a full disk (other files can still be made)."""

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files_module, "atomic_write_text", full)


def test_save_at_exit_is_quiet_when_everything_is_saved(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress.json")
    assert store.save_at_exit(sample_progress()) == (True, None)  # nothing to save: no write
    store.save(sample_progress())
    assert store.save_at_exit(sample_progress()) == (True, None)


def test_save_at_exit_rescues_progress_a_full_disk_would_lose(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue #14, item 15: quitting after a failed save lost the session silently."""
    path = tmp_path / "data" / "progress.json"
    store = ProgressStore(path)
    store.save(Progress())
    before = path.read_bytes()
    _disk_full(monkeypatch)
    here = tmp_path / "cwd"
    here.mkdir()
    monkeypatch.chdir(here)
    with pytest.raises(ProgressSaveError):
        store.save(sample_progress(), merge=True)
    assert store.last_save_error is not None
    saved, note = store.save_at_exit(sample_progress())
    assert not saved and note is not None and "\n" not in note
    (rescued,) = here.glob("dl-tutor-progress-rescued-*.json")
    assert str(rescued) in note and str(path) in note and "the disk is full" in note
    assert Progress.from_dict(json.loads(rescued.read_text())) == sample_progress()
    assert rescued.stat().st_mode & 0o777 == 0o600
    assert path.read_bytes() == before  # the old file is intact
    # a second rescue in the same second gets a new name, never replacing the first
    assert store.rescue(Progress()) not in (None, rescued)


def test_save_at_exit_saves_when_the_disk_recovered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    _disk_full(monkeypatch)
    with pytest.raises(ProgressSaveError):
        store.save(sample_progress(), merge=True)
    monkeypatch.undo()  # space was freed before the learner quit
    saved, note = store.save_at_exit(sample_progress())
    assert saved and note == f"Progress saved to {path} (an earlier save had failed)."
    assert store.load() == (sample_progress(), None)
    assert store.last_save_error is None


def test_save_at_exit_says_when_nothing_could_be_rescued(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setattr(files_module, "rescue_folders", lambda: [blocker])
    store = ProgressStore(tmp_path / "progress.json")
    _disk_full(monkeypatch)
    with pytest.raises(ProgressSaveError):
        store.save(sample_progress(), merge=True)
    saved, note = store.save_at_exit(sample_progress())
    assert not saved and note is not None and "\n" not in note
    assert "is lost" in note and "dl-tutor doctor" in note
