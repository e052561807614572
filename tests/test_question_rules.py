"""Why-not reasons, known mistakes, held-back prose and the teaching warnings of check-lessons."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.content import CourseError, load_course
from tutor.content.loader import split_reveal
from tutor.content.rules import teaching_warnings, visible_answer
from tutor.quiz import grade, instantiate

FIXTURE = Path(__file__).parent / "fixtures" / "course_ok"


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    target = tmp_path / "course"
    shutil.copytree(FIXTURE, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _with_reasons_and_mistakes(root: Path) -> None:
    toml = root / "intro" / "lesson.toml"
    edit(toml, 'options = ["AND", "Banana", "Cloud"]',
         'options = ["AND", { text = "Banana", why = "a banana is a fruit, not a gate" }, '
         '{ text = "Cloud", why = "a cloud computes nothing" }]')
    edit(toml, "answer = 2\ntolerance = 0.01",
         'answer = 2\ntolerance = 0.01\nmistakes = [{ answer = 11, say = "You wrote the sum in binary." }]')


def test_reasons_and_mistakes_reach_the_feedback(course_dir: Path) -> None:
    _with_reasons_and_mistakes(course_dir)
    lesson = load_course(course_dir).lesson("intro")
    pick = lesson.questions["pick-one"]
    assert pick.options == ("AND", "Banana", "Cloud")
    assert pick.reasons == ("", "a banana is a fruit, not a gate", "a cloud computes nothing")
    problem = instantiate(pick)
    assert grade(problem, "b").message == "Not quite: a banana is a fruit, not a gate"
    assert grade(problem, "a").correct
    number = instantiate(lesson.questions["a-number"])
    assert grade(number, "11").message == "You wrote the sum in binary."
    # The generic detectors still speak when no known mistake matches.
    assert "twice" in grade(number, "4").message


def test_a_reason_on_the_right_option_is_an_error(course_dir: Path) -> None:
    edit(course_dir / "intro" / "lesson.toml", 'options = ["AND", "Banana", "Cloud"]',
         'options = [{ text = "AND", why = "oops" }, "Banana", "Cloud"]')
    with pytest.raises(CourseError) as info:
        load_course(course_dir)
    assert any("right option has a 'why'" in issue.message for issue in info.value.issues)


@pytest.mark.parametrize(
    ("mistakes", "message"),
    [
        ('mistakes = [{ answer = 2, say = "x" }]', "this is the right answer"),
        ('mistakes = [{ answer = "two", say = "x" }]', "expected a number"),
        ('mistakes = [{ answer = 3 }]', "expected the message"),
        ('mistakes = [{ answer = 3, say = "x", colour = "red" }]', "colour"),
        ('mistakes = "3"', "expected a list"),
    ],
)
def test_bad_mistakes_are_reported(course_dir: Path, mistakes: str, message: str) -> None:
    edit(course_dir / "intro" / "lesson.toml", "answer = 2\ntolerance = 0.01",
         f"answer = 2\ntolerance = 0.01\n{mistakes}")
    with pytest.raises(CourseError) as info:
        load_course(course_dir)
    text = "\n".join(str(issue) for issue in info.value.issues)
    assert message in text, text


def test_reveal_splits_a_step() -> None:
    shown, held, marks = split_reveal("The sum is\n\n<!-- reveal -->\n\nIt was 92.\n")
    assert (shown, held, marks) == ("The sum is\n", "It was 92.\n", 1)
    assert split_reveal("No marker.\n") == ("No marker.\n", "", 0)


def test_reveal_holds_prose_back_and_needs_questions(course_dir: Path) -> None:
    md = course_dir / "intro" / "lesson.md"
    edit(md, "It has two paragraphs.", "It has two paragraphs.\n\n<!-- reveal -->\n\nThe answer was AND.")
    step = load_course(course_dir).lesson("intro").steps[0]
    assert "AND" not in step.prose and step.reveal == "The answer was AND.\n"
    edit(course_dir / "intro" / "lesson.toml", 'questions = ["pick-one"]', "questions = []")
    with pytest.raises(CourseError) as info:
        load_course(course_dir)
    assert any("reveal" in issue.message for issue in info.value.issues)


def test_visible_answers_are_found_but_small_counts_are_not(course_dir: Path) -> None:
    lesson = load_course(course_dir).lesson("intro")
    number = lesson.questions["a-number"]  # answer 2: too small to prove anything
    assert visible_answer(number, "1 + 1 = 2") is None
    from dataclasses import replace

    big = replace(number, answer=23550.0)
    assert visible_answer(big, "The layer has 23,550 parameters.") == "23550"
    assert visible_answer(big, "The layer has 23,551 parameters.") is None
    vec = replace(number, kind="vector", answer=(16.5, 2.5), tolerance=0.01)
    assert visible_answer(vec, "the gradient there is (16.5, 2.5)") == "16.5, 2.5"
    assert visible_answer(vec, "16.5 here and 2.5 there, far apart: 7") is not None  # consecutive
    assert visible_answer(vec, "2.5 then 16.5") is None


def test_check_lessons_prints_teaching_warnings_and_strict_fails(
    course_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-lessons", str(course_dir)]) == 0
    out = capsys.readouterr().out
    assert "warning: wrong option(s) b, c" in out
    assert "no diagnosed mistake" in out
    assert out.splitlines()[-1].startswith("OK: ") and "teaching warning" in out
    assert main(["check-lessons", "--strict", str(course_dir)]) == 1


def test_fixture_warnings_go_away_when_fixed(course_dir: Path) -> None:
    _with_reasons_and_mistakes(course_dir)
    left = [str(w) for w in teaching_warnings(load_course(course_dir))]
    assert not any("(pick-one)" in w or "(a-number)" in w for w in left), left


def test_an_answer_in_another_question_on_the_step_is_a_warning_unless_in_order(
    course_dir: Path,
) -> None:
    toml = course_dir / "intro" / "lesson.toml"
    edit(toml, 'answer = 2\ntolerance = 0.01', 'answer = 12\ntolerance = 0.01')
    edit(toml, 'prompt = "What is 1 + 1?"', 'prompt = "What is 6 + 6?"')
    edit(toml, 'prompt = "Which of these are gates?"', 'prompt = "Given 12 inputs, which are gates?"')
    warnings = [str(w) for w in teaching_warnings(load_course(course_dir))]
    assert any("a-number" in w and "written in question pick-many" in w for w in warnings), warnings
    # Asked one after another with the number first, the choice question may build on it.
    edit(toml, 'questions = ["pick-many", "a-number"]',
         'questions = ["a-number", "pick-many"]\nin_order = true')
    warnings = [str(w) for w in teaching_warnings(load_course(course_dir))]
    assert not any("written in question" in w for w in warnings), warnings


def test_an_answer_in_the_summary_is_a_warning(course_dir: Path) -> None:
    toml = course_dir / "intro" / "lesson.toml"
    edit(toml, 'answer = 2\ntolerance = 0.01', 'answer = 12\ntolerance = 0.01')
    edit(toml, 'summary = "A first lesson', 'summary = "Twelve, or 12: a first lesson')
    warnings = [str(w) for w in teaching_warnings(load_course(course_dir))]
    assert any("summary" in w and "a-number" in w for w in warnings), warnings


@pytest.mark.parametrize(("value", "message"), [("1", "expected true or false"),
                                                ("true", "needs two or more")])
def test_bad_in_order_is_reported(course_dir: Path, value: str, message: str) -> None:
    toml = course_dir / "intro" / "lesson.toml"
    edit(toml, 'questions = ["pick-one"]', f'questions = ["pick-one"]\nin_order = {value}')
    with pytest.raises(CourseError) as info:
        load_course(course_dir)
    assert any(message in issue.message for issue in info.value.issues)


def test_an_answer_in_the_next_step_title_is_a_warning(course_dir: Path) -> None:
    """Under the questions the screen names the next step by its title: a title with an answer
    of this step in it gives the answer away."""
    toml = course_dir / "intro" / "lesson.toml"
    edit(toml, 'answer = 2\ntolerance = 0.01', 'answer = 12\ntolerance = 0.01')
    edit(toml, 'questions = ["pick-one"]', 'questions = ["a-number"]')
    edit(toml, 'questions = ["pick-many", "a-number"]', 'questions = ["pick-many", "pick-one"]')
    edit(toml, 'title = "The unit, titled in TOML"', 'title = "Why 12 and not 13"')
    warnings = [str(w) for w in teaching_warnings(load_course(course_dir))]
    assert any("a-number" in w and "next step's title" in w for w in warnings), warnings
