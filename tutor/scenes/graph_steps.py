"""Scene: a computational graph, values flowing forward node by node, gradients back edge by edge.

Frames: first one per inner node of the forward pass (its value appears, the rest still show ?),
then one per edge of the backward pass (local gradient × upstream gradient, added where a value is
used twice). The graph is drawn by GraphView; the step's formula is written underneath.

On the sigmoid-chain-rule exercise's step (example "chain"), once the learner's exercise passes,
the output f and the gradients reaching x, y and z come from their own `chain_rule_example`,
run in a sandboxed child (`tutor.exercises.learner_calls`), and a line says so; until it passes,
or when their function fails, the line says the reference engine computes them.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from tutor.engines.autograd import (
    Graph, Value, reuse_example, seed_chain_example, seed_sigmoid_neuron, trace,
)
from tutor.engines.autograd_steps import BackwardStep, ForwardStep, backward_steps, forward_steps
from tutor.exercises.learner_calls import LearnerCode
from tutor.graph_layout.formulas import backward_formula, forward_formula, held_formula
from tutor.scenes.base import Scene
from tutor.widgets.graph_view import GraphView, format_number

#: The graphs a lesson can name.
EXAMPLES = {
    "chain": seed_chain_example,
    "sigmoid-neuron": seed_sigmoid_neuron,
    "reuse": reuse_example,
}


class GraphStepper(Scene):
    """A scene that animates the forward and backward passes of one graph (set with `load`)."""

    SCOPED_CSS = False
    DEFAULT_CSS = """
    GraphStepper > Static { height: auto; }
    GraphStepper GraphView { height: 15; }
    LessonScreen.-tall GraphStepper GraphView { height: 22; }
    """

    FRAME_SECONDS = 1.2
    ROOMY = True
    #: The passes shown ("forward", "backward" or "both") when the registry declares no `phase`.
    PHASE: ClassVar[str] = "both"

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        # graph-steps takes `phase` from its lesson; the drill and the playground set PHASE.
        self.phase: str = self.choice_param("phase") if self.param_spec("phase") else self.PHASE
        self.root: Value | None = None
        self.full: Graph | None = None
        self.forward: list[ForwardStep] = []
        self.backward: list[BackwardStep] = []
        #: The gradient reaching each constant (the 1 in u + 1): no frame of its own, shown
        #: once the backward pass is complete, so no box keeps ∂ = ? at the end.
        self.constant_grads: dict[int, float] = {}

    # --- state ----------------------------------------------------------------------------------

    def load(self, root: Value) -> None:
        """Animate the graph under `root` (its values are computed; gradients are not yet)."""
        self.root = root
        self.full = trace(root, with_grads=False)
        self.forward = forward_steps(root) if self.phase in ("forward", "both") else []
        steps = backward_steps(root) if self.phase in ("backward", "both") else []
        # Gradients flowing into constants (the 1 in u + 1) teach nothing: leave those edges out.
        constants = {node.id for node in self.full.nodes if node.is_leaf and not node.label}
        self.backward = [step for step in steps if step.node not in constants]
        self.constant_grads = {step.node: step.grad_after for step in steps
                               if step.node in constants}

    def clear(self) -> None:
        """Draw nothing (a typed expression that does not parse)."""
        self.root = None
        self.full = None
        self.forward, self.backward, self.constant_grads = [], [], {}

    def formula(self, step: ForwardStep | BackwardStep) -> str:
        """The step written out over the graph's names ("q = x + y = -2 + 5 = 3")."""
        assert self.full is not None
        if isinstance(step, ForwardStep):
            return forward_formula(self.full, step)
        return backward_formula(self.full, step)

    @property
    def total_frames(self) -> int:
        """Forward steps, then backward steps."""
        return len(self.forward) + len(self.backward)

    def graph_at(self, position: int) -> Graph:
        """The graph as known after `position` frames: unknown values are NaN, unknown grads None."""
        assert self.full is not None
        known_values: set[int] = {n.id for n in self.full.nodes if n.is_leaf}
        if self.phase == "backward":
            known_values = {n.id for n in self.full.nodes}
        else:
            known_values |= {step.node for step in self.forward[:position]}
        grads: dict[int, float] = {}
        for step in self.backward[: max(0, position - len(self.forward))]:
            grads[step.node] = step.grad_after
        if self.backward and position >= self.total_frames:
            grads.update(self.constant_grads)
        if self.holding:  # only the inputs: every computed value and gradient shows ?
            known_values = {n.id for n in self.full.nodes if n.is_leaf}
            grads = {}
        nodes = tuple(
            replace(
                node,
                value=node.value if node.id in known_values else math.nan,
                grad=grads.get(node.id),
            )
            for node in self.full.nodes
        )
        return Graph(nodes=nodes, output=self.full.output)

    def current(self, position: int) -> ForwardStep | BackwardStep | None:
        """The step shown at frame `position` (None at frame 0)."""
        if position == 0:
            return None
        if position <= len(self.forward):
            return self.forward[position - 1]
        return self.backward[position - len(self.forward) - 1]

    # --- drawing --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield GraphView(id="graph")
        yield Static(id="graph-step")

    def show_frame(self, position: int) -> None:
        """Draw the graph as known at `position` and write the current step's formula."""
        if self.full is None:
            return
        view = self.query_one(GraphView)
        view.graph = self.graph_at(position)
        step = self.current(position)
        text = Text()
        if step is None:
            first = "the forward pass" if self.forward else "the backward pass"
            text.append(f"Press . to start {first}.", style="dim")
            view.highlight = frozenset()
            view.edge_highlight = None
        elif isinstance(step, ForwardStep):
            text.append(f"forward {position}/{len(self.forward)}: ", style="bold")
            formula = self.formula(step)
            text.append(held_formula(formula) if self.holding else formula)
            view.highlight = frozenset({step.node})
            view.edge_highlight = None
        else:
            index = position - len(self.forward)
            text.append(f"backward {index}/{len(self.backward)}: ", style="bold")
            formula = self.formula(step)
            text.append(held_formula(formula) if self.holding else formula)
            if step.via >= 0 and not self.holding:
                text.append(
                    f"\nlocal gradient {format_number(step.local)} × upstream "
                    f"{format_number(step.upstream)} = {format_number(step.contribution)}",
                    style="dim",
                )
            view.highlight = frozenset({step.node} | ({step.via} if step.via >= 0 else set()))
            view.edge_highlight = (step.node, step.via) if step.via >= 0 else None
        if position == self.total_frames and self.backward and not self.holding:
            text.append("\n")
            text.append(self._summary(), style="bold")
        self.query_one("#graph-step", Static).update(text)
        # A graph larger than the view scrolls to keep the step's nodes in sight.
        self.call_after_refresh(view.show_nodes, set(view.highlight))

    def _summary(self) -> str:
        """All the leaves' gradients once the backward pass is done."""
        assert self.full is not None
        final = self.graph_at(self.total_frames)
        parts = [
            f"∂/∂{node.label} = {format_number(node.grad)}"
            for node in final.nodes
            if node.is_leaf and node.label and node.grad is not None
        ]
        return "Gradients: " + ", ".join(parts)


#: The leaves whose gradients `chain_rule_example` returns, in its order after f.
CHAIN_LEAVES = ("x", "y", "z")


class GraphStepsScene(LearnerCode, GraphStepper):
    """One of the seed's graphs (chain, sigmoid neuron, or a graph that reuses a value)."""

    #: Held back while the step's questions are open: every computed value and gradient (the
    #: frames still walk the graph, writing each step's formula without its numbers).
    HOLDS_ANSWERS = True

    HELP = """\
**Computational graph.** Each box is a value: inputs on the left, the output on the right.
The top line is the value (? until the forward pass reaches it), the bottom line its gradient
∂ (? until the backward pass reaches it).

- `.` next step: forward node by node, then backward edge by edge; `,` one step back.
- `space` plays, `end` jumps to the end, `r` resets, `+`/`-` speed.
- Backward, each step multiplies the **local gradient** of one gate by the **upstream**
  gradient arriving from the output; where a value feeds two gates, the contributions add.
- On the exercise's step, once your chain_rule_example passes its checks, f and the
  gradients of x, y and z come from it (run in a separate process) and the top line says
  `▶ your ...`; if it fails, that line says why and the reference engine computes them.
"""

    #: The exercise whose chain rule the scene can run on (the "chain" example only).
    LEARNER_FUNCTIONS: ClassVar[dict[str, str]] = {"sigmoid-chain-rule": "chain_rule_example"}

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.init_learner()
        self.example: str = self.choice_param("example", EXAMPLES)
        root, self.named = EXAMPLES[self.example]()
        self.load(root)
        self.reference = (self.full, self.forward, self.backward)
        """The engine's graph and steps, kept while the learner's numbers are shown."""
        if self.example != "chain":
            self.LEARNER_FUNCTIONS = {}  # type: ignore[misc] - their function computes the chain

    # --- the learner's chain rule ---------------------------------------------------------------

    def learner_changed(self) -> None:
        """The exercise's status or file changed: the reference until their numbers are in."""
        self.full, self.forward, self.backward = self.reference
        self.start_learner_call("chain_rule_example",
                                *(float(self.named[name].data) for name in CHAIN_LEAVES))
        self.redraw()

    def learner_arrived(self) -> None:
        """Their f and gradients are in: put them in the graph (or fall back, in one line)."""
        self.full, self.forward, self.backward = self.reference
        value = self.learner_value
        if value is not None:
            numbers = None
            if isinstance(value, (tuple, list)) and len(value) == 4:
                try:
                    numbers = [float(v) for v in value]
                except (TypeError, ValueError):
                    numbers = None
            if numbers is None:
                name = type(value).__name__
                what = (f"{len(value)} values" if isinstance(value, (tuple, list))
                        else f"{'an' if name[:1] in 'aeiou' else 'a'} {name}")
                self.learner_value = None
                self.learner.problem = (f"chain_rule_example returned {what}; expected the four "
                                        "numbers (f, df/dx, df/dy, df/dz)")
            else:
                self._use_learner_numbers(numbers[0], dict(zip(CHAIN_LEAVES, numbers[1:])))
        self.redraw()

    def _use_learner_numbers(self, f: float, grads: dict[str, float]) -> None:
        """The output's value and the leaves' gradients as the learner's function gave them."""
        assert self.full is not None
        output = self.full.output
        ids = {node.label: node.id for node in self.full.nodes if node.label in grads}
        self.full = Graph(nodes=tuple(replace(node, value=f) if node.id == output else node
                                      for node in self.full.nodes), output=output)
        self.forward = [replace(step, value=f) if step.node == output else step for step in self.forward]
        by_id = {ids[name]: grad for name, grad in grads.items() if name in ids}
        self.backward = [
            replace(step, grad_after=by_id[step.node], contribution=by_id[step.node] - step.grad_before)
            if step.node in by_id else step for step in self.backward
        ]

    def on_unmount(self) -> None:
        """A running call of the learner's code is stopped (its child killed)."""
        self.stop_learner()

    def compose(self) -> ComposeResult:
        yield Static(id="graph-learner")
        yield from super().compose()

    def show_frame(self, position: int) -> None:
        """The line that says whose code computed the numbers, then the graph."""
        line = self.query_one("#graph-learner", Static)
        kind, words = self.learner_line()
        line.display = bool(kind)
        style = {"yours": "bold green", "running": "bold", "fallback": "bold yellow"}.get(kind, "dim")
        line.update(Text(words, style=style))
        super().show_frame(position)
