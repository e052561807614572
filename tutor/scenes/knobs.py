"""KnobScene: a scene whose numeric parameters the learner picks with ↑/↓ and changes with [ ].

The threshold unit (w1, w2, θ) and the perceptron plane (w1, w2, b) share this: a list of named
values, a cursor, a step size, limits, the key bindings, and the panel that shows them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding

from tutor.scenes.base import Scene
from tutor.text import format_number


class KnobScene(Scene):
    """A Scene with editable named numbers; subclasses set KNOBS and implement `knobs_changed`."""

    #: Names of the knobs, in panel order, e.g. ("w1", "w2", "θ").
    KNOBS: ClassVar[tuple[str, ...]] = ()
    #: Knob values stay within [-LIMIT, LIMIT].
    LIMIT: ClassVar[float] = 5.0
    #: The step of `[`/`]` when the registry declares no `step_size` for the scene.
    STEP_SIZE: ClassVar[float] = 0.5

    BINDINGS = [
        Binding("up", "pick(-1)", "Pick", show=False),
        Binding("down", "pick(1)", "Pick", show=False),
        Binding("left_square_bracket,less_than_sign", "nudge(-1)", "Lower"),
        Binding("right_square_bracket,greater_than_sign", "nudge(1)", "Raise"),
    ]

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        self.picked = 0
        self.knob_values: list[float] = []
        super().__init__(params, id=id)
        self.editable: bool = self.bool_param("editable")
        declared = self.param_spec("step_size") is not None
        self.step_size: float = self.float_param("step_size") if declared else self.STEP_SIZE

    # --- to implement -----------------------------------------------------------------------------

    def knobs_changed(self) -> None:
        """Recompute after the learner changed a knob (the panel is redrawn by show_frame)."""

    # --- actions ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Editing keys exist only on an editable scene (and then show in the footer)."""
        if action in ("pick", "nudge"):
            return self.editable
        return True

    def action_pick(self, delta: int) -> None:
        """Move the cursor among the knobs."""
        self.picked = (self.picked + delta) % len(self.KNOBS)
        self.redraw()

    def action_nudge(self, direction: int) -> None:
        """Raise or lower the picked knob by one step, within the limits."""
        value = self.knob_values[self.picked] + direction * self.step_size
        self.knob_values[self.picked] = round(max(-self.LIMIT, min(self.LIMIT, value)), 6)
        self.knobs_changed()
        self.position = self.total_frames
        self.redraw()

    def on_click(self, event: Any) -> None:
        """Clicking a line of the knob panel picks that knob."""
        widget = getattr(event, "widget", None)
        if self.editable and widget is not None and widget.id == "knobs":
            offset = event.get_content_offset(widget)
            if offset is not None and 0 <= offset.y < len(self.KNOBS):
                self.picked = offset.y
                self.redraw()

    # --- drawing ----------------------------------------------------------------------------------

    def knob_panel(self, notes: dict[int, str] | None = None, held: tuple[int, ...] = ()) -> Text:
        """The knobs, one a line, the picked one marked; `notes` adds text after a line; the
        knobs whose indices are in `held` show "?" while the scene holds its answers back."""
        notes = dict(notes or {})
        if self.editable:
            notes.setdefault(1, "↑↓ pick · [ ] change")
        text = Text()
        for i, (name, value) in enumerate(zip(self.KNOBS, self.knob_values)):
            picked = self.editable and i == self.picked
            text.append("▸ " if picked else "  ")
            style = "bold reverse" if picked and self.has_focus else "bold"
            shown = self.unless_held(format_number(value)) if i in held else format_number(value)
            text.append(f"{name:<2} = {shown:>5}", style=style)
            if i in notes:
                text.append(f"   {notes[i]}", style="italic" if i == 0 else "dim")
            text.append("\n")
        text.rstrip()
        return text
