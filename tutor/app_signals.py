"""Signals that end the app: SIGTERM, SIGINT and SIGHUP (a dropped SSH connection) quit it the
normal way, so progress is saved, a training run writes its checkpoint and the terminal is
restored; after a hang-up a watchdog makes sure the process ends."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from contextlib import suppress
from functools import partial

from tutor.scenes.base import SceneBase


class StopSignals:
    """Mixed into the app (before `App`): it uses `session`, `screen_stack`, `lesson_screens`,
    `stop_signal` and `exit` of the app it is mixed into."""

    #: Seconds the app has, after its terminal went away, to keep its work and exit before a
    #: watchdog ends the process (a scene stuck in long work must not outlive its terminal).
    HANGUP_GRACE_SECONDS = 5.0

    def _install_signal_handlers(self) -> None:
        """SIGTERM, SIGHUP (a dropped SSH connection) and SIGINT quit the app the normal way, so
        progress is saved, a training run writes its checkpoint and the terminal is restored."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with suppress(NotImplementedError, RuntimeError, ValueError):  # not the main thread, Windows
                loop.add_signal_handler(sig, self._on_stop_signal, sig)
        with suppress(AttributeError, ValueError):  # no SIGHUP (Windows), not the main thread
            signal.signal(signal.SIGHUP, partial(self._on_hangup, loop))

    def _on_hangup(self, loop: asyncio.AbstractEventLoop, sig: int, frame: object = None) -> None:
        """SIGHUP, as a plain signal handler: it runs even while the event loop is busy. The
        orderly hang-up path runs on the loop; a daemon watchdog ends the process if the loop
        does not get there within HANGUP_GRACE_SECONDS (progress is saved at every step anyway)."""
        watchdog = threading.Timer(self.HANGUP_GRACE_SECONDS, os._exit, args=(128 + signal.SIGHUP,))
        watchdog.daemon = True
        watchdog.start()
        try:
            loop.call_soon_threadsafe(self._on_stop_signal, signal.Signals(sig))
        except RuntimeError:  # the loop is closed: nothing left to keep
            os._exit(128 + signal.SIGHUP)

    def _on_stop_signal(self, sig: signal.Signals) -> None:
        if self.stop_signal is not None:
            return  # already quitting
        self.stop_signal = sig
        self.session.save()
        if sig == signal.SIGHUP:
            # The terminal is gone, so there is nothing to restore: keep the work (a training
            # checkpoint) and end now. Textual's orderly exit can hang here, because the kernel
            # sends SIGCONT with the hang-up and Textual's SIGCONT handler writes to the terminal.
            for screen in {*self.screen_stack, *self.lesson_screens.values()}:
                for scene in screen.query(SceneBase):
                    scene.save_before_exit()
            # A failed save is retried, else rescued to another folder (nobody to tell); exiting
            # now matters more than any report.
            with suppress(Exception):
                self.session.save_at_exit()
            os._exit(128 + sig)
        self.exit(return_code=128 + sig)
