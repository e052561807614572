"""Transport bar: one line that shows an animation's state and turns clicks into actions.

The bar shows play/pause, the step position, the speed and a key legend::

     ▶  step 3/12   - 1x +   space play · . step · , back · r reset · +/- speed

It owns no timer and changes no state itself: a click posts :class:`Transport.Pressed` with an
action name, and the parent (the lesson screen) maps both keys and clicks onto the scene, then
sets ``playing``, ``position``, ``total`` and ``speed`` back on the bar.

The layout is computed by the pure function :func:`layout_transport`, which returns the text
pieces with the action each one triggers; the widget renders those pieces and finds the piece
under the mouse. The legend shrinks, then disappears, to fit the widget's own width.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Optional

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import RenderResult
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

ACTIONS = ("toggle", "forward", "back", "reset", "faster", "slower")
"""Every action a :class:`Transport.Pressed` message can carry."""

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
"""Suggested speed steps for the parent's faster/slower handling (see :func:`next_speed`)."""

FULL_LEGEND: tuple[tuple[str, str], ...] = (
    ("space play", "toggle"),
    (". step", "forward"),
    (", back", "back"),
    ("r reset", "reset"),
    ("+/- speed", ""),
)
"""Legend pieces and the action a click on each triggers ("" = none)."""

SHORT_LEGEND: tuple[tuple[str, str], ...] = (
    ("spc play", "toggle"),
    (". step", "forward"),
    (", back", "back"),
    ("r reset", "reset"),
)
"""The legend used when the full one does not fit."""


@dataclass(frozen=True)
class Piece:
    """One span of the bar.

    Attributes:
        text: What is shown.
        action: Action posted when the span is clicked, or ``""`` for none.
        role: Styling role: ``"state"``, ``"button"``, ``"info"``, ``"key"`` or ``"sep"``.
    """

    text: str
    action: str = ""
    role: str = "info"


def format_speed(speed: float) -> str:
    """Show a speed factor compactly: ``1x``, ``0.25x``, ``8x``."""
    return f"{speed:g}x"


def next_speed(speed: float, faster: bool) -> float:
    """The next speed step in :data:`SPEEDS` above (``faster``) or below the given speed.

    Args:
        speed: The current speed factor.
        faster: Go up if true, down if false.

    Returns:
        The neighbouring step, clamped to the ends of :data:`SPEEDS`.
    """
    if faster:
        return next((s for s in SPEEDS if s > speed + 1e-9), SPEEDS[-1])
    return next((s for s in reversed(SPEEDS) if s < speed - 1e-9), SPEEDS[0])


def layout_transport(
    playing: bool,
    position: int,
    total: int | None,
    speed: float,
    width: int,
    ascii_only: bool = False,
    held: bool = False,
) -> list[Piece]:
    """Lay the bar out for a given width. Pure: no app needed.

    Args:
        playing: Whether the animation runs (shows "▶"; paused shows "‖").
        position: Step number shown, as given.
        total: Number of steps, or ``None`` when unknown (shows "step 3").
        speed: Speed factor.
        width: Cells available.
        ascii_only: Use ">" and "||" instead of "▶" and "‖".
        held: The scene holds its answers back: the counts are "?" (a frame count can be the
            answer, e.g. how many window positions fit).

    Returns:
        The pieces in order; their total length never exceeds ``width`` unless even the core
        (state, position, speed) is wider, in which case the core is returned alone.
    """
    play, pause = (">", "||") if ascii_only else ("▶", "‖")
    step = f"step {position}/{total}" if total is not None else f"step {position}"
    if held:
        step = "step ?"
    core = [
        Piece(f" {play if playing else pause} ", "toggle", "state"),
        Piece(" "),
        Piece(step, "", "info"),
        Piece("  "),
        Piece("-", "slower", "button"),
        Piece(f" {format_speed(speed)} ", "", "info"),
        Piece("+", "faster", "button"),
    ]
    used = sum(len(p.text) for p in core)
    for legend in (FULL_LEGEND, SHORT_LEGEND if not ascii_only else ()):
        if not legend:
            continue
        pieces = [Piece("   ")]
        for index, (text, action) in enumerate(legend):
            if index:
                pieces.append(Piece(" · " if not ascii_only else " | ", "", "sep"))
            pieces.append(Piece(text, action, "key"))
        if used + sum(len(p.text) for p in pieces) <= width:
            return core + pieces
    return core


def action_at(pieces: list[Piece], x: int) -> str:
    """The action of the piece covering column ``x``, or ``""``."""
    start = 0
    for piece in pieces:
        end = start + len(piece.text)
        if start <= x < end:
            return piece.action
        start = end
    return ""


class Transport(Widget):
    """A one-line bar of animation controls: play/pause, step position, speed, key legend.

    Clicks post :class:`Transport.Pressed`; the bar never changes its own state.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "transport--state",
        "transport--button",
        "transport--key",
        "transport--sep",
    }
    """
    | Class | Description |
    | :- | :- |
    | `transport--state` | The play/pause symbol. |
    | `transport--button` | The clickable "-" and "+" speed buttons. |
    | `transport--key` | The key legend entries. |
    | `transport--sep` | Separators between legend entries. |
    """

    DEFAULT_CSS = """
    Transport {
        height: 1;
        width: 1fr;
    }
    Transport > .transport--state {
        text-style: bold reverse;
    }
    Transport > .transport--button {
        text-style: bold;
    }
    Transport > .transport--key {
        text-style: none;
    }
    Transport > .transport--sep {
        text-style: dim;
    }
    """

    playing: reactive[bool] = reactive(False)
    """Whether the animation is running (▶) or paused (‖)."""

    position: reactive[int] = reactive(0)
    """Step number shown as "step position/total", exactly as given (the scene picks 0- or 1-based)."""

    total: reactive[Optional[int]] = reactive(None)
    """Number of steps, or ``None`` when unknown or endless (shows "step 3")."""

    speed: reactive[float] = reactive(1.0)
    """Speed factor shown as "1x", "0.25x", ... (the parent owns the actual timing)."""

    ascii_only: reactive[bool] = reactive(False)
    held: reactive[bool] = reactive(False)
    """The scene on the stage holds its answers back: the step counts show as "?"."""
    """Draw ">" and "||" instead of "▶" and "‖" for terminals or fonts without them."""

    class Pressed(Message):
        """A part of the bar was clicked."""

        def __init__(self, transport: "Transport", action: str) -> None:
            """Create the message.

            Args:
                transport: The bar that was clicked.
                action: One of :data:`ACTIONS`.
            """
            super().__init__()
            self.transport = transport
            """The bar that was clicked."""
            self.action = action
            """``"toggle"``, ``"forward"``, ``"back"``, ``"reset"``, ``"faster"`` or ``"slower"``."""

        @property
        def control(self) -> "Transport":
            """The bar that was clicked (for ``@on(Transport.Pressed, "#id")``)."""
            return self.transport

    def __init__(
        self,
        *,
        playing: bool = False,
        position: int = 0,
        total: int | None = None,
        speed: float = 1.0,
        ascii_only: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """Create a transport bar.

        Args:
            playing: Initial play state.
            position: Initial step number.
            total: Number of steps, or ``None``.
            speed: Initial speed factor.
            ascii_only: Use ASCII play/pause symbols.
            name: The name of the widget.
            id: The ID of the widget in the DOM.
            classes: The CSS classes of the widget.
            disabled: Whether the widget is disabled.
        """
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.set_reactive(Transport.playing, playing)
        self.set_reactive(Transport.position, position)
        self.set_reactive(Transport.total, total)
        self.set_reactive(Transport.speed, speed)
        self.set_reactive(Transport.ascii_only, ascii_only)

    @property
    def pieces(self) -> list[Piece]:
        """The current layout for the widget's content width."""
        return layout_transport(
            self.playing,
            self.position,
            self.total,
            self.speed,
            self.content_size.width or 80,
            self.ascii_only,
            self.held,
        )

    def render(self) -> RenderResult:
        """Draw the pieces, styled by their role."""
        styles: dict[str, Style] = {
            role: self.get_component_rich_style(f"transport--{role}", partial=True)
            for role in ("state", "button", "key", "sep")
        }
        text = Text(no_wrap=True, overflow="crop", end="")
        for piece in self.pieces:
            text.append(piece.text, styles.get(piece.role, Style()))
        return text

    def on_click(self, event: events.Click) -> None:
        """Post :class:`Transport.Pressed` for the clicked piece, if it has an action."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        action = action_at(self.pieces, offset.x)
        if action:
            event.stop()
            self.post_message(self.Pressed(self, action))
