"""Scene: a perceptron on the four binary inputs: its boundary, its weight vector, its mistakes.

The learner sets w1, w2 and b, switches the target gate with `g`, and watches the line
w·p + b = 0, the arrow of w (orthogonal to the line, pointing to the a = 1 side), the
misclassified points and the truth table change together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tutor.engines.neuron import GATES, binary_inputs
from tutor.engines.perceptron import boundary, net_input, predict, weight_arrow
from tutor.scenes.knobs import KnobScene
from tutor.scenes.plane import PlaneDrawing, draw_plane, shade_grid, visible_box
from tutor.text import format_number
from tutor.widgets.plot import Plot

GATE_CYCLE = ("AND", "OR", "XOR", "NAND", "NOR")


@dataclass(frozen=True)
class PlaneRow:
    """One input pattern under the current perceptron."""

    p: tuple[int, int]
    net: float
    a: int
    t: int

    @property
    def correct(self) -> bool:
        """Whether the perceptron's output matches the target."""
        return self.a == self.t


class PerceptronPlaneScene(KnobScene):
    """w1, w2, b and a target gate: the boundary, the arrow of w, and the truth table."""

    KNOBS = ("w1", "w2", "b")
    #: Held back while the step's questions are open: the bias and the net inputs w·p + b.
    HOLDS_ANSWERS = True

    HELP = """\
**Perceptron plane.** The plot shows the four inputs: `o` where the gate wants 1, `x` where it
wants 0, `!` on a point the perceptron gets wrong. The line is the boundary w·p + b = 0 and the
arrow is the weight vector w, drawn from the boundary: it is perpendicular to the line and points
to the side where a = 1 (a point exactly on the line also gives a = 1, since hardlim(0) = 1).
Dim dots `·` fill the side where a = 1; `@` marks the row being stepped through.

- When editable (click it or `tab` to it): `↑`/`↓` pick w1, w2 or b; `[` and `]` change it.
- `g` switches the target gate: AND, OR, XOR, NAND, NOR.
- `.` and `,` walk through the four rows of the table; `r` resets.
"""

    BINDINGS = [Binding("g", "next_gate", "Gate")]

    DEFAULT_CSS = """
    PerceptronPlaneScene > Static { height: auto; }
    PerceptronPlaneScene #pp-status { margin-top: 1; }
    PerceptronPlaneScene #pp-plane { height: 40vh; min-height: 16; margin-top: 1; }
    """

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.reset_state()

    # --- state ----------------------------------------------------------------------------------

    def reset_state(self) -> None:
        """Back to the lesson's weights, bias and gate."""
        weights = self.numbers_param("weights")
        self.knob_values = [weights[0], weights[1], self.float_param("bias")]
        self.gate: str = self.choice_param("gate")
        self.rows = self._compute()

    @property
    def initial_position(self) -> int:
        """An editable perceptron starts with the whole table shown; a fixed one at row 0."""
        return self.total_frames if self.editable else 0

    @property
    def weights(self) -> tuple[float, float]:
        """(w1, w2)."""
        return self.knob_values[0], self.knob_values[1]

    @property
    def bias(self) -> float:
        """b."""
        return self.knob_values[2]

    def _compute(self) -> list[PlaneRow]:
        inputs = binary_inputs(2)  # (4, 2)
        targets = GATES[self.gate]
        return [
            PlaneRow(
                p=(int(p[0]), int(p[1])),
                net=float(net_input(self.weights, self.bias, p)),
                a=int(predict(self.weights, self.bias, p)),
                t=targets[i],
            )
            for i, p in enumerate(inputs)
        ]

    def knobs_changed(self) -> None:
        """Recompute the rows for the new w and b."""
        self.rows = self._compute()

    @property
    def total_frames(self) -> int:
        """One frame per input pattern."""
        return 4

    @property
    def errors(self) -> int:
        """How many of the four patterns are misclassified."""
        return sum(1 for row in self.rows if not row.correct)

    # --- actions --------------------------------------------------------------------------------

    def action_next_gate(self) -> None:
        """Switch the target to the next gate of GATE_CYCLE."""
        self.gate = GATE_CYCLE[(GATE_CYCLE.index(self.gate) + 1) % len(GATE_CYCLE)]
        self.rows = self._compute()
        self.redraw()

    # --- drawing --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="knobs")
        yield Static(id="pp-table")
        yield Static(id="pp-status")
        yield Plot(id="pp-plane")

    def on_resize(self) -> None:
        """Keep equal scale when the size changes."""
        if self.children:
            self._draw_plane()

    def show_frame(self, position: int) -> None:
        """Knobs, the first `position` rows, the verdict and the plane."""
        self.query_one("#knobs", Static).update(
            self.knob_panel({0: f"target: {self.gate} (g: next)"}, held=(2,))
        )
        self.query_one("#pp-table", Static).update(self._table(position))
        self.query_one("#pp-status", Static).update(self._status())
        self._draw_plane()

    def _table(self, position: int) -> Group:
        table = Table(box=None, pad_edge=False, padding=(0, 1), header_style="bold")
        for name, justify in (("p", "left"), ("w·p + b", "right"), ("a", "center"), ("t", "center"), ("", "left")):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        finished = position >= len(self.rows)
        for i, row in enumerate(self.rows):
            current = i == position - 1 and not (self.editable and finished)
            pattern = f"{'▶' if current else ' '}[{row.p[0]}, {row.p[1]}]"
            if i < position:
                mark = "✓" if row.correct else "✗ wrong"
                table.add_row(pattern, self.unless_held(format_number(row.net)), str(row.a), str(row.t), mark,
                              style="reverse" if current else "")
            else:
                table.add_row(pattern, "·", "·", str(row.t), "")
        detail = Text()
        if 0 < position <= len(self.rows) and not (self.editable and finished):
            row = self.rows[position - 1]
            w1, w2 = self.weights
            bias, net = self.unless_held(format_number(self.bias)), self.unless_held(format_number(row.net))
            detail.append(
                f"{format_number(w1)}·{row.p[0]} + {format_number(w2)}·{row.p[1]} + ({bias}) = {net}"
                f" → hardlim = {row.a}", style="bold",
            )
        return Group(table, detail)

    def _status(self) -> Text:
        if self.errors == 0:
            return Text(f"✓ All four right: this line separates {self.gate}.", style="bold green")
        extra = " No line can separate XOR's classes." if self.gate == "XOR" else ""
        noun = "point is" if self.errors == 1 else "points are"
        return Text(f"✗ {self.errors} {noun} on the wrong side (marked !).{extra}", style="bold")

    def current_row(self, position: int | None = None) -> int | None:
        """The index of the row being stepped through, or None when the whole table is shown."""
        position = self.position if position is None else position
        finished = position >= len(self.rows)
        if position <= 0 or (self.editable and finished):
            return None
        return min(position, len(self.rows)) - 1

    def _draw_plane(self) -> None:
        plot = self.query_one("#pp-plane", Plot)
        limits = visible_box(plot)
        current = self.current_row()
        # Short enough for a 36-column plot: plotext drops a title that does not fit.
        marks = "o t=1  x t=0  ! wrong  · a=1"
        drawing = PlaneDrawing(title=marks + ("  @ row" if current is not None else ""))
        w1, w2 = self.weights
        bias = self.bias
        drawing.shade = shade_grid(limits, lambda x, y: w1 * x + w2 * y + bias >= 0)
        segment = boundary(self.weights, self.bias, limits)
        if segment is not None:
            drawing.segments.append(segment)
        arrow = weight_arrow(self.weights, self.bias, length=0.6)
        if arrow is not None:
            drawing.arrows.append(arrow)
        rows = [r for i, r in enumerate(self.rows) if i != current]
        drawing.add_points("o", [r.p for r in rows if r.correct and r.t == 1])
        drawing.add_points("x", [r.p for r in rows if r.correct and r.t == 0])
        drawing.add_points("!", [r.p for r in rows if not r.correct])
        if current is not None:
            drawing.add_points("@", [self.rows[current].p])
        draw_plane(plot, drawing, limits)
