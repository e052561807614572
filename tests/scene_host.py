"""Shared test helpers for scenes: a tiny app hosting one scene, and the text a Static shows."""

from __future__ import annotations

import io

from rich.console import Console
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll


class SceneHost(App):
    """Hosts one scene in a scrolling holder and focuses it, as the lesson screen does."""

    def __init__(self, scene) -> None:
        super().__init__()
        self.scene = scene

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield self.scene

    def on_mount(self) -> None:
        self.scene.focus()


def shown_text(widget) -> str:
    """The plain text a Static shows, whether it holds text or a Rich renderable (tables)."""
    content = widget.content
    if isinstance(content, str):
        return content
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()
