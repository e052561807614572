"""How the feature-maps scene arranges its maps: the largest grid that fits the stage.

`choose_filters_layout` places the six (C1 filter, C1 map) pairs, `choose_c3_layout` the
sixteen C3 maps; both return a `GridLayout` (columns, map size, gaps, total cells) and need no
app. On an 80x24 terminal the stage is about 36 cells wide, so the C1 maps are drawn at 10x10
and the C3 maps at 7x7; on a wide stage at 20x20 and 10x10.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["GridLayout", "choose_c3_layout", "choose_filters_layout"]


@dataclass(frozen=True)
class GridLayout:
    """How a set of maps is arranged: `columns` per row, maps of `size` pixels, a filter
    `scale` (filters view only), gaps, and the total `width` x `height` in cells."""

    columns: int
    size: int
    scale: int
    gap: int
    row_gap: int
    width: int
    height: int


def choose_filters_layout(width: int, height: int) -> GridLayout:
    """The largest arrangement of six (filter, map) pairs that fits `width` x `height` cells.

    A pair is the 5x5 filter (scale 1 or 2) with its label under it, one blank cell, then the
    map at `size` x `size`. Pairs go in rows of 6, 3 or 2. The largest maps win (then the
    larger filters); when nothing fits the height, the one that fits the width best is used.
    """
    options = []
    for columns in (6, 3, 2):
        rows = math.ceil(6 / columns)
        for scale in (2, 1):
            filter_rows = math.ceil(5 * scale / 2) + 1  # + the label
            for size in (28, 24, 20, 18, 16, 14, 12, 11, 10, 8):
                pair_w = 5 * scale + 1 + size
                pair_h = max(filter_rows, math.ceil(size / 2))
                total_w = columns * pair_w + (columns - 1) * 2
                total_h = rows * pair_h + (rows - 1)
                options.append(GridLayout(columns, size, scale, 2, 1, total_w, total_h))
    fitting = [o for o in options if o.width <= width and o.height <= height]
    if fitting:
        return max(fitting, key=lambda o: (o.size, o.scale, -o.height))
    narrow = [o for o in options if o.width <= width] or options
    return max(narrow, key=lambda o: (o.size, o.scale) if o.width <= width else (-o.width, 0))


def choose_c3_layout(width: int, height: int) -> GridLayout:
    """The largest arrangement of the sixteen C3 maps that fits `width` x `height` cells.

    Sizes: 20 (each pixel doubled), 10 (as they are), 8 or 7 (area-averaged); 8, 4 or 2 per row.
    An odd size leaves half a row blank under each map, which serves as the gap between rows.
    """
    options = []
    for columns in (8, 4, 2):
        rows = math.ceil(16 / columns)
        for size in (20, 10, 8, 7):
            row_gap = 0 if size % 2 else 1
            total_w = columns * size + (columns - 1) * 2
            total_h = rows * math.ceil(size / 2) + (rows - 1) * row_gap
            options.append(GridLayout(columns, size, 1, 2, row_gap, total_w, total_h))
    fitting = [o for o in options if o.width <= width and o.height <= height]
    if fitting:
        return max(fitting, key=lambda o: (o.size, o.columns))
    narrow = [o for o in options if o.width <= width] or options
    return max(narrow, key=lambda o: (o.size, -o.height))
