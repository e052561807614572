"""The graph layout package: pure (no Textual, no Rich), and each phase doing its job.

End-to-end drawings (texts, arrows that connect, highlights, sizes) are tested through
:func:`tutor.graph_layout.layout_graph` in ``tests/test_graph_view.py``; here each phase is
fed a small crafted case and checked for the property it exists for.
"""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

from tutor.engines.autograd import (
    Value,
    reuse_example,
    seed_chain_example,
    seed_sigmoid_neuron,
    trace,
)
from tutor.graph_layout import E, N, S, W, assign_columns, count_crossings, layout_graph
from tutor.graph_layout.canvas import Canvas
from tutor.graph_layout.labels import measure_nodes
from tutor.graph_layout.layers import build_layers
from tutor.graph_layout.model import Item, Link
from tutor.graph_layout.ordering import order_layers
from tutor.graph_layout.placement import GAP, pav, place_vertically
from tutor.graph_layout.routing import Group, route_channel, route_channels

REPO = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- purity


def test_package_loads_neither_textual_nor_rich(tmp_path):
    package = REPO / "tutor" / "graph_layout"
    modules = ["tutor.graph_layout"] + [
        info.name for info in pkgutil.walk_packages([str(package)], prefix="tutor.graph_layout.")
    ]
    probe = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "from tutor.engines.autograd import seed_chain_example, trace\n"
        "from tutor.graph_layout import fit_layout\n"
        "root, _ = seed_chain_example(); root.backward()\n"
        "assert fit_layout(trace(root), 80).lines\n"
        "print('MODULES=' + json.dumps(sorted(m for m in sys.modules"
        " if m.split('.')[0] in ('textual', 'rich'))))\n"
    )
    env = dict(os.environ, DL_TUTOR_HOME=str(tmp_path / "home"), DL_TUTOR_BACKEND="numpy")
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    line = [l for l in result.stdout.splitlines() if l.startswith("MODULES=")][-1]
    assert json.loads(line.removeprefix("MODULES=")) == []
    assert len(modules) > 5  # the phases were found


# --------------------------------------------------------------------------- helpers


def item(name: str, column: int, *, y: float = 0.0, height: int = 4) -> Item:
    """A node item with the usual box ports: operand 0 at row 1, the others at 2, out at 1."""
    return Item(
        key=("node", name), column=column, height=height, width=6, node=ord(name[0]),
        in_rows=(1, 2), out_row=1, y=y,
    )


def link(src: Item, dst: Item, port: int = 0) -> Link:
    """A link between adjacent layers."""
    return Link(src, dst, port, (0, 0))


def index(layers: list[list[Item]]) -> None:
    """Set each item's index to its position, as ordering does."""
    for layer in layers:
        for i, it in enumerate(layer):
            it.index = i


def seed_graphs():
    """The course's seed graphs, and a long one full of constants."""
    graphs = []
    for builder in (seed_chain_example, seed_sigmoid_neuron, reuse_example):
        root, _ = builder()
        root.backward()
        graphs.append(trace(root))
    x = Value(0.5, label="x")
    y = x
    for k in range(6):
        y = (y * 2 + k) / 3 - 1
    y.label = "y"
    graphs.append(trace(y, with_grads=False))
    return graphs


# --------------------------------------------------------------------------- layering


@pytest.mark.parametrize("graph", seed_graphs(), ids=["chain", "sigmoid", "reuse", "constants"])
def test_layers_join_only_adjacent_columns_through_dummies(graph):
    columns = assign_columns(graph)
    faces = measure_nodes(graph, mode="normal")
    layers, links = build_layers(graph, columns, faces)
    assert all(l.dst.column == l.src.column + 1 for l in links)
    for c, layer in enumerate(layers):
        assert all(it.column == c for it in layer)
    edges = [(i, n.id) for n in graph.nodes for i in n.inputs]
    dummies = sum(1 for layer in layers for it in layer if it.node is None)
    assert dummies == sum(columns[b] - columns[a] - 1 for a, b in edges)
    assert len(links) == sum(columns[b] - columns[a] for a, b in edges)
    assert columns[graph.output] == max(columns.values())
    for n in graph.nodes:
        for i in n.inputs:
            assert columns[i] < columns[n.id]


# --------------------------------------------------------------------------- ordering


def test_ordering_untangles_a_reversed_layer():
    a, b, c = item("a", 0), item("b", 0), item("c", 0)
    x, y, z = item("x", 1), item("y", 1), item("z", 1)
    layers = [[a, b, c], [z, y, x]]
    links = [link(a, x), link(b, y), link(c, z)]
    index(layers)
    assert count_crossings(links) == 3
    order_layers(layers, links)
    assert count_crossings(links) == 0
    assert [it.index for it in layers[1]] == [0, 1, 2]  # indices follow the new order


def test_ordering_puts_first_operand_above_second():
    a, b, f = item("a", 0), item("b", 0), item("f", 1)
    layers = [[b, a], [f]]
    links = [link(a, f, 0), link(b, f, 1)]  # a is the first operand, but b sits on top
    index(layers)
    assert count_crossings(links) == 1
    order_layers(layers, links)
    assert count_crossings(links) == 0
    assert layers[0] == [a, b]


@pytest.mark.parametrize("graph", seed_graphs(), ids=["chain", "sigmoid", "reuse", "constants"])
def test_ordering_never_adds_crossings(graph):
    layers, links = build_layers(graph, assign_columns(graph), measure_nodes(graph, mode="tight"))
    index(layers)
    before = count_crossings(links)
    order_layers(layers, links)
    assert count_crossings(links) <= before


# --------------------------------------------------------------------------- placement


def test_pav_is_the_non_decreasing_least_squares_fit():
    assert pav([1.0, 2.0, 3.0]) == [1.0, 2.0, 3.0]
    assert pav([3.0, 1.0, 2.0]) == [2.0, 2.0, 2.0]
    assert pav([0.0, 4.0, 2.0, 5.0]) == [0.0, 3.0, 3.0, 5.0]


def test_placement_straightens_a_chain_and_never_overlaps():
    a, d = item("a", 0), item("d", 0)
    b = item("b", 1)
    c = item("c", 2)
    layers = [[a, d], [b], [c]]
    links = [link(a, b, 0), link(d, b, 1), link(b, c, 0)]
    index(layers)
    place_vertically(layers, links)
    assert min(it.y for layer in layers for it in layer) == 0
    for layer in layers:
        for upper, lower in zip(layer, layer[1:]):
            assert upper.y + upper.height + GAP <= lower.y
        assert all(it.y == int(it.y) for it in layer)
    # b-c is a single chain: its line runs straight.
    assert b.y + b.out_row == c.y + c.in_rows[0]
    # b sits between the tops its two operands would each make straight
    wants = [a.y + a.out_row - b.in_rows[0], d.y + d.out_row - b.in_rows[1]]
    assert min(wants) <= b.y <= max(wants)


# --------------------------------------------------------------------------- routing


def test_routing_keeps_overlapping_bends_on_separate_tracks():
    a, b, c = item("a", 0, y=0), item("b", 0, y=4), item("c", 0, y=12)
    y, x, z = item("y", 1, y=2), item("x", 1, y=7), item("z", 1, y=12)
    down = Group([link(a, x)])  # row 1 -> row 8
    up = Group([link(b, y)])  # row 5 -> row 3, inside down's span
    straight = Group([link(c, z)])  # row 13 -> row 13
    groups = sorted([down, up, straight], key=lambda g: g.dst_row)
    tracks, count = route_channel(groups)
    by_group = dict(zip(map(id, groups), tracks))
    assert by_group[id(straight)] is None  # straight: no track
    assert by_group[id(down)] is not None and by_group[id(up)] is not None
    assert by_group[id(down)] != by_group[id(up)]  # overlapping rows: they must not share
    assert count == 2


def test_routing_lets_disjoint_bends_share_one_track():
    a, b = item("a", 0, y=0), item("b", 0, y=20)
    x, y = item("x", 1, y=2), item("y", 1, y=22)
    groups = [Group([link(a, x)]), Group([link(b, y)])]  # rows 1..3 and 21..23
    tracks, count = route_channel(groups)
    assert tracks == [0, 0] and count == 1


def test_routing_merges_links_into_the_same_row():
    a, b = item("a", 0, y=0), item("b", 0, y=5)
    f = item("f", 1, y=2)
    links = [link(a, f, 1), link(b, f, 1)]  # both enter f's second row
    channels = route_channels([[a, b], [f]], links)
    assert len(channels) == 1
    (group,) = channels[0].groups
    assert set(map(id, group.links)) == set(map(id, links))
    assert channels[0].width == 1 + 2  # one track, a lead cell and an arrow cell


@pytest.mark.parametrize("graph", seed_graphs(), ids=["chain", "sigmoid", "reuse", "constants"])
def test_routed_seed_graphs_share_tracks_only_between_disjoint_spans(graph):
    layers, links = build_layers(graph, assign_columns(graph), measure_nodes(graph, mode="normal"))
    order_layers(layers, links)
    place_vertically(layers, links)
    for channel in route_channels(layers, links):
        pairs = list(zip(channel.groups, channel.tracks))
        for i, (g, t) in enumerate(pairs):
            for h, u in pairs[i + 1:]:
                if t is not None and t == u:
                    assert max(g.rows) < min(h.rows) or max(h.rows) < min(g.rows)


# --------------------------------------------------------------------------- canvas and drawing


def test_canvas_joins_crossing_and_turning_lines():
    canvas = Canvas(5, 3)
    canvas.path([(0, 1), (4, 1)], heavy=False)
    canvas.path([(2, 0), (2, 2)], heavy=False)
    canvas.path([(3, 0), (4, 0), (4, 1)], heavy=True)
    lines, spans = canvas.finish(ascii_only=False)
    # line ends keep only their inward half; crossings, corners and light/heavy joins are exact
    assert lines == ("  ╷╺┓", "╶─┼─┚", "  ╵  ")
    assert all(len(line) == 5 for line in lines)
    assert (0, 3, 5, "edge-highlight") in spans
    assert canvas.light[1][2] == N | E | S | W


def test_every_node_gets_one_box_inside_the_drawing():
    for graph in seed_graphs():
        for compact in (False, True):
            layout = layout_graph(graph, compact=compact)
            assert set(layout.boxes) == {n.id for n in graph.nodes}
            boxes = list(layout.boxes.values())
            for box in boxes:
                assert 0 <= box.x and box.x + box.width <= layout.width
                assert 0 <= box.y and box.y + box.height <= layout.height
            for i, p in enumerate(boxes):
                for q in boxes[i + 1:]:
                    apart_x = p.x + p.width <= q.x or q.x + q.width <= p.x
                    apart_y = p.y + p.height <= q.y or q.y + q.height <= p.y
                    assert apart_x or apart_y, (p, q)
