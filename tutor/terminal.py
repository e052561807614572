"""What the terminal can show, decided from the environment the way Textual and Rich decide it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping


def color_system(env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The colour system a terminal with this environment gets, and why.

    Returns (system, reason) with system one of "truecolor", "256", "standard" (16 colours) or
    "none" (NO_COLOR or a dumb terminal).
    """
    env = os.environ if env is None else env
    forced = env.get("TEXTUAL_COLOR_SYSTEM", "").strip().lower()
    if forced in ("truecolor", "256", "standard"):
        return forced, f"TEXTUAL_COLOR_SYSTEM={forced}"
    if env.get("NO_COLOR", "") != "":
        return "none", "NO_COLOR is set"
    colorterm = env.get("COLORTERM", "").strip().lower()
    if colorterm in ("truecolor", "24bit"):
        return "truecolor", f"COLORTERM={colorterm}"
    term = env.get("TERM", "").strip().lower()
    if term in ("", "dumb", "unknown"):
        return "none", f"TERM={term or 'unset'}"
    if term.endswith("256color") or term.endswith("256"):
        hint = " (COLORTERM unset: over SSH, send it with SendEnv or set TEXTUAL_COLOR_SYSTEM=truecolor)"
        return "256", f"TERM={term}{hint}"
    return "standard", f"TERM={term} gives 16 colours; try TERM=xterm-256color"


def terminal_size() -> tuple[int, int, bool]:
    """(columns, lines, is_a_terminal) of standard output."""
    try:
        size = os.get_terminal_size()
        return size.columns, size.lines, True
    except OSError:
        size = shutil.get_terminal_size()
        return size.columns, size.lines, False


#: Set to 1 by `--low-bandwidth`; read by the app, the scenes and the widgets.
LOW_BANDWIDTH_ENV = "DL_TUTOR_LOW_BANDWIDTH"


def low_bandwidth(env: Mapping[str, str] | None = None) -> bool:
    """Whether the low-bandwidth mode is on (`--low-bandwidth` or DL_TUTOR_LOW_BANDWIDTH=1)."""
    env = os.environ if env is None else env
    return env.get(LOW_BANDWIDTH_ENV, "").strip().lower() in ("1", "true", "yes", "on")
