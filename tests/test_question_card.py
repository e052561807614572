"""The question card: options in the learner's own stable order, nothing preselected, enter
without a choice costs nothing, multiple-choice options wrap and tick with a glyph, and the
verdict is scrolled into view."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tutor.content.model import Question
from tutor.progress import Progress, ProgressStore
from tutor.progress.records import LEARNER_SEED_ENV
from tutor.widgets.question_card import (
    TICKED,
    UNTICKED,
    ChoiceList,
    OneChoice,
    QuestionCard,
    option_order,
)

SINGLE = Question(
    id="pick-one", kind="single", prompt="Which one?",
    options=("right", "wrong one", "wrong two", "wrong three"), answer=0,
    explanation="Because it is.",
)
LONG = "a rather long option text that cannot possibly fit on one line of a narrow card " * 2
MULTIPLE = Question(
    id="pick-some", kind="multiple", prompt="Which ones?",
    options=("yes first", "no", LONG.strip(), "yes last"), answer=(0, 3),
)


class CardHost(App):
    """Cards in a scrolling column, below `filler` lines of text."""

    def __init__(self, *cards: QuestionCard, filler: int = 0) -> None:
        super().__init__()
        self.cards = cards
        self.filler = filler
        self.answers: list[QuestionCard.Answered] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="column"):
            yield Static("\n".join(f"line {i}" for i in range(self.filler)))
            yield from self.cards

    def on_question_card_answered(self, message: QuestionCard.Answered) -> None:
        self.answers.append(message)


def _text(card: QuestionCard, widget_id: str) -> str:
    return str(card.query_one(widget_id, Static).render())


def test_option_order_is_a_stable_permutation_per_learner_and_question() -> None:
    order = option_order(7, "q", 5)
    assert sorted(order) == list(range(5))
    assert option_order(7, "q", 5) == order
    assert option_order(7, "q", 5, shuffle=False) == list(range(5))
    # Across questions and learners the first option (often the right one) moves around.
    firsts = {option_order(seed, f"q{n}", 4)[0] for seed in range(3) for n in range(20)}
    assert firsts == {0, 1, 2, 3}
    assert len({tuple(option_order(seed, "q", 5)) for seed in range(20)}) > 5


async def test_single_choice_starts_unhighlighted_and_enter_alone_costs_nothing() -> None:
    card = QuestionCard(SINGLE, learner_seed=3)
    app = CardHost(card)
    async with app.run_test(size=(80, 24)) as pilot:
        field = card.answer_widget
        assert isinstance(field, OneChoice) and field.highlighted is None
        field.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "Choose an option first" in _text(card, "#qc-feedback")
        assert [m.feedback.counts_as_attempt for m in app.answers] == [False]
        # The options are shown in the learner's order, lettered a) b) c) d) as shown.
        shown = [str(option.prompt) for option in field.options]
        assert shown == [f"{'abcd'[i]}) {SINGLE.options[o]}" for i, o in enumerate(card.order)]
        # Highlighting the right option wherever it is shown grades against the TOML index.
        await pilot.press(*["down"] * (card.shown_position(0) + 1), "enter")
        await pilot.pause()
        assert card.solved and app.answers[-1].answer == "right"
        assert app.answers[-1].feedback.status == "correct"


async def test_single_choice_wrong_option_is_graded_by_its_text() -> None:
    card = QuestionCard(SINGLE, learner_seed=3)
    app = CardHost(card)
    async with app.run_test(size=(80, 24)) as pilot:
        field = card.answer_widget
        field.focus()
        field.highlighted = card.shown_position(2)
        await pilot.press("enter")
        await pilot.pause()
        assert app.answers[-1].feedback.status == "wrong"
        assert app.answers[-1].answer == "wrong two"


async def test_multiple_choice_ticks_with_a_glyph_wraps_and_grades_in_toml_order() -> None:
    card = QuestionCard(MULTIPLE, learner_seed=5)
    app = CardHost(card)
    async with app.run_test(size=(80, 24)) as pilot:
        field = card.answer_widget
        assert isinstance(field, ChoiceList) and field.highlighted is None and not field.selected
        assert all(str(o.prompt).startswith(UNTICKED) for o in field.options)
        field.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "Choose an option first" in _text(card, "#qc-feedback")
        assert [m.feedback.counts_as_attempt for m in app.answers] == [False]
        for index in (0, 3):
            field.highlighted = card.shown_position(index)
            await pilot.press("space")
        await pilot.pause()
        ticked = [str(o.prompt).startswith(TICKED) for o in field.options]
        assert ticked == [card.order[i] in (0, 3) for i in range(4)]
        # The long option wraps in full: nothing is cut with an ellipsis.
        lines = [field.render_line(y).text for y in range(field.size.height)]
        assert not any("…" in line for line in lines)
        assert "cannot possibly" in "".join(lines) and field.size.height > 4
        await pilot.press("enter")
        await pilot.pause()
        assert card.solved and app.answers[-1].answer == "yes first,yes last"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_feedback_is_scrolled_into_view(size: tuple[int, int]) -> None:
    card = QuestionCard(SINGLE, learner_seed=3)
    app = CardHost(card, filler=size[1] - 4)
    async with app.run_test(size=size) as pilot:
        column = app.query_one("#column", VerticalScroll)
        field = card.answer_widget
        field.focus()
        field.highlighted = card.shown_position(0)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        for widget_id in ("#qc-feedback", "#qc-extra"):
            region = card.query_one(widget_id).region
            assert column.region.contains_region(region), (widget_id, region, column.region)


def test_learner_seed_is_drawn_once_saved_and_given_to_old_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(LEARNER_SEED_ENV)
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    progress, _ = store.load()
    store.save(progress)
    saved = json.loads(path.read_text(encoding="utf-8"))["learner_seed"]
    assert saved == progress.learner_seed
    assert ProgressStore(path).load()[0].learner_seed == saved  # a restart keeps it
    # A file from before the seed gets one on load, kept by the next save.
    old = {"version": 1, "last_lesson": None, "lessons": {}}
    path.write_text(json.dumps(old), encoding="utf-8")
    progress, _ = ProgressStore(path).load()
    assert isinstance(progress.learner_seed, int)
    monkeypatch.setenv(LEARNER_SEED_ENV, "42")
    assert Progress().learner_seed == 42
    assert Progress.from_dict(old).learner_seed == 42
    assert Progress.from_dict({**old, "learner_seed": 9}).learner_seed == 9


def test_a_saved_answer_grades_after_a_restart(tmp_path: Path) -> None:
    """The order comes from the saved seed, and the file keeps the option's text."""
    path = tmp_path / "progress.json"
    first, _ = ProgressStore(path).load()
    first.learner_seed = 1234
    ProgressStore(path).save(first)
    again, _ = ProgressStore(path).load()
    assert option_order(again.learner_seed, SINGLE.id, 4) == option_order(1234, SINGLE.id, 4)


def test_loader_reads_shuffle(tmp_path: Path) -> None:
    from tutor.content.loader import _Collector, _load_question

    raw = {"id": "q", "kind": "single", "prompt": "p", "options": ["a", "b"], "answer": "a"}
    issues: list = []
    out = _Collector(issues, tmp_path / "lesson.toml")
    assert _load_question(raw, 0, out).shuffle is True
    assert _load_question({**raw, "shuffle": False}, 0, out).shuffle is False
    assert issues == []
    _load_question({**raw, "shuffle": "no"}, 0, out)
    assert [issue.key for issue in issues] == ["questions[0] (q).shuffle"]


@pytest.mark.parametrize(
    ("text", "plain", "styled"),
    [
        ("Read `scale ... -> HxW` there.", "Read scale ... -> HxW there.", [("scale ... -> HxW", "bold")]),
        ("above **or equal to** 0", "above or equal to 0", [("or equal to", "bold")]),
        ("times the *other* input", "times the other input", [("other", "italic")]),
        ("w*x and sigmoid(w*x), 2 * 3 * 4", "w*x and sigmoid(w*x), 2 * 3 * 4", []),
    ],
)
def test_hints_and_explanations_draw_inline_markdown(text, plain, styled) -> None:
    """No raw backticks or asterisks reach the learner; a product keeps its `*`."""
    from tutor.widgets.question_card import inline_markdown

    drawn = inline_markdown(text)
    assert drawn.plain == plain
    assert [(drawn.plain[s.start:s.end], s.style) for s in drawn.spans] == styled


async def test_long_options_show_every_line_at_80_columns(tmp_path: Path) -> None:
    """Five options of three wrapped lines in a 36-column prose column: the list is as tall as
    its lines (the prose column scrolls), so no line of an option is cut and none is hidden."""
    options = [
        "To score the network on digits it has never seen before",
        "A network cannot learn from that many images at once",
        "The test images are scanned worse and would spoil the training",
        "Training on 10,000 fewer images makes every epoch much faster",
        "Seventy thousand images would not fit in the memory of a laptop",
    ]
    question = Question(id="long", kind="single", prompt="Why?", options=tuple(options), answer=0)

    class Host(App):
        def compose(self) -> ComposeResult:
            with VerticalScroll():
                yield QuestionCard(question, learner_seed=0)

    app = Host()
    async with app.run_test(size=(36, 24)) as pilot:
        await pilot.pause()
        field = app.query_one(QuestionCard).answer_widget
        assert field.region.height == field.virtual_size.height >= 10
        assert not field.show_vertical_scrollbar
        text = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        app.screen.query_one(VerticalScroll).scroll_end(animate=False)
        await pilot.pause()
        text += "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        flat = " ".join(text.split())
        for option in options:
            assert option.split()[-1] in flat, option


async def test_a_solved_card_does_not_grade_again(tmp_path: Path) -> None:
    """Once right, another answer (a stray enter while tabbing through) is neither graded nor
    recorded: the card says the right answer stands."""
    question = Question(id="n", kind="number", prompt="1 + 1?", answer=2.0, tolerance=0.01)

    class Host(App):
        answered: list[str] = []

        def compose(self) -> ComposeResult:
            yield QuestionCard(question, learner_seed=0)

        def on_question_card_answered(self, message: QuestionCard.Answered) -> None:
            self.answered.append(message.feedback.status)

    app = Host()
    async with app.run_test(size=(60, 20)) as pilot:
        card = app.query_one(QuestionCard)
        card.answer_widget.value = "2"
        assert card.check().status == "correct"
        card.answer_widget.value = "-2"
        feedback = card.check()
        await pilot.pause()
        assert feedback.status == "invalid" and "stands" in feedback.message
        assert card.solved and card.wrong == 0 and app.answered == ["correct"]
