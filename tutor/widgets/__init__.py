"""Reusable widgets: plots, half-block images, transport controls and question cards.

Import a widget from its own module (`from tutor.widgets.plot import Plot`): importing this
package imports none of them. The names below still resolve here, each on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "GraphView": "tutor.widgets.graph_view",
    "HalfBlockImage": "tutor.widgets.image",
    "Plot": "tutor.widgets.plot",
    "QuestionCard": "tutor.widgets.question_card",
    "Transport": "tutor.widgets.transport",
}

__all__ = ["GraphView", "HalfBlockImage", "Plot", "QuestionCard", "Transport"]


def __getattr__(name: str) -> Any:
    """Import `name` from its module on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
