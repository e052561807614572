"""TooSmallScreen: covers everything while the terminal is below the minimum size (the guard
`cover_while_too_small` puts it up and takes it away)."""

from __future__ import annotations

from textual.app import App, ComposeResult
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


def cover_while_too_small(app: App) -> None:
    """Cover `app` with one TooSmallScreen while its terminal is below MIN_WIDTH x MIN_HEIGHT,
    and take every cover away once it is not (the app calls this when a burst of resizes settles)."""
    width, height = app.size
    small = width < MIN_WIDTH or height < MIN_HEIGHT
    covers = [screen for screen in app.screen_stack if isinstance(screen, TooSmallScreen)]
    if small and not covers:
        app.push_screen(TooSmallScreen())
    elif not small and covers:
        for cover in covers:
            if cover is app.screen:
                app.pop_screen()
            else:  # something opened above the cover (help): take the cover out from under it
                app._screen_stack.remove(cover)
