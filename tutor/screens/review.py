"""ReviewScreen: the missed questions due today, one after another, and the mixed quiz.

Opened from the course map (`v`). Each question is asked with the lesson's own `QuestionCard`
(a predict question with fresh numbers); every graded answer is saved at once through the
session (`Session.review_answer`), so leaving with escape at any point loses nothing. Which
questions are due and how a box moves is `tutor.review`'s rule; this screen only asks.
"""

from __future__ import annotations

import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from tutor.review import QUIZ_SIZE, ReviewItem, describe_day
from tutor.screens.footer import KeyFooter
from tutor.screens.lesson import LEAVE_KEY
from tutor.session import Session
from tutor.widgets.question_card import QuestionCard

#: The review screen's help (the `?` panel).
REVIEW_HELP = """\
# Review

Questions you did not get right on the first try come back here, spaced out over days
(Leitner boxes): box 1 comes back the next day, box 2 after 3 days, then 7, 14 and 30 days.
A right answer moves a question up a box; a wrong one sends it back to box 1. Only your first
answer to each question moves it; you may try again as often as you like.

| key | what it does |
|---|---|
| `enter` | check an answer; once answered, the next question |
| `n` or `→` | next question (a skipped one stays due) |
| `h` or `ctrl+t` | a hint |
| `m` | a mixed quiz: 5 questions from the lessons you finished (the same all day) |
| `v` | review what is due again (questions skipped, or after a quiz) |

While an answer field or list has focus, `m` and `v` belong to it: press `escape` first.
| `escape` | leave the answer field or list; pressed again, back to the map |
| `ctrl+o` | back to the course map (answers are saved as you go) |

*escape closes this panel*
"""


class ReviewScreen(Screen):
    """Asks the due questions of `session` one after another (or today's mixed quiz, `m`)."""

    DEFAULT_CSS = """
    ReviewScreen #topbar { height: 1; background: $panel; padding: 0 1; }
    ReviewScreen #review-body { height: 1fr; padding: 0 1; }
    ReviewScreen #review-about { height: auto; margin-top: 1; }
    ReviewScreen #review-after { height: auto; margin-top: 1; }
    ReviewScreen #review-body > QuestionCard { max-width: 100; }
    """

    BINDINGS = [
        Binding("enter", "next", "Next", show=False),
        Binding("right,n", "next", "Next"),
        Binding("h", "hint", "Hint", show=False),
        Binding("m", "quiz", "Mixed quiz"),
        Binding("v", "again", "Review due"),
        Binding("question_mark", "help", "Help"),
        Binding("escape", "leave", "Map", show=False),
        Binding(LEAVE_KEY, "map", "Map"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, session: Session) -> None:
        """Review the questions of `session` due today."""
        super().__init__()
        self.session = session
        self.mode = "review"
        """"review" (the due questions) or "quiz" (today's mixed quiz)."""
        self.items: list[ReviewItem] = session.due_reviews()
        """The questions of this round, fixed when it starts."""
        self.index = 0
        """The question asked now (== len(items) once the round is over)."""
        self.graded = False
        """Whether the question asked now has had its first graded answer (the one that counts)."""
        self.right = 0
        """First answers right in this round."""
        self.answered = 0
        """Questions answered in this round."""

    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        yield VerticalScroll(id="review-body")
        yield KeyFooter()

    async def on_mount(self) -> None:
        await self.show_current()

    @property
    def card(self) -> QuestionCard | None:
        """The card of the question asked now, if one is shown."""
        found = self.query(QuestionCard)
        return found.first() if found else None

    @property
    def item(self) -> ReviewItem | None:
        """The question asked now, or None once the round is over."""
        return self.items[self.index] if self.index < len(self.items) else None

    # --- content --------------------------------------------------------------------------------

    def _what(self) -> str:
        return "Mixed quiz" if self.mode == "quiz" else "Review"

    async def show_current(self) -> None:
        """Show the question asked now, or what the round did once it is over."""
        self.graded = False
        body = self.query_one("#review-body", VerticalScroll)
        await body.remove_children()
        item = self.item
        topbar = self.query_one("#topbar", Static)
        if item is None:
            topbar.update(Text(self._what(), style="bold"))
            await body.mount(Static(self._summary(), id="review-about"))
            self.set_focus(None)
            return
        topbar.update(Text.assemble(
            (self._what(), "bold"), f"  ·  question {self.index + 1} of {len(self.items)}",
        ))
        about = Text.assemble(("From: ", "dim"), item.lesson.title)
        if item.box:
            about.append(f"  ·  box {item.box}", style="dim")
        if item.is_predict:
            about.append("  ·  new numbers", style="dim")
        card = QuestionCard(
            item.question, number=self.index + 1, count=len(self.items), id="review-card",
        )
        await body.mount_all([Static(about, id="review-about"), card,
                              Static("", id="review-after")])
        if item.is_predict:
            card.draw = self.session.fresh_draw(item) - 1
            card.action_new_problem()  # the next draw: fresh numbers, the card's own way
        body.scroll_home(animate=False)
        card.answer_widget.focus()

    def _summary(self) -> Text:
        """What the finished (or empty) round says: what was done, what comes next."""
        text = Text()
        if self.items:
            text.append(f"{self._what()} done: ", style="bold")
            text.append(f"{self.answered} of {len(self.items)} answered, "
                        f"{self.right} right the first time.\n\n")
        elif self.mode == "quiz":
            text.append("No mixed quiz yet: ", style="bold")
            text.append("it draws its questions from the lessons you have finished.\n\n")
        else:
            text.append("Nothing is due for review.", style="bold")
            text.append("\n\n")
        due = self.session.due_reviews()
        coming = self.session.next_review()
        today = self.session.clock()
        if due:
            many = f"{len(due)} questions are" if len(due) > 1 else "1 question is"
            text.append(f"{many} due for review: v asks {'them' if len(due) > 1 else 'it'}.\n")
        elif coming is not None and coming.due is not None:
            text.append(f"The next question comes back {describe_day(coming.due, today)}: "
                        f"{coming.question.id}, from {coming.lesson.title} (box {coming.box}).\n")
        elif not self.session.scheduled_reviews():
            text.append("Questions you do not get right on the first try come back here, "
                        "spaced out over days.\n")
        if self.mode == "review":
            if self.session.finished_lessons():
                text.append(f"\nm: a mixed quiz of {QUIZ_SIZE} questions from the lessons you "
                            "finished.")
            else:
                text.append("\nFinish a lesson to take a mixed quiz of its questions (m).")
        text.append("\nescape: back to the course map", style="dim")
        return text

    def _after(self, correct: bool, due_before: str) -> Text:
        """The line under the card after the first graded answer: where the question went."""
        item = self.item
        assert item is not None
        record = self.session.progress.lessons[item.lesson.id].questions[item.question.id]
        text = Text()
        if record.due != due_before:  # the answer moved it (`Session.review_answer`)
            when = describe_day(datetime.date.fromisoformat(record.due), self.session.clock())
            if correct:
                text.append(f"Up to box {record.box}: it comes back {when}.  ", style="green")
            else:
                text.append(f"Back to box 1: it comes back {when}.  ", style="yellow")
        if correct:
            text.append("enter or n: next question")
        else:
            text.append("Try again, or escape then n: next question.", style="dim")
        return text

    # --- messages -------------------------------------------------------------------------------

    def on_question_card_answered(self, message: QuestionCard.Answered) -> None:
        """Save every graded answer; the first one moves the question's box."""
        message.stop()
        item = self.item
        if item is None or not message.feedback.counts_as_attempt:
            return
        correct = message.feedback.status == "correct"
        first = not self.graded
        record = self.session.progress.lessons.get(item.lesson.id)
        saved = record.questions.get(item.question.id) if record is not None else None
        due_before = saved.due if saved is not None else ""
        finished = self.session.review_answer(
            item.lesson, item.question.id, correct, message.answer, first=first,
        )
        if finished:
            self.notify(f"Lesson complete: {item.lesson.title}. Well done!", timeout=6)
        if first:
            self.graded = True
            self.answered += 1
            self.right += int(correct)
            after = self.query_one("#review-after", Static)
            after.update(self._after(correct, due_before))
            self.call_after_refresh(after.scroll_visible, animate=False)
        elif correct:
            self.query_one("#review-after", Static).update(Text("enter or n: next question"))
        if correct:
            self.set_focus(None)  # enter and n now go on

    def on_question_card_revealed(self, message: Message) -> None:
        """The learner gave up on the question (the card shows its answer): it was already
        missed, so it is back in box 1; move on with enter."""
        message.stop()
        self.query_one("#review-after", Static).update(
            Text("In box 1: it comes back tomorrow.  enter or n: next question")
        )
        self.set_focus(None)

    # --- actions --------------------------------------------------------------------------------

    async def action_next(self) -> None:
        """The next question (one skipped unanswered stays due), or the round's summary."""
        if self.item is None:
            return
        self.index += 1
        await self.show_current()

    def _answering(self) -> bool:
        """Whether a question is asked and its card has focus: then `m` and `v` do not start
        another round (escape first), so a stray key never drops the question on screen."""
        return self.item is not None and self.focused is not None

    async def action_again(self) -> None:
        """Start a review round over what is due now (the questions skipped, after a quiz)."""
        if self._answering():
            return
        self.mode = "review"
        self.items = self.session.due_reviews()
        self.index = self.right = self.answered = 0
        await self.show_current()

    async def action_quiz(self) -> None:
        """Start today's mixed quiz over the finished lessons."""
        if self._answering():
            return
        self.mode = "quiz"
        self.items = self.session.quiz()
        self.index = self.right = self.answered = 0
        await self.show_current()

    def action_hint(self) -> None:
        """A hint for the question asked now."""
        card = self.card
        if card is not None:
            card.action_hint()

    def action_help(self) -> None:
        """Keys and rules of review."""
        from tutor.screens.help import AboutScreen

        self.app.push_screen(AboutScreen(REVIEW_HELP))

    def action_leave(self) -> None:
        """Escape: leave the focused answer field, list or button first (a half-typed answer
        stays); otherwise back to the course map. Every graded answer is already saved, and the
        questions not yet answered stay due, so opening review again goes on from here."""
        if self.focused is not None:
            self.set_focus(None)
            return
        self.action_map()

    def action_map(self) -> None:
        """Back to the course map (ctrl+o, as in a lesson; escape once nothing is focused)."""
        self.app.pop_screen()
