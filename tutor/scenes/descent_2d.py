"""Scene: gradient descent on a cost surface of two parameters, drawn as level sets with the path.

The surface comes from `tutor.engines.descent.SURFACES` and the path(s) from `descend_surface`
(plain gradient descent). The plot shows the surface as level sets (dots where the surface crosses
one of a few levels), its minima (`*`) and saddles (`s`), and each path with its own marker; the
current point of each path is drawn with a digit (or `@` when there is only one path). Frame k
shows the paths after k steps. A panel lists, per path, the current point, f, the gradient and its
norm, and once a path has finished, where it ended: near which minimum, stuck near a saddle, or
diverged.

This module also holds `SurfaceScene`, the base shared with the optimizer race: the surface,
the learning-rate keys, the level-set background and the path drawing. All math (the surface, its
gradient, the descent, the verdicts on a run) comes from the engine; the scene only arranges it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar, Sequence

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tutor.engines import descent
from tutor.scenes import descent_words
from tutor.scenes.base import Scene
from tutor.scenes.plane import equal_aspect_limits
from tutor.widgets.plot import Plot

#: The learning rates `[` and `]` step through (a value off the list moves to its neighbour).
NICE_RATES: tuple[float, ...] = (
    0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.5, 0.75,
    1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 100.0,
)

#: The title of each surface (`tutor.engines.surfaces.SURFACES`) above its plot.
SURFACE_TITLES: dict[str, str] = {
    "regression": "Cost C(w, b) of a line on the six points of y = 2x - 1",
    "valley": "A long narrow valley: f = ½(x² + 10y²)",
    "two-minima": "Two minima of different depth: f = x⁴/4 - x² + 0.3x + y²/2",
    "saddle": "A saddle at the origin: f = x²/2 - y²/2 + y⁴/12",
}
#: How many levels the background draws.
LEVEL_COUNT = 7
#: Marker of the level-set dots, of the minima and of the saddles.
LEVEL_MARKER, MINIMUM_MARKER, SADDLE_MARKER = "·", "*", "s"
#: Markers of successive paths' points, and of their current points when there are several.
PATH_MARKERS: tuple[str, ...] = ("o", "x", "+", "%", "&", "=")
CURRENT_MARKERS: tuple[str, ...] = ("1", "2", "3", "4", "5", "6")
#: A gradient norm below this counts as "the gradient is about zero".
FLAT = 1e-3
#: A finished path this close to a minimum (in the surface's own units) has ended at it; farther
#: away it is still on its way, whatever the size of the surface's box.
AT_MINIMUM = 0.05
#: What a critical point is drawn as while its kind is held back (`SurfaceScene.kinds_held`).
HELD_MARKER = "?"


def num(value: float) -> str:
    """A number for the panels: 3 decimals at most, scientific when large, ∞/nan spelled out."""
    if value is None or not math.isfinite(value):
        return "nan" if value is None or math.isnan(value) else ("∞" if value > 0 else "-∞")
    if abs(value) >= 1e4:
        return f"{value:.2e}"
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def pair(point: Sequence[float]) -> str:
    """`(x, y)` written with `num`."""
    return f"({num(point[0])}, {num(point[1])})"


def lower_rate(value: float) -> float:
    """The next nice learning rate below `value` (unchanged below the smallest)."""
    below = [r for r in NICE_RATES if r < value - 1e-12]
    return below[-1] if below else value


def raise_rate(value: float) -> float:
    """The next nice learning rate above `value` (0 or negative rates go to the smallest)."""
    above = [r for r in NICE_RATES if r > value + 1e-12]
    return above[0] if above else value


def finite_point(point: Sequence[float]) -> bool:
    """Whether both coordinates are finite numbers."""
    return all(isinstance(v, (int, float)) and math.isfinite(v) for v in point)


def level_set_points(
    surface: Any, limits: tuple[float, float, float, float], columns: int, rows: int, count: int = LEVEL_COUNT,
    box: tuple[float, float, float, float] | None = None,
) -> tuple[list[float], list[float]]:
    """Cell centres where the surface crosses one of `count` levels: a contour picture for a plot.

    The surface is sampled at the centre of each of `columns` x `rows` plot cells (engine's
    `surface.f`); a cell is marked when its value and its right or lower neighbour's lie on
    different sides of a level (the one closer to the level is marked). Levels are spaced quadratically between the lowest sampled value
    and the 90th percentile of the values inside `box` (all cells when None), so that the bottom
    of a bowl gets rings too.

    Returns:
        `(xs, ys)`, lists of equal length.
    """
    columns, rows = max(columns, 2), max(rows, 2)
    xmin, xmax, ymin, ymax = limits
    xs = xmin + (np.arange(columns) + 0.5) * (xmax - xmin) / columns
    ys = ymin + (np.arange(rows) + 0.5) * (ymax - ymin) / rows
    with np.errstate(all="ignore"):
        z = np.asarray(surface.f(xs[None, :], ys[:, None]), dtype=np.float64)
    z = np.broadcast_to(z, (rows, columns))
    inside = np.isfinite(z)
    if box is not None:
        inside &= (xs[None, :] >= box[0]) & (xs[None, :] <= box[1]) & (ys[:, None] >= box[2]) & (ys[:, None] <= box[3])
    finite = z[inside] if inside.sum() >= 2 else z[np.isfinite(z)]
    if finite.size < 2:
        return [], []
    low, high = float(finite.min()), float(np.percentile(finite, 90))
    if not high > low:
        return [], []
    marked = np.zeros((rows, columns), dtype=bool)
    for i in range(1, count + 1):
        level = low + (high - low) * (i / count) ** 2
        above = z > level
        gap = np.abs(z - level)
        # Where the level passes between two neighbours, mark the one whose value is closer to it.
        right = above[:, 1:] != above[:, :-1]
        left_closer = gap[:, :-1] <= gap[:, 1:]
        marked[:, :-1] |= right & left_closer
        marked[:, 1:] |= right & ~left_closer
        down = above[1:, :] != above[:-1, :]
        top_closer = gap[:-1, :] <= gap[1:, :]
        marked[:-1, :] |= down & top_closer
        marked[1:, :] |= down & ~top_closer
    yi, xi = np.nonzero(marked)
    return xs[xi].tolist(), ys[yi].tolist()


def fit_plot_height(plot: Plot, short: int = 13, tall: int = 18) -> None:
    """A taller plot when the terminal has the rows for it (34 or more, as for `tall-only`), and
    taller still, in step with the terminal, above 40 rows (27 rows at 60)."""
    rows = plot.app.size.height if plot.is_attached else 0
    wanted = max(tall, rows * 45 // 100) if rows >= 34 else short
    if plot.styles.height is None or plot.styles.height.value != wanted:
        plot.styles.height = wanted


@dataclass
class Path:
    """One descent run drawn on the surface.

    Attributes:
        label: Short name ("1", "gd", ...).
        start: Where it starts, `(x, y)`.
        steps: The engine's `DescentStep` records, in order.
        marker: Marker of its points.
        current: Marker of its current point.
    """

    label: str
    start: tuple[float, float]
    steps: list
    marker: str
    current: str

    def points(self, position: int) -> list[tuple[float, float]]:
        """The start and the points after the first `position` steps (finite ones only)."""
        pts = [self.start] + [tuple(s.params_after) for s in self.steps[:position]]
        return [p for p in pts if finite_point(p)]

    def point(self, position: int) -> tuple[float, float]:
        """The point after `position` steps (the last one once the run has stopped)."""
        k = min(position, len(self.steps))
        return self.start if k == 0 else tuple(self.steps[k - 1].params_after)

    def finished(self, position: int) -> bool:
        """Whether frame `position` is at or past this run's last step."""
        return position >= len(self.steps)

    @property
    def diverged(self) -> bool:
        """Whether the run stopped because the values blew up."""
        return bool(self.steps) and self.steps[-1].status == "diverged"


class SurfaceScene(Scene):
    """Base of the scenes that descend on a two-parameter surface: lr keys, background, paths."""

    BINDINGS = [
        Binding("left_square_bracket", "rate(-1)", "lr lower"),
        Binding("right_square_bracket", "rate(1)", "lr higher"),
    ]

    #: Id prefix of the widgets (distinct per subclass so CSS and tests can find them).
    PREFIX: ClassVar[str] = "sf"

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        name = self.choice_param("surface")
        self.surface = descent.SURFACES.get(name) or next(iter(descent.SURFACES.values()))
        self.paths: list[Path] = []
        self.lr_check = None
        self.lr: float = 0.0
        self.reset_state()

    # --- to implement ---------------------------------------------------------------------------

    def compute(self) -> None:
        """Run the engine for the current learning rate and fill `self.paths`."""

    # --- state ----------------------------------------------------------------------------------

    def reset_state(self) -> None:
        """Back to the lesson's learning rate (or the surface's), and recompute."""
        self.lr = self.float_param("lr", self.surface.lr)
        self._recompute()

    def _recompute(self) -> None:
        self.lr_check = descent_words.check_learning_rate(self.lr)
        self.paths = []
        if self.lr_check.ok:
            self.compute()

    @property
    def total_frames(self) -> int:
        """One frame per step, up to the longest run (runs may stop early)."""
        return max((len(p.steps) for p in self.paths), default=0)

    def action_rate(self, direction: int) -> None:
        """`[` / `]`: the next lower / higher nice learning rate; recompute and show the whole run."""
        current = self.lr if math.isfinite(self.lr) else 0.0
        self.lr = raise_rate(current) if direction > 0 else lower_rate(current)
        self.playing = False
        self._recompute()
        self.set_reactive(Scene.position, self.total_frames)
        self.redraw()
        self._post_state()

    # --- drawing --------------------------------------------------------------------------------

    def on_resize(self) -> None:
        """Redraw the background for the new size."""
        self.redraw()

    def header_text(self, position: int) -> Text:
        """One line: the surface (when there is room), lr, the step; then the engine's lr remark."""
        text = Text()
        if self.size.width >= 52:
            title = self.surface.formula if self.kinds_held else SURFACE_TITLES.get(self.surface.name, self.surface.formula)
            text.append(f"{title}\n", style="bold")
        lr = num(self.lr) if math.isfinite(self.lr) else str(self.params.get("lr"))
        text.append(f"lr = {lr}", style="bold")
        text.append(f" · step {min(position, self.total_frames)}/{self.total_frames}")
        text.append(" · [ ] lr", style="dim")
        if self.lr_check is not None and self.lr_check.message:
            text.append("\n")
            text.append(self.lr_check.message, style="bold" if self.lr_check.ok else "bold red")
        return text

    #: Whether the step asks what kind the critical points are (descent-2d's `hold_kinds`).
    asks_kinds: bool = False

    @property
    def kinds_held(self) -> bool:
        """Whether the kinds of the critical points are held back: the step asks for them
        (`hold_kinds`) and the scene holds its answers, on a surface with a saddle. The saddles
        are then drawn as `?`, the minima not at all, and no title or verdict names them."""
        return self.holding and self.asks_kinds and bool(self.surface.saddles)

    def legend(self, plot: Plot, now: str) -> str:
        """The plot's title: as much of the marker legend as fits its width."""
        if self.kinds_held:
            parts = ["· level", f"{HELD_MARKER} asked", now]
        else:
            parts = ["· level", "* min"] + (["s saddle"] if self.surface.saddles else []) + [now]
        room = max((plot.size.width or 40) - 12, 10)
        title = ""
        for part in parts:
            candidate = f"{title}  {part}" if title else part
            if len(candidate) > room:
                break
            title = candidate
        return title

    def draw_surface(self, plot: Plot, position: int, title: str) -> None:
        """The level sets, minima, saddles and every path up to frame `position`."""
        fit_plot_height(plot)
        width = plot.size.width or 40
        height = plot.size.height or 14
        limits = equal_aspect_limits(tuple(float(v) for v in self.surface.box), width, height)
        plot.clear()
        plot.set_title(title)
        plot.set_xlim(limits[0], limits[1])
        plot.set_ylim(limits[2], limits[3])
        # The frame and tick labels take about 9 columns and 4 rows (as in plane.py).
        box = tuple(float(v) for v in self.surface.box)
        columns, rows = max(width - 9, 4), max(height - 4, 2)
        # A small plot gets fewer levels, or the rings run into each other.
        count = max(3, min(LEVEL_COUNT, rows // 3 + 1, columns // 8))
        xs, ys = level_set_points(self.surface, limits, columns, rows, count, box=box)
        plot.add_scatter(None, xs, ys, marker=LEVEL_MARKER, color="gray")
        held = self.kinds_held
        if self.surface.minima and not held:
            plot.add_scatter(None, [m[0] for m in self.surface.minima], [m[1] for m in self.surface.minima],
                             marker=MINIMUM_MARKER, color="white")
        if self.surface.saddles:
            plot.add_scatter(None, [s[0] for s in self.surface.saddles], [s[1] for s in self.surface.saddles],
                             marker=HELD_MARKER if held else SADDLE_MARKER, color="white")
        colours = ("cyan+", "green+", "red+", "orange+", "magenta+", "blue+")
        for i, path in enumerate(self.paths):
            pts = path.points(position)
            colour = colours[i % len(colours)]
            if len(pts) > 1:
                plot.add_line(None, [p[0] for p in pts], [p[1] for p in pts], marker="braille", color=colour)
                plot.add_scatter(None, [p[0] for p in pts[:-1]], [p[1] for p in pts[:-1]],
                                 marker=path.marker, color=colour)
        for i, path in enumerate(self.paths):
            pts = path.points(position)
            if pts:
                plot.add_scatter(None, [pts[-1][0]], [pts[-1][1]], marker=path.current,
                                 color=colours[i % len(colours)])

    def classify(self, path: Path) -> tuple[str, tuple[float, float] | None]:
        """Where a finished run ended, by the surface's landmarks.

        Returns:
            `(kind, landmark)`: kind is "still" (never moved), "diverged", "saddle" (∇f ≈ 0 next
            to a saddle), "minimum", "near-saddle" (slowed down next to a saddle) or "moving";
            landmark is the minimum or saddle meant (the nearest minimum for "moving").
        """
        if not path.steps:
            return "still", None
        if path.diverged:
            return "diverged", None
        point = path.point(len(path.steps))
        gx, gy = self.surface.grad(*point)
        norm = math.hypot(gx, gy)
        near_min = min(self.surface.minima, key=lambda m: math.dist(m, point), default=None)
        near_saddle = min(self.surface.saddles, key=lambda s: math.dist(s, point), default=None)
        d_min = math.dist(near_min, point) if near_min else math.inf
        d_saddle = math.dist(near_saddle, point) if near_saddle else math.inf
        x0, x1, y0, y1 = self.surface.box
        close = 0.03 * math.hypot(x1 - x0, y1 - y0)
        if norm < FLAT and d_saddle < d_min:
            return "saddle", near_saddle
        if d_min <= AT_MINIMUM:
            return "minimum", near_min
        if d_saddle <= close:
            return "near-saddle", near_saddle
        return "moving", near_min

    def ending(self, path: Path) -> Text:
        """Where a finished run ended, in words: diverged, at a minimum, stuck at a saddle, on its way."""
        kind, where = self.classify(path)
        if kind == "still":
            return Text("did not move", style="dim")
        if kind == "diverged":
            return Text(f"✗ diverged at step {path.steps[-1].iteration}", style="bold red")
        if kind == "saddle":
            return Text(f"stuck near the saddle {pair(where)}: ∇f ≈ 0, yet not a minimum", style="bold yellow")
        if kind == "minimum":
            return Text(f"✓ ended at the minimum {pair(where)}", style="bold green")
        if kind == "near-saddle":
            return Text(f"slowed down near the saddle {pair(where)}", style="bold yellow")
        return Text("still on its way" + (f"; nearest minimum {pair(where)}" if where else ""), style="bold")


class Descent2DScene(SurfaceScene):
    """Plain gradient descent on a surface of two parameters, from one start or several."""

    HELP = """\
**Descent on a surface.** The cost of two parameters is drawn as level sets (`·`: points of equal
cost, like the contour lines of a map); `*` marks a minimum and `s` a saddle. Gradient descent
steps against the gradient, perpendicular to the level sets, by lr × the gradient: each path's
points are drawn with its own marker (`o`, `x`, `+`, …) and its current point with `@` (or its
number when there are several starts). The panel gives, per path, the point, f, the gradient
∇f and its length |∇f|, and at the end where the path ended: at a minimum, stuck near a saddle
(∇f ≈ 0 there too), or diverged.

- `.` next step, `,` back, `space` plays, `r` resets, `+`/`-` speed.
- `[` / `]` lower / raise the learning rate and rerun.
- `v` switches the plot between the map and the cost per step: f after each step, one curve
  per path. A flat stretch there is where descent slowed down (near a saddle, say).

While a question asks what kind of point a critical point is, the map draws it as `?`.
"""

    BINDINGS = [Binding("v", "next_view", "map/cost")]
    #: The plot's views, in the order `v` steps through them.
    VIEWS: ClassVar[tuple[str, ...]] = ("map", "cost")

    #: Held back while the step's questions are open: every point, cost and gradient after the
    #: start, and the verdicts (the paths on the contour plot stay).
    HOLDS_ANSWERS = True

    DEFAULT_CSS = """
    Descent2DScene > Static { height: auto; }
    Descent2DScene #d2-plot { height: 13; }
    """

    FRAME_SECONDS = 0.5

    def reset_state(self) -> None:
        """Back to the lesson's iterations and starts, then its learning rate."""
        self.iterations = self.int_param("iterations")
        self.multi_start = self.bool_param("multi_start")
        self.asks_kinds = self.bool_param("hold_kinds")
        self.view = self.VIEWS[0]
        super().reset_state()

    def action_next_view(self) -> None:
        """`v`: the map of the surface, or the cost after each step."""
        self.view = self.VIEWS[(self.VIEWS.index(self.view) + 1) % len(self.VIEWS)]
        self.redraw()

    def starts(self) -> list[tuple[float, float]]:
        """The starting points: all of the surface's with multi_start, else `start` or its first."""
        if self.multi_start and self.surface.starts:
            return [tuple(map(float, s)) for s in self.surface.starts]
        start = self.numbers_param("start")
        if start is not None:
            return [(start[0], start[1])]
        return [tuple(map(float, self.surface.starts[0]))] if self.surface.starts else [(0.0, 0.0)]

    def compute(self) -> None:
        """One plain-descent run from each start."""
        starts = self.starts()
        single = len(starts) == 1
        for i, start in enumerate(starts):
            steps = list(descent.descend_surface(self.surface, start, self.lr, self.iterations, method="gd"))
            self.paths.append(Path(
                label=str(i + 1), start=start, steps=steps, marker=PATH_MARKERS[i % len(PATH_MARKERS)],
                current="@" if single else CURRENT_MARKERS[i % len(CURRENT_MARKERS)],
            ))

    def compose(self) -> ComposeResult:
        yield Static(id="d2-header")
        yield Plot(id="d2-plot")
        yield Static(id="d2-panel")
        yield Static(id="d2-status")

    def show_frame(self, position: int) -> None:
        """Header, plot, per-path panel and the verdict for frame `position`."""
        self.query_one("#d2-header", Static).update(self.header_text(position))
        plot = self.query_one("#d2-plot", Plot)
        single = len(self.paths) <= 1
        if self.view == "cost":
            self.draw_costs(plot, position)
        else:
            self.draw_surface(plot, position, self.legend(plot, "@ now" if single else "1 2… now"))
        self.query_one("#d2-panel", Static).update(self._panel(position))
        self.query_one("#d2-status", Static).update(self._status(position))

    def costs(self, path: Path, position: int) -> tuple[list[float], list[float]]:
        """(steps, f) of a path up to frame `position`: f at the start and after each step,
        finite values only (a run that blew up ends where its values stop being numbers)."""
        xs, ys = [], []
        with np.errstate(all="ignore"):
            start = float(self.surface.f(*path.start))
        values = [start] + [s.cost_after for s in path.steps[:position]]
        for k, value in enumerate(values):
            if value is not None and math.isfinite(value):
                xs.append(float(k))
                ys.append(float(value))
        return xs, ys

    def draw_costs(self, plot: Plot, position: int) -> None:
        """The cost view: f after each step, one curve per path with the path's marker; the
        axes span the whole run, so the curves grow as the frames advance. While the scene
        holds its answers the values stay hidden."""
        fit_plot_height(plot)
        plot.clear()
        plot.set_labels("step", "f")
        if self.holding:
            plot.set_title("f per step: shown once the questions are answered (v: map)")
            plot.set_xlim(0, max(self.total_frames, 1))
            plot.set_ylim(0, 1)
            return
        plot.set_title("f after each step  (v: map)")
        starts = [self.costs(path, 0)[1] for path in self.paths]
        whole = [y for path in self.paths for y in self.costs(path, len(path.steps))[1]]
        if not whole:
            plot.set_xlim()
            plot.set_ylim()
            return
        top = max(v for first in starts for v in first) if any(starts) else max(whole)
        bottom = min(whole)
        pad = 0.05 * (top - bottom) if top > bottom else 1.0
        plot.set_xlim(0, max(self.total_frames, 1))
        plot.set_ylim(bottom - pad, top + pad)
        colours = ("cyan+", "green+", "red+", "orange+", "magenta+", "blue+")
        for i, path in enumerate(self.paths):
            xs, ys = self.costs(path, position)
            ys = [min(y, top + pad) for y in ys]  # a run that climbs rides the top edge
            if xs:
                plot.add_line(None, xs, ys, marker=path.marker, color=colours[i % len(colours)])

    def _panel(self, position: int) -> Text:
        """Per path: point and f, then the gradient and its norm (or, once finished, the ending)."""
        text = Text()
        single = len(self.paths) == 1
        for i, path in enumerate(self.paths):
            if i:
                text.append("\n")
            head = "" if single else f"{path.current}{path.marker} "
            point = path.point(position)
            if self.holding and position > 0:  # only the start is given; where it goes is asked
                text.append(f"{head}(?, ?)", style="bold")
                text.append("  f = ?" + ("\n∇f = ?" if single else ""))
                continue
            if path.diverged and path.finished(position):
                text.append(head, style="bold")
                text.append_text(self.ending(path))
                continue
            with np.errstate(all="ignore"):
                value = float(self.surface.f(point[0], point[1]))
                gx, gy = self.surface.grad(*point)
            text.append(f"{head}{pair(point)}", style="bold")
            text.append(f"  f = {num(value)}\n")
            indent = "" if single else " "
            if single or not path.finished(position):
                text.append(f"{indent}∇f = {pair((gx, gy))}  |∇f| = {num(math.hypot(gx, gy))}")
            if path.finished(position):
                text.append("\n" if single else "")
                text.append(f"{indent}→ ")
                text.append_text(self.ending(path))
        return text

    def _status(self, position: int) -> Text:
        if self.lr_check is not None and not self.lr_check.ok:
            return Text("Nothing to run: pick another learning rate with [ or ].", style="dim")
        if position < self.total_frames or len(self.paths) != 1 or self.holding:
            return Text("")
        if self.classify(self.paths[0])[0] in ("saddle", "near-saddle"):
            return Text("A saddle is flat too: the gradient alone cannot tell it from a minimum.", style="dim")
        kind, message = descent_words.describe_run(self.paths[0].steps, self.lr, rate_knob=True)
        style = {"converged": "bold green", "diverged": "bold red"}.get(kind, "bold")
        return Text(message, style=style)
