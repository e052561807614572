"""The training scene's states, the words the state line shows for each, and the moves between them."""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """Where the scene is; a StrEnum, so `state == "training"` reads as before."""

    IDLE = "idle"
    LOADING = "loading"
    TRAINING = "training"
    PAUSED = "paused"
    STOPPING = "stopping"
    STOPPED = "stopped"
    TARGET = "target"
    FINISHED = "finished"
    EVALUATING = "evaluating"
    ERROR = "error"

    @property
    def running(self) -> bool:
        """Whether a run is going on (controls locked, `s` stops)."""
        return self in RUNNING

    @property
    def label(self) -> tuple[str, str]:
        """(marker, words) for the state line; the marker repeats the words without colour."""
        return STATE_LABELS[self]

    def allows(self, to: State | str) -> bool:
        """Whether `_set_state` may go from this state to `to` (a reset goes to IDLE from any)."""
        return State(to) in TRANSITIONS[self]


#: State -> (marker, words) for the state line.
STATE_LABELS: dict[State, tuple[str, str]] = {
    State.IDLE: ("○", "idle"),
    State.LOADING: ("…", "loading MNIST"),
    State.TRAINING: ("▶", "training"),
    State.PAUSED: ("‖", "paused"),
    State.STOPPING: ("■", "stopping after this batch"),
    State.STOPPED: ("■", "stopped"),
    State.TARGET: ("✓", "reached target"),
    State.FINISHED: ("✓", "finished"),
    State.EVALUATING: ("…", "testing the model"),
    State.ERROR: ("✗", "could not train"),
}

#: States in which a run is going on (controls locked, `s` stops).
RUNNING: frozenset[State] = frozenset({State.LOADING, State.TRAINING, State.PAUSED, State.STOPPING})
#: How a run ends: its DoneRecord's reason picks one.
ENDED: frozenset[State] = frozenset({State.STOPPED, State.TARGET, State.FINISHED})
#: Between runs: `space` (or `c`, from STOPPED) starts one, which may fail its recipe check.
_BETWEEN = frozenset({State.LOADING, State.ERROR})

#: Where each state may go next (besides a reset, which goes to IDLE from anywhere).
TRANSITIONS: dict[State, frozenset[State]] = {
    State.IDLE: _BETWEEN | {State.EVALUATING, State.STOPPED},
    State.LOADING: {State.TRAINING, State.PAUSED, State.STOPPING, State.ERROR} | ENDED,
    State.TRAINING: {State.PAUSED, State.STOPPING, State.ERROR} | ENDED,
    State.PAUSED: {State.TRAINING, State.LOADING, State.STOPPING, State.ERROR} | ENDED,
    State.STOPPING: {State.ERROR} | ENDED,
    State.STOPPED: _BETWEEN,
    State.TARGET: _BETWEEN,
    State.FINISHED: _BETWEEN,
    State.ERROR: _BETWEEN,
    State.EVALUATING: frozenset({State.IDLE}),
}


def ended_by(reason: str) -> State:
    """The state a run's DoneRecord reason ("stopped", "target", else finished) leads to."""
    return {"stopped": State.STOPPED, "target": State.TARGET}.get(reason, State.FINISHED)
