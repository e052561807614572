"""Line, scatter, bar and vector plots on textual-plotext, through a small declarative API.

Scenes never call plotext: they describe what to show (lines, scatter points, segments,
vectors, bars, title, limits) and :class:`Plot` keeps that as a plain data model
(:class:`PlotModel`, a list of :class:`Series`). One method, :func:`draw_model`, rebuilds the
whole plotext figure from the model, so a test can check the model without an app and drawing
stays in one place.

Redraws are throttled: changing the model marks the plot dirty, and a timer running at
:data:`REDRAW_HZ` (10 Hz) redraws it when dirty, because a full plotext rebuild costs about
25 ms at 80x24. Long series are thinned to about twice the plot's width (plotext's braille
lines have two dots per cell). Non-finite points (NaN, inf) are dropped, and series are told
apart by marker shape as well as colour, so 16-colour terminals and ``NO_COLOR`` work.
"""

from __future__ import annotations

import math

from dataclasses import dataclass, field
from typing import Literal, Sequence

import numpy as np
from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.widget import Widget
from textual_plotext import PlotextPlot

from tutor.terminal import low_bandwidth

SeriesKind = Literal["line", "scatter", "segment", "vector"]
"""How a series is drawn: joined line, separate points, a two-point line, or an arrow."""

LINE_MARKERS: tuple[str, ...] = ("braille", "+", "x", "*", "o", "#")
"""Markers given to successive line series so they differ without colour."""

SCATTER_MARKERS: tuple[str, ...] = ("o", "x", "+", "*", "#", "@")
"""Markers given to successive scatter series so classes differ without colour."""

SERIES_COLOURS: tuple[str, ...] = ("cyan+", "green+", "red+", "orange+", "blue+", "magenta+")
"""Default colours by series index: named ANSI colours, so 16-colour terminals show them exactly."""

VECTOR_TIP = "●"
"""Marker drawn at the tip of a vector (the "arrow head")."""

REDRAW_HZ = 10.0
#: The same in `--low-bandwidth` mode.
LOW_BANDWIDTH_REDRAW_HZ = 2.0
"""Maximum redraw rate of a :class:`Plot`, in redraws per second."""

MAX_ABS = 1e12
"""Points with a coordinate larger than this in magnitude are dropped (plotext overflows)."""


def finite_xy(xs: Sequence[float] | np.ndarray, ys: Sequence[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pair up ``xs`` and ``ys`` and drop non-finite or absurdly large points.

    Args:
        xs: X coordinates, shape ``(N,)``.
        ys: Y coordinates, shape ``(N,)``.

    Returns:
        ``(xs, ys)`` as float64 arrays of equal shape ``(M,)``, ``M <= N``.

    Raises:
        ValueError: If the two have different lengths.
    """
    x = np.asarray(xs, dtype=np.float64).ravel()
    y = np.asarray(ys, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError(f"xs and ys differ in length: {x.shape[0]} and {y.shape[0]}")
    keep = np.isfinite(x) & np.isfinite(y) & (np.abs(x) <= MAX_ABS) & (np.abs(y) <= MAX_ABS)
    return x[keep], y[keep]


def downsample(xs: np.ndarray, ys: np.ndarray, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Thin a series to at most ``max_points`` evenly spaced points, keeping both ends.

    Args:
        xs: X coordinates, shape ``(N,)``.
        ys: Y coordinates, shape ``(N,)``.
        max_points: Largest number of points to keep (at least 2).

    Returns:
        ``(xs, ys)``, each of shape ``(min(N, max_points),)``.
    """
    max_points = max(2, int(max_points))
    if xs.shape[0] <= max_points:
        return xs, ys
    index = np.unique(np.linspace(0, xs.shape[0] - 1, max_points).round().astype(np.intp))
    return xs[index], ys[index]


@dataclass(frozen=True)
class Series:
    """One thing drawn on the plot.

    Attributes:
        label: Legend text, or ``None`` for no legend entry.
        xs: X coordinates, shape ``(N,)``, finite.
        ys: Y coordinates, shape ``(N,)``, finite.
        kind: ``"line"``, ``"scatter"``, ``"segment"`` or ``"vector"`` (line from the first
            point to the last with :data:`VECTOR_TIP` at the end).
        marker: Plotext marker name or a single character.
        color: Plotext colour name, or ``None`` for :data:`SERIES_COLOURS` by position.
    """

    label: str | None
    xs: np.ndarray
    ys: np.ndarray
    kind: SeriesKind
    marker: str
    color: str | None = None


@dataclass(frozen=True)
class Bars:
    """A bar chart.

    Attributes:
        labels: One label per bar, length ``K``.
        values: Bar heights, shape ``(K,)``; non-finite heights are drawn as 0.
        color: Plotext colour name, or ``None``.
    """

    labels: tuple[str, ...]
    values: np.ndarray
    color: str | None = None


@dataclass
class PlotModel:
    """Everything a :class:`Plot` shows, as plain data.

    Attributes:
        series: Lines, scatters, segments and vectors, drawn in order.
        bars: A bar chart drawn instead of nothing, or ``None``.
        title: Plot title, or ``""``.
        xlabel: X-axis label, or ``""``.
        ylabel: Y-axis label, or ``""``.
        xlim: ``(low, high)`` for the x-axis, or ``None`` to fit the data.
        ylim: ``(low, high)`` for the y-axis, or ``None`` to fit the data.
        whole_x: the x values are counts (epochs, steps): ticks only at whole numbers.
    """

    series: list[Series] = field(default_factory=list)
    bars: Bars | None = None
    title: str = ""
    xlabel: str = ""
    ylabel: str = ""
    xlim: tuple[float, float] | None = None
    ylim: tuple[float, float] | None = None
    whole_x: bool = False

    def is_empty(self) -> bool:
        """Whether there is nothing at all to draw."""
        return not any(s.xs.size for s in self.series) and (
            self.bars is None or not self.bars.labels
        )


def _limits(limits: tuple[float, float] | None) -> tuple[float, float] | None:
    """Validate axis limits: finite and increasing, or ``None``."""
    if limits is None:
        return None
    low, high = float(limits[0]), float(limits[1])
    if not (np.isfinite(low) and np.isfinite(high)) or not high > low:
        raise ValueError(f"axis limits must be finite with low < high; got {limits!r}")
    return (low, high)


def nice_ticks(low: float, high: float, most: int, whole: bool = False) -> tuple[list[float], list[str]]:
    """At most `most` round tick values inside [low, high] (steps of 1, 2, 2.5 or 5 times a power of
    ten) and their labels, all written with the same number of decimals (0 0.25 0.5, 0 50 100),
    so an axis never reads 96 128 143 175; with `whole`, only whole numbers (epochs: 1 2 3, never
    1.0 1.5 2.0)."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low or most < 2:
        return [], []
    raw = (high - low) / (most - 1)
    if whole:
        raw = max(raw, 1.0)
    power = 10.0 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if whole else (1, 2, 2.5, 5, 10)
    step = next(m * power for m in steps if m * power >= raw * (1 - 1e-9))
    first = math.ceil(low / step - 1e-9) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9 and len(ticks) <= most:
        ticks.append(0.0 if abs(value) < step * 1e-9 else value)
        value = first + len(ticks) * step
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    if round(step, decimals) != round(step, decimals + 1):
        decimals += 1  # a step of 0.25 needs two decimals, not one
    return ticks, [f"{t:.{decimals}f}" for t in ticks]


def _data_range(model: PlotModel, axis: str) -> tuple[float, float] | None:
    """The range an axis shows: its limits, else the span of the finite data on it."""
    limits = model.xlim if axis == "x" else model.ylim
    if limits is not None:
        return limits
    arrays = [s.xs if axis == "x" else s.ys for s in model.series if s.xs.size]
    if axis == "y" and model.bars is not None and model.bars.labels:
        values = np.nan_to_num(model.bars.values, nan=0.0, posinf=MAX_ABS, neginf=-MAX_ABS)
        arrays.append(np.append(values, 0.0))  # bars grow from 0
    if not arrays:
        return None
    data = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays])
    data = data[np.isfinite(data)]
    if data.size == 0 or float(data.max()) <= float(data.min()):
        return None
    return float(data.min()), float(data.max())


def draw_model(plt, model: PlotModel, width: int, height: int = 20) -> None:
    """Rebuild a plotext figure from ``model``. The only place that calls plotext.

    Args:
        plt: A plotext figure (``PlotextPlot.plt``); cleared first.
        model: What to draw.
        width: Plot width in cells, used to thin long series.
    """
    plt.clear_figure()
    if model.title:
        plt.title(model.title)
    if model.xlabel:
        plt.xlabel(model.xlabel)
    if model.ylabel:
        plt.ylabel(model.ylabel)
    max_points = max(2, 2 * width)
    for index, series in enumerate(model.series):
        if series.xs.size == 0:
            continue
        xs, ys = series.xs, series.ys
        colour = series.color or SERIES_COLOURS[index % len(SERIES_COLOURS)]
        if series.kind == "line":
            xs, ys = downsample(xs, ys, max_points)
        if series.kind == "scatter":
            xs, ys = downsample(xs, ys, max_points * 4)
            plt.scatter(xs.tolist(), ys.tolist(), marker=series.marker, color=colour, label=series.label)
        elif series.kind == "vector":
            plt.plot(xs.tolist(), ys.tolist(), marker=series.marker, color=colour, label=series.label)
            plt.scatter([float(xs[-1])], [float(ys[-1])], marker=VECTOR_TIP, color=colour)
        else:
            plt.plot(xs.tolist(), ys.tolist(), marker=series.marker, color=colour, label=series.label)
    if model.bars is not None and model.bars.labels:
        values = np.nan_to_num(model.bars.values, nan=0.0, posinf=MAX_ABS, neginf=-MAX_ABS)
        plt.bar(list(model.bars.labels), values.tolist(), color=model.bars.color or SERIES_COLOURS[0])
    if model.xlim is not None:
        plt.xlim(*model.xlim)
    if model.ylim is not None:
        plt.ylim(*model.ylim)
    # Round ticks (plotext's own split the range evenly: 96 128 143 175); a bar chart keeps its
    # category labels on x.
    axes = (("y", max(2, min(8, height // 3))),)
    if model.bars is None or not model.bars.labels:
        axes = (("x", max(2, min(8, width // 8))), *axes)
    for axis, most in axes:
        span = _data_range(model, axis)
        if span is None:
            continue
        whole = axis == "x" and model.whole_x
        for allowed in range(most, most + 6):  # a short axis may need a finer step for two ticks
            ticks, labels = nice_ticks(*span, allowed, whole)
            if len(ticks) >= 2:
                break
        if len(ticks) >= 2:
            (plt.xticks if axis == "x" else plt.yticks)(ticks, labels)


class _SafePlotextPlot(PlotextPlot):
    """A PlotextPlot that shows a one-line message instead of crashing if plotext fails."""

    def render(self) -> RenderResult:
        """Render the plot, or a short notice if plotext raises on odd data."""
        if self.size.width < 4 or self.size.height < 3:
            return Text("")
        try:
            return super().render()
        except Exception as error:  # plotext edge cases must never take the app down
            return Text(f"(plot unavailable: {type(error).__name__})", style="dim")


class Plot(Widget):
    """A plot of lines, points, segments, vectors or bars, described declaratively.

    Methods change the data model and mark the plot dirty; a 10 Hz timer redraws it. Call
    :meth:`redraw_now` to draw at once (e.g. before a snapshot). The plot reports nothing.
    """

    DEFAULT_CSS = """
    Plot {
        width: 1fr;
        height: 1fr;
        min-height: 5;
    }
    Plot > PlotextPlot {
        width: 1fr;
        height: 1fr;
    }
    """

    def __init__(
        self,
        *,
        title: str = "",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """Create an empty plot.

        Args:
            title: Title shown above the plot.
            name: The name of the widget.
            id: The ID of the widget in the DOM.
            classes: The CSS classes of the widget.
            disabled: Whether the widget is disabled.
        """
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.model = PlotModel(title=title)
        """The plain data model; change it through the methods so the plot knows to redraw."""
        self._dirty = True
        self._drawn_width = -1
        self._line_count = 0
        self._scatter_count = 0
        self.draw_count = 0
        """How many times plotext was rebuilt (for tests and benchmarks)."""

    def compose(self) -> ComposeResult:
        """Create the plotext widget."""
        yield _SafePlotextPlot()

    def on_mount(self) -> None:
        """Draw once and start the redraw timer."""
        self.redraw_now()
        self.set_interval(1 / (LOW_BANDWIDTH_REDRAW_HZ if low_bandwidth() else REDRAW_HZ), self._redraw_if_dirty)

    def on_resize(self) -> None:
        """Thin long series again for the new width."""
        self._mark_dirty()

    @property
    def plotext(self) -> PlotextPlot:
        """The wrapped PlotextPlot widget."""
        return self.query_one(_SafePlotextPlot)

    # -- the declarative API ----------------------------------------------------------

    def set_lines(self, series: Sequence[tuple[str | None, Sequence[float] | np.ndarray, Sequence[float] | np.ndarray]]) -> None:
        """Replace all line series.

        Args:
            series: ``(label, xs, ys)`` triples; ``xs`` and ``ys`` have shape ``(N,)``.
                Markers cycle through :data:`LINE_MARKERS`.
        """
        others = [s for s in self.model.series if s.kind != "line"]
        lines = []
        for index, (label, xs, ys) in enumerate(series):
            x, y = finite_xy(xs, ys)
            lines.append(Series(label, x, y, "line", LINE_MARKERS[index % len(LINE_MARKERS)]))
        self._line_count = len(lines)
        self.model.series = lines + others
        self._mark_dirty()

    def add_line(
        self,
        label: str | None,
        xs: Sequence[float] | np.ndarray,
        ys: Sequence[float] | np.ndarray,
        *,
        marker: str | None = None,
        color: str | None = None,
    ) -> None:
        """Add one line series.

        Args:
            label: Legend text, or ``None``.
            xs: X coordinates, shape ``(N,)``.
            ys: Y coordinates, shape ``(N,)``.
            marker: Marker name or character; ``None`` takes the next of :data:`LINE_MARKERS`.
            color: Plotext colour name, or ``None``.
        """
        x, y = finite_xy(xs, ys)
        if marker is None:
            marker = LINE_MARKERS[self._line_count % len(LINE_MARKERS)]
        self._line_count += 1
        self.model.series.append(Series(label, x, y, "line", marker, color))
        self._mark_dirty()

    def add_scatter(
        self,
        label: str | None,
        xs: Sequence[float] | np.ndarray,
        ys: Sequence[float] | np.ndarray,
        marker: str | None = None,
        color: str | None = None,
    ) -> None:
        """Add a set of separate points, e.g. one class of a data set.

        Args:
            label: Legend text, or ``None``.
            xs: X coordinates, shape ``(N,)``.
            ys: Y coordinates, shape ``(N,)``.
            marker: Marker character; ``None`` takes the next of :data:`SCATTER_MARKERS`.
            color: Plotext colour name, or ``None``.
        """
        x, y = finite_xy(xs, ys)
        if marker is None:
            marker = SCATTER_MARKERS[self._scatter_count % len(SCATTER_MARKERS)]
        self._scatter_count += 1
        self.model.series.append(Series(label, x, y, "scatter", marker, color))
        self._mark_dirty()

    def add_segment(
        self,
        label: str | None,
        start: tuple[float, float],
        end: tuple[float, float],
        *,
        marker: str = "hd",
        color: str | None = None,
    ) -> None:
        """Add a straight segment, e.g. a decision boundary clipped to the view.

        Args:
            label: Legend text, or ``None``.
            start: ``(x0, y0)``.
            end: ``(x1, y1)``.
            marker: Marker name or character; the default "hd" (quarter blocks) differs from
                the braille of the first line.
            color: Plotext colour name, or ``None``.
        """
        x, y = finite_xy([start[0], end[0]], [start[1], end[1]])
        self.model.series.append(Series(label, x, y, "segment", marker, color))
        self._mark_dirty()

    def add_vector(
        self,
        label: str | None,
        tip: tuple[float, float],
        *,
        origin: tuple[float, float] = (0.0, 0.0),
        marker: str = "•",
        color: str | None = None,
    ) -> None:
        """Add an arrow-like vector: a line from ``origin`` to ``tip`` with a dot at the tip.

        Args:
            label: Legend text, or ``None``.
            tip: ``(x, y)`` of the vector's end, e.g. a weight vector ``(w1, w2)``.
            origin: ``(x, y)`` where the vector starts.
            marker: Marker of the shaft.
            color: Plotext colour name, or ``None``.
        """
        x, y = finite_xy([origin[0], tip[0]], [origin[1], tip[1]])
        kind: SeriesKind = "vector" if x.size == 2 else "scatter"
        self.model.series.append(Series(label, x, y, kind, marker if kind == "vector" else VECTOR_TIP, color))
        self._mark_dirty()

    def set_bars(
        self, labels: Sequence[str], values: Sequence[float] | np.ndarray, *, color: str | None = None
    ) -> None:
        """Show a bar chart (replacing any previous bars).

        Args:
            labels: One label per bar, length ``K``.
            values: Bar heights, shape ``(K,)``.
            color: Plotext colour name, or ``None``.

        Raises:
            ValueError: If the lengths differ.
        """
        heights = np.asarray(values, dtype=np.float64).ravel()
        if len(labels) != heights.shape[0]:
            raise ValueError(f"{len(labels)} labels for {heights.shape[0]} bar values")
        self.model.bars = Bars(tuple(str(label) for label in labels), heights, color)
        self._mark_dirty()

    def set_title(self, title: str) -> None:
        """Set the title (``""`` for none)."""
        self.model.title = title
        self._mark_dirty()

    def set_labels(self, xlabel: str = "", ylabel: str = "") -> None:
        """Set the axis labels (``""`` for none)."""
        self.model.xlabel = xlabel
        self.model.ylabel = ylabel
        self._mark_dirty()

    def set_whole_x(self, whole: bool = True) -> None:
        """Tick the x-axis at whole numbers only (it counts epochs or steps)."""
        self.model.whole_x = whole
        self._mark_dirty()

    def set_xlim(self, low: float | None = None, high: float | None = None) -> None:
        """Fix the x-axis to ``[low, high]``; call with no arguments to fit the data again."""
        self.model.xlim = None if low is None or high is None else _limits((low, high))
        self._mark_dirty()

    def set_ylim(self, low: float | None = None, high: float | None = None) -> None:
        """Fix the y-axis to ``[low, high]``; call with no arguments to fit the data again."""
        self.model.ylim = None if low is None or high is None else _limits((low, high))
        self._mark_dirty()

    def clear(self) -> None:
        """Remove all series and bars; the title, labels and limits stay."""
        self.model.series = []
        self.model.bars = None
        self._line_count = 0
        self._scatter_count = 0
        self._mark_dirty()

    # -- drawing ------------------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        """Whether the model changed since the last redraw."""
        return self._dirty

    def _mark_dirty(self) -> None:
        """Note that the next timer tick must redraw."""
        self._dirty = True

    def _redraw_if_dirty(self) -> None:
        """Timer callback: redraw when the model or the width changed."""
        if self._dirty:
            self.redraw_now()

    def redraw_now(self) -> None:
        """Rebuild the plotext figure from the model and repaint, without waiting for the timer."""
        if not self.is_mounted:
            return
        plot = self.plotext
        width = plot.size.width or self.size.width or 80
        draw_model(plot.plt, self.model, width, plot.size.height or self.size.height or 20)
        self._dirty = False
        self.draw_count += 1
        plot.refresh()
