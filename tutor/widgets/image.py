"""Half-block image and matrix widget: digits, kernels, feature maps and weight tables.

A 2-D array ``(H, W)`` is drawn with the upper-half block "▀": the foreground colour is the
upper pixel and the background colour the lower one, so one terminal cell shows 1x2 pixels and a
28x28 digit takes 28 columns by 14 rows. Where real colours are missing (16-colour terminals,
``NO_COLOR``) the same 1x2-pixel footprint is drawn with the shading characters " ░▒▓█", so the
layout never changes with the terminal. Small matrices can be printed as numbers instead.

All drawing lives in the pure function :func:`render_rows`, which a test can call without an app;
:class:`HalfBlockImage` is a thin widget around it.

Colour rule (``mode="auto"``), decided by :func:`resolve_mode`:

* ``app.no_color`` is true (the ``NO_COLOR`` environment variable is set): ``"shade"``.
* ``app.console.color_system`` is ``"truecolor"`` or ``"256"``: ``"blocks"``.
* anything else (``"standard"`` 16 colours, ``"windows"``, ``None``): ``"shade"``.

Textual's console picks its colour system from ``TEXTUAL_COLOR_SYSTEM`` when set, otherwise
from ``COLORTERM``/``TERM`` (``xterm-256color`` gives 256, ``COLORTERM=truecolor`` gives
truecolor, plain ``xterm``/``screen``/``linux`` give 16). Set ``mode`` explicitly to override.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal, Optional, Sequence, Tuple

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from tutor.terminal import low_bandwidth
from tutor.text import format_number

Palette = Literal["grey", "diverging"]
"""Colour map names: ``grey`` black→white, ``diverging`` blue→white→red centred on 0."""

Mode = Literal["auto", "blocks", "shade", "numbers"]
"""Drawing modes; ``auto`` resolves to ``blocks`` or ``shade`` by the terminal's colours."""

Rect = Tuple[int, int, int, int]
"""A pixel rectangle ``(row, col, height, width)``."""

LEVELS = 33
"""Number of quantised colour levels per palette; index ``LEVELS`` means NaN.

Odd on purpose: the middle of the range (0 in the diverging palette) and every multiple of 1/32
of it fall on the centre of a level, never on the edge between two. Values computed to be 0 or
a simple fraction (a filter whose weights cancel, a map on a blank background) come out a last
bit above or below it depending on the BLAS build's summation order; centred, they keep one
colour on every machine, so a picture (and a snapshot of it) does not change with NumPy."""

LOW_BANDWIDTH_LEVELS = 9
"""Distinct levels drawn in ``--low-bandwidth`` mode (spread over the same palette); odd for
the same reason as :data:`LEVELS`, and each one is a level of the full palette."""

NAN_LEVEL = LEVELS
"""Quantised index that marks a NaN pixel."""

NO_PIXEL = -1
"""Quantised index for a missing lower pixel (odd image height)."""

SHADES = " ░▒▓█"
"""Shading characters from empty to full, used by ``shade`` mode for magnitudes."""

NEGATIVE_SHADES = " ·-=≡"
"""Characters for negative magnitudes in the diverging palette's ``shade`` mode."""

NAN_CHAR = "?"
"""Character drawn for a NaN cell in ``shade`` mode."""

HIGHLIGHT_TINT = Color(255, 190, 0)
"""Colour blended into highlighted pixels in ``blocks`` and coloured ``numbers`` mode."""

_HIGHLIGHT_AMOUNT = 0.45
_NAN_COLOURS = {"grey": Color(224, 64, 224), "diverging": Color(48, 176, 48)}
_DIVERGING_STOPS = (Color(33, 102, 172), Color(247, 247, 247), Color(178, 24, 43))


def _palette_colour(palette: str, t: float) -> Color:
    """Return the palette colour for a normalised position ``t`` in [0, 1]."""
    if palette == "grey":
        v = int(round(255 * t))
        return Color(v, v, v)
    if palette == "diverging":
        low, mid, high = _DIVERGING_STOPS
        return low.blend(mid, t * 2) if t <= 0.5 else mid.blend(high, (t - 0.5) * 2)
    raise ValueError(f"unknown palette {palette!r}; expected 'grey' or 'diverging'")


@lru_cache(maxsize=None)
def palette_colours(palette: str, highlighted: bool = False) -> tuple[Color, ...]:
    """The ``LEVELS + 1`` precomputed colours of a palette; the last one is the NaN colour.

    Args:
        palette: ``"grey"`` or ``"diverging"``.
        highlighted: Return the colours tinted with :data:`HIGHLIGHT_TINT`.

    Returns:
        A tuple of ``LEVELS + 1`` colours indexed by quantised level.
    """
    colours = [_palette_colour(palette, i / (LEVELS - 1)) for i in range(LEVELS)]
    colours.append(_NAN_COLOURS[palette])
    if highlighted:
        colours = [c.blend(HIGHLIGHT_TINT, _HIGHLIGHT_AMOUNT) for c in colours]
    return tuple(colours)


@lru_cache(maxsize=8192)
def _pair_style(palette: str, top: int, bottom: int, top_hl: bool, bottom_hl: bool) -> Style:
    """Cached style of one "▀" cell: fg = upper pixel level, bg = lower pixel level."""
    fg = palette_colours(palette, top_hl)[top].rich_color
    bg = None if bottom == NO_PIXEL else palette_colours(palette, bottom_hl)[bottom].rich_color
    return Style(color=fg, bgcolor=bg)


@lru_cache(maxsize=256)
def _shade_style(kind: str, highlighted: bool) -> Style:
    """Cached style of a ``shade`` cell; ``kind`` is ``plain``, ``pos``, ``neg`` or ``nan``."""
    colour = {"plain": None, "pos": "red", "neg": "blue", "nan": "magenta"}[kind]
    return Style(color=colour, reverse=highlighted or None, bold=highlighted or None)


@lru_cache(maxsize=256)
def _number_style(palette: str, level: int, highlighted: bool, color: bool) -> Style:
    """Cached style of a ``numbers`` cell, coloured by level when ``color`` is true."""
    if not color:
        return Style(reverse=highlighted or None, bold=highlighted or None)
    bg = palette_colours(palette, highlighted)[level]
    fg = Color(0, 0, 0) if bg.brightness > 0.5 else Color(255, 255, 255)
    return Style(color=fg.rich_color, bgcolor=bg.rich_color, bold=highlighted or None)


def resolve_mode(mode: str, *, color_system: str | None, no_color: bool) -> str:
    """Turn ``mode`` into a concrete drawing mode.

    Args:
        mode: ``"auto"``, ``"blocks"``, ``"shade"`` or ``"numbers"``.
        color_system: Rich colour system of the app's console (``"truecolor"``, ``"256"``,
            ``"standard"``, ``"windows"`` or ``None``).
        no_color: Whether ``NO_COLOR`` is in effect.

    Returns:
        ``"blocks"``, ``"shade"`` or ``"numbers"``; ``auto`` gives blocks only with real colours.
    """
    if mode != "auto":
        return mode
    return "blocks" if has_real_colours(color_system, no_color) else "shade"


def has_real_colours(color_system: str | None, no_color: bool) -> bool:
    """Whether greys survive: truecolor or 256 colours, and no ``NO_COLOR``."""
    return not no_color and color_system in ("truecolor", "256")


def value_range(
    data: np.ndarray, vmin: float | None, vmax: float | None, palette: str
) -> tuple[float, float]:
    """The ``(low, high)`` range that maps onto the palette.

    Args:
        data: Pixel values, shape ``(H, W)``.
        vmin: Fixed lower bound, or ``None`` to take the finite minimum of ``data``.
        vmax: Fixed upper bound, or ``None`` to take the finite maximum of ``data``.
        palette: ``"diverging"`` makes the range symmetric about 0.

    Returns:
        ``(low, high)`` with ``high > low``; a constant image gets ``value ± 0.5``.
    """
    finite = data[np.isfinite(data)]
    lo = float(vmin) if vmin is not None else (float(finite.min()) if finite.size else 0.0)
    hi = float(vmax) if vmax is not None else (float(finite.max()) if finite.size else 1.0)
    if palette == "diverging":
        m = max(abs(lo), abs(hi))
        lo, hi = (-m, m) if m > 0 else (-1.0, 1.0)
    if not hi > lo:
        lo, hi = lo - 0.5, lo + 0.5
    return lo, hi


def quantise(data: np.ndarray, low: float, high: float) -> np.ndarray:
    """Map values to palette levels.

    Args:
        data: Pixel values, shape ``(H, W)``.
        low: Value drawn with level 0.
        high: Value drawn with level ``LEVELS - 1``.

    Returns:
        Integer levels, shape ``(H, W)``; NaN pixels get :data:`NAN_LEVEL`, values outside the
        range are clipped, +inf/-inf go to the ends.
    """
    with np.errstate(invalid="ignore", over="ignore"):
        t = (data - low) / (high - low)
    t = np.clip(np.nan_to_num(t, nan=0.0, posinf=1.0, neginf=0.0), 0.0, 1.0)
    if low_bandwidth():
        # Fewer distinct greys: neighbouring cells share colours, so fewer escape codes are sent.
        t = np.rint(t * (LOW_BANDWIDTH_LEVELS - 1)) / (LOW_BANDWIDTH_LEVELS - 1)
    levels = np.rint(t * (LEVELS - 1)).astype(np.intp)
    levels[np.isnan(data)] = NAN_LEVEL
    return levels


def _as_matrix(data: np.ndarray | None) -> np.ndarray:
    """Return ``data`` as a float64 array of shape ``(H, W)`` (1-D becomes one row)."""
    if data is None:
        return np.zeros((0, 0))
    array = np.asarray(data, dtype=np.float64)
    if array.ndim == 1:
        array = array[np.newaxis, :]
    if array.ndim != 2:
        raise ValueError(f"an image must be 2-D (H, W); got shape {array.shape}")
    return array


def _highlight_mask(shape: tuple[int, int], highlight: Rect | None, scale: int) -> np.ndarray:
    """Boolean mask, shape ``(H * scale, W * scale)``, true inside the highlight rectangle."""
    mask = np.zeros((shape[0] * scale, shape[1] * scale), dtype=bool)
    if highlight is not None:
        row, col, height, width = (int(v) for v in highlight)
        r0, c0 = max(row, 0) * scale, max(col, 0) * scale
        r1, c1 = max(row + height, 0) * scale, max(col + width, 0) * scale
        mask[r0:r1, c0:c1] = True
    return mask


def format_numbers(data: np.ndarray) -> tuple[list[list[str]], int]:
    """Format every value of a small matrix compactly, such as "0.5", "-1", "255" or "nan".

    Args:
        data: Values, shape ``(H, W)``.

    Returns:
        The strings, as ``H`` rows of ``W``, and the width of the widest one.
    """
    finite = np.abs(data[np.isfinite(data)])
    biggest = float(finite.max()) if finite.size else 0.0
    decimals = 0 if biggest >= 100 else 1 if biggest >= 10 else 2

    rows = [[format_number(float(v), decimals) for v in row] for row in data]
    width = max((len(s) for row in rows for s in row), default=1)
    return rows, width


def render_rows(
    data: np.ndarray | None,
    vmin: float | None = None,
    vmax: float | None = None,
    palette: str = "grey",
    mode: str = "blocks",
    scale: int = 1,
    highlight: Rect | None = None,
    color: bool = True,
) -> list[Strip]:
    """Draw an image or matrix as terminal lines. Pure: no app needed.

    Args:
        data: Pixel values, shape ``(H, W)`` (a 1-D ``(W,)`` array is one row), or ``None``.
        vmin: Value drawn darkest (grey) / most negative (diverging); ``None`` = from data.
        vmax: Value drawn brightest / most positive; ``None`` = from data.
        palette: ``"grey"`` or ``"diverging"`` (symmetric range about 0).
        mode: ``"blocks"`` (1x2 pixels per cell, colour), ``"shade"`` (1x2 pixels per cell,
            " ░▒▓█" characters, negatives as " ·-=≡"), or ``"numbers"`` (one value per cell
            of fixed width). ``"auto"`` is not accepted here: see :func:`resolve_mode`.
        scale: Each pixel repeated ``scale`` times across and down (ignored by ``numbers``).
        highlight: Pixel rectangle ``(row, col, height, width)`` to emphasise (tinted in
            blocks mode, reversed in shade and numbers mode), or ``None``.
        color: Whether ``numbers`` mode may colour cell backgrounds.

    Returns:
        One :class:`Strip` per terminal row, all of the same cell length; empty for no data.
    """
    if mode not in ("blocks", "shade", "numbers"):
        raise ValueError(f"unknown mode {mode!r}; expected 'blocks', 'shade' or 'numbers'")
    if palette not in ("grey", "diverging"):
        raise ValueError(f"unknown palette {palette!r}; expected 'grey' or 'diverging'")
    matrix = _as_matrix(data)
    if matrix.size == 0:
        return []
    low, high = value_range(matrix, vmin, vmax, palette)
    if mode == "numbers":
        return _render_numbers(matrix, low, high, palette, highlight, color)
    scale = max(1, int(scale))
    mask = _highlight_mask(matrix.shape, highlight, scale)
    if scale > 1:
        matrix = np.repeat(np.repeat(matrix, scale, axis=0), scale, axis=1)
    levels = quantise(matrix, low, high)
    if mode == "blocks":
        return _render_blocks(levels, mask, palette)
    return _render_shade(levels, mask, palette)


def _render_blocks(levels: np.ndarray, mask: np.ndarray, palette: str) -> list[Strip]:
    """Half-block rows from quantised ``levels`` and highlight ``mask``, both ``(H, W)``."""
    height, width = levels.shape
    strips = []
    for y in range(0, height, 2):
        top, top_hl = levels[y].tolist(), mask[y].tolist()
        if y + 1 < height:
            bottom, bottom_hl = levels[y + 1].tolist(), mask[y + 1].tolist()
        else:
            bottom, bottom_hl = [NO_PIXEL] * width, [False] * width
        segments = [
            Segment("▀", _pair_style(palette, t, b, th, bh))
            for t, b, th, bh in zip(top, bottom, top_hl, bottom_hl)
        ]
        strips.append(Strip(segments, width).simplify())
    return strips


def _render_shade(levels: np.ndarray, mask: np.ndarray, palette: str) -> list[Strip]:
    """Shading-character rows from quantised ``levels`` and ``mask``, both ``(H, W)``.

    Each cell covers two pixel rows, like blocks mode. In the grey palette a cell whose upper
    pixel is bright and lower dark (or the reverse) is drawn "▀" (or "▄"); otherwise the
    mean of the two is drawn as one of " ░▒▓█". In the diverging palette positive means use
    " ░▒▓█" (red) and negative means " ·-=≡" (blue), so the sign never depends on colour.
    """
    height, width = levels.shape
    top_steps = len(SHADES) - 1
    strips = []
    for y in range(0, height, 2):
        pair = levels[y : y + 2]
        hl = mask[y : y + 2].any(axis=0).tolist()
        is_nan = (pair == NAN_LEVEL).any(axis=0).tolist()
        t = pair / (LEVELS - 1)  # (1 or 2, W) in [0, 1]
        segments = []
        for x in range(width):
            if is_nan[x]:
                segments.append(Segment(NAN_CHAR, _shade_style("nan", hl[x])))
                continue
            if palette == "grey":
                a = t[0, x]
                b = t[1, x] if len(pair) > 1 else 0.0
                if a >= 0.6 and b <= 0.25:
                    char = "▀"
                elif b >= 0.6 and a <= 0.25:
                    char = "▄"
                else:
                    char = SHADES[int(round((a + b) / 2 * top_steps))]
                segments.append(Segment(char, _shade_style("plain", hl[x])))
            else:
                signed = float(t[:, x].mean()) * 2 - 1  # [-1, 1]
                step = int(round(abs(signed) * top_steps))
                if signed >= 0:
                    segments.append(Segment(SHADES[step], _shade_style("pos", hl[x])))
                else:
                    segments.append(Segment(NEGATIVE_SHADES[step], _shade_style("neg", hl[x])))
        strips.append(Strip(segments, width).simplify())
    return strips


def _render_numbers(
    matrix: np.ndarray,
    low: float,
    high: float,
    palette: str,
    highlight: Rect | None,
    color: bool,
) -> list[Strip]:
    """Rows of right-aligned numbers, one cell of fixed width per value of ``matrix`` (H, W)."""
    texts, width = format_numbers(matrix)
    cell = width + 1
    levels = quantise(matrix, low, high)
    mask = _highlight_mask(matrix.shape, highlight, 1)
    strips = []
    for y, row in enumerate(texts):
        segments = [
            Segment(
                text.rjust(cell),
                _number_style(palette, int(levels[y, x]), bool(mask[y, x]), color),
            )
            for x, text in enumerate(row)
        ]
        strips.append(Strip(segments, cell * len(row)).simplify())
    return strips


class GreyModes:
    """For widgets that draw greys: `color_capable` from the app's terminal, and `mode` with
    "auto" resolved to "blocks" (real greys) or "shade" (characters, for 16 colours/NO_COLOR)."""

    mode: str

    @property
    def color_capable(self) -> bool:
        """Whether the app shows real greys (truecolor or 256 colours and no ``NO_COLOR``)."""
        try:
            app = self.app  # type: ignore[attr-defined]
        except Exception:  # not attached to an app: assume a modern terminal
            return True
        return has_real_colours(app.console.color_system, app.no_color)

    @property
    def effective_mode(self) -> str:
        """The concrete mode in use: ``mode`` with ``"auto"`` resolved."""
        if self.mode != "auto":
            return self.mode
        return "blocks" if self.color_capable else "shade"


class HalfBlockImage(GreyModes, Widget):
    """Shows a 2-D NumPy array ``(H, W)`` as a half-block image, shaded text, or numbers.

    The widget sizes itself to the image with ``width: auto; height: auto``. Set the
    attributes to update it; it reports nothing.
    """

    DEFAULT_CSS = """
    HalfBlockImage {
        width: auto;
        height: auto;
    }
    """

    data: reactive[Optional[np.ndarray]] = reactive(None, layout=True, always_update=True)
    """Pixel values, shape ``(H, W)`` (``(W,)`` is one row), as float; ``None`` shows nothing."""

    vmin: reactive[Optional[float]] = reactive(None)
    """Value drawn darkest / most negative; ``None`` takes the minimum of ``data``."""

    vmax: reactive[Optional[float]] = reactive(None)
    """Value drawn brightest / most positive; ``None`` takes the maximum of ``data``."""

    palette: reactive[str] = reactive("grey")
    """``"grey"`` (black→white) or ``"diverging"`` (blue→white→red, symmetric about 0)."""

    mode: reactive[str] = reactive("auto", layout=True)
    """``"auto"``, ``"blocks"``, ``"shade"`` or ``"numbers"``; auto follows the terminal's colours."""

    scale: reactive[int] = reactive(1, layout=True)
    """Each pixel is repeated ``scale`` times across and down (``>= 1``); ignored by numbers."""

    highlight: reactive[Optional[Rect]] = reactive(None)
    """Pixel rectangle ``(row, col, height, width)`` to emphasise, or ``None``."""

    def __init__(
        self,
        data: np.ndarray | None = None,
        *,
        vmin: float | None = None,
        vmax: float | None = None,
        palette: str = "grey",
        mode: str = "auto",
        scale: int = 1,
        highlight: Rect | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """Create an image widget.

        Args:
            data: Pixel values, shape ``(H, W)``, or ``None``.
            vmin: Lower end of the colour range, or ``None`` for the data minimum.
            vmax: Upper end of the colour range, or ``None`` for the data maximum.
            palette: ``"grey"`` or ``"diverging"``.
            mode: ``"auto"``, ``"blocks"``, ``"shade"`` or ``"numbers"``.
            scale: Pixel repeat factor, ``>= 1``.
            highlight: ``(row, col, height, width)`` pixel rectangle to emphasise, or ``None``.
            name: The name of the widget.
            id: The ID of the widget in the DOM.
            classes: The CSS classes of the widget.
            disabled: Whether the widget is disabled.
        """
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._strips: list[Strip] | None = None
        self.set_reactive(HalfBlockImage.data, self.validate_data(data))
        self.set_reactive(HalfBlockImage.vmin, vmin)
        self.set_reactive(HalfBlockImage.vmax, vmax)
        self.set_reactive(HalfBlockImage.palette, self.validate_palette(palette))
        self.set_reactive(HalfBlockImage.mode, self.validate_mode(mode))
        self.set_reactive(HalfBlockImage.scale, self.validate_scale(scale))
        self.set_reactive(HalfBlockImage.highlight, highlight)

    def validate_data(self, data: np.ndarray | None) -> np.ndarray | None:
        """Copy ``data`` to a float64 ``(H, W)`` array; raise ValueError for 3-D or more."""
        return None if data is None else _as_matrix(data).copy()

    def validate_palette(self, palette: str) -> str:
        """Reject unknown palette names."""
        if palette not in ("grey", "diverging"):
            raise ValueError(f"unknown palette {palette!r}; expected 'grey' or 'diverging'")
        return palette

    def validate_mode(self, mode: str) -> str:
        """Reject unknown mode names."""
        if mode not in ("auto", "blocks", "shade", "numbers"):
            raise ValueError(
                f"unknown mode {mode!r}; expected 'auto', 'blocks', 'shade' or 'numbers'"
            )
        return mode

    def validate_scale(self, scale: int) -> int:
        """Clamp ``scale`` to at least 1."""
        return max(1, int(scale))

    def validate_highlight(self, highlight: Sequence[int] | None) -> Rect | None:
        """Store the highlight as a tuple of four ints, or ``None``."""
        if highlight is None:
            return None
        row, col, height, width = (int(v) for v in highlight)
        return (row, col, height, width)

    def _invalidate(self) -> None:
        """Drop the cached lines and repaint."""
        self._strips = None
        self.refresh()

    def watch_data(self) -> None:
        """Redraw when the data changes."""
        self._invalidate()

    def watch_vmin(self) -> None:
        """Redraw when the range changes."""
        self._invalidate()

    def watch_vmax(self) -> None:
        """Redraw when the range changes."""
        self._invalidate()

    def watch_palette(self) -> None:
        """Redraw when the palette changes."""
        self._invalidate()

    def watch_mode(self) -> None:
        """Redraw when the mode changes."""
        self._invalidate()

    def watch_scale(self) -> None:
        """Redraw when the scale changes."""
        self._invalidate()

    def watch_highlight(self) -> None:
        """Redraw when the highlight moves."""
        self._invalidate()

    @property
    def lines(self) -> list[Strip]:
        """The rendered lines (cached until an attribute changes)."""
        if self._strips is None:
            self._strips = render_rows(
                self.data,
                self.vmin,
                self.vmax,
                self.palette,
                self.effective_mode,
                self.scale,
                self.highlight,
                color=self.color_capable,
            )
        return self._strips

    def get_content_width(self, container: Size, viewport: Size) -> int:
        """Width of the drawn image in cells."""
        lines = self.lines
        return lines[0].cell_length if lines else 0

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """Height of the drawn image in rows."""
        return len(self.lines)

    def render_line(self, y: int) -> Strip:
        """Return row ``y`` of the image, or a blank line below it."""
        lines = self.lines
        if 0 <= y < len(lines):
            return lines[y]
        return Strip.blank(self.size.width)
