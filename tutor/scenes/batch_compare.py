"""Scene: full-batch, stochastic (batch size 1) and mini-batch descent on one noisy regression.

The data are `descent.noisy_line(200, seed)`; each run is `descent.minibatch_descent` from
(w, b) = (0, 0) with the same learning rate. The plot shows the cost on all the data against the
number of updates, or, after `v`, against the number of examples seen, both axes on a log scale
(the runs make from 20 to 4000 updates, so a linear axis would squeeze the full-batch curve into
its first columns): per update the full batch is as good as any, per example seen the small
batches are far ahead. Frame k shows the first k epochs.
A table gives, per run, the updates, the examples seen, the cost and (w, b) at that point.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tutor.engines import descent
from tutor.scenes import descent_words
from tutor.scenes.base import Scene
from tutor.scenes.descent_2d import fit_plot_height, lower_rate, num, raise_rate
from tutor.widgets.plot import Plot

#: Cost values are floored at this before taking the log (a cost of 0 stays drawable).
COST_FLOOR = 1e-12


@dataclass
class Run:
    """One descent run and what the plot needs of it.

    Attributes:
        label: Name in the legend and the table ("full", "SGD", "mini 20").
        marker: Plot marker.
        batch_size: Examples per update (the data size for full batch).
        records: The engine's `BatchStep` records, in order.
        epoch_ends: `epoch_ends[k]` = how many records belong to epochs 1..k (index 0 = 0).
    """

    label: str
    marker: str
    batch_size: int
    records: list
    epoch_ends: list[int]

    def upto(self, epoch: int) -> list:
        """The records of the first `epoch` epochs."""
        return self.records[: self.epoch_ends[min(max(epoch, 0), len(self.epoch_ends) - 1)]]

    @property
    def diverged(self) -> Any:
        """The record at which the run blew up, or None."""
        last = self.records[-1] if self.records else None
        if last is not None and (getattr(last, "diverged", False) or not math.isfinite(last.full_cost)):
            return last
        return None


class BatchCompareScene(Scene):
    """Three descents on the same data, differing only in how many examples feed each update."""

    HELP = """\
**Batch, stochastic, mini-batch.** The same linear unit is fitted to 200 noisy points three ways:
full batch (`o`, one update per epoch using all 200 examples), stochastic (`x`, batch size 1, 200
updates per epoch) and mini-batch (`+`, the chosen batch size). The plot shows the cost on all the
data after each update, against the updates made; both axes are on a log₁₀ scale (1, 10, 100,
1000 updates are equally far apart). Per update the full batch is as good as any: its one
update uses all 200 points. Per example seen (`v`), the fairer count of the work, the small
batches are far ahead, and the stochastic curve stays noisy near the bottom.

- `.` next epoch, `,` back, `space` plays, `r` resets, `+`/`-` speed.
- `v` x axis: updates ↔ examples seen.
- `[` / `]` halve / double the mini-batch size (1 to 200); `{` / `}` lower / raise lr.
"""

    BINDINGS = [
        Binding("v", "axis", "x axis"),
        Binding("left_square_bracket", "batch(-1)", "batch ÷2"),
        Binding("right_square_bracket", "batch(1)", "batch ×2"),
        Binding("left_curly_bracket", "rate(-1)", "lr lower"),
        Binding("right_curly_bracket", "rate(1)", "lr higher"),
    ]

    #: Held back while the step's questions are open: how many updates and examples each run has
    #: made (the table's columns; the plot counts epochs instead).
    HOLDS_ANSWERS = True

    DEFAULT_CSS = """
    BatchCompareScene > Static { height: auto; }
    BatchCompareScene #bc-plot { height: 13; }
    """

    FRAME_SECONDS = 0.6

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.epochs = self.int_param("epochs")
        self.seed = self.int_param("seed")
        self.x, self.t = descent.noisy_line(200, self.seed)
        self.n = len(self.x)
        self.start_cost = descent.quadratic_cost(0.0, 0.0, self.x, self.t)
        self.by_examples = False
        self.runs: list[Run] = []
        self.reset_state()

    # --- state ----------------------------------------------------------------------------------

    def reset_state(self) -> None:
        """Back to the lesson's lr and batch size, x axis = updates; recompute."""
        self.lr = self.float_param("lr")
        self.batch_size = self._clamp(self.int_param("batch_size"))
        self.by_examples = False
        self._recompute()

    def _clamp(self, value: Any) -> int:
        try:
            return max(1, min(self.n, int(value)))
        except (TypeError, ValueError):
            return 20

    def _recompute(self) -> None:
        """Run the three descents for the current lr and batch size."""
        self.lr_check = descent_words.check_learning_rate(self.lr)
        self.runs = []
        if not self.lr_check.ok:
            return
        for label, marker, size in (("full", "o", None), ("SGD", "x", 1), (f"mini {self.batch_size}", "+", self.batch_size)):
            records = list(descent.minibatch_descent(
                self.x, self.t, start=(0.0, 0.0), lr=self.lr, batch_size=size, epochs=self.epochs, seed=self.seed,
            ))
            epochs = [r.epoch for r in records]
            ends = [bisect.bisect_right(epochs, k) for k in range(self.epochs + 1)]
            self.runs.append(Run(label, marker, self.n if size is None else size, records, ends))

    @property
    def total_frames(self) -> int:
        """One frame per epoch (fewer when every run blew up early)."""
        return max((r.records[-1].epoch for r in self.runs if r.records), default=0)

    # --- actions --------------------------------------------------------------------------------

    def action_axis(self) -> None:
        """`v`: plot against updates or against examples seen."""
        self.by_examples = not self.by_examples
        self.redraw()

    def action_batch(self, direction: int) -> None:
        """`[` / `]`: halve / double the mini-batch size within 1..n, and rerun."""
        size = self.batch_size * 2 if direction > 0 else self.batch_size // 2
        self._changed(lambda: setattr(self, "batch_size", self._clamp(size)))

    def action_rate(self, direction: int) -> None:
        """`{` / `}`: the next lower / higher nice learning rate, and rerun."""
        current = self.lr if math.isfinite(self.lr) else 0.0
        self._changed(lambda: setattr(self, "lr", raise_rate(current) if direction > 0 else lower_rate(current)))

    def _changed(self, change: Any) -> None:
        self.playing = False
        change()
        self._recompute()
        self.set_reactive(Scene.position, self.total_frames)
        self.redraw()
        self._post_state()

    # --- drawing --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="bc-header")
        yield Plot(id="bc-plot")
        yield Static(id="bc-status")
        yield Static(id="bc-table")

    def show_frame(self, position: int) -> None:
        """Header, curves up to epoch `position`, the divergence line and the table."""
        header = Text()
        lr = num(self.lr) if math.isfinite(self.lr) else str(self.params.get("lr"))
        header.append(f"lr = {lr} · batch {self.batch_size}", style="bold")
        header.append(f" · epoch {min(position, self.total_frames)}/{self.total_frames}\n")
        header.append("[ ] batch  { } lr  v x axis", style="dim")
        if self.lr_check.message:
            header.append("\n")
            header.append(self.lr_check.message, style="bold" if self.lr_check.ok else "bold red")
        self.query_one("#bc-header", Static).update(header)
        self._draw(position)
        self.query_one("#bc-status", Static).update(self._status())
        self.query_one("#bc-table", Static).update(self._table(position))

    def _xy(self, run: Run, records: list) -> tuple[list[float], list[float]]:
        """(x, log10 cost) for a run's records. Held: x in epochs (linear, from the start at 0);
        else x = log10 of the updates or of the examples seen (no point for the start)."""
        if self.holding:  # epochs: neither the updates nor the examples an epoch makes
            xs = [0.0] + [r.examples_seen / max(1, self.n) for r in records]
            ys = [math.log10(max(self.start_cost, COST_FLOOR))]
        else:
            xs = [math.log10(max(1, r.examples_seen if self.by_examples else r.update)) for r in records]
            ys = []
        for r in records:
            cost = r.full_cost
            ys.append(math.log10(max(cost, COST_FLOOR)) if math.isfinite(cost) else math.inf)
        return xs, ys

    def _draw(self, position: int) -> None:
        plot = self.query_one("#bc-plot", Plot)
        fit_plot_height(plot)
        plot.clear()
        plot.set_labels("epochs" if self.holding else
                        "log₁₀ examples seen" if self.by_examples else "log₁₀ updates", "log₁₀ cost")
        if not self.runs:
            plot.set_title("nothing to draw: pick another lr")
            plot.set_xlim()
            plot.set_ylim()
            return
        room = max((plot.size.width or 40) - 12, 10)
        title = ""  # the legend, as much as fits (the y axis is labelled log₁₀ cost)
        for run in self.runs:
            candidate = f"{title}  {run.marker} {run.label}" if title else f"{run.marker} {run.label}"
            if len(candidate) > room:
                break
            title = candidate
        plot.set_title(title)
        # Fixed axes for the whole run, so the curves grow as the frames advance.
        top = math.log10(max(self.start_cost, COST_FLOOR)) + 0.3
        everything = [y for run in self.runs for y in self._xy(run, run.records)[1] if math.isfinite(y)]
        bottom = min(everything + [top - 1.0]) - 0.1
        xmax = max((max(xs) for run in self.runs if (xs := self._xy(run, run.records)[0])), default=1.0)
        plot.set_xlim(0.0, max(xmax, 1.0))
        plot.set_ylim(bottom, top)
        # Densest first, so the sparse full-batch curve stays on top.
        for run in sorted(self.runs, key=lambda r: r.batch_size):
            xs, ys = self._xy(run, run.upto(position))
            ys = [min(y, top) for y in ys]  # a blown-up run rides the top edge
            if xs:
                plot.add_line(None, xs, ys, marker=run.marker)

    def _status(self) -> Text:
        if not self.lr_check.ok:
            return Text("Nothing to run: pick another learning rate with { or }.", style="bold red")
        gone = [(run, run.diverged) for run in self.runs if run.diverged is not None]
        if not gone:
            return Text("")
        names = ", ".join(run.label for run, _ in gone)
        return Text(f"✗ Diverged, the cost blew up: {names}", style="bold red")

    def _table(self, position: int) -> Table:
        """Per run at epoch `position`: updates, examples seen, full cost, w and b."""
        table = Table(box=None, pad_edge=False, padding=(0, 1, 0, 0), header_style="bold")
        for name in ("run", "upd", "seen", "cost", "w", "b"):
            table.add_column(name, justify="left" if name == "run" else "right", no_wrap=True)
        for run in self.runs:
            records = run.upto(position)
            name = f"{run.marker} {run.label}"
            if not records:
                table.add_row(name, "0", "0", _short(self.start_cost), "0", "0")
                continue
            last = records[-1]
            updates, seen = self.unless_held(str(last.update)), self.unless_held(str(last.examples_seen))
            if getattr(last, "diverged", False) or not math.isfinite(last.full_cost):
                table.add_row(name, updates, seen, "blew up", "—", "—", style="bold red")
                continue
            table.add_row(name, updates, seen, _short(last.full_cost),
                          _fixed(last.params[0]), _fixed(last.params[1]))
        return table


def _short(value: float) -> str:
    """Three significant digits (a cost in the table)."""
    if not math.isfinite(value):
        return "∞"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0e}".replace("e+0", "e").replace("e+", "e")


def _fixed(value: float) -> str:
    """Two decimals, three digits from 10 on, scientific when large (a weight in the table)."""
    if not math.isfinite(value):
        return "∞"
    if abs(value) < 10:
        return f"{value:.2f}"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0e}".replace("e+0", "e").replace("e+", "e")
