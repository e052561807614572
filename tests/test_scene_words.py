"""The words the scenes put next to an engine's records: one line for everything they can show.

The engines return verdicts and names, never sentences; these tests check that every name an
engine can produce has its line in the scene that shows it.
"""

from __future__ import annotations

import math

from tutor.engines.activations import FUNCTIONS
from tutor.engines.conv import KERNELS
from tutor.engines.descent_verdict import RateVerdict, RunKind, RunVerdict
from tutor.engines.surfaces import SURFACES
from tutor.scenes.activations import NOTES, available_activations
from tutor.scenes.conv_slide import KERNEL_NOTES
from tutor.scenes.descent_2d import SURFACE_TITLES
from tutor.scenes.descent_words import RATE_WORDS, run_words


def _one_line(text: str) -> bool:
    return bool(text) and "\n" not in text


def test_every_kernel_has_a_note() -> None:
    assert set(KERNELS) | {"custom"} <= set(KERNEL_NOTES)
    assert all(_one_line(note) for note in KERNEL_NOTES.values())


def test_every_activation_shown_has_a_note() -> None:
    assert set(FUNCTIONS) <= set(NOTES)
    assert set(available_activations()) <= set(NOTES)
    assert all(_one_line(note) for note in NOTES.values())


def test_every_rate_verdict_has_words() -> None:
    assert set(RATE_WORDS) == set(RateVerdict)
    assert RATE_WORDS[RateVerdict.FINE] == ""
    assert all(_one_line(RATE_WORDS[v]) for v in RateVerdict if v is not RateVerdict.FINE)


def test_every_run_kind_has_one_line() -> None:
    for kind in RunKind:
        for fell in (True, False):
            verdict = RunVerdict(kind, 0.1, 7, 2.0, 1.0 if fell else 3.0, blew_up=not fell)
            text = run_words(verdict)
            assert _one_line(text) and "nan" not in text, (kind, text)
    empty = RunVerdict(RunKind.STALLED, 0.1, 0, math.nan, math.nan, False)
    assert run_words(empty) == "No steps were taken."


def test_every_surface_has_a_title() -> None:
    assert set(SURFACES) <= set(SURFACE_TITLES)
    assert all(_one_line(title) for title in SURFACE_TITLES.values())
