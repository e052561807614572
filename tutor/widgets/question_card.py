"""QuestionCard: asks one question, grades the learner's answer, and reports it upward.

The card owns only presentation and the attempt loop (answer, feedback, hint, try again, new
problem); grading is `tutor.quiz.grade`, recording is the screen's job via `Answered`.
"""

from __future__ import annotations

import zlib

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Markdown, OptionList, SelectionList, Static

from tutor.content.model import Question
from tutor.quiz import Feedback, Problem, grade, instantiate

_PLACEHOLDERS = {
    "number": "a number, e.g. 0.25 or -3 or 1/4",
    "vector": "numbers, e.g. 2.0, 1.2  or  [2 1.2]",
    "matrix": "rows split by ;  e.g. 1 2; 3 4",
}


class ChoiceList(SelectionList[int]):
    """A multiple-choice list: space toggles an option, enter submits the selection."""

    BINDINGS = [Binding("enter", "submit", "Check", show=False)]

    class Submitted(Message):
        """The learner pressed enter on the list."""

    def action_submit(self) -> None:
        """Report that the learner wants the current selection checked."""
        self.post_message(self.Submitted())


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
    QuestionCard OptionList, QuestionCard SelectionList {
        height: auto; max-height: 10; border: none; padding: 0 0 0 1;
    }
    QuestionCard OptionList:focus, QuestionCard SelectionList:focus {
        border: none; border-left: outer $accent; padding: 0;
    }
    QuestionCard Input { margin-top: 1; }
    QuestionCard #qc-buttons { height: 1; margin-top: 1; }
    QuestionCard #qc-buttons Button { margin-right: 1; }
    QuestionCard #qc-feedback { height: auto; }
    QuestionCard #qc-extra { height: auto; color: $text-muted; }
    QuestionCard .-empty { display: none; }
    """

    BINDINGS = [
        Binding("ctrl+n", "new_problem", "New problem", show=False),
        Binding("ctrl+t", "hint", "Hint", show=False),
    ]

    class Answered(Message):
        """A graded answer (invalid input is reported too, with status 'invalid')."""

        def __init__(self, card: "QuestionCard", feedback: Feedback, answer: str) -> None:
            super().__init__()
            self.card = card
            self.question_id = card.question.id
            self.feedback = feedback
            self.answer = answer

    def __init__(
        self, question: Question, *, number: int = 1, count: int = 1, solved: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.question = question
        self.number = number
        self.count = count
        self.solved_before = solved
        self.draw = 0  # which generated problem (predict questions): seed offset
        self.problem: Problem = self._make_problem()
        self.hints_shown = 0
        self.wrong = 0
        self.solved = False
        self.border_title = self._title()

    # --- problem --------------------------------------------------------------------------------

    def _make_problem(self) -> Problem:
        seed = zlib.crc32(self.question.id.encode()) + self.draw
        return instantiate(self.question, seed=seed)

    def _title(self) -> str:
        title = f"Question {self.number} of {self.count}"
        if self.question.kind == "predict":
            title += " · practice"
        if self.solved or self.solved_before:
            title += " · ✓ solved"
        return title

    # --- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Markdown(self.problem.prompt, id="qc-prompt")
        yield from self._answer_field()
        yield Static(id="qc-feedback", classes="-empty")
        yield Static(id="qc-extra", classes="-empty")
        with Horizontal(id="qc-buttons"):
            yield Button("Check", id="qc-check", compact=True, variant="primary")
            yield Button("Hint", id="qc-hint", compact=True, disabled=not self.problem.hints)
            if self.question.kind == "predict":
                yield Button("New problem", id="qc-new", compact=True)

    def _answer_field(self) -> ComposeResult:
        kind = self.problem.kind
        letters = "abcdefghijklmnopqrstuvwxyz"
        if kind == "single":
            yield OptionList(
                *(f"{letters[i]}) {text}" for i, text in enumerate(self.problem.options)),
                id="qc-answer",
            )
        elif kind == "multiple":
            yield ChoiceList(
                *((f"{letters[i]}) {text}", i) for i, text in enumerate(self.problem.options)),
                id="qc-answer",
            )
        else:
            yield Input(placeholder=_PLACEHOLDERS.get(kind, "your answer"), id="qc-answer")

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
        elif event.button.id == "qc-new":
            self.action_new_problem()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.check()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
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
        index = field.highlighted
        if index is None:
            return "", ""
        return index, self.problem.options[index]

    def check(self) -> Feedback:
        """Grade the current answer, show feedback and post `Answered`."""
        response, text = self.current_response()
        if (isinstance(response, str) and not response.strip()) or response == []:
            feedback = Feedback(status="invalid", message=self._empty_message(), explanation="")
        else:
            feedback = grade(self.problem, response)
        self._show(feedback)
        self.post_message(self.Answered(self, feedback, text))
        return feedback

    def _set_line(self, widget_id: str, content: Text | str) -> None:
        """Update the feedback or extra line, hiding it while empty."""
        widget = self.query_one(f"#{widget_id}", Static)
        widget.update(content)
        widget.set_class(not str(content).strip(), "-empty")

    def _empty_message(self) -> str:
        if self.problem.kind == "single":
            return "Pick an option with ↑/↓ and press enter."
        if self.problem.kind == "multiple":
            return "Select options with space, then press enter."
        return "Type your answer, then press enter."

    def _show(self, feedback: Feedback) -> None:
        if feedback.status == "correct":
            self.solved = True
            self.add_class("-solved")
            self._set_line("qc-feedback", Text(f"✓ {feedback.message}", style="bold green"))
            self._set_line("qc-extra", Text(feedback.explanation or ""))
        elif feedback.status == "wrong":
            self.wrong += 1
            self._set_line("qc-feedback", Text(f"✗ {feedback.message}", style="bold red"))
            if self.wrong >= 3 and self.problem.explanation:
                self._set_line("qc-extra", Text("Worked answer: " + self.problem.explanation))
            elif self.problem.hints and self.hints_shown == 0:
                self._set_line("qc-extra", Text("Stuck? Press Hint (ctrl+t)."))
        else:
            self._set_line("qc-feedback", Text(f"? {feedback.message}", style="bold yellow"))
        self.border_title = self._title()

    def action_hint(self) -> None:
        """Reveal the next hint (the last one stays shown once all are out)."""
        hints = self.problem.hints
        if not hints:
            return
        self.hints_shown = min(self.hints_shown + 1, len(hints))
        shown = "\n".join(f"Hint {i + 1}: {h}" for i, h in enumerate(hints[: self.hints_shown]))
        self._set_line("qc-extra", Text(shown))

    def action_new_problem(self) -> None:
        """Predict questions only: draw a fresh problem and clear the attempt state."""
        if self.question.kind != "predict":
            return
        self.draw += 1
        self.problem = self._make_problem()
        self.hints_shown = 0
        self.wrong = 0
        self.solved = False
        self.remove_class("-solved")
        self.query_one("#qc-prompt", Markdown).update(self.problem.prompt)
        self._set_line("qc-feedback", "")
        self._set_line("qc-extra", "")
        field = self.answer_widget
        if isinstance(field, Input):
            field.value = ""
        elif isinstance(field, OptionList) and not isinstance(field, SelectionList):
            field.clear_options()
            letters = "abcdefghijklmnopqrstuvwxyz"
            field.add_options([f"{letters[i]}) {t}" for i, t in enumerate(self.problem.options)])
        self.border_title = self._title()
