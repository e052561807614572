"""Scene: a McCulloch-Pitts threshold unit whose weights and threshold the learner sets.

Frames walk through the truth table one input pattern at a time, showing the products, the
weighted sum and the comparison with the threshold; when the scene is editable the learner picks
a parameter with up/down and changes it with [ and ], and every row is checked against a gate.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from tutor.engines.neuron import GATES, TruthTable, boundary_segment, truth_table
from tutor.scenes.knobs import KnobScene
from tutor.scenes.plane import PlaneDrawing, draw_plane, visible_box
from tutor.text import format_number
from tutor.widgets.plot import Plot


def _factor(value: float) -> str:
    """A number inside a written product: negative ones in parentheses."""
    return f"({format_number(value)})" if value < 0 else format_number(value)


class ThresholdUnitScene(KnobScene):
    """Weights w1, w2 and threshold θ, the truth table they produce, and a target gate."""

    HELP = """\
**Threshold unit.** The table lists every input pattern, the products `wj·xj`, their sum Σ,
and the output: 1 when Σ > θ, 0 otherwise.

- `space` plays through the rows, `.` shows the next row, `,` the previous one, `r` resets.
- When the scene is editable (click it or `tab` to it): `↑`/`↓` pick w1, w2 or θ;
  `[` lowers and `]` raises the picked value (`<` and `>` work too).
- With a target gate, ✓ marks the rows where the unit agrees with it and ✗ where it does not.
"""


    DEFAULT_CSS = """
    ThresholdUnitScene > Static { height: auto; }
    ThresholdUnitScene #tu-status { margin-top: 1; }
    ThresholdUnitScene #tu-plane { height: 35vh; min-height: 14; margin-top: 1; }
    """

    KNOBS = ("w1", "w2", "θ")
    #: Held back while the step's questions are open: whether any setting could match the gate.
    HOLDS_ANSWERS = True

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.gate: str | None = self.choice_param("gate")
        self.reset_state()

    # --- state ----------------------------------------------------------------------------------

    def reset_state(self) -> None:
        """Back to the lesson's weights and threshold."""
        weights = self.numbers_param("weights")
        self.knob_values = [weights[0], weights[1], self.float_param("threshold")]
        self.table = self._compute()

    @property
    def weights(self) -> list[float]:
        """[w1, w2]."""
        return self.knob_values[:2]

    @property
    def threshold(self) -> float:
        """θ."""
        return self.knob_values[2]

    def knobs_changed(self) -> None:
        """Recompute the truth table for the new weights and threshold."""
        self.table = self._compute()

    @property
    def initial_position(self) -> int:
        """An editable unit starts with its whole table computed; a fixed one at row 0."""
        return self.total_frames if self.editable else 0

    def _compute(self) -> TruthTable:
        return truth_table(tuple(self.weights), self.threshold, self.gate, xp=self.xp)

    @property
    def total_frames(self) -> int:
        """One frame per input pattern."""
        return len(self.table.rows)

    # --- actions --------------------------------------------------------------------------------

    # --- drawing --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="knobs")
        yield Static(id="tu-table")
        yield Static(id="tu-status")
        yield Plot(id="tu-plane", classes="tall-only")

    def show_frame(self, position: int) -> None:
        """Draw the parameters, the first `position` rows of the table, and the verdict."""
        self.query_one("#knobs", Static).update(self._params_text())
        self.query_one("#tu-table", Static).update(self._table(position))
        self.query_one("#tu-status", Static).update(self._status(position))
        self._draw_plane()

    def _draw_plane(self) -> None:
        """The four input patterns (by target, or by output without a gate) and the line Σ = θ."""
        plot = self.query_one("#tu-plane", Plot)
        limits = visible_box(plot)
        rows = self.table.rows
        wanted = [row.target if row.target is not None else row.output for row in rows]
        word = f"{self.gate} wants" if self.gate else "unit gives"
        # The legend goes in the title: plotext draws legends over the top-left points.
        drawing = PlaneDrawing(title=f"o: {word} 1  x: {word} 0")
        segment = boundary_segment(self.weights, self.threshold, limits)
        if segment is not None:
            drawing.segments.append(segment)
        for value, marker in ((1, "o"), (0, "x")):
            drawing.add_points(marker, [row.inputs for row, w in zip(rows, wanted) if w == value])
        draw_plane(plot, drawing, limits)

    def on_resize(self) -> None:
        """Keep the plane at equal scale when the plot changes size."""
        if self.children:
            self._draw_plane()

    def _params_text(self) -> Text:
        return self.knob_panel({0: f"target: {self.gate}"} if self.gate else None)

    def _table(self, position: int) -> Group:
        table = Table(box=None, pad_edge=False, padding=(0, 1), header_style="bold")
        table.add_column("x1 x2")
        table.add_column("w1·x1 + w2·x2", justify="right")
        table.add_column("Σ", justify="right")
        table.add_column("out", justify="center")
        if self.gate:
            table.add_column(self.gate, justify="center")
        finished = self.editable and position >= len(self.table.rows)
        for i, row in enumerate(self.table.rows):
            done = i < position
            current = i == position - 1 and not finished
            pattern = f"{'▶' if current else ' '}{row.inputs[0]}  {row.inputs[1]}"
            cells = [pattern]
            if done:
                second = format_number(row.products[1])
                second = f"({second})" if row.products[1] < 0 else second
                products = f"{format_number(row.products[0])} + {second}"
                cells += [products, format_number(row.weighted_sum), str(row.output)]
            else:
                cells += ["·", "·", "·"]
            if self.gate:
                target = str(row.target)
                if done:
                    target += " ✓" if row.correct else " ✗"
                cells.append(target)
            table.add_row(*cells, style="reverse" if current and not self.editable else "")
        detail = Text()
        if 0 < position <= len(self.table.rows) and not finished:
            row = self.table.rows[position - 1]
            relation = ">" if row.output else "≤"
            detail.append(
                f"{''.join(str(v) for v in row.inputs)}: "
                f"{_factor(self.weights[0])}·{row.inputs[0]} + {_factor(self.weights[1])}·{row.inputs[1]}"
                f" = {format_number(row.weighted_sum)} {relation} {format_number(self.threshold)}"
                f" → {'fires (1)' if row.output else 'silent (0)'}",
                style="bold",
            )
        return Group(table, detail)

    def _status(self, position: int) -> Text:
        if position < self.total_frames:
            return Text(f"row {position} of {self.total_frames} · press . for the next", style="dim")
        if self.table.gate is None:
            return Text(self._describe())
        if self.table.matches:
            return Text(f"✓ All four rows match: this unit computes {self.gate}.", style="bold green")
        wrong = self.table.errors
        rows = "row differs" if wrong == 1 else "rows differ"
        extra = ""
        if self.gate == "XOR" and not self.holding:
            extra = " (no setting can fix all four)"
        return Text(f"✗ {wrong} {rows} from {self.gate}{extra}.", style="bold")

    def _describe(self) -> str:
        outputs = tuple(row.output for row in self.table.rows)
        return f"This unit {describe_function(outputs)}."


#: Names for the two-input functions outside GATES (outputs for 00, 01, 10, 11), and clearer
#: words for the gates that copy or negate one input. XNOR is listed for completeness: one
#: unit cannot compute it.
FUNCTION_NAMES: dict[tuple[int, ...], str] = {
    (0, 0, 1, 0): "computes x1 AND NOT x2: x1 but not x2, where x2 inhibits (material nonimplication)",
    (0, 1, 0, 0): "computes x2 AND NOT x1: x2 but not x1, where x1 inhibits (material nonimplication)",
    (1, 0, 1, 1): "computes x1 OR NOT x2: the implication 'if x2 then x1'",
    (1, 1, 0, 1): "computes NOT x1 OR x2: the implication 'if x1 then x2'",
    (1, 0, 0, 1): "computes XNOR: 1 when the inputs are equal",
    GATES["A"]: "copies x1 and ignores x2 (the function A)",
    GATES["B"]: "copies x2 and ignores x1 (the function B)",
    GATES["NOT A"]: "outputs NOT x1 and ignores x2 (the function NOT A)",
    GATES["NOT B"]: "outputs NOT x2 and ignores x1 (the function NOT B)",
    (1, 1, 1, 1): "always fires",
    (0, 0, 0, 0): "never fires",
}


def describe_function(outputs: tuple[int, ...]) -> str:
    """What a two-input unit with these outputs (for 00, 01, 10, 11) does, as a verb phrase."""
    if outputs in FUNCTION_NAMES:
        return FUNCTION_NAMES[outputs]
    names = [name for name, table in GATES.items() if table == outputs]
    return f"computes {names[0]}" if names else "computes " + ", ".join(map(str, outputs))
