"""Snapshots of the course map and the lesson screen at fixed terminal sizes.

Regenerate after an intended change with `pytest tests/test_app_snapshots.py --snapshot-update`
and look at the SVGs before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.app import make_app

SIZES = [(80, 24), (120, 40)]


@pytest.fixture(autouse=True)
def _colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_course_map(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(home=tmp_path), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_lesson_scene_step(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    """Step 2: the threshold unit after two rows have been computed."""
    app = make_app(home=tmp_path, open_lesson="artificial-neuron")
    assert snap_compare(app, press=["n", "full_stop", "full_stop"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_lesson_question_feedback(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    """Step 1: a wrong answer to the first question, with its feedback and a hint."""

    async def answer_wrong(pilot) -> None:
        card = pilot.app.screen.query_one("QuestionCard")
        card.answer_widget.focus()
        await pilot.pause()
        await pilot.press("enter", "h")
        await pilot.pause()

    app = make_app(home=tmp_path, open_lesson="artificial-neuron")
    assert snap_compare(app, run_before=answer_wrong, terminal_size=size)


def test_too_small(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(make_app(home=tmp_path), terminal_size=(70, 20))
