"""Scene: a computational graph, values flowing forward node by node, gradients back edge by edge.

Frames: first one per inner node of the forward pass (its value appears, the rest still show ?),
then one per edge of the backward pass (local gradient × upstream gradient, added where a value is
used twice). The graph is drawn by GraphView; the step's formula is written underneath.
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


class GraphStepsScene(GraphStepper):
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
"""

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        root, _ = EXAMPLES[self.choice_param("example", EXAMPLES)]()
        self.load(root)
