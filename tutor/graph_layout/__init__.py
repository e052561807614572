"""Graph layout: a traced autograd graph laid out and drawn as plain text. No Textual, no Rich.

Each node of a :class:`~tutor.engines.autograd.Graph` is a small box with two lines, its value
and its gradient::

    ┌──────────┐    ┌ + ───────┐    ┌ * ────────┐
    │ x = -2   ├─┐  │ q = 3    ├───▶│ f = -12   │
    │ ∂ = ?    │ └─▶│ ∂ = ?    │ ┌─▶│ ∂ = ?     │
    └──────────┘    ...

:func:`layout_graph` runs a layered (Sugiyama-style) pipeline, one module per phase:

1. **Measure** (:mod:`~tutor.graph_layout.labels`): each node's two text lines, its op and its
   box size for the drawing mode.
2. **Layer** (:mod:`~tutor.graph_layout.layers`): columns left to right by depth (variables in
   column 0, every other node one right of its deepest input, a constant just left of its
   consumer, the output last); long edges are cut into links through dummy items, so every
   link joins adjacent layers.
3. **Order** (:mod:`~tutor.graph_layout.ordering`): items inside each column are reordered by
   barycentre sweeps to reduce crossings.
4. **Place** (:mod:`~tutor.graph_layout.placement`): each item gets a top row, pulled toward
   its neighbours so that edges run straight where they can, without overlaps.
5. **Route** (:mod:`~tutor.graph_layout.routing`): links that enter the same row of a consumer
   merge; each bent group gets a vertical track in the channel between two columns.
6. **Draw** (:mod:`~tutor.graph_layout.render` on a :mod:`~tutor.graph_layout.canvas`): boxes,
   lines and arrow heads become text lines with style spans (:class:`GraphLayout`).

An edge leaves its operand's right side and enters its consumer's left side with an arrow head
``▶``; operand ``k`` of a consumer enters at content row ``k`` of its box (first operand on top),
so ``a - b`` and ``b - a`` look different, and several edges into the same row merge on one
vertical track. A non-leaf labelled box shows its operation in its top border.

Three drawing modes, chosen by :func:`fit_layout` from the width available (:data:`LAYOUT_MODES`):

* normal: boxes with one space of padding;
* tight: the same boxes without padding;
* compact: two lines per node without borders, ``q=-2`` over ``∂0.197``, 3 significant digits,
  and for a labelled inner node its op in a line above, such as ``(*)``.

A gradient that is not computed yet is shown as ``∂ = ?``, never as 0. Highlighted nodes carry
the ``"node-highlight"`` role and a heavy border; the highlighted edge uses heavy lines
(``━ ┃``, or ``= #`` in ASCII) and the ``"edge-highlight"`` role, so both show without colour.
``ascii_only`` draws with ``- | + >`` and ``d`` for ∂ only. Styles are the caller's business:
:mod:`tutor.widgets.graph_view` maps each role (:data:`ROLES`) to a style.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from tutor.graph_layout.canvas import E, N, S, W, box_table, line_char
from tutor.graph_layout.labels import (
    ASCII_OP_SYMBOLS,
    OP_SYMBOLS,
    format_number,
    measure_nodes,
    node_texts,
    op_symbol,
)
from tutor.graph_layout.layers import assign_columns, build_layers, consumers_of
from tutor.graph_layout.model import ROLES, GraphLayout, NodeBox
from tutor.graph_layout.ordering import count_crossings, order_layers
from tutor.graph_layout.placement import place_vertically
from tutor.graph_layout.render import draw
from tutor.graph_layout.routing import route_channels

if TYPE_CHECKING:
    from tutor.engines.autograd import Graph

__all__ = [
    "ASCII_OP_SYMBOLS",
    "E",
    "GraphLayout",
    "LAYOUT_MODES",
    "N",
    "NodeBox",
    "OP_SYMBOLS",
    "ROLES",
    "S",
    "W",
    "assign_columns",
    "box_table",
    "count_crossings",
    "fit_layout",
    "format_number",
    "layout_graph",
    "line_char",
    "node_texts",
    "op_symbol",
]

LAYOUT_MODES = ("normal", "tight", "compact")
"""Layouts :func:`fit_layout` tries, widest first."""


def layout_graph(
    graph: Graph | None,
    *,
    highlight: Iterable[int] = frozenset(),
    edge_highlight: tuple[int, int] | None = None,
    show_grads: bool = True,
    compact: bool = False,
    tight: bool = False,
    ascii_only: bool = False,
) -> GraphLayout:
    """Lay a graph out and draw it as text: measure, layer, order, place, route, draw.

    Args:
        graph: The traced graph (``tutor.engines.autograd.trace``), or ``None`` (empty layout).
        highlight: Node ids drawn emphasised (reverse, bold, heavy border).
        edge_highlight: The edge ``(operand id, consumer id)`` drawn with heavy lines, or ``None``.
        show_grads: Show the gradient line (when false the line stays, empty, so the layout
            does not move when gradients appear).
        compact: Two borderless lines per node, 3 significant digits.
        tight: Boxes without inner padding (ignored when ``compact``).
        ascii_only: Draw with ASCII characters only.

    Returns:
        The drawing; its ``lines`` have equal length.
    """
    mode = "compact" if compact else ("tight" if tight else "normal")
    if graph is None or not graph.nodes:
        return GraphLayout((), (), {}, mode)
    faces = measure_nodes(graph, mode=mode, show_grads=show_grads, ascii_only=ascii_only)
    layers, links = build_layers(graph, assign_columns(graph), faces, edge_highlight)
    order_layers(layers, links)
    place_vertically(layers, links)
    channels = route_channels(layers, links)
    return draw(
        layers, links, channels, faces, consumers_of(graph),
        highlight=highlight, mode=mode, ascii_only=ascii_only,
    )


def fit_layout(graph: Graph | None, width: int, height: int | None = None, **options) -> GraphLayout:
    """The roomiest layout whose drawing fits ``width`` cells (and ``height`` rows), else compact.

    Args:
        graph: The graph, or ``None``.
        width: Cells available.
        height: Rows available, or ``None`` to fit the width only.
        **options: Passed to :func:`layout_graph` (``highlight``, ``edge_highlight``,
            ``show_grads``, ``ascii_only``).

    Returns:
        The normal layout if it fits, else the tight one, else the compact one (which may
        still be larger: the widget then scrolls). A box is 4 rows and a compact node 2 or 3,
        so a short view gets the compact drawing even when the boxes would fit its width.
    """
    def fits(layout: GraphLayout) -> bool:
        return layout.width <= width and (height is None or layout.height <= height)

    layout = layout_graph(graph, **options)
    if fits(layout):
        return layout
    layout = layout_graph(graph, tight=True, **options)
    if fits(layout):
        return layout
    return layout_graph(graph, compact=True, **options)
