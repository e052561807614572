"""The DigitCanvas widget: pure rendering, keyboard painting, mouse strokes and its messages."""

from __future__ import annotations

import numpy as np
import pytest
from textual.app import App, ComposeResult

from tutor.widgets.digit_canvas import CURSOR_COLOURS, DigitCanvas, render_canvas


class CanvasApp(App):
    """One canvas, focused, recording every message it posts."""

    def __init__(self, canvas: DigitCanvas) -> None:
        super().__init__()
        self.canvas = canvas
        self.changes: list[np.ndarray] = []
        self.pens: list[str] = []

    def compose(self) -> ComposeResult:
        yield self.canvas

    def on_mount(self) -> None:
        self.canvas.focus()

    def on_digit_canvas_changed(self, message: DigitCanvas.Changed) -> None:
        assert message.control is self.canvas
        self.changes.append(message.pixels)

    def on_digit_canvas_pen_changed(self, message: DigitCanvas.PenChanged) -> None:
        self.pens.append(message.pen)


# --- pure rendering -------------------------------------------------------------------------------


def test_render_canvas_is_28_by_14_cells() -> None:
    strips = render_canvas(np.zeros((28, 28)))
    assert len(strips) == 14 and all(s.cell_length == 28 for s in strips)
    assert {seg.text for s in strips for seg in s} == {"▀" * len(seg.text) for s in strips for seg in s}


def test_render_canvas_marks_the_cursor_in_the_pens_colour() -> None:
    pixels = np.zeros((28, 28))
    for pen, colour in CURSOR_COLOURS.items():
        upper = render_canvas(pixels, cursor=(6, 9), pen=pen)[3]  # pixel row 6 = upper half of line 3
        cell = upper.crop(9, 10)
        style = next(iter(cell)).style
        assert style.color.triplet == colour.rich_color.triplet
        lower = render_canvas(pixels, cursor=(7, 9), pen=pen)[3].crop(9, 10)
        assert next(iter(lower)).style.bgcolor.triplet == colour.rich_color.triplet
    # Paper is dark grey, not black, so the canvas stands out; full ink is white.
    ink = pixels.copy()
    ink[0, 0] = 1.0
    first = next(iter(render_canvas(ink)[0].crop(0, 1))).style
    assert first.color.triplet == (255, 255, 255)
    assert 0 < first.bgcolor.triplet.red < 60


def test_render_canvas_without_colour_uses_characters() -> None:
    pixels = np.zeros((28, 28))
    pixels[0:2, 0:4] = 1.0
    strips = render_canvas(pixels, cursor=(10, 10), mode="shade")
    assert strips[0].text.startswith("████")
    cursor_cell = next(iter(strips[5].crop(10, 11)))
    assert cursor_cell.style.reverse  # the cursor is visible without colour
    assert not any(seg.style and seg.style.color for s in strips for seg in s if seg.text.strip())


# --- keyboard -------------------------------------------------------------------------------------


async def test_keyboard_painting_erasing_and_clearing() -> None:
    canvas = DigitCanvas(radius=0.5)
    app = CanvasApp(canvas)
    async with app.run_test(size=(40, 20)) as pilot:
        await pilot.pause()
        assert canvas.cursor == (14, 14) and canvas.pen == "up"
        await pilot.press("up", "up", "left")
        assert canvas.cursor == (12, 13)
        assert not canvas.pixels.any() and app.changes == []  # moving with the pen up paints nothing
        await pilot.press("space")
        assert canvas.pen == "draw" and app.pens[-1] == "draw"
        assert canvas.pixels[12, 13] == 1.0
        await pilot.press("right", "right", "right")
        await pilot.pause()
        assert (canvas.pixels[12, 13:17] == 1.0).all()
        assert canvas.pixels.sum() == pytest.approx(4.0)  # radius 0.5: one pixel per step
        assert np.array_equal(app.changes[-1], canvas.pixels)
        await pilot.press("space", "down", "down")
        assert canvas.pen == "up" and canvas.pixels.sum() == pytest.approx(4.0)
        # The eraser: x puts it down at the cursor, moving erases along the way.
        await pilot.press("up", "up", "x", "left")
        assert canvas.pen == "erase"
        assert canvas.pixels[12, 16] == 0.0 and canvas.pixels[12, 15] == 0.0
        assert canvas.pixels[12, 13] == 1.0
        await pilot.press("x")
        assert canvas.pen == "up"
        await pilot.press("c")
        await pilot.pause()
        assert not canvas.pixels.any() and not app.changes[-1].any()


async def test_cursor_stays_on_the_canvas() -> None:
    canvas = DigitCanvas()
    app = CanvasApp(canvas)
    async with app.run_test(size=(40, 20)) as pilot:
        await pilot.press("up", "left")
        start = canvas.cursor
        canvas.cursor = (1, 1)  # a step from the corner: the keys below walk past it
        await pilot.press("up", "up", "left", "left")
        assert canvas.cursor == (0, 0)
        canvas.cursor = (26, 26)
        await pilot.press("down", "down", "right", "right")
        assert canvas.cursor == (27, 27)
        assert start != (0, 0)  # the arrows moved a cursor that started inside


async def test_changed_carries_a_copy() -> None:
    canvas = DigitCanvas()
    app = CanvasApp(canvas)
    async with app.run_test(size=(40, 20)) as pilot:
        await pilot.press("space")
        await pilot.pause()
        sent = app.changes[-1]
        sent[:] = 0.5
        assert canvas.pixels[0, 0] == 0.0  # the widget's drawing is not the message's array
        copy = canvas.pixels
        copy[:] = 1.0
        assert canvas.pixels[0, 0] == 0.0


async def test_load_and_clear() -> None:
    canvas = DigitCanvas()
    app = CanvasApp(canvas)
    async with app.run_test(size=(40, 20)) as pilot:
        image = np.zeros((28, 28), dtype=np.uint8)
        image[5:9, 5:9] = 255
        image[20, 20] = 51
        canvas.load(image)
        await pilot.pause()
        assert canvas.pixels[6, 6] == 1.0 and canvas.pixels[20, 20] == pytest.approx(0.2)
        assert np.array_equal(app.changes[-1], canvas.pixels)
        with pytest.raises(ValueError, match="28, 28"):
            canvas.load(np.zeros((20, 20)))
        canvas.clear()
        await pilot.pause()
        assert not canvas.pixels.any() and not app.changes[-1].any()


# --- mouse ----------------------------------------------------------------------------------------


async def test_mouse_drag_paints_a_stroke() -> None:
    canvas = DigitCanvas(radius=1.0)
    app = CanvasApp(canvas)
    async with app.run_test(size=(40, 20)) as pilot:
        await pilot.pause()
        left = canvas.styles.gutter.left  # the border column before pixel 0
        # Cell (x, y) holds pixels (2y, x) and (2y + 1, x).
        await pilot.mouse_down(canvas, offset=(left + 4, 3))
        assert canvas.pixels[6, 4] > 0.9 and canvas.pixels[7, 4] > 0.9
        await pilot.hover(canvas, offset=(left + 12, 3))
        await pilot.hover(canvas, offset=(left + 12, 8))
        await pilot.mouse_up(canvas, offset=(left + 12, 8))
        await pilot.pause()
        pixels = canvas.pixels
        assert (pixels[6, 4:13] > 0.9).all()  # the gap between the two reports is filled
        assert (pixels[7:17, 12] > 0.9).all()
        assert pixels[0:4].sum() == 0 and pixels[:, 20:].sum() == 0
        assert canvas.cursor == (16, 12)  # the upper pixel of the cell
        before = canvas.pixels
        await pilot.hover(canvas, offset=(left + 20, 12))  # button up: moving paints nothing
        assert np.array_equal(canvas.pixels, before)
        assert np.array_equal(app.changes[-1], before)


async def test_right_button_erases() -> None:
    canvas = DigitCanvas(np.ones((28, 28)), radius=1.0)
    app = CanvasApp(canvas)
    async with app.run_test(size=(40, 20)) as pilot:
        left = canvas.styles.gutter.left
        await pilot.mouse_down(canvas, offset=(left + 10, 5), button=3)
        await pilot.mouse_up(canvas, offset=(left + 10, 5))
        assert canvas.pixels[10, 10] == 0.0 and canvas.pixels[11, 10] == 0.0
        assert canvas.pixels[0, 0] == 1.0


async def test_exact_pointer_positions_pick_the_half_cell() -> None:
    canvas = DigitCanvas()
    app = CanvasApp(canvas)
    async with app.run_test(size=(40, 20)):
        left = canvas.styles.gutter.left

        class Event:
            pointer_x = left + 3.5
            pointer_y = 2.25  # upper half of cell row 2: pixel row 4

        assert canvas.pixel_at(Event()) == pytest.approx((4.0, 3.0))
        Event.pointer_y = 2.75  # lower half: pixel row 5
        assert canvas.pixel_at(Event()) == pytest.approx((5.0, 3.0))
