"""Computational graph view: a traced autograd graph drawn with boxes and arrows.

Each node of a :class:`~tutor.engines.autograd.Graph` is a small box with two lines, its value
and its gradient::

    ┌──────────┐    ┌ + ───────┐    ┌ * ────────┐
    │ x = -2   ├─┐  │ q = 3    ├───▶│ f = -12   │
    │ ∂ = ?    │ └─▶│ ∂ = ?    │ ┌─▶│ ∂ = ?     │
    └──────────┘    ...

Layout is layered left to right by depth: variables (labelled leaves) sit in column 0, every
other node one column right of its deepest input, the output last. A constant (an unlabelled
leaf, shown by its value) sits just left of its consumer, so it never needs a long edge. Inside a
column nodes are ordered to reduce crossings (barycentre sweeps), then placed vertically so that
edges run straight where they can. An edge leaves its operand's right side and enters its
consumer's left side with an arrow head "▶"; operand ``k`` of a consumer enters at content row
``k`` of its box (first operand on top), so ``a - b`` and ``b - a`` look different, and several
edges into the same row merge on one vertical track. A non-leaf box shows its operation in its
top border.

Three layouts, chosen by :func:`fit_layout` (and automatically by the widget from its width):

* normal: boxes with one space of padding;
* tight: the same boxes without padding;
* compact: two lines per node without borders, ``q=-2`` over ``∂0.197``, 3 significant digits,
  and for a labelled inner node its op in a line above, such as ``(*)``.

A gradient that is not computed yet is shown as ``∂ = ?``, never as 0. Highlighted nodes are
drawn reversed and bold with a heavy border; the highlighted edge uses heavy lines (``━ ┃``,
or ``= #`` in ASCII) and bold, so both show without colour. ``ascii_only`` draws with
``- | + >`` and ``d`` for ∂ only.

All drawing lives in the pure function :func:`layout_graph`, which returns a
:class:`GraphLayout` (plain text lines, style spans and node boxes for hit-testing) and needs no
app; :class:`GraphView` is a thin :class:`~textual.scroll_view.ScrollView` shell around it: it
scrolls itself (both ways) when the drawing is larger than the widget, so do not put it inside
another scrolling container.
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import ClassVar, Iterable, Mapping, Optional

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

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

ROLES = ("node", "node-highlight", "op", "edge", "edge-highlight")
"""Style roles a :class:`GraphLayout` span can carry (the widget maps each to a component class)."""

N, E, S, W = 1, 2, 4, 8
"""Arm bits of a line cell: north, east, south, west."""

_DIRS = {"UP": (N,), "DOWN": (S,), "LEFT": (W,), "RIGHT": (E,), "VERTICAL": (N, S), "HORIZONTAL": (E, W)}


@lru_cache(maxsize=1)
def _box_table() -> dict[tuple[int, int], str]:
    """Map ``(light arms, heavy arms)`` bit sets to a box-drawing character.

    Built from the Unicode names of U+2500..U+257F ("DOWN LIGHT AND RIGHT HEAVY", ...), so
    mixed light/heavy junctions are drawn exactly.
    """
    table: dict[tuple[int, int], str] = {}
    for code in range(0x2500, 0x2580):
        char = chr(code)
        name = unicodedata.name(char, "")
        words = name.removeprefix("BOX DRAWINGS ").split()
        if not words or any(w in ("DASH", "DOUBLE", "ARC", "DIAGONAL", "SINGLE") for w in words):
            continue
        if any(w.endswith("DASH") for w in words):
            continue
        arms = {"LIGHT": 0, "HEAVY": 0}
        forward: str | None = None
        pending: list[int] = []
        for word in words:
            if word in arms:
                if pending:
                    for bit in pending:
                        arms[word] |= bit
                    pending = []
                else:
                    forward = word
            elif word in _DIRS:
                for bit in _DIRS[word]:
                    if forward:
                        arms[forward] |= bit
                    else:
                        pending.append(bit)
        if pending:
            continue
        table.setdefault((arms["LIGHT"], arms["HEAVY"]), char)
    return table


def line_char(light: int, heavy: int, ascii_only: bool = False) -> str:
    """The character for a cell whose line arms are ``light`` and ``heavy`` (bit sets of N E S W).

    Args:
        light: Arms drawn with light lines.
        heavy: Arms drawn with heavy lines (a highlighted edge); wins over light.
        ascii_only: Use ``- | +`` (light) and ``= # #`` (heavy) instead of box drawing.

    Returns:
        One character; a blank for no arms.
    """
    light &= ~heavy
    arms = light | heavy
    if not arms:
        return " "
    if ascii_only:
        horizontal, vertical = arms & (E | W), arms & (N | S)
        if horizontal and not vertical:
            return "=" if heavy else "-"
        if vertical and not horizontal:
            return "#" if heavy else "|"
        return "#" if heavy and not light else "+"
    table = _box_table()
    if (light, heavy) in table:
        return table[(light, heavy)]
    if (0, arms) in table and heavy:
        return table[(0, arms)]
    return table.get((arms, 0), "┼")


def format_number(value: float, digits: int = 4) -> str:
    """Format a value compactly with up to ``digits`` significant digits.

    Integers are shown without a decimal point (``-12``), others like ``-0.1966`` or ``1.368``;
    very large or very small magnitudes use a short exponent (``1.23e5``).

    Args:
        value: The number.
        digits: Significant digits, at least 1.

    Returns:
        The text, such as ``"0.7311"``, ``"-12"``, ``"nan"`` or ``"inf"``.
    """
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == int(value) and abs(value) < 10 ** max(digits, 6):
        return str(int(value))
    text = f"{value:.{max(1, digits)}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return "0" if text in ("-0", "0") else text


def op_symbol(op: str, ascii_only: bool = False) -> str:
    """The symbol shown for an engine op, such as ``"*"``, ``"-x"`` for neg, ``"σ"``."""
    return (ASCII_OP_SYMBOLS if ascii_only else OP_SYMBOLS).get(op, op)


def node_texts(
    node: GraphNode, *, compact: bool, show_grads: bool = True, ascii_only: bool = False
) -> tuple[str, str]:
    """The two text lines of a node: value line and gradient line.

    Labelled nodes show ``label = value``; unlabelled inner nodes ``op = value``; constants
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
    else:
        first = f"{op_symbol(node.op, ascii_only)}{eq}{value}"
    partial = "d" if ascii_only else "∂"
    grad = "?" if node.grad is None else format_number(node.grad, digits)
    if not show_grads:
        second = ""
    elif compact:
        second = f"{partial}{grad}"
    else:
        second = f"{partial} = {grad}"
    return first, second


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
    """A drawn graph: text lines, style spans and node boxes.

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

    def texts(self, styles: Mapping[str, Style] | None = None) -> list[Text]:
        """The lines as Rich ``Text``, styled per role (default: bold/reverse, no colour)."""
        styles = dict(DEFAULT_STYLES if styles is None else styles)
        out = [Text(line, no_wrap=True, end="") for line in self.lines]
        for row, start, end, role in self.spans:
            style = styles.get(role)
            if style:
                out[row].stylize(style, start, end)
        return out

    def strips(self, styles: Mapping[str, Style] | None = None) -> list[Strip]:
        """The lines as Textual strips, styled per role (default: bold/reverse, no colour)."""
        styles = dict(DEFAULT_STYLES if styles is None else styles)
        by_row: dict[int, list[tuple[int, int, str]]] = {}
        for row, start, end, role in self.spans:
            by_row.setdefault(row, []).append((start, end, role))
        result = []
        for y, line in enumerate(self.lines):
            segments, x = [], 0
            for start, end, role in sorted(by_row.get(y, [])):
                if start > x:
                    segments.append(Segment(line[x:start]))
                segments.append(Segment(line[start:end], styles.get(role) or None))
                x = end
            if x < len(line):
                segments.append(Segment(line[x:]))
            result.append(Strip(segments, len(line)).simplify())
        return result


DEFAULT_STYLES: dict[str, Style] = {
    "node": Style(),
    "node-highlight": Style(bold=True, reverse=True),
    "op": Style(bold=True),
    "edge": Style(),
    "edge-highlight": Style(bold=True),
}
"""Colour-free styles per role, used when no others are given."""


# --------------------------------------------------------------------------- layout steps


@dataclass
class _Item:
    """A node or a dummy (one column of a long edge) in a layer."""

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
class _Link:
    """One edge segment between adjacent layers: from ``src`` to ``dst`` entering ``port``."""

    src: _Item
    dst: _Item
    port: int
    edge: tuple[int, int]
    highlighted: bool = False


def assign_columns(graph: Graph) -> dict[int, int]:
    """Layer of each node: variables in 0, a node at 1 + its deepest input, constants just left
    of their first consumer, the output in the last layer.

    Args:
        graph: The graph.

    Returns:
        Column per node id.
    """
    nodes = {n.id: n for n in graph.nodes}
    consumers: dict[int, list[int]] = {n.id: [] for n in graph.nodes}
    for n in graph.nodes:
        for i in n.inputs:
            consumers[i].append(n.id)
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


def _crossings(layers: list[list[_Item]], links: list[_Link]) -> int:
    """Count pairwise crossings of links between adjacent layers (by order, with ports)."""
    by_col: dict[int, list[tuple[float, float]]] = {}
    for link in links:
        by_col.setdefault(link.src.column, []).append(
            (link.src.index, link.dst.index + link.port / 10)
        )
    total = 0
    for pairs in by_col.values():
        for (a1, b1), (a2, b2) in itertools.combinations(pairs, 2):
            if (a1 - a2) * (b1 - b2) < 0:
                total += 1
    return total


def _order_layers(layers: list[list[_Item]], links: list[_Link]) -> None:
    """Reorder items inside layers by barycentre sweeps, keeping the order with fewest crossings."""
    ins: dict[int, list[_Link]] = {}
    outs: dict[int, list[_Link]] = {}
    for link in links:
        ins.setdefault(id(link.dst), []).append(link)
        outs.setdefault(id(link.src), []).append(link)

    def reindex() -> None:
        """Store each item's position in its layer."""
        for layer in layers:
            for i, item in enumerate(layer):
                item.index = i

    reindex()
    best = [list(layer) for layer in layers]
    best_cost = _crossings(layers, links)
    for sweep in range(6):
        forward = sweep % 2 == 1
        order = range(1, len(layers)) if forward else range(len(layers) - 2, -1, -1)
        for c in order:
            layer = layers[c]

            def key(item: _Item) -> tuple[float, int]:
                """Barycentre of the item's neighbours in the previous layer of the sweep."""
                if forward:
                    near = [l.src.index + l.port * 0.01 for l in ins.get(id(item), [])]
                else:
                    near = [l.dst.index + l.port * 0.3 for l in outs.get(id(item), [])]
                return (sum(near) / len(near) if near else item.index, item.index)

            layer.sort(key=key)
            for i, item in enumerate(layer):
                item.index = i
        cost = _crossings(layers, links)
        if cost < best_cost:
            best_cost, best = cost, [list(layer) for layer in layers]
    for c, layer in enumerate(best):
        layers[c][:] = layer
    reindex()


def _pav(targets: list[float]) -> list[float]:
    """Non-decreasing least-squares fit to ``targets`` (pool adjacent violators)."""
    blocks: list[list[float]] = []  # [sum, count]
    for t in targets:
        blocks.append([t, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, n = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += n
    fitted: list[float] = []
    for s, n in blocks:
        fitted.extend([s / n] * int(n))
    return fitted


def _place_layer(layer: list[_Item], desired: list[float | None], gap: int) -> None:
    """Set ``y`` of a layer's items near ``desired`` tops, in order, ``gap`` rows apart."""
    offsets, total = [], 0
    for item in layer:
        offsets.append(total)
        total += item.height + gap
    targets = []
    for item, want, off in zip(layer, desired, offsets):
        targets.append((item.y if want is None else want) - off)
    for item, z, off in zip(layer, _pav(targets), offsets):
        item.y = float(round(z) + off)


def _place_vertically(layers: list[list[_Item]], links: list[_Link], gap: int) -> None:
    """Give every item a top row: stack, then pull layers toward their neighbours' ports."""
    ins: dict[int, list[_Link]] = {}
    outs: dict[int, list[_Link]] = {}
    for link in links:
        ins.setdefault(id(link.dst), []).append(link)
        outs.setdefault(id(link.src), []).append(link)
    for layer in layers:
        y = 0
        for item in layer:
            item.y = float(y)
            y += item.height + gap

    def from_inputs(item: _Item) -> float | None:
        """The top that lines the item's ports up with its operands (mean), or ``None``."""
        near = [l.src.y + l.src.out_row - l.dst.in_rows[l.port] for l in ins.get(id(item), [])]
        return sum(near) / len(near) if near else None

    def from_outputs(item: _Item) -> float | None:
        """The top that lines the item's output up with its consumers (mean), or ``None``."""
        near = [l.dst.y + l.dst.in_rows[l.port] - l.src.out_row for l in outs.get(id(item), [])]
        return sum(near) / len(near) if near else None

    for _ in range(2):
        for layer in layers[1:]:
            _place_layer(layer, [from_inputs(i) for i in layer], gap)
        for layer in reversed(layers[:-1]):
            _place_layer(layer, [from_outputs(i) for i in layer], gap)
    for layer in layers[1:]:
        _place_layer(layer, [from_inputs(i) for i in layer], gap)
    low = min((item.y for layer in layers for item in layer), default=0.0)
    for layer in layers:
        for item in layer:
            item.y -= low


@dataclass
class _Group:
    """Links that enter the same row of the same consumer: they merge on one track."""

    links: list[_Link] = field(default_factory=list)

    @property
    def rows(self) -> set[int]:
        """Every row the group touches."""
        rows = {int(l.src.y) + l.src.out_row for l in self.links}
        rows.add(self.dst_row)
        return rows

    @property
    def dst_row(self) -> int:
        """The row the group enters its consumer at."""
        link = self.links[0]
        return int(link.dst.y) + link.dst.in_rows[link.port]


def _route_channel(groups: list[_Group]) -> tuple[list[int | None], int]:
    """Choose a vertical track for each group of one channel.

    Straight groups (all rows equal) need no track (``None``). Others get a track index;
    groups with disjoint row spans may share one. The choice minimises bad touches (two
    unrelated lines meeting), then crossings, then the number of tracks.

    Returns:
        The track index per group (``None`` for straight ones) and the number of tracks.
    """
    bent = [i for i, g in enumerate(groups) if len(g.rows) > 1]
    if not bent:
        return [None] * len(groups), 0
    sources = [{int(l.src.y) + l.src.out_row for l in g.links} for g in groups]
    spans = [(min(g.rows), max(g.rows)) for g in groups]
    dst_rows = [g.dst_row for g in groups]

    def cost(assign: dict[int, int]) -> float:
        """Bad touches x 1000 + crossings x 5 + tracks x 3 for a track assignment."""
        total = 0.0
        for i, j in itertools.permutations(range(len(groups)), 2):
            lo_j, hi_j = spans[j]
            if j in assign:
                tj = assign[j]
                ti = assign.get(i)
                if ti is not None and ti == tj and i < j:
                    lo_i, hi_i = spans[i]
                    if not (hi_i < lo_j or hi_j < lo_i):
                        total += 1000
                # i's left horizontals reach i's track (or the arrow); do they pass track j?
                for a in sources[i]:
                    if a in sources[j]:
                        continue
                    if ti is None or tj < ti:
                        if lo_j < a < hi_j:
                            total += 5
                        elif lo_j <= a <= hi_j:
                            total += 1000
                # i's right horizontal runs from its track to the arrow.
                b = dst_rows[i]
                if ti is None or tj > ti:
                    if lo_j < b < hi_j and b not in sources[j]:
                        total += 5
                    elif lo_j <= b <= hi_j:
                        total += 1000
        return total + 3 * (max(assign.values()) + 1)

    n = len(bent)
    best: dict[int, int] | None = None
    best_cost = math.inf
    if n <= 5:
        for choice in itertools.product(range(n), repeat=n):
            used = sorted(set(choice))
            if used != list(range(len(used))):
                continue
            assign = dict(zip(bent, choice))
            c = cost(assign)
            if c < best_cost:
                best, best_cost = assign, c
    else:
        order = sorted(bent, key=lambda i: (dst_rows[i] - min(sources[i]), spans[i]))
        best = {i: k for k, i in enumerate(order)}
    assert best is not None
    tracks = max(best.values()) + 1
    return [best.get(i) for i in range(len(groups))], tracks


class _Canvas:
    """A grid of characters with line arms and style roles, turned into text at the end."""

    def __init__(self, width: int, height: int) -> None:
        """An empty canvas of ``width`` x ``height`` cells."""
        self.width, self.height = width, height
        self.chars: list[list[str | None]] = [[None] * width for _ in range(height)]
        self.light = [[0] * width for _ in range(height)]
        self.heavy = [[0] * width for _ in range(height)]
        self.roles: list[list[str | None]] = [[None] * width for _ in range(height)]

    def arm(self, x: int, y: int, bits: int, heavy: bool = False) -> None:
        """Add line arms to a cell."""
        if 0 <= x < self.width and 0 <= y < self.height:
            (self.heavy if heavy else self.light)[y][x] |= bits

    def path(self, points: list[tuple[int, int]], heavy: bool) -> None:
        """Draw a line through orthogonal waypoints ``(x, y)``."""
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            if x0 == x1 and y0 == y1:
                continue
            step_x = (x1 > x0) - (x1 < x0)
            step_y = (y1 > y0) - (y1 < y0)
            x, y = x0, y0
            while (x, y) != (x1, y1):
                nx, ny = x + step_x, y + step_y
                if step_x:
                    self.arm(x, y, E if step_x > 0 else W, heavy)
                    self.arm(nx, ny, W if step_x > 0 else E, heavy)
                else:
                    self.arm(x, y, S if step_y > 0 else N, heavy)
                    self.arm(nx, ny, N if step_y > 0 else S, heavy)
                x, y = nx, ny

    def put(self, x: int, y: int, text: str, role: str | None = None) -> None:
        """Write text starting at ``(x, y)``."""
        for i, char in enumerate(text):
            if 0 <= x + i < self.width and 0 <= y < self.height:
                self.chars[y][x + i] = char
                if role:
                    self.roles[y][x + i] = role

    def role(self, x: int, y: int, role: str) -> None:
        """Set the style role of a cell."""
        if 0 <= x < self.width and 0 <= y < self.height:
            self.roles[y][x] = role

    def finish(self, ascii_only: bool) -> tuple[tuple[str, ...], tuple[tuple[int, int, int, str], ...]]:
        """Lines and style spans."""
        lines, spans = [], []
        for y in range(self.height):
            row = []
            for x in range(self.width):
                char = self.chars[y][x]
                if char is None:
                    char = line_char(self.light[y][x], self.heavy[y][x], ascii_only)
                    if self.heavy[y][x] and self.roles[y][x] is None:
                        self.roles[y][x] = "edge-highlight"
                row.append(char)
            lines.append("".join(row).rstrip().ljust(self.width))
            start = 0
            roles = self.roles[y]
            for x in range(1, self.width + 1):
                if x == self.width or roles[x] != roles[start]:
                    if roles[start]:
                        spans.append((y, start, x, roles[start]))
                    start = x
        return tuple(lines), tuple(spans)


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
    """Lay a graph out and draw it as text. Pure: no app needed.

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
    highlight = frozenset(highlight)
    columns = assign_columns(graph)
    pad = 0 if (compact or tight) else 1
    border = 0 if compact else 1
    height = 2 if compact else 4
    gap = 1
    texts = {
        n.id: node_texts(n, compact=compact, show_grads=show_grads, ascii_only=ascii_only)
        for n in graph.nodes
    }
    ops = {
        n.id: (op_symbol(n.op, ascii_only) if n.op and n.label else "") for n in graph.nodes
    }

    consumers: dict[int, list[int]] = {}
    for n in graph.nodes:
        for i in n.inputs:
            consumers.setdefault(i, []).append(n.id)

    n_layers = max(columns.values()) + 1
    layers: list[list[_Item]] = [[] for _ in range(n_layers)]
    items: dict[int, _Item] = {}
    for n in graph.nodes:
        width = max(len(texts[n.id][0]), len(texts[n.id][1])) + 2 * pad + 2 * border
        if ops[n.id] and not compact:
            width = max(width, len(ops[n.id]) + 4)
        top = border
        if compact and ops[n.id]:  # compact: the op gets a line of its own, "(+)"
            top = 1
            width = max(width, len(ops[n.id]) + 2)
        item = _Item(
            key=("node", n.id),
            column=columns[n.id],
            height=height + (top if compact else 0),
            width=width,
            node=n.id,
            in_rows=(top, top + 1),
            out_row=top,
        )
        items[n.id] = item
        layers[item.column].append(item)

    links: list[_Link] = []
    for n in graph.nodes:
        for k, src_id in enumerate(n.inputs):
            edge = (src_id, n.id)
            lit = edge_highlight is not None and tuple(edge_highlight) == edge
            prev = items[src_id]
            for c in range(columns[src_id] + 1, columns[n.id]):
                dummy = _Item(key=("dummy", src_id, n.id, k, c), column=c, height=1)
                layers[c].append(dummy)
                links.append(_Link(prev, dummy, 0, edge, lit))
                prev = dummy
            links.append(_Link(prev, items[n.id], min(k, 1), edge, lit))

    _order_layers(layers, links)
    _place_vertically(layers, links, gap)

    # Channels between layers: group links by the row they enter, choose tracks.
    channel_groups: list[list[_Group]] = []
    channel_tracks: list[list[int | None]] = []
    channel_width: list[int] = []
    for c in range(n_layers - 1):
        by_row: dict[tuple[int, int], _Group] = {}
        for link in links:
            if link.src.column == c:
                key = (id(link.dst), link.dst.in_rows[link.port])
                by_row.setdefault(key, _Group()).links.append(link)
        groups = sorted(by_row.values(), key=lambda g: g.dst_row)
        tracks, count = _route_channel(groups)
        channel_groups.append(groups)
        channel_tracks.append(tracks)
        channel_width.append(count + 2)

    col_width = [max((i.width for i in layer if i.node is not None), default=1) for layer in layers]
    col_x, x = [], 0
    for c in range(n_layers):
        col_x.append(x)
        x += col_width[c] + (channel_width[c] if c < n_layers - 1 else 0)
    total_width = x
    total_height = int(max((i.y + i.height for layer in layers for i in layer), default=0))
    canvas = _Canvas(total_width, total_height)

    boxes: dict[int, NodeBox] = {}
    for c, layer in enumerate(layers):
        for item in layer:
            top = int(item.y)
            if item.node is None:
                canvas.path([(col_x[c], top), (col_x[c] + col_width[c] - 1, top)], _dummy_lit(item, links))
                continue
            node_id = item.node
            box = NodeBox(node_id, col_x[c], top, col_width[c], item.height, c)
            boxes[node_id] = box
            lit = node_id in highlight
            role = "node-highlight" if lit else "node"
            first, second = texts[node_id]
            if compact:
                if ops[node_id]:
                    canvas.put(box.x, top, f"({ops[node_id]})", "op" if not lit else role)
                    top += 1
                canvas.put(box.x, top, first.ljust(box.width), role)
                canvas.put(box.x, top + 1, second.ljust(box.width), role)
                # the out-line continues from the text to the box's right end
                start = box.x + len(first) + 1
                if start <= box.x + box.width - 1 and consumers.get(node_id):
                    canvas.arm(start, top, W)
                    canvas.path([(start, top), (box.x + box.width - 1, top)], False)
                    for cx in range(start, box.x + box.width):
                        canvas.roles[top][cx] = None
                        canvas.chars[top][cx] = None
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
                canvas.put(box.x + 1, top + 1, (" " * pad + first).ljust(inner), role)
                canvas.put(box.x + 1, top + 2, (" " * pad + second).ljust(inner), role)
                if ops[node_id]:
                    canvas.put(box.x + 1, top, f" {ops[node_id]} ", "op" if not lit else role)
                if consumers.get(node_id):
                    canvas.arm(right, top + item.out_row, E)

    arrows: list[tuple[int, int, int]] = []
    arrow_char = ">" if ascii_only else "▶"
    for c in range(n_layers - 1):
        x0 = col_x[c] + col_width[c]  # lead cell
        xa = col_x[c + 1] - 1  # arrow cell
        for group, track in zip(channel_groups[c], channel_tracks[c]):
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

    lines, spans = canvas.finish(ascii_only)
    return GraphLayout(lines, spans, boxes, mode, tuple(arrows))


def _dummy_lit(item: _Item, links: list[_Link]) -> bool:
    """Whether a dummy item belongs to the highlighted edge."""
    return any(l.highlighted for l in links if l.dst is item)


LAYOUT_MODES = ("normal", "tight", "compact")
"""Layouts :func:`fit_layout` tries, widest first."""


def fit_layout(graph: Graph | None, width: int, **options) -> GraphLayout:
    """The widest-looking layout whose drawing fits ``width`` cells, else the compact one.

    Args:
        graph: The graph, or ``None``.
        width: Cells available.
        **options: Passed to :func:`layout_graph` (``highlight``, ``edge_highlight``,
            ``show_grads``, ``ascii_only``).

    Returns:
        The normal layout if it fits, else the tight one, else the compact one (which may
        still be wider than ``width``: the widget then scrolls).
    """
    layout = layout_graph(graph, **options)
    if layout.width <= width:
        return layout
    layout = layout_graph(graph, tight=True, **options)
    if layout.width <= width:
        return layout
    return layout_graph(graph, compact=True, **options)


class GraphView(ScrollView):
    """Shows a traced computation graph; click a node to post :class:`GraphView.NodeClicked`.

    A thin shell around :func:`layout_graph`: set the attributes and it redraws. It is a
    :class:`~textual.scroll_view.ScrollView` that fills its parent (``1fr`` by ``1fr``) and
    scrolls by itself (mouse wheel, scroll bars, or the parent calling ``scroll_to``) when the
    drawing is larger. With ``compact`` left at ``None`` it picks the roomiest layout that fits
    its width (normal boxes, tight boxes, then borderless compact nodes). It does not take
    focus, so arrow keys stay with the lesson screen.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "graph-view--node",
        "graph-view--node-highlight",
        "graph-view--op",
        "graph-view--edge",
        "graph-view--edge-highlight",
    }
    """
    | Class | Description |
    | :- | :- |
    | `graph-view--node` | Node boxes and their text. |
    | `graph-view--node-highlight` | Highlighted nodes (reverse and bold: shows without colour). |
    | `graph-view--op` | The op symbol in a box's top border. |
    | `graph-view--edge` | Arrow heads of ordinary edges. |
    | `graph-view--edge-highlight` | The highlighted edge (heavy lines, bold). |
    """

    DEFAULT_CSS = """
    GraphView {
        width: 1fr;
        height: 1fr;
        scrollbar-size: 1 1;
    }
    GraphView > .graph-view--node {
        text-style: none;
    }
    GraphView > .graph-view--node-highlight {
        text-style: bold reverse;
    }
    GraphView > .graph-view--op {
        text-style: bold;
    }
    GraphView > .graph-view--edge {
        text-style: none;
    }
    GraphView > .graph-view--edge-highlight {
        color: $accent;
        text-style: bold;
    }
    """

    can_focus = False
    """The view never takes focus: arrow keys belong to the screen (step/back)."""

    graph: reactive[Optional[Graph]] = reactive(None)
    """The graph to draw (``tutor.engines.autograd.trace(root)``), or ``None`` for nothing."""

    highlight: reactive[frozenset[int]] = reactive(frozenset())
    """Ids of nodes drawn emphasised (reverse, bold, heavy border)."""

    edge_highlight: reactive[Optional[tuple[int, int]]] = reactive(None)
    """The edge ``(operand id, consumer id)`` drawn with heavy lines, or ``None``."""

    show_grads: reactive[bool] = reactive(True)
    """Show the gradient line of every box (hidden lines keep their room, so nothing moves)."""

    ascii_only: reactive[bool] = reactive(False)
    """Draw with ASCII only (``+-|>``, ``d`` for ∂) for terminals or fonts without box drawing."""

    compact: reactive[Optional[bool]] = reactive(None)
    """``None`` picks the layout from the width; ``True`` forces compact, ``False`` boxes."""

    class NodeClicked(Message):
        """A node's box was clicked."""

        def __init__(self, graph_view: "GraphView", node_id: int) -> None:
            """Create the message.

            Args:
                graph_view: The view that was clicked.
                node_id: The id of the clicked node (``GraphNode.id``).
            """
            super().__init__()
            self.graph_view = graph_view
            """The view that was clicked."""
            self.node_id = node_id
            """The id of the clicked node."""

        @property
        def control(self) -> "GraphView":
            """The view that was clicked (for ``@on(GraphView.NodeClicked, "#id")``)."""
            return self.graph_view

    def __init__(
        self,
        graph: Graph | None = None,
        *,
        highlight: Iterable[int] = (),
        edge_highlight: tuple[int, int] | None = None,
        show_grads: bool = True,
        ascii_only: bool = False,
        compact: bool | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """Create a graph view.

        Args:
            graph: The graph to draw, or ``None``.
            highlight: Node ids to emphasise.
            edge_highlight: Edge ``(operand id, consumer id)`` to emphasise, or ``None``.
            show_grads: Whether to show gradient lines.
            ascii_only: Draw with ASCII characters only.
            compact: ``None`` (auto by width), ``True`` or ``False``.
            name: The name of the widget.
            id: The ID of the widget in the DOM.
            classes: The CSS classes of the widget.
            disabled: Whether the widget is disabled.
        """
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._layout: GraphLayout | None = None
        self._strips: list[Strip] | None = None
        self.set_reactive(GraphView.graph, graph)
        self.set_reactive(GraphView.highlight, frozenset(highlight))
        self.set_reactive(GraphView.edge_highlight, self.validate_edge_highlight(edge_highlight))
        self.set_reactive(GraphView.show_grads, show_grads)
        self.set_reactive(GraphView.ascii_only, ascii_only)
        self.set_reactive(GraphView.compact, compact)

    def validate_highlight(self, highlight: Iterable[int]) -> frozenset[int]:
        """Store highlighted ids as a frozenset of ints."""
        return frozenset(int(i) for i in highlight)

    def validate_edge_highlight(self, edge: tuple[int, int] | None) -> tuple[int, int] | None:
        """Store the highlighted edge as a pair of ints, or ``None``."""
        return None if edge is None else (int(edge[0]), int(edge[1]))

    @property
    def graph_layout(self) -> GraphLayout:
        """The current drawing for the widget's width (cached until something changes)."""
        if self._layout is None:
            options = dict(
                highlight=self.highlight,
                edge_highlight=self.edge_highlight,
                show_grads=self.show_grads,
                ascii_only=self.ascii_only,
            )
            if self.compact is None:
                self._layout = fit_layout(self.graph, self.size.width or 80, **options)
            else:
                self._layout = layout_graph(self.graph, compact=self.compact, **options)
        return self._layout

    def _invalidate(self) -> None:
        """Drop the cached drawing, resize the scroll area and repaint."""
        self._layout = None
        self._strips = None
        layout = self.graph_layout
        self.virtual_size = Size(layout.width, layout.height)
        self.refresh()

    def on_mount(self) -> None:
        """Size the scroll area once mounted."""
        self._invalidate()

    def on_resize(self, event: events.Resize) -> None:
        """Pick the layout again for the new width."""
        self._invalidate()

    def watch_graph(self) -> None:
        """Redraw when the graph changes."""
        self._invalidate()

    def watch_highlight(self) -> None:
        """Redraw when the highlighted nodes change."""
        self._invalidate()

    def watch_edge_highlight(self) -> None:
        """Redraw when the highlighted edge changes."""
        self._invalidate()

    def watch_show_grads(self) -> None:
        """Redraw when gradients are shown or hidden."""
        self._invalidate()

    def watch_ascii_only(self) -> None:
        """Redraw with other characters."""
        self._invalidate()

    def watch_compact(self) -> None:
        """Redraw with another layout."""
        self._invalidate()

    def notify_style_update(self) -> None:
        """Restyle when the CSS (theme) changes."""
        super().notify_style_update()
        self._strips = None

    @property
    def lines(self) -> list[Strip]:
        """The styled lines of the whole drawing (cached)."""
        if self._strips is None:
            styles = {
                role: self.get_component_rich_style(f"graph-view--{role}", partial=True)
                for role in ROLES
            }
            self._strips = self.graph_layout.strips(styles)
        return self._strips

    def render_line(self, y: int) -> Strip:
        """Row ``y`` of the visible part of the drawing."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        rich_style = self.rich_style
        lines = self.lines
        row = scroll_y + y
        if not 0 <= row < len(lines):
            return Strip.blank(width, rich_style)
        strip = lines[row].apply_style(rich_style)
        return strip.crop_extend(scroll_x, scroll_x + width, rich_style)

    def node_at(self, x: int, y: int) -> int | None:
        """The node under content cell ``(x, y)`` of the visible area, scrolling included."""
        scroll_x, scroll_y = self.scroll_offset
        return self.graph_layout.node_at(x + scroll_x, y + scroll_y)

    def on_click(self, event: events.Click) -> None:
        """Post :class:`GraphView.NodeClicked` when a node box is clicked."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        node_id = self.node_at(offset.x, offset.y)
        if node_id is not None:
            event.stop()
            self.post_message(self.NodeClicked(self, node_id))
