"""TooSmallScreen: covers everything while the terminal is below the minimum size."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

MIN_WIDTH = 80
MIN_HEIGHT = 24


class TooSmallScreen(Screen):
    """One clear message until the terminal is at least MIN_WIDTH x MIN_HEIGHT."""

    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; }
    TooSmallScreen > Static { width: 100%; height: auto; content-align: center middle; text-align: center; }
    """

    BINDINGS = [Binding("q", "app.quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static(id="too-small")

    def on_mount(self) -> None:
        self.update_message()

    def on_resize(self) -> None:
        self.update_message()

    def update_message(self) -> None:
        """Show the current and the needed size."""
        width, height = self.app.size
        self.query_one(Static).update(
            f"The terminal is {width}x{height}; dl-tutor needs at least {MIN_WIDTH}x{MIN_HEIGHT}.\n"
            "Enlarge the window or zoom out, and the lesson comes back. q quits."
        )
