"""Scene: the learner does the backward pass, one edge at a time, and the engine checks it.

For each edge, in backward order, the learner types the gate's local gradient, then the product
with the upstream gradient. Answers are parsed (never eval'ed) and compared with the engine's
values; at the end each input's gradient is also checked against a finite difference.

On a step with the sigmoid-chain-rule exercise, once it passes, the graph's numbers (the output
and the gradients the answers are checked against and revealed) come from the learner's own
functions in a sandboxed child, as in graph-steps (`tutor.scenes.graph_steps.LearnerGraph`:
`chain_rule_example` on the chain, `sigmoid` and `sigmoid_backward` on the sigmoid neuron),
and a line says so; the finite-difference check then checks their gradients.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from tutor.engines.autograd import numerical_gradient
from tutor.engines.autograd_steps import BackwardStep
from tutor.engines.expression import build, parse
from tutor.quiz import AnswerFormatError, parse_number
from tutor.scenes.graph_steps import EXAMPLES, GraphStepper, LearnerGraph
from tutor.text import format_number as format_decimal
from tutor.widgets.graph_view import GraphView, format_number

#: Each example as an expression of its inputs, for the finite-difference check.
FORMULAS = {
    "chain": ("(x + y) * z", {"x": -2.0, "y": 5.0, "z": -4.0}),
    "sigmoid-neuron": (
        "1 / (exp(-(w2 + (w0*x0 + w1*x1))) + 1)",
        {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0},
    ),
}


def close_enough(answer: float, truth: float) -> bool:
    """Learners round: accept 0.01 absolute or 2% relative."""
    return abs(answer - truth) <= max(0.01, 0.02 * abs(truth))


class GraphDrillScene(LearnerGraph, GraphStepper):
    """Backward pass by hand: local gradient, then upstream product, for every edge."""

    HELP = """\
**Backward-pass drill.** The highlighted edge runs from a gate back to one of its inputs.
First type the gate's **local gradient** (how the gate's output changes with that input), then
the **product** of it with the upstream gradient (the gradient already at the gate). Press enter
after each. Answers within 0.01 (or 2%) count, so rounded values are fine.

- `escape` leaves the answer field; then `.` reveals the current edge and moves on, `,` goes back.
- `ctrl+t` shows a hint for the current question.
- At the end every input's gradient is compared with a finite difference.
- On the exercise's step, once your functions pass their checks, the graph's numbers come from
  them (run in a separate process; the top line says `▶ your ...`): your chain_rule_example on
  f = (x + y)·z, your sigmoid and sigmoid_backward on the sigmoid neuron (z and ∂z/∂t, which the
  + and × gates pass on). Your answers are checked against them, and so is the finite difference.
"""

    BINDINGS = [Binding("ctrl+t", "hint", "Hint")]

    SCOPED_CSS = False
    DEFAULT_CSS = """
    GraphDrillScene #drill-answer { margin: 0; }
    """

    PHASE = "backward"

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.example = self.choice_param("example", EXAMPLES)
        root, named = EXAMPLES[self.example]()
        self.load(root)
        self.init_learner_graph(named)
        # The output's seed ∂f/∂f = 1 is given (frame 1); the learner does every edge after it.
        self.stage = "local"  # which half of the current edge is asked
        self.feedback = Text()
        self.correct = 0

    @property
    def initial_position(self) -> int:
        """The seed ∂f/∂f = 1 is already done."""
        return 1

    def reset_state(self) -> None:
        """Start the drill again."""
        self.stage = "local"
        self.feedback = Text()
        self.correct = 0

    def _edge(self) -> BackwardStep | None:
        """The edge being asked (the step after the current position), or None when done."""
        if self.position >= self.total_frames:
            return None
        return self.backward[self.position]

    def _names(self, step: BackwardStep) -> tuple[str, str]:
        assert self.full is not None
        node, via = self.full.nodes[step.node], self.full.nodes[step.via]
        return (node.label or format_decimal(node.value)), (via.label or via.op)

    def on_focus(self) -> None:
        """Focus goes straight to the answer field while there is something to answer."""
        if self._edge() is not None:
            self.query_one("#drill-answer", Input).focus()

    # --- transport ------------------------------------------------------------------------------

    def step_forward(self) -> None:
        """Reveal the current edge and move on."""
        if self._edge() is not None:
            self.feedback = Text("Revealed: " + self.formula(self._edge()), style="yellow")
            self.stage = "local"
        super().step_forward()

    def step_back(self) -> None:
        """Go back one edge (never before the seed)."""
        self.stage = "local"
        if self.position > self.initial_position:
            super().step_back()

    # --- answering ------------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Check the typed number against the engine."""
        event.stop()
        step = self._edge()
        if step is None:
            return
        field = event.input
        try:
            answer = parse_number(event.value)
        except AnswerFormatError as error:
            self.feedback = Text(f"? {error}", style="yellow")
            self.redraw()
            return
        node, via = self._names(step)
        if self.stage == "local":
            if close_enough(answer, step.local):
                self.feedback = Text(f"✓ ∂{via}/∂{node} = {format_number(step.local)}. Now times the upstream.",
                                     style="green")
                self.stage = "product"
            else:
                self.feedback = Text("✗ Not the local gradient of this gate; try again (ctrl+t for a hint).",
                                     style="red")
        else:
            if close_enough(answer, step.contribution):
                self.correct += 1
                self.feedback = Text(f"✓ {self.formula(step)}", style="green")
                self.stage = "local"
                field.value = ""
                self.position += 1
                return
            self.feedback = Text("✗ Multiply the local gradient by the gradient at the gate.", style="red")
        field.value = ""
        self.redraw()

    def action_hint(self) -> None:
        """A hint for the current half of the current edge."""
        step = self._edge()
        if step is None:
            return
        node, via = self._names(step)
        if self.stage == "local":
            hint = (f"How does {via} change when {node} changes by a little, the gate's other "
                    f"inputs held fixed? For + it is 1, for * the other input, for 1/v it is -1/v².")
        else:
            hint = f"The gradient already at {via} is {format_number(step.upstream)}."
        self.feedback = Text("Hint: " + hint, style="italic")
        self.redraw()

    # --- drawing --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="graph-learner")
        yield GraphView(id="graph")
        yield Static(id="drill-question")
        yield Input(placeholder="a number, e.g. -0.53", id="drill-answer", restrict=r"[0-9eE.+\-/ ]*",
                    compact=True)
        yield Static(id="graph-step")

    def show_frame(self, position: int) -> None:
        """The graph with the gradients found so far, the question, and the feedback."""
        if self.full is None:
            return
        line = self.query_one("#graph-learner", Static)
        line.display, text = self.learner_text(self.content_size.width)
        line.update(text)
        view = self.query_one(GraphView)
        view.graph = self.graph_at(position)
        step = self._edge()
        question = Text()
        if step is None:
            question.append("Done! ", style="bold green")
            question.append(f"{self.correct} of {self.total_frames - 1} edges by yourself.\n")
            question.append(self._finite_difference_check())
            view.highlight = frozenset()
            view.edge_highlight = None
            self.query_one("#drill-answer", Input).display = False
        else:
            node, via = self._names(step)
            index = position
            question.append(f"edge {index}/{self.total_frames - 1}: ", style="bold")
            if self.stage == "local":
                question.append(f"local gradient ∂{via}/∂{node} = ?")
            else:
                question.append(f"∂out/∂{node} along this edge = upstream × local = ?")
            view.highlight = frozenset({step.node, step.via})
            view.edge_highlight = (step.node, step.via)
            self.query_one("#drill-answer", Input).display = True
        self.query_one("#drill-question", Static).update(question)
        self.query_one("#graph-step", Static).update(self.feedback)

    def _finite_difference_check(self) -> Text:
        """Each input's gradient (the engine's, or the learner's code's) next to a central
        difference."""
        text = Text("Finite-difference check:\n", style="bold")
        formula, values = FORMULAS[self.example]
        expr = parse(formula)
        final = self.graph_at(self.total_frames)
        whose = "yours" if self.on_learner_code else "backprop"
        for node in final.nodes:
            if node.is_leaf and node.label in values and node.grad is not None:
                numeric = numerical_gradient(lambda v: build(expr, v), values, node.label)
                mark = "✓" if abs(numeric - node.grad) < 1e-5 else "✗"
                text.append(f"  ∂/∂{node.label}: {whose} {node.grad:.4f}, numerical {numeric:.4f} {mark}\n")
        text.rstrip()
        return text
