"""`FeatureMapImage`: a half-block feature map that fills in cell by cell as it is computed.

The convolution scene reveals the map in reading order while its kernel slides; cells not
computed yet show `PENDING_CHAR`, dimmed, in every colour mode.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from tutor.widgets.image import HalfBlockImage, render_rows

__all__ = ["PENDING_CHAR", "FeatureMapImage"]

#: Shown for a feature-map cell that has not been computed yet (not a shading character).
PENDING_CHAR = "╌"


class FeatureMapImage(HalfBlockImage):
    """A half-block feature map whose first `revealed` cells (reading order) are drawn.

    Cells not computed yet show PENDING_CHAR, dimmed, in every colour mode, so the map fills in
    visibly even without colour. The colour range is fixed by the whole map (set `vmin`/`vmax`)
    so that a cell keeps its colour from the frame it appears on.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.revealed: int = -1
        """How many cells are shown, in reading order; -1 shows all."""

    def reveal(self, count: int, highlight: tuple[int, int, int, int] | None) -> None:
        """Show the first `count` cells (-1: all) with `highlight` (row, col, 1, 1) marked."""
        self.revealed = count
        self.highlight = highlight
        self._invalidate()

    @property
    def lines(self) -> list[Strip]:
        """The map's rows, cut where the revealed cells end."""
        if self._strips is not None:
            return self._strips
        data = self.data
        mode = self.effective_mode
        full = render_rows(data, self.vmin, self.vmax, self.palette, mode, 1, self.highlight,
                           color=self.color_capable)
        if data is None or self.revealed < 0 or self.revealed >= data.size:
            self._strips = full
            return full
        height, width = data.shape
        done_rows, done_cols = divmod(self.revealed, width)
        pending = Style(dim=True)
        strips = []
        for y, strip in enumerate(full):
            top, bottom = 2 * y, 2 * y + 1
            if bottom < done_rows or (bottom >= height and top < done_rows):
                strips.append(strip)
                continue
            if top > done_rows or (top == done_rows and done_cols == 0):
                strips.append(Strip([Segment(PENDING_CHAR * width, pending)], width))
                continue
            # One of the two pixel rows is partly done: render the top row alone where needed.
            highlight = self.highlight
            if highlight is not None:
                highlight = (highlight[0] - top, highlight[1], highlight[2], highlight[3])
            top_only = render_rows(data[top:top + 1], self.vmin, self.vmax, self.palette, mode, 1,
                                   highlight, color=self.color_capable)[0]
            if top == done_rows:  # top row partly done, bottom row not started
                parts = [top_only.crop(0, done_cols),
                         Strip([Segment(PENDING_CHAR * (width - done_cols), pending)])]
            else:  # top row done, bottom row partly done
                parts = [strip.crop(0, done_cols), top_only.crop(done_cols, width)]
            strips.append(Strip.join(parts))
        self._strips = strips
        return strips
