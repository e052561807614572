"""The computational graph view: pure layout (texts, edges, highlights, sizes), and the widget.

Layout tests call :func:`tutor.graph_layout.layout_graph` without an app (its phases
have their own tests in ``tests/test_graph_layout.py``). Widget tests mount :class:`GraphView`
in a tiny app through Pilot, and the snapshots (sync tests: ``snap_compare`` runs its own
loop) show the chain example and the sigmoid neuron at 80x24. Regenerate with
``pytest tests/test_graph_view.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import pytest
from rich.console import Console
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from tutor.engines.autograd import (
    Graph,
    Value,
    reuse_example,
    seed_chain_example,
    seed_sigmoid_neuron,
    trace,
)
from tutor.graph_layout import (
    E,
    N,
    S,
    W,
    GraphLayout,
    box_table,
    fit_layout,
    format_number,
    layout_graph,
    line_char,
)
from tutor.widgets.graph_view import GraphView, styled_texts


def traced(builder, grads: bool = True) -> Graph:
    """Trace a seed graph, after backward when ``grads`` is true."""
    root, _ = builder()
    if grads:
        root.backward()
    return trace(root, with_grads=grads)


def node_id(graph: Graph, label: str) -> int:
    """The id of the node with this label."""
    return next(n.id for n in graph.nodes if n.label == label)


def text_of(layout: GraphLayout) -> str:
    """All the lines, joined."""
    return "\n".join(layout.lines)


CONSOLE = Console()
"""A console for reading styles back from Rich text."""

ARMS = {char: light | heavy for (light, heavy), char in box_table().items()}
"""Box-drawing character -> its arm bits (light or heavy)."""

STEP = {N: (0, -1, S), E: (1, 0, W), S: (0, 1, N), W: (-1, 0, E)}
"""Arm -> (dx, dy, the arm the neighbour must have to join)."""


def sources_reached(layout: GraphLayout, x: int, y: int) -> set[int]:
    """Follow the lines from cell ``(x, y)`` (outside every box) and return the boxes reached.

    Lines are followed only where both neighbouring cells have matching arms, so a gap, a
    wrong corner or a dangling end breaks the path.
    """

    def box_at(cx: int, cy: int) -> int | None:
        return layout.node_at(cx, cy)

    seen, todo, found = set(), [(x, y)], set()
    while todo:
        cx, cy = todo.pop()
        if (cx, cy) in seen:
            continue
        seen.add((cx, cy))
        arms = ARMS.get(layout.lines[cy][cx], 0)
        for arm, (dx, dy, back) in STEP.items():
            if not arms & arm:
                continue
            nx, ny = cx + dx, cy + dy
            hit = box_at(nx, ny)
            if hit is not None:
                found.add(hit)
                continue
            if layout.lines[ny][nx] == "▶" and arm == E:
                continue  # another arrow head: a line may end there
            assert ARMS.get(layout.lines[ny][nx], 0) & back, (
                f"dangling line at {(cx, cy)} -> {(nx, ny)}:\n{text_of(layout)}"
            )
            todo.append((nx, ny))
    return found


# --------------------------------------------------------------------------- texts


def test_format_number_is_compact():
    assert format_number(-12.0) == "-12"
    assert format_number(-0.19661193324148188) == "-0.1966"
    assert format_number(0.7310585786300049) == "0.7311"
    assert format_number(1.3678794411714423) == "1.368"
    assert format_number(0.7310585786300049, 3) == "0.731"
    assert format_number(-0.0) == "0"
    assert format_number(123456.7) == "1.235e5"
    assert format_number(float("nan")) == "nan"


def test_chain_before_backward_shows_values_and_unknown_gradients():
    graph = traced(seed_chain_example, grads=False)
    text = text_of(layout_graph(graph))
    for part in ("x = -2", "y = 5", "z = -4", "q = 3", "f = -12"):
        assert part in text
    assert text.count("∂ = ?") == 5
    assert "∂ = 0" not in text  # a missing gradient is never shown as 0
    assert "┌ + " in text and "┌ * " in text  # the op of each inner node, in its top border


def test_chain_after_backward_shows_gradients():
    graph = traced(seed_chain_example)
    layout = layout_graph(graph)
    text = text_of(layout)
    assert "∂ = ?" not in text
    for node, grad in (("x", "-4"), ("y", "-4"), ("z", "3"), ("q", "-4"), ("f", "1")):
        box = layout.boxes[node_id(graph, node)]
        assert layout.lines[box.y + 2][box.x : box.x + box.width].split("│")[1].strip() == (
            f"∂ = {grad}"
        )


def test_columns_follow_depth():
    graph = traced(seed_sigmoid_neuron)
    layout = layout_graph(graph)
    column = {n.label or f"#{n.id}": layout.boxes[n.id].column for n in graph.nodes}
    assert {column[v] for v in ("w0", "x0", "w1", "x1", "w2")} == {0}
    assert column["q"] == column["p"] == 1
    assert (column["s"], column["t"], column["r"], column["u"], column["v"], column["z"]) == (
        2, 3, 4, 5, 6, 7,
    )
    # constants sit just left of their consumer
    for n in graph.nodes:
        if n.is_leaf and not n.label:
            consumer = next(m for m in graph.nodes if n.id in m.inputs)
            assert column[f"#{n.id}"] == layout.boxes[consumer.id].column - 1
    assert max(b.column for b in layout.boxes.values()) == layout.boxes[graph.output].column


def test_unlabelled_nodes_show_op_and_constants_their_value():
    a = Value(2.0, label="a")
    b = (a * 3).exp() + 1  # constants 3 and 1, unlabelled inner nodes
    b.label = "b"
    layout = layout_graph(trace(b, with_grads=False))
    text = text_of(layout)
    assert "* = 6" in text and "exp = 403.4" in text and "b = 404.4" in text
    assert "│ 3 " in text and "│ 1 " in text


# --------------------------------------------------------------------------- edges


@pytest.mark.parametrize("builder", [seed_chain_example, seed_sigmoid_neuron, reuse_example])
@pytest.mark.parametrize("mode", ["normal", "tight", "compact"])
def test_every_arrow_enters_a_consumer_and_connects_its_operands(builder, mode):
    graph = traced(builder)
    layout = layout_graph(graph, compact=mode == "compact", tight=mode == "tight")
    nodes = {n.id: n for n in graph.nodes}
    arrows_into: dict[int, list[tuple[int, int]]] = {}
    for x, y, consumer in layout.arrows:
        box = layout.boxes[consumer]
        assert layout.lines[y][x] == "▶"
        assert x + 1 == box.x and box.y <= y < box.y + box.height  # at the left edge
        arrows_into.setdefault(consumer, []).append((x, y))
    for node in graph.nodes:
        if node.is_leaf:
            assert node.id not in arrows_into
            continue
        reached = set()
        for x, y in arrows_into[node.id]:
            assert ARMS.get(layout.lines[y][x - 1], 0) & E, f"arrow at {(x, y)} is not fed"
            reached |= sources_reached(layout, x - 1, y)
        assert set(node.inputs) <= reached
        # no unrelated node joins in: only operands, or nodes sharing an operand's fan-out
        allowed = set(node.inputs) | {
            i for m in nodes.values() for i in m.inputs if set(m.inputs) & set(node.inputs)
        }
        assert reached <= allowed
    assert sum(layout.lines[y].count("▶") for y in range(layout.height)) == len(layout.arrows)


def test_operands_enter_in_order_first_on_top():
    graph = traced(seed_sigmoid_neuron)
    layout = layout_graph(graph)
    z = graph.nodes[graph.output]  # z = 1 / v
    rows = sorted(y for x, y, consumer in layout.arrows if consumer == z.id)
    box = layout.boxes[z.id]
    assert rows == [box.y + 1, box.y + 2]
    assert sources_reached(layout, layout.boxes[z.id].x - 2, rows[0]) == {z.inputs[0]}
    assert sources_reached(layout, layout.boxes[z.id].x - 2, rows[1]) == {z.inputs[1]}


def test_line_char_mixes_light_and_heavy():
    assert line_char(E | W, 0) == "─"
    assert line_char(0, E | W) == "━"
    assert line_char(N | S, E) == "┝"
    assert line_char(W, E) == "╼"
    assert line_char(E | W, 0, ascii_only=True) == "-"
    assert line_char(0, N | S, ascii_only=True) == "#"
    assert line_char(0, 0) == " "


# --------------------------------------------------------------------------- highlight


def test_highlighted_node_is_reversed_bold_and_heavy():
    graph = traced(seed_chain_example)
    q = node_id(graph, "q")
    layout = layout_graph(graph, highlight={q})
    box = layout.boxes[q]
    assert layout.lines[box.y][box.x] == "┏"
    assert layout.lines[box.y + box.height - 1][box.x + box.width - 1] == "┛"
    lit = [s for s in layout.spans if s[3] == "node-highlight"]
    assert any(row == box.y + 1 and start <= box.x + 2 < end for row, start, end, _ in lit)
    style = styled_texts(layout)[box.y + 1].get_style_at_offset(CONSOLE, box.x + 2)
    assert style.bold and style.reverse
    plain = layout_graph(graph)
    assert not [s for s in plain.spans if s[3] == "node-highlight"]


def test_highlighted_edge_is_heavy_and_bold_without_colour():
    graph = traced(seed_chain_example)
    q, f = node_id(graph, "q"), node_id(graph, "f")
    layout = layout_graph(graph, edge_highlight=(q, f))
    heavy = {"━", "┃", "┏", "┓", "┗", "┛", "┝", "┥"}
    lit_cells = [
        (row, x)
        for row, start, end, role in layout.spans
        if role == "edge-highlight"
        for x in range(start, end)
    ]
    assert lit_cells
    assert {layout.lines[r][x] for r, x in lit_cells} - {"▶"} <= heavy | set("┠┨┯┷┿╼╾")
    # the only heavy lines are on that edge: the other edges stay light
    plain_arrows = [(x, y) for x, y, c in layout.arrows if c != f]
    assert plain_arrows and all(layout.lines[y][x - 1] in "─┘┐┌└" for x, y in plain_arrows)
    arrow = next((x, y) for x, y, c in layout.arrows if c == f and (y, x) in lit_cells)
    assert styled_texts(layout)[arrow[1]].get_style_at_offset(CONSOLE, arrow[0]).bold


def test_highlighted_long_edge_stays_heavy_through_dummies():
    graph = traced(seed_chain_example)
    z, f = node_id(graph, "z"), node_id(graph, "f")
    layout = layout_graph(graph, edge_highlight=(z, f))
    box = layout.boxes[z]
    row = layout.lines[box.y + 1]
    assert "─" not in row[box.x + box.width : layout.boxes[f].x - 1].replace(" ", "")


# --------------------------------------------------------------------------- sizes


def test_compact_is_narrower_than_normal():
    graph = traced(seed_sigmoid_neuron)
    normal = layout_graph(graph)
    tight = layout_graph(graph, tight=True)
    compact = layout_graph(graph, compact=True)
    assert compact.width < tight.width < normal.width
    assert compact.mode == "compact" and compact.height < normal.height
    assert "│ z" not in text_of(compact)  # no borders
    assert "z=0.731" in text_of(compact) and "∂-0.197" in text_of(compact)


def test_sigmoid_neuron_fits_76x20_compact_and_120_columns_boxed():
    graph = traced(seed_sigmoid_neuron)
    assert len(graph.nodes) >= 13
    compact = layout_graph(graph, compact=True)
    assert compact.width <= 76 and compact.height <= 20
    boxed = fit_layout(graph, 120)
    assert boxed.mode in ("normal", "tight") and boxed.width <= 120
    assert fit_layout(graph, 80).mode == "compact"
    before = layout_graph(traced(seed_sigmoid_neuron, grads=False), compact=True)
    assert before.width <= 76 and before.height <= 20


def test_chain_fits_beside_prose_in_40_columns_with_boxes():
    graph = traced(seed_chain_example)
    layout = fit_layout(graph, 40)
    assert layout.mode == "normal" and layout.width <= 40 and layout.height <= 18
    assert fit_layout(graph, 20).width <= 20  # compact


def test_hidden_gradients_keep_the_geometry():
    graph = traced(seed_sigmoid_neuron, grads=False)
    shown = layout_graph(graph)
    hidden = layout_graph(graph, show_grads=False)
    assert "∂" not in text_of(hidden)
    assert hidden.boxes == shown.boxes


def test_many_constants_and_a_big_graph_lay_out():
    x = Value(0.5, label="x")
    y = x
    for k in range(12):
        y = (y * 2 + k) / 3 - 1
    y.label = "y"
    graph = trace(y, with_grads=False)
    layout = layout_graph(graph, compact=True)
    assert len(set(layout.boxes)) == len(graph.nodes)
    assert len({len(line) for line in layout.lines}) == 1
    for n in graph.nodes:
        if n.is_leaf and not n.label:
            consumer = next(m for m in graph.nodes if n.id in m.inputs)
            assert layout.boxes[n.id].column == layout.boxes[consumer.id].column - 1


def test_empty_graph_draws_nothing():
    assert layout_graph(None).lines == ()
    assert layout_graph(None).node_at(0, 0) is None


# --------------------------------------------------------------------------- ascii


@pytest.mark.parametrize("compact", [False, True])
def test_ascii_mode_has_only_ascii(compact):
    graph = traced(seed_sigmoid_neuron)
    z = graph.nodes[graph.output]
    layout = layout_graph(
        graph, compact=compact, ascii_only=True, highlight={z.id}, edge_highlight=(z.inputs[1], z.id)
    )
    text = text_of(layout)
    assert all(ord(c) < 128 for c in text), sorted({c for c in text if ord(c) >= 128})
    assert ">" in text and ("d = -0.5344" in text or "d-0.534" in text)
    assert "=" in text.replace(" = ", "")  # the highlighted edge: "=" instead of "-"


# --------------------------------------------------------------------------- hit-testing


def test_node_at_finds_boxes():
    graph = traced(seed_sigmoid_neuron)
    for compact in (False, True):
        layout = layout_graph(graph, compact=compact)
        for n in graph.nodes:
            box = layout.boxes[n.id]
            assert layout.node_at(box.x, box.y) == n.id
            assert layout.node_at(box.x + box.width - 1, box.y + box.height - 1) == n.id
        x, y, _ = layout.arrows[0]
        assert layout.node_at(x, y) is None


# --------------------------------------------------------------------------- widget


class GraphApp(App):
    """A graph view beside a column of prose, or alone."""

    CSS = """
    #prose { width: 38; height: 1fr; padding: 0 1; }
    """

    def __init__(self, graph: Graph | None, prose: str | None = None, **view_args) -> None:
        super().__init__()
        self.graph = graph
        self.prose = prose
        self.view_args = view_args
        self.clicked: list[int] = []

    def compose(self) -> ComposeResult:
        if self.prose is None:
            yield GraphView(self.graph, **self.view_args)
        else:
            with Horizontal():
                yield Static(self.prose, id="prose")
                yield GraphView(self.graph, **self.view_args)

    def on_graph_view_node_clicked(self, message: GraphView.NodeClicked) -> None:
        self.clicked.append(message.node_id)


async def test_widget_picks_compact_at_80_and_boxes_at_120_and_posts_clicks():
    graph = traced(seed_sigmoid_neuron)
    app = GraphApp(graph)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(GraphView)
        assert view.graph_layout.mode == "compact"
        assert view.virtual_size.width <= 78
        box = view.graph_layout.boxes[node_id(graph, "u")]
        await pilot.click(GraphView, offset=(box.x, box.y))
        await pilot.pause()
        assert app.clicked == [node_id(graph, "u")]
        await pilot.click(GraphView, offset=(0, view.size.height - 1))  # empty corner
        await pilot.pause()
        assert app.clicked == [node_id(graph, "u")]
    app = GraphApp(graph)
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(GraphView)
        assert view.graph_layout.mode in ("normal", "tight")
        assert view.virtual_size.width <= 120
        assert view.max_scroll_x == 0 and view.max_scroll_y == 0


async def test_widget_redraws_on_attribute_changes_and_scrolls_when_small():
    before = traced(seed_chain_example, grads=False)
    after = traced(seed_chain_example)
    app = GraphApp(before, prose="prose")
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(GraphView)
        assert view.graph_layout.mode == "normal"
        assert "∂ = ?" in text_of(view.graph_layout)
        view.graph = after
        view.highlight = {node_id(after, "q")}
        view.edge_highlight = (node_id(after, "q"), node_id(after, "f"))
        await pilot.pause()
        assert "∂ = -4" in text_of(view.graph_layout)
        assert any(r == "node-highlight" for *_, r in view.graph_layout.spans)
        view.ascii_only = True
        await pilot.pause()
        assert all(ord(c) < 128 for c in text_of(view.graph_layout))
        view.compact = True
        await pilot.pause()
        assert view.graph_layout.mode == "compact"
    app = GraphApp(traced(seed_sigmoid_neuron), compact=False)
    async with app.run_test(size=(60, 15)) as pilot:
        view = app.query_one(GraphView)
        assert view.max_scroll_x > 0 and view.max_scroll_y > 0
        view.scroll_to(x=view.max_scroll_x, y=0, animate=False)
        await pilot.pause()
        z = view.graph_layout.boxes[graph_output(view)]
        assert view.node_at(z.x - view.scroll_offset.x, z.y) == graph_output(view)


def graph_output(view: GraphView) -> int:
    """The output id of the view's graph."""
    assert view.graph is not None
    return view.graph.output


# --------------------------------------------------------------------------- snapshots

CHAIN_PROSE = (
    "Backward through f = (x + y) * z.\n\n"
    "The gradient of f reaches q through the product: ∂f/∂q = z = -4.\n\n"
    "Then the sum passes it on unchanged to x and y."
)


def test_snapshot_chain_beside_prose(snap_compare):
    graph = traced(seed_chain_example)
    q, f = node_id(graph, "q"), node_id(graph, "f")
    app = GraphApp(graph, prose=CHAIN_PROSE, highlight={q}, edge_highlight=(q, f))
    assert snap_compare(app, terminal_size=(80, 24))


def test_snapshot_sigmoid_neuron(snap_compare):
    graph = traced(seed_sigmoid_neuron)
    z = graph.nodes[graph.output]
    app = GraphApp(graph, highlight={z.inputs[1]}, edge_highlight=(z.inputs[1], z.id))
    assert snap_compare(app, terminal_size=(80, 24))
