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
        f"Could not save progress to {path}: No space left on device. "
        "Your progress is kept in memory for this session."
    )
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
    monkeypatch.setattr(store_module.time, "strftime", lambda fmt: "20240101-120000")
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
