"""The shipped course's questions follow the teaching rules (#16): derived from the course, so a
new lesson is checked the same way and no count is pinned.

- `check-lessons` finds no teaching warning: every distractor has its reason, every numeric
  question a diagnosed mistake, no answer is written in the prose before its question.
- The answer key is not the layout: in the TOML the right option is not mostly first or mostly
  the longest, and after the per-learner shuffle no shown position wins more than chance.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import pytest

from tutor.content import Course, load_course
from tutor.content.rules import teaching_warnings
from tutor.paths import default_lessons_dir
from tutor.widgets.question_card import option_order


@lru_cache(maxsize=1)
def _course() -> Course:
    return load_course(default_lessons_dir())


def _singles() -> list:
    return [
        q for lesson in _course().lessons for q in lesson.questions.values() if q.kind == "single"
    ]


def test_the_shipped_course_has_no_teaching_warnings() -> None:
    warnings = [str(w) for w in teaching_warnings(_course())]
    assert warnings == [], f"{len(warnings)} warning(s), first: {warnings[:5]}"


def test_the_toml_does_not_give_the_answer_away_by_position_or_length() -> None:
    singles = _singles()
    assert len(singles) >= 20  # enough questions for the shares below to mean something
    first = sum(q.answer == 0 for q in singles) / len(singles)
    expected = sum(1 / len(q.options) for q in singles) / len(singles)
    assert first <= expected + 0.15, f"the answer is the first option in {first:.0%} of questions"
    longest = sum(
        len(q.options[q.answer]) == max(len(o) for o in q.options) for q in singles
    ) / len(singles)
    assert longest <= 0.5, f"the answer is the longest option in {longest:.0%} of questions"


@pytest.mark.parametrize("learner_seed", [1, 20261205])
def test_after_shuffling_no_shown_position_beats_chance(learner_seed: int) -> None:
    singles = [q for q in _singles() if q.shuffle]
    shown_at = Counter()
    for q in singles:
        order = option_order(learner_seed, q.id, len(q.options))
        shown_at[order.index(q.answer)] += 1
    expected = sum(1 / len(q.options) for q in singles)  # questions whose answer lands at 0 by chance
    for position, count in shown_at.items():
        chance = sum(1 / len(q.options) for q in singles if len(q.options) > position)
        assert count <= chance + 3 * chance**0.5 + 2, (position, count, chance, expected)


def test_two_learners_see_different_orders() -> None:
    singles = [q for q in _singles() if q.shuffle]
    differ = sum(
        option_order(1, q.id, len(q.options)) != option_order(2, q.id, len(q.options))
        for q in singles
    )
    assert differ >= len(singles) // 2
