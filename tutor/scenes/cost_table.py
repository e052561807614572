"""Scene: the quadratic cost as a residual table for y = 2x + 4, with w and b set by keys.

Each row shows x, the target t, the output a = w·x + b, the difference and its square; the
footer adds the squares and divides by 2n. The seed's w = 3, b = 2 gives C = 5.75.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from tutor.engines.descent import COST_T, COST_X, CostTable, cost_table, linear_predict
from tutor.scenes.knobs import KnobScene
from tutor.text import format_number
from tutor.widgets.plot import Plot


#: The widest bar (in characters) a square is drawn as in the table, and the narrowest that
#: longest bar may be when the scene is narrow.
BAR_WIDTH, MIN_BAR_WIDTH = 12, 4
#: Columns the table takes besides its bars: the five number columns (27) and one space after each.
TABLE_COLUMNS = 32


def square_bar_scale(squares: list[float], width: int = BAR_WIDTH) -> float:
    """Characters per unit of square: the largest square (at least 1) fills `width`."""
    return width / max([1.0, *squares])


def square_bar(square: float, scale: float) -> str:
    """A square drawn as a bar of `█` (at least one for any nonzero square)."""
    if square <= 0:
        return ""
    return "█" * max(1, round(square * scale))


class CostTableScene(KnobScene):
    """w and b, the residual table over x = 1..8, the cost, and the line against the targets."""

    KNOBS = ("w", "b")
    LIMIT = 10.0
    #: Held back while the step's questions are open: the outputs, differences, squares and sums.
    HOLDS_ANSWERS = True

    HELP = """\
**The quadratic cost.** For each input x the unit outputs a = w·x + b; the target is t. The
table lists t - a and its square, with the square drawn as a bar (the big misses dominate);
the cost adds the squares and divides by 2n (n = 8 here). Squares are never negative, so the
cost is zero only when every output hits its target. On a tall terminal the plot below draws
each miss as a vertical segment from the line to its target.

- When editable (click it or `tab` to it): `↑`/`↓` pick w or b; `[` and `]` change it.
- `.` and `,` fill the table row by row; `r` resets to the lesson's w and b.
"""

    DEFAULT_CSS = """
    CostTableScene > Static { height: auto; }
    CostTableScene #ct-plot { height: 35vh; min-height: 14; margin-top: 1; }
    """

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.reset_state()

    def reset_state(self) -> None:
        """Back to the lesson's w and b."""
        self.knob_values = [self.float_param("w"), self.float_param("b")]
        self.table: CostTable = cost_table(self.knob_values[0], self.knob_values[1], COST_X, COST_T)

    def knobs_changed(self) -> None:
        """Recompute the table for the new w and b."""
        self.table = cost_table(self.knob_values[0], self.knob_values[1], COST_X, COST_T)

    @property
    def initial_position(self) -> int:
        """An editable table starts complete; a fixed one fills row by row."""
        return self.total_frames if self.editable else 0

    @property
    def total_frames(self) -> int:
        """One frame per data point."""
        return len(self.table.rows)

    def on_resize(self) -> None:
        """Redraw: the bars of the squares fit the new width."""
        self.redraw()

    def compose(self) -> ComposeResult:
        yield Static(id="knobs")
        yield Static(id="ct-table")
        yield Plot(id="ct-plot", classes="tall-only")

    def show_frame(self, position: int) -> None:
        """The knobs, the first `position` rows with the running sum, and the plot."""
        self.query_one("#knobs", Static).update(self.knob_panel({0: "data: y = 2x + 4"}))
        table = Table(box=None, pad_edge=False, padding=(0, 1, 0, 0), header_style="bold")
        for name in ("x", "t", "a = w·x + b", "t - a", "(t - a)²"):
            table.add_column(name, justify="right")
        table.add_column("", justify="left", no_wrap=True)  # each square drawn as a bar
        running = 0.0
        held = self.unless_held
        room = self.content_region.width - TABLE_COLUMNS if self.content_region.width else BAR_WIDTH
        scale = square_bar_scale([row.square for row in self.table.rows], max(MIN_BAR_WIDTH, min(BAR_WIDTH, room)))
        for i, row in enumerate(self.table.rows):
            if i < position:
                running += row.square
                table.add_row(format_number(row.x), format_number(row.t), held(format_number(row.a)),
                              held(format_number(row.diff)), held(format_number(row.square)),
                              Text(held(square_bar(row.square, scale), ""), style="magenta"),
                              style="reverse" if i == position - 1 and not self.editable else "")
            else:
                table.add_row(format_number(row.x), format_number(row.t), "·", "·", "·", "")
        footer = Text()
        n = self.table.n
        if position >= len(self.table.rows):
            total = held(format_number(self.table.total))
            footer.append(f"sum of squares = {total}\n")
            footer.append(f"C = {total} / (2·{n}) = {held(format_number(self.table.cost))}", style="bold")
            if self.table.cost == 0 and not self.holding:
                footer.append("   ✓ every output on target", style="bold green")
        else:
            footer.append(f"running sum = {held(format_number(running))}   (row {position} of {n})", style="dim")
        self.query_one("#ct-table", Static).update(Group(table, footer))
        self._draw(position)

    def _draw(self, position: int) -> None:
        """The targets, the line and, for the rows filled so far, each miss t - a as a vertical
        segment from the line to its target (none while the answers are held)."""
        w, b = self.knob_values
        plot = self.query_one("#ct-plot", Plot)
        plot.clear()
        shown = [] if self.holding else self.table.rows[:position]
        plot.set_title("o: targets t   line: a = w·x + b" + ("   |: miss t - a" if shown else ""))
        plot.set_labels("x", "t")
        xs = [min(COST_X) - 0.5, max(COST_X) + 0.5]
        plot.add_line(None, xs, [float(linear_predict(w, b, x)) for x in xs])
        for row in shown:
            if row.diff:
                plot.add_segment(None, (row.x, row.a), (row.x, row.t), marker="|", color="magenta")
        plot.add_scatter(None, list(COST_X), list(COST_T), marker="o")
