"""Scene: gradient descent on one weight, with the parabola J(w), its tangent and each step.

Frame 0 is the initialisation; frame k is the state after iteration k. The learner can pick a
learning rate from presets with [ and ] or type any value with `l`: zero, negative, tiny and huge
rates all run safely, and the run is described in plain words (crawls, converges, oscillates,
diverges).

On the descent-one-weight exercise's step, once the learner's exercise passes, every gradient
comes from their own `one_weight_grad`, run in a sandboxed child by the engine's descent loop
(`tutor.exercises.learner_calls`, recipe `descent_steps`), and a line says so; until it passes,
or when their function fails, the line says the reference engine computes them.
"""

from __future__ import annotations

from typing import Any

import math

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from tutor.engines.descent import (
    ONE_X, ONE_Z, DescentStep, gradient_descent, linear_predict, one_weight_cost, one_weight_grad,
    tangent_line,
)
from tutor.exercises.learner_calls import LearnerCode
from tutor.quiz import AnswerFormatError, parse_number
from tutor.scenes.base import Scene
from tutor.scenes.descent_words import check_learning_rate, describe_run
from tutor.text import format_number
from tutor.widgets.plot import Plot

#: Learning rates [ and ] step through: crawling, good, oscillating, at the edge, diverging.
PRESET_RATES = (0.01, 0.05, 0.1, 0.2, 0.26, 0.3)


def _num(value: float) -> str:
    """Up to four decimals (`tutor.text.format_number`); large values in scientific notation."""
    if abs(value) >= 1e5:
        return f"{value:.3g}"  # "1.23e+05": the diverging run's numbers keep their look
    return format_number(value, 4)


def steps_from_arrays(value: dict) -> list[DescentStep]:
    """The learner's run (recipe `descent_steps`: one array entry per step) as DescentSteps."""
    return [
        DescentStep(iteration=k + 1, params=(float(value["params"][k]),), cost=float(value["cost"][k]),
                    grad=(float(value["grad"][k]),), update=(float(value["update"][k]),),
                    params_after=(float(value["params_after"][k]),),
                    cost_after=float(value["cost_after"][k]), status=str(value["status"][k]))
        for k in range(len(value["status"]))
    ]


class Descent1DScene(LearnerCode, Scene):
    """J(w) for the data z = 2x, the point w, its tangent and the steps of gradient descent."""

    HELP = """\
**Gradient descent on one weight.** The cost J(w) = 1/(2m) Σ (z - w·x)² is a parabola in w. At
the current w the slope dJ/dw says which way is uphill; the step w ← w - lr·dJ/dw goes the
other way, further when the slope is steep.

- `.` next iteration, `,` back, `space` plays, `r` resets, `+`/`-` speed.
- `[` and `]` step through preset learning rates (0.01 … 0.3).
- `l` lets you type any learning rate (try 0, a negative one, 1000): it runs safely and the scene
  says what happened. `escape` leaves the field.
- On the exercise's step, once your one_weight_grad passes its checks, every gradient comes
  from it (run in a separate process) and the top line says `▶ your ...`; if it fails, that
  line says why and the reference engine computes the gradients.
"""

    BINDINGS = [
        Binding("left_square_bracket", "preset(-1)", "Slower lr"),
        Binding("right_square_bracket", "preset(1)", "Faster lr"),
        Binding("l", "type_rate", "Type lr"),
    ]

    #: Held back while the step's questions are open: the costs, the gradients after the start,
    #: and every weight the steps reach (a diverging run still says so).
    HOLDS_ANSWERS = True
    #: The exercise whose gradient the scene can run on, and that function's name.
    LEARNER_FUNCTIONS = {"descent-one-weight": "one_weight_grad"}

    DEFAULT_CSS = """
    Descent1DScene > Static { height: auto; }
    Descent1DScene #d1-entry { display: none; height: auto; }
    Descent1DScene #d1-entry.-open { display: block; }
    Descent1DScene #d1-parabola { height: 37.5vh; min-height: 15; margin-top: 1; }
    Descent1DScene #d1-data { height: 10; margin-top: 1; }
    """

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.lr_input: bool = self.bool_param("lr_input")
        self.iterations = self.int_param("iterations")
        self.message = ""
        self.init_learner()
        self.reset_state()

    # --- state ----------------------------------------------------------------------------------

    def reset_state(self) -> None:
        """Back to the lesson's starting weight and learning rate."""
        self.w0 = self.float_param("w0")
        self._run(self.float_param("lr"))

    def _run(self, lr: float) -> None:
        self.lr = lr
        self.reference_steps: list[DescentStep] = list(
            gradient_descent(
                lambda p: one_weight_cost(p[0], ONE_X, ONE_Z),
                lambda p: (one_weight_grad(p[0], ONE_X, ONE_Z),),
                (self.w0,), lr, iterations=self.iterations,
            )
        )
        self._use_steps(self.reference_steps)
        self._start_learner()

    def _use_steps(self, steps: list[DescentStep], final_grad: float | None = None) -> None:
        """Show `steps` (the reference's, or the learner's with their gradient at the end)."""
        self.steps: list[DescentStep] = steps
        self.final_grad = final_grad
        self.kind, self.summary = describe_run(self.steps, self.lr, rate_knob=self.lr_input)

    # --- the learner's gradient -----------------------------------------------------------------

    def _start_learner(self) -> None:
        """Descend with the learner's one_weight_grad in the sandbox (once their exercise passes)."""
        self.start_learner_call("recipe:descent_steps", np.array(ONE_X), np.array(ONE_Z),
                                float(self.w0), float(self.lr), self.iterations)

    def learner_changed(self) -> None:
        """The exercise's status or file changed: the reference until their run is in."""
        self._use_steps(self.reference_steps)
        self._start_learner()
        self.show_run_again()

    def learner_arrived(self) -> None:
        """Their run is in (or their function failed: back to the reference)."""
        value = self.learner_value
        self._use_steps(self.reference_steps)
        if value is not None:
            try:
                steps = steps_from_arrays(value)
                if steps:
                    self._use_steps(steps, float(value["final_grad"]))
            except (KeyError, TypeError, ValueError, IndexError) as error:
                self.learner_value = None
                self.learner.problem = f"its steps could not be shown: {error}"
        self.show_run_again()

    def on_unmount(self) -> None:
        """A running call of the learner's code is stopped (its child killed)."""
        self.stop_learner()

    def grad_at(self, position: int) -> float:
        """dJ/dw at the weight after `position` iterations: the learner's on their run (the
        next step's gradient, or their gradient at the last weight), else the engine's."""
        if self.steps is not self.reference_steps:
            if position < len(self.steps):
                return self.steps[position].grad[0]
            if self.final_grad is not None and math.isfinite(self.final_grad):
                return self.final_grad
        return one_weight_grad(self.weight_at(position), ONE_X, ONE_Z)

    @property
    def total_frames(self) -> int:
        """One frame per iteration that ran."""
        return len(self.steps)

    def weight_at(self, position: int) -> float:
        """w after `position` iterations."""
        return self.w0 if position == 0 else self.steps[position - 1].params_after[0]

    # --- learning-rate controls ----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Learning-rate keys exist only where the lesson lets the learner choose it."""
        if action in ("preset", "type_rate"):
            return self.lr_input
        return True

    def set_rate(self, lr: float) -> None:
        """Run again from the start with learning rate `lr` (checked by the engine first)."""
        check = check_learning_rate(lr)
        if not check.ok:
            self.message = check.message
            self.redraw()
            return
        self.message = check.message
        self.playing = False
        self._run(lr)
        self.position = 0
        self.redraw()
        self._post_state()

    def action_preset(self, direction: int) -> None:
        """The next smaller or larger preset learning rate."""
        if direction > 0:
            lr = next((r for r in PRESET_RATES if r > self.lr), PRESET_RATES[-1])
        else:
            lr = next((r for r in reversed(PRESET_RATES) if r < self.lr), PRESET_RATES[0])
        self.set_rate(lr)

    def action_type_rate(self) -> None:
        """Open the field where any learning rate can be typed."""
        entry = self.query_one("#d1-entry")
        entry.add_class("-open")
        field = self.query_one("#d1-lr", Input)
        field.value = ""
        field.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Parse the typed rate (never eval), then run with it or explain why not."""
        event.stop()
        try:
            lr = parse_number(event.value)
        except AnswerFormatError as error:
            self.message = str(error)
            self.redraw()
            return
        self.query_one("#d1-entry").remove_class("-open")
        self.focus()
        self.set_rate(lr)

    # --- drawing --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="d1-learner")
        yield Static(id="d1-status")
        with Vertical(id="d1-entry"):
            yield Static("Type a learning rate and press enter (escape leaves):")
            yield Input(placeholder="e.g. 0.05, 0.3, 0, -0.1, 1000", id="d1-lr")
        yield Static(id="d1-message")
        yield Plot(id="d1-parabola")
        yield Plot(id="d1-data", classes="tall-only")

    def on_resize(self) -> None:
        """Redraw the plots for the new size."""
        self.redraw()

    def show_frame(self, position: int) -> None:
        """The numbers of iteration `position`, the parabola with tangent, and the fitted line."""
        line = self.query_one("#d1-learner", Static)
        line.display, text = self.learner_text()
        line.update(text)
        w = self.weight_at(position)
        text = Text()
        rate_keys = "   [ ] preset · l type" if self.lr_input else ""
        text.append(f"lr = {_num(self.lr)}", style="bold")
        text.append(f"{rate_keys}\n", style="dim")
        held = self.unless_held
        if position == 0:
            grad = self.grad_at(0)
            text.append("start: ", style="bold")
            text.append(f"w = {_num(w)}   J(w) = {held(_num(one_weight_cost(w, ONE_X, ONE_Z)))}\n")
            text.append(f"dJ/dw = {_num(grad)}   ")
            text.append("press . to step", style="dim")
        elif self.holding:
            step = self.steps[position - 1]
            text.append(f"iteration {step.iteration}: w = ?\n", style="bold")
            text.append(f"w ← w - {_num(self.lr)}·(dJ/dw) = ?\n")
            text.append("J(w) = ?   dJ/dw = ?")
        else:
            # Iteration k as in the lesson's table: the step that made w_k, then w_k, J(w_k)
            # and the slope there (the next step's slope).
            step = self.steps[position - 1]
            text.append(f"iteration {step.iteration}: w = {_num(w)}\n", style="bold")
            text.append(f"w ← {_num(step.params[0])} - {_num(self.lr)}·({_num(step.grad[0])}) = {_num(w)}\n")
            text.append(f"J(w) = {_num(step.cost_after)}   dJ/dw = {_num(self.grad_at(position))}")
        if position == self.total_frames and self.summary and (self.kind == "diverged" or not self.holding):
            style = "bold red" if self.kind == "diverged" else "bold"
            text.append(f"\n{self.summary}", style=style)
        self.query_one("#d1-status", Static).update(text)
        self.query_one("#d1-message", Static).update(Text(self.message, style="yellow") if self.message else "")
        self._draw_parabola(position)
        self._draw_data(w)

    def _draw_parabola(self, position: int) -> None:
        plot = self.query_one("#d1-parabola", Plot)
        visited = [self.weight_at(k) for k in range(position + 1)]
        finite = [v for v in visited if abs(v) < 1e3]
        low = min([-0.5, *finite]) - 0.5
        high = max([4.5, *finite]) + 0.5
        grid = [low + (high - low) * i / 120 for i in range(121)]
        plot.clear()
        plot.set_title("J(w)  o: before  @: now")
        plot.set_labels("w", "J")
        plot.add_line(None, grid, [one_weight_cost(v, ONE_X, ONE_Z) for v in grid])
        w = visited[-1]
        if abs(w) < 1e3:
            (t0, t1) = tangent_line(
                lambda v: one_weight_cost(v, ONE_X, ONE_Z), lambda v: self.grad_at(position),
                w, (high - low) / 8,
            )
            plot.add_segment(None, t0, t1)
            plot.add_scatter(None, finite[:-1], [one_weight_cost(v, ONE_X, ONE_Z) for v in finite[:-1]], marker="o")
            plot.add_scatter(None, [w], [one_weight_cost(w, ONE_X, ONE_Z)], marker="@")
        top = max(one_weight_cost(v, ONE_X, ONE_Z) for v in (low, high))
        plot.set_xlim(low, high)
        plot.set_ylim(-0.05 * top, top)

    def _draw_data(self, w: float) -> None:
        plot = self.query_one("#d1-data", Plot)
        plot.clear()
        plot.set_title(f"o: data z   line: z = w·x with w = {self.unless_held(_num(w))}")
        plot.set_labels("x", "z")
        plot.add_scatter(None, list(ONE_X), list(ONE_Z), marker="o")
        if abs(w) < 1e3:
            xs = [0.0, max(ONE_X) + 0.5]
            plot.add_line(None, xs, [float(linear_predict(w, 0.0, x)) for x in xs])
        plot.set_xlim(0, max(ONE_X) + 0.5)
        plot.set_ylim(-1, max(ONE_Z) + 2)
