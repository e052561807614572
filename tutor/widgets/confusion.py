"""Confusion matrix: a 10x10 table of counts, row = true digit, column = what the network said.

All drawing lives in the pure function :func:`render_confusion` (and :func:`confusion_summary`
for the lines under it), so a test can check the numbers without an app; :class:`ConfusionMatrix`
is a thin widget around them that picks the layout for its width.

Two layouts, chosen by :func:`confusion_layout`:

* ``full`` (wide stages): every count, the diagonal (the right answers) in brackets ``[971]``,
  and each row's share right on the end.
* ``compact`` (36 cells, the 80x24 stage): the diagonal is drawn as ``■`` and its count moves
  to a column on the end headed ``■``; off-diagonal counts of 100 or more show as ``++``.

A data set with named classes (Fashion-MNIST: "T-shirt/top", ..., "Ankle boot") labels each row
with its number and name (cut to the width there is), the columns keep the numbers, and the
summary names the mix-ups ("Shirt→T-shirt/top"); digits are drawn as before.

Zeros are drawn as ``·`` so the few mistakes stand out. Colour (green diagonal, red mistakes)
only repeats what the brackets and numbers already say, so ``NO_COLOR`` loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual.app import RenderResult
from textual.reactive import reactive
from textual.widget import Widget

__all__ = [
    "ConfusionMatrix",
    "Confusion",
    "class_label",
    "confusion_layout",
    "full_width",
    "confusion_summary",
    "render_confusion",
    "top_confusions",
]

#: Marks a cell of the diagonal in the compact layout.
DIAGONAL_MARK = "■"
#: Drawn for a zero count.
ZERO_MARK = "·"
#: Drawn in the compact layout for an off-diagonal count of 100 or more.
MANY_MARK = "++"

#: Width of the compact layout: label, 10 cells of 3, and the column of right answers.
COMPACT_WIDTH = 1 + 10 * 3 + 5


@dataclass(frozen=True)
class Confusion:
    """One off-diagonal cell: `count` images of digit `true` that the network called `said`."""

    true: int
    said: int
    count: int


def _as_matrix(matrix: np.ndarray) -> np.ndarray:
    """The counts as a square int64 array (K, K); ValueError otherwise."""
    counts = np.asarray(matrix)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] == 0:
        raise ValueError(f"a confusion matrix must be square (K, K); got shape {counts.shape}")
    return counts.astype(np.int64)


def full_width(matrix: np.ndarray) -> int:
    """Cells the full layout needs for `matrix` (K, K)."""
    counts = _as_matrix(matrix)
    cell = len(str(int(counts.max(initial=0)))) + 2
    return 2 + counts.shape[0] * cell + 7


def confusion_layout(matrix: np.ndarray, width: int) -> str:
    """``"full"`` when every count fits in `width` cells, else ``"compact"``."""
    return "full" if width >= full_width(matrix) else "compact"


def named(class_names: tuple[str, ...] | list[str] | None, classes: int) -> tuple[str, ...] | None:
    """`class_names` when they name `classes` classes by more than their numbers, else None
    (digits: the numbers say it all)."""
    if not class_names or len(class_names) != classes:
        return None
    names = tuple(str(name) for name in class_names)
    return None if names == tuple(str(k) for k in range(classes)) else names


def class_label(k: int, class_names: tuple[str, ...] | list[str] | None = None) -> str:
    """Class `k` as a learner reads it: its name when the data set has names, else the number."""
    if class_names and 0 <= k < len(class_names):
        return str(class_names[k])
    return str(k)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def _row_labels(counts: np.ndarray, width: int, names: tuple[str, ...] | None) -> tuple[list[str], str]:
    """Each row's label (its number, and its name where the width allows) and the layout."""
    classes = counts.shape[0]
    numbers = [str(k) for k in range(classes)]
    if names is None:
        return numbers, confusion_layout(counts, width)
    longest = max(len(name) for name in names)
    for layout, base in (("full", full_width(counts)), ("compact", COMPACT_WIDTH)):
        room = min(longest, width - base - 1)  # the row label grows by a space and the name
        if room >= 4:
            return [f"{k} {_cut(name, room):<{room}}" for k, name in enumerate(names)], layout
    return numbers, confusion_layout(counts, width)


def render_confusion(matrix: np.ndarray, width: int = 80, color: bool = True,
                     class_names: tuple[str, ...] | list[str] | None = None) -> Text:
    """The confusion matrix (K, K) as text: a header of predicted classes, one row per true class.

    Args:
        matrix: counts, row = true class, column = predicted class, shape ``(K, K)``.
        width: cells available; decides between the full and the compact layout.
        color: add colour (green diagonal, red mistakes) on top of the characters.
        class_names: the K classes' names (e.g. Fashion-MNIST's); rows then show number and
            name where the width allows. Digits ("0".."9") or None: numbers only.

    Returns:
        Rich text of ``K + 2`` lines: header, K rows, and a one-line legend.
    """
    counts = _as_matrix(matrix)
    classes = counts.shape[0]
    names = named(class_names, classes)
    labels, layout = _row_labels(counts, width, names)
    pad = " " * (len(labels[0]) - 1)
    what = "digit" if names is None else "class"
    text = Text(no_wrap=True, overflow="crop")
    biggest_error = int((counts - np.diag(np.diag(counts))).max(initial=0))

    def error_style(value: int) -> str:
        if not color or value == 0:
            return "dim" if value == 0 else ""
        return "bold red" if value * 2 >= max(biggest_error, 1) else "red"

    right_style = "bold green" if color else "bold"
    if layout == "full":
        cell = len(str(int(counts.max(initial=0)))) + 2
        text.append("  " + pad + "".join(f"{k:>{cell - 1}} " for k in range(classes)), style="bold")
        text.append("  right\n", style="bold")
        for row in range(classes):
            text.append(f"{labels[row]} ", style="bold")
            for col in range(classes):
                value = int(counts[row, col])
                if row == col:
                    text.append(f"[{value}]".rjust(cell), style=right_style)
                else:
                    shown = ZERO_MARK if value == 0 else str(value)
                    text.append(shown.rjust(cell - 1) + " ", style=error_style(value))
            total = int(counts[row].sum())
            share = f"{100 * counts[row, row] / total:.1f}%" if total else "-"
            text.append(f" {share:>6}\n")
        text.append(f"rows: true {what} · columns: what it said · [n] right")
        return text
    text.append(" " + pad + "".join(f"{k:>3}" for k in range(classes)), style="bold")
    text.append(f"{DIAGONAL_MARK:>5}\n", style="bold")
    for row in range(classes):
        text.append(f"{labels[row]}", style="bold")
        for col in range(classes):
            value = int(counts[row, col])
            if row == col:
                text.append(f"{DIAGONAL_MARK:>3}", style=right_style)
            else:
                shown = ZERO_MARK if value == 0 else (MANY_MARK if value >= 100 else str(value))
                text.append(f"{shown:>3}", style=error_style(value))
        text.append(f"{int(counts[row, row]):>5}\n", style=right_style)
    legend = f"rows true · columns said · {DIAGONAL_MARK} right"
    if biggest_error >= 100:
        legend += f" · {MANY_MARK} 100+"
    text.append(legend)
    return text


def top_confusions(matrix: np.ndarray, count: int = 3) -> tuple[Confusion, ...]:
    """The `count` largest off-diagonal cells, largest first (ties: lower true, then said)."""
    counts = _as_matrix(matrix)
    cells = [
        Confusion(true=row, said=col, count=int(counts[row, col]))
        for row in range(counts.shape[0])
        for col in range(counts.shape[1])
        if row != col and counts[row, col] > 0
    ]
    cells.sort(key=lambda c: (-c.count, c.true, c.said))
    return tuple(cells[:count])


def confusion_summary(matrix: np.ndarray, class_names: tuple[str, ...] | list[str] | None = None) -> str:
    """Two lines under the matrix: right out of total, and the most frequent mix-ups (by name
    when `class_names` name the classes: "Shirt→T-shirt/top (120)")."""
    counts = _as_matrix(matrix)
    names = named(class_names, counts.shape[0])
    total = int(counts.sum())
    right = int(np.trace(counts))
    share = f"{100 * right / total:.2f}%" if total else "-"
    items = "digits" if names is None else "images"
    first = f"{right:,} of {total:,} test {items} right ({share}), {total - right:,} wrong"
    mixups = top_confusions(counts)
    if not mixups:
        return first + "."
    second = "most mixed up: " + ", ".join(
        f"{class_label(c.true, names)}→{class_label(c.said, names)} ({c.count})" for c in mixups
    )
    return first + "\n" + second


class ConfusionMatrix(Widget):
    """Shows a confusion matrix; set `matrix` (K, K) to update it. Reports nothing."""

    DEFAULT_CSS = """
    ConfusionMatrix {
        width: 1fr;
        height: auto;
        text-wrap: nowrap;
        text-overflow: clip;
    }
    """

    matrix: reactive[np.ndarray | None] = reactive(None, layout=True, always_update=True)
    """Counts (K, K), row = true class, column = predicted class; None shows nothing."""

    class_names: reactive[tuple[str, ...]] = reactive((), layout=True)
    """The classes' names (empty or digits: rows show numbers only)."""

    def get_content_height(self, container, viewport, width: int) -> int:  # type: ignore[override]
        """One header line, one line per class and the legend."""
        return 0 if self.matrix is None else int(np.asarray(self.matrix).shape[0]) + 2

    def render(self) -> RenderResult:
        """The matrix in the layout that fits the widget's width."""
        if self.matrix is None:
            return Text("")
        color = not getattr(self.app, "no_color", False)
        return render_confusion(self.matrix, width=self.size.width or 80, color=color,
                                class_names=self.class_names or None)
