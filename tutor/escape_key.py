"""Escape answered in tens of milliseconds, not a tenth of a second or two, in a terminal.

A terminal sends the escape key as one ESC byte, and an arrow key as ESC followed by more bytes
(`ESC [ A`). Textual's input thread tells them apart by waiting `ESCDELAY` (100 ms) for more
bytes, but it only looks at the clock when its poll of the terminal returns, and that poll waits
up to 0.1 s: a lone escape (the key that leaves help, the report and the lesson) reached the app
100 to 200 ms after it was pressed, more than any other key (`benchmarks/ui_latency.py`).

`install()` makes that poll return every `POLL_SECONDS` and, unless the learner set `ESCDELAY`
(milliseconds, as curses reads it), waits `ESCAPE_MS` for the rest of a sequence. A terminal
writes a key's bytes at once, so they arrive together even over SSH; a link that splits them
can set `ESCDELAY=100` (Textual's own wait) or more. Textual's web driver is not touched.
"""

from __future__ import annotations

import os
import selectors
from typing import Any

#: How long the input thread's poll of the terminal waits at most (Textual: 0.1 s).
POLL_SECONDS = 0.02
#: How long a lone ESC waits for the rest of a sequence unless $ESCDELAY says (Textual: 100 ms).
ESCAPE_MS = 30


class _ShortPolls(selectors.SelectSelector):
    """Textual's selector, whose waits are capped at `POLL_SECONDS`."""

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        return super().select(POLL_SECONDS if timeout is None else min(timeout, POLL_SECONDS))


class _Selectors:
    """What Textual's Linux driver reads of the `selectors` module, with `_ShortPolls`."""

    SelectSelector = _ShortPolls
    EVENT_READ = selectors.EVENT_READ
    SelectorKey = selectors.SelectorKey


def install(environ: Any = os.environ) -> bool:
    """Shorten the escape key's wait for this process's terminal app; whether it could (a
    Textual without the Linux driver's poll, or a platform without it, is left as it is)."""
    try:
        from textual import constants
        from textual.drivers import linux_driver
    except ImportError:
        return False
    if getattr(linux_driver, "selectors", None) is not selectors:
        return getattr(linux_driver, "selectors", None) is _Selectors
    linux_driver.selectors = _Selectors  # type: ignore[assignment]
    if not str(environ.get("ESCDELAY", "")).strip():
        constants.ESCAPE_DELAY = ESCAPE_MS / 1000.0  # type: ignore[misc]
    return True
