"""Scene: 2x2 pooling with stride 2 of a 24x24 feature map, one window at a time, and a shift test.

The feature map is a real MNIST digit slid under a 5x5 vertical-edge kernel (no padding, so
28x28 becomes 24x24) with negative responses set to 0 (`tutor.engines.pooling.vertical_edge_map`).

* ``animate``: each frame pools one 2x2 window: it is highlighted on the map, its four values
  are printed with the chosen one in brackets (max) or their mean (avg), and the 12x12 output
  fills in cell by cell. `m` switches max/avg.
* ``shift``: the digit and a copy moved right by 0-4 pixels (the frames), both turned into
  feature maps and pooled; the scene shows both pooled maps, their difference and how similar
  they are before and after pooling.

`[`/`]` pick the previous/next digit; `v` switches the mode. When the MNIST files cannot be
read the scene shows the loader's one-line message and how to go on.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from tutor.engines.pooling import PoolStep, compare_pooled, pool_steps, shift_image, vertical_edge_map
from tutor.scenes.base import Scene
from tutor.scenes.registry import choices_of
from tutor.scenes.data import data_failure_text, load_digits_or_reason
from tutor.text import format_number
from tutor.widgets.image import HalfBlockImage

#: The modes `v` switches between.
MODES: tuple[str, ...] = choices_of("pooling", "mode")

#: The pooling kinds `m` switches between.
KINDS: tuple[str, ...] = choices_of("pooling", "kind")

#: Shift mode steps through shifts of 0..MAX_SHIFT pixels.
MAX_SHIFT = 4

#: Window size and stride.
SIZE = STRIDE = 2



_load = load_digits_or_reason


def _num(value: float) -> str:
    """A map value with two fixed decimals ("0.80")."""
    return format_number(value, 2, fixed=True)


class PoolingScene(Scene):
    """Pool an edge map of a digit window by window, or compare it with a shifted copy."""

    HELP = """\
**Pooling.** A 2x2 window with stride 2 cuts the 24x24 feature map into blocks and keeps
one number per block: the largest (max pooling) or the mean (average pooling). The map
shrinks and keeps *roughly where* each feature was.

- `.` and `,` pool one window at a time (step k has pooled k windows); `space` plays,
  `end` finishes; `r` resets.
- `m` switches between max and average pooling.
- `v` switches to the shift test: the digit moved right by 0-4 pixels (`.`/`,` change the
  shift); it compares the pooled maps and how similar they are before and after pooling.
- `[` and `]` pick the previous or next training digit.
- In the window's numbers, `[ ]` marks the value max pooling keeps.
"""

    #: Held back while the step's questions are open: the pooled map's size and window count.
    HOLDS_ANSWERS = True

    DEFAULT_CSS = """
    PoolingScene > Static { height: auto; }
    PoolingScene Horizontal { height: auto; }
    PoolingScene Vertical { height: auto; width: auto; }
    PoolingScene .caption { width: auto; height: auto; }
    PoolingScene #pl-col-a, PoolingScene #pl-col-b, PoolingScene #pl-raw-a { margin-right: 1; }
    PoolingScene #pl-raw { width: 1fr; margin-top: 1; }
    /* The difference map and the raw maps belong to the shift test only. */
    PoolingScene.-animate #pl-col-c, PoolingScene.-animate #pl-raw { display: none; }
    PoolingScene.-animate #pl-cap-a { display: none; }
    PoolingScene.-nodata #pl-maps, PoolingScene.-nodata #pl-raw { display: none; }
    """

    BINDINGS = [
        Binding("m", "toggle_kind", "Max/avg"),
        Binding("v", "next_mode", "Mode"),
        Binding("left_square_bracket", "digit(-1)", "Prev digit", show=False),
        Binding("right_square_bracket", "digit(1)", "Next digit", show=False),
    ]

    FRAME_SECONDS = 0.3

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.digits: Any = None
        """The loaded `Digits`, or None before loading or after a failure."""
        self.error: str = ""
        """The loader's one-line message when loading failed, else ""."""
        self.steps: list[PoolStep] = []
        self.feature: np.ndarray = np.zeros((24, 24))
        self.reset_state()

    # --- state ------------------------------------------------------------------------------------

    def reset_state(self) -> None:
        """Back to the lesson's digit, kind, mode and shift; retry loading after a failure."""
        self.kind: str = self.choice_param("kind")
        self.mode: str = self.choice_param("mode")
        self.index = self.int_param("index")
        self.shift = self.int_param("shift", None, 0, MAX_SHIFT)
        self._positions: dict[str, int] = {}
        if self.digits is None and self.error:
            self.load()
        self._compute()

    def load(self) -> None:
        """Load the digits (once); on failure remember the one-line message."""
        self.digits, self.error = _load()
        self._compute()

    @property
    def image(self) -> np.ndarray | None:
        """The chosen training digit (28, 28) uint8, or None without data."""
        if self.digits is None:
            return None
        images = self.digits.train_images
        return images[min(self.index, len(images) - 1)]

    @property
    def label(self) -> int:
        """The chosen digit's label."""
        labels = self.digits.train_labels
        return int(labels[min(self.index, len(labels) - 1)])

    def _compute(self) -> None:
        """Feature map and pooling steps of the chosen digit and kind."""
        image = self.image
        if image is None:
            self.steps = []
            return
        self.feature = vertical_edge_map(image)
        self.steps = list(pool_steps(self.feature, SIZE, STRIDE, self.kind))

    @property
    def total_frames(self) -> int:
        """Animate: frame 0 before the first window, then one frame per output cell, so frame k
        has pooled k cells (144 at the end, as the transport's "step 144/144" and the caption's
        "cell 144 of 144" both say); shift: one per shift 0..MAX_SHIFT."""
        if self.digits is None:
            return 0
        return len(self.steps) if self.mode == "animate" else MAX_SHIFT

    @property
    def initial_position(self) -> int:
        """Shift mode starts at the lesson's shift; animate at the first window."""
        return self.shift if self.mode == "shift" else 0

    def on_mount(self) -> None:
        """Load the data before the base class shows the first frame."""
        if self.digits is None:
            self.load()

    # --- actions ----------------------------------------------------------------------------------

    def action_toggle_kind(self) -> None:
        """`m`: switch between max and average pooling, keeping the frame."""
        self.kind = KINDS[(KINDS.index(self.kind) + 1) % len(KINDS)]
        self._compute()
        self.go_to(self.position)

    def action_next_mode(self) -> None:
        """`v`: switch between the animation and the shift test, remembering each one's frame."""
        self.playing = False
        self._positions[self.mode] = self.position
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]
        self.go_to(self._positions.get(self.mode, self.initial_position))

    def action_digit(self, direction: int) -> None:
        """`[`/`]`: the previous or next training digit."""
        if self.digits is None:
            return
        self.playing = False
        self.index = max(0, min(len(self.digits.train_images) - 1, self.index + int(direction)))
        self._compute()
        self.go_to(self.position)

    # --- drawing ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="pl-status")
        with Horizontal(id="pl-maps"):
            for name in ("a", "b", "c"):
                with Vertical(id=f"pl-col-{name}"):
                    yield HalfBlockImage(id=f"pl-{name}", vmin=0.0)
                    yield Static(id=f"pl-cap-{name}", classes="caption")
        yield Static(id="pl-detail")
        with Vertical(id="pl-raw", classes="tall-only"):
            yield Static("before pooling: the 24×24 edge maps", classes="caption")
            with Horizontal():
                yield HalfBlockImage(id="pl-raw-a", vmin=0.0)
                yield HalfBlockImage(id="pl-raw-b", vmin=0.0)

    def show_frame(self, position: int) -> None:
        """Draw the current mode at frame `position`."""
        status = self.query_one("#pl-status", Static)
        self.set_class(self.digits is None, "-nodata")
        self.set_class(self.mode == "animate", "-animate")
        if self.digits is None:
            self.query_one("#pl-detail", Static).update("")
            status.update(data_failure_text(self.error))
            return
        if self.mode == "animate":
            self._show_animate(position)
        else:
            self._show_shift(position)

    def _set_image(self, name: str, data: np.ndarray, vmax: float, highlight: Any = None) -> None:
        widget = self.query_one(f"#pl-{name}", HalfBlockImage)
        widget.vmax = vmax
        widget.data = data
        widget.highlight = highlight

    def _caption(self, name: str, text: str | Text) -> None:
        self.query_one(f"#pl-cap-{name}", Static).update(text)

    def _show_animate(self, position: int) -> None:
        pooled = max(0, min(position, len(self.steps)))  # cells pooled so far
        step = self.steps[max(0, pooled - 1)]  # the window just pooled (the first one at frame 0)
        peak = float(self.feature.max()) or 1.0
        output = np.zeros((12, 12))
        for done in self.steps[:pooled]:
            output[done.out_row, done.out_col] = done.value
        self._set_image("a", self.feature, peak, (step.rows[0], step.cols[0], SIZE, SIZE))
        self._set_image("b", output, peak, (step.out_row, step.out_col, 1, 1) if pooled else None)
        self._caption("a", "")
        cap = Text()
        cap.append(self.unless_held("12×12", "?×?") + " out\n", style="dim")
        cap.append(f"cell {pooled}\n" if pooled else "none yet\n", style="bold")
        cap.append(f"of {self.unless_held(len(self.steps))}", style="dim")
        self._caption("b", cap)

        status = Text()
        status.append(f"{self.kind} pooling 2×2, stride 2", style="bold")
        status.append(f"  m: {'avg' if self.kind == 'max' else 'max'}\n", style="dim")
        status.append(f"edge map of a {self.label} (#{self.index}), 24×24", style="dim")
        self.query_one("#pl-status", Static).update(status)
        if pooled:
            self.query_one("#pl-detail", Static).update(self._window_text(step))
        else:
            detail = Text(f"rows {step.rows[0]}-{step.rows[1] - 1}, cols {step.cols[0]}-{step.cols[1] - 1}: "
                          "the first window\n")
            detail.append("nothing pooled yet: . pools it", style="italic")
            self.query_one("#pl-detail", Static).update(detail)

    def _window_text(self, step: PoolStep) -> Text:
        """The window's four values, the kept one in brackets, and where it goes."""
        text = Text()
        text.append(f"rows {step.rows[0]}-{step.rows[1] - 1}, cols {step.cols[0]}-{step.cols[1] - 1}"
                    f" → out ({step.out_row},{step.out_col})\n")
        for dr in range(SIZE):
            text.append(" ")
            for dc in range(SIZE):
                value = _num(float(step.window[dr, dc]))
                here = (step.rows[0] + dr, step.cols[0] + dc)
                if step.position == here:
                    text.append(f"[{value}]", style="bold yellow")
                else:
                    text.append(f" {value} ")
            if dr == 0:
                label = "max" if self.kind == "max" else "mean"
                text.append(f"  {label} = {_num(step.value)}", style="bold")
            elif step.position is not None:
                text.append(f"  at ({step.position[0]},{step.position[1]})", style="dim")
            else:
                text.append("  (sum of 4)/4", style="dim")
            text.append("\n")
        text.rstrip()
        return text

    def _show_shift(self, position: int) -> None:
        shift = max(0, min(position, MAX_SHIFT))
        shifted = vertical_edge_map(shift_image(self.image, 0, shift))
        comparison = compare_pooled(self.feature, shifted, SIZE, STRIDE, self.kind)
        peak = max(float(self.feature.max()), float(shifted.max())) or 1.0
        self._set_image("a", comparison.pooled_a, peak)
        self._set_image("b", comparison.pooled_b, peak)
        self._set_image("c", np.abs(comparison.pooled_a - comparison.pooled_b), peak)
        self._caption("a", Text("as is", style="dim"))
        self._caption("b", Text(f"moved {shift}", style="dim"))
        self._caption("c", Text("difference", style="dim"))
        self._set_image("raw-a", self.feature, peak)
        self._set_image("raw-b", shifted, peak)

        status = Text()
        status.append(f"shift test, {self.kind} pooling", style="bold")
        status.append(f"  m: {'avg' if self.kind == 'max' else 'max'}\n", style="dim")
        status.append(f"a {self.label} (#{self.index}) and a copy moved ")
        status.append(f"{shift} px right", style="bold")
        self.query_one("#pl-status", Static).update(status)
        detail = Text()
        detail.append(f"{'':13}similar  unchanged\n", style="bold")
        detail.append(f"{'24×24 maps':13}{comparison.raw_similarity:6.0%}"
                      f"{comparison.raw_active_share:10.0%}\n")
        detail.append(f"{'12×12 pooled':13}{comparison.similarity:6.0%}"
                      f"{comparison.active_share:10.0%}", style="bold")
        detail.append("\n. and , change the shift", style="dim")
        self.query_one("#pl-detail", Static).update(detail)
