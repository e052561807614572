"""The base every scene builds on: a focusable widget with frames, a play timer and a speed.

A scene binds an engine to widgets. It keeps its own state (never reads it back from the DOM),
exposes the transport actions the lesson screen maps keys onto, and reports its state upward
with `Scene.StateChanged` so the screen can update the transport bar.
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

#: The speeds `+`/`-` step through.
SPEEDS: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
#: In `--low-bandwidth` mode a playing scene redraws at most once per this many seconds; faster
#: animations advance several frames per redraw, so they take as long as usual.
LOW_BANDWIDTH_FRAME_SECONDS = 0.5


class Scene(Widget, can_focus=True):
    """A live visual driven by an engine, with frames the learner can play and step through.

    Subclasses implement `total_frames`, `show_frame(position)` and, if they can be edited,
    their own bindings. `position` counts frames from 0; frame 0 is the initial state.
    """

    DEFAULT_CSS = """
    Scene {
        height: auto;
        border: round $panel-lighten-2;
        padding: 0 1;
    }
    Scene:focus {
        border: round $accent;
    }
    """

    BINDINGS = [Binding("end", "to_end", "End", show=False)]

    #: Markdown shown by `?` on a lesson step using this scene.
    HELP: ClassVar[str] = ""
    #: True when the scene needs more width than prose on wide terminals (e.g. large graphs).
    ROOMY: ClassVar[bool] = False
    #: Seconds between frames at speed 1x.
    FRAME_SECONDS: ClassVar[float] = 0.8

    playing: reactive[bool] = reactive(False)
    """Whether the play timer is advancing frames."""
    position: reactive[int] = reactive(0)
    """The frame shown, 0 = initial state."""
    speed: reactive[float] = reactive(1.0)
    """Playback speed multiplier, one of SPEEDS."""

    class StateChanged(Message):
        """Posted whenever playing, position, total or speed changes."""

        def __init__(self, scene: "Scene") -> None:
            super().__init__()
            self.scene = scene
            self.playing = scene.playing
            self.position = scene.position
            self.total = scene.total_frames
            self.speed = scene.speed

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.params: dict[str, Any] = resolve_params(registered_name(type(self)), params)
        """The lesson's parameters, each clamped into the registry's range (or dropped when it
        cannot be read as its kind, so that its default applies)."""
        self._timer: Timer | None = None
        self._frames_per_tick = 1

    # --- to implement -------------------------------------------------------------------------

    @property
    def total_frames(self) -> int:
        """How many frames after the initial one this scene can step through."""
        return 0

    def show_frame(self, position: int) -> None:
        """Bring the widgets to frame `position` (0 <= position <= total_frames)."""

    def reset_state(self) -> None:
        """Restore the scene's parameters to the lesson's values (called by `reset`)."""

    @property
    def initial_position(self) -> int:
        """The frame shown on mount and after `reset` (0 unless a scene starts finished)."""
        return 0

    # --- lesson parameters ------------------------------------------------------------------------
    # Every parameter a lesson may give is declared once, with its default and its range, in
    # `tutor.scenes.registry` (`check-lessons` reports values outside it). `__init__` resolves
    # `self.params` through that declaration, and these helpers clamp into it again, so a value
    # that is out of range or of the wrong kind can neither crash a scene nor make it huge.
    # The registry's default wins: a scene passes a default only for what the registry leaves
    # open (a default that depends on another parameter) or for keys it sets itself. A scene's
    # own bounds narrow the registry's range, never widen it.

    @property
    def scene_name(self) -> str | None:
        """The name this scene (or the registered scene it extends) has in the registry."""
        return registered_name(type(self))

    def param_spec(self, name: str) -> ParamSpec | None:
        """The registry's declaration of parameter `name`, or None when it declares none."""
        scene = self.scene_name
        return SCENES[scene].specs.get(name) if scene in SCENES else None

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
        return value if high is None else min(int(math.floor(high)) if whole else float(high), value)

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
        if isinstance(value, bool):
            return value
        return bool(self._default(name, default, self.param_spec(name)))

    def choice_param(self, name: str, choices: Any = None, default: Any = None) -> Any:
        """Parameter `name` when it is one of `choices` (a collection; the registry's unless
        given), else the default (the registry's, else `default`; None when both leave it open)."""
        spec = self.param_spec(name)
        if choices is None:
            choices = spec.choices if spec is not None else ()
        if spec is not None and spec.default is not None:
            default = spec.default
        value = self.params.get(name, default)
        try:
            return value if value in choices else default
        except TypeError:  # an unhashable value tested against a dict or set
            return default

    def str_param(self, name: str, default: str | None = None) -> str:
        """Parameter `name` when it is a string the registry allows, else the default."""
        spec = self.param_spec(name)
        value = self.params.get(name)
        if isinstance(value, str) and (spec is None or spec.fits(value)):
            return value
        return str(self._default(name, default, spec))

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
            return [float(v) for v in value]
        if spec is not None and spec.default is not None:
            default = spec.default
        return None if default is None else [float(v) for v in default]

    def save_before_exit(self) -> None:
        """Keep whatever long work the scene holds (a training run's checkpoint) before the
        process ends at once, e.g. on a hang-up; the default scene has nothing to keep."""

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

    def reset(self) -> None:
        """Stop, restore the lesson's parameters and go to frame 0."""
        self.playing = False
        self.reset_state()
        self.position = self.initial_position
        self.show_frame(self.position)
        self._post_state()

    def toggle_play(self) -> None:
        """Play from the current frame (from the start if at the end), or pause."""
        if not self.playing and self.position >= self.total_frames:
            self.position = 0
        self.playing = not self.playing if self.total_frames else False

    def faster(self) -> None:
        """Next speed up."""
        self.speed = next((s for s in SPEEDS if s > self.speed), SPEEDS[-1])

    def slower(self) -> None:
        """Next speed down."""
        self.speed = next((s for s in reversed(SPEEDS) if s < self.speed), SPEEDS[0])

    # --- plumbing -------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.set_reactive(Scene.position, self.initial_position)
        self.show_frame(self.position)
        self._post_state()

    def watch_position(self, position: int) -> None:
        self.show_frame(position)
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

    def _post_state(self) -> None:
        if self.is_attached:
            self.post_message(self.StateChanged(self))
