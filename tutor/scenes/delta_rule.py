"""Scene: the delta rule on the six points of y = 2x - 1, one sample update per frame.

Each frame shows one sample (i, t), the unit's output o = w·i + b, the error t - o, the update
the rule gives, η(t - o)·i, and beside it -η·∂E/∂w for E = ½(t - o)²: the two columns are equal,
because for a linear unit the delta rule is stochastic gradient descent on the squared error.
"""

from __future__ import annotations

import math
from itertools import islice
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from tutor.engines.cost import LINE_X, LINE_Y
from tutor.engines.delta_rule import DeltaUpdate, delta_rule_updates
from tutor.scenes.base import Scene
from tutor.text import format_number
from tutor.widgets.plot import Plot

#: Weights beyond this size (or not finite) have blown up: named in words, no line drawn.
BLOWN = 1e6


def _num(value: float) -> str:
    """Four decimals, or four significant digits once a value has blown up."""
    if math.isfinite(value) and abs(value) >= 1e5:
        return format_number(value, 4, significant=True)
    return format_number(value, 4)


class DeltaRuleScene(Scene):
    """One delta-rule update per frame, shown beside -η times the gradient of ½(t - o)²."""

    HELP = """\
**The delta rule.** A linear unit o = w·i + b sees one sample (i, t) at a time and changes its
weight by Δw = η(t - o)·i and its bias by Δb = η(t - o): the perceptron's update, with the error
t - o now any real number. The gradient of the sample's cost E = ½(t - o)² is ∂E/∂w = -(t - o)·i,
so -η·∂E/∂w is the same number: the rule is stochastic gradient descent on the squared error.
The data are the six points of y = 2x - 1, presented in order, starting from w = 0, b = 0.

- `.` and `,` step one sample update forward and back; `space` plays them, `end` jumps to the
  last, `r` resets, `+`/`-` change the speed.
"""

    DEFAULT_CSS = """
    DeltaRuleScene > Static { height: auto; }
    DeltaRuleScene #dr-plot { height: 30vh; min-height: 12; margin-top: 1; }
    """

    FRAME_SECONDS = 0.6

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.reset_state()

    def reset_state(self) -> None:
        """The lesson's learning rate and number of updates, from w = 0, b = 0."""
        self.lr = self.float_param("lr")
        samples = self.int_param("samples")
        epochs = -(-samples // len(LINE_X))  # enough passes to give `samples` updates
        self.updates: list[DeltaUpdate] = list(
            islice(delta_rule_updates(LINE_X, LINE_Y, self.lr, epochs=epochs), samples)
        )

    @property
    def total_frames(self) -> int:
        """Frame 0 is the start (w = 0, b = 0); frame k shows update k."""
        return len(self.updates)

    def compose(self) -> ComposeResult:
        yield Static(id="dr-numbers")
        yield Static(id="dr-compare")
        yield Plot(id="dr-plot", classes="tall-only")

    def show_frame(self, position: int) -> None:
        """The update of frame `position`: sample, output, error, rule and gradient, new line."""
        if position <= 0 or not self.updates:
            self._show_start()
            return
        u = self.updates[min(position, len(self.updates)) - 1]
        numbers = Text()
        numbers.append(f"update {u.step}/{len(self.updates)}", style="bold")
        numbers.append(f"  epoch {u.epoch}  η = {format_number(self.lr, 4)}\n")
        numbers.append(f"w = {_num(u.w)}   b = {_num(u.b)}\n")
        numbers.append(f"sample  i = {_num(u.i)}   t = {_num(u.t)}\n", style="bold")
        numbers.append(f"o = w·i + b       = {_num(u.o)}\n")
        numbers.append(f"t - o             = {_num(u.error)}\n")
        numbers.append(f"∂E/∂w = -(t - o)·i = {_num(u.grad_w)}")
        self.query_one("#dr-numbers", Static).update(numbers)

        table = Table(box=None, pad_edge=False, padding=(0, 1), header_style="bold")
        table.add_column("")
        table.add_column("η(t - o)·i", justify="right")
        table.add_column("-η·∂E/∂w", justify="right")
        table.add_column("")
        same_w = "=" if u.delta_w == u.step_w else "≠"
        same_b = "=" if u.delta_b == u.step_b else "≠"
        table.add_row("Δw", _num(u.delta_w), _num(u.step_w), same_w)
        table.add_row("Δb", _num(u.delta_b), _num(u.step_b), same_b)
        after = Text(f"→ w = {_num(u.w_after)}   b = {_num(u.b_after)}", style="bold")
        if not (abs(u.w_after) < BLOWN and abs(u.b_after) < BLOWN):
            after.append("\nThe weights blew up: η is too large.", style="bold red")
        compare = Table.grid()
        compare.add_row(Text(""))
        compare.add_row(table)
        compare.add_row(after)
        self.query_one("#dr-compare", Static).update(compare)
        self._draw(u)

    def _show_start(self) -> None:
        """Before the first update: the starting weights and the data, no update yet."""
        first = self.updates[0] if self.updates else None
        numbers = Text()
        numbers.append(f"start  0/{len(self.updates)}", style="bold")
        numbers.append(f"  η = {format_number(self.lr, 4)}\n")
        numbers.append("w = 0   b = 0\n")
        numbers.append("data: y = 2x - 1, six samples in order\n")
        numbers.append("i: " + "  ".join(format_number(v) for v in LINE_X) + "\n")
        numbers.append("t: " + "  ".join(format_number(v) for v in LINE_Y))
        self.query_one("#dr-numbers", Static).update(numbers)
        hint = Text("\n`.` applies the first sample, one update per step.", style="dim")
        self.query_one("#dr-compare", Static).update(hint)
        if first is not None:
            self._draw(first, after=False)

    def _draw(self, u: DeltaUpdate, *, after: bool = True) -> None:
        """The six points, the current sample, and the line after the update (before, at start)."""
        plot = self.query_one("#dr-plot", Plot)
        plot.clear()
        plot.set_title("o: data  *: this sample  line: after")
        plot.set_labels("i", "t")
        plot.add_scatter(None, list(LINE_X), list(LINE_Y), marker="o")
        plot.add_scatter(None, [u.i], [u.t], marker="*")
        w, b = (u.w_after, u.b_after) if after else (u.w, u.b)
        if abs(w) < BLOWN and abs(b) < BLOWN:
            xs = [min(LINE_X) - 0.5, max(LINE_X) + 0.5]
            plot.add_line(None, xs, [w * x + b for x in xs])
        plot.set_ylim(min(LINE_Y) - 2, max(LINE_Y) + 2)
