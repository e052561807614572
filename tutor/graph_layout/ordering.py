"""Crossing reduction: the order of the items inside each layer.

Barycentre sweeps (Sugiyama's heuristic): alternately left to right and right to left, each
item is moved to the mean position of its neighbours in the layer just swept, ports included
(an operand entering a lower row counts as slightly lower). Six sweeps are tried and the order
with the fewest crossings is kept, so the result is never worse than the order given.
"""

from __future__ import annotations

import itertools

from tutor.graph_layout.model import Item, Link

SWEEPS = 6
"""Barycentre sweeps tried (alternating direction, starting right to left)."""


def count_crossings(links: list[Link]) -> int:
    """Pairwise crossings of links between adjacent layers, judged by item order and port.

    Two links between the same pair of layers cross when their sources and targets are in
    opposite orders; links into the same item are told apart by port.

    Args:
        links: Links whose items have ``index`` set.

    Returns:
        The number of crossing pairs.
    """
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


def _reindex(layers: list[list[Item]]) -> None:
    """Store each item's position in its layer."""
    for layer in layers:
        for i, item in enumerate(layer):
            item.index = i


def order_layers(layers: list[list[Item]], links: list[Link]) -> None:
    """Reorder items inside layers by barycentre sweeps, keeping the order with fewest crossings.

    Args:
        layers: The items per column; reordered in place, and each item's ``index`` set.
        links: The links between adjacent layers.
    """
    ins: dict[int, list[Link]] = {}
    outs: dict[int, list[Link]] = {}
    for link in links:
        ins.setdefault(id(link.dst), []).append(link)
        outs.setdefault(id(link.src), []).append(link)

    _reindex(layers)
    best = [list(layer) for layer in layers]
    best_cost = count_crossings(links)
    for sweep in range(SWEEPS):
        forward = sweep % 2 == 1
        order = range(1, len(layers)) if forward else range(len(layers) - 2, -1, -1)
        for c in order:
            layer = layers[c]

            def key(item: Item) -> tuple[float, int]:
                """Barycentre of the item's neighbours in the previous layer of the sweep."""
                if forward:
                    near = [l.src.index + l.port * 0.01 for l in ins.get(id(item), [])]
                else:
                    near = [l.dst.index + l.port * 0.3 for l in outs.get(id(item), [])]
                return (sum(near) / len(near) if near else item.index, item.index)

            layer.sort(key=key)
            for i, item in enumerate(layer):
                item.index = i
        cost = count_crossings(links)
        if cost < best_cost:
            best_cost, best = cost, [list(layer) for layer in layers]
    for c, layer in enumerate(best):
        layers[c][:] = layer
    _reindex(layers)
