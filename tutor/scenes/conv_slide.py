"""Scene: a 5x5 kernel slides over a real MNIST digit and fills in its 24x24 feature map.

Three modes (the lesson's `mode` parameter):

* ``slide``: one digit with the 5x5 window marked on it, the current cell's 25 products w·x,
  their sum plus the bias, and the 24x24 feature map filling in cell by cell. Frame 0 is nothing
  computed; frame n has computed the first n cells in reading order (576 frames; `end` jumps to
  the full map). `k` cycles the hand-picked kernels. When editable, a cursor walks the 5x5
  weights and the bias (`↑`/`↓` rows, `a`/`d` columns, `[`/`]` change the weight).
* ``maps``: three kernels on the same digit at once, the seed's three 24x24 feature maps, one
  feature each; the frames fill all three together.
* ``channels``: a toy input of 2 or 3 channels (5x5 small integers) and one 3x3 kernel per
  channel; each output cell is the sum of the per-channel sums plus one bias.

All numbers come from the loop engine `tutor.engines.conv`; the whole map is computed once when
the kernel changes, and the frames only reveal it, so playing stays responsive.

On an exercise step (`exercise = "conv2d-loops"` or `"conv2d-fast"`), once the learner's
exercise passes, the maps of the slide and maps views, and the channels view's per-channel sums
and output, come from the learner's own conv2d, run in a sandboxed child
(`tutor.exercises.learner_calls`), and a line says so; until it passes, or when their function
fails, the line says the reference engine draws them.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.widgets import Static

from dataclasses import replace

from tutor.engines.conv import KERNELS, CellRecord, ToyChannels, conv2d_loop, conv_cell, toy_channels
from tutor.exercises.learner_calls import LearnerCode
from tutor.scenes import conv_slide_text as texts
from tutor.scenes.base import Scene
from tutor.scenes.registry import choices_of
from tutor.scenes.conv_slide_text import KERNEL_NOTES
from tutor.scenes.data import data_failure_text, load_digit
from tutor.widgets.feature_map import FeatureMapImage
from tutor.widgets.image import HalfBlockImage

#: The modes a lesson may ask for.
MODES: tuple[str, ...] = choices_of("conv-slide", "mode")

#: The kernel names `k` cycles through, in order ("custom" is reached by editing).
KERNEL_ORDER: tuple[str, ...] = tuple(KERNELS)

#: The three kernels the maps mode starts with: edges in three directions.
MAPS_DEFAULT: tuple[str, ...] = ("vertical edge", "horizontal edge", "diagonal edge")

#: The content width from which the digit and its map stand side by side.
WIDE_WIDTH = 62

#: Weights stay within [-WEIGHT_LIMIT, WEIGHT_LIMIT] while editing.
WEIGHT_LIMIT = 9.0


def _set_data(widget: HalfBlockImage, values: np.ndarray | None) -> bool:
    """Give `widget` new pixels only when `values` is another array than last time.

    Setting `data` re-lays out the screen, so frames that only move a highlight skip it.
    Returns whether the data was set.
    """
    if getattr(widget, "_source", None) is values and widget.data is not None:
        return False
    widget._source = values  # type: ignore[attr-defined]
    widget.data = values
    return True


class ConvSlideScene(LearnerCode, Scene):
    """A 5x5 kernel sliding over an MNIST digit: the products of one cell and the map they fill."""

    HELP = """\
**Convolution, sliding.** A 5x5 window of weights (the kernel) moves over the 28x28 digit one
pixel at a time. At each position the 25 pixels under it are multiplied by the 25 weights, the
products are added and the bias is added: that is one cell of the feature map. The window fits
28 - 5 + 1 = 24 times across and down, so the map is 24x24. Every cell uses the same weights
and bias, so the whole map looks for the same pattern.

- `.` and `,` compute one cell more or less; `space` plays, `+`/`-` change the speed,
  `end` jumps to the full map, `{` and `}` jump a whole row of cells, `r` resets.
- `k` switches to the next kernel; weights you edited stay in the round, so `k` comes back
  to them (in the three-maps view: shifts the three kernels; in the channels view: draws new
  numbers, once the step's question about these numbers is answered).
- When editable: `↑`/`↓` and `a`/`d` move the cursor over the weights and the bias;
  `[` and `]` lower and raise the weight under it; `0` sets it to zero.
- The map is drawn blue for negative, red for positive (in shades: `·-=≡` negative, `░▒▓█`
  positive); `╌` marks cells not computed yet. The current window and cell are highlighted.
- On the exercise's step, once your conv2d passes its checks, the maps (in the channels view:
  each channel's sums and the output) come from it (run in a separate process) and the top line
  says `▶ your ...`; if it fails, that line says why and the reference engine draws them.
"""

    DEFAULT_CSS = """
    ConvSlideScene > Static { height: auto; }
    ConvSlideScene Horizontal, ConvSlideScene Vertical { height: auto; width: auto; }
    ConvSlideScene #cs-top { width: 1fr; }
    ConvSlideScene #cs-grids > Static { width: auto; }
    ConvSlideScene #cs-side { width: 8; padding-left: 1; }
    ConvSlideScene #cs-mapbox { margin-left: 2; }
    ConvSlideScene #cs-grids { layout: vertical; }
    ConvSlideScene #cs-weights { margin-top: 1; }
    ConvSlideScene #cs-mapbox-below { margin-top: 1; }
    ConvSlideScene #cs-maps { layout: vertical; }
    ConvSlideScene .cs-mapcol { margin-bottom: 1; }
    ConvSlideScene .cs-mini { margin-right: 1; }
    ConvSlideScene.-wide #cs-top { margin-top: 1; }
    ConvSlideScene.-wide #cs-side { width: 1fr; padding-left: 2; }
    ConvSlideScene.-wide #cs-grids { layout: horizontal; margin-top: 1; }
    ConvSlideScene.-wide #cs-weights { margin-top: 0; margin-left: 2; }
    ConvSlideScene.-wide #cs-maps { layout: horizontal; margin-top: 1; }
    ConvSlideScene.-wide .cs-maprow { layout: vertical; }
    ConvSlideScene.-wide #cs-mapcol-0, ConvSlideScene.-wide #cs-mapcol-1 { margin-right: 1; }
    """

    BINDINGS = [
        Binding("k", "next_kernel", "Kernel"),
        Binding("right_curly_bracket", "jump_row(1)", "Row +", show=False),
        Binding("left_curly_bracket", "jump_row(-1)", "Row -", show=False),
        Binding("up", "move_cursor(-1, 0)", "Cursor", show=False),
        Binding("down", "move_cursor(1, 0)", "Cursor", show=False),
        Binding("a", "move_cursor(0, -1)", "Cursor", show=False),
        Binding("d", "move_cursor(0, 1)", "Cursor", show=False),
        Binding("left_square_bracket,less_than_sign", "nudge(-1)", "Lower"),
        Binding("right_square_bracket,greater_than_sign", "nudge(1)", "Raise"),
        Binding("0", "zero", "Zero", show=False),
    ]

    FRAME_SECONDS: ClassVar[float] = 0.15
    #: The exercises whose conv2d the scene can run on, and that function's name.
    LEARNER_FUNCTIONS: ClassVar[dict[str, str]] = {"conv2d-loops": "conv2d_loops",
                                                   "conv2d-fast": "conv_forward"}
    ROOMY: ClassVar[bool] = True
    #: Held back while the step's questions are open: the feature map's size and cell count
    #: (slide), the maps' shape (maps), and every sum and output of the channels example.
    HOLDS_ANSWERS: ClassVar[bool] = True

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.image: np.ndarray | None = None
        """The digit (28, 28) in 0..1, or None before loading or after a failure."""
        self.error: str = ""
        """The loader's one-line message when loading failed, else ""."""
        self.index: int = 0
        """The training image shown."""
        self.init_learner()
        self.reset_state()

    # --- parameters and state -------------------------------------------------------------------

    def reset_state(self) -> None:
        """Back to the lesson's mode, kernel, bias, digit and cursor."""
        self.mode: str = self.choice_param("mode")
        self.editable: bool = self.bool_param("editable") and self.mode == "slide"
        self.step_size = self.float_param("step_size")
        self.bias = self.float_param("bias")
        name = self.choice_param("kernel")
        self.kernel_name: str = name
        self.kernel: np.ndarray = self._initial_kernel()
        if "kernel" in self.params and self.kernel_name in KERNELS:
            start = KERNEL_ORDER.index(self.kernel_name)
            self.maps_names = tuple(KERNEL_ORDER[(start + i) % len(KERNEL_ORDER)] for i in range(3))
        else:
            self.maps_names = MAPS_DEFAULT
        self.cursor: tuple[int, int] = (2, 2)
        self.edited: np.ndarray | None = self.kernel.copy() if self.kernel_name == "custom" else None
        """The learner's own kernel, kept when `k` moves on to a named one (None before editing)."""
        self.refused_new: bool = False
        """`k` was pressed in the channels view while its question was open (and did nothing)."""
        self.channels = self.int_param("channels")
        self.seed = self.int_param("seed")
        self._make_toy()
        self.index = self.int_param("index")
        if self.image is not None or self.error or self.is_mounted:
            self.load()

    def _initial_kernel(self) -> np.ndarray:
        """The lesson's kernel (5, 5): a named one, or the `weights` list for "custom"."""
        if self.kernel_name in KERNELS:
            return np.array(KERNELS[self.kernel_name], dtype=np.float64)
        weights = np.asarray(self.numbers_param("weights"), dtype=np.float64)
        if weights.size != 25:
            weights = np.zeros(25)
        return weights.reshape(5, 5)

    def load(self) -> None:
        """Load the digit (the cache makes this cheap) and compute the maps."""
        if self.mode == "channels":
            self.error = ""
            self._start_learner()
            return
        self.image, self.index, self.error = load_digit(self.index)
        self._compute()

    def _compute(self) -> None:
        """Compute the full 24x24 map(s) once; frames only reveal them. On the learner's
        conv2d, also start computing them with it (`shown_map`, `shown_maps`)."""
        self.map = np.zeros((24, 24))
        self.maps = [np.zeros((24, 24))] * 3
        if self.image is None:
            return
        if self.mode == "maps":
            self.maps = [conv2d_loop(self.image, KERNELS[n]) for n in self.maps_names]
        else:
            self.map = conv2d_loop(self.image, self.kernel, self.bias)  # (24, 24)
        self._start_learner()

    # --- the learner's conv2d ---------------------------------------------------------------------

    def _start_learner(self) -> None:
        """Run the learner's conv2d on the digit with the kernel(s) shown, in the sandbox: one
        call with F = 1 filter (slide) or the three (maps); in the channels view, on the toy
        input (`learner_child.conv_channels`: each channel's sums and the output). Without a
        passed exercise, nothing starts."""
        self.learner_value = None
        if (self.mode != "channels" and self.image is None) or not self.learner_function:
            self.learner.stop()
            return
        if self.mode == "channels":
            self.start_learner_call("recipe:conv_channels", self.learner_function,
                                    self.toy_x, self.toy_w, self.toy_b)
            return
        if self.mode == "maps":
            w = np.array([KERNELS[n] for n in self.maps_names], dtype=np.float64)[:, None]
            b = np.zeros(3)
        else:
            w = np.array(self.kernel, dtype=np.float64)[None, None]
            b = np.array([self.bias], dtype=np.float64)
        self.start_learner_call("recipe:conv_maps", self.learner_function, self.image[None, None], w, b, 1, 0)

    def learner_changed(self) -> None:
        """The exercise's status or file changed: compute with the learner's conv2d (or not)."""
        self._start_learner()
        self.redraw()

    def on_unmount(self) -> None:
        """A running call of the learner's code is stopped (its child killed)."""
        self.stop_learner()

    @property
    def shown_maps(self) -> list[np.ndarray]:
        """The maps drawn: the learner's when their conv2d gave them, else the reference's."""
        value = self.learner_value
        if isinstance(value, np.ndarray) and self.learner.active:
            if self.mode == "maps" and value.shape[1] == 3:
                return [value[0, f] for f in range(3)]
            if self.mode == "slide" and value.shape[1] == 1:
                return [value[0, 0]]
        return self.maps if self.mode == "maps" else [self.map]

    @property
    def shown_map(self) -> np.ndarray:
        """The slide view's map (24, 24), the learner's when they computed it."""
        return self.shown_maps[0] if self.mode == "slide" else self.map

    @property
    def shown_toy(self) -> ToyChannels:
        """The channels view's numbers: each channel's sums and the output map from the
        learner's conv2d when it gave them, else the reference's (`toy`)."""
        value = self.learner_value
        if (self.mode == "channels" and isinstance(value, dict) and self.learner.active
                and np.shape(value.get("parts")) == self.toy.parts.shape
                and np.shape(value.get("out")) == self.toy.out.shape):
            return replace(self.toy, parts=value["parts"], out=value["out"])
        return self.toy

    def _make_toy(self) -> None:
        """The channels mode's numbers (`tutor.engines.conv.toy_channels`)."""
        toy = self.toy = toy_channels(self.seed, self.channels)
        self.toy_x, self.toy_w, self.toy_b, self.toy_parts, self.toy_out = toy.x, toy.w, toy.b, toy.parts, toy.out

    @property
    def map_shape(self) -> tuple[int, int]:
        """Rows and columns of the output map the frames walk through."""
        return (3, 3) if self.mode == "channels" else (24, 24)

    @property
    def total_frames(self) -> int:
        """One frame per output cell (none without data)."""
        if self.mode != "channels" and self.image is None:
            return 0
        rows, cols = self.map_shape
        return rows * cols

    @property
    def initial_position(self) -> int:
        """Slide and channels start with nothing computed (or at the lesson's `cell`); maps full."""
        if self.mode == "maps":
            return self.total_frames
        cell = self.numbers_param("cell")
        if cell is not None and self.total_frames:
            rows, cols = self.map_shape
            r = max(0, min(rows - 1, int(cell[0])))
            c = max(0, min(cols - 1, int(cell[1])))
            return r * cols + c + 1
        return 0

    def current_cell(self, position: int | None = None) -> tuple[int, int] | None:
        """The output cell computed last at frame `position` (None at frame 0)."""
        position = self.position if position is None else position
        if position <= 0:
            return None
        return divmod(min(position, self.total_frames) - 1, self.map_shape[1])

    def cell_record(self, position: int | None = None) -> CellRecord | None:
        """The engine's CellRecord of the current cell (slide mode), or None at frame 0."""
        cell = self.current_cell(position)
        if cell is None or self.image is None:
            return None
        record = conv_cell(self.image, self.kernel, cell[0], cell[1], bias=self.bias)
        if self.on_learner_code and self.mode == "slide":  # the cell as their conv2d wrote it
            record = replace(record, output=float(self.shown_map[cell]))
        return record

    # --- widgets --------------------------------------------------------------------------------

    def on_mount(self) -> None:
        """Load the data before the base class shows the first frame."""
        if self.image is None and self.mode != "channels":
            self.load()

    def compose(self) -> ComposeResult:
        yield Static(id="cs-learner")
        yield Static(id="cs-status")
        with Horizontal(id="cs-top"):
            yield HalfBlockImage(id="cs-digit", vmin=0.0, vmax=1.0)
            with Vertical(id="cs-side"):
                yield Static(id="cs-side-head")
                yield HalfBlockImage(id="cs-side-kernel", palette="diverging")
                yield Static(id="cs-side-sum")
            with Vertical(id="cs-mapbox"):
                yield Static(id="cs-map-label")
                yield FeatureMapImage(id="cs-map", palette="diverging")
        yield Static(id="cs-sum")
        with Horizontal(id="cs-grids"):
            yield Static(id="cs-products")
            yield Static(id="cs-weights")
        with Vertical(id="cs-mapbox-below"):
            yield Static(id="cs-map-label-below")
            yield FeatureMapImage(id="cs-map-below", palette="diverging")
        with Horizontal(id="cs-maps"):
            for i in range(3):
                with Vertical(classes="cs-mapcol", id=f"cs-mapcol-{i}"):
                    yield Static(id=f"cs-maps-label-{i}")
                    with Horizontal(classes="cs-maprow"):
                        yield HalfBlockImage(id=f"cs-maps-kernel-{i}", palette="diverging",
                                             classes="cs-mini")
                        yield FeatureMapImage(id=f"cs-maps-map-{i}", palette="diverging")
        yield Static(id="cs-channels")

    @property
    def wide(self) -> bool:
        """Whether the scene has room to put the digit and its map side by side."""
        return self.has_class("-wide")

    def on_resize(self, event: Resize) -> None:
        """Digit and map side by side when there is room, stacked otherwise."""
        self._show_learner()  # one row at any width: it drops the file's name where narrow
        wide = self.content_size.width >= WIDE_WIDTH
        if wide != self.wide:
            self.set_class(wide, "-wide")
            self.redraw()

    # --- actions --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Editing keys exist only on an editable scene; row jumps only where there are rows."""
        if action in ("move_cursor", "nudge", "zero"):
            return self.editable
        if action == "jump_row":
            return self.mode != "channels"
        return True

    def kernel_cycle(self) -> tuple[str, ...]:
        """The kernels `k` steps through in the slide view: the named ones, then the learner's own
        edited kernel once there is one, so that `k` never throws edits away."""
        return KERNEL_ORDER + (("custom",) if self.edited is not None else ())

    def action_next_kernel(self) -> None:
        """`k`: the next kernel (slide; edited weights are kept and come round again), shift the
        three kernels (maps), new numbers (channels; not while the step's question is open, since
        it asks about these numbers)."""
        if self.mode == "channels":
            if self.holding:
                self.refused_new = True
                self.redraw()
                return
            self.refused_new = False
            self.seed += 1
            self._make_toy()
            self._start_learner()
        elif self.mode == "maps":
            start = (KERNEL_ORDER.index(self.maps_names[0]) + 1) % len(KERNEL_ORDER)
            self.maps_names = tuple(KERNEL_ORDER[(start + i) % len(KERNEL_ORDER)] for i in range(3))
            self._compute()
        else:
            if self.kernel_name == "custom":
                self.edited = self.kernel.copy()
            cycle = self.kernel_cycle()
            nxt = (cycle.index(self.kernel_name) + 1) % len(cycle) if self.kernel_name in cycle else 0
            self.kernel_name = cycle[nxt]
            source = self.edited if self.kernel_name == "custom" else KERNELS[self.kernel_name]
            self.kernel = np.array(source, dtype=np.float64)
            self._compute()
        self.redraw()

    def action_jump_row(self, direction: int) -> None:
        """`{`/`}`: a whole row of cells (24 frames) back or forward."""
        self.playing = False
        step = self.map_shape[1] * direction
        self.position = max(0, min(self.total_frames, self.position + step))

    def action_move_cursor(self, d_row: int, d_col: int) -> None:
        """Move the editing cursor over the 5x5 weights; row 5 is the bias."""
        row, col = self.cursor
        row = (row + d_row) % 6
        col = (col + d_col) % 5
        self.cursor = (row, col)
        self.redraw()

    def action_nudge(self, direction: int) -> None:
        """Lower or raise the weight (or bias) under the cursor by one step."""
        row, col = self.cursor
        if row == 5:
            self.set_bias(self.bias + direction * self.step_size)
        else:
            self.set_weight(row, col, float(self.kernel[row, col]) + direction * self.step_size)

    def action_zero(self) -> None:
        """Set the weight (or bias) under the cursor to 0."""
        row, col = self.cursor
        if row == 5:
            self.set_bias(0.0)
        else:
            self.set_weight(row, col, 0.0)

    def set_weight(self, row: int, col: int, value: float) -> None:
        """Change one weight of the kernel (it becomes "custom") and recompute the map."""
        self.kernel = np.array(self.kernel, dtype=np.float64)
        self.kernel[row, col] = round(max(-WEIGHT_LIMIT, min(WEIGHT_LIMIT, value)), 6)
        self.kernel_name = "custom"
        self.edited = self.kernel.copy()
        self._compute()
        self.redraw()

    def set_bias(self, value: float) -> None:
        """Change the shared bias and recompute the map."""
        self.bias = round(max(-WEIGHT_LIMIT, min(WEIGHT_LIMIT, value)), 6)
        self._compute()
        self.redraw()

    # --- drawing --------------------------------------------------------------------------------

    #: The widgets each mode shows, narrow and wide; every other part is hidden.
    PARTS: ClassVar[dict[tuple[str, bool], tuple[str, ...]]] = {
        ("slide", False): ("cs-top", "cs-side", "cs-side-kernel", "cs-side-sum", "cs-grids",
                           "cs-mapbox-below"),
        ("slide", True): ("cs-status", "cs-top", "cs-mapbox", "cs-sum", "cs-grids"),
        ("maps", False): ("cs-status", "cs-maps"),
        ("maps", True): ("cs-status", "cs-top", "cs-side", "cs-maps"),
        ("channels", False): ("cs-status", "cs-channels"),
        ("channels", True): ("cs-status", "cs-channels"),
    }
    _ALL_PARTS: ClassVar[tuple[str, ...]] = (
        "cs-status", "cs-top", "cs-side", "cs-side-kernel", "cs-side-sum", "cs-mapbox", "cs-sum",
        "cs-grids", "cs-mapbox-below", "cs-maps", "cs-channels",
    )

    def _show_learner(self) -> None:
        """The line that says whose conv2d computed the map(s), on an exercise step only."""
        line = self.query_one("#cs-learner", Static)
        line.display, text = self.learner_text(self.content_size.width)
        line.update(text)

    def show_frame(self, position: int) -> None:
        """Draw the current mode at frame `position`."""
        self._show_learner()
        failed = self.mode != "channels" and self.image is None
        shown = ("cs-status",) if failed else self.PARTS[(self.mode, self.wide)]
        for part in self._ALL_PARTS:
            self.query_one(f"#{part}").display = part in shown
        status = self.query_one("#cs-status", Static)
        if failed:
            status.update(data_failure_text(self.error))
            return
        {"slide": self._show_slide, "maps": self._show_maps, "channels": self._show_channels}[self.mode](position)

    def _show_digit(self, cell: tuple[int, int] | None) -> None:
        """The digit with the 5x5 window of `cell` marked (the first window at frame 0)."""
        digit = self.query_one("#cs-digit", HalfBlockImage)
        _set_data(digit, self.image)
        row, col = cell if cell is not None else (0, 0)
        digit.highlight = (row, col, 5, 5)

    def _show_map(self, widget: FeatureMapImage, values: np.ndarray, position: int) -> None:
        """Put `values` (24, 24) in `widget`, revealing `position` cells, marking the current one."""
        if _set_data(widget, values):
            limit = float(np.max(np.abs(values))) or 1.0
            widget.vmin, widget.vmax = -limit, limit
        cell = self.current_cell(position)
        mark = None if cell is None or position >= self.total_frames else (cell[0], cell[1], 1, 1)
        widget.reveal(min(position, values.size), mark)

    def _show_slide(self, position: int) -> None:
        cell = self.current_cell(position)
        record = self.cell_record(position)
        self._show_digit(cell)
        # wide: a status line, the map beside the digit, the sum under both
        status = Text()
        status.append(f"kernel: {self.kernel_name}", style="bold")
        status.append("  (k: next)\n", style="dim")
        status.append(KERNEL_NOTES.get(self.kernel_name, ""), style="dim italic")
        if cell is not None:
            status.append(f"\ncell ({cell[0]},{cell[1]}): window rows {cell[0]}-{cell[0] + 4}, "
                          f"cols {cell[1]}-{cell[1] + 4}")
        else:
            status.append("\nnothing computed yet: . computes cell (0,0)", style="italic")
        self.query_one("#cs-status", Static).update(status)
        if self.holding:  # the map's size and cell count are what the step asks
            label = Text("feature map ?x?", style="bold")
            label.append(f"  {min(position, self.total_frames)}/?", style="dim")
        else:
            label = Text("feature map 24x24", style="bold")
            label.append(f"  {min(position, self.total_frames)}/{self.total_frames}", style="dim")
        for suffix in ("", "-below"):
            self.query_one(f"#cs-map-label{suffix}", Static).update(label)
            self._show_map(self.query_one(f"#cs-map{suffix}", FeatureMapImage), self.shown_map, position)
        self.query_one("#cs-sum", Static).update(texts.cell_sum(record))
        # narrow: a side column beside the digit says the same in 7 columns
        cursor = self.cursor if self.editable else None
        self.query_one("#cs-side-head", Static).update(texts.side_head(self.kernel_name))
        _set_data(self.query_one("#cs-side-kernel", HalfBlockImage), self.kernel)
        self.query_one("#cs-side-sum", Static).update(texts.side_sum(record, cursor, self.kernel, self.bias))
        self.query_one("#cs-products", Static).update(texts.products(record, cursor, self.wide))
        self.query_one("#cs-weights", Static).update(texts.weights(self.kernel, self.bias, cursor))

    def _show_maps(self, position: int) -> None:
        cell = self.current_cell(position)
        finished = position >= self.total_frames
        status = Text()
        status.append("3 kernels, 3 feature maps" if not self.wide else
                      "three kernels, three feature maps", style="bold")
        status.append("  k: shift", style="dim")
        if not self.wide:
            status.append("\n")
            status.append(texts.maps_cell_line(cell, finished, self.total_frames, self.holding))
        self.query_one("#cs-status", Static).update(status)
        self._show_digit(cell)
        if finished:
            self.query_one("#cs-digit", HalfBlockImage).highlight = None
        side = Text()
        side.append(texts.maps_cell_line(cell, finished, self.total_frames, self.holding))
        if cell is not None and not finished:
            for i, (name, values) in enumerate(zip(self.maps_names, self.shown_maps)):
                side.append(f"\n{chr(ord('A') + i)} {name}: ")
                side.append(texts.num(float(values[cell])), style="bold")
        side.append("\n\nSame digit, three filters: each map lights up where its own "
                    "pattern is.", style="dim")
        self.query_one("#cs-side-head", Static).update(side)
        for i, (name, values) in enumerate(zip(self.maps_names, self.shown_maps)):
            label = Text(f"{chr(ord('A') + i)}: {name}", style="bold")
            self.query_one(f"#cs-maps-label-{i}", Static).update(label)
            _set_data(self.query_one(f"#cs-maps-kernel-{i}", HalfBlockImage), KERNELS[name])
            self._show_map(self.query_one(f"#cs-maps-map-{i}", FeatureMapImage), values, position)

    def _show_channels(self, position: int) -> None:
        cell = self.current_cell(position)
        status = Text()
        status.append(f"{self.channels} channels, a 3x3 kernel each", style="bold")
        if self.holding:  # the open question asks about these very numbers
            status.append("  k: new numbers once you have answered",
                          style="bold" if self.refused_new else "dim")
        else:
            status.append("  k: new", style="dim")
        self.query_one("#cs-status", Static).update(status)
        self.query_one("#cs-channels", Static).update(
            texts.channels(self.shown_toy, cell, min(position, self.total_frames), self.holding))
