"""How numbers read in dl-tutor's text: one rule per kind of value (here: durations).

Pure standard library, so the CLI's fast path and every scene may import it.
"""

from __future__ import annotations

import math

__all__ = ["format_seconds"]


def format_seconds(seconds: float) -> str:
    """m:ss for an ETA or a duration ("-:--" when unknown)."""
    if not math.isfinite(seconds):
        return "-:--"
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"
