"""Scene: a computational graph, values flowing forward node by node, gradients back edge by edge.

Frames: first one per inner node of the forward pass (its value appears, the rest still show ?),
then one per edge of the backward pass (local gradient × upstream gradient, added where a value is
used twice). The graph is drawn by GraphView; the step's formula is written underneath.

On the sigmoid-chain-rule exercise's step, once the learner's exercise passes, the numbers come
from their own functions, run in a sandboxed child (`tutor.exercises.learner_calls`), and a
line says so (`LearnerGraph`, shared with the drill): on the chain example the output f and the
gradients reaching x, y and z from their `chain_rule_example`; on the sigmoid neuron the output
z from their `sigmoid` and the gradient ∂z/∂t from their `sigmoid_backward`, carried on to the
weights and inputs by the + and × gates below. Until it passes, or when their function fails,
the line says the reference engine computes them; on a graph their functions do not compute
(reuse) it says so.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.events import Resize
from textual.widgets import Static

from tutor.engines.autograd import (
    Graph, Value, reuse_example, seed_chain_example, seed_sigmoid_neuron, trace,
)
from tutor.engines.autograd_steps import (
    BackwardStep, ForwardStep, backward_steps, forward_steps, with_learner_numbers,
)
from tutor.exercises.catalogue import get
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

#: For each graph the sigmoid-chain-rule exercise's functions compute, the functions the scene
#: runs on: the chain example is their `chain_rule_example` (f and the gradients of x, y and
#: z), the sigmoid neuron's gate their `sigmoid` and `sigmoid_backward` (z and ∂z/∂t, which the
#: + and × gates below t then pass on). Other graphs (reuse) are not theirs to compute.
GRAPH_FUNCTIONS = {"chain": "chain_rule_example", "sigmoid-neuron": "sigmoid and sigmoid_backward"}


class LearnerGraph(LearnerCode):
    """Runs a graph scene on the learner's sigmoid-chain-rule functions once they pass (the
    chain example and the sigmoid neuron; `GRAPH_FUNCTIONS`), in a sandboxed child, and puts
    their numbers in the graph; other graphs say they stay on the reference engine.

    The scene (a `GraphStepper`) calls `init_learner_graph(named)` once its graph is loaded."""

    #: The exercise whose functions compute the graphs (the function shown depends on the graph).
    LEARNER_FUNCTIONS: ClassVar[dict[str, str]] = {"sigmoid-chain-rule": "chain_rule_example"}

    def init_learner_graph(self, named: dict[str, Value]) -> None:
        """Call in `__init__` after `load`: keep the engine's graph and steps, and say which of
        the learner's functions compute this example (`named`: the example's named nodes)."""
        self.init_learner()
        self.named = named
        self.reference = (self.full, self.forward, self.backward)  # type: ignore[attr-defined]
        """The engine's graph and steps, kept while the learner's numbers are shown."""
        function = GRAPH_FUNCTIONS.get(self.example)  # type: ignore[attr-defined]
        self.LEARNER_FUNCTIONS = {"sigmoid-chain-rule": function or "functions"}  # type: ignore[misc]
        if function is None:
            file_name = get("sigmoid-chain-rule").file_name
            self.learner_elsewhere = f"this graph is not one your {file_name} computes"

    def learner_changed(self) -> None:
        """The exercise's status or file changed: the reference until their numbers are in."""
        self.full, self.forward, self.backward = self.reference  # type: ignore[attr-defined]
        if self.example == "chain":  # type: ignore[attr-defined]
            self.start_learner_call("chain_rule_example",
                                    *(float(self.named[name].data) for name in CHAIN_LEAVES))
        elif not self.learner_elsewhere:
            self.start_learner_call("recipe:sigmoid_gate", float(self.named["t"].data))
        self.redraw()  # type: ignore[attr-defined]

    def learner_arrived(self) -> None:
        """Their numbers are in: put them in the graph (or fall back, in one line)."""
        self.full, self.forward, self.backward = self.reference  # type: ignore[attr-defined]
        value = self.learner_value
        if value is not None:
            numbers = self._learner_numbers(value)
            if numbers is None:
                self.learner_value = None
            else:
                self.full, self.forward, self.backward = with_learner_numbers(  # type: ignore[attr-defined]
                    *self.reference, *numbers)
        self.redraw()  # type: ignore[attr-defined]

    def _learner_numbers(self, value: Any) -> tuple[float, dict[int, float]] | None:
        """The output's value and gradients by node id from what came back, or None with the
        problem said in `learner.problem`."""
        ids = {node.label: node.id for node in self.reference[0].nodes if node.label}
        if self.example != "chain":  # type: ignore[attr-defined]
            # the recipe checked both numbers: z = σ(t), and ∂z/∂t reaches t
            return float(value["z"]), {ids["t"]: float(value["dz"])}
        if isinstance(value, (tuple, list)) and len(value) == 4:
            try:
                f, *grads = (float(v) for v in value)
            except (TypeError, ValueError):
                pass
            else:
                return f, {ids[name]: grad for name, grad in zip(CHAIN_LEAVES, grads)}
        name = type(value).__name__
        what = (f"{len(value)} values" if isinstance(value, (tuple, list))
                else f"{'an' if name[:1] in 'aeiou' else 'a'} {name}")
        self.learner.problem = (f"chain_rule_example returned {what}; expected the four "
                                "numbers (f, df/dx, df/dy, df/dz)")
        return None

    def on_resize(self, event: Resize) -> None:
        """The line that says whose code runs fits itself to the new width."""
        self.redraw()  # type: ignore[attr-defined]

    def on_unmount(self) -> None:
        """A running call of the learner's code is stopped (its child killed)."""
        self.stop_learner()


class GraphStepsScene(LearnerGraph, GraphStepper):
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
- On the exercise's step, once your functions pass their checks, they compute the numbers (run
  in a separate process) and the top line says `▶ your ...`: on f = (x + y)·z your
  chain_rule_example gives f and the gradients of x, y and z; on the sigmoid neuron your sigmoid
  gives z and your sigmoid_backward ∂z/∂t, which the + and × gates pass on to the weights and
  inputs. If they fail, that line says why and the reference engine computes them.
"""

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.example: str = self.choice_param("example", EXAMPLES)
        root, named = EXAMPLES[self.example]()
        self.load(root)
        self.init_learner_graph(named)

    def compose(self) -> ComposeResult:
        yield Static(id="graph-learner")
        yield from super().compose()

    def show_frame(self, position: int) -> None:
        """The line that says whose code computed the numbers, then the graph."""
        line = self.query_one("#graph-learner", Static)
        line.display, text = self.learner_text(self.content_size.width)
        line.update(text)
        super().show_frame(position)
