"""Scene: a single linear unit learns the line y = 2x - 1 by gradient descent.

Frames sample the training epochs: the fitted line closes in on the six points, w and b approach
2 and -1, and the prediction at x = 10 creeps toward 19 without ever quite reaching it.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tutor.engines.descent import LINE_X, LINE_Y, DescentStep, fit_line, linear_predict
from tutor.scenes.base import Scene
from tutor.text import format_number
from tutor.widgets.plot import Plot

#: At most this many frames, whatever the number of epochs.
MAX_FRAMES = 50
#: Learning rates `[` and `]` step through (with `lr_input`): slow, the lesson's two, and the
#: neighbourhood of the limit near 0.354 (2 over the cost's largest curvature on these points).
PRESET_RATES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.35, 0.36, 0.4)
#: With `lr_input`, this many first epochs get one frame each.
EARLY = 10


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
- Where the lesson lets you choose it, `[` and `]` step the learning rate through presets
  (0.01 … 0.4) and train again from w = 0, b = 0: up to about 0.35 it settles, above it blows up.
"""

    BINDINGS = [
        Binding("left_square_bracket", "preset(-1)", "Slower lr"),
        Binding("right_square_bracket", "preset(1)", "Faster lr"),
    ]

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
        self.lr_input = self.bool_param("lr_input")
        self.epochs = self.int_param("epochs")
        self.query_x = self.float_param("query")
        self.reset_state()

    def reset_state(self) -> None:
        """Back to the lesson's learning rate, and train."""
        self._train(self.float_param("lr"))

    def _train(self, lr: float) -> None:
        """Train from w = 0, b = 0 with learning rate `lr`; sample the epochs into frames."""
        self.lr = lr
        self.steps: list[DescentStep] = fit_line(LINE_X, LINE_Y, lr=self.lr, epochs=self.epochs)
        n = len(self.steps)
        frames = min(MAX_FRAMES, n)
        # Frame k shows the state after epoch self.marks[k] (0 = before training). Where the
        # rate can change, the first EARLY epochs get a frame each, so that a rate near the limit
        # shows its side-to-side swings (an even stride would always land on the same side).
        early = min(EARLY, frames) if self.lr_input else 0
        rest = frames - early
        self.marks = [0] + list(range(1, early + 1)) + [early + round((n - early) * k / rest) for k in range(1, rest + 1)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The learning-rate keys exist only where the lesson lets the learner choose it."""
        if action == "preset":
            return self.lr_input
        return True

    def action_preset(self, direction: int) -> None:
        """`[` / `]`: the next smaller / larger preset learning rate; train again from the start."""
        if direction > 0:
            lr = next((r for r in PRESET_RATES if r > self.lr + 1e-12), PRESET_RATES[-1])
        else:
            lr = next((r for r in reversed(PRESET_RATES) if r < self.lr - 1e-12), PRESET_RATES[0])
        self.playing = False
        self._train(lr)
        self.position = 0
        self.redraw()
        self._post_state()

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
        text.append(f"   lr = {format_number(self.lr)}")
        text.append("   [ ] lr\n" if self.lr_input else "\n", style="dim")
        held = self.unless_held
        cost_text = f"{cost:.4f}" if abs(cost) < 1e4 else f"{cost:.3g}"  # a blown-up run stays on one line
        text.append(f"w = {held(_num(w))}  b = {held(_num(b))}  C = {cost_text}\n")
        text.append(f"at x = {format_number(self.query_x)}: a = {held(_num(prediction, 4))}", style="bold")
        text.append(f"  (rule: {held(format_number(truth))})")
        status = self.steps[-1].status if self.steps else "ok"
        if status == "diverged" and position == self.total_frames:
            text.append(f"\nBlew up at epoch {len(self.steps)}: every step overshot more than the last.",
                        style="bold red")
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
