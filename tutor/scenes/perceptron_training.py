"""Scene: the perceptron learning rule, one presentation per frame, with the boundary moving.

Frame 0 is the starting weight; frame k shows the k-th presentation (p, w·p + b, a, t, e and the
update) and the weights after it. Stepping back rewinds to the state before. In predict mode the
learner types the new weight before each update is revealed, and the scene grades it.

On the perceptron-rule exercise's step, once the learner's exercise passes, every new weight
comes from their own `perceptron_update`, called presentation after presentation in a sandboxed
child (`tutor.exercises.learner_calls`, recipe `perceptron_presentations`), and a line says so;
until it passes, or when their function fails, the line says the reference engine trains.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from tutor.engines.perceptron import (
    DATASETS, DECIMALS, TrainingRun, Update, boundary, hardlim, net_input, predict, random_start,
    run_training,
)
from tutor.engines.records import plain, plain_vector
from tutor.exercises.learner_calls import LearnerCode
from tutor.quiz import Problem, grade, parse_vector
from tutor.scenes.base import Scene
from tutor.scenes.plane import PlaneDrawing, draw_plane, visible_box
from tutor.text import format_number, format_vector
from tutor.widgets.plot import Plot

#: Colours of the arrows in the vector view: plotext's name for the plot, Rich's for the legend.
ARROW_COLOURS = {"before": ("blue+", "bright_blue"), "p": ("yellow", "yellow"), "after": ("green+", "bright_green")}


def _vec(values: tuple[float, ...] | list[float]) -> str:
    return format_vector(values)


def _num(value: float) -> str:
    """A factor in a written product: negative numbers in parentheses."""
    return f"({format_number(value)})" if value < 0 else format_number(value)


def run_from_weights(inputs, targets, w0, b0: float, weights, biases) -> TrainingRun:
    """A `TrainingRun` whose new weights are the given ones (the learner's, one row per
    presentation, patterns in order epoch after epoch); the net input, output and error of each
    presentation are worked out from the weights before it, as the rule's display shows them.
    Converged: the last epoch changed nothing."""
    count = len(inputs)
    w, b = plain_vector(w0, DECIMALS), plain(b0, DECIMALS)
    updates = []
    for k, (row, bias) in enumerate(zip(weights, biases)):
        p, t = plain_vector(inputs[k % count], DECIMALS), int(targets[k % count])
        net = net_input(w, b, p)
        a = hardlim(net)
        after, b_after = plain_vector(row, DECIMALS), plain(bias, DECIMALS)
        updates.append(Update(index=k, epoch=k // count + 1, pattern=k % count, p=p, t=t,
                              w_before=w, b_before=b, net=net, a=a, e=t - a, w_after=after,
                              b_after=b_after))
        w, b = after, b_after
    epochs = updates[-1].epoch
    last = [u for u in updates if u.epoch == epochs]
    converged = len(last) == count and all(u.w_after == u.w_before and u.b_after == u.b_before
                                           for u in last)
    return TrainingRun(updates=tuple(updates), converged=converged, epochs=epochs,
                       changes=sum(u.changed for u in updates), final_w=w, final_b=b)


class PerceptronTrainingScene(LearnerCode, Scene):
    """Trains a perceptron on a small data set and shows every presentation."""

    HELP = """\
**Perceptron training.** Each frame presents one pattern p: the scene computes w·p + b, the
output a = hardlim(w·p + b), the error e = t - a, and applies w ← w + e·p, b ← b + e.
Correct patterns (e = 0) change nothing. Training stops after a whole epoch without errors
(converged) or after the epoch limit.

- `.` next presentation, `,` back to the state before, `space` plays, `end` jumps to the end,
  `r` resets, `+`/`-` speed.
- `x` draws a new random starting point (when the step allows it).
- The line under the table counts the errors (updates) in each epoch: an epoch with 0 errors
  ends the run.
- With arrows shown: w_old, the weights before the update (blue), e·p (yellow: +p or -p) and
  w_new = w_old + e·p (green), all drawn from the origin; the dotted line is the old boundary.
- Predict mode: before each update you are asked for the new weights; type them (e.g. `2, 1.2`)
  and press enter. To skip, press escape and then `.`.
- On the exercise's step, once your perceptron_update passes its checks, every new w and b
  come from it (run in a separate process) and the top line says `▶ your ...`; if it fails,
  that line says why and the reference engine trains instead.
"""

    BINDINGS = [
        Binding("x", "new_start", "New start"),
    ]

    DEFAULT_CSS = """
    PerceptronTrainingScene > Static { height: auto; }
    PerceptronTrainingScene #pt-predict { display: none; height: auto; }
    PerceptronTrainingScene #pt-predict.-asking { display: block; }
    PerceptronTrainingScene #pt-answer { margin: 0; }
    PerceptronTrainingScene #pt-plane { height: 40vh; min-height: 16; margin-top: 1; }
    PerceptronTrainingScene #pt-trail { height: 12; margin-top: 1; }
    PerceptronTrainingScene #pt-trail.-hidden { display: none; }
    PerceptronTrainingScene #pt-legend.-hidden { display: none; }
    """

    FRAME_SECONDS = 0.9
    #: The exercise whose update rule the scene can run on, and that function's name.
    LEARNER_FUNCTIONS = {"perceptron-rule": "perceptron_update"}
    #: Held back while the step's questions are open: each pattern's output now, the results of
    #: every presentation (net input, output, error, new weights) and the run's counts.
    HOLDS_ANSWERS = True

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.dataset = DATASETS[self.choice_param("dataset", DATASETS)]
        self.use_bias: bool = self.bool_param("use_bias")
        self.max_epochs: int = self.int_param("max_epochs")
        self.predict: bool = self.bool_param("predict")
        self.random_ok: bool = self.bool_param("random_start")
        self.show_trail: bool = self.bool_param("show_trail")
        self.show_vectors: bool = self.bool_param("show_vectors")
        self._draw = 0
        self._asked: set[int] = set()
        self._awaiting: int | None = None
        self.init_learner()
        self.reset_state()

    # --- state ----------------------------------------------------------------------------------

    def reset_state(self) -> None:
        """Back to the lesson's starting weights."""
        weights = self.numbers_param("weights")
        bias = self.float_param("bias") if self.use_bias else 0.0
        self._start(tuple(weights), bias)

    def _start(self, weights: tuple[float, ...], bias: float) -> None:
        self.w0, self.b0 = tuple(weights), bias
        self.reference_run: TrainingRun = run_training(
            self.dataset.inputs, self.dataset.targets, self.w0, self.b0,
            use_bias=self.use_bias, max_epochs=self.max_epochs,
        )
        self.run: TrainingRun = self.reference_run
        """The run shown: the learner's once their update rule gave it, else the reference."""
        self._asked = set()
        self._awaiting = None
        self._start_learner()

    # --- the learner's update rule --------------------------------------------------------------

    def _start_learner(self) -> None:
        """Train with the learner's perceptron_update in the sandbox (when their exercise passes)."""
        self.start_learner_call(
            "recipe:perceptron_presentations", np.array(self.dataset.inputs, dtype=np.float64),
            np.array(self.dataset.targets), np.array(self.w0, dtype=np.float64), float(self.b0),
            self.use_bias, self.max_epochs,
        )

    def learner_changed(self) -> None:
        """The exercise's status or file changed: the reference until their run is in."""
        self.run = self.reference_run
        self._start_learner()
        self.show_run_again()

    def learner_arrived(self) -> None:
        """Their run is in (or their function failed: back to the reference)."""
        value = self.learner_value
        self.run = self.reference_run
        if value is not None:
            try:
                self.run = run_from_weights(self.dataset.inputs, self.dataset.targets, self.w0,
                                            self.b0, value["weights"], value["biases"])
            except (KeyError, TypeError, ValueError, IndexError) as error:
                self.learner_value = None
                self.learner.problem = f"its weights could not be shown: {error}"
        self.show_run_again()

    def on_unmount(self) -> None:
        """A running call of the learner's code is stopped (its child killed)."""
        self.stop_learner()

    @property
    def total_frames(self) -> int:
        """One frame per presentation."""
        return len(self.run.updates)

    def state_at(self, position: int) -> tuple[tuple[float, ...], float]:
        """(w, b) after `position` presentations."""
        if position == 0:
            return self.w0, self.b0
        update = self.run.updates[position - 1]
        return update.w_after, update.b_after

    # --- transport with predictions -------------------------------------------------------------

    def step_forward(self) -> None:
        """In predict mode, ask for the next weights first; otherwise advance."""
        following = self.position + 1
        if self.predict and following <= self.total_frames and following not in self._asked:
            self._asked.add(following)
            self.playing = False
            self._ask(following)
            return
        self._close_prompt()
        super().step_forward()

    def step_back(self) -> None:
        """Rewind one presentation (and drop a pending question)."""
        self._close_prompt()
        super().step_back()

    def to_end(self) -> None:
        """Jump to the last presentation (dropping a pending question)."""
        self._close_prompt()
        super().to_end()

    def action_new_start(self) -> None:
        """Train again from a new random (seeded) starting point."""
        if not self.random_ok:
            self.notify("This step starts from the lesson's weights; r resets them.", timeout=3)
            return
        self._draw += 1
        weights, bias = random_start(np.random.default_rng(self._draw))
        self.playing = False
        self._close_prompt()
        self._start(weights, bias if self.use_bias else 0.0)
        self.position = 0
        self.redraw()
        self._post_state()

    def _ask(self, frame: int) -> None:
        update = self.run.updates[frame - 1]
        wanted = "w1, w2, b" if self.use_bias else "w1, w2"
        self.query_one("#pt-question", Static).update(
            Text.assemble(
                ("Predict: ", "bold"),
                f"presenting p = {_vec(update.p)} (t = {update.t}) to w = {_vec(update.w_before)}"
                + (f", b = {format_number(update.b_before)}" if self.use_bias else "")
                + f". Type the new {wanted}, then enter.",
            )
        )
        answer = self.query_one("#pt-answer", Input)
        answer.value = ""
        answer.placeholder = "e.g. 2, 1.2" if not self.use_bias else "e.g. 2, 1.2, -1"
        self.query_one("#pt-predict").add_class("-asking")
        self._awaiting = frame
        answer.focus()

    def _close_prompt(self) -> None:
        if self._awaiting is None:
            return
        self._awaiting = None
        self.query_one("#pt-predict").remove_class("-asking")
        if self.screen.focused is self.query_one("#pt-answer", Input):
            self.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Grade the learner's prediction, then reveal the update."""
        event.stop()
        if self._awaiting is None:
            return
        update = self.run.updates[self._awaiting - 1]
        answer = tuple(update.w_after) + ((update.b_after,) if self.use_bias else ())
        problem = Problem(
            question_id="predict-update", kind="vector", prompt="", options=(), answer=answer,
            tolerance=1e-6, explanation="", hints=(),
        )
        feedback = grade(problem, event.value)
        line = self.query_one("#pt-feedback", Static)
        if feedback.status == "invalid":
            line.update(Text(f"? {feedback.message}", style="bold yellow"))
            return
        if feedback.status == "correct":
            line.update(Text(f"✓ Right: {_vec(answer)}.", style="bold green"))
        elif self.holding:
            line.update(Text("✗ Not what the rule gives; work it through again.", style="bold red"))
            return
        else:
            said = _vec(parse_vector(event.value))  # readable: the grade was not "invalid"
            if len(said) > 40:
                said = said[:39] + "…"
            line.update(Text(f"✗ You said {said}; the rule gives {_vec(answer)}.", style="bold red"))
        frame = self._awaiting
        self._close_prompt()
        self.position = frame

    # --- drawing --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="pt-learner")
        yield Static(id="pt-header")
        yield Static(id="pt-patterns")
        yield Static(id="pt-step")
        with Vertical(id="pt-predict"):
            yield Static(id="pt-question")
            yield Input(id="pt-answer")
        yield Static(id="pt-feedback")
        yield Static(id="pt-status")
        yield Static(id="pt-epochs")
        yield Plot(id="pt-plane")
        yield Static(id="pt-legend", classes="" if self.show_vectors else "-hidden")
        yield Plot(id="pt-trail", classes="" if self.show_trail else "-hidden")

    def on_resize(self) -> None:
        """Keep equal scale when the size changes."""
        if self.children:
            self._draw_plane(self.position)

    def show_frame(self, position: int) -> None:
        """The presented pattern, the computation, the patterns' state and the plots."""
        line = self.query_one("#pt-learner", Static)
        line.display, text = self.learner_text()
        line.update(text)
        w, b = self.state_at(position)
        start = f"start w = {_vec(self.w0)}" + (f", b = {format_number(self.b0)}" if self.use_bias else ", no bias")
        self.query_one("#pt-header", Static).update(
            Text.assemble((self._label(), "bold"), f" · {start}", ("   x: new start" if self.random_ok else "", "dim"))
        )
        self.query_one("#pt-patterns", Static).update(self._patterns(w, b, position))
        self.query_one("#pt-step", Static).update(self._computation(position))
        self.query_one("#pt-status", Static).update(self._status(position))
        self.query_one("#pt-epochs", Static).update(self._epoch_errors(position))
        if self.show_vectors:
            self.query_one("#pt-legend", Static).update(self._legend(position))
        self._draw_plane(position)
        if self.show_trail:
            self._draw_trail(position)

    def _label(self) -> str:
        """A short name for the data set: "test problem", "AND", "XOR"..."""
        if self.dataset.name == "seed-test":
            return "test problem"
        if self.dataset.name == "xor-hidden":
            return "XOR seen by the hidden units"
        return self.dataset.name.upper()

    def _patterns(self, w: tuple[float, ...], b: float, position: int) -> Text:
        text = Text()
        current = self.run.updates[position - 1].pattern if position else None
        sources = self.dataset.sources
        for i, (p, t) in enumerate(zip(self.dataset.inputs, self.dataset.targets)):
            a = int(predict(w, b, p))
            marker = "▶" if i == current else " "
            mark = self.unless_held("✓" if a == t else "✗", "")
            style = "bold" if i == current else ""
            if sources:  # x → h: the input and where the hidden units put it
                text.append(f"{marker}x {_vec(sources[i])} → h {_vec(p)}  t = {t}  a = {self.unless_held(a)} {mark}\n",
                            style=style)
                continue
            text.append(f"{marker}p{i + 1} = {_vec(p):<9} t = {t}   now a = {self.unless_held(a)} {mark}\n", style=style)
        text.rstrip()
        return text

    def _computation(self, position: int) -> Text:
        if position == 0:
            return Text("Press . to present the first pattern.", style="dim")
        u: Update = self.run.updates[position - 1]
        terms = " + ".join(f"{_num(wi)}·{_num(pi)}" for wi, pi in zip(u.w_before, u.p))
        bias = f" + {_num(u.b_before)}" if self.use_bias else ""
        text = Text()
        # Short lines: the scene is about 36 columns wide at 80x24.
        text.append(f"epoch {u.epoch}, p{u.pattern + 1} = {_vec(u.p)}, t = {u.t}\n", style="bold")
        if self.holding:
            text.append(f"w·p{' + b' if self.use_bias else ''} = ?\n")
            text.append("a = hardlim(?) = ?; e = t - a = ?\n")
            text.append("held back until you answer", style="dim")
            return text
        text.append(f"w·p{' + b' if self.use_bias else ''} = {terms}{bias} = {format_number(u.net)}\n")
        text.append(f"a = hardlim({format_number(u.net)}) = {u.a}; e = {u.t} - {u.a} = {u.e}\n")
        if u.e == 0:
            text.append("e = 0: right already, nothing changes.", style="green")
        else:
            sign = "+" if u.e > 0 else "-"
            text.append(f"w ← {_vec(u.w_before)} {sign} {_vec(u.p)} = {_vec(u.w_after)}", style="bold")
            if self.use_bias:
                text.append(f"\nb ← {format_number(u.b_before)} {sign} 1 = {format_number(u.b_after)}", style="bold")
        return text

    def _status(self, position: int) -> Text:
        done = position >= self.total_frames
        changes = sum(1 for u in self.run.updates[:position] if u.changed)
        if self.holding:
            return Text(f"presentation {position} · results held", style="dim")
        if not done:
            noun = "update" if changes == 1 else "updates"
            return Text(f"presentation {position} of {self.total_frames} · {changes} {noun}", style="dim")
        if self.run.converged:
            return Text(
                f"✓ Converged: epoch {self.run.epochs} had no errors. {self.run.changes} updates in "
                f"{self.run.epochs} epochs; final w = {_vec(self.run.final_w)}"
                + (f", b = {format_number(self.run.final_b)}" if self.use_bias else ""),
                style="bold green",
            )
        return Text(
            f"✗ Stopped after {self.run.epochs} epochs with errors in every epoch "
            f"({self.run.changes} updates). No line separates these classes.",
            style="bold",
        )

    def _epoch_errors(self, position: int) -> Text:
        """Errors (updates) per epoch for the epochs presented so far; the current one open."""
        text = Text("errors per epoch: ", style="bold")
        if self.holding:
            text.append("?", style="dim")
            return text
        if position == 0:
            text.append("-", style="dim")
            return text
        seen = self.run.updates[:position]
        counts = [0] * seen[-1].epoch
        for u in seen:
            counts[u.epoch - 1] += u.changed
        complete = position == self.total_frames or self.run.updates[position].epoch != seen[-1].epoch
        for k, count in enumerate(counts):
            last = k == len(counts) - 1
            if last and not complete:
                text.append(f"{count}…", style="dim")
            else:
                text.append(str(count), style="bold green" if count == 0 else "")
            if not last:
                text.append(" ")
        return text

    def _legend(self, position: int) -> Text:
        """What the arrows in the plane are, in their colours."""
        text = Text()
        entries = [("before", "━ w_old  ")]
        u = self.run.updates[position - 1] if position else None
        if u is None:
            entries = [("before", "━ w  "), ("p", f"━ p{'' if self.dataset.sources else '1'} = the next pattern")]
        elif self.holding:
            entries.append(("p", "━ p presented"))
        elif u.e == 0:
            entries = [("before", "━ w (unchanged: e = 0)  "), ("p", "━ p presented")]
        else:
            entries += [("p", f"━ {'+' if u.e > 0 else '-'}p  "), ("after", "━ w_new  ")]
        for key, words in entries:
            text.append(words, style=ARROW_COLOURS[key][1])
        if u is not None and u.e != 0 and not self.holding:
            text.append("··· old line", style="dim")
        return text

    def _box(self) -> tuple[float, float, float, float]:
        points = list(self.dataset.inputs)
        if self.show_vectors:  # room for every arrow of the run, so the view never jumps
            points += [self.w0, (0.0, 0.0)] + [u.w_after for u in self.run.updates]
            points += [tuple(-v for v in u.p) for u in self.run.updates if u.e < 0]
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        return min(xs) - 0.5, max(xs) + 0.5, min(ys) - 0.5, max(ys) + 0.5

    def _draw_plane(self, position: int) -> None:
        plot = self.query_one("#pt-plane", Plot)
        limits = visible_box(plot, self._box())
        u = self.run.updates[position - 1] if position else None
        # While the step's questions are open, the line after an update would give it away.
        w, b = (u.w_before, u.b_before) if (u is not None and self.holding) else self.state_at(position)
        drawing = PlaneDrawing(title="o: t=1  x: t=0  *: presented")
        drawing.xlabel, drawing.ylabel = self.dataset.axes
        segment = boundary(w, b, limits)
        if segment is not None:
            drawing.segments.append(segment)
        if self.show_vectors:
            self._add_vectors(drawing, position, limits)
        current = self.run.updates[position - 1].pattern if position else None
        pairs = list(zip(self.dataset.inputs, self.dataset.targets))
        drawing.add_points("o", [p for i, (p, t) in enumerate(pairs) if t == 1 and i != current])
        drawing.add_points("x", [p for i, (p, t) in enumerate(pairs) if t == 0 and i != current])
        if current is not None:
            drawing.add_points("*", [self.dataset.inputs[current]])
        draw_plane(plot, drawing, limits)

    def _add_vectors(self, drawing: PlaneDrawing, position: int, limits) -> None:
        """w before (and after) the update and the ±p added to it, from the origin."""
        origin = (0.0, 0.0)
        colour = {key: plot_colour for key, (plot_colour, _) in ARROW_COLOURS.items()}
        if position == 0:
            drawing.vectors.append((origin, tuple(self.w0), "braille", colour["before"]))
            drawing.vectors.append((origin, tuple(self.dataset.inputs[0]), "braille", colour["p"]))
            return
        u = self.run.updates[position - 1]
        drawing.vectors.append((origin, tuple(u.w_before), "braille", colour["before"]))
        if self.holding or u.e == 0:
            drawing.vectors.append((origin, tuple(u.p), "braille", colour["p"]))
            return
        step = tuple(u.e * v for v in u.p)
        old = boundary(u.w_before, u.b_before, limits)
        if old is not None:
            drawing.guides.append(old)
        drawing.vectors.append((origin, step, "braille", colour["p"]))
        drawing.vectors.append((origin, tuple(u.w_after), "braille", colour["after"]))

    def _draw_trail(self, position: int) -> None:
        plot = self.query_one("#pt-trail", Plot)
        path = [self.state_at(k)[0] for k in range(position + 1)]
        plot.clear()
        plot.set_title("the weights (w1, w2) so far   @: now")
        plot.set_labels("w1", "w2")
        plot.add_line(None, [p[0] for p in path], [p[1] for p in path], marker="braille")
        plot.add_scatter(None, [path[-1][0]], [path[-1][1]], marker="@")
