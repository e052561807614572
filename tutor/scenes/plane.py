"""Drawing the plane of two inputs: points by class, boundary lines and arrows, at equal scale.

Several scenes show the same picture (the threshold unit, the perceptron, the two-layer XOR
network). Terminal cells are about twice as tall as they are wide, so the plot's limits are widened
along one axis until one unit measures the same on both: only then does a weight vector look
orthogonal to its boundary.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tutor.widgets.plot import Plot

#: The region that must stay visible: the four binary inputs with a margin.
DEFAULT_BOX = (-0.5, 1.5, -0.5, 1.5)
#: Terminal cells are roughly this many times taller than wide.
CELL_ASPECT = 2.0


@dataclass
class PlaneDrawing:
    """What to draw: point groups (marker -> points), segments and arrows, and a legend title.

    Attributes:
        title: the legend, one line.
        points: (marker, points) groups, drawn last so that they stay visible.
        segments: boundary lines, ((x0, y0), (x1, y1)) each.
        arrows: weight arrows (start, end), drawn in braille.
        trail: a path drawn as a dotted line.
        shade: a grid of points drawn first, dim, to tint a region (the side where a = 1).
        guides: earlier boundaries, drawn dotted and dim under the current ones.
        vectors: arrows with their own look: (start, end, marker, colour).
        xlabel, ylabel: the axis names ("x1", "x2"; "h1", "h2" for a hidden layer's plane).
    """

    title: str = ""
    points: list[tuple[str, list[tuple[float, float]]]] = field(default_factory=list)
    segments: list[tuple[tuple[float, float], tuple[float, float]]] = field(default_factory=list)
    arrows: list[tuple[tuple[float, float], tuple[float, float]]] = field(default_factory=list)
    trail: list[tuple[float, float]] = field(default_factory=list)
    shade: list[tuple[float, float]] = field(default_factory=list)
    guides: list[tuple[tuple[float, float], tuple[float, float]]] = field(default_factory=list)
    vectors: list[tuple[tuple[float, float], tuple[float, float], str, str]] = field(default_factory=list)
    xlabel: str = "x1"
    ylabel: str = "x2"

    def add_points(self, marker: str, points: Iterable[Sequence[float]]) -> None:
        """A group of points drawn with one marker character."""
        group = [(float(p[0]), float(p[1])) for p in points]
        if group:
            self.points.append((marker, group))


def equal_aspect_limits(
    box: tuple[float, float, float, float], columns: int, rows: int
) -> tuple[float, float, float, float]:
    """Limits containing `box` with equal scale on both axes for a plot of columns x rows cells."""
    xmin, xmax, ymin, ymax = box
    # The plot frame, tick labels and title take about 9 columns and 4 rows.
    cols, lines = max(columns - 9, 4), max(rows - 4, 2)
    width, height = xmax - xmin, ymax - ymin
    # Units per physical length must match: width / cols == height / (lines * CELL_ASPECT).
    if width / cols < height / (lines * CELL_ASPECT):
        width = height * cols / (lines * CELL_ASPECT)
    else:
        height = width * lines * CELL_ASPECT / cols
    xc, yc = (xmin + xmax) / 2, (ymin + ymax) / 2
    return xc - width / 2, xc + width / 2, yc - height / 2, yc + height / 2


def visible_box(plot: Plot, box: tuple[float, float, float, float] = DEFAULT_BOX) -> tuple[float, float, float, float]:
    """The equal-scale limits for `box` in this plot's current size (box itself before layout)."""
    if plot.size.width <= 0 or plot.size.height <= 0:
        return box
    return equal_aspect_limits(box, plot.size.width, plot.size.height)


def shade_grid(
    limits: tuple[float, float, float, float], inside, columns: int = 16, rows: int = 8
) -> list[tuple[float, float]]:
    """A coarse grid of points within `limits` for which `inside(x, y)` is true (for `shade`)."""
    xmin, xmax, ymin, ymax = limits
    points = []
    for i in range(columns):
        x = xmin + (i + 0.5) * (xmax - xmin) / columns
        for j in range(rows):
            y = ymin + (j + 0.5) * (ymax - ymin) / rows
            if inside(x, y):
                points.append((x, y))
    return points


def draw_plane(plot: Plot, drawing: PlaneDrawing, limits: tuple[float, float, float, float]) -> None:
    """Replace the plot's content with `drawing`: lines first, so points on a line stay visible."""
    plot.clear()
    plot.set_title(drawing.title)
    plot.set_xlim(limits[0], limits[1])
    plot.set_ylim(limits[2], limits[3])
    plot.set_labels(drawing.xlabel, drawing.ylabel)
    if drawing.shade:
        plot.add_scatter(None, [p[0] for p in drawing.shade], [p[1] for p in drawing.shade], marker="·", color="gray")
    for start, end in drawing.guides:
        plot.add_segment(None, start, end, marker="·", color="gray")
    if len(drawing.trail) > 1:
        plot.add_line(None, [p[0] for p in drawing.trail], [p[1] for p in drawing.trail], marker="·")
    for start, end in drawing.segments:
        plot.add_segment(None, start, end)
    for start, end in drawing.arrows:
        plot.add_vector(None, end, origin=start, marker="braille")
    for start, end, marker, color in drawing.vectors:
        plot.add_vector(None, end, origin=start, marker=marker, color=color)
    for marker, group in drawing.points:
        plot.add_scatter(None, [p[0] for p in group], [p[1] for p in group], marker=marker)
