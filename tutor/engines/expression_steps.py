"""Named intermediate steps for the expression parser: "q = x + y; f = q * z".

`parse_steps` splits a text at `;` into `Step`s, each `name = expression` (the last may be a bare
expression), and `build_steps` builds them in order, a later step using an earlier one's name,
each step's node labelled with its short name ("q") instead of its whole sub-expression. Errors
are `ExpressionError`s with one-line messages, as in `tutor.engines.expression`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from tutor.engines.autograd import Value
from tutor.engines.expression import (
    FUNCTIONS,
    Expr,
    ExpressionError,
    Name,
    Number,
    _build,
    _check_gradients,
    _check_length,
    _leaves,
    parse,
    to_text,
    variables,
)

__all__ = ["Step", "build_steps", "parse_steps", "step_variables"]


@dataclass(frozen=True)
class Step:
    """One step of a text such as "q = x + y; f = q * z": `name` ("" for a bare last
    expression) and its expression, which may use the names of earlier steps."""

    name: str
    expr: Expr


_STEP_NAME = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=", re.ASCII)


def parse_steps(text: str) -> tuple[Step, ...]:
    """Parse one expression, or named steps separated by `;`: "q = x + y; f = q * z".

    Each step reads `name = expression`; the last may also be a bare expression. A step may
    use the names of the steps before it. Columns in messages count in the whole text.

    Raises:
        ExpressionError: anything `parse` refuses in a step, an empty step, a name that is a
            function or is defined twice, a step used before it is defined, or a step that
            only copies a name or a number ("q = x" makes no node).
    """
    text = _check_length(text, "expression")
    if not text.strip():
        raise ExpressionError("expression is empty")
    parts, start = [], 0
    for index, char in enumerate(text + ";"):
        if char == ";":
            parts.append((start, index))
            start = index + 1
    if len(parts) > 1 and not text[parts[-1][0]:].strip():
        parts.pop()  # a trailing ";"
    steps: list[Step] = []
    defined: set[str] = set()
    used: set[str] = set()
    for number, (begin, end) in enumerate(parts, start=1):
        piece = text[begin:end]
        match = _STEP_NAME.match(piece)
        name = ""
        if match and not piece[match.end():].startswith("="):
            name = match.group(1)
            column = begin + match.start(1) + 1
            if name in FUNCTIONS:
                raise ExpressionError(f"{name!r} at column {column} is a function, not a name "
                                      "for a step", column)
            if name in defined:
                raise ExpressionError(f"{name!r} is defined twice (column {column})", column)
            if name in used:
                raise ExpressionError(f"{name!r} is used before it is defined (column {column}): "
                                      "define each step before the steps that use it", column)
            begin += match.end()
        elif number < len(parts):
            column = begin + len(piece) - len(piece.lstrip()) + 1
            raise ExpressionError(f"step {number} at column {column} needs a name, "
                                  "as in q = x + y", column)
        if not text[begin:end].strip():
            column = begin + 1
            raise ExpressionError(f"step {number} at column {column} is empty", column)
        # Blank out the rest of the text so that columns in messages count in the whole text.
        expr = parse(" " * begin + text[begin:end])
        if name and isinstance(expr, (Name, Number)):
            raise ExpressionError(f"step {name!r} only copies {to_text(expr)!r}: "
                                  "give it a calculation, as in q = x + y")
        used.update(variables(expr))
        if name:
            defined.add(name)
        steps.append(Step(name, expr))
    return tuple(steps)


def step_variables(steps: tuple[Step, ...]) -> tuple[str, ...]:
    """The names the steps need values for (their variables that no step defines), sorted."""
    defined = {step.name for step in steps}
    names = {name for step in steps for name in variables(step.expr)}
    return tuple(sorted(names - defined))


def build_steps(steps: tuple[Step, ...], values: Mapping[str, float]) -> Value:
    """The graph of the steps at `values`, in order; the last step's node is the output.

    Inputs are labelled with their names, each named step's node with its step name, and the
    nodes inside a step with their sub-expression text, as in `build`.

    Raises:
        ExpressionError: as `build`.
    """
    if not steps or not all(isinstance(step, Step) for step in steps):
        raise ExpressionError("build_steps needs the steps parse_steps gives")
    nodes: dict[str, Value] = _leaves(step_variables(steps), values)
    root = None
    for step in steps:
        root = _build(step.expr, nodes)
        if step.name:
            root.label = step.name
            nodes[step.name] = root
    assert root is not None
    if root._prev and not root.label and "f" not in nodes:
        root.label = "f"
    _check_gradients(root, "; ".join(f"{s.name} = {to_text(s.expr)}" if s.name
                                     else to_text(s.expr) for s in steps))
    return root
