"""Scene: the learner types any expression and values; it is parsed safely, drawn and stepped.

The expression goes through `tutor.engines.expression` (a small recursive-descent parser, never
eval): unknown names, syntax errors, missing values, division by zero, overflow and graphs too
big to draw (over `MAX_NODES` nodes) come back as one-line messages under the fields, and the
last good graph stays on screen.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static

from tutor.engines.autograd import Value, topological_order
from tutor.engines.expression import ExpressionError, build, parse, parse_assignments, variables
from tutor.scenes.graph_steps import GraphStepper
from tutor.widgets.graph_view import GraphView

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
        expression: the text of the expression field, e.g. `tanh(a*b + c)`.
        values: the text of the values field, e.g. `a=2, b=-3, c=1` (may be empty).

    Returns:
        The root of the built graph, its values computed.

    Raises:
        ExpressionError: with one short, printable line for anything wrong: the engine's
            parse, value and overflow errors, a missing value, or a graph over MAX_NODES nodes.
    """
    try:
        expr = parse(expression)
        assignments = parse_assignments(values) if values.strip() else {}
        missing = [name for name in variables(expr) if name not in assignments]
        if missing:
            names = ", ".join(missing)
            raise ExpressionError(f"missing value for {names}: add e.g. {missing[0]}=1 to the values")
        root = build(expr, assignments)
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
Nothing you type is run as code: it is parsed by a small grammar. Graphs of up to {MAX_NODES} nodes
(inputs, constants and operations) fit the screen.

- `escape` leaves a field; then `.` steps forward node by node and backward edge by edge,
  `,` steps back, `space` plays, `end` jumps to the end, `r` resets.
- `tab` moves between the fields and the scene.
"""

    #: Held back while the step's questions are open: every computed value and gradient of the
    #: graph (see GraphStepper), so a typed expression is drawn but not worked out.
    HOLDS_ANSWERS = True

    SCOPED_CSS = False
    DEFAULT_CSS = """
    ExpressionPlaygroundScene Input { margin: 0; }
    ExpressionPlaygroundScene #pg-error { height: auto; }
    """

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.expression_text = self.str_param("expression")
        self.values_text = self.str_param("values")
        self.error = ""
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
        """Parse and build; on success load the new graph, else keep the old one and say why."""
        try:
            root = build_typed(expression, values)
        except ExpressionError as error:
            self.error = str(error)
            return False
        self.error = ""
        self.load(root)
        return True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in either field: rebuild the graph from both."""
        event.stop()
        expression = self.query_one("#pg-expression", Input).value
        values = self.query_one("#pg-values", Input).value
        if self._try(expression, values):
            self.expression_text, self.values_text = expression, values
            self.playing = False
            self.position = 0
            self.redraw()
            self._post_state()
        else:
            self.redraw()

    def compose(self) -> ComposeResult:
        yield Static("expression:")
        yield Input(self.expression_text, id="pg-expression", placeholder="e.g. tanh(a*b + c)",
                    compact=True)
        yield Static("values:")
        yield Input(self.values_text, id="pg-values", placeholder="e.g. a=2, b=-3, c=1", compact=True)
        yield Static(id="pg-error")
        yield GraphView(id="graph")
        yield Static(id="graph-step")

    def show_frame(self, position: int) -> None:
        """The graph and step (from GraphStepper) plus the error line."""
        super().show_frame(position)
        error = Text(f"✗ {self.error}", style="bold red") if self.error else Text()
        self.query_one("#pg-error", Static).update(error)
        self.query_one("#pg-error", Static).display = bool(self.error)
