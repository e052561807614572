"""The app keeps the validated course in its cache folder: the next start skips reading every
lesson, an edited lesson is read again, and a damaged cache only means the lessons are read."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tutor.content import CourseError, load_course
from tutor.content.loader import load_course_cached
from tutor.paths import default_lessons_dir


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    root = tmp_path / "lessons"
    shutil.copytree(default_lessons_dir(), root)
    return root


def test_the_second_load_comes_from_the_cache_and_an_edit_is_read_again(
    course_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = tmp_path / "cache"
    first = load_course_cached(course_copy, cache)
    assert first == load_course(course_copy) and len(list(cache.glob("course-*.pickle"))) == 1
    import tutor.content.loader as loader

    monkeypatch.setattr(loader, "load_course", lambda root: pytest.fail("read the lessons again"))
    assert load_course_cached(course_copy, cache) == first
    monkeypatch.undo()
    toml = course_copy / "line-fit" / "lesson.toml"
    toml.write_text(toml.read_text().replace('title = "', 'title = "Edited: ', 1))
    os.utime(toml, ns=(toml.stat().st_atime_ns, toml.stat().st_mtime_ns + 10**9))
    edited = load_course_cached(course_copy, cache)
    assert edited.lesson("line-fit").title.startswith("Edited: ")
    assert len(list(cache.glob("course-*.pickle"))) == 1  # the old one is gone


def test_a_damaged_cache_or_a_broken_tree(course_copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_course_cached(course_copy, cache)
    (pickled,) = cache.glob("course-*.pickle")
    pickled.write_bytes(b"not a pickle")
    assert load_course_cached(course_copy, cache) == load_course(course_copy)
    (course_copy / "line-fit" / "lesson.toml").write_text("id = 3\n")
    with pytest.raises(CourseError):
        load_course_cached(course_copy, cache)
    assert load_course_cached(default_lessons_dir(), None) == load_course(default_lessons_dir())


def test_a_cache_others_may_write_is_never_unpickled(course_copy: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    load_course_cached(course_copy, cache)
    (pickled,) = cache.glob("course-*.pickle")
    assert pickled.stat().st_mode & 0o777 == 0o600
    pickled.chmod(0o666)
    import tutor.content.loader as loader

    read = []
    monkeypatch.setattr(loader, "load_course", lambda root: read.append(root) or load_course(root))
    load_course_cached(course_copy, cache)
    assert read == [course_copy]  # the group/world-writable cache was not trusted
