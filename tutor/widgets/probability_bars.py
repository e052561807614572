"""`ProbabilityBars`: a network's ten class probabilities as text bars, and the pure drawing.

`horizontal_bars` draws ten rows (``7 ████▌   93.1% ◀``, the top guess bold and marked),
`vertical_bars` a compact chart 30 cells wide; `top_two` names the two likeliest classes. The
drawing scene shows the widget beside its canvas; the feature-maps scene draws the rows itself.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget

__all__ = [
    "BAR_WIDTH",
    "ProbabilityBars",
    "horizontal_bar",
    "horizontal_bars",
    "top_two",
    "vertical_bars",
]

#: Cells of the longest horizontal bar (100%).
BAR_WIDTH = 20

#: Eighth blocks for horizontal bars, from 1/8 to 8/8 of a cell.
H_EIGHTHS = "▏▎▍▌▋▊▉█"

#: Eighth blocks for vertical bars, from 1/8 to 8/8 of a cell.
V_EIGHTHS = "▁▂▃▄▅▆▇█"

#: Rows of the compact vertical chart's bars.
V_ROWS = 2


def top_two(probs: np.ndarray) -> tuple[int, int]:
    """The most and second most probable classes of `probs` ``(10,)``."""
    order = np.argsort(-np.asarray(probs), kind="stable")
    return int(order[0]), int(order[1])


def horizontal_bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A bar of `fraction` (0..1) of `width` cells in eighth blocks, padded to `width`."""
    eighths = int(round(max(0.0, min(1.0, fraction)) * width * 8))
    full, rest = divmod(eighths, 8)
    bar = "█" * full + (H_EIGHTHS[rest - 1] if rest else "")
    return bar.ljust(width)


def horizontal_bars(probs: np.ndarray | None, width: int = BAR_WIDTH) -> Text:
    """Ten lines, one per digit 0-9: ``7 ████▌   93.1% ◀``; the top guess bold and marked.

    Args:
        probs: class probabilities ``(10,)``, or None (no drawing: empty bars, "-" values).
        width: cells of a full bar.
    """
    text = Text(no_wrap=True)
    best = top_two(probs)[0] if probs is not None else -1
    for digit in range(10):
        if digit:
            text.append("\n")
        top = digit == best
        style = "bold" if top else ""
        text.append(f"{digit}", style="bold reverse" if top else "bold")
        if probs is None:
            text.append(" " + "·" * width + "     -", style="dim")
            continue
        p = float(probs[digit])
        text.append(" " + horizontal_bar(p, width), style=style)
        text.append(f" {100 * p:5.1f}%", style=style)
        if top:
            text.append(" ◀", style="bold")
    return text


def vertical_bars(probs: np.ndarray | None, rows: int = V_ROWS) -> Text:
    """A compact chart 30 cells wide: `rows` rows of bars, the digits, then the percentages.

    Each digit has a column of three cells; the top guess is written ``[7]`` and bold.
    """
    text = Text(no_wrap=True)
    levels = rows * 8
    best = top_two(probs)[0] if probs is not None else -1
    heights = [0] * 10
    if probs is not None:
        heights = [int(round(float(p) * levels)) for p in probs]
        heights = [max(h, 1) if float(p) >= 0.005 else h for h, p in zip(heights, probs)]
    for row in range(rows):
        floor = (rows - 1 - row) * 8  # eighths below this row
        for digit in range(10):
            fill = min(8, max(0, heights[digit] - floor))
            char = V_EIGHTHS[fill - 1] if fill else " "
            text.append(f" {char} ", style="bold" if digit == best else "")
        text.append("\n")
    for digit in range(10):
        if digit == best:
            text.append(f"[{digit}]", style="bold reverse")
        else:
            text.append(f" {digit} ")
    text.append("\n")
    for digit in range(10):
        value = "-" if probs is None else f"{int(round(100 * float(probs[digit])))}"
        text.append(f"{value:^3}", style="bold" if digit == best else "dim")
    return text


class ProbabilityBars(Widget):
    """The ten class probabilities as text bars: ten rows (horizontal) or a compact chart."""

    DEFAULT_CSS = """
    ProbabilityBars { width: auto; height: auto; }
    """

    probs: reactive[np.ndarray | None] = reactive(None, always_update=True, layout=True)
    """Class probabilities ``(10,)`` or None when there is nothing to classify."""

    orientation: reactive[str] = reactive("horizontal", layout=True)
    """``"horizontal"`` (one row per digit) or ``"vertical"`` (compact, under the canvas)."""

    def get_content_width(self, container: Size, viewport: Size) -> int:
        """31 cells for ten rows of bars (digit, bar, percentage, marker); 30 for the chart."""
        return 30 if self.orientation == "vertical" else BAR_WIDTH + 11

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """Ten rows, or the chart's bar rows plus the digits and the percentages."""
        return V_ROWS + 2 if self.orientation == "vertical" else 10

    def render(self) -> Text:
        """Draw the bars."""
        if self.orientation == "vertical":
            return vertical_bars(self.probs)
        return horizontal_bars(self.probs)
