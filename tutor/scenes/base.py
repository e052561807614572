"""The bases every scene builds on: what all scenes share, a frame player, and a live scene.

A scene binds an engine to widgets. It keeps its own state (never reads it back from the DOM),
exposes the transport actions the lesson screen maps keys onto, and reports its state upward
with `SceneBase.StateChanged` so the screen can update the transport bar.

- `SceneBase`: the lesson's parameters, resolved once through the registry's declaration
  (`tutor.scenes.registry`), the app's backend, `show_frame` (called only once mounted, through
  `redraw`), `reset`, and the transport actions as no-ops.
- `Scene`: the frame player. Frames 0..total_frames, a play timer, a speed, and the transport
  actions (`space . , end + -`) stepping through the frames. Most scenes are this.
- `LiveScene`: a scene that runs live work (training, a timed race). `playing` mirrors "the
  work runs", `space` starts and stops it (`toggle_play`), and there are no frames to step.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget

from tutor.scenes.registry import SCENES, ParamSpec, as_float, as_int, registered_name, resolve_params
from tutor.terminal import low_bandwidth
from tutor.widgets.transport import SPEEDS as TRANSPORT_SPEEDS
from tutor.widgets.transport import next_speed

#: The speeds `+`/`-` step through: the transport bar's (one list for the bar and the scenes).
SPEEDS = TRANSPORT_SPEEDS
#: In `--low-bandwidth` mode a playing scene redraws at most once per this many seconds; faster
#: animations advance several frames per redraw, so they take as long as usual.
LOW_BANDWIDTH_FRAME_SECONDS = 0.5
#: What a HOLDS_ANSWERS scene draws in place of a value while its answers are held back.
HELD = "?"


class SceneBase(Widget, can_focus=True):
    """What every scene shares: parameters, the app's backend, drawing once mounted, reset.

    Subclasses implement `show_frame(position)` (draw the widgets; called only once the scene
    is mounted, so it may query its children) and `reset_state()`. Code that changed the
    scene's state calls `redraw()`, never `show_frame` itself.
    """

    DEFAULT_CSS = """
    SceneBase {
        height: auto;
        border: round $panel-lighten-2;
        padding: 0 1;
    }
    SceneBase:focus {
        border: round $accent;
    }
    """

    #: Markdown shown by `?` on a lesson step using this scene.
    HELP: ClassVar[str] = ""
    #: True when the scene needs more width than prose on wide terminals (e.g. large graphs).
    ROOMY: ClassVar[bool] = False
    #: True when the scene can hold back what would answer its step's questions (worked outputs,
    #: table rows, a label) while `answers_held` is set: a step opts in with `hold_scene = true`.
    HOLDS_ANSWERS: ClassVar[bool] = False

    playing: reactive[bool] = reactive(False)
    """Frame player: the play timer is advancing frames. Live scene: the work is running."""

    #: The frame shown (a live scene has none: always 0), and the speed (always 1x).
    position: int = 0
    speed: float = 1.0

    class StateChanged(Message, namespace="scene"):
        """Posted whenever playing, position, total or speed changes (`on_scene_state_changed`)."""

        def __init__(self, scene: "SceneBase") -> None:
            super().__init__()
            self.scene = scene
            self.playing = scene.playing
            self.position = scene.position
            self.total = scene.total_frames
            self.speed = scene.speed
            self.held = scene.holding

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.params: dict[str, Any] = resolve_params(registered_name(type(self)), params)
        """The lesson's parameters, each clamped into the registry's range (or dropped when it
        cannot be read as its kind, so that its default applies)."""
        self.params_read: dict[str, Any] = {}
        """Parameter name -> the value the scene got for it (what the helpers below returned)."""
        self._drawable = False
        self.answers_held = False
        """While true (set by the lesson screen through `hold_answers` on a `hold_scene` step
        whose questions are still open), `show_frame` draws the asked values as `?`."""

    def hold_answers(self, held: bool) -> None:
        """Hide (True) or show (False) what would answer the step's open questions; redraws.

        Only scenes with HOLDS_ANSWERS draw anything differently."""
        if held != self.answers_held:
            self.answers_held = held
            self.redraw()
            self._post_state()  # the transport hides or shows its counts

    @property
    def holding(self) -> bool:
        """Whether `show_frame` should draw the asked values held back now: the scene can hold
        answers (HOLDS_ANSWERS) and the lesson screen asked it to (`answers_held`)."""
        return self.HOLDS_ANSWERS and self.answers_held

    def unless_held(self, text: Any, hidden: str = HELD) -> Any:
        """`text` as it is, or `hidden` ("?") while the scene is `holding`: the one way a
        HOLDS_ANSWERS scene writes a value its step may ask for."""
        return hidden if self.holding else text

    # --- to implement -------------------------------------------------------------------------

    @property
    def total_frames(self) -> int:
        """How many frames after the initial one this scene can step through (none here)."""
        return 0

    def show_frame(self, position: int) -> None:
        """Bring the widgets to frame `position` (0 <= position <= total_frames).

        Called only once the scene is mounted (its children exist): by the base on mount,
        when the frame changes, and by `redraw`."""

    def reset_state(self) -> None:
        """Restore the scene's parameters to the lesson's values (called by `reset`)."""

    @property
    def initial_position(self) -> int:
        """The frame shown on mount and after `reset` (0 unless a scene starts finished)."""
        return 0

    # --- drawing --------------------------------------------------------------------------------

    @property
    def drawable(self) -> bool:
        """Whether `show_frame` may run: the scene is mounted and still in the app."""
        return self._drawable and self.is_attached

    def redraw(self) -> None:
        """Draw the current frame again (after a change of state); nothing before mount."""
        if self.drawable:
            self.show_frame(self.position)

    def on_mount(self) -> None:
        """Subclasses' `on_mount` run first; then the first frame is drawn."""
        self._drawable = True
        self.redraw()
        self._post_state()

    def _post_state(self) -> None:
        if self.is_attached:
            self.post_message(self.StateChanged(self))

    # --- the app's backend ------------------------------------------------------------------------

    @property
    def app_backend(self) -> Any:
        """The app's `tutor.backend.Backend`, or None when the scene is in no app that chose one."""
        return getattr(self.app, "backend", None) if self.is_attached else None

    @property
    def backend(self) -> Any:
        """The app's Backend (name, xp, reason, device), or NumPy when the app has none."""
        backend = self.app_backend
        if backend is None:
            import numpy as np

            from tutor.backend import Backend

            backend = Backend("numpy", np, "NumPy (no backend chosen by the app)")
        return backend

    @property
    def xp(self) -> Any:
        """The app's array module (NumPy unless the app runs on CuPy)."""
        return self.backend.xp

    # --- lesson parameters ------------------------------------------------------------------------
    # Every parameter a lesson may give is declared once, with its kind, default, range and
    # choices, in `tutor.scenes.registry` (`check-lessons` reports values outside it).
    # `__init__` resolves `self.params` through that declaration, and these helpers clamp into it
    # again, so a value that is out of range or of the wrong kind can neither crash a scene nor
    # make it huge. The registry's default and choices win: a scene passes a default only for
    # what the registry leaves open (a default that depends on another parameter) or for keys it
    # sets itself, and never its own copy of the choices. A scene's own bounds narrow the
    # registry's range, never widen it.

    @property
    def scene_name(self) -> str | None:
        """The name this scene (or the registered scene it extends) has in the registry."""
        return registered_name(type(self))

    def param_spec(self, name: str) -> ParamSpec | None:
        """The registry's declaration of parameter `name`, or None when it declares none."""
        scene = self.scene_name
        return SCENES[scene].specs.get(name) if scene in SCENES else None

    def _got(self, name: str, value: Any) -> Any:
        self.params_read[name] = value
        return value

    def _default(self, name: str, default: Any, spec: ParamSpec | None) -> Any:
        if spec is not None and spec.default is not None:
            return spec.default
        if default is None:
            raise TypeError(f"{type(self).__name__}: parameter {name!r} needs a default")
        return default

    @staticmethod
    def _bounds(spec: ParamSpec | None, low: float | None, high: float | None) -> tuple[Any, Any]:
        """The tighter of the scene's own bounds and the registry's range."""
        if spec is not None:
            low = spec.low if low is None else low if spec.low is None else max(low, spec.low)
            high = spec.high if high is None else high if spec.high is None else min(high, spec.high)
        return low, high

    def _number_param(self, name: str, default: Any, low: float | None, high: float | None,
                      read: Any, what: str) -> Any:
        """Parameter `name` read by `read` (`as_int` or `as_float`: None when it is not one),
        else the default, clamped into [low, high] and the registry's range."""
        spec = self.param_spec(name)
        low, high = self._bounds(spec, low, high)
        value = read(self.params.get(name))
        if value is None:
            value = read(self._default(name, default, spec))
            if value is None:
                raise TypeError(f"{type(self).__name__}: the default of {name!r} is not {what}")
        whole = read is as_int
        if low is not None:
            value = max(int(math.ceil(low)) if whole else float(low), value)
        value = value if high is None else min(int(math.floor(high)) if whole else float(high), value)
        return self._got(name, value)

    def int_param(self, name: str, default: int | None = None, low: int | None = None,
                  high: int | None = None) -> int:
        """Parameter `name` as a whole number within [low, high] and the registry's range, or
        the default (the registry's, else `default`) if it is not one."""
        return self._number_param(name, default, low, high, as_int, "a whole number")

    def float_param(self, name: str, default: float | None = None, low: float | None = None,
                    high: float | None = None) -> float:
        """Parameter `name` as a finite number within [low, high] and the registry's range, or
        the default (the registry's, else `default`) if it is not one."""
        return self._number_param(name, default, low, high, as_float, "a finite number")

    def bool_param(self, name: str, default: bool | None = None) -> bool:
        """Parameter `name` when it is true or false, else the default (the registry's, else `default`)."""
        value = self.params.get(name)
        if not isinstance(value, bool):
            value = bool(self._default(name, default, self.param_spec(name)))
        return self._got(name, value)

    def choices(self, name: str) -> tuple[str, ...]:
        """The choices the registry declares for parameter `name` (the scene's vocabulary)."""
        spec = self.param_spec(name)
        if spec is None or spec.kind != "choice":
            raise TypeError(f"{type(self).__name__}: the registry declares no choice {name!r}")
        return spec.choices

    def choice_param(self, name: str, choices: Any = None, default: Any = None) -> Any:
        """Parameter `name` when it is one of the registry's choices, else the registry's default
        (None when it leaves the default open).

        `choices` and `default` are for parameters the registry does not declare. For a declared
        one, `choices` may only be a collection holding every declared choice (e.g. a table keyed
        by them): a declared choice the scene cannot take is an error, never a silent fallback.
        """
        spec = self.param_spec(name)
        if spec is not None:
            missing = [c for c in spec.choices if choices is not None and c not in choices]
            if missing:
                raise TypeError(f"{type(self).__name__}: {name!r} cannot take the declared "
                                f"choice(s) {', '.join(map(repr, missing))}")
            choices = spec.choices
            if spec.default is not None:
                default = spec.default
        elif choices is None:
            choices = ()
        value = self.params.get(name, default)
        try:
            value = value if value in choices else default
        except TypeError:  # an unhashable value tested against a dict or set
            value = default
        return self._got(name, value)

    def str_param(self, name: str, default: str | None = None) -> str:
        """Parameter `name` when it is a string the registry allows, else the default."""
        spec = self.param_spec(name)
        value = self.params.get(name)
        if not (isinstance(value, str) and (spec is None or spec.fits(value))):
            value = str(self._default(name, default, spec))
        return self._got(name, value)

    def numbers_param(self, name: str, default: Any = None) -> list[float] | None:
        """Parameter `name` (a pair or vector) as a list of finite numbers, each clamped into
        the registry's range; else a copy of the default (the registry's, else `default`; None
        when both leave it open)."""
        spec = self.param_spec(name)
        value = self.params.get(name)
        if spec is not None:
            value = spec.resolve(value)
        elif isinstance(value, (list, tuple)):
            numbers = [as_float(v) for v in value]
            value = None if not numbers or None in numbers else numbers
        if isinstance(value, list):
            return self._got(name, [float(v) for v in value])
        if spec is not None and spec.default is not None:
            default = spec.default
        return self._got(name, None if default is None else [float(v) for v in default])

    def save_before_exit(self) -> Any:
        """Keep whatever long work the scene holds (a training run's checkpoint) before the
        process ends at once, e.g. on a hang-up; the default scene has nothing to keep."""

    # --- transport actions (the lesson screen maps its keys onto these) -------------------------

    def toggle_play(self) -> None:
        """`space`: nothing to play here."""

    def step_forward(self) -> None:
        """`.`: no frames to step through."""

    def step_back(self) -> None:
        """`,`: no frames to step through."""

    def to_end(self) -> None:
        """`end`: no frames to jump over."""

    def faster(self) -> None:
        """`+`: no animation to speed up."""

    def slower(self) -> None:
        """`-`: no animation to slow down."""

    def reset(self) -> None:
        """`r`: stop and restore the lesson's parameters."""
        self.playing = False
        self.reset_state()
        self.redraw()
        self._post_state()


class Scene(SceneBase):
    """The frame player: a visual the learner plays and steps through, frame by frame.

    Subclasses implement `total_frames`, `show_frame(position)` and, if they can be edited,
    their own bindings. `position` counts frames from 0; frame 0 is the initial state.
    """

    BINDINGS = [Binding("end", "to_end", "End", show=False)]

    #: Seconds between frames at speed 1x.
    FRAME_SECONDS: ClassVar[float] = 0.8

    position: reactive[int] = reactive(0)  # type: ignore[assignment]
    """The frame shown, 0 = initial state."""
    speed: reactive[float] = reactive(1.0)  # type: ignore[assignment]
    """Playback speed multiplier, one of SPEEDS."""

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self._timer: Timer | None = None
        self._frames_per_tick = 1

    # --- transport actions ----------------------------------------------------------------------

    def step_forward(self) -> None:
        """Advance one frame; at the end, stop playing."""
        if self.position < self.total_frames:
            self.position += 1
        else:
            self.playing = False

    def step_back(self) -> None:
        """Go back one frame (pauses playback)."""
        self.playing = False
        if self.position > 0:
            self.position -= 1

    def to_end(self) -> None:
        """Jump to the last frame (pauses playback)."""
        self.playing = False
        self.position = self.total_frames

    def action_to_end(self) -> None:
        """`end` on a focused scene (before any scroll container takes the key)."""
        self.to_end()

    def go_to(self, position: int) -> None:
        """Show frame `position` (clamped), drawing it again when it is the current one (after a
        change of view or data the same frame looks different)."""
        position = max(0, min(position, self.total_frames))
        if position == self.position:
            self.redraw()
            self._post_state()
        else:
            self.position = position

    def reset(self) -> None:
        """Stop, restore the lesson's parameters and go to the initial frame."""
        self.playing = False
        self.reset_state()
        self.position = self.initial_position
        self.redraw()
        self._post_state()

    def toggle_play(self) -> None:
        """Play from the current frame (from the start if at the end), or pause."""
        if not self.playing and self.position >= self.total_frames:
            self.position = 0
        self.playing = not self.playing if self.total_frames else False

    def faster(self) -> None:
        """Next speed up."""
        self.speed = next_speed(self.speed, faster=True)

    def slower(self) -> None:
        """Next speed down."""
        self.speed = next_speed(self.speed, faster=False)

    # --- plumbing -------------------------------------------------------------------------------

    def on_mount(self) -> None:
        """Start at the initial frame (the base class then draws it)."""
        self.set_reactive(Scene.position, self.initial_position)

    def watch_position(self, position: int) -> None:
        self.redraw()
        self._post_state()

    def watch_playing(self, playing: bool) -> None:
        self._restart_timer()
        self._post_state()

    def watch_speed(self, speed: float) -> None:
        self._restart_timer()
        self._post_state()

    def _restart_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.playing and self.is_attached:
            interval, self._frames_per_tick = self.tick_plan(self.FRAME_SECONDS / self.speed, low_bandwidth())
            self._timer = self.set_interval(interval, self._tick)

    @staticmethod
    def tick_plan(frame_seconds: float, low: bool) -> tuple[float, int]:
        """(seconds between redraws, frames advanced per redraw) for a frame time."""
        if not low or frame_seconds >= LOW_BANDWIDTH_FRAME_SECONDS:
            return frame_seconds, 1
        frames = math.ceil(LOW_BANDWIDTH_FRAME_SECONDS / frame_seconds)
        return frame_seconds * frames, frames

    def _tick(self) -> None:
        """The play timer: advance while the learner can see the scene, else hold."""
        if not self.can_be_seen():
            return
        for _ in range(self._frames_per_tick):
            if not self.playing:
                break
            self.step_forward()

    def can_be_seen(self) -> bool:
        """Whether the learner can see the scene now: its screen on top (not covered by help or
        the too-small message), the scene scrolled into view and, in `--low-bandwidth` mode,
        the terminal window focused (for terminals that report focus)."""
        if not self.is_attached or self.screen is not self.app.screen:
            return False
        region = self.region
        if not region or not region.overlaps(self.screen.region):
            return False
        return self.app.app_focus or not low_bandwidth()


class LiveScene(SceneBase):
    """A scene that runs live work in a worker (training, a timed race), without frames.

    `playing` mirrors "the work is running"; `space` (`toggle_play`, to implement) starts,
    pauses or stops it. The transport bar is hidden (no frames), and `.`, `,`, `end`, `+` and `-`
    do nothing. `show_frame(position)` draws the live state (position is always 0).
    """

    def watch_playing(self, playing: bool) -> None:
        """Tell the lesson screen the work started or stopped."""
        self._post_state()
