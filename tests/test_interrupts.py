"""Interrupting the real `dl-tutor` in a pseudo-terminal: SIGTERM, a hang-up and Ctrl+C.

Each test starts `python -m tutor` on a pty, as a terminal would, and checks that the terminal
is given back in a usable state, that progress is on disk, and that a training run stopped this
way left a checkpoint that the next start offers to continue.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.pty_tutor import Tutor

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


def _start_training(tutor: Tutor) -> None:
    """`open train-lenet` shows the training scene first; space starts it."""
    tutor.wait_for(r"space train")
    tutor.send(b" ")
    tutor.wait_for(r"img/s")


def _progress(home: Path) -> dict:
    return json.loads((home / "progress.json").read_text())


def test_sigterm_during_training_saves_and_the_next_start_offers_to_continue(tmp_path: Path) -> None:
    tutor = Tutor(tmp_path, "open", "train-lenet")
    try:
        _start_training(tutor)
        os.kill(tutor.pid, signal.SIGTERM)
        assert tutor.finish() == 128 + signal.SIGTERM
        assert "\x1b[?1049l" in tutor.raw.decode("utf-8", "replace")  # left the alternate screen
        assert tutor.terminal_is_usable()
        assert "Stopped by SIGTERM; your progress is saved." in tutor.text
        assert "checkpoint saved to" in tutor.text
    finally:
        tutor.close()
    assert (tmp_path / "models" / "lenet-stopped.npz").is_file()
    assert "train-lenet" in _progress(tmp_path)["lessons"]

    again = Tutor(tmp_path, "open", "train-lenet")
    try:
        again.wait_for(r"c continue")
        again.send(b"c")
        again.wait_for(r"img/s")
        again.send(b"q")
        assert again.finish() == 0
        assert again.terminal_is_usable()
    finally:
        again.close()


def test_a_dropped_connection_during_training_keeps_progress_and_a_checkpoint(tmp_path: Path) -> None:
    tutor = Tutor(tmp_path, "open", "train-lenet")
    try:
        _start_training(tutor)
        os.close(tutor.fd)  # the terminal goes away: the kernel sends SIGHUP, as when SSH drops
        end = time.monotonic() + 20
        while not tutor.exited() and time.monotonic() < end:
            time.sleep(0.1)
        assert tutor.status == 128 + signal.SIGHUP
    finally:
        tutor.close()
    assert (tmp_path / "models" / "lenet-stopped.npz").is_file()
    assert "train-lenet" in _progress(tmp_path)["lessons"]


def test_ctrl_c_during_an_animation_quits_cleanly(tmp_path: Path) -> None:
    tutor = Tutor(tmp_path, "open", "artificial-neuron")
    try:
        tutor.wait_for(r"Play")
        tutor.send(b"n")  # a step with a scene, then play it
        time.sleep(0.5)
        tutor.send(b" ")
        tutor.read(1.0)
        tutor.send(b"\x03")
        assert tutor.finish() == 0
        assert tutor.terminal_is_usable()
        assert "Traceback" not in tutor.text
    finally:
        tutor.close()
    assert "artificial-neuron" in _progress(tmp_path)["lessons"]


def test_a_resize_storm_across_the_minimum_size_leaves_the_app_responsive(tmp_path: Path) -> None:
    """Three storms from 120x40 down to 60x25 and back, with no pause between resizes, on a
    lesson with a scene: the app must settle on the lesson and still quit on q. (Before the size
    guard waited for a storm to settle, this hung in 2 of 5 tries on a loaded machine.)"""
    tutor = Tutor(tmp_path, "open", "convolution", size=(120, 40))
    try:
        tutor.wait_for(r"Play")
        tutor.send(b"n")
        tutor.read(0.5)
        steps = [(120 - 4 * i, 40 - i) for i in range(16)]
        for _ in range(3):
            for columns, rows in steps + steps[::-1]:
                tutor.resize(columns, rows)
                tutor.read(0.01)  # as fast as tmux resizes a window: the app sees each size
        tutor.read(1.0)
        tutor.send(b"q")
        assert tutor.finish(timeout=30) == 0
        assert tutor.terminal_is_usable()
        assert "Traceback" not in tutor.text
    finally:
        tutor.close()


def test_a_hang_up_ends_the_process_even_when_the_loop_is_stuck(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGHUP is handled by a plain signal handler: it asks the event loop for the orderly exit
    and starts a watchdog that ends the process if the loop never gets there (a scene stuck in
    long work must not outlive its terminal)."""
    import threading

    from tutor.app import make_app

    app = make_app(home=tmp_path)
    exits: list[int] = []
    ended = threading.Event()

    def fake_exit(code: int) -> None:
        exits.append(code)
        ended.set()

    class StuckLoop:
        """An event loop that is busy: it takes the call and never runs it."""

        def __init__(self) -> None:
            self.calls: list[tuple] = []

        def call_soon_threadsafe(self, *args) -> None:
            self.calls.append(args)

    monkeypatch.setattr(os, "_exit", fake_exit)
    monkeypatch.setattr(type(app), "HANGUP_GRACE_SECONDS", 0.05)
    loop = StuckLoop()
    app._on_hangup(loop, signal.SIGHUP)
    assert loop.calls and loop.calls[0][1] == signal.SIGHUP  # the orderly path was asked for
    assert ended.wait(10.0) and exits == [128 + signal.SIGHUP]
