"""The bridge to the libraries: each exercise written with Keras and with PyTorch.

The texts are package data, one Markdown file per exercise (`bridges/EXERCISE-ID.md`): a
Keras listing, a PyTorch listing and the correspondences with the learner's own functions.
They are read, never run: no library is needed to show them. `dl-tutor exercises bridge ID`
prints one; the exercise panel's "Keras / PyTorch" button opens it in a scrollable view.
Pure Python: loading one imports nothing heavy.
"""

from __future__ import annotations

from pathlib import Path

from tutor.exercises.catalogue import Exercise

__all__ = ["BRIDGES_DIR", "CODE_WIDTH", "bridge_path", "bridge_text", "plain_text"]

#: Where the texts live (package data).
BRIDGES_DIR = Path(__file__).resolve().parent / "bridges"
#: The widest code line a text may have: the view fits an 80-column terminal.
CODE_WIDTH = 64


def bridge_path(exercise: Exercise) -> Path:
    """The Markdown file of `exercise`'s bridge."""
    return BRIDGES_DIR / f"{exercise.id}.md"


def bridge_text(exercise: Exercise) -> str:
    """The Markdown text of `exercise`'s bridge ("" when it has none)."""
    try:
        return bridge_path(exercise).read_text(encoding="utf-8")
    except OSError:
        return ""


def plain_text(markdown: str) -> str:
    """The text for a terminal without Markdown rendering: the fences' ``` lines dropped and
    code indented by four spaces, so the listings stand out from the prose around them."""
    lines: list[str] = []
    in_code = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            in_code = not in_code
            continue
        lines.append(f"    {line}" if in_code and line else line)
    return "\n".join(lines).rstrip() + "\n"
