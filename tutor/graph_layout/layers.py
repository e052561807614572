"""Layering: which column each node sits in, and the layers of items and links between them.

Columns run left to right by depth: variables (labelled leaves) in column 0, every other node
one column right of its deepest input, a constant (an unlabelled leaf) just left of its
consumer, the output last. An edge that spans several columns is cut into one :class:`Link`
per column gap, through a dummy :class:`Item` in every column it crosses, so later phases only
ever see links between adjacent layers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from tutor.graph_layout.model import Item, Link, NodeFace

if TYPE_CHECKING:
    from tutor.engines.autograd import Graph


def consumers_of(graph: Graph) -> dict[int, list[int]]:
    """The ids of the nodes that use each node as an operand, in graph order (may be empty)."""
    consumers: dict[int, list[int]] = {n.id: [] for n in graph.nodes}
    for n in graph.nodes:
        for i in n.inputs:
            consumers[i].append(n.id)
    return consumers


def assign_columns(graph: Graph) -> dict[int, int]:
    """Layer of each node: variables in 0, a node at 1 + its deepest input, constants just left
    of their first consumer, the output in the last layer.

    Args:
        graph: The graph (nodes in topological order, inputs first).

    Returns:
        Column per node id.
    """
    nodes = {n.id: n for n in graph.nodes}
    consumers = consumers_of(graph)
    column: dict[int, int] = {}

    def is_constant(node_id: int) -> bool:
        """An unlabelled leaf that feeds something: a number such as the 1 in ``u + 1``."""
        node = nodes[node_id]
        return node.is_leaf and not node.label and bool(consumers[node_id])

    for n in graph.nodes:  # topological order: inputs first
        if n.is_leaf:
            column[n.id] = 0
        else:
            deps = [column[i] for i in n.inputs if not is_constant(i)]
            column[n.id] = 1 + max(deps, default=0)
    for n in graph.nodes:
        if is_constant(n.id):
            column[n.id] = max(0, min(column[c] for c in consumers[n.id]) - 1)
    last = max(column.values(), default=0)
    if graph.output in column:
        column[graph.output] = max(last, column[graph.output])
    return column


def build_layers(
    graph: Graph,
    columns: Mapping[int, int],
    faces: Mapping[int, NodeFace],
    edge_highlight: tuple[int, int] | None = None,
) -> tuple[list[list[Item]], list[Link]]:
    """The items of every layer and the links between adjacent layers.

    Each layer lists its nodes in graph order, then the dummies of long edges. Operand ``k``
    of a consumer enters port ``min(k, 1)``: the first operand its top text row, the others
    the row below (where they merge).

    Args:
        graph: The graph.
        columns: Column per node id (:func:`assign_columns`).
        faces: Size and ports per node id (:func:`~tutor.graph_layout.labels.measure_nodes`).
        edge_highlight: The edge ``(operand id, consumer id)`` whose links are highlighted.

    Returns:
        ``(layers, links)``: ``layers[c]`` the items of column ``c``; links in edge order.
    """
    n_layers = max(columns.values()) + 1
    layers: list[list[Item]] = [[] for _ in range(n_layers)]
    items: dict[int, Item] = {}
    for n in graph.nodes:
        face = faces[n.id]
        item = Item(
            key=("node", n.id),
            column=columns[n.id],
            height=face.height,
            width=face.width,
            node=n.id,
            in_rows=face.in_rows,
            out_row=face.out_row,
        )
        items[n.id] = item
        layers[item.column].append(item)

    links: list[Link] = []
    for n in graph.nodes:
        for k, src_id in enumerate(n.inputs):
            edge = (src_id, n.id)
            lit = edge_highlight is not None and tuple(edge_highlight) == edge
            prev = items[src_id]
            for c in range(columns[src_id] + 1, columns[n.id]):
                dummy = Item(key=("dummy", src_id, n.id, k, c), column=c, height=1)
                layers[c].append(dummy)
                links.append(Link(prev, dummy, 0, edge, lit))
                prev = dummy
            links.append(Link(prev, items[n.id], min(k, 1), edge, lit))
    return layers, links
