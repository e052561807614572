"""Scene: a K x K window walking over a padded W x W input with stride S, and the output size.

The learner sets W, K, S and P with the knob keys. The scene shows the formula
(W - K + 2P)/S + 1 with the numbers put in and the result, or, when the combination does not
work, the engine's one-sentence explanation (`tutor.engines.shapes.check_size`). Small inputs
are drawn cell by cell: real pixels `·`, padding zeros `0`, the window `█` over pixels and `▒`
over padding, and `×` for edge cells no window ever reaches; beside them, the output grid with
the current cell. Frames step the window across the output cells, row by row.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from tutor.engines.shapes import SizeCheck, SizeProblem, check_size, receptive_field, window_starts
from tutor.scenes.knobs import KnobScene

#: Allowed range of each knob: (lowest, highest).
RANGES: dict[str, tuple[int, int]] = {"W": (1, 32), "K": (1, 9), "S": (1, 4), "P": (0, 4)}

#: Padded inputs up to this many cells across are drawn cell by cell.
MAX_DRAWN = 18

#: Characters of the grid (two columns per cell, so cells look roughly square).
INPUT, PADDING, WINDOW, WINDOW_PAD, UNSEEN = "· ", "0 ", "██", "▒▒", "× "
OUT_CELL, OUT_DONE, OUT_NOW = "· ", "o ", "██"

#: Styles; every meaning is carried by the character too.
STYLES = {
    INPUT: "",
    PADDING: "blue",
    WINDOW: "bold yellow",
    WINDOW_PAD: "bold yellow",
    UNSEEN: "bold red",
    OUT_CELL: "dim",
    OUT_DONE: "",
    OUT_NOW: "bold yellow",
}



def size_reason(check: SizeCheck) -> str:
    """One sentence on why a (W, K, S, P) combination does not work and what to change ("" when valid)."""
    w, k, s, p, padded = check.width, check.kernel, check.stride, check.pad, check.padded
    problem = check.problem
    if problem is SizeProblem.NONE:
        return ""
    if problem is SizeProblem.WIDTH:
        return f"The input must be at least 1 pixel wide, not {w}; pick W = 1 or more."
    if problem is SizeProblem.KERNEL:
        return f"A kernel must be at least 1x1, not {k}x{k}; pick K = 1 or more."
    if problem is SizeProblem.STRIDE:
        return (f"The stride must be at least 1 (the window has to move forward), not {s}; "
                "pick S = 1 or more.")
    if problem is SizeProblem.PAD:
        return (f"Padding adds rows and columns of zeros, so it cannot be negative ({p}); "
                "pick P = 0 or more.")
    if problem is SizeProblem.TOO_BIG:
        return (f"The {k}x{k} kernel is larger than the {padded}x{padded} padded input, so it fits "
                f"nowhere; use K <= {padded} or pad by at least {check.min_pad}.")
    fixes = [f"{letter} = {value}" for letter, value in check.fixes]
    unseen = "column and row" if check.leftover == 1 else f"{check.leftover} columns and rows"
    return (
        f"(W - K + 2P)/S = {check.span}/{s} is not a whole number, so the last window would run "
        f"past the edge: libraries round down to {check.floor_size} and never look at the last "
        f"{unseen}; try {', '.join(fixes[:-1])} or {fixes[-1]}."
    )

class ConvSandboxScene(KnobScene):
    """Editable W, K, S, P; the output size by the formula; the window walking the padded input."""

    KNOBS = ("W", "K", "S", "P")
    #: Held back while the step's questions are open: the output size (the formula keeps the
    #: numbers put in), whether it fits and why (the verdict, its reason and the `×` marks on the
    #: input cells no window reaches), and the output cells the window has not reached.
    HOLDS_ANSWERS = True
    FRAME_SECONDS = 0.6

    HELP = """\
**Stride, padding and output size.** A K x K window slides over a W x W input with P rings
of zeros around it, moving S cells at a time. It fits (W - K + 2P)/S + 1 times across: that
is the output size. When the division leaves a remainder, the last window would hang over
the edge; the scene says why and which padding or stride would fix it.

- Click the scene (or `tab` to it): `↑`/`↓` pick W, K, S or P; `[` and `]` change it by 1.
- `.` and `,` move the window one output cell; `space` plays the walk; `r` resets.
- Grid: `·` input pixel, `0` padding (zeros), `█` window on pixels, `▒` window on padding,
  `×` cells no window reaches. Beside it, the output grid: `o` done, `█` the current cell.
- The line below names the output cell and the input rows and columns its window covers
  (negative numbers and numbers from W on are padding).
"""

    DEFAULT_CSS = """
    ConvSandboxScene > Static { height: auto; }
    """

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.reset_state()

    # --- state ------------------------------------------------------------------------------------

    def reset_state(self) -> None:
        """Back to the lesson's W, K, S and P."""
        keys = {"W": "width", "K": "kernel", "S": "stride", "P": "padding"}
        self.knob_values = [float(self.int_param(keys[name], None, *RANGES[name])) for name in self.KNOBS]
        self.knobs_changed()

    def knobs_changed(self) -> None:
        """Recheck the combination and the window positions."""
        w, k, s, p = self.values
        self.check: SizeCheck = check_size(w, k, s, p)
        self.starts: tuple[int, ...] = window_starts(w, k, s, p)

    @property
    def values(self) -> tuple[int, int, int, int]:
        """(W, K, S, P) as whole numbers."""
        w, k, s, p = (int(v) for v in self.knob_values)
        return w, k, s, p

    @property
    def columns(self) -> int:
        """How many window positions fit across (rounded down when the stride does not divide)."""
        return len(self.starts)

    @property
    def total_frames(self) -> int:
        """One frame per output cell (frame 0 is the first cell)."""
        return max(0, self.columns * self.columns - 1)

    def action_nudge(self, direction: int) -> None:
        """`[`/`]`: change the picked knob by 1 within its range, then start the walk over."""
        name = self.KNOBS[self.picked]
        low, high = RANGES[name]
        value = int(self.knob_values[self.picked]) + int(direction)
        self.knob_values[self.picked] = float(max(low, min(high, value)))
        self.knobs_changed()
        self.playing = False
        if self.position == 0:
            self.redraw()
            self._post_state()
        else:
            self.position = 0

    # --- drawing ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="knobs")
        yield Static(id="cs-formula")
        yield Static(id="cs-grid")
        yield Static(id="cs-status")

    def on_resize(self, event: Any) -> None:
        """Redraw: whether the output grid fits beside the input depends on the width."""
        self.redraw()

    def show_frame(self, position: int) -> None:
        """Knobs, formula, the grid with the window of output cell `position`, and a status line."""
        notes = {0: "input size", 1: "kernel size", 2: "stride", 3: "padding"}
        self.query_one("#knobs", Static).update(self.knob_panel(notes))
        self.query_one("#cs-formula", Static).update(self._formula())
        cell = self._cell(position)
        self.query_one("#cs-grid", Static).update(self._grid(cell))
        self.query_one("#cs-status", Static).update(self._status(cell))

    def _cell(self, position: int) -> tuple[int, int] | None:
        """The output cell shown at frame `position`, or None when no window fits."""
        if not self.columns:
            return None
        index = max(0, min(position, self.columns * self.columns - 1))
        return divmod(index, self.columns)

    def _formula(self) -> Text:
        """The formula, then the numbers put in and the verdict (or the reason it fails)."""
        check = self.check
        text = Text()
        text.append("output size = (W - K + 2P)/S + 1\n", style="dim")
        if self.holding:  # the numbers put in, not the result nor whether it fits
            formula = check.formula
            text.append(formula[: formula.rindex(" = ") + 3] + "?" if " = " in formula else formula, style="bold")
            return text
        text.append(check.formula, style="bold")
        if check.valid:
            text.append(f"  ✓ {check.size}×{check.size}", style="bold green")
            return text
        text.append("  ✗\n", style="bold red")
        text.append(size_reason(check))
        return text

    def _grid(self, cell: tuple[int, int] | None) -> Text:
        w, k, s, p = self.values
        text = Text()
        if w < 1 or k < 1 or s < 1 or p < 0:
            return text
        padded = w + 2 * p
        if padded > MAX_DRAWN:
            text.append(
                f"W + 2P = {padded} cells across: too many to draw here, but the formula holds "
                f"all the same. Lower W (or P) until W + 2P <= {MAX_DRAWN} to see every cell.",
                style="italic",
            )
            return text
        field = receptive_field(cell[0], cell[1], k, s, p, width=w) if cell else None
        # Padded coordinates of the last cell any window reaches.
        reach = (self.starts[-1] + p + k) if self.starts else 0
        rows = [self._input_row(r, padded, p, w, field, reach) for r in range(padded)]
        out_rows = self._output_rows(cell)
        budget = self.content_size.width or 36
        side = bool(out_rows) and padded * 2 + 3 + len(out_rows[0]) <= budget
        if side and len(out_rows) < padded:
            out_rows.append(Text("↑ output", style="dim"))
        for i, row in enumerate(rows):
            text.append_text(row)
            if side and i < len(out_rows):
                text.append("   ")
                text.append_text(out_rows[i])
            text.append("\n")
        legend = "· pixel  0 pad  █ ▒ window" if p else "· pixel  █ window"
        if self.check.leftover and not self.holding:  # held: whether it fits is asked
            legend += "  × unseen"
        text.append(legend, style="dim")
        return text

    def _input_row(self, r: int, padded: int, p: int, w: int, field: Any, reach: int) -> Text:
        """One row of the padded input; r is in padded coordinates."""
        row = Text()
        for c in range(padded):
            pad = not (p <= r < p + w and p <= c < p + w)
            inside = field is not None and (
                field.padded_rows[0] <= r < field.padded_rows[1]
                and field.padded_cols[0] <= c < field.padded_cols[1]
            )
            if inside:
                char = WINDOW_PAD if pad else WINDOW
            elif self.starts and (r >= reach or c >= reach) and not self.holding:
                char = UNSEEN
            else:
                char = PADDING if pad else INPUT
            row.append(char, style=STYLES[char])
        return row

    def _output_rows(self, cell: tuple[int, int] | None) -> list[Text]:
        """The output grid: cells before the current one `o`, the current one `█`."""
        n = self.columns
        if cell is None or n == 0 or n > MAX_DRAWN:
            return []
        current = cell[0] * n + cell[1]
        rows = []
        for i in range(n):
            row = Text()
            for j in range(n):
                index = i * n + j
                if self.holding and index > current:
                    break  # cells not reached yet are not drawn: their count is the answer
                char = OUT_NOW if index == current else OUT_DONE if index < current else OUT_CELL
                row.append(char, style=STYLES[char])
            rows.append(row)
            if self.holding and i >= cell[0]:
                break
        return rows

    def _status(self, cell: tuple[int, int] | None) -> Text:
        text = Text()
        if cell is None:
            return text
        w, k, s, p = self.values
        field = receptive_field(cell[0], cell[1], k, s, p, width=w)
        text.append(f"cell ({cell[0]},{cell[1]})", style="bold")
        text.append(f" sees rows {field.rows[0]}..{field.rows[1] - 1}, "
                    f"cols {field.cols[0]}..{field.cols[1] - 1}")
        if field.padding:
            text.append(f" ({len(field.padding)} of {len(field.cells)} are padding)")
        return text
