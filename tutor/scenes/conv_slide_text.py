"""The texts of the convolution scene (`tutor.scenes.conv_slide`): pure functions of its state.

Each returns a Rich `Text` from numbers the scene already holds (a `CellRecord`, the kernel, the
cursor), so the scene module keeps only its state, keys and layout.
"""

from __future__ import annotations


import numpy as np
from rich.text import Text

from tutor.engines.conv import CellRecord, ToyChannels
from tutor.text import format_number

#: One short line per kernel (engine `KERNELS`, plus "custom"): what it responds to.
KERNEL_NOTES: dict[str, str] = {
    "vertical edge": "ink to the right of background: the left side of upright strokes",
    "horizontal edge": "ink below background: the top side of flat strokes",
    "diagonal edge": "ink above-right of background: one side of \\ strokes",
    "blur": "the window's average: a softer digit",
    "sharpen": "the centre pixel minus its neighbours: crisper edges",
    "identity": "just the centre pixel: a copy of the digit",
    "custom": "your own weights (k moves on and comes back to them)",
}

#: Kernel names cut to fit the 7-column side panel of the narrow layout.
SHORT_NAMES: dict[str, tuple[str, ...]] = {
    "vertical edge": ("vert.", "edge"),
    "horizontal edge": ("horiz.", "edge"),
    "diagonal edge": ("diag.", "edge"),
    "blur": ("blur",),
    "sharpen": ("sharpen",),
    "identity": ("ident.",),
    "custom": ("custom",),
}


def num(value: float, decimals: int = 2) -> str:
    """Fixed decimals without "-0.00"."""
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def side_head(kernel_name: str) -> Text:
    """The kernel's short name and the key to change it, at most 7 columns wide."""
    text = Text()
    for word in SHORT_NAMES.get(kernel_name, (kernel_name[:7],)):
        text.append(word + "\n", style="bold")
    text.append("k: next", style="dim")
    return text


def side_sum(record: CellRecord | None, cursor: tuple[int, int] | None, kernel: np.ndarray,
             bias: float) -> Text:
    """The current cell, Σ w·x, + b and the output, one item a line (7 columns); then the
    weight under the editing `cursor` (None when not editable)."""
    text = Text()
    if record is None:
        text.append("(0,0)\n", style="dim")
        text.append("press .\n", style="dim")
    else:
        text.append(f"({record.row},{record.col})\n", style="bold")
        text.append("Σ w·x\n")
        text.append(f"{num(record.total):>7}\n")
        text.append(f"+b{num(record.bias):>5}\n")
        text.append("=")
        text.append(f"{num(record.output):>6}", style="bold reverse")
        text.append("\n")
    if cursor is not None:
        row, col = cursor
        if row == 5:
            text.append("b\n", style="bold")
            text.append(f"={format_number(bias):>6}\n")
        else:
            text.append(f"w[{row},{col}]\n", style="bold")
            text.append(f"={format_number(float(kernel[row, col])):>6}\n")
    text.append("w·x ↓", style="dim")
    return text


def products(record: CellRecord | None, cursor: tuple[int, int] | None, wide: bool) -> Text:
    """The 25 products w·x of the current cell (dots at frame 0), the `cursor`'s cell marked."""
    text = Text()
    if wide:
        text.append("w·x, one product per kernel cell\n", style="bold")
    for i in range(5):
        for j in range(5):
            picked = cursor == (i, j)
            value = "·" if record is None else num(float(record.products[i, j]))
            style = "bold reverse" if picked else ("dim" if record is None else "")
            text.append(f"{value:>6}", style=style)
        if i < 4:
            text.append("\n")
    return text


def weights(kernel: np.ndarray, bias: float, cursor: tuple[int, int] | None) -> Text:
    """The kernel's 25 shared weights and the bias, the editing `cursor` marked (None: not
    editable)."""
    text = Text()
    text.append("w, the shared weights", style="bold")
    if cursor is not None:
        text.append("  [ ] change", style="dim")
    text.append("\n")
    for i in range(5):
        for j in range(5):
            picked = cursor == (i, j)
            text.append(f"{format_number(float(kernel[i, j])):>6}", style="bold reverse" if picked else "")
        text.append("\n")
    picked = cursor is not None and cursor[0] == 5
    text.append("b = ", style="bold")
    text.append(format_number(bias), style="bold reverse" if picked else "")
    text.append("  one bias, whole map", style="dim")
    return text


def cell_sum(record: CellRecord | None) -> Text:
    """One line: Σ w·x + b = output → map[r, c]."""
    text = Text()
    if record is None:
        text.append("Σ w·x + b → one cell of the map; press . to start", style="dim")
        return text
    text.append(f"Σ w·x = {num(record.total)}")
    text.append(f"  + b {num(record.bias)}  = ")
    text.append(num(record.output), style="bold reverse")
    text.append(f"  → map[{record.row},{record.col}]")
    return text


def maps_cell_line(cell: tuple[int, int] | None, finished: bool, total: int, held: bool = False) -> Text:
    """Where the three maps are: nothing yet, the current cell, or all `total` cells (`held`:
    without the count and the shape)."""
    text = Text()
    if cell is None:
        text.append("nothing computed yet (. or space)", style="italic")
    elif finished and held:
        text.append("every cell of each map computed", style="italic")
    elif finished:
        text.append(f"{total} cells in each: 3 x 24 x 24", style="italic")
    else:
        text.append(f"cell ({cell[0]},{cell[1]}) of each map")
    return text


def channels(toy: ToyChannels, cell: tuple[int, int] | None, done: int, held: bool = False) -> Text:
    """Each channel's 5x5 input (the window of `cell` marked) beside its 3x3 kernel, the sums,
    and the 3x3 output with its first `done` cells computed (`held`: every sum and output "?",
    and not how many biases the map has)."""
    shown = (lambda value: "?") if held else (lambda value: format_number(float(value)))
    text = Text()
    count = toy.x.shape[0]
    r0, c0 = cell if cell is not None else (-10, -10)
    for c in range(count):
        text.append(f"channel {c + 1}: x".ljust(18), style="bold")
        text.append(f"w{c + 1}\n", style="bold")
        for i in range(5):
            for j in range(5):
                inside = r0 <= i < r0 + 3 and c0 <= j < c0 + 3
                mark = "bold reverse" if inside else ""
                text.append(f"{int(toy.x[c, i, j]):>2}", style=mark)
                text.append(" ", style=mark if inside and j < c0 + 2 else "")
            if i < 3:
                text.append("   " + " ".join(f"{int(v):>2}" for v in toy.w[c, i]))
            elif i == 3 and cell is not None:
                text.append(f"   Σ{c + 1} = ")
                text.append(shown(toy.parts[c][cell]), style="bold")
            text.append("\n")
    if cell is None:
        sums = " + ".join(f"Σ{c + 1}" for c in range(count))
        text.append(f"out = {sums} + b,  b = {format_number(toy.b)}\n", style="dim")
    else:
        parts = " + ".join(shown(toy.parts[c][cell]) for c in range(count))
        text.append(f"out[{cell[0]},{cell[1]}] = {parts} + b {format_number(toy.b)} = ")
        text.append(shown(toy.out[cell]), style="bold reverse")
        text.append("\n")
    text.append("output 3x3\n" if held else "output 3x3, one bias for the map\n", style="bold")
    for i in range(3):
        for j in range(3):
            if i * 3 + j < done:
                style = "bold reverse" if cell == (i, j) else ""
                text.append(f"{shown(toy.out[i, j]):>4}", style=style)
            else:
                text.append(f"{'·':>4}", style="dim")
        if i < 2:
            text.append("\n")
    return text


__all__ = ["SHORT_NAMES", "num", "side_head", "side_sum", "products", "weights",
                      "cell_sum", "maps_cell_line", "channels"]
