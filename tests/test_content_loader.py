"""Tests for tutor.content: the fixture course loads into typed objects, every kind of broken
lesson tree is reported with the right file and key, and the shipped course is valid."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tutor.content import Course, CourseError, Lesson, LessonIssue, Question, Step, Unit, load_course
from tutor.content import split_prose
from tutor.paths import default_lessons_dir
from tutor.quiz import instantiate

FIXTURE = Path(__file__).parent / "fixtures" / "course_ok"
REPO_LESSONS = Path(__file__).resolve().parent.parent / "lessons"


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    """A private copy of the fixture course, free to break."""
    target = tmp_path / "course"
    shutil.copytree(FIXTURE, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    """Replace exactly one occurrence of `old` in a text file (fails loudly if absent)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def load_errors(root: Path) -> list[LessonIssue]:
    with pytest.raises(CourseError) as info:
        load_course(root)
    assert info.value.issues, "CourseError without issues"
    return info.value.issues


def matching(issues: list[LessonIssue], file: str, key: str, message: str) -> list[LessonIssue]:
    """Issues whose file ends with `file`, whose key contains `key` and message `message`."""
    return [
        issue
        for issue in issues
        if issue.file.as_posix().endswith(file)
        and key in issue.key
        and message.lower() in issue.message.lower()
    ]


def describe(issues: list[LessonIssue]) -> str:
    return "\n".join(f"  {issue.file.as_posix()} | {issue.key!r} | {issue.message}" for issue in issues)


# --------------------------------------------------------------------------- the fixture course


def test_fixture_course_loads_into_typed_objects() -> None:
    course = load_course(FIXTURE)
    assert isinstance(course, Course)
    assert course.title == "Fixture course"
    assert course.format_version == 1
    assert course.path == FIXTURE
    assert [unit.id for unit in course.units] == ["basics", "more"]
    assert all(isinstance(unit, Unit) for unit in course.units)
    assert [unit.title for unit in course.units] == ["Basics", "More gates"]
    assert [lesson.id for lesson in course.lessons] == ["intro", "gates-and", "gates-or"]
    assert all(isinstance(lesson, Lesson) for lesson in course.lessons)
    intro = course.lesson("intro")
    assert intro.title == "Introduction"
    assert intro.summary.startswith("A first lesson")
    assert intro.path == FIXTURE / "intro"
    assert all(isinstance(step, Step) for lesson in course.lessons for step in lesson.steps)
    assert all(
        isinstance(q, Question) for lesson in course.lessons for q in lesson.questions.values()
    )
    with pytest.raises(KeyError):
        course.lesson("nope")


def test_fixture_steps_titles_prose_and_scenes() -> None:
    course = load_course(FIXTURE)
    welcome, unit = course.lesson("intro").steps
    # Title from the Markdown heading, removed from the prose.
    assert welcome.id == "welcome"
    assert welcome.title == "Welcome to the course"
    assert welcome.prose == "This is the first step.\n\nIt has two paragraphs.\n"
    assert "Welcome to the course" not in welcome.prose
    assert "comment before" not in welcome.prose
    assert welcome.scene is None and welcome.scene_params == {}
    assert welcome.questions == ("pick-one",)
    # A title in the TOML wins over the heading.
    assert unit.title == "The unit, titled in TOML"
    assert unit.prose == "The unit adds its inputs.\n"
    assert unit.scene == "threshold-unit"
    assert unit.scene_params == {
        "weights": [1.0, 1.0], "threshold": 1.5, "gate": "AND", "editable": False,
        "step_size": 0.5,
    }
    assert unit.questions == ("pick-many", "a-number")

    table, practice = course.lesson("gates-and").steps
    assert table.title == "The truth table"
    assert table.scene == "threshold-unit"
    assert table.scene_params == {"weights": [1, 1], "threshold": 1.5}
    # No heading and no TOML title: the step id is the title.
    assert practice.title == "practice"
    assert practice.prose == "No heading here, so the step id is the title.\n"
    (only,) = course.lesson("gates-or").steps
    assert only.title == "OR"  # closing hashes of an ATX heading are dropped


def test_fixture_answers_are_converted() -> None:
    course = load_course(FIXTURE)
    intro = course.lesson("intro")
    single = intro.questions["pick-one"]
    assert single.kind == "single"
    assert single.options == ("AND", "Banana", "Cloud")
    assert single.answer == 0
    assert single.hints == ("Think of logic.", "Not a fruit.")
    assert single.explanation == "AND is a gate."
    multiple = intro.questions["pick-many"]
    assert multiple.kind == "multiple"
    assert multiple.answer == (0, 2, 3)  # sorted indices, whatever order the TOML lists them
    number = intro.questions["a-number"]
    assert number.answer == 2.0 and isinstance(number.answer, float)
    assert number.tolerance == 0.01
    assert number.options == ()

    gates_and = course.lesson("gates-and")
    vector = gates_and.questions["and-outputs"]
    assert vector.answer == (0.0, 0.0, 0.0, 1.0)
    assert isinstance(vector.answer, tuple) and all(isinstance(v, float) for v in vector.answer)
    matrix = gates_and.questions["and-products"]
    assert matrix.answer == ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))
    assert all(isinstance(row, tuple) for row in matrix.answer)
    assert all(isinstance(v, float) for row in matrix.answer for v in row)
    predict = gates_and.questions["predict-output"]
    assert predict.kind == "predict"
    assert predict.generator == "neuron.threshold_output"
    assert predict.answer is None
    assert predict.params == {}
    # Question dict keeps the TOML order.
    assert list(gates_and.questions) == ["and-outputs", "and-products", "predict-output"]


def test_fixture_predict_question_instantiates() -> None:
    question = load_course(FIXTURE).lesson("gates-and").questions["predict-output"]
    first = instantiate(question, seed=3)
    assert first == instantiate(question, seed=3)
    assert first.kind == "single"
    assert "{" not in first.prompt and "{" not in first.explanation
    assert all("{" not in hint for hint in first.hints)


def test_course_find_exact_and_prefix() -> None:
    course = load_course(FIXTURE)
    assert [lesson.id for lesson in course.find("gates-or")] == ["gates-or"]
    assert [lesson.id for lesson in course.find("gates")] == ["gates-and", "gates-or"]
    assert [lesson.id for lesson in course.find("int")] == ["intro"]
    assert course.find("zzz") == []


def test_step_index_falls_back_to_zero() -> None:
    lesson = load_course(FIXTURE).lesson("intro")
    assert lesson.step_index("unit") == 1
    assert lesson.step_index("removed-step") == 0
    assert lesson.step_index(None) == 0


def test_split_prose_reports_markers_and_stray_text() -> None:
    sections, problems = split_prose(
        "stray\n<!-- step: a -->\n# A\nbody a\n<!--step:b-->\nbody b\n<!-- step: a -->\nagain\n"
    )
    assert sections["b"] == ("", "body b\n")
    assert any("line 1" in p and "before the first" in p for p in problems)
    assert any("line 7" in p and "'a'" in p for p in problems)


# --------------------------------------------------------------------------- broken variants

Mutation = Callable[[Path], None]


def _dup_lesson_id(root: Path) -> None:
    edit(root / "course.toml", 'lessons = ["gates-or"]', 'lessons = ["gates-or", "intro"]')


def _dup_step_id(root: Path) -> None:
    edit(root / "intro/lesson.toml", 'id = "unit"', 'id = "welcome"')


def _dup_question_id(root: Path) -> None:
    edit(root / "intro/lesson.toml", 'id = "a-number"', 'id = "pick-many"')


def _missing_lesson_folder(root: Path) -> None:
    shutil.rmtree(root / "gates-or")


def _missing_lesson_md(root: Path) -> None:
    (root / "gates-or/lesson.md").unlink()


def _missing_lesson_toml(root: Path) -> None:
    (root / "gates-or/lesson.toml").unlink()


def _missing_step_section(root: Path) -> None:
    edit(
        root / "gates-and/lesson.md",
        "<!-- step: practice -->\nNo heading here, so the step id is the title.\n",
        "",
    )


def _extra_md_section(root: Path) -> None:
    append(root / "gates-or/lesson.md", "\n<!-- step: bonus -->\nA section nobody asked for.\n")


def _text_before_first_marker(root: Path) -> None:
    path = root / "gates-or/lesson.md"
    path.write_text("Stray intro text.\n" + path.read_text(encoding="utf-8"), encoding="utf-8")


def _empty_section(root: Path) -> None:
    edit(root / "gates-or/lesson.md", "Fires when either input is 1.\n", "")


def _unknown_scene(root: Path) -> None:
    edit(root / "intro/lesson.toml", 'scene = "threshold-unit"', 'scene = "no-such-scene"')


def _bad_scene_param_type(root: Path) -> None:
    edit(root / "intro/lesson.toml", "threshold = 1.5, gate", 'threshold = "high", gate')


def _bad_scene_param_choice(root: Path) -> None:
    edit(root / "intro/lesson.toml", 'gate = "AND"', 'gate = "MAYBE"')


def _unknown_scene_param(root: Path) -> None:
    edit(root / "gates-and/lesson.toml", "threshold = 1.5 }", 'threshold = 1.5, colour = "red" }')


def _scene_params_without_scene(root: Path) -> None:
    edit(root / "gates-or/lesson.toml", 'id = "or"\n', 'id = "or"\nscene_params = { threshold = 1 }\n')


def _answer_not_among_options(root: Path) -> None:
    edit(root / "gates-or/lesson.toml", 'answer = "θ = 0.5"', 'answer = "θ = 0.25"')


def _multiple_answer_not_among_options(root: Path) -> None:
    edit(root / "intro/lesson.toml", 'answer = ["AND", "OR", "NAND"]', 'answer = ["AND", "XOR"]')


def _empty_hint(root: Path) -> None:
    edit(root / "intro/lesson.toml", 'hints = ["Three of them."]', 'hints = ["Three of them.", "  "]')


def _unknown_question_key(root: Path) -> None:
    edit(root / "intro/lesson.toml", 'explanation = "AND is a gate."', 'explaination = "AND is a gate."')


def _unknown_step_key(root: Path) -> None:
    edit(root / "gates-and/lesson.toml", "scene_params = {", "scene_param = {")


def _unknown_course_key(root: Path) -> None:
    append(root / "course.toml", '\n[[units]]\nid = "extra"\ntitle = "Extra"\nlesson = ["intro"]\n')


def _invalid_toml(root: Path) -> None:
    append(root / "gates-or/lesson.toml", "\nsummary = \n")


def _invalid_course_toml(root: Path) -> None:
    edit(root / "course.toml", 'title = "Fixture course"', 'title = "Fixture course')


def _unsupported_format_version(root: Path) -> None:
    edit(root / "course.toml", "format_version = 1", "format_version = 2")


def _question_never_asked(root: Path) -> None:
    edit(root / "gates-or/lesson.toml", 'questions = ["or-threshold"]', "questions = []")


def _step_refers_to_unknown_question(root: Path) -> None:
    edit(root / "gates-or/lesson.toml", 'questions = ["or-threshold"]', 'questions = ["or-threshold", "ghost"]')


def _question_asked_twice(root: Path) -> None:
    edit(root / "gates-and/lesson.toml", 'questions = ["predict-output"]', 'questions = ["predict-output", "and-outputs"]')


def _predict_unknown_generator(root: Path) -> None:
    edit(root / "gates-and/lesson.toml", '"neuron.threshold_output"', '"neuron.no_such_generator"')


def _predict_with_answer(root: Path) -> None:
    edit(
        root / "gates-and/lesson.toml",
        'generator = "neuron.threshold_output"',
        'generator = "neuron.threshold_output"\nanswer = 1',
    )


def _predict_with_options(root: Path) -> None:
    edit(
        root / "gates-and/lesson.toml",
        'generator = "neuron.threshold_output"',
        'generator = "neuron.threshold_output"\noptions = ["0", "1"]',
    )


def _unknown_kind(root: Path) -> None:
    edit(root / "gates-or/lesson.toml", 'kind = "single"', 'kind = "essay"')


def _number_answer_not_a_number(root: Path) -> None:
    edit(root / "intro/lesson.toml", "answer = 2\n", 'answer = "two"\n')


def _ragged_matrix(root: Path) -> None:
    edit(root / "gates-and/lesson.toml", "[1, 1.0]]", "[1]]")


def _negative_tolerance(root: Path) -> None:
    edit(root / "intro/lesson.toml", "tolerance = 0.01", "tolerance = -1")


def _non_utf8_md(root: Path) -> None:
    (root / "gates-or/lesson.md").write_bytes(b"<!-- step: or -->\n# OR\n\nCaf\xe9 \xff\xfe\n")


def _non_utf8_toml(root: Path) -> None:
    (root / "gates-or/lesson.toml").write_bytes(b'id = "gates-or"\ntitle = "Caf\xe9"\n')


def _lesson_id_differs_from_folder(root: Path) -> None:
    edit(root / "gates-or/lesson.toml", 'id = "gates-or"', 'id = "gates-xor"')


def _bad_question_id(root: Path) -> None:
    edit(root / "gates-or/lesson.toml", 'id = "or-threshold"', 'id = "Or Threshold"')


def _duplicate_unit_id(root: Path) -> None:
    edit(root / "course.toml", 'id = "more"', 'id = "basics"')


def _scene_param_out_of_range(root: Path) -> None:
    edit(root / "intro/lesson.toml", "threshold = 1.5, gate", "threshold = 50.0, gate")


def _prose_outside_the_folder(root: Path) -> None:
    edit(root / "gates-or/lesson.toml", 'summary = "One step, one question."', 'summary = "One step, one question."\nprose = "../intro/lesson.md"')


def _template_field_too_wide(root: Path) -> None:
    edit(root / "gates-and/lesson.toml", "Compare {s} with {theta}.", "Compare {s:>1000000} with {theta}.")


def _nested_too_deeply(root: Path) -> None:
    append(root / "gates-or/lesson.toml", "\n[extra]\nx = " + "[" * 500 + "]" * 500 + "\n")


def _no_steps(root: Path) -> None:
    (root / "gates-or/lesson.toml").write_text(
        'id = "gates-or"\ntitle = "The OR gate"\nsummary = "Nothing."\n', encoding="utf-8"
    )


# (id, mutation, file the issue names, substring of its key, substring of its message)
BROKEN: list[tuple[str, Mutation, str, str, str]] = [
    ("duplicate-lesson-id", _dup_lesson_id, "course/course.toml", "units[1].lessons", "duplicate lesson id"),
    ("duplicate-step-id", _dup_step_id, "intro/lesson.toml", "steps[1].id", "duplicate step id"),
    ("duplicate-question-id", _dup_question_id, "intro/lesson.toml", "questions[2].id", "duplicate question id"),
    ("missing-lesson-folder", _missing_lesson_folder, "course/course.toml", "units[1].lessons", "gates-or/ is missing"),
    ("missing-lesson-md", _missing_lesson_md, "gates-or/lesson.toml", "prose", "missing"),
    ("missing-lesson-toml", _missing_lesson_toml, "gates-or/lesson.toml", "", "missing"),
    ("missing-step-section", _missing_step_section, "gates-and/lesson.md", "", "<!-- step: practice -->"),
    ("extra-md-section", _extra_md_section, "gates-or/lesson.md", "step bonus", "does not list"),
    ("text-before-first-marker", _text_before_first_marker, "gates-or/lesson.md", "", "line 1: text before the first"),
    ("empty-section", _empty_section, "gates-or/lesson.md", "step or", "no prose"),
    ("unknown-scene", _unknown_scene, "intro/lesson.toml", "steps[1] (unit).scene", "unknown scene 'no-such-scene'"),
    ("bad-scene-param-type", _bad_scene_param_type, "intro/lesson.toml", "steps[1] (unit).scene_params.threshold", "expected a number"),
    ("bad-scene-param-choice", _bad_scene_param_choice, "intro/lesson.toml", "scene_params.gate", "'XOR'"),
    ("unknown-scene-param", _unknown_scene_param, "gates-and/lesson.toml", "steps[0] (table).scene_params.colour", "no parameter 'colour'"),
    ("scene-params-without-scene", _scene_params_without_scene, "gates-or/lesson.toml", "steps[0] (or).scene_params", "without a scene"),
    ("answer-not-among-options", _answer_not_among_options, "gates-or/lesson.toml", "questions[0] (or-threshold).answer", "not among the options"),
    ("multiple-answer-not-among-options", _multiple_answer_not_among_options, "intro/lesson.toml", "(pick-many).answer", "'XOR'"),
    ("empty-hint", _empty_hint, "intro/lesson.toml", "questions[1] (pick-many).hints[1]", "empty"),
    ("unknown-question-key", _unknown_question_key, "intro/lesson.toml", "questions[0].explaination", "unknown key"),
    ("unknown-step-key", _unknown_step_key, "gates-and/lesson.toml", "steps[0].scene_param", "unknown key"),
    ("unknown-unit-key", _unknown_course_key, "course/course.toml", "units[2].lesson", "unknown key"),
    ("invalid-toml", _invalid_toml, "gates-or/lesson.toml", "", "invalid TOML"),
    ("invalid-course-toml", _invalid_course_toml, "course/course.toml", "", "invalid TOML"),
    ("unsupported-format-version", _unsupported_format_version, "course/course.toml", "format_version", "got 2"),
    ("question-never-asked", _question_never_asked, "gates-or/lesson.toml", "questions", "'or-threshold' is never asked"),
    ("step-refers-to-unknown-question", _step_refers_to_unknown_question, "gates-or/lesson.toml", "steps[0] (or).questions", "'ghost'"),
    ("question-asked-twice", _question_asked_twice, "gates-and/lesson.toml", "steps[1] (practice).questions", "two steps"),
    ("predict-unknown-generator", _predict_unknown_generator, "gates-and/lesson.toml", "(predict-output).generator", "neuron.no_such_generator"),
    ("predict-with-answer", _predict_with_answer, "gates-and/lesson.toml", "(predict-output).answer", "remove 'answer'"),
    ("predict-with-options", _predict_with_options, "gates-and/lesson.toml", "(predict-output).options", "no options"),
    ("unknown-kind", _unknown_kind, "gates-or/lesson.toml", "(or-threshold).kind", "'essay'"),
    ("number-answer-not-a-number", _number_answer_not_a_number, "intro/lesson.toml", "(a-number).answer", "expected a number"),
    ("ragged-matrix", _ragged_matrix, "gates-and/lesson.toml", "(and-products).answer", "equally long"),
    ("negative-tolerance", _negative_tolerance, "intro/lesson.toml", "(a-number).tolerance", ">= 0"),
    ("non-utf8-md", _non_utf8_md, "gates-or/lesson.md", "", "UTF-8"),
    ("non-utf8-toml", _non_utf8_toml, "gates-or/lesson.toml", "", "UTF-8"),
    ("lesson-id-differs-from-folder", _lesson_id_differs_from_folder, "gates-or/lesson.toml", "id", "'gates-xor'"),
    ("bad-question-id", _bad_question_id, "gates-or/lesson.toml", "questions[0].id", "not a valid id"),
    ("duplicate-unit-id", _duplicate_unit_id, "course/course.toml", "units[1].id", "duplicate unit id"),
    ("no-steps", _no_steps, "gates-or/lesson.toml", "steps", "at least one"),
    ("scene-param-out-of-range", _scene_param_out_of_range, "intro/lesson.toml", "steps[1] (unit).scene_params.threshold", "a number from -5 to 5"),
    ("prose-outside-the-folder", _prose_outside_the_folder, "gates-or/lesson.toml", "prose", "outside the lesson folder"),
    ("template-field-too-wide", _template_field_too_wide, "gates-and/lesson.toml", "(predict-output).hints[0]", "width is above the limit"),
    ("nested-too-deeply", _nested_too_deeply, "gates-or/lesson.toml", "", "nested too deeply"),
]


@pytest.mark.parametrize(
    ("mutate", "file", "key", "message"),
    [pytest.param(m, f, k, msg, id=name) for name, m, f, k, msg in BROKEN],
)
def test_broken_course_names_file_and_key(
    course_dir: Path, mutate: Mutation, file: str, key: str, message: str
) -> None:
    mutate(course_dir)
    issues = load_errors(course_dir)
    assert matching(issues, file, key, message), (
        f"no issue names {file} / key containing {key!r} / message containing {message!r}; got:\n"
        + describe(issues)
    )
    for issue in issues:
        # Every issue renders as one line naming its file.
        assert "\n" not in str(issue)
        assert str(issue).startswith(str(issue.file))


def test_error_message_lists_every_issue(course_dir: Path) -> None:
    _answer_not_among_options(course_dir)
    with pytest.raises(CourseError) as info:
        load_course(course_dir)
    assert str(info.value).splitlines() == [str(issue) for issue in info.value.issues]


def test_several_problems_are_reported_at_once(course_dir: Path) -> None:
    _empty_hint(course_dir)  # intro
    _unknown_scene_param(course_dir)  # gates-and
    _predict_with_answer(course_dir)  # gates-and
    _answer_not_among_options(course_dir)  # gates-or toml
    _extra_md_section(course_dir)  # gates-or md
    issues = load_errors(course_dir)
    expected = [
        ("intro/lesson.toml", "(pick-many).hints[1]", "empty"),
        ("gates-and/lesson.toml", "scene_params.colour", "no parameter"),
        ("gates-and/lesson.toml", "(predict-output).answer", "remove"),
        ("gates-or/lesson.toml", "(or-threshold).answer", "not among"),
        ("gates-or/lesson.md", "step bonus", "does not list"),
    ]
    for file, key, message in expected:
        assert matching(issues, file, key, message), f"missing {file} {key}:\n{describe(issues)}"


def test_course_root_that_is_not_a_folder(tmp_path: Path) -> None:
    issues = load_errors(tmp_path / "nowhere")
    assert issues[0].file == tmp_path / "nowhere"


def test_missing_course_toml(tmp_path: Path) -> None:
    issues = load_errors(tmp_path)
    assert matching(issues, "course.toml", "", "missing")


def test_utf8_bom_is_accepted(course_dir: Path) -> None:
    for name in ("gates-or/lesson.md", "gates-or/lesson.toml"):
        path = course_dir / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    course = load_course(course_dir)
    assert course.lesson("gates-or").steps[0].title == "OR"


# --------------------------------------------------------------------------- the shipped course


def test_default_lessons_dir_is_the_repository_course() -> None:
    assert default_lessons_dir().resolve() == REPO_LESSONS


def test_shipped_course_loads() -> None:
    course = load_course(default_lessons_dir())
    assert course.format_version == 1
    ids = [lesson.id for lesson in course.lessons]
    assert "artificial-neuron" in ids
    assert len(ids) == len(set(ids))
    for lesson in course.lessons:
        for step in lesson.steps:
            where = f"{lesson.id}: step {step.id}"
            assert step.title and step.title != step.id, f"{where} has no heading"
            assert step.prose.strip(), f"{where} has no prose"
            assert "<!--" not in step.prose, where


def _predict_questions() -> list[tuple[str, Question]]:
    course = load_course(default_lessons_dir())
    return [
        (f"{lesson.id}/{question.id}", question)
        for lesson in course.lessons
        for question in lesson.questions.values()
        if question.kind == "predict"
    ]


@pytest.mark.parametrize(
    "question", [pytest.param(q, id=name) for name, q in _predict_questions()]
)
def test_shipped_predict_questions_instantiate(question: Question) -> None:
    for seed in range(51):
        problem = instantiate(question, seed)
        assert problem.kind != "predict"
        assert problem.seed == seed
        for text in (problem.prompt, problem.explanation, *problem.hints, *problem.options):
            assert "{" not in text and "}" not in text, f"seed {seed}: unfilled template {text!r}"
        if problem.kind in ("single", "multiple"):
            indices = [problem.answer] if problem.kind == "single" else list(problem.answer)
            assert all(0 <= i < len(problem.options) for i in indices)


def test_shipped_course_has_predict_questions() -> None:
    from tutor.quiz.predict import GENERATORS

    generators = {question.generator for _, question in _predict_questions()}
    # Every registered generator is used by some shipped lesson, and only registered ones are.
    assert generators == set(GENERATORS)


def test_threshold_unit_needs_exactly_two_weights(course_dir: Path) -> None:
    path = course_dir / "intro" / "lesson.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("weights = [1.0, 1.0]", "weights = [1.0, 1.0, 1.0]"),
        encoding="utf-8",
    )
    issues = load_errors(course_dir)
    assert matching(issues, "intro/lesson.toml", "scene_params.weights", "two numbers"), describe(issues)
