"""Scene: two hand-wired perceptrons whose two boundaries together separate XOR.

Hidden unit h1 is an OR, hidden unit h2 a NAND; the output unit ANDs them. Frames walk through
the four inputs, showing both hidden outputs and the result; the plot shows both lines, with XOR's
1s in the band between them.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from tutor.engines.neuron import GATES, binary_inputs
from tutor.engines.perceptron import XOR_HIDDEN, XOR_OUTPUT, boundary, two_layer_forward
from tutor.scenes.base import Scene
from tutor.scenes.plane import PlaneDrawing, draw_plane, visible_box
from tutor.text import format_number
from tutor.widgets.plot import Plot


def linear_text(weights: tuple[float, ...] | list[float], names: tuple[str, ...], bias: float = 0.0) -> str:
    """A weighted sum written out: linear_text([1, -1], ("x1", "x2"), 0.5) == "x1 - x2 + 0.5"."""
    text = ""
    for weight, name in zip(weights, names):
        if weight == 0:
            continue
        magnitude = "" if abs(weight) == 1 else f"{format_number(abs(weight))}·"
        sign = ("-" if weight < 0 else "") if not text else (" - " if weight < 0 else " + ")
        text += f"{sign}{magnitude}{name}"
    if bias or not text:
        sign = ("-" if bias < 0 else "") if not text else (" - " if bias < 0 else " + ")
        text += f"{sign}{format_number(abs(bias))}"
    return text


def _unit(weights: tuple[float, ...], bias: float, names: tuple[str, str]) -> str:
    return f"hardlim({linear_text(weights, names, bias)})"


class TwoLayerXorScene(Scene):
    """A two-layer network of perceptrons that computes XOR, row by row."""

    HELP = """\
**Two perceptrons for XOR.** h1 is an OR and h2 a NAND of the inputs; the output y is the AND
of h1 and h2. Each hidden unit draws one line; XOR's 1s lie between the two lines, which no
single line could isolate. `.` and `,` walk through the inputs, `space` plays, `r` resets.
"""

    #: Held back while the step's questions are open: the hidden outputs, the output and the checks.
    HOLDS_ANSWERS = True

    DEFAULT_CSS = """
    TwoLayerXorScene > Static { height: auto; }
    TwoLayerXorScene #tl-plane { height: 40vh; min-height: 16; margin-top: 1; }
    """

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.forwards = [two_layer_forward(tuple(int(v) for v in p)) for p in binary_inputs(2)]

    @property
    def total_frames(self) -> int:
        """One frame per input pattern."""
        return len(self.forwards)

    def compose(self) -> ComposeResult:
        yield Static(id="tl-wiring")
        yield Static(id="tl-table")
        yield Static(id="tl-status")
        yield Plot(id="tl-plane")

    def on_resize(self) -> None:
        """Keep equal scale when the size changes."""
        if self.children:
            self._draw_plane()

    def show_frame(self, position: int) -> None:
        """The wiring, the first `position` rows and the plane."""
        (w1, b1), (w2, b2) = XOR_HIDDEN
        wo, bo = XOR_OUTPUT
        wiring = Text()
        wiring.append("h1 = " + _unit(w1, b1, ("x1", "x2")) + "   (OR)\n")
        wiring.append("h2 = " + _unit(w2, b2, ("x1", "x2")) + "   (NAND)\n")
        wiring.append("y  = " + _unit(wo, bo, ("h1", "h2")) + "   (AND)")
        self.query_one("#tl-wiring", Static).update(wiring)
        table = Table(box=None, pad_edge=False, padding=(0, 1), header_style="bold")
        for name in ("x1 x2", "h1", "h2", "y", "XOR"):
            table.add_column(name, justify="center")
        xor = GATES["XOR"]
        for i, forward in enumerate(self.forwards):
            pattern = f"{'▶' if i == position - 1 else ' '}{format_number(forward.p[0])}  {format_number(forward.p[1])}"
            if i < position:
                held = self.unless_held
                ok = held("✓" if forward.y == xor[i] else "✗", "")
                table.add_row(pattern, held(str(forward.h[0])), held(str(forward.h[1])), held(str(forward.y)),
                              f"{xor[i]} {ok}", style="reverse" if i == position - 1 else "")
            else:
                table.add_row(pattern, "·", "·", "·", str(xor[i]))
        self.query_one("#tl-table", Static).update(table)
        if position >= self.total_frames and self.holding:
            status = Text("all four rows shown; the outputs are held back until you answer", style="dim")
        elif position >= self.total_frames:
            status = Text("✓ y matches XOR on all four inputs: two lines did what one could not.", style="bold green")
        else:
            status = Text(f"row {position} of {self.total_frames} · press . for the next", style="dim")
        self.query_one("#tl-status", Static).update(status)
        self._draw_plane()

    def _draw_plane(self) -> None:
        plot = self.query_one("#tl-plane", Plot)
        limits = visible_box(plot)
        drawing = PlaneDrawing(title="o: XOR=1  x: XOR=0  lines: h1, h2")
        for weights, bias in XOR_HIDDEN:
            segment = boundary(weights, bias, limits)
            if segment is not None:
                drawing.segments.append(segment)
        xor = GATES["XOR"]
        drawing.add_points("o", [f.p for i, f in enumerate(self.forwards) if xor[i] == 1])
        drawing.add_points("x", [f.p for i, f in enumerate(self.forwards) if xor[i] == 0])
        draw_plane(plot, drawing, limits)
