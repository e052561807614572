"""Drawing: the placed, routed layers drawn as text lines with style spans.

Columns are as wide as their widest node; each channel's width comes from routing. Node boxes
(or, compact, two borderless lines with the out-line running on to the column's right end)
and the straight lines of dummies are drawn first, then every link: from its source's output
row, right to its group's track, along the track to the entry row, and on to an arrow head
``▶`` (``>`` in ASCII) just left of the consumer. Plain text only; the widget adds styles.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from tutor.graph_layout.canvas import E, W, Canvas
from tutor.graph_layout.labels import padding
from tutor.graph_layout.model import GraphLayout, Item, Link, NodeBox, NodeFace
from tutor.graph_layout.routing import Channel


def column_geometry(
    layers: list[list[Item]], channels: list[Channel]
) -> tuple[list[int], list[int], int, int]:
    """Where each column starts and how wide it is, and the size of the whole drawing.

    Args:
        layers: The placed items per column.
        channels: The routed channels between them.

    Returns:
        ``(column x, column width, total width, total height)`` in cells; a column with no
        node (only dummies) is 1 cell wide.
    """
    col_width = [max((i.width for i in layer if i.node is not None), default=1) for layer in layers]
    col_x, x = [], 0
    for c in range(len(layers)):
        col_x.append(x)
        x += col_width[c] + (channels[c].width if c < len(layers) - 1 else 0)
    total_height = int(max((i.y + i.height for layer in layers for i in layer), default=0))
    return col_x, col_width, x, total_height


def _dummy_lit(item: Item, links: list[Link]) -> bool:
    """Whether a dummy item belongs to the highlighted edge."""
    return any(l.highlighted for l in links if l.dst is item)


def draw_nodes(
    canvas: Canvas,
    layers: list[list[Item]],
    links: list[Link],
    faces: Mapping[int, NodeFace],
    consumers: Mapping[int, list[int]],
    col_x: list[int],
    col_width: list[int],
    *,
    highlight: frozenset[int],
    mode: str,
) -> dict[int, NodeBox]:
    """Draw every node's box and texts, and every dummy's straight line.

    A node that feeds something gets the first arm of its out-line on its right edge (compact:
    a line from its text to the column's right end). Highlighted nodes get the
    ``"node-highlight"`` role and a heavy border.

    Args:
        canvas: Where to draw.
        layers: The placed items per column.
        links: All links (to tell whether a dummy is on the highlighted edge).
        faces: Texts and sizes per node id.
        consumers: The consumers of each node id (a node without any has no out-line).
        col_x: Left cell of each column.
        col_width: Width of each column; every box there is as wide.
        highlight: Ids of highlighted nodes.
        mode: ``"normal"``, ``"tight"`` or ``"compact"``.

    Returns:
        The box of every node, by node id.
    """
    compact = mode == "compact"
    pad = padding(mode)
    boxes: dict[int, NodeBox] = {}
    for c, layer in enumerate(layers):
        for item in layer:
            top = int(item.y)
            if item.node is None:
                right = col_x[c] + col_width[c] - 1
                canvas.path([(col_x[c], top), (right, top)], _dummy_lit(item, links))
                continue
            node_id = item.node
            face = faces[node_id]
            box = NodeBox(node_id, col_x[c], top, col_width[c], item.height, c)
            boxes[node_id] = box
            lit = node_id in highlight
            role = "node-highlight" if lit else "node"
            if compact:
                if face.op:
                    canvas.put(box.x, top, f"({face.op})", "op" if not lit else role)
                    top += 1
                canvas.put(box.x, top, face.first.ljust(box.width), role)
                canvas.put(box.x, top + 1, face.second.ljust(box.width), role)
                # the out-line continues from the text to the box's right end
                start = box.x + len(face.first) + 1
                if start <= box.x + box.width - 1 and consumers.get(node_id):
                    canvas.arm(start, top, W)
                    canvas.path([(start, top), (box.x + box.width - 1, top)], False)
                    for cx in range(start, box.x + box.width):
                        canvas.clear(cx, top)
            else:
                right, bottom = box.x + box.width - 1, top + box.height - 1
                canvas.path(
                    [(box.x, top), (right, top), (right, bottom), (box.x, bottom), (box.x, top)],
                    lit,
                )
                for y in (top, bottom):
                    for cx in range(box.x, right + 1):
                        canvas.role(cx, y, role)
                for y in range(top + 1, bottom):
                    canvas.role(box.x, y, role)
                    canvas.role(right, y, role)
                inner = box.width - 2
                canvas.put(box.x + 1, top + 1, (" " * pad + face.first).ljust(inner), role)
                canvas.put(box.x + 1, top + 2, (" " * pad + face.second).ljust(inner), role)
                if face.op:
                    canvas.put(box.x + 1, top, f" {face.op} ", "op" if not lit else role)
                if consumers.get(node_id):
                    canvas.arm(right, top + item.out_row, E)
    return boxes


def draw_edges(
    canvas: Canvas,
    channels: list[Channel],
    col_x: list[int],
    col_width: list[int],
    *,
    ascii_only: bool,
) -> list[tuple[int, int, int]]:
    """Draw every link through its channel, and an arrow head where a group enters a node.

    Args:
        canvas: Where to draw (nodes already drawn).
        channels: The routed channels, one per gap between columns.
        col_x: Left cell of each column.
        col_width: Width of each column.
        ascii_only: ``>`` instead of ``▶``.

    Returns:
        The arrow heads ``(x, y, consumer id)``.
    """
    arrows: list[tuple[int, int, int]] = []
    arrow_char = ">" if ascii_only else "▶"
    for c, channel in enumerate(channels):
        x0 = col_x[c] + col_width[c]  # lead cell
        xa = col_x[c + 1] - 1  # arrow cell
        for group, track in zip(channel.groups, channel.tracks):
            b = group.dst_row
            for link in group.links:
                a = int(link.src.y) + link.src.out_row
                start = (x0 - 1, a)
                if track is None:
                    points = [start, (xa, b)]
                else:
                    tx = x0 + 1 + track
                    points = [start, (tx, a), (tx, b), (xa, b)]
                canvas.path(points, link.highlighted)
            dst = group.links[0].dst
            if dst.node is not None:
                lit = any(l.highlighted for l in group.links)
                canvas.put(xa, b, arrow_char, "edge-highlight" if lit else "edge")
                arrows.append((xa, b, dst.node))
            else:  # a dummy: join the line to its first cell
                canvas.path([(xa, b), (xa + 1, b)], any(l.highlighted for l in group.links))
    return arrows


def draw(
    layers: list[list[Item]],
    links: list[Link],
    channels: list[Channel],
    faces: Mapping[int, NodeFace],
    consumers: Mapping[int, list[int]],
    *,
    highlight: Iterable[int] = frozenset(),
    mode: str = "normal",
    ascii_only: bool = False,
) -> GraphLayout:
    """Draw placed, routed layers as a :class:`GraphLayout`.

    Args:
        layers: The ordered, placed items per column.
        links: The links between adjacent layers.
        channels: The routed channels (:func:`~tutor.graph_layout.routing.route_channels`).
        faces: Texts and sizes per node id.
        consumers: The consumers of each node id.
        highlight: Ids of nodes drawn emphasised.
        mode: ``"normal"``, ``"tight"`` or ``"compact"``.
        ascii_only: Draw with ASCII characters only.

    Returns:
        The drawing: equal-length lines, style spans, boxes and arrow heads.
    """
    col_x, col_width, width, height = column_geometry(layers, channels)
    canvas = Canvas(width, height)
    boxes = draw_nodes(
        canvas, layers, links, faces, consumers, col_x, col_width,
        highlight=frozenset(highlight), mode=mode,
    )
    arrows = draw_edges(canvas, channels, col_x, col_width, ascii_only=ascii_only)
    lines, spans = canvas.finish(ascii_only)
    return GraphLayout(lines, spans, boxes, mode, tuple(arrows))
