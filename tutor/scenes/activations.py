"""Scene: an activation function f and its derivative f' over [-6, 6], with a probe point.

`a` cycles through step, sigmoid, tanh, ReLU, leaky ReLU, ELU, maxout and softmax. A probe at x
shows f(x) and f'(x); where |f'(x)| is tiny the scene says the gradient has (almost) vanished. The
frames sweep the probe from x = -6 to x = 6 in steps of 0.5, so `space` animates the sweep and
`{`/`}` (like `,`/`.`) move the probe by hand. f is drawn in character cells like f' and the
probe's markers, so every marker sits on its curve's row. Softmax is not a function of one number:
its view shows the logit vector z = [x, 1, 0] (the probe is z1) and bars of p = softmax(z). All
the numbers come from `tutor.engines.activations`; this module only arranges and draws them.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, ClassVar

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tutor.engines import activations as act
from tutor.scenes.base import Scene
from tutor.scenes.registry import choices_of
from tutor.scenes.softmax import bar_rows
from tutor.text import format_number
from tutor.widgets.plot import Plot

#: The order `a` cycles through.
ORDER: tuple[str, ...] = choices_of("activations", "show")
#: The plotted interval and the probe's step.
X_MIN, X_MAX, PROBE_STEP = -6.0, 6.0, 0.5
#: |f'(x)| below this counts as saturated.
SATURATION = 0.05
#: The line shown when the probe sits where the gradient has (almost) vanished.
SATURATION_NOTE = "the gradient has almost vanished: learning through this unit slows to a crawl"
#: What the step function's derivative means for learning.
STEP_NOTE = "f' is 0 everywhere (undefined at 0), so gradient descent gets no signal: the weights never move."
#: One line per activation on its behaviour (saturation, dead units, ...), under the plot.
NOTES: dict[str, str] = {
    "sigmoid": "Saturates at both ends: σ'(x) < 0.05 for |x| > 3, and σ' is never above 0.25.",
    "tanh": "Zero-centred, but still saturates: tanh'(x) < 0.05 for |x| > 2.2.",
    "relu": "Never saturates for x > 0; for x < 0 the gradient is 0 (a unit can 'die').",
    "leaky_relu": "Like relu, but a small slope (0.1) for x < 0 keeps the gradient alive.",
    "elu": "Smooth for x < 0 and saturates to -1 there; gradient 1 for x > 0.",
    "step": "The perceptron's hard limit: its derivative is 0 everywhere, so nothing can learn by gradient.",
    "maxout": "Piecewise linear: its slope is always one line's weight (1 or -0.5), so it never saturates.",
    "softmax": "Raise z1 and p(A) grows while the others shrink; the order of the logits is kept.",
}
#: The softmax view: the logits other than the probe's z1, and the classes' names.
SOFTMAX_REST = (1.0, 0.0)
SOFTMAX_CLASSES = ("A", "B", "C")
#: The plot's curve of f, in character cells like f' (braille would put it on other rows).
F_MARKER = "•"
#: The two lines of the maxout unit shown: max(w1·x + b1, w2·x + b2).
MAXOUT_LINES = {"w1": 1.0, "b1": 0.0, "w2": -0.5, "b2": -1.0}


def _maxout_activation() -> Any:
    """Maxout of two fixed lines as an engine `Activation` (the engine's maxout takes line parameters)."""
    if "maxout" in act.FUNCTIONS:
        return act.FUNCTIONS["maxout"]
    return act.Activation(
        "maxout",
        partial(act.maxout, **MAXOUT_LINES),
        partial(act.maxout_grad, **MAXOUT_LINES),
        "maxout(x) = max(x, -0.5·x - 1)   (two learned lines)",
        "[-2/3, ∞)",
    )


def available_activations() -> dict[str, Any]:
    """The functions the scene cycles through, in ORDER: the engine's FUNCTIONS plus maxout."""
    table = dict(act.FUNCTIONS)
    table["maxout"] = _maxout_activation()
    ordered = {name: table[name] for name in ORDER if name in table}
    ordered.update({name: a for name, a in table.items() if name not in ordered})
    return ordered


def _num(value: float) -> str:
    """Three fixed decimals (`tutor.text.format_number`)."""
    return format_number(value, 3, fixed=True)


class ActivationsScene(Scene):
    """f and f' of one activation function on [-6, 6], with a probe the learner moves."""

    HELP = """\
**Activation functions and their slopes.** The plot shows an activation f (`•` dots) and its
derivative f' (`+` marks). Backpropagation multiplies by f'(z) at every unit, so where f' is
close to 0 the unit passes almost no gradient back: it *saturates*, and the weights before it
learn very slowly. The step function is worse: f' is 0 everywhere.

- `a` next function, `A` previous one. The last, softmax, turns a vector of scores into
  probabilities: its view shows z = [x, 1, 0] and bars of p = softmax(z), each with its value.
- `{` and `}` move the probe x by 0.5 (so do `,` and `.`); `space` sweeps it from -6 to 6.
- `r` goes back to the lesson's function and x = -6.
"""

    BINDINGS = [
        Binding("a", "cycle(1)", "Next f"),
        Binding("A", "cycle(-1)", "Prev f", show=False),
        Binding("left_curly_bracket", "probe(-1)", "Probe ←", show=False),
        Binding("right_curly_bracket", "probe(1)", "Probe →", show=False),
    ]

    #: Held back while the step's questions are open: the values at the probe, what the slope
    #: means there, and the function's note (its peak slope, where it saturates); the curves stay.
    HOLDS_ANSWERS = True

    DEFAULT_CSS = """
    ActivationsScene > Static { height: auto; }
    ActivationsScene #ac-note { height: 3; }
    ActivationsScene #ac-plot { height: 32.5vh; min-height: 13; }
    """

    FRAME_SECONDS: ClassVar[float] = 0.35

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.functions: dict[str, Any] = available_activations()
        self.names: tuple[str, ...] = tuple(self.functions) + ("softmax",)
        self.reset_state()

    # --- state ----------------------------------------------------------------------------------

    def reset_state(self) -> None:
        """Back to the lesson's activation (sigmoid when the parameter is missing or unknown)."""
        wanted = self.choice_param("show")
        fallback = "sigmoid" if "sigmoid" in self.names else self.names[0]
        self.name_shown: str = wanted if wanted in self.names else fallback

    @property
    def activation(self) -> Any:
        """The engine's description of the function shown (name, f, df, formula, range); None
        for softmax, which is not a function of one number."""
        return self.functions.get(self.name_shown)

    @property
    def total_frames(self) -> int:
        """One frame per probe position after x = -6: 24 steps of 0.5 up to x = 6."""
        return int(round((X_MAX - X_MIN) / PROBE_STEP))

    def probe_x(self, position: int | None = None) -> float:
        """The probe's x at frame `position` (the current frame by default)."""
        position = self.position if position is None else position
        return X_MIN + PROBE_STEP * position

    def values_at(self, x: float) -> tuple[float, float]:
        """(f(x), f'(x)) from the engine (softmax: p_A and ∂p_A/∂z1 = p_A(1 - p_A))."""
        if self.name_shown == "softmax":
            p_a = float(self.softmax_at(x)[0])
            return p_a, p_a * (1.0 - p_a)
        return self._evaluate(self.activation.f, x), self._evaluate(self.activation.df, x)

    @staticmethod
    def softmax_at(x: float) -> np.ndarray:
        """p = softmax([x, 1, 0]) from the engine."""
        return np.asarray(act.softmax(np.array([x, *SOFTMAX_REST], dtype=np.float64)),
                          dtype=np.float64)

    @staticmethod
    def _evaluate(fn: Callable[[Any], Any], x: float) -> float:
        return float(np.asarray(fn(np.array([x], dtype=np.float64))).ravel()[0])

    def saturated(self, x: float | None = None) -> bool:
        """Whether |f'(x)| < 0.05 at the probe (or at `x`)."""
        return abs(self.values_at(self.probe_x() if x is None else x)[1]) < SATURATION

    # --- actions --------------------------------------------------------------------------------

    def action_cycle(self, direction: int) -> None:
        """Show the next (or previous) activation, keeping the probe where it is."""
        index = self.names.index(self.name_shown)
        self.name_shown = self.names[(index + direction) % len(self.names)]
        self.redraw()

    def action_probe(self, direction: int) -> None:
        """Move the probe by 0.5 (pauses a sweep)."""
        if direction > 0:
            self.playing = False
            self.step_forward()
        else:
            self.step_back()

    # --- drawing --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="ac-header")
        yield Static(id="ac-probe")
        yield Static(id="ac-note")
        yield Plot(id="ac-plot")
        yield Static(id="ac-bars")
        yield Static(id="ac-about")

    def show_frame(self, position: int) -> None:
        """The formula, the probe's numbers and what they mean, the plot, the engine's note."""
        softmax = self.name_shown == "softmax"
        self.query_one("#ac-plot", Plot).display = not softmax
        self.query_one("#ac-bars", Static).display = softmax
        if softmax:
            self._show_softmax(position)
            return
        a = self.activation
        x = self.probe_x(position)
        fx, dfx = self.values_at(x)
        index = self.names.index(self.name_shown)
        header = Text()
        header.append(self.name_shown, style="bold")
        header.append(f" {index + 1}/{len(self.names)}   a: next · {{ }} move x\n", style="dim")
        header.append(str(getattr(a, "formula", "")))
        self.query_one("#ac-header", Static).update(header)

        probe = Text()
        probe.append(f"x={x:g}", style="bold reverse")
        probe.append(f"  f(x)={self.unless_held(_num(fx))}  ")
        probe.append(f"f'(x)={self.unless_held(_num(dfx))}", style="bold")
        self.query_one("#ac-probe", Static).update(probe)

        note = Text()
        if self.holding:
            note.append("What the gradient does here is held back until you answer.", style="dim")
        elif self.name_shown == "step":
            note.append(STEP_NOTE, style="bold yellow")
        elif abs(dfx) < SATURATION:
            note.append(f"|f'| < {SATURATION}: ", style="bold yellow")
            note.append(SATURATION_NOTE, style="bold yellow")
        else:
            note.append(f"|f'| ≥ {SATURATION}: the gradient gets through.", style="green")
        self.query_one("#ac-note", Static).update(note)

        about = Text()
        range_text = getattr(a, "range", None) or getattr(a, "range_text", None)
        if range_text:
            about.append(f"range {range_text}. ", style="dim")
        if not self.holding:
            about.append(NOTES.get(self.name_shown, ""), style="italic")
        self.query_one("#ac-about", Static).update(about)
        self._draw(x, fx, dfx)

    def _draw(self, x: float, fx: float, dfx: float) -> None:
        a = self.activation
        xs = np.linspace(X_MIN, X_MAX, 241)
        fs = np.asarray(a.f(xs), dtype=np.float64)
        dfs = np.asarray(a.df(xs), dtype=np.float64)
        finite = np.concatenate([fs[np.isfinite(fs)], dfs[np.isfinite(dfs)], [0.0, 1.0]])
        low, high = float(finite.min()), float(finite.max())
        margin = 0.08 * (high - low)
        plot = self.query_one("#ac-plot", Plot)
        plot.clear()
        plot.set_title(f"{F_MARKER} f   + f'   @ f(x)   * f'(x)")
        plot.set_labels("", "")
        plot.add_line(None, xs, fs, marker=F_MARKER)
        plot.add_line(None, xs, dfs, marker="+")
        plot.add_segment(None, (x, low - margin), (x, high + margin), marker="│")
        plot.add_scatter(None, [x], [fx], marker="@")
        plot.add_scatter(None, [x], [dfx], marker="*")
        plot.set_xlim(X_MIN, X_MAX)
        plot.set_ylim(low - margin, high + margin)

    def _show_softmax(self, position: int) -> None:
        """z = [x, 1, 0] with the probe as z1, and bars of p = softmax(z), each labelled."""
        x = self.probe_x(position)
        p = self.softmax_at(x)
        index = self.names.index("softmax")
        header = Text()
        header.append("softmax", style="bold")
        header.append(f" {index + 1}/{len(self.names)}   a: next · {{ }} move z1\n", style="dim")
        header.append("p_i = e^(z_i) / Σ_j e^(z_j)")
        self.query_one("#ac-header", Static).update(header)
        rest = ", ".join(format_number(v) for v in SOFTMAX_REST)
        probe = Text()
        probe.append(f"z = [{x:g}, {rest}]", style="bold reverse")
        probe.append(f"  Σ p = {self.unless_held(_num(float(p.sum())))}")
        self.query_one("#ac-probe", Static).update(probe)
        note = Text()
        if self.holding:
            note.append("The probabilities are held back until you answer.", style="dim")
        else:
            note.append("Every p is positive and they sum to 1; the largest logit gets the "
                        "largest p.", style="green")
        self.query_one("#ac-note", Static).update(note)
        bars = self.query_one("#ac-bars", Static)
        if self.holding:
            bars.update(Text("the bars are held back until you answer", style="dim"))
        else:
            bars.update(bar_rows("p = softmax(z)", SOFTMAX_CLASSES, p, cells=20))
        about = Text()
        if not self.holding:
            about.append(NOTES["softmax"], style="italic")
        self.query_one("#ac-about", Static).update(about)
