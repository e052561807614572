"""KeyFooter: Textual's Footer, rebuilt only when the keys it shows change.

Textual's `Footer` recomposes (removes and mounts a widget per key) on every change of a screen's
bindings: every focus change, every `refresh_bindings`, each one queued separately. Opening a
lesson did that about nine times, and every step change five times, for the same keys; each
new key then restyled itself twice on mount (its `compact` reactive starts True and is bound to
the footer's False), about 130 style updates before the lesson's first screen.
`benchmarks/ui_latency.py` measures what that cost.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.screen import Screen


class KeyFooter(Footer):
    """A `Footer` that looks and behaves the same, but recomposes at most once per burst of
    binding changes, and only when what it would show (keys, descriptions, enabled states,
    tooltips) differs from what it shows."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple | None = None
        """What the keys on display were composed from (`_keys_signature`)."""
        self._recompose_pending = False
        self._held = 0
        """Depth of `held()` blocks: while above 0, changes wait for the end of the outermost."""

    @contextmanager
    def held(self) -> Iterator[None]:
        """Show no change of keys until the block ends: a screen replacing its widgets moves the
        focus through passing states (the prose while the old scene goes, then the new scene)
        that a learner never needs to see in the footer."""
        self._held += 1
        try:
            yield
        finally:
            # Released once the focus asked for in the block has moved (`Widget.focus` moves it
            # from the app's queue), in the footer's own message loop (it recomposes in it).
            self.app.call_later(self.call_later, self._release)

    def _release(self) -> None:
        """The end of a `held()` block, after the focus it set has moved."""
        self._held -= 1
        if not self._held and self.is_attached:
            self.bindings_changed(self.screen)

    def _keys_signature(self) -> tuple:
        """Everything of the screen's active bindings that `Footer.compose` reads."""
        shown = tuple(
            (binding.key, binding.action, binding.description, binding.key_display, binding.group,
             binding.tooltip, enabled, tooltip)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show or binding.key == self.app.COMMAND_PALETTE_BINDING
        )
        return shown, self.show_command_palette, self.app.ENABLE_COMMAND_PALETTE

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self._keys_signature()
        compact = self.compact
        for widget in super().compose():
            if isinstance(widget, FooterKey) and "compact" in (widget._reactive_connect or {}):
                # Born in the style it is about to be bound to: no restyle on mount (the command
                # palette's key is not bound, and keeps its own).
                widget.set_reactive(FooterKey.compact, compact)
                widget.set_class(compact, "-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self._held:
            return  # held(): checked once the block ends
        if self.is_attached and screen is self.screen and not self._recompose_pending:
            self._recompose_pending = True
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        """Recompose, unless the keys on display are those the screen has now."""
        self._recompose_pending = False
        if not self.is_attached or self._keys_signature() == self._shown:
            return
        await self.recompose()
