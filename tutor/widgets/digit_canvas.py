"""A 28x28 grey drawing canvas for handwritten digits, painted with the mouse or the keyboard.

The canvas is drawn like :class:`~tutor.widgets.image.HalfBlockImage`: one terminal cell shows
two pixels stacked ("▀", upper pixel in the foreground colour, lower in the background), so 28x28
pixels take 28 columns by 14 rows and look square. Without real colours (``NO_COLOR``, 16-colour
terminals) the same footprint is drawn with the shading characters " ░▒▓█", and the cursor is
shown in reverse video, so nothing depends on colour.

Painting:

* Mouse: hold the left button and drag to draw, the right button to erase. The widget captures
  the mouse while a button is down, so a stroke may leave the canvas and come back. A terminal
  reports whole cells, each two pixels high; a stroke goes through the middle of the cell
  (terminals that report exact pointer positions give the exact pixel).
* Keyboard (for terminals without a mouse): the arrow keys move a cursor one pixel; ``space``
  puts the pen down (draw) or lifts it, ``x`` puts the eraser down or lifts it; while the pen or
  eraser is down every move paints or erases along the way. ``c`` clears the canvas. These keys
  work only while the canvas has focus; ``n``/``p`` and the transport keys stay with the screen.

The pen is a soft round dot (:func:`tutor.engines.preprocess.brush`), so strokes have
anti-aliased edges like MNIST's digits. After every change the widget posts
:class:`DigitCanvas.Changed` with a copy of the pixels ("attributes down, messages up").
"""

from __future__ import annotations

import math
from typing import ClassVar, Literal

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from tutor.engines.preprocess import as_unit_float, brush, brush_line
from tutor.widgets.image import GreyModes, render_rows

Pen = Literal["up", "draw", "erase"]
"""The keyboard pen: lifted, drawing ink, or erasing."""

PIXELS = 28
"""Side of the canvas in pixels."""

PAPER = 0.12
"""How far below 0 the grey scale starts, so empty paper is drawn dark grey, not black, and the
canvas stands out from the screen. Only the drawing changes: the pixels stay 0."""

CURSOR_COLOURS: dict[str, Color] = {
    "up": Color(255, 170, 0),
    "draw": Color(64, 220, 64),
    "erase": Color(230, 60, 60),
}
"""Colour of the cursor pixel for each pen state (the state is also named in words by scenes)."""


def render_canvas(
    pixels: np.ndarray,
    cursor: tuple[int, int] | None = None,
    pen: str = "up",
    mode: str = "blocks",
) -> list[Strip]:
    """Draw the canvas as 14 terminal lines of 28 cells. Pure: no app needed.

    Args:
        pixels: ``(28, 28)`` values in [0, 1] (any ``(H, W)`` works).
        cursor: ``(row, col)`` pixel to mark, or None for no cursor.
        pen: ``"up"``, ``"draw"`` or ``"erase"``: picks the cursor colour in blocks mode.
        mode: ``"blocks"`` (colour half blocks) or ``"shade"`` (characters; the cursor's cell is
            reversed).

    Returns:
        One :class:`Strip` per pair of pixel rows.
    """
    data = np.asarray(pixels, dtype=np.float64)
    if mode == "shade":
        highlight = None if cursor is None else (cursor[0], cursor[1], 1, 1)
        return render_rows(data, vmin=0.0, vmax=1.0, mode="shade", highlight=highlight)
    strips = render_rows(data, vmin=-PAPER, vmax=1.0, mode="blocks")
    if cursor is None:
        return strips
    row, col = cursor
    line, lower = divmod(int(row), 2)
    if not (0 <= line < len(strips) and 0 <= col < data.shape[1]):
        return strips
    strip = strips[line]
    before, cell, after = strip.crop(0, col), strip.crop(col, col + 1), strip.crop(col + 1)
    style = next(iter(cell), Segment("▀")).style or Style()
    mark = CURSOR_COLOURS.get(pen, CURSOR_COLOURS["up"]).rich_color
    style = style + (Style(bgcolor=mark) if lower else Style(color=mark))
    strips = list(strips)
    strips[line] = Strip.join([before, Strip([Segment("▀", style)], 1), after])
    return strips


class DigitCanvas(GreyModes, Widget, can_focus=True):
    """A 28x28 canvas to draw a digit on, with the mouse or a keyboard cursor.

    Read the drawing from :attr:`pixels`; change it with :meth:`clear` and :meth:`load`. Every
    change posts :class:`DigitCanvas.Changed`.
    """

    DEFAULT_CSS = """
    DigitCanvas {
        width: auto;
        height: auto;
        border-left: outer $panel-lighten-2;
        border-right: outer $panel-lighten-2;
    }
    DigitCanvas:focus {
        border-left: outer $accent;
        border-right: outer $accent;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1, 0)", "Up", show=False),
        Binding("down", "move(1, 0)", "Down", show=False),
        Binding("left", "move(0, -1)", "Left", show=False),
        Binding("right", "move(0, 1)", "Right", show=False),
        Binding("space", "pen('draw')", "Pen"),
        Binding("x", "pen('erase')", "Eraser", show=False),
        Binding("c", "clear", "Clear", show=False),
    ]

    cursor: reactive[tuple[int, int]] = reactive((14, 14))
    """The keyboard cursor, ``(row, col)`` in pixels, each in 0..27."""

    pen: reactive[str] = reactive("up")
    """The keyboard pen: ``"up"`` (moves only), ``"draw"`` or ``"erase"`` (paint while moving)."""

    radius: reactive[float] = reactive(1.4)
    """Pen radius in pixels (the edge fades over one more pixel)."""

    mode: reactive[str] = reactive("auto")
    """``"auto"``, ``"blocks"`` or ``"shade"``; auto follows the terminal's colours."""

    class Changed(Message):
        """The drawing changed (a stroke, the eraser, :meth:`clear` or :meth:`load`)."""

        def __init__(self, canvas: "DigitCanvas", pixels: np.ndarray) -> None:
            """Create the message.

            Args:
                canvas: The canvas that changed.
                pixels: A copy of its pixels, ``(28, 28)`` float64 in [0, 1].
            """
            super().__init__()
            self.canvas = canvas
            """The canvas that changed."""
            self.pixels = pixels
            """A copy of the pixels after the change, ``(28, 28)`` float64 in [0, 1]."""

        @property
        def control(self) -> "DigitCanvas":
            """The canvas (for ``@on(DigitCanvas.Changed, "#id")``)."""
            return self.canvas

        def can_replace(self, message: Message) -> bool:
            """A newer drawing of the same canvas replaces one still waiting in the queue."""
            return isinstance(message, DigitCanvas.Changed) and message.canvas is self.canvas

    class PenChanged(Message):
        """The keyboard pen went up or down (so a parent can say so in words)."""

        def __init__(self, canvas: "DigitCanvas", pen: str) -> None:
            """Create the message with the new pen state ``"up"``, ``"draw"`` or ``"erase"``."""
            super().__init__()
            self.canvas = canvas
            """The canvas whose pen changed."""
            self.pen = pen
            """``"up"``, ``"draw"`` or ``"erase"``."""

        @property
        def control(self) -> "DigitCanvas":
            """The canvas (for ``@on(DigitCanvas.PenChanged, "#id")``)."""
            return self.canvas

    def __init__(
        self,
        image: np.ndarray | None = None,
        *,
        radius: float = 1.4,
        mode: str = "auto",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """Create a canvas.

        Args:
            image: Starting drawing, ``(28, 28)`` uint8 0..255 or float 0..1; None = blank.
            radius: Pen radius in pixels.
            mode: ``"auto"``, ``"blocks"`` or ``"shade"``.
            name: The name of the widget.
            id: The ID of the widget in the DOM.
            classes: The CSS classes of the widget.
            disabled: Whether the widget is disabled.
        """
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._pixels = np.zeros((PIXELS, PIXELS))
        if image is not None:
            self._pixels = self._checked(image)
        self._strips: list[Strip] | None = None
        self._stroke: tuple[float, float] | None = None
        self._erasing_stroke = False
        self.set_reactive(DigitCanvas.radius, float(radius))
        self.set_reactive(DigitCanvas.mode, self.validate_mode(mode))

    # --- reading and writing the drawing --------------------------------------------------------

    @property
    def pixels(self) -> np.ndarray:
        """A copy of the drawing, ``(28, 28)`` float64 in [0, 1] (0 = paper, 1 = full ink)."""
        return self._pixels.copy()

    @staticmethod
    def _checked(image: np.ndarray) -> np.ndarray:
        """`image` as a fresh ``(28, 28)`` float64 array in [0, 1]; ValueError for other shapes."""
        array = np.asarray(image)
        if array.shape != (PIXELS, PIXELS):
            raise ValueError(f"a digit canvas holds (28, 28) pixels; got shape {array.shape}")
        return as_unit_float(array)

    def clear(self) -> None:
        """Erase everything and post :class:`Changed`."""
        self._set_pixels(np.zeros((PIXELS, PIXELS)))

    def load(self, image: np.ndarray) -> None:
        """Replace the drawing with `image` ``(28, 28)`` (uint8 0..255 or float 0..1); post Changed."""
        self._set_pixels(self._checked(image))

    def paint(self, row: float, col: float, *, erase: bool = False) -> None:
        """Paint (or erase) one dot at pixel coordinates ``(row, col)`` and post :class:`Changed`."""
        self._set_pixels(brush(self._pixels, row, col, self.radius, erase=erase))

    def _set_pixels(self, pixels: np.ndarray) -> None:
        """Store a new drawing, repaint, and tell the parent."""
        self._pixels = pixels
        self._invalidate()
        self.post_message(self.Changed(self, self._pixels.copy()))

    # --- drawing ---------------------------------------------------------------------------------

    def _invalidate(self) -> None:
        """Drop the cached lines and repaint."""
        self._strips = None
        self.refresh()

    def watch_cursor(self) -> None:
        """Redraw the cursor."""
        self._invalidate()

    def watch_pen(self, pen: str) -> None:
        """Redraw the cursor in the pen's colour and tell the parent."""
        self._invalidate()
        self.post_message(self.PenChanged(self, pen))

    def watch_mode(self) -> None:
        """Redraw in the new mode."""
        self._invalidate()

    def on_focus(self) -> None:
        """Show the cursor."""
        self._invalidate()

    def on_blur(self) -> None:
        """Hide the cursor."""
        self._invalidate()

    @property
    def lines(self) -> list[Strip]:
        """The rendered lines (cached until the drawing, cursor or mode changes)."""
        if self._strips is None:
            cursor = self.cursor if self.has_focus else None
            self._strips = render_canvas(self._pixels, cursor, self.pen, self.effective_mode)
        return self._strips

    def get_content_width(self, container: Size, viewport: Size) -> int:
        """28 cells."""
        return PIXELS

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """14 rows."""
        return PIXELS // 2

    def render_line(self, y: int) -> Strip:
        """Return line `y` of the canvas."""
        lines = self.lines
        if 0 <= y < len(lines):
            return lines[y]
        return Strip.blank(self.size.width)

    # --- keyboard --------------------------------------------------------------------------------

    def validate_cursor(self, cursor: tuple[int, int]) -> tuple[int, int]:
        """Keep the cursor on the canvas."""
        row, col = cursor
        return (min(max(int(row), 0), PIXELS - 1), min(max(int(col), 0), PIXELS - 1))

    def validate_pen(self, pen: str) -> str:
        """Reject unknown pen states."""
        if pen not in ("up", "draw", "erase"):
            raise ValueError(f"unknown pen {pen!r}; expected 'up', 'draw' or 'erase'")
        return pen

    def validate_mode(self, mode: str) -> str:
        """Reject unknown drawing modes."""
        if mode not in ("auto", "blocks", "shade"):
            raise ValueError(f"unknown mode {mode!r}; expected 'auto', 'blocks' or 'shade'")
        return mode

    def action_move(self, rows: int, cols: int) -> None:
        """Arrow keys: move the cursor one pixel; with the pen down, paint along the way."""
        start = self.cursor
        self.cursor = (start[0] + rows, start[1] + cols)
        if self.pen != "up" and self.cursor != start:
            erase = self.pen == "erase"
            self._set_pixels(brush_line(self._pixels, start, self.cursor, self.radius, erase=erase))

    def action_pen(self, pen: str) -> None:
        """``space`` / ``x``: put the pen (or eraser) down and paint here, or lift it."""
        if self.pen == pen:
            self.pen = "up"
            return
        self.pen = pen
        self.paint(*self.cursor, erase=pen == "erase")

    def action_clear(self) -> None:
        """``c``: clear the canvas."""
        self.clear()

    # --- mouse -----------------------------------------------------------------------------------

    def pixel_at(self, event: events.MouseEvent) -> tuple[float, float]:
        """The pixel coordinates ``(row, col)`` under the mouse (may lie off the canvas).

        A cell holds pixel rows ``2y`` and ``2y + 1``; when the terminal reports whole cells the
        point is the middle of the cell (row ``2y + 0.5``), otherwise the exact pointer position.
        """
        gutter = self.styles.gutter
        x = event.pointer_x - gutter.left
        y = event.pointer_y - gutter.top
        row = 2 * y + 0.5 if float(y).is_integer() else 2 * y - 0.5
        col = x if float(x).is_integer() else x - 0.5
        return row, col

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """Start a stroke: left button draws, right button erases."""
        if event.button not in (1, 3):
            return
        event.stop()
        self.focus()
        self.capture_mouse()
        row, col = self.pixel_at(event)
        self._stroke = (row, col)
        self._erasing_stroke = event.button == 3
        self.cursor = (math.floor(row), math.floor(col))
        self.paint(row, col, erase=self._erasing_stroke)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """Continue a stroke while the button is held."""
        if self._stroke is None:
            return
        event.stop()
        point = self.pixel_at(event)
        pixels = brush_line(self._pixels, self._stroke, point, self.radius, erase=self._erasing_stroke)
        self._stroke = point
        self.cursor = (math.floor(point[0]), math.floor(point[1]))
        self._set_pixels(pixels)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        """End the stroke."""
        if self._stroke is None:
            return
        event.stop()
        self._stroke = None
        self.release_mouse()
