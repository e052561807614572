"""Vertical placement: the top row of every item, keeping each layer's order.

Every layer starts stacked from row 0, ``gap`` rows apart. Then layers are pulled, in sweeps
right, left and right again, toward the rows that would make their links straight: a consumer
toward its operands' output rows, an operand toward its consumers' input rows. Each pull is a
least-squares fit that keeps the order and the gaps (:func:`pav`), so boxes never overlap.
"""

from __future__ import annotations

from tutor.graph_layout.model import Item, Link

GAP = 1
"""Blank rows between items of a layer."""


def pav(targets: list[float]) -> list[float]:
    """Non-decreasing least-squares fit to ``targets`` (pool adjacent violators).

    Args:
        targets: Wanted values, in order.

    Returns:
        As many values, non-decreasing, as close to ``targets`` (squared error) as can be.
    """
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


def place_layer(layer: list[Item], desired: list[float | None], gap: int) -> None:
    """Set ``y`` of a layer's items near ``desired`` tops, in order, ``gap`` rows apart.

    Args:
        layer: The items, top to bottom; their ``y`` is set (whole rows).
        desired: The wanted top of each item, or ``None`` to stay where it is.
        gap: The least number of blank rows between neighbours.
    """
    offsets, total = [], 0
    for item in layer:
        offsets.append(total)
        total += item.height + gap
    targets = []
    for item, want, off in zip(layer, desired, offsets):
        targets.append((item.y if want is None else want) - off)
    for item, z, off in zip(layer, pav(targets), offsets):
        item.y = float(round(z) + off)


def place_vertically(layers: list[list[Item]], links: list[Link], gap: int = GAP) -> None:
    """Give every item a top row: stack, then pull layers toward their neighbours' ports.

    Args:
        layers: The ordered items per column; each item's ``y`` is set, the topmost at 0.
        links: The links between adjacent layers.
        gap: Blank rows between items of a layer.
    """
    ins: dict[int, list[Link]] = {}
    outs: dict[int, list[Link]] = {}
    for link in links:
        ins.setdefault(id(link.dst), []).append(link)
        outs.setdefault(id(link.src), []).append(link)
    for layer in layers:
        y = 0
        for item in layer:
            item.y = float(y)
            y += item.height + gap

    def from_inputs(item: Item) -> float | None:
        """The top that lines the item's ports up with its operands (mean), or ``None``."""
        near = [l.src.y + l.src.out_row - l.dst.in_rows[l.port] for l in ins.get(id(item), [])]
        return sum(near) / len(near) if near else None

    def from_outputs(item: Item) -> float | None:
        """The top that lines the item's output up with its consumers (mean), or ``None``."""
        near = [l.dst.y + l.dst.in_rows[l.port] - l.src.out_row for l in outs.get(id(item), [])]
        return sum(near) / len(near) if near else None

    for _ in range(2):
        for layer in layers[1:]:
            place_layer(layer, [from_inputs(i) for i in layer], gap)
        for layer in reversed(layers[:-1]):
            place_layer(layer, [from_outputs(i) for i in layer], gap)
    for layer in layers[1:]:
        place_layer(layer, [from_inputs(i) for i in layer], gap)
    low = min((item.y for layer in layers for item in layer), default=0.0)
    for layer in layers:
        for item in layer:
            item.y -= low
