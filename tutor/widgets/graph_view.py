"""Computational graph view: the Textual widget around :mod:`tutor.graph_layout`.

The layout and the drawing are pure (:func:`tutor.graph_layout.layout_graph` returns a
:class:`~tutor.graph_layout.GraphLayout`: plain text lines, style-role spans and node boxes for
hit-testing). This module adds only what needs Rich or Textual: the styles of the roles
(:data:`DEFAULT_STYLES`, or the widget's component classes), :func:`styled_texts` and
:func:`styled_strips` to apply them, and :class:`GraphView`, a thin
:class:`~textual.scroll_view.ScrollView` shell that picks the layout from its width, scrolls
itself (both ways) when the drawing is larger than the widget, so do not put it inside another
scrolling container, and posts :class:`GraphView.NodeClicked` when a box is clicked.

``format_number`` is re-exported here for the graph scenes that import it from this module.
"""

from __future__ import annotations

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

from tutor.engines.autograd import Graph
from tutor.graph_layout import ROLES, GraphLayout, fit_layout, layout_graph
from tutor.graph_layout import format_number  # noqa: F401  (re-exported: the graph scenes use it)

DEFAULT_STYLES: dict[str, Style] = {
    "node": Style(),
    "node-highlight": Style(bold=True, reverse=True),
    "op": Style(bold=True),
    "edge": Style(),
    "edge-highlight": Style(bold=True),
}
"""Colour-free styles per role, used when no others are given."""


def styled_texts(layout: GraphLayout, styles: Mapping[str, Style] | None = None) -> list[Text]:
    """The lines of a drawing as Rich ``Text``, styled per role (default: bold/reverse, no colour).

    Args:
        layout: The drawing.
        styles: A style per role of :data:`~tutor.graph_layout.ROLES` (missing roles: unstyled).

    Returns:
        One ``Text`` per line.
    """
    styles = dict(DEFAULT_STYLES if styles is None else styles)
    out = [Text(line, no_wrap=True, end="") for line in layout.lines]
    for row, start, end, role in layout.spans:
        style = styles.get(role)
        if style:
            out[row].stylize(style, start, end)
    return out


def styled_strips(layout: GraphLayout, styles: Mapping[str, Style] | None = None) -> list[Strip]:
    """The lines of a drawing as Textual strips, styled per role (default: bold/reverse, no colour).

    Args:
        layout: The drawing.
        styles: A style per role of :data:`~tutor.graph_layout.ROLES` (missing roles: unstyled).

    Returns:
        One strip per line, each as wide as the drawing.
    """
    styles = dict(DEFAULT_STYLES if styles is None else styles)
    by_row: dict[int, list[tuple[int, int, str]]] = {}
    for row, start, end, role in layout.spans:
        by_row.setdefault(row, []).append((start, end, role))
    result = []
    for y, line in enumerate(layout.lines):
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


class GraphView(ScrollView):
    """Shows a traced computation graph; click a node to post :class:`GraphView.NodeClicked`.

    A thin shell around :func:`tutor.graph_layout.layout_graph`: set the attributes and it
    redraws. It is a :class:`~textual.scroll_view.ScrollView` that fills its parent (``1fr`` by
    ``1fr``) and scrolls by itself (mouse wheel, scroll bars, or the parent calling
    ``scroll_to``) when the drawing is larger. With ``compact`` left at ``None`` it picks the roomiest layout that fits
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

    class Resized(Message):
        """The view changed size (so the drawing may now fit, or need panning)."""

        def __init__(self, graph_view: "GraphView") -> None:
            """Create the message for ``graph_view``."""
            super().__init__()
            self.graph_view = graph_view
            """The view that was resized."""

        @property
        def control(self) -> "GraphView":
            """The view that was resized."""
            return self.graph_view

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
                self._layout = fit_layout(self.graph, self.size.width or 80,
                                          self.size.height or None, **options)
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
        """Pick the layout again for the new width; tell the parent (it may say the view pans)."""
        self._invalidate()
        self.post_message(self.Resized(self))

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
            self._strips = styled_strips(self.graph_layout, styles)
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

    @property
    def overflows(self) -> bool:
        """Whether the drawing is wider or taller than the visible area (so it can be panned)."""
        layout = self.graph_layout
        return layout.width > self.size.width or layout.height > self.size.height

    def show_nodes(self, nodes: Iterable[int]) -> None:
        """Scroll as little as needed to bring the boxes of ``nodes`` into view.

        When they do not all fit, the last one (in id order: the later step) wins. Nodes not
        in the drawing are ignored; with none, the view does not move.
        """
        boxes = [self.graph_layout.boxes[n] for n in sorted(nodes) if n in self.graph_layout.boxes]
        if not boxes:
            return
        width, height = self.size.width, self.size.height
        x, y = self.scroll_x, self.scroll_y
        for box in boxes:
            if box.x + box.width > x + width:
                x = box.x + box.width - width
            if box.x < x:
                x = box.x
            if box.y + box.height > y + height:
                y = box.y + box.height - height
            if box.y < y:
                y = box.y
        if (x, y) != (self.scroll_x, self.scroll_y):
            self.scroll_to(max(0, x), max(0, y), animate=False)

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
