"""Channel routing: the vertical track each bent edge takes between two layers.

Between layer ``c`` and ``c + 1`` lies a channel. Links entering the same row of the same
consumer merge into one :class:`Group` and share a vertical track; a group whose rows are all
equal runs straight and needs no track. Tracks are chosen per channel by :func:`route_channel`
so that unrelated lines do not touch and cross as little as possible; the channel is then
``tracks + 2`` cells wide (a lead cell after the source, the tracks, an arrow cell).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from tutor.graph_layout.model import Item, Link

EXHAUSTIVE_UP_TO = 5
"""Channels with at most this many bent groups try every track assignment; larger ones are
assigned greedily (shortest rise first)."""


@dataclass
class Group:
    """Links that enter the same row of the same consumer: they merge on one track.

    Attributes:
        links: The links, all with the same ``dst`` and entry row.
    """

    links: list[Link] = field(default_factory=list)

    @property
    def rows(self) -> set[int]:
        """Every row the group touches: its sources' output rows and its entry row."""
        rows = {int(l.src.y) + l.src.out_row for l in self.links}
        rows.add(self.dst_row)
        return rows

    @property
    def dst_row(self) -> int:
        """The row the group enters its consumer at."""
        link = self.links[0]
        return int(link.dst.y) + link.dst.in_rows[link.port]


@dataclass
class Channel:
    """The routed gap between layer ``c`` and ``c + 1``.

    Attributes:
        groups: The merged link groups, by entry row.
        tracks: The track index of each group (``None``: straight, no track).
        width: Cells the channel takes: the number of tracks + 2.
    """

    groups: list[Group]
    tracks: list[int | None]
    width: int


def route_channel(groups: list[Group]) -> tuple[list[int | None], int]:
    """Choose a vertical track for each group of one channel.

    Straight groups (all rows equal) need no track (``None``). Others get a track index;
    groups with disjoint row spans may share one. The choice minimises bad touches (two
    unrelated lines meeting), then crossings, then the number of tracks.

    Args:
        groups: The groups of one channel (items placed: their ``y`` is set).

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
    if n <= EXHAUSTIVE_UP_TO:
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


def route_channels(layers: list[list[Item]], links: list[Link]) -> list[Channel]:
    """Group the links of every channel by the row they enter, and choose their tracks.

    Args:
        layers: The placed items per column (only their number is used here).
        links: The links between adjacent layers, items placed.

    Returns:
        One :class:`Channel` per gap between layers (``len(layers) - 1`` of them).
    """
    channels: list[Channel] = []
    for c in range(len(layers) - 1):
        by_row: dict[tuple[int, int], Group] = {}
        for link in links:
            if link.src.column == c:
                key = (id(link.dst), link.dst.in_rows[link.port])
                by_row.setdefault(key, Group()).links.append(link)
        groups = sorted(by_row.values(), key=lambda g: g.dst_row)
        tracks, count = route_channel(groups)
        channels.append(Channel(groups, tracks, count + 2))
    return channels
