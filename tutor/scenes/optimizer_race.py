"""Scene: plain gradient descent, momentum and Adam racing from the same start on one surface.

All three runs come from `descent.descend_surface` (methods "gd", "momentum", "adam") with the
same learning rate, from the surface's first start. The plot is the same level-set picture as the
descent-2d scene, with one marker per method and the current points drawn as G, M and A. Frame k
shows k steps; a table gives each method's current cost and distance to the nearest minimum.
"""

from __future__ import annotations

import math

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from tutor.engines import descent
from tutor.scenes.descent_2d import Path, SurfaceScene, finite_point, num
from tutor.widgets.plot import Plot

#: (method, label, marker of its points, marker of its current point)
METHODS: tuple[tuple[str, str, str, str], ...] = (
    ("gd", "plain", "o", "G"),
    ("momentum", "momentum", "x", "M"),
    ("adam", "Adam", "+", "A"),
)


class OptimizerRaceScene(SurfaceScene):
    """Three optimizers, one surface, one start, one learning rate."""

    HELP = """\
**Optimizer race.** Plain gradient descent (`o`, now at `G`), momentum (`x`, now at `M`) and Adam
(`+`, now at `A`) start from the same point with the same learning rate. The background shows the
cost's level sets (`·`) and the minimum (`*`). Momentum keeps a running velocity, so it speeds
along a valley floor and can overshoot; Adam scales each coordinate's step by its recent gradient
size, so it moves at about lr per step in every direction. The table gives each method's cost
and its distance to the nearest minimum.

- `.` next step, `,` back, `space` plays, `r` resets, `+`/`-` speed.
- `[` / `]` lower / raise the learning rate and rerun.
"""

    #: Held back while the step's questions are open: every point, cost and gradient after the
    #: start, and the verdicts (the paths on the contour plot stay).
    HOLDS_ANSWERS = True

    DEFAULT_CSS = """
    OptimizerRaceScene > Static { height: auto; }
    OptimizerRaceScene #or-plot { height: 13; }
    """

    FRAME_SECONDS = 0.4

    def reset_state(self) -> None:
        """Back to the lesson's number of steps, then its learning rate."""
        self.steps = self.int_param("steps")
        super().reset_state()

    def compute(self) -> None:
        """One run per method from the surface's first start."""
        start = tuple(map(float, self.surface.starts[0])) if self.surface.starts else (0.0, 0.0)
        for method, label, marker, current in METHODS:
            steps = list(descent.descend_surface(self.surface, start, self.lr, self.steps, method=method))
            self.paths.append(Path(label=label, start=start, steps=steps, marker=marker, current=current))

    def compose(self) -> ComposeResult:
        yield Static(id="or-header")
        yield Plot(id="or-plot")
        yield Static(id="or-table")
        yield Static(id="or-status")

    def show_frame(self, position: int) -> None:
        """Header, plot with the three paths, and the table for frame `position`."""
        self.query_one("#or-header", Static).update(self.header_text(position))
        plot = self.query_one("#or-plot", Plot)
        self.draw_surface(plot, position, self.legend(plot, "o G plain  x M momentum  + A Adam"))
        self.query_one("#or-table", Static).update(self._table(position))
        self.query_one("#or-status", Static).update(self._status())

    def _table(self, position: int) -> Table | Text:
        if not self.paths:
            return Text("Nothing to run: pick another learning rate with [ or ].", style="bold red")
        wide = self.size.width >= 52
        table = Table(box=None, pad_edge=False, padding=(0, 1, 0, 0), header_style="bold")
        for name in ("method", "cost", "to min") + (("point",) if wide else ()):
            table.add_column(name, justify="left" if name == "method" else "right")
        for path in self.paths:
            name = f"{path.marker} {path.current} {path.label}"
            if path.diverged and path.finished(position):
                row = [name, "blew up", f"(step {path.steps[-1].iteration})"] + (["—"] if wide else [])
                table.add_row(*row, style="bold red")
                continue
            point = path.point(position)
            if self.holding and position > 0:  # only the start is given; the steps are asked
                table.add_row(*([name, "?", "?"] + (["(?, ?)"] if wide else [])))
                continue
            k = min(position, len(path.steps))
            cost = path.steps[k - 1].cost_after if k else (path.steps[0].cost if path.steps else math.nan)
            distance = min((math.dist(m, point) for m in self.surface.minima), default=math.nan)
            row = [name, num(cost), num(distance)]
            if wide:
                row.append(f"({num(point[0])}, {num(point[1])})" if finite_point(point) else "—")
            table.add_row(*row)
        return table

    def _status(self) -> Text:
        """At the end of the race: the first method to settle at a minimum, else who is closest."""
        if not self.paths or self.position < self.total_frames or self.holding:
            return Text("")
        notes = []
        for path in self.paths:
            ending = self.ending(path)
            notes.append(Text.assemble((f"{path.current} {path.label}: ", "bold"), ending))
        return Text("\n").join(notes)
