"""What each node shows (its two text lines and its op) and how large its box is.

The measuring phase: :func:`measure_nodes` turns every node of a graph into a
:class:`~tutor.graph_layout.model.NodeFace` for one drawing mode, before any layout happens.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from tutor.graph_layout.model import NodeFace
from tutor.text import format_number as _format_number

if TYPE_CHECKING:
    from tutor.engines.autograd import Graph, GraphNode

OP_SYMBOLS: dict[str, str] = {
    "+": "+",
    "*": "*",
    "-": "-",
    "/": "/",
    "**": "^",
    "^": "^",
    "neg": "-x",
    "exp": "exp",
    "log": "log",
    "sigmoid": "σ",
    "tanh": "tanh",
    "relu": "relu",
}
"""How each engine op is shown; unknown ops are shown as given."""

ASCII_OP_SYMBOLS: dict[str, str] = {**OP_SYMBOLS, "sigmoid": "sig"}
"""Op symbols for ``ascii_only`` drawing."""

def format_number(value: float, digits: int = 4) -> str:
    """A graph value with up to ``digits`` significant digits (`tutor.text.format_number`).

    Whole numbers are shown without a decimal point (``-12``), others like ``-0.1966`` or
    ``1.368``; very large or very small magnitudes use a short exponent (``1.235e5``); nan and
    inf as words; never ``-0``.
    """
    return _format_number(value, max(1, digits), significant=True)


def op_symbol(op: str, ascii_only: bool = False) -> str:
    """The symbol shown for an engine op, such as ``"*"``, ``"-x"`` for neg, ``"σ"``."""
    return (ASCII_OP_SYMBOLS if ascii_only else OP_SYMBOLS).get(op, op)


def node_texts(
    node: GraphNode, *, compact: bool, show_grads: bool = True, ascii_only: bool = False
) -> tuple[str, str]:
    """The two text lines of a node: value line and gradient line.

    Labelled nodes show ``label = value``; unlabelled inner nodes ``op = value`` (a negation
    ``neg = value``); constants
    (unlabelled leaves) their value only; a NaN value (not computed yet) shows as ``?``. The
    gradient line is ``∂ = grad`` or ``∂ = ?`` when the gradient is not computed (``None``); it
    is empty when ``show_grads`` is false.
    Compact mode drops the spaces and uses 3 significant digits: ``q=-2`` and ``∂0.197``.

    Args:
        node: The node.
        compact: Compact texts.
        show_grads: Whether to show the gradient line's text.
        ascii_only: Write ``d`` instead of ``∂`` and ASCII op names.

    Returns:
        ``(value line, gradient line)``.
    """
    digits = 3 if compact else 4
    eq = "=" if compact else " = "
    # A NaN value means "not computed yet" (a scene animating the forward pass): show "?".
    value = "?" if math.isnan(node.value) else format_number(node.value, digits)
    if node.label:
        first = f"{node.label}{eq}{value}"
    elif node.is_leaf:
        first = value
    else:  # "neg", not "-x", which would read as minus a variable x
        name = "neg" if node.op == "neg" else op_symbol(node.op, ascii_only)
        first = f"{name}{eq}{value}"
    partial = "d" if ascii_only else "∂"
    grad = "?" if node.grad is None else format_number(node.grad, digits)
    if not show_grads:
        second = ""
    elif compact:
        second = f"{partial}{grad}"
    else:
        second = f"{partial} = {grad}"
    return first, second


def padding(mode: str) -> int:
    """Blank cells between a box's border and its text: 1 in ``"normal"`` mode, else 0."""
    return 1 if mode == "normal" else 0


def measure_nodes(
    graph: Graph, *, mode: str, show_grads: bool = True, ascii_only: bool = False
) -> dict[int, NodeFace]:
    """Texts and box size of every node, for one drawing mode.

    A box is as wide as its longer line plus padding and border, and at least wide enough for
    its op in the top border. Only labelled inner nodes show their op there (an unlabelled one
    already reads ``op = value``); in compact mode that op gets a line of its own, ``(+)``.

    Args:
        graph: The traced graph.
        mode: ``"normal"``, ``"tight"`` (no padding) or ``"compact"`` (no border).
        show_grads: Whether gradient lines carry text (their room is kept either way).
        ascii_only: ASCII texts and op names.

    Returns:
        The face of each node, by node id.
    """
    compact = mode == "compact"
    pad = padding(mode)
    border = 0 if compact else 1
    height = 2 if compact else 4
    faces: dict[int, NodeFace] = {}
    for n in graph.nodes:
        first, second = node_texts(n, compact=compact, show_grads=show_grads, ascii_only=ascii_only)
        op = op_symbol(n.op, ascii_only) if n.op and n.label else ""
        width = max(len(first), len(second)) + 2 * pad + 2 * border
        if op and not compact:
            width = max(width, len(op) + 4)
        top = border
        if compact and op:  # compact: the op gets a line of its own, "(+)"
            top = 1
            width = max(width, len(op) + 2)
        faces[n.id] = NodeFace(
            first=first,
            second=second,
            op=op,
            width=width,
            height=height + (top if compact else 0),
            in_rows=(top, top + 1),
            out_row=top,
        )
    return faces
