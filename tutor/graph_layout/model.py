"""The records of the graph layout: the finished drawing, and the working items of the phases.

Public results: :class:`GraphLayout` (text lines, style spans, node boxes, arrow heads) and
:class:`NodeBox`. Working records that the phases pass along: :class:`NodeFace` (what a node
shows and its size), :class:`Item` (a node or a dummy in a layer, with its order and top row)
and :class:`Link` (one edge segment between adjacent layers). Items are mutable on purpose:
ordering sets ``index`` and placement sets ``y`` in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

ROLES = ("node", "node-highlight", "op", "edge", "edge-highlight")
"""Style roles a :class:`GraphLayout` span can carry (the widget maps each to a component class)."""


@dataclass(frozen=True)
class NodeBox:
    """Where a node is drawn.

    Attributes:
        node: The node id.
        x: Column of the box's left edge (cells).
        y: Row of the box's top edge.
        width: Box width in cells.
        height: Box height in rows.
        column: The layer (depth) the node is in, 0 = leftmost.
    """

    node: int
    x: int
    y: int
    width: int
    height: int
    column: int

    def contains(self, x: int, y: int) -> bool:
        """Whether cell ``(x, y)`` lies inside the box."""
        return self.x <= x < self.x + self.width and self.y <= y < self.y + self.height


@dataclass(frozen=True)
class GraphLayout:
    """A drawn graph: text lines, style spans and node boxes. Plain data, no styles attached.

    Attributes:
        lines: The rows of text, all ``width`` cells long.
        spans: Styled runs ``(row, start, end, role)``, ``role`` one of :data:`ROLES`.
        boxes: Where each node is drawn, by node id.
        mode: ``"normal"``, ``"tight"`` or ``"compact"``.
        arrows: Cells ``(x, y, consumer id)`` holding an arrow head (just left of the consumer).
    """

    lines: tuple[str, ...]
    spans: tuple[tuple[int, int, int, str], ...]
    boxes: Mapping[int, NodeBox]
    mode: str
    arrows: tuple[tuple[int, int, int], ...] = ()

    @property
    def width(self) -> int:
        """Width of the drawing in cells."""
        return len(self.lines[0]) if self.lines else 0

    @property
    def height(self) -> int:
        """Height of the drawing in rows."""
        return len(self.lines)

    def node_at(self, x: int, y: int) -> int | None:
        """The id of the node whose box covers cell ``(x, y)``, or ``None``."""
        for box in self.boxes.values():
            if box.contains(x, y):
                return box.node
        return None


@dataclass(frozen=True)
class NodeFace:
    """What one node shows, and the size of its box (the measuring phase's result).

    Attributes:
        first: The value line, such as ``"q = 3"``.
        second: The gradient line, such as ``"∂ = -4"`` (empty when gradients are hidden).
        op: The op symbol drawn in the top border (compact: on a line above), or ``""``.
        width: Box width in cells, border and padding included.
        height: Box height in rows (compact: 2, plus 1 for an op line).
        in_rows: Rows, relative to the box top, where operand 0 and operand 1+ enter.
        out_row: Row, relative to the box top, where the result leaves.
    """

    first: str
    second: str
    op: str
    width: int
    height: int
    in_rows: tuple[int, ...]
    out_row: int


@dataclass(eq=False)
class Item:
    """A node, or a dummy (one layer of a long edge), in a layer. Compared by identity.

    Attributes:
        key: A unique key: ``("node", id)`` or ``("dummy", src, dst, operand, column)``.
        column: The layer it is in.
        height: Rows it takes (a dummy: 1).
        width: Cells it takes (a dummy: 0, it spans its layer's width).
        node: The node id, or ``None`` for a dummy.
        in_rows: Rows (relative to ``y``) where operand 0 and operand 1+ enter.
        out_row: Row (relative to ``y``) where the line leaves.
        y: Top row, set by placement.
        index: Position inside its layer, set by ordering.
    """

    key: tuple
    column: int
    height: int
    width: int = 0
    node: int | None = None
    in_rows: tuple[int, ...] = (0,)
    out_row: int = 0
    y: float = 0.0
    index: int = 0


@dataclass
class Link:
    """One edge segment between adjacent layers: from ``src`` to ``dst`` entering ``port``.

    Attributes:
        src: The item in layer ``c``.
        dst: The item in layer ``c + 1``.
        port: Index into ``dst.in_rows`` (0: first operand, 1: the others).
        edge: The whole edge ``(operand id, consumer id)`` this segment belongs to.
        highlighted: Whether that edge is drawn heavy.
    """

    src: Item
    dst: Item
    port: int
    edge: tuple[int, int]
    highlighted: bool = False
