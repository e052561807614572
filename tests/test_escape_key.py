"""The escape key's shorter wait (`tutor.escape_key`): what `install` changes, and, on a real
pty, that a lone escape still closes the help and an arrow key's bytes are still one key."""

from __future__ import annotations

import os
import re
import selectors
import time
from pathlib import Path

import pytest
from textual import constants
from textual.drivers import linux_driver

from tests.pty_tutor import ESCAPES, Tutor, TutorError
from tutor import escape_key


@pytest.fixture
def restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever `install` changes in Textual is put back after the test."""
    monkeypatch.setattr(linux_driver, "selectors", selectors)
    monkeypatch.setattr(constants, "ESCAPE_DELAY", 0.1)


def test_install_shortens_the_poll_and_the_escape_wait(restored: None) -> None:
    assert escape_key.install({}) is True
    assert linux_driver.selectors is escape_key._Selectors
    assert constants.ESCAPE_DELAY == escape_key.ESCAPE_MS / 1000
    assert escape_key.install({}) is True  # twice is once


def test_escdelay_set_by_the_learner_is_kept(restored: None) -> None:
    assert escape_key.install({"ESCDELAY": "250"}) is True
    assert constants.ESCAPE_DELAY == 0.1  # Textual read $ESCDELAY itself; ours does not override it
    assert linux_driver.selectors is escape_key._Selectors


def test_a_poll_never_waits_longer_than_asked_or_the_cap() -> None:
    reader, writer = os.pipe()
    try:
        selector = escape_key._ShortPolls()
        selector.register(reader, selectors.EVENT_READ)
        assert selector.select(3600) == []  # returns after the cap, not an hour (a hang guard)
        os.write(writer, b"x")
        assert [key.fd for key, _ in selector.select(None)] == [reader]
        selector.close()
    finally:
        os.close(reader)
        os.close(writer)


def _after(tutor: Tutor, start: int, pattern: str, timeout: float = 30.0) -> None:
    """Read until `pattern` appears in what the tutor drew after byte `start`."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if re.search(pattern, ESCAPES.sub("", tutor.raw[start:].decode("utf-8", "replace"))):
            return
        tutor.read(0.1)
    raise TutorError(f"{pattern!r} did not appear; the tutor showed:\n{tutor.text[-2000:]}")


@pytest.mark.slow  # a real tutor process on a pty
def test_on_a_terminal_escape_closes_help_and_an_arrow_is_one_key(tmp_path: Path) -> None:
    tutor = Tutor(tmp_path, "open", "artificial-neuron", env={"ESCDELAY": None})
    try:
        tutor.wait_for(r"step 1 of \d+")
        start = len(tutor.raw)
        tutor.send(b"\x1b[C")  # right arrow, as a terminal writes it: the next step, no escape
        _after(tutor, start, r"step 2 of \d+")
        start = len(tutor.raw)
        tutor.send(b"?")
        _after(tutor, start, r"jump to the end of the animation")  # the help's key table
        tutor.send(b"\x1b")  # a lone escape: closes the help
        tutor.read(1.0)  # (an escape read together with the n would be alt+n)
        start = len(tutor.raw)
        tutor.send(b"n")  # reaches the lesson only once the help is closed
        _after(tutor, start, r"step 3 of \d+")
        tutor.send(b"q")
        assert tutor.finish() == 0
        assert "Traceback" not in tutor.text
    finally:
        tutor.close()
