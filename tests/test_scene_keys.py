"""Every registered scene binds the keys of the vocabulary (`tutor/scenes/keys.py`) only for
their one meaning, and leaves the lesson screen's keys to the screen."""

from __future__ import annotations

import pytest

from tutor.scenes.keys import SCREEN_KEYS, VOCABULARY, help_table
from tutor.scenes.registry import SCENES, load_scene_class

MEANINGS = {key: entry for entry in VOCABULARY for key in entry.keys}
#: A live scene may bind `space` itself, to what the screen's `space` does (start / stop).
SAME_AS_SCREEN = {"space": {"start"}}


def _bindings(cls: type) -> list[tuple[str, str]]:
    """(key, action name without arguments) for every binding of `cls` and its bases."""
    found = []
    for klass in reversed(cls.__mro__):
        for binding in klass.__dict__.get("BINDINGS", ()):
            action = binding.action.split("(")[0]
            found += [(key.strip(), action) for key in binding.key.split(",")]
    return found


@pytest.mark.parametrize("scene", sorted(SCENES))
def test_scene_keys_follow_the_vocabulary(scene: str) -> None:
    for key, action in _bindings(load_scene_class(scene)):
        if key in SCREEN_KEYS:
            assert action in SAME_AS_SCREEN.get(key, ()), f"{scene}: {key!r} belongs to the lesson screen"
        elif key in MEANINGS:
            assert action in MEANINGS[key].actions, f"{scene}: {key!r} -> {action}, not {MEANINGS[key].meaning!r}"


def test_help_shows_the_vocabulary() -> None:
    from tutor.screens.help import KEYS_HELP

    assert help_table() in KEYS_HELP
    assert all(entry.shown in KEYS_HELP for entry in VOCABULARY)
