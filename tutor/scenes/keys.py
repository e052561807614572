"""The key vocabulary of the scenes: keys that mean the same thing in every scene that uses them.

The lesson screen maps the transport keys onto every scene (`space . , r end + -`, and
`← → n p` change the step), so no scene binds those. Beyond them, a scene binds a key of this
table only for the meaning given here (`tests/test_scene_keys.py` checks every registered
scene's bindings against it); any other letter is the scene's own, named in its footer and its
help. The help screen (`?`) and CONTRIBUTING ("Adding a scene") show this table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyMeaning:
    """One entry of the vocabulary.

    Attributes:
        keys: Textual key names ("left_square_bracket").
        shown: the keys as the help writes them ("[ / ]").
        meaning: what they do, in every scene that binds them.
        actions: the scene actions (names without arguments) that may be bound to them.
    """

    keys: tuple[str, ...]
    shown: str
    meaning: str
    actions: frozenset[str]


VOCABULARY: tuple[KeyMeaning, ...] = (
    KeyMeaning(("up", "down"), "`↑` / `↓`",
               "pick the value that `[` `]` change (in the kernel grid: the row)",
               frozenset({"pick", "move_cursor"})),
    KeyMeaning(("left_square_bracket", "right_square_bracket", "less_than_sign", "greater_than_sign"),
               "`[` / `]` (or `<` / `>`)",
               "the picked value one step down / up: a weight, the learning rate, the batch size, "
               "the digit shown",
               frozenset({"nudge", "preset", "rate", "batch", "jump", "digit"})),
    KeyMeaning(("left_curly_bracket", "right_curly_bracket"), "`{` / `}`",
               "a second value one step down / up: the learning rate beside the batch size, "
               "the probe's x, the window's row",
               frozenset({"rate", "probe", "jump_row"})),
    KeyMeaning(("0",), "`0`", "the picked value to zero", frozenset({"zero"})),
    KeyMeaning(("v",), "`v`", "the next view of the same thing", frozenset({"next_view", "toggle_view", "axis", "next_mode"})),
    KeyMeaning(("m",), "`m`", "the next model or method: the network, max or average pooling, "
               "preprocessing on or off", frozenset({"next_model", "switch_source", "toggle_kind", "toggle_preprocess"})),
    KeyMeaning(("x",), "`x`", "a new random start (the next seed)", frozenset({"new_start", "next_seed"})),
    KeyMeaning(("s",), "`s`", "stop the live work (training), keeping what it did", frozenset({"stop"})),
)

#: Keys the lesson screen owns on every step; a scene never binds them.
SCREEN_KEYS: frozenset[str] = frozenset({
    "space", "full_stop", "comma", "r", "plus", "equals_sign", "minus", "underscore",
    "left", "right", "n", "p", "h", "question_mark", "escape", "ctrl+o", "q",
    "ctrl+g", "ctrl+e", "ctrl+k",  # the exercise step: start, edit, check
})


def help_table() -> str:
    """The vocabulary as a Markdown table (for the help screen)."""
    rows = ["| key | in every scene that uses it |", "|---|---|"]
    rows += [f"| {entry.shown} | {entry.meaning} |" for entry in VOCABULARY]
    return "\n".join(rows)
