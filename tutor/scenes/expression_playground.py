"""Scene: the learner types any expression and values; it is parsed safely, drawn and stepped.

The expression goes through `tutor.engines.expression` (a small recursive-descent parser, never
eval): unknown names, syntax errors, missing values, division by zero, overflow and graphs too
big to draw (over `MAX_NODES` nodes) come back as one-line messages under the fields, and the
graph is cleared (the step line says nothing is drawn) until the text is fixed.

Named steps (`q = x + y; f = q * z`) give their nodes short labels. `a`/`d` (or shift+arrows)
pan a graph wider than the view, which also follows the highlighted step; `c` picks a node and
shows its backprop gradient beside a finite difference (clicking a node picks it too).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from tutor.engines.autograd import Value, node_numerical_gradient, topological_order
from tutor.engines.expression import ExpressionError, parse_assignments
from tutor.engines.expression_steps import build_steps, parse_steps, step_variables
from tutor.graph_layout.formulas import node_names, output_name
from tutor.scenes.graph_steps import GraphStepper
from tutor.widgets.graph_view import GraphView, format_number

#: The most nodes (inputs, constants and operations) a typed expression may make. The graph
#: drawing grows much faster than the node count (`x+x+...+x` with 100 nodes is 20,000 columns
#: wide and takes seconds to lay out for every frame), so bigger graphs are refused with a
#: message. The shipped lesson's expressions have at most 11 nodes.
MAX_NODES = 24
#: The longest error line shown under the fields, in characters.
MAX_ERROR = 160


def _printable(message: str) -> str:
    """`message` as one short line a terminal prints as is (control codes become U+FFFD)."""
    flat = " ".join(message.split())
    if len(flat) > MAX_ERROR:
        flat = flat[: MAX_ERROR - 1] + "…"
    return "".join(char if char.isprintable() else "\ufffd" for char in flat)


def build_typed(expression: str, values: str) -> Value:
    """Parse the typed expression and values and build the graph (never eval).

    Args:
        expression: the text of the expression field, e.g. `tanh(a*b + c)`, or named steps
            separated by `;`, e.g. `q = x + y; f = q * z`.
        values: the text of the values field, e.g. `a=2, b=-3, c=1` (may be empty).

    Returns:
        The root of the built graph, its values computed.

    Raises:
        ExpressionError: with one short, printable line for anything wrong: the engine's
            parse, value and overflow errors, a missing value, or a graph over MAX_NODES nodes.
    """
    try:
        steps = parse_steps(expression)
        assignments = parse_assignments(values) if values.strip() else {}
        missing = [name for name in step_variables(steps) if name not in assignments]
        if missing:
            names = ", ".join(missing)
            raise ExpressionError(f"missing value for {names}: add e.g. {missing[0]}=1 to the values")
        root = build_steps(steps, assignments)
    except ExpressionError as error:
        raise ExpressionError(_printable(str(error)), error.column) from None
    nodes = len(topological_order(root))
    if nodes > MAX_NODES:
        raise ExpressionError(
            f"that expression makes a graph of {nodes} nodes, more than the {MAX_NODES} "
            "the playground can draw: try a shorter one"
        )
    return root


class ExpressionPlaygroundScene(GraphStepper):
    """Two fields (expression, values) and the graph they make, forward then backward."""

    HELP = f"""\
**Expression playground.** Type an expression with + - * / ^, parentheses and the functions
exp, log, tanh, sigmoid and relu, e.g. `tanh(a*b + c)` or `1/(1 + exp(-(w*x + b)))`; then the
values of its variables, e.g. `a=2, b=-3, c=1`. Press enter in either field to draw it.
Name intermediate steps with `;` to give their nodes short labels: `q = x + y; f = q * z`
(each step may use the names of the steps before it; the last one is the output).
Nothing you type is run as code: it is parsed by a small grammar. Graphs of up to {MAX_NODES} nodes
(inputs, constants and operations) can be drawn. If the text has a mistake, the graph is
cleared and one line says what is wrong.

- `escape` leaves a field; then `.` steps forward node by node and backward edge by edge,
  `,` steps back, `space` plays, `end` jumps to the end, `r` resets.
- `a` / `d` pan a graph wider than the view left / right (`shift+←` / `shift+→` too),
  `w` / `z` (or `shift+↑` / `shift+↓`) up / down; the view also follows the step.
- `c` checks a node: its gradient from the backward pass beside a finite difference
  (f at the node's value ± 0.00001); press it again for the next node, or click a node.
- `tab` moves between the fields and the scene.
"""

    BINDINGS = [
        Binding("a,shift+left", "pan(-8, 0)", "Pan ←", show=False),
        Binding("d,shift+right", "pan(8, 0)", "Pan →", show=False),
        Binding("w,shift+up", "pan(0, -3)", "Pan ↑", show=False),
        Binding("z,shift+down", "pan(0, 3)", "Pan ↓", show=False),
        Binding("c", "check_node", "Check a node"),
    ]

    #: Held back while the step's questions are open: every computed value and gradient of the
    #: graph (see GraphStepper), so a typed expression is drawn but not worked out.
    HOLDS_ANSWERS = True

    SCOPED_CSS = False
    DEFAULT_CSS = """
    ExpressionPlaygroundScene Input { margin: 0; }
    ExpressionPlaygroundScene #pg-error { height: auto; }
    ExpressionPlaygroundScene GraphView { height: 1fr; min-height: 8; }
    /* Fixed rows under the graph, so the graph's room (and with it boxed or compact
       drawing) stays the same from frame to frame. */
    ExpressionPlaygroundScene #graph-step { height: 5; }
    ExpressionPlaygroundScene #pg-check { height: 1; }
    """

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.expression_text = self.str_param("expression")
        self.values_text = self.str_param("values")
        self.error = ""
        #: The node whose gradient is checked against a finite difference, or None.
        self.checked: int | None = None
        self._try(self.expression_text, self.values_text)

    def reset_state(self) -> None:
        """Back to the lesson's expression and values."""
        self.expression_text = self.str_param("expression")
        self.values_text = self.str_param("values")
        self.error = ""
        self._try(self.expression_text, self.values_text)
        if self.drawable:
            self.query_one("#pg-expression", Input).value = self.expression_text
            self.query_one("#pg-values", Input).value = self.values_text

    def _try(self, expression: str, values: str) -> bool:
        """Parse and build; on success load the new graph, else clear it and say why."""
        self.checked = None
        try:
            root = build_typed(expression, values)
        except ExpressionError as error:
            self.error = str(error)
            self.clear()
            return False
        self.error = ""
        self.load(root)
        return True

    # --- panning and checking -----------------------------------------------------------------

    def action_pan(self, dx: int, dy: int) -> None:
        """Scroll the graph view by (dx, dy) cells."""
        view = self.query_one(GraphView)
        view.scroll_to(view.scroll_x + dx, view.scroll_y + dy, animate=False)

    def action_check_node(self) -> None:
        """Check the next node (inputs first, then the steps, the output last)."""
        if self.full is None:
            return
        count = len(self.full.nodes)
        start = -1 if self.checked is None else self.checked
        for offset in range(1, count + 1):
            node = self.full.nodes[(start + offset) % count]
            if node.label or not node.is_leaf:  # constants are not checked
                self.checked = node.id
                break
        self.redraw()

    def on_graph_view_node_clicked(self, event: GraphView.NodeClicked) -> None:
        """A click on a node checks that node."""
        event.stop()
        self.checked = event.node_id
        self.redraw()

    def check_text(self) -> Text:
        """The checked node's backprop gradient beside a finite difference (or why not yet)."""
        if self.checked is None or self.full is None or self.root is None:
            return Text()
        names = node_names(self.full)
        f = output_name(self.full)
        name = f if self.checked == self.full.output else names[self.checked]
        name = name if name.isidentifier() else f"({name})"
        text = Text(f"check ∂{f}/∂{name}: ", style="bold")
        if self.holding:
            text.append("after you answer the question", style="dim")
            return text
        grads = {step.node: step.grad_after for step in self.backward}
        grads.update(self.constant_grads)
        try:
            numeric = node_numerical_gradient(self.root, self.checked)
        except (ArithmeticError, ValueError):
            text.append("no finite difference here (a nudge leaves the domain)", style="dim")
            return text
        backprop = grads.get(self.checked, 0.0)
        agree = abs(numeric - backprop) <= 1e-4 * max(1.0, abs(backprop))
        text.append(f"backprop {format_number(backprop)}, finite difference "
                    f"{numeric:.4f} {'✓' if agree else '✗'}")
        return text

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in either field: rebuild the graph from both (a mistake clears it)."""
        event.stop()
        expression = self.query_one("#pg-expression", Input).value
        values = self.query_one("#pg-values", Input).value
        if self._try(expression, values):
            self.expression_text, self.values_text = expression, values
        self.playing = False
        self.position = 0
        self.redraw()
        self._post_state()

    def compose(self) -> ComposeResult:
        yield Static("expression:")
        yield Input(self.expression_text, id="pg-expression", placeholder="e.g. tanh(a*b + c)",
                    compact=True)
        yield Static("values:")
        yield Input(self.values_text, id="pg-values", placeholder="e.g. a=2, b=-3, c=1", compact=True)
        yield Static(id="pg-error")
        yield GraphView(id="graph")
        yield Static(id="graph-step")
        yield Static(id="pg-check")

    def show_frame(self, position: int) -> None:
        """The graph and step (from GraphStepper), the error line and the node check."""
        error = Text(f"✗ {self.error}", style="bold red") if self.error else Text()
        self.query_one("#pg-error", Static).update(error)
        self.query_one("#pg-error", Static).display = bool(self.error)
        view = self.query_one(GraphView)
        if self.full is None:
            view.graph = None
            view.highlight = frozenset()
            view.edge_highlight = None
            self.query_one("#graph-step", Static).update(
                Text("Nothing is drawn until the expression and values above are fixed.",
                     style="dim"))
            self.query_one("#pg-check", Static).update(Text())
            return
        super().show_frame(position)
        if self.checked is not None:
            view.highlight = view.highlight | {self.checked}
        self._show_check()
        self.call_after_refresh(self._after_layout, set(view.highlight))

    def _show_check(self) -> None:
        """The node check, or (with none) the pan keys when the graph is larger than the view."""
        check = self.check_text()
        view = self.query_one(GraphView)
        if not check and view.size.width and view.overflows:
            check = Text("a/d: pan ←/→, w/z: pan ↑/↓", style="dim")
        self.query_one("#pg-check", Static).update(check)

    def on_graph_view_resized(self, event: GraphView.Resized) -> None:
        """The view's size settled: say again whether the graph pans."""
        event.stop()
        if self.full is not None:
            self._show_check()

    def _after_layout(self, follow: set[int]) -> None:
        """Once the view has its size: follow the step's nodes and say whether it pans."""
        if self.full is None or not self.is_attached:
            return
        self.query_one(GraphView).show_nodes(follow)
        self._show_check()
