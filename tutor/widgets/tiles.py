"""Images drawn as blocks of text lines, placed side by side and in grids, and `MapGrid`.

A `Tile` is an image (a feature map, a filter, a digit) with an optional label under it;
`tile_lines` draws it with `tutor.widgets.image.render_rows` as a list of Strips, and
`side_by_side` and `grid` arrange such blocks. `MapGrid` shows whatever block a painter
(``mode -> list[Strip]``) draws, redrawn in shade characters when the terminal has no colours.
These need no app, so a test can check a layout line by line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.reactive import reactive
from textual.strip import Strip

from tutor.engines.preprocess import resize
from tutor.widgets.image import HalfBlockImage, render_rows

__all__ = ["MapGrid", "Tile", "block_width", "grid", "side_by_side", "tile_lines"]


@dataclass(frozen=True)
class Tile:
    """An image with an optional label under it.

    Attributes:
        image: values (H, W).
        label: text under the image ("" for none).
        palette: "grey" or "diverging".
        vmin, vmax: the value range (None: from the data; diverging makes it symmetric).
        size: draw at size x size pixels (area-averaged down or interpolated up); 0 = as is.
        scale: repeat each pixel this many times (after `size`).
        bold: draw the label in bold.
    """

    image: np.ndarray
    label: str = ""
    palette: str = "diverging"
    vmin: float | None = None
    vmax: float | None = None
    size: int = 0
    scale: int = 1
    bold: bool = False


def tile_lines(tile: Tile, mode: str) -> list[Strip]:
    """The tile drawn with `render_rows` in `mode` ("blocks" or "shade"), label underneath."""
    image = np.asarray(tile.image, dtype=np.float64)
    if tile.size and image.shape != (tile.size, tile.size):
        image = resize(image, (tile.size, tile.size))
    lines = render_rows(image, tile.vmin, tile.vmax, tile.palette, mode, tile.scale)
    width = max([s.cell_length for s in lines] + [len(tile.label)])
    lines = [s.extend_cell_length(width) for s in lines]
    if tile.label:
        lines.append(Strip([Segment(tile.label.ljust(width), Style(bold=tile.bold or None))], width))
    return lines


def block_width(lines: list[Strip]) -> int:
    """The widest line of a block."""
    return max((s.cell_length for s in lines), default=0)


def side_by_side(blocks: list[list[Strip]], gap: int = 1) -> list[Strip]:
    """Blocks of lines placed left to right, `gap` cells apart, tops aligned."""
    blocks = [b for b in blocks if b]
    if not blocks:
        return []
    height = max(len(b) for b in blocks)
    widths = [block_width(b) for b in blocks]
    out = []
    for row in range(height):
        parts: list[Strip] = []
        for i, (block, width) in enumerate(zip(blocks, widths)):
            if i:
                parts.append(Strip.blank(gap))
            parts.append(block[row].extend_cell_length(width) if row < len(block) else Strip.blank(width))
        out.append(Strip.join(parts))
    return out


def grid(blocks: list[list[Strip]], columns: int, gap: int = 1, row_gap: int = 0) -> list[Strip]:
    """Blocks in rows of `columns`, `gap` cells and `row_gap` blank lines apart."""
    lines: list[Strip] = []
    for start in range(0, len(blocks), max(1, columns)):
        if start and row_gap:
            lines.extend(Strip.blank(0) for _ in range(row_gap))
        lines.extend(side_by_side(blocks[start : start + columns], gap))
    return lines


class MapGrid(HalfBlockImage):
    """Several images (tiles) drawn as one block of lines; colour rules as `HalfBlockImage`.

    Set `blocks` to a function ``mode -> list[Strip]`` (mode is "blocks" or "shade"), so the
    layout is redrawn in shade characters when the terminal has no real colours.
    """

    DEFAULT_CSS = """
    MapGrid { width: auto; height: auto; }
    """

    painter: reactive[Any] = reactive(None, layout=True, always_update=True)
    """A callable ``mode -> list[Strip]``, or None for nothing."""

    def watch_painter(self) -> None:
        """Redraw when the content changes."""
        self._invalidate()

    @property
    def lines(self) -> list[Strip]:
        """The painted lines (cached until `painter` changes)."""
        if self._strips is None:
            mode = self.effective_mode if self.effective_mode in ("blocks", "shade") else "blocks"
            strips = list(self.painter(mode)) if self.painter is not None else []
            # Gaps and labels carry no colours of their own: give them the widget's background
            # and text colour, so they match the scene instead of the terminal's default.
            base = self.rich_style if self.is_attached else None
            self._strips = [strip.apply_style(base) for strip in strips] if base else strips
        return self._strips
