"""Scene: three logits through softmax into probabilities, the cross-entropy loss and p - y.

The learner edits the logits z1, z2, z3 of the classes A, B, C (↑↓ pick, [ ] change), moves the
true class with `t`, and sees the bar chart of probabilities, a table of every intermediate
(e^(z - max), p, the one-hot target y and the gradient p - y) and the loss H = -ln p[true].
`o` loads the logits [1000, 1001, 999]: the naive formula e^z / Σ e^z overflows to nan, the
stable one (subtracting the max) does not. Frames reveal the computation in three steps:
exponentiate, normalise, loss. All numbers come from `tutor.engines.activations`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tutor.engines.activations import (
    CLASS_NAMES, cross_entropy, onehot, raw_exponentials, shifted_exponentials, softmax,
    softmax_cross_entropy_grad, softmax_naive,
)
from tutor.scenes.knobs import KnobScene
from tutor.text import format_number, format_vector
from tutor.widgets.probability_bars import horizontal_bar

#: Logits too large for e^z: the naive softmax overflows on them.
OVERFLOW_LOGITS: tuple[float, float, float] = (1000.0, 1001.0, 999.0)
#: Logits used when the lesson gives none (or an unusable list).
DEFAULT_LOGITS: tuple[float, float, float] = (1.0, 2.0, 0.5)
#: The three stages a fixed scene reveals frame by frame.
STAGES = ("logits", "exponentiate", "normalise", "loss")
#: The one line that explains the stable softmax.
STABLE_NOTE = (
    "Subtracting max(z) changes no p (the factor e^-max cancels in the ratio) but makes every "
    "exponent ≤ 0: e^(z - max) ≤ 1 cannot overflow."
)


def _num(value: float, digits: int = 3) -> str:
    """Fixed decimals, so the columns line up (`tutor.text.format_number`)."""
    return format_number(value, digits, fixed=True)


def _vec(values: Any, digits: int = 3) -> str:
    return format_vector(np.asarray(values, dtype=float).ravel(), digits, fixed=True)


class SoftmaxScene(KnobScene):
    """Editable logits, their softmax, the cross-entropy loss and its gradient p - y."""

    KNOBS = ("z1", "z2", "z3")
    LIMIT = 10.0

    HELP = """\
**Softmax and cross-entropy.** Softmax turns scores (logits) z into probabilities:
p_k = e^(z_k) / Σ_j e^(z_j). In practice max(z) is subtracted first; p does not change but no
exponent can overflow. The cross-entropy loss of the true class is H = -ln p[true]: 0 when the
network is sure and right, large when it is sure and wrong. Its gradient with respect to the
logits is just p - y, where y is the one-hot target.

- `↑`/`↓` pick z1, z2 or z3 (classes A, B, C); `[` and `]` change it (when editable).
- `t` moves the true class to the next one.
- `o` loads the logits [1000, 1001, 999] to compare the naive and the stable softmax; `o` again
  goes back.
- `.` and `,` reveal the steps: exponentiate, normalise, loss; `r` resets.
"""

    BINDINGS = [
        Binding("t", "next_class", "True class"),
        Binding("o", "overflow", "Overflow"),
    ]

    #: Held back while the step's questions are open: everything computed from the logits
    #: (exponentials, probabilities, p - y, the sums, the loss and the bars).
    HOLDS_ANSWERS = True

    DEFAULT_CSS = """
    SoftmaxScene > Static { height: auto; }
    SoftmaxScene #sm-table { margin-top: 1; }
    SoftmaxScene #sm-overflow { display: none; margin-top: 1; }
    SoftmaxScene #sm-overflow.-shown { display: block; }
    SoftmaxScene #sm-bars { height: auto; margin-top: 1; }
    """

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        self.overflow = False
        self._before_overflow: list[float] = []
        super().__init__(params, id=id)
        self.reset_state()

    # --- state ----------------------------------------------------------------------------------

    def reset_state(self) -> None:
        """Back to the lesson's logits and true class."""
        logits = self.numbers_param("logits", DEFAULT_LOGITS)
        self.knob_values = logits if len(logits) == 3 else list(DEFAULT_LOGITS)
        self.true_class = self.int_param("true_class", None, 0, 2)
        self.overflow = False
        self._before_overflow = []

    @property
    def logits(self) -> np.ndarray:
        """The current logits z, shape (3,)."""
        return np.asarray(self.knob_values, dtype=np.float64)

    @property
    def probabilities(self) -> np.ndarray:
        """The stable softmax of the logits, shape (3,)."""
        return np.asarray(softmax(self.logits), dtype=np.float64)

    @property
    def loss(self) -> float:
        """H = -ln p[true class]."""
        return cross_entropy(self.probabilities, self.true_class)

    @property
    def total_frames(self) -> int:
        """Three reveals after the logits: exponentiate, normalise, loss."""
        return len(STAGES) - 1

    @property
    def initial_position(self) -> int:
        """An editable scene starts with everything shown; a fixed one reveals step by step."""
        return self.total_frames if self.editable else 0

    # --- actions --------------------------------------------------------------------------------

    def knobs_changed(self) -> None:
        """Nothing to precompute: every number is derived from the logits when drawn."""

    def action_nudge(self, direction: int) -> None:
        """Change the picked logit; from the overflow demo, first go back to the earlier logits.

        Logits a lesson sets beyond the usual limit (e.g. 1000) move by a step from where they are.
        """
        if self.overflow:
            self._leave_overflow()
        value = self.knob_values[self.picked] + direction * self.step_size
        limit = max(self.LIMIT, abs(self.knob_values[self.picked]) + self.step_size)
        self.knob_values[self.picked] = round(max(-limit, min(limit, value)), 6)
        self.knobs_changed()
        self.position = self.total_frames
        self.redraw()

    @property
    def overflowing(self) -> bool:
        """Whether the naive softmax of the current logits gives nan or inf."""
        return not bool(np.all(np.isfinite(softmax_naive(self.logits))))

    def action_next_class(self) -> None:
        """Make the next class the true one."""
        self.true_class = (self.true_class + 1) % 3
        self.redraw()

    def action_overflow(self) -> None:
        """Load [1000, 1001, 999] to compare the two softmaxes, or go back to the earlier logits."""
        if self.overflow:
            self._leave_overflow()
        else:
            self._before_overflow = list(self.knob_values)
            self.knob_values = list(OVERFLOW_LOGITS)
            self.overflow = True
        self.position = self.total_frames
        self.redraw()

    def _leave_overflow(self) -> None:
        self.knob_values = list(self._before_overflow) or list(DEFAULT_LOGITS)
        self.overflow = False

    # --- drawing --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="knobs")
        yield Static(id="sm-overflow")
        yield Static(id="sm-table")
        yield Static(id="sm-loss")
        yield Static(id="sm-bars")

    def show_frame(self, position: int) -> None:
        """The knobs, the table up to stage `position`, the loss, the overflow comparison and bars."""
        truth = CLASS_NAMES[self.true_class]
        self.query_one("#knobs", Static).update(
            self.knob_panel({0: f"true class: {truth} (t)", 2: "o: overflow demo"})
        )
        z = self.logits
        p = self.probabilities
        shifted = shifted_exponentials(z)  # what the stable softmax exponentiates, each ≤ 1
        y = onehot(self.true_class, 3)
        grad = np.asarray(softmax_cross_entropy_grad(z, self.true_class), dtype=np.float64)

        table = Table(box=None, pad_edge=False, padding=(0, 0, 0, 1), header_style="bold")
        for name in ("", "z", "e^(z-max)", "p", "y", "p-y"):
            table.add_column(name, justify="right")
        held = self.unless_held
        for k in range(3):
            row = [CLASS_NAMES[k] + ("*" if k == self.true_class else " "), format_number(float(z[k]))]
            row.append(held(_num(shifted[k])) if position >= 1 else "·")
            row.append(held(_num(p[k])) if position >= 2 else "·")
            row += [format_number(float(y[k])), held(_num(grad[k]))] if position >= 3 else ["·", "·"]
            table.add_row(*row, style="bold" if k == self.true_class and position >= 3 else "")
        sums = Text(style="dim")
        if position >= 1:
            sums.append(f"  Σ e^(z-max) = {held(_num(float(shifted.sum())))}")
        if position >= 2:
            sums.append(f"   Σ p = {held(_num(float(p.sum())))}")
        self.query_one("#sm-table", Static).update(Group(table, sums))

        loss = Text()
        if position >= 3:
            loss.append(f"H = -ln p[{truth}] = -ln {held(_num(p[self.true_class]))} = ", style="bold")
            loss.append(held(_num(self.loss, 4)), style="bold reverse")
            loss.append("\n*: true class   p-y = ∂H/∂z", style="dim")
        else:
            step = STAGES[position + 1]
            loss.append(f"next (.): {step}", style="dim")
        self.query_one("#sm-loss", Static).update(loss)
        overflow = self.query_one("#sm-overflow", Static)
        overflow.update(self._overflow_text(z, p))
        overflow.set_class(self.overflow or self.overflowing, "-shown")
        self._draw_bars(position, shifted, p)

    def _overflow_text(self, z: np.ndarray, p: np.ndarray) -> Text:
        text = Text()
        if not (self.overflow or self.overflowing):
            return text
        naive = np.asarray(softmax_naive(z), dtype=np.float64)
        first = float(raw_exponentials(z)[0])
        text.append("naive e^z/Σe^z: ", style="bold")
        text.append(f"e^{format_number(float(z[0]))} = {_num(first)}\n", style="bold red")
        text.append("  p = ", style="bold")
        text.append(f"{_vec(naive)}\n", style="bold red")
        text.append("stable p = ", style="bold")
        text.append(f"{self.unless_held(_vec(p))}\n", style="bold green")
        text.append(STABLE_NOTE, style="italic")
        return text

    def _draw_bars(self, position: int, shifted: np.ndarray, p: np.ndarray) -> None:
        bars = self.query_one("#sm-bars", Static)
        if self.holding and position >= 1:
            bars.update(Text("the bars are held back until you answer", style="dim"))
        elif position >= 2:
            bars.update(bar_rows("p = softmax(z)", CLASS_NAMES, p, self.true_class))
        elif position == 1:
            bars.update(bar_rows("e^(z - max): the largest is 1", CLASS_NAMES, shifted,
                                 self.true_class))
        else:
            bars.update(Text("press . to exponentiate", style="dim"))


#: Cells of a bar for the value 1 (eighth blocks: 0.228 and 0.153 differ by 1.5 cells).
BAR_CELLS = 24


def bar_rows(title: str, labels: tuple[str, ...] | list[str], values: np.ndarray,
             marked: int | None = None, cells: int = BAR_CELLS) -> Text:
    """A title, then one row per value: `B* ██████████████▊          0.619`.

    Bars are drawn in eighths of a cell, `cells` wide for a value of 1, each labelled with its
    value (3 decimals), so close probabilities such as 0.228 and 0.153 are told apart; the
    `marked` row (the true class) carries a `*` and is bold.
    """
    text = Text(no_wrap=True)
    text.append(title + "\n", style="bold")
    for k, (label, value) in enumerate(zip(labels, np.asarray(values, dtype=np.float64))):
        mark = "*" if k == marked else " "
        style = "bold" if k == marked else ""
        text.append(f"{label}{mark} ", style=style)
        text.append(horizontal_bar(float(value), cells), style="cyan")
        text.append(f" {_num(float(value))}", style=style)
        if k < len(labels) - 1:
            text.append("\n")
    return text
