"""QuestionCard: asks one question, grades the learner's answer, and reports it upward.

The card owns only presentation and the attempt loop (answer, feedback, hint, try again, new
problem); grading is `tutor.quiz.grade`, recording is the screen's job via `Answered`.

Choice options are shown in an order of the learner's own: a permutation drawn from the
learner seed (`Session.learner_seed`, saved in the progress file) and the question id, so it
differs between learners and questions but never moves across restarts. The card maps the shown
order back to the question's own indices before grading, and the progress file keeps the
chosen option's text, so nothing stored depends on the order. Nothing starts highlighted or
ticked: enter before choosing says so and costs no attempt.
"""

from __future__ import annotations

import random
import re
import zlib

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Markdown, OptionList, Static

from tutor.content.model import Question
from tutor.quiz import Feedback, Problem, grade, instantiate
from tutor.text import format_number, format_vector

#: Inline Markdown in hints, explanations and diagnoses: `code`, **bold**, *italic*. A `*` that
#: touches a letter or digit on its outer side is a product (w*x), not emphasis.
_INLINE = re.compile(
    r"`(?P<code>[^`]+)`|\*\*(?P<bold>[^*]+?)\*\*|(?<![\w*])\*(?P<em>[^\s*][^*]*?)(?<!\s)\*(?![\w*])"
)


def inline_markdown(text: str, style: str = "") -> Text:
    """`text` as rich Text with its inline Markdown drawn (the marks themselves removed)."""
    out = Text(style=style)
    last = 0
    for match in _INLINE.finditer(text):
        out.append(text[last:match.start()])
        if match.group("code") is not None:
            out.append(match.group("code"), style="bold")
        elif match.group("bold") is not None:
            out.append(match.group("bold"), style="bold")
        else:
            out.append(match.group("em"), style="italic")
        last = match.end()
    out.append(text[last:])
    return out

#: Wrong answers after which the card offers to show the answer.
REVEAL_AFTER = 2
#: How many times a card looks to bring its verdict into view after an answer (see
#: `QuestionCard._reveal_feedback`): enough for a layout that settles late on a busy machine
#: (8 once fell one line short in a loaded test run; a look past the first two only happens
#: while a line is still out of view).
REVEAL_LOOKS = 20


def placeholder(problem: Problem) -> str:
    """The answer field's placeholder: the shape of the answer, never a number that could be it."""
    if problem.kind == "vector":
        return f"{len(problem.answer)} numbers, split by commas or spaces"
    if problem.kind == "matrix":
        rows, cols = len(problem.answer), len(problem.answer[0])
        return f"{rows} rows of {cols} numbers, rows split by ;"
    return "a number (fractions, % and e^x work too)"


LETTERS = "abcdefghijklmnopqrstuvwxyz"

#: How a ticked and an unticked multiple-choice option look: a glyph, so they differ without
#: colour too (`--colors none`).
TICKED, UNTICKED = "[x]", "[ ]"


def option_order(seed: int, question_id: str, count: int, *, shuffle: bool = True) -> list[int]:
    """The order to show `count` options in: shown position -> the question's own index.

    A permutation drawn from the learner seed and the question id (the same every time for
    both), or the identity when `shuffle` is False."""
    order = list(range(count))
    if shuffle and count > 1:
        random.Random(zlib.crc32(f"{seed}:{question_id}".encode())).shuffle(order)
    return order


class OneChoice(OptionList):
    """A single-choice list: nothing highlighted at first; enter answers the highlighted option,
    or, with none highlighted, posts `Submitted` so the card can say to choose one first."""

    class Submitted(Message):
        """The learner pressed enter with no option highlighted."""

    def __init__(self, *content: str, id: str | None = None) -> None:
        super().__init__(*content, id=id, markup=False)
        self.highlighted = None  # OptionList highlights its first option; we do not

    def set_prompts(self, prompts: list[str]) -> None:
        """Replace the options, leaving none highlighted."""
        self.clear_options()
        self.add_options(prompts)
        self.highlighted = None

    def action_select(self) -> None:
        """Answer with the highlighted option, or ask for one when none is."""
        if self.highlighted is None:
            self.post_message(self.Submitted())
        else:
            super().action_select()


class ChoiceList(OptionList):
    """A multiple-choice list: space (or a click) ticks an option, enter submits the ticks.

    Options wrap in full like single-choice ones, and show `[x]` / `[ ]` so ticked and unticked
    differ without colour. `values[i]` is what option `i` stands for (the question's own index);
    `selected` holds the ticked values."""

    BINDINGS = [Binding("space", "toggle", "Tick", show=False)]

    class Submitted(Message):
        """The learner pressed enter on the list."""

    def __init__(self, labels: list[str], values: list[int], *, id: str | None = None) -> None:
        self.labels = list(labels)
        self.values = list(values)
        self.selected: set[int] = set()
        super().__init__(*self._prompts(), id=id, markup=False)
        self.highlighted = None

    def _prompts(self) -> list[str]:
        return [
            f"{TICKED if value in self.selected else UNTICKED} {label}"
            for label, value in zip(self.labels, self.values, strict=True)
        ]

    def set_choices(self, labels: list[str], values: list[int]) -> None:
        """Replace the options, none ticked or highlighted."""
        self.labels, self.values, self.selected = list(labels), list(values), set()
        self.clear_options()
        self.add_options(self._prompts())
        self.highlighted = None

    def toggle(self, index: int) -> None:
        """Tick or untick the option shown at `index`."""
        value = self.values[index]
        self.selected ^= {value}
        self.replace_option_prompt_at_index(index, self._prompts()[index])

    def action_toggle(self) -> None:
        """Tick or untick the highlighted option."""
        if self.highlighted is not None:
            self.toggle(self.highlighted)

    def action_select(self) -> None:
        """Enter: submit the ticked options."""
        self.post_message(self.Submitted())

    async def _on_click(self, event: events.Click) -> None:
        """A click ticks the option under the pointer (it does not submit)."""
        event.prevent_default()  # OptionList's own click would submit
        clicked = event.style.meta.get("option")
        if clicked is not None:
            self.highlighted = clicked
            self.toggle(clicked)


class QuestionCard(Widget):
    """One question: prompt, answer field, Check / Hint / New problem, and feedback."""

    DEFAULT_CSS = """
    QuestionCard {
        height: auto;
        border: round $secondary;
        border-title-color: $text;
        padding: 0 1;
        margin: 1 0 0 0;
    }
    QuestionCard.-solved { border: round $success; }
    QuestionCard > Markdown { margin: 0; padding: 0; }
    /* As tall as its options: the prose column scrolls, never the list (a list's own
       scrollbar narrowed it and cut the last line of a wrapped option). */
    QuestionCard OptionList {
        height: auto; max-height: 100%; border: none; padding: 0 0 0 1; overflow-y: hidden;
    }
    QuestionCard OptionList:focus {
        border: none; border-left: outer $accent; padding: 0;
    }
    QuestionCard Input { margin-top: 1; }
    QuestionCard #qc-buttons { height: 1; margin-top: 1; }
    QuestionCard #qc-buttons Button { margin-right: 1; }
    QuestionCard #qc-feedback { height: auto; }
    QuestionCard #qc-extra { height: auto; color: $text-muted; }
    QuestionCard.-revealed { border: round $warning; }
    QuestionCard .-empty { display: none; }
    QuestionCard > #qc-wait { display: none; color: $text-muted; }
    QuestionCard.-waiting > Markdown, QuestionCard.-waiting > Static,
    QuestionCard.-waiting > #qc-answer, QuestionCard.-waiting > Horizontal { display: none; }
    QuestionCard.-waiting > #qc-wait { display: block; }
    """

    BINDINGS = [
        Binding("ctrl+n", "new_problem", "New problem", show=False),
        Binding("ctrl+t", "hint", "Hint", show=False),
        Binding("ctrl+r", "show_answer", "Show answer", show=False),
    ]

    class Answered(Message):
        """A graded answer (invalid input is reported too, with status 'invalid')."""

        def __init__(self, card: "QuestionCard", feedback: Feedback, answer: str) -> None:
            super().__init__()
            self.card = card
            self.question_id = card.question.id
            self.feedback = feedback
            self.answer = answer

    class Revealed(Message):
        """The learner gave up: the answer is shown (not an attempt, not solved)."""

        def __init__(self, card: "QuestionCard") -> None:
            super().__init__()
            self.card = card
            self.question_id = card.question.id

    def __init__(
        self, question: Question, *, number: int = 1, count: int = 1, solved: bool = False,
        revealed: bool = False, learner_seed: int | None = None, id: str | None = None,
    ) -> None:
        """`solved`: answered right in an earlier visit; `revealed`: the learner gave up on it
        earlier in this run (the answer is shown again at once)."""
        super().__init__(id=id)
        self.question = question
        #: None: ask the app's session when the options are first shown.
        self.learner_seed = learner_seed
        self.number = number
        self.count = count
        self.solved_before = solved
        self.draw = 0  # which generated problem (predict questions): seed offset
        self.problem: Problem = self._make_problem()
        self.hints_shown = 0
        self.wrong = 0
        self.solved = False
        #: The answer of the current problem is shown (the learner gave up on it).
        self.revealed = False
        #: Solved at least once on this card (a new problem does not undo it).
        self.ever_solved = False
        #: The learner gave up on this question in this run (a new problem does not undo it).
        self.gave_up = revealed
        #: Looks left to bring the verdict into view (see `_reveal_feedback`).
        self._reveal_left = 0
        self.border_title = self._title()

    @property
    def done(self) -> bool:
        """Nothing left to predict: solved now or in an earlier visit, or given up on."""
        return self.solved_before or self.ever_solved or self.gave_up

    # --- problem --------------------------------------------------------------------------------

    def _make_problem(self) -> Problem:
        seed = zlib.crc32(self.question.id.encode()) + self.draw
        return instantiate(self.question, seed=seed)

    def _seed(self) -> int:
        if self.learner_seed is None:
            session = getattr(self.app, "session", None)
            self.learner_seed = int(getattr(session, "learner_seed", 0))
        return self.learner_seed

    @property
    def order(self) -> list[int]:
        """Shown position -> the problem's own option index."""
        return option_order(
            self._seed(), self.question.id, len(self.problem.options),
            shuffle=self.question.shuffle,
        )

    def shown_position(self, index: int) -> int:
        """Where the problem's option `index` is shown in the list."""
        return self.order.index(index)

    def _labels(self) -> list[str]:
        """The options as shown: lettered in shown order."""
        return [f"{LETTERS[i % 26]}) {self.problem.options[o]}" for i, o in enumerate(self.order)]

    def _title(self) -> str:
        title = f"Question {self.number} of {self.count}"
        if self.question.kind == "predict":
            title += " · practice"
        if self.solved or self.solved_before:
            title += " · ✓ solved"
        elif self.revealed:
            title += " · answer shown"
        return title

    # --- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(
            f"Answer question {self.number - 1} first: this one builds on its answer.",
            id="qc-wait",
        )
        yield Markdown(self.problem.prompt, id="qc-prompt")
        yield from self._answer_field()
        yield Static(id="qc-feedback", classes="-empty")
        yield Static(id="qc-extra", classes="-empty")
        with Horizontal(id="qc-buttons"):
            yield Button("Check", id="qc-check", compact=True, variant="primary")
            yield Button("Hint", id="qc-hint", compact=True, disabled=not self.problem.hints)
            yield Button("Show answer", id="qc-show", compact=True, classes="-empty")
            if self.question.kind == "predict":
                yield Button("New problem", id="qc-new", compact=True)

    def on_mount(self) -> None:
        if self.gave_up and not self.solved_before:
            self._show_answer()

    def _answer_field(self) -> ComposeResult:
        kind = self.problem.kind
        if kind == "single":
            yield OneChoice(*self._labels(), id="qc-answer")
        elif kind == "multiple":
            yield ChoiceList(self._labels(), self.order, id="qc-answer")
        else:
            yield Input(placeholder=placeholder(self.problem), id="qc-answer")

    @property
    def waiting(self) -> bool:
        """The prompt is held back until the question before it is answered (`in_order` steps)."""
        return self.has_class("-waiting")

    def set_waiting(self, waiting: bool) -> None:
        """Hold the prompt and answer field back (True) or show them (False)."""
        self.set_class(waiting, "-waiting")

    @property
    def answer_widget(self) -> Widget:
        """The focusable widget the learner answers in."""
        return self.query_one("#qc-answer")

    # --- events ---------------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "qc-check":
            self.check()
        elif event.button.id == "qc-hint":
            self.action_hint()
        elif event.button.id == "qc-show":
            self.action_show_answer()
        elif event.button.id == "qc-new":
            self.action_new_problem()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.check()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.check()

    def on_one_choice_submitted(self, event: OneChoice.Submitted) -> None:
        event.stop()
        self.check()

    def on_choice_list_submitted(self, event: ChoiceList.Submitted) -> None:
        event.stop()
        self.check()

    # --- actions --------------------------------------------------------------------------------

    def current_response(self) -> tuple[object, str]:
        """The learner's answer as given to `grade`, and as text for the progress file."""
        field = self.answer_widget
        if isinstance(field, Input):
            return field.value, field.value
        if isinstance(field, ChoiceList):
            chosen = sorted(field.selected)
            return chosen, ",".join(self.problem.options[i] for i in chosen)
        assert isinstance(field, OptionList)
        shown = field.highlighted
        if shown is None:
            return "", ""
        index = self.order[shown]
        return index, self.problem.options[index]

    def check(self) -> Feedback:
        """Grade the current answer, show feedback and post `Answered`."""
        if self.revealed:  # closed: the answer is on screen (a key can still reach here)
            feedback = Feedback(status="invalid", message=self._closed_message(), explanation="")
            self._set_line("qc-feedback", inline_markdown(f"? {feedback.message}", "bold yellow"))
            return feedback
        if self.solved:  # answered right already: a later try is not graded (nor recorded)
            more = " New problem (ctrl+n) gives you a fresh one." if self.question.kind == "predict" else ""
            feedback = Feedback(status="invalid", message=f"Solved: your right answer stands.{more}",
                                explanation="")
            self._set_line("qc-feedback", inline_markdown(f"✓ {feedback.message}", "bold green"))
            return feedback
        response, text = self.current_response()
        if (isinstance(response, str) and not response.strip()) or response == []:
            feedback = Feedback(status="invalid", message=self._empty_message(), explanation="")
        else:
            feedback = grade(self.problem, response)
        self._show(feedback)
        self.post_message(self.Answered(self, feedback, text))
        self._start_reveal()
        return feedback

    def _start_reveal(self) -> None:
        """Bring the verdict into view after the next refresh (and while the card settles)."""
        self._reveal_left = REVEAL_LOOKS
        self.call_after_refresh(self._reveal_feedback)

    def on_resize(self, event: events.Resize) -> None:
        # The card grows as its verdict and explanation wrap (or narrows when the column gains
        # a scroll bar): look again while looks are left, so a late layout cannot hide them.
        if self._reveal_left > 0:
            self.call_after_refresh(self._reveal_feedback)

    def _reveal_feedback(self) -> None:
        """Scroll the verdict and what follows it (explanation, hint) into view.

        Runs after a refresh, again after the next one while a line is still out of view, and
        again whenever the card changes size, up to REVEAL_LOOKS looks in all: new lines can
        make the column scroll (a scroll bar narrows it and the text wraps again), and on a busy
        machine the layout may settle several refreshes after the first look."""
        if self._reveal_left <= 0:
            return
        self._reveal_left -= 1
        try:
            extra = self.query_one("#qc-extra", Static)
            feedback = self.query_one("#qc-feedback", Static)
        except NoMatches:  # the step changed before the next refresh: nothing left to show
            return
        lines = [feedback] if extra.has_class("-empty") else [extra, feedback]
        column = self._scroll_column()
        if column is not None and column.scroll_y != round(column.scroll_y):
            # A focus scroll cut short (the field took the focus with an animated scroll, and
            # enter came before it ended) leaves the column part way through a row; the lines'
            # rows are then rounded one way when drawn and the other way when scrolled to, and
            # the two looks below can push each other one row out of view, turn about.
            column.scroll_to(y=round(column.scroll_y), animate=False, immediate=True)
        for line in lines:
            line.scroll_visible(animate=False)
        # Always a second look after the first refresh; more only while a line is out of view.
        first = self._reveal_left == REVEAL_LOOKS - 1
        if first or not all(self._in_view(line) for line in lines):
            self.call_after_refresh(self._reveal_feedback)

    def _scroll_column(self) -> Widget | None:
        """The scrolling column that holds the card (None outside one)."""
        return next((a for a in self.ancestors if getattr(a, "is_scrollable", False)), None)

    def _in_view(self, widget: Widget) -> bool:
        """Whether `widget` is drawn whole inside the scrolling column that holds the card."""
        region = widget.region
        container = self._scroll_column()
        if container is None or region.area == 0:
            return region.area > 0
        return container.region.contains_region(region)

    def _set_line(self, widget_id: str, content: Text | str) -> None:
        """Update the feedback or extra line, hiding it while empty."""
        widget = self.query_one(f"#{widget_id}", Static)
        widget.update(content)
        widget.set_class(not str(content).strip(), "-empty")

    def _empty_message(self) -> str:
        if self.problem.kind == "single":
            return "Choose an option first (↑/↓ then enter)."
        if self.problem.kind == "multiple":
            return "Choose an option first (↑/↓, space to tick, then enter)."
        return "Type your answer, then press enter."

    def _closed_message(self) -> str:
        if self.question.kind == "predict":
            return "The answer is shown. New problem (ctrl+n) gives you a fresh one."
        return "The answer is shown; this question opens again in your next session."

    def _show(self, feedback: Feedback) -> None:
        if feedback.status == "correct":
            self.solved = self.ever_solved = True
            self.add_class("-solved")
            self._offer_answer(False)
            self._set_line("qc-feedback", inline_markdown(f"✓ {feedback.message}", "bold green"))
            self._set_line("qc-extra", inline_markdown(feedback.explanation or ""))
        elif feedback.status == "wrong":
            self.wrong += 1
            self._set_line("qc-feedback", inline_markdown(f"✗ {feedback.message}", "bold red"))
            self._offer_answer(self.wrong >= REVEAL_AFTER)
            self._set_line("qc-extra", inline_markdown(self._help_lines()))
        else:
            self._set_line("qc-feedback", inline_markdown(f"? {feedback.message}", "bold yellow"))
        self.border_title = self._title()

    def action_hint(self) -> None:
        """Reveal the next hint (the last one stays shown once all are out)."""
        hints = self.problem.hints
        if not hints or self.revealed:
            return
        self.hints_shown = min(self.hints_shown + 1, len(hints))
        self._set_line("qc-extra", inline_markdown(self._help_lines()))

    def _help_lines(self) -> str:
        """The hints shown so far, then what else there is to ask for while unsolved."""
        lines = [f"Hint {i + 1}: {h}" for i, h in enumerate(self.problem.hints[: self.hints_shown])]
        if self.solved or self.revealed or not self.wrong:
            return "\n".join(lines)
        offers = ["Hint (ctrl+t)"] if self.problem.hints and self.hints_shown == 0 else []
        offers += ["Show answer (ctrl+r)"] if self.wrong >= REVEAL_AFTER else []
        if offers:
            lines.append(f"Stuck? {' or '.join(offers)}.")
        return "\n".join(lines)

    def _offer_answer(self, offer: bool) -> None:
        """Show or hide the Show answer button."""
        self.query_one("#qc-show", Button).set_class(not offer, "-empty")

    def answer_text(self) -> str:
        """The current problem's answer as the learner would read it (an option as shown, with
        its letter; numbers as the tutor formats them)."""
        problem = self.problem
        answer = problem.answer
        if problem.kind == "single":
            return self._labels()[self.shown_position(answer)]
        if problem.kind == "multiple":
            return "; ".join(self._labels()[self.shown_position(i)] for i in sorted(answer))
        if problem.kind == "vector":
            return format_vector(answer, 4)
        if problem.kind == "matrix":
            return "; ".join(" ".join(format_number(x, 4) for x in row) for row in answer)
        return format_number(answer, 4)

    def action_show_answer(self) -> None:
        """Give up on this problem: show its answer and explanation, close it, post `Revealed`.

        Offered after REVEAL_AFTER wrong answers; does nothing before that or once solved."""
        if self.solved or self.revealed or self.wrong < REVEAL_AFTER:
            return
        self._show_answer()
        self.post_message(self.Revealed(self))
        self._start_reveal()

    def _show_answer(self) -> None:
        """Show the answer and explanation, and close the problem (field and Check disabled)."""
        self.revealed = self.gave_up = True
        self.add_class("-revealed")
        self._offer_answer(False)
        self._set_line("qc-feedback", Text(f"→ The answer: {self.answer_text()}", style="bold"))
        self._set_line("qc-extra", inline_markdown(self.problem.explanation or ""))
        self._close(True)
        self.border_title = self._title()

    def _close(self, closed: bool) -> None:
        """Disable (or enable again) the answer field and Check."""
        if closed and self.screen.focused in (self.answer_widget, *self.query(Button)):
            self.screen.set_focus(None)  # a disabled widget cannot keep focus
        self.answer_widget.disabled = closed
        self.query_one("#qc-check", Button).disabled = closed
        self.query_one("#qc-hint", Button).disabled = closed or not self.problem.hints

    def action_new_problem(self) -> None:
        """Predict questions only: draw a fresh problem and clear the attempt state."""
        if self.question.kind != "predict":
            return
        self.draw += 1
        self.problem = self._make_problem()
        self.hints_shown = 0
        self.wrong = 0
        self.solved = self.revealed = False
        self.remove_class("-solved", "-revealed")
        self._offer_answer(False)
        self._close(False)
        self.query_one("#qc-prompt", Markdown).update(self.problem.prompt)
        self._set_line("qc-feedback", "")
        self._set_line("qc-extra", "")
        field = self.answer_widget
        if isinstance(field, Input):
            field.value = ""
        elif isinstance(field, OneChoice):
            field.set_prompts(self._labels())
        elif isinstance(field, ChoiceList):
            field.set_choices(self._labels(), self.order)
        self.border_title = self._title()
