"""Scene: a single linear unit learns the line y = 2x - 1 by gradient descent.

Frames sample the training epochs: the fitted line closes in on the six points, w and b approach
2 and -1, and the prediction at x = 10 creeps toward 19 without ever quite reaching it.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from tutor.engines.descent import LINE_X, LINE_Y, DescentStep, fit_line, linear_predict
from tutor.scenes.base import Scene
from tutor.text import format_number
from tutor.widgets.plot import Plot

#: At most this many frames, whatever the number of epochs.
MAX_FRAMES = 50


def _num(value: float, digits: int = 3) -> str:
    """Fixed decimals (`tutor.text.format_number`)."""
    return format_number(value, digits, fixed=True)


class LineFitScene(Scene):
    """The six points of y = 2x - 1, the unit's line after each sampled epoch, and its prediction."""

    HELP = """\
**A neuron learns a line.** The unit computes a = w·x + b. Each epoch, gradient descent looks at
all six points, measures the quadratic cost, and nudges w and b downhill. The plot shows the
points (`o`), the current line, and the prediction at x = 10 (`*`) next to the true value 19 (`+`).

- `space` plays the training, `.` and `,` step through the sampled epochs, `end` jumps to the
  end, `r` resets, `+`/`-` change the speed.
"""

    DEFAULT_CSS = """
    LineFitScene > Static { height: auto; }
    LineFitScene #lf-plot { height: 37.5vh; min-height: 15; margin-top: 1; }
    LineFitScene #lf-params { height: 10; margin-top: 1; }
    """

    FRAME_SECONDS = 0.25
    #: Held back while the step's questions are open: the rule's value at x, the unit's
    #: prediction there, the learned w and b, and where they head.
    HOLDS_ANSWERS = True

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.lr = self.float_param("lr")
        self.epochs = self.int_param("epochs")
        self.query_x = self.float_param("query")
        self.steps: list[DescentStep] = fit_line(LINE_X, LINE_Y, lr=self.lr, epochs=self.epochs)
        frames = min(MAX_FRAMES, len(self.steps))
        # Frame k shows the state after epoch self.marks[k] (0 = before training).
        self.marks = [0] + [round(len(self.steps) * k / frames) for k in range(1, frames + 1)]

    @property
    def total_frames(self) -> int:
        """One frame per sampled epoch."""
        return len(self.marks) - 1

    def state(self, position: int) -> tuple[int, float, float, float]:
        """(epoch, w, b, cost) after the sampled epoch of frame `position`."""
        epoch = self.marks[position]
        if epoch == 0:
            first = self.steps[0]
            return 0, first.params[0], first.params[1], first.cost
        step = self.steps[epoch - 1]
        return epoch, step.params_after[0], step.params_after[1], step.cost_after

    def compose(self) -> ComposeResult:
        yield Static(id="lf-status")
        yield Plot(id="lf-plot")
        yield Plot(id="lf-params", classes="tall-only")

    def show_frame(self, position: int) -> None:
        """Numbers, the line through the points, and w and b over the epochs so far."""
        epoch, w, b, cost = self.state(position)
        prediction = float(linear_predict(w, b, self.query_x))
        truth = 2 * self.query_x - 1
        text = Text()
        text.append(f"epoch {epoch}/{len(self.steps)}", style="bold")
        text.append(f"   lr = {format_number(self.lr)}\n")
        held = self.unless_held
        text.append(f"w = {held(_num(w))}  b = {held(_num(b))}  C = {cost:.4f}\n")
        text.append(f"at x = {format_number(self.query_x)}: a = {held(_num(prediction, 4))}", style="bold")
        text.append(f"  (rule: {held(format_number(truth))})")
        status = self.steps[-1].status if self.steps else "ok"
        if status == "diverged" and position == self.total_frames:
            text.append("\nThe values blew up: this learning rate is too large.", style="bold red")
        self.query_one("#lf-status", Static).update(text)

        plot = self.query_one("#lf-plot", Plot)
        plot.clear()
        plot.set_title("o: data  *: a(x)" if self.holding else "o: data  *: a(x)  +: truth")
        plot.set_labels("x", "y")
        xs = [min(LINE_X) - 1.0, self.query_x + 1.0]
        plot.add_line(None, xs, [float(linear_predict(w, b, x)) for x in xs])
        plot.add_scatter(None, list(LINE_X), list(LINE_Y), marker="o")
        if self.holding:  # no truth marker, and no axis scaled to it
            plot.add_scatter(None, [self.query_x], [prediction], marker="*")
            plot.set_ylim(min(LINE_Y) - 2, max(max(LINE_Y), prediction) + 2)
        else:
            plot.add_scatter(None, [self.query_x], [truth], marker="+")
            plot.add_scatter(None, [self.query_x], [prediction], marker="*")
            plot.set_ylim(min(LINE_Y) - 2, max(truth, prediction) + 2)

        history = self.query_one("#lf-params", Plot)
        history.clear()
        history.set_title(self.unless_held("w (→ 2) and b (→ -1) over the epochs", "w and b over the epochs"))
        epochs = list(range(0, epoch + 1))
        ws = [self.steps[0].params[0]] + [s.params_after[0] for s in self.steps[:epoch]]
        bs = [self.steps[0].params[1]] + [s.params_after[1] for s in self.steps[:epoch]]
        history.add_line("w", epochs, ws)
        history.add_line("b", epochs, bs)
        history.set_xlim(0, len(self.steps))
