"""The formula written under a graph for one step of its forward or backward pass.

The engine (`tutor.engines.autograd_steps`) records each step as numbers and node ids; this
module writes them out over the traced graph (`tutor.engines.autograd.trace`):

* forward: ``q = x + y = -2 + 5 = 3`` (a node whose label is itself an expression, such as
  ``a*b + c``, reads ``a*b + c = -2 + 3 = 1``);
* backward: ``∂f/∂x = ∂f/∂q · ∂q/∂x = -4 · 1 = -4``, and for a value used twice
  ``∂f/∂a += ∂f/∂s · ∂s/∂a = 1 · 1 = 1, so ∂f/∂a = -2 + 1 = -1``.

A node is named by its label, a constant by its number, and an unlabelled inner node by the
expression of its operands' names. The formulas are mathematics, the same in any language.
No Textual, no Rich.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tutor.engines.autograd import format_number

if TYPE_CHECKING:
    from tutor.engines.autograd import Graph
    from tutor.engines.autograd_steps import BackwardStep, ForwardStep

__all__ = ["backward_formula", "forward_formula", "held_formula", "node_names", "output_name"]

#: The unary operations written as a function call: exp(r).
_FUNCTION_OPS = ("exp", "log", "sigmoid", "tanh", "relu")


def _is_identifier(name: str) -> bool:
    """Whether name is a plain variable name (x, w0, a_1)."""
    return name.isidentifier() and name.isascii()


def _is_number(name: str) -> bool:
    """Whether name is a non-negative number as format_number writes it (1, 0.5)."""
    return name.replace(".", "", 1).isdigit()


def _wrap(name: str) -> str:
    """A name fit to stand after ∂ or inside an operation: other text in parentheses."""
    return name if _is_identifier(name) or _is_number(name) else f"({name})"


def _operand(x: float, first: bool = False) -> str:
    """A number inside a formula: negative numbers after the first in parentheses."""
    text = format_number(x)
    return text if first or not text.startswith("-") else f"({text})"


def _expression(op: str, args: list[str], exponent: float | None) -> str:
    """An operation written over operand texts: "x + y", "exp(r)", "x^2", "-t"."""
    symbols = {"+": "+", "*": "·", "-": "-", "/": "/"}
    if op in symbols:
        return f"{args[0]} {symbols[op]} {args[1]}"
    if op == "**":
        return f"{args[0]}^{format_number(exponent or 0.0)}"
    if op == "neg":
        return f"-{args[0]}"
    return f"{op}({args[0]})"


def _operand_names(op: str, names: list[str]) -> list[str]:
    """Operand names as they stand in an operation (function arguments need no parentheses)."""
    return names if op in _FUNCTION_OPS else [_wrap(n) for n in names]


def node_names(graph: Graph) -> list[str]:
    """The name of each node in formulas: its label, a constant's number, or its expression."""
    names: list[str] = []
    for node in graph.nodes:
        if node.label:
            names.append(node.label)
        elif node.is_leaf:
            names.append(format_number(node.value))
        else:
            args = _operand_names(node.op, [names[i] for i in node.inputs])
            names.append(_expression(node.op, args, node.exponent))
    return names


def output_name(graph: Graph) -> str:
    """The output's name in ∂ formulas: its label when that is a plain name, else "f"."""
    label = graph.nodes[graph.output].label
    return label if _is_identifier(label) else "f"


def forward_formula(graph: Graph, step: ForwardStep) -> str:
    """"q = x + y = -2 + 5 = 3" for the forward step of one inner node."""
    names = node_names(graph)
    node = graph.nodes[step.node]
    operands = [graph.nodes[i] for i in node.inputs]
    numbers = [_operand(c.value, first=(j == 0)) for j, c in enumerate(operands)]
    if node.op in ("neg", "**") and operands[0].value < 0:
        numbers = [f"({numbers[0]})"]
    numeric = _expression(node.op, numbers, node.exponent)
    name = names[step.node]
    if _is_identifier(name):
        symbolic = _expression(node.op, _operand_names(node.op, [names[i] for i in node.inputs]),
                               node.exponent)
        return f"{name} = {symbolic} = {numeric} = {format_number(step.value)}"
    return f"{name} = {numeric} = {format_number(step.value)}"


def backward_formula(graph: Graph, step: BackwardStep) -> str:
    """"∂f/∂x = ∂f/∂q · ∂q/∂x = -4 · 1 = -4" for one backward step (the seed: "∂f/∂f = 1")."""
    names = node_names(graph)
    f = output_name(graph)
    names[graph.output] = f
    if step.via < 0:
        return f"∂{f}/∂{f} = 1"
    dc, dk = _wrap(names[step.node]), _wrap(names[step.via])
    product = (f"∂{f}/∂{dk} · ∂{dk}/∂{dc} = {format_number(step.upstream)} · "
               f"{_operand(step.local)} = {format_number(step.contribution)}")
    if step.adds:
        return (f"∂{f}/∂{dc} += {product}, so ∂{f}/∂{dc} = {format_number(step.grad_before)}"
                f" + {_operand(step.contribution)} = {format_number(step.grad_after)}")
    return f"∂{f}/∂{dc} = {product}"


def held_formula(formula: str) -> str:
    """A step's formula with its numbers held back: "q = x + y = -2 + 5 = 3" -> "q = x + y = ?",
    "∂f/∂x = ∂f/∂q · ∂q/∂x = -4 · 1 = -4" -> "∂f/∂x = ∂f/∂q · ∂q/∂x = ?", "a*b + c = -6 + 1 = -5"
    -> "a*b + c = ?" (only the names are kept: the numbers may hold other computed values)."""
    parts = formula.split(" = ")
    keep = 2 if len(parts) == 4 and " += " not in formula else 1
    return " = ".join(parts[:keep]) + " = ?"
