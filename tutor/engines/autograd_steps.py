"""The computation of a `Value` graph written out one node (or one edge) at a time.

`forward_steps` gives one `ForwardStep` per inner node ("q = x + y = -2 + 5 = 3") and
`backward_steps` one `BackwardStep` per edge the gradient flows back along
("∂f/∂x = ∂f/∂q · ∂q/∂x = -4 · 1 = -4"), for the graph scenes to show step by step. The
formulas are mathematics, the same in any language. Nothing here prints or imports a UI library,
or NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass

from tutor.engines.autograd import (
    _FUNCTION_OPS,
    Value,
    _finite,
    format_number,
    local_gradient,
    topological_order,
)

__all__ = ["BackwardStep", "ForwardStep", "backward_steps", "forward_steps"]


def _ids(order: list[Value]) -> dict[int, int]:
    """Python id of each Value -> its index in `order`."""
    return {id(v): i for i, v in enumerate(order)}


@dataclass(frozen=True)
class ForwardStep:
    """One node computed in the forward pass.

    Attributes:
        node: the node's id (as in `trace`).
        value: its value.
        formula: the computation written out, e.g. "q = x + y = -2 + 5 = 3".
    """

    node: int
    value: float
    formula: str


@dataclass(frozen=True)
class BackwardStep:
    """One gradient contribution flowing back along one edge (or the output's seed).

    Attributes:
        node: the node whose gradient is being added to.
        via: the consumer node the gradient flows back from (-1 for the output's seed).
        local: ∂via/∂node (1 for the seed).
        upstream: the gradient of `via` (1 for the seed).
        contribution: local · upstream.
        grad_after: the node's gradient after adding the contribution.
        formula: e.g. "∂f/∂x = ∂f/∂q · ∂q/∂x = -4 · 1 = -4"; a second contribution reads
            "∂f/∂a += ∂f/∂s · ∂s/∂a = 1 · 1 = 1, so ∂f/∂a = -2 + 1 = -1".
    """

    node: int
    via: int
    local: float
    upstream: float
    contribution: float
    grad_after: float
    formula: str


def _names(order: list[Value]) -> list[str]:
    """The name of each node in formulas: its label, a constant's number, or n<id>."""
    names = []
    for i, v in enumerate(order):
        if v.label:
            names.append(v.label)
        elif not v._prev:
            names.append(format_number(v.data))
        else:
            names.append("f" if i == len(order) - 1 else f"n{i}")
    return names


def _wrap(name: str) -> str:
    """A name fit to stand after ∂: identifiers as they are, other text in parentheses."""
    return name if _is_identifier(name) or _is_number(name) else f"({name})"


def _is_identifier(name: str) -> bool:
    """Whether name is a plain variable name (x, w0, a_1)."""
    return name.isidentifier() and name.isascii()


def _is_number(name: str) -> bool:
    """Whether name is a non-negative number as format_number writes it (1, 0.5)."""
    return name.replace(".", "", 1).isdigit()


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


def forward_steps(root: Value) -> list[ForwardStep]:
    """One step per inner (non-leaf) node of the graph under `root`, in topological order.

    Leaves are given, so they have no step. Formula: "name = expression = numbers = value".
    """
    order = topological_order(root)
    ids, names = _ids(order), _names(order)
    steps = []
    for i, v in enumerate(order):
        if not v._prev:
            continue
        operand_names = [names[ids[id(c)]] for c in v._prev]
        if v._op not in _FUNCTION_OPS:  # x + (a*b), -(a*b); exp(a*b) needs no more
            operand_names = [_wrap(n) for n in operand_names]
        numbers = [_operand(c.data, first=(j == 0)) for j, c in enumerate(v._prev)]
        if v._op in ("neg", "**") and v._prev[0].data < 0:
            numbers = [f"({numbers[0]})"]
        symbolic = _expression(v._op, operand_names, v._exponent)
        numeric = _expression(v._op, numbers, v._exponent)
        if _is_identifier(names[i]):  # "q = x + y = -2 + 5 = 3"
            formula = f"{names[i]} = {symbolic} = {numeric} = {format_number(v.data)}"
        else:  # a label that is itself the expression: "a*b + c = -6 + 1 = -5"
            formula = f"{names[i]} = {numeric} = {format_number(v.data)}"
        steps.append(ForwardStep(node=i, value=v.data, formula=formula))
    return steps


def backward_steps(root: Value) -> list[BackwardStep]:
    """The backward pass under `root`, one edge at a time (does not touch `.grad`).

    First the seed ∂f/∂f = 1 for the output, then, for each inner node in reverse topological
    order, one step per operand (in operand order): the gradient flowing back to that operand.
    A value used twice gets two steps; the second shows the sum.

    Raises:
        OverflowError: when a gradient would not be finite.
    """
    order = topological_order(root)
    ids, names = _ids(order), _names(order)
    out_id = len(order) - 1
    if not _is_identifier(names[out_id]):  # ∂f/∂x, not ∂(tanh(a*b + c))/∂x
        names[out_id] = "f"
    f = names[out_id]
    grads = [0.0] * len(order)
    grads[out_id] = 1.0
    steps = [BackwardStep(node=out_id, via=-1, local=1.0, upstream=1.0, contribution=1.0,
                          grad_after=1.0, formula=f"∂{f}/∂{f} = 1")]
    touched = {out_id}
    for k in range(out_id, -1, -1):
        v = order[k]
        for j, child in enumerate(v._prev):
            c = ids[id(child)]
            local = local_gradient(v, j)
            upstream = grads[k]
            contribution = _finite(local * upstream, "a gradient")
            before = grads[c]
            grads[c] = _finite(before + contribution, "a gradient")
            dc, dk = _wrap(names[c]), _wrap(names[k])
            product = (f"∂{f}/∂{dk} · ∂{dk}/∂{dc} = {format_number(upstream)} · "
                       f"{_operand(local)} = {format_number(contribution)}")
            if c in touched:
                formula = (f"∂{f}/∂{dc} += {product}, so ∂{f}/∂{dc} = {format_number(before)}"
                           f" + {_operand(contribution)} = {format_number(grads[c])}")
            else:
                formula = f"∂{f}/∂{dc} = {product}"
            touched.add(c)
            steps.append(BackwardStep(node=c, via=k, local=local, upstream=upstream,
                                      contribution=contribution, grad_after=grads[c],
                                      formula=formula))
    return steps
