"""Scene "feature-maps": what a trained LeNet-5 learned, looked at through one test digit.

The network is the shipped LeNet-5 or, with ``source = "mine"``, the learner's own model saved
by training (both found by `tutor.models.find_model`), falling back to the shipped one with a
note. The test digits come from `tutor.data` (read once per process).
For the test digit of the current frame, `Model.feature_maps` gives every layer's output.
Views, cycled with `v`:

* ``filters``: the six 5x5 C1 filters as signed heatmaps (diverging: red positive, blue
  negative; in shade mode ``░▒▓█`` positive and ``·-=≡`` negative), each beside the feature map
  it makes from the digit (tanh outputs, -1 to 1 on the same scale);
* ``c3``: the sixteen 10x10 C3 maps, and the digit when there is room;
* ``probs``: the digit and the ten output probabilities as bars, the top guess marked ``◀``;
* ``mistakes``: the test digits the network gets wrong (the first MAX_MISTAKES of the 10,000),
  one per frame, with what it thought; `o` opens the mistake in the other views;
* ``confusion``: the confusion matrix (row = true digit, column = the network's answer).

Frames step through the test digits (`.` `,` `space`; `[` `]` jump by 100); in the mistakes view
they step through the mistakes. `m` switches between the shipped model and the learner's.
Reading all 10,000 test digits for the mistakes runs once per model in a thread worker and is
cached for the session (`tutor.models.evaluation`); the model keeps no per-call state, so the
worker uses the same model as the screen.

The maps are downscaled (area averaging) to whatever fits the stage
(`tutor.scenes.feature_maps_layout`); the tiles, grids and the `MapGrid` widget are
`tutor.widgets.tiles`, the bars `tutor.widgets.probability_bars`, and the confusion matrix is
drawn as in the training scene (`tutor.widgets.confusion`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.strip import Strip
from textual.widgets import Static
from textual.worker import get_current_worker

from tutor.data import class_number_and_name, digits_or_reason
from tutor.engines.evaluate import Evaluation
from tutor.engines.layers import softmax
from tutor.models import cached_evaluation, evaluation, find_model, forget_evaluations
from tutor.scenes.base import Scene
from tutor.scenes.data import DATA_WAY_FORWARD
from tutor.scenes.feature_maps_layout import choose_c3_layout, choose_filters_layout
from tutor.widgets.confusion import confusion_summary, render_confusion
from tutor.widgets.probability_bars import horizontal_bars, top_two
from tutor.widgets.tiles import MapGrid, Tile, grid, side_by_side, tile_lines

#: The views in the order `v` cycles through them.
VIEWS: tuple[str, ...] = ("filters", "c3", "probs", "mistakes", "confusion")

#: Where the network comes from.
SOURCES: tuple[str, ...] = ("shipped", "mine")

#: The mistakes view steps through at most this many misclassified test digits.
MAX_MISTAKES = 100

#: How far `[` and `]` jump through the test digits.
JUMP = 100

#: Content width (cells) from which the scene writes its longer explanations.
WIDE_WIDTH = 60

#: How to go on without a network (added when the loader's message does not say it already).
MODEL_WAY_FORWARD = (
    "Reinstall dl-tutor (pip install --force-reinstall dl-tutor) to restore them, or train your "
    "own with `dl-tutor train lenet` and press s."
)



# --- networks ---------------------------------------------------------------------------------


def load_network(source: str, xp: Any = np) -> tuple[Any, str, str, str]:
    """The network for `source` ("shipped" or "mine"), found by `tutor.models.find_model`.

    Returns:
        ``(model or None, which ("shipped" / "mine" / ""), note, error)``: `note` says why
        "mine" fell back to the shipped model; `error` says why there is no model at all.
    """
    found = find_model("lenet", xp, saved=source == "mine", shipped_way_forward=MODEL_WAY_FORWARD)
    if found.source == "saved":
        return found.model, "mine", "", ""
    note = ""
    if source == "mine":
        if found.saved_error:
            why = f"your model cannot be used ({found.saved_error})"
        else:
            why = "you have not trained a LeNet-5 yet (train-lenet lesson, or `dl-tutor train lenet`)"
        note = f"{why[0].upper()}{why[1:]}: showing the shipped LeNet-5."
    if found.model is None:
        error = found.shipped_error
        return None, "", note, error[:1].upper() + error[1:]
    return found.model, "shipped", note, ""


def clear_cache() -> None:
    """Forget every cached evaluation (tests; a freshly trained model)."""
    forget_evaluations()


# --- the scene ---------------------------------------------------------------------------------


def describe_guess(probs: np.ndarray, label: int | None, wide: bool = True, name: Any = str) -> Text:
    """``guess 7 99% ✓ right`` or ``guess 5 73% ✗ wrong``: right and wrong marked by ✓/✗ too;
    `name(k)` writes class k ("7", or "7 Sneaker" for a set that names its classes)."""
    first = top_two(probs)[0]
    text = Text(no_wrap=True)
    text.append("guess ")
    text.append(f"{name(first)}", style="bold reverse")
    text.append(f" {100 * probs[first]:.0f}%", style="bold")
    if label is not None:
        right = first == label
        text.append(" ✓" if right else " ✗", style="bold")
        if wide:
            text.append(" right" if right else " wrong", style="bold")
    return text


class FeatureMapsScene(Scene):
    """Look inside a trained LeNet-5: filters, feature maps, probabilities and its mistakes."""

    HELP = """\
**What the network learned.** A test digit goes through the trained LeNet-5 and you see what
each part makes of it.

- `v` switches the view: the six C1 filters beside the maps they make (red/`░▒▓█` positive,
  blue/`·-=≡` negative), the sixteen C3 maps, the ten output probabilities, the mistakes, and
  the confusion matrix.
- `.` and `,` step to the next or previous test digit, `[` and `]` jump by 100, `space` plays
  a slideshow, `r` goes back to the lesson's digit.
- In the mistakes view `.` and `,` step through the misclassified digits; `o` opens one in the
  other views.
- `m` switches between the shipped network and your own (saved by training).
"""

    #: Held back while the step's questions are open: the size of the C1 maps written out.
    HOLDS_ANSWERS = True

    DEFAULT_CSS = """
    FeatureMapsScene > Static { height: auto; }
    FeatureMapsScene #fm-status { text-wrap: nowrap; text-overflow: ellipsis; }
    FeatureMapsScene.-wide #fm-grid { margin-top: 1; }
    FeatureMapsScene #fm-text { height: auto; }
    """

    BINDINGS = [
        Binding("v", "next_view", "View"),
        Binding("m", "switch_source", "Model", show=False),
        Binding("o", "open_mistake", "Open", show=False),
        Binding("left_square_bracket", "jump(-1)", "-100", show=False),
        Binding("right_square_bracket", "jump(1)", "+100", show=False),
    ]

    ROOMY = True

    FRAME_SECONDS = 1.2

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.model: Any = None
        """The network (a `Model`, or anything with `feature_maps` and `predict_proba`), or None."""
        self.which: str = ""
        """Which network is shown: "shipped", "mine" or "" (none)."""
        self.note: str = ""
        """Why the learner's model is not shown (it fell back to the shipped one), or ""."""
        self.model_error: str = ""
        """Why there is no network at all, or ""."""
        self.digits: Any = None
        """The MNIST digits, or None."""
        self.data_error: str = ""
        """Why the digits could not be loaded, or ""."""
        self.evaluation: Evaluation | None = None
        """The network's answers on the whole test set, once computed."""
        self.maps: dict[str, np.ndarray] = {}
        """The feature maps of the digit shown (layer name -> array)."""
        self._maps_for: int | None = None
        self.reset_state()

    # --- parameters and loading ---------------------------------------------------------------

    def reset_state(self) -> None:
        """Back to the lesson's view, source and digit."""
        self.view: str = self.choice_param("view", VIEWS)
        self.source: str = self.choice_param("source", SOURCES)
        self.start = self.int_param("index")
        self._digit_position = self.start
        self._mistake_position = 0
        if self.is_mounted and (self.which != self.source or self.model is None or self.digits is None):
            self.load()

    def load(self) -> None:
        """Load the network for `source` and the digits (once each)."""
        self.model, self.which, self.note, self.model_error = load_network(self.source, self.xp)
        if self.model is not None and self.source == "mine" and self.which == "shipped" and not self.note:
            self.note = "Showing the shipped LeNet-5."
        self.evaluation = cached_evaluation(self.model)
        self._maps_for = None
        if self.digits is None:
            self.digits, self.data_error = digits_or_reason()

    def class_text(self, k: int) -> str:
        """Class `k` as the status lines write it: "7" for digits, "7 Sneaker" for a data set
        that names its classes (the bars and thumbnails keep the bare numbers)."""
        return class_number_and_name(self.digits, k)

    @property
    def count(self) -> int:
        """How many test digits there are (0 without data)."""
        return 0 if self.digits is None else len(self.digits.test_images)

    def on_mount(self) -> None:
        """Load the network and the digits before the first frame is drawn."""
        self.load()

    # --- frames -------------------------------------------------------------------------------

    @property
    def mistakes(self) -> np.ndarray:
        """Indices of the first MAX_MISTAKES misclassified test digits (empty until computed)."""
        if self.evaluation is None:
            return np.zeros(0, dtype=np.int64)
        return self.evaluation.wrong[:MAX_MISTAKES]

    @property
    def total_frames(self) -> int:
        """Digits: one frame per test digit; mistakes: one per mistake; confusion: none."""
        if self.model is None or self.digits is None:
            return 0
        if self.view == "mistakes":
            return max(0, len(self.mistakes) - 1)
        if self.view == "confusion":
            return 0
        return self.count - 1

    @property
    def initial_position(self) -> int:
        """The lesson's digit in the digit views, the first mistake otherwise."""
        if self.view in ("mistakes", "confusion"):
            return 0
        return min(self.start, max(0, self.total_frames))

    def _remember(self) -> None:
        if self.view == "mistakes":
            self._mistake_position = self.position
        elif self.view != "confusion":
            self._digit_position = self.position

    # --- actions ------------------------------------------------------------------------------

    def action_next_view(self) -> None:
        """`v`: the next view, each remembering where it was."""
        self.playing = False
        self._remember()
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        if self.view in ("mistakes", "confusion"):
            self.ensure_evaluation()
        target = {"mistakes": self._mistake_position, "confusion": 0}.get(self.view, self._digit_position)
        self.go_to(target)

    def action_switch_source(self) -> None:
        """`m`: the shipped network ↔ the learner's own."""
        self.playing = False
        self._remember()
        self.source = "mine" if self.source == "shipped" else "shipped"
        self.load()
        if self.view in ("mistakes", "confusion"):
            self.ensure_evaluation()
        self.go_to(self.position)

    def action_open_mistake(self) -> None:
        """`o` in the mistakes view: show that digit's filters and maps."""
        if self.view != "mistakes" or not len(self.mistakes):
            return
        self.playing = False
        self._mistake_position = self.position
        self._digit_position = int(self.mistakes[min(self.position, len(self.mistakes) - 1)])
        self.view = "filters"
        self.go_to(self._digit_position)

    def action_jump(self, direction: int) -> None:
        """`[`/`]`: 100 digits back or forward (digit views only)."""
        if self.view in ("mistakes", "confusion") or self.model is None:
            return
        self.playing = False
        self.go_to(self.position + direction * JUMP)

    # --- the whole test set, in a thread ----------------------------------------------------

    def ensure_evaluation(self) -> None:
        """Start reading the test set in a thread unless it is done (or running)."""
        if self.model is None or self.digits is None:
            return
        cached = cached_evaluation(self.model)
        if cached is not None:
            self.evaluation = cached
            return
        if any(w.name == "fm-evaluate" and not w.is_finished for w in self.workers):
            return
        model = self.model
        images, labels = self.digits.test_images, self.digits.test_labels

        def run() -> None:
            worker = get_current_worker()
            result = evaluation(model, images, labels, cancelled=lambda: worker.is_cancelled)
            if result is not None and not worker.is_cancelled:
                self.app.call_from_thread(self._evaluated, model, result)

        self.run_worker(run, name="fm-evaluate", thread=True, exclusive=True, group="fm-evaluate")

    def _evaluated(self, model: Any, result: Evaluation) -> None:
        """Back on the UI thread: show the result (`tutor.models.evaluation` cached it)."""
        if model is self.model:
            self.evaluation = result
            self.go_to(self.position)

    # --- drawing ------------------------------------------------------------------------------

    @property
    def stage_width(self) -> int:
        """The content width to draw in (36 before the first layout)."""
        return self.content_size.width if self.is_attached and self.content_size.width else 36

    @property
    def stage_height(self) -> int:
        """Rows inside the scene's border that the holder shows (19 before the first layout)."""
        parent = self.parent if self.is_attached else None
        height = getattr(getattr(parent, "size", None), "height", 0) or 0
        return max(8, height - 2) if height else 19

    def compose(self) -> ComposeResult:
        yield Static(id="fm-status")
        yield MapGrid(id="fm-grid")
        yield Static(id="fm-text")

    def on_resize(self) -> None:
        """Lay the maps out again for the new size."""
        self.redraw()

    def digit_index(self, position: int) -> int | None:
        """The test digit shown at frame `position` of the current view (None: none)."""
        if self.digits is None:
            return None
        if self.view == "mistakes":
            mistakes = self.mistakes
            return int(mistakes[min(position, len(mistakes) - 1)]) if len(mistakes) else None
        if self.view == "confusion":
            return None
        return max(0, min(position, self.count - 1))

    def feature_maps(self, index: int) -> dict[str, np.ndarray]:
        """Every layer's output for test digit `index` (cached for the digit shown)."""
        if self._maps_for != index:
            self.maps = {k: np.asarray(v) for k, v in self.model.feature_maps(self.digits.test_images[index]).items()}
            self._maps_for = index
        return self.maps

    def show_frame(self, position: int) -> None:
        """Draw the current view for frame `position`."""
        status = self.query_one("#fm-status", Static)
        grid_widget = self.query_one("#fm-grid", MapGrid)
        text = self.query_one("#fm-text", Static)
        if self.model is None or self.digits is None:
            grid_widget.display = False
            message = Text()
            if self.model is None:
                message.append("No LeNet-5 to look inside. ", style="bold")
                message.append(self.model_error)
            else:
                message.append("The MNIST test digits could not be loaded. ", style="bold")
                message.append(f"{self.data_error} {DATA_WAY_FORWARD}")
            status.update(Text(self.view, style="bold"))
            text.update(message)
            return
        self.set_class(self.wide, "-wide")
        index = self.digit_index(position)
        status.update(self._status(index))
        drawer = {
            "filters": self._show_filters,
            "c3": self._show_c3,
            "probs": self._show_probs,
            "mistakes": self._show_mistake,
            "confusion": self._show_confusion,
        }[self.view]
        painter, words = drawer(index)
        grid_widget.display = painter is not None
        grid_widget.painter = painter
        if self.note:
            words = Text.assemble(words, "\n" if words.plain else "", (self.note, "dim"))
        text.update(words)

    @property
    def wide(self) -> bool:
        """Whether the stage has room for the longer texts."""
        return self.stage_width >= WIDE_WIDTH

    def _status(self, index: int | None) -> Text:
        """The first line: the digit and the network's answer (and the view on a wide stage)."""
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.wide:
            text.append(f"{self.view}  ", style="bold")
        if index is not None:
            label = int(self.digits.test_labels[index])
            probs = softmax(np.asarray(self.feature_maps(index)["output"], dtype=np.float64)[None])[0]
            text.append(f"test #{index}: a {self.class_text(label)} · ")
            text.append_text(describe_guess(probs, label, self.wide, self.class_text))
        elif self.view == "confusion" and self.evaluation is not None:
            text.append(f"{self.evaluation.accuracy:.2%} of {self.count:,} right", style="bold")
        if self.wide:
            text.append("  (v: view)", style="dim")
        return text

    def _room(self, reserved: int) -> tuple[int, int]:
        """(width, height) left for the maps after `reserved` rows of text."""
        return self.stage_width, max(4, self.stage_height - reserved)

    def _show_filters(self, index: int | None) -> tuple[Any, Text]:
        maps = self.feature_maps(index)
        weights = np.asarray(_host(self.model.params["C1.w"]))[:, 0]  # (6, 5, 5)
        limit = float(np.max(np.abs(weights))) or 1.0
        width, height = self._room(4 if self.wide else 2)
        layout = choose_filters_layout(width, height)
        c1 = maps["C1"]

        def paint(mode: str) -> list[Strip]:
            pairs = []
            for k in range(6):
                filt = tile_lines(Tile(weights[k], f"#{k + 1}", vmin=-limit, vmax=limit, scale=layout.scale, bold=True), mode)
                fmap = tile_lines(Tile(c1[k], "", vmin=-1.0, vmax=1.0, size=layout.size), mode)
                pairs.append(side_by_side([filt, fmap], 1))
            return grid(pairs, layout.columns, layout.gap, layout.row_gap)

        words = Text()
        if not self.wide:
            words.append("C1 filter #k → its map" if self.holding else "C1 filter #k → its 28x28 map", style="bold")
            words.append(f" ({layout.size}²)", style="dim")
            return paint, words
        words.append("C1: six 5x5 filters", style="bold")
        words.append(" → six ?x? maps" if self.holding else " → six 28x28 maps")
        if layout.size != 28 and not self.holding:
            words.append(f" (drawn {layout.size}x{layout.size})", style="dim")
        words.append("\nred ░▒▓█ positive, blue ·-=≡ negative; a map is strong where the digit holds its "
                     "filter's pattern", style="dim")
        return paint, words

    def _show_c3(self, index: int | None) -> tuple[Any, Text]:
        maps = self.feature_maps(index)
        c3 = maps["C3"]
        width, height = self._room(3 if self.wide else 2)
        layout = choose_c3_layout(width, height)
        show_digit = width >= layout.width + 2 + 28 and height >= 14
        image = self.digits.test_images[index]

        def paint(mode: str) -> list[Strip]:
            tiles = [tile_lines(Tile(c3[k], "", vmin=-1.0, vmax=1.0, size=layout.size if layout.size < 10 else 0,
                                     scale=2 if layout.size == 20 else 1), mode) for k in range(16)]
            block = grid(tiles, layout.columns, layout.gap, layout.row_gap)
            if show_digit:
                digit = tile_lines(Tile(image, "the digit", palette="grey", vmin=0, vmax=255), mode)
                return side_by_side([digit, block], 2)
            return block

        words = Text()
        words.append("C3: sixteen 10x10 maps", style="bold")
        if layout.size != 10:
            words.append(f" (drawn {layout.size}²)", style="dim")
        if self.wide:
            words.append(", each mixing all six S2 maps: less like the digit, more like its parts", style="dim")
        return paint, words

    def _digit_and_bars(self, index: int, probs: np.ndarray) -> Any:
        """A painter: the digit beside the ten probability bars, sized to the stage."""
        width = self.stage_width
        image = self.digits.test_images[index]
        full = width >= 28 + 2 + 31
        size = 0 if full else 14
        bar_width = 20 if full else max(4, min(20, width - 14 - 2 - 11))
        bars = horizontal_bars(probs, bar_width)

        def paint(mode: str) -> list[Strip]:
            digit = tile_lines(Tile(image, "", palette="grey", vmin=0, vmax=255, size=size), mode)
            lines = [Strip(list(line.render(_console())), line.cell_len) for line in bars.split("\n")]
            return side_by_side([digit, lines], 2)

        return paint

    def _show_probs(self, index: int | None) -> tuple[Any, Text]:
        probs = softmax(np.asarray(self.feature_maps(index)["output"], dtype=np.float64)[None])[0]
        label = int(self.digits.test_labels[index])
        first, second = top_two(probs)
        words = Text()
        if self.wide:
            words.append("softmax of the 10 output scores: ", style="bold")
        words.append(f"{100 * probs[first]:.1f}% for {self.class_text(first)}", style="bold")
        words.append(f", next {self.class_text(second)} at {100 * probs[second]:.1f}%")
        words.append(f"; label {self.class_text(label)}")
        return self._digit_and_bars(index, probs), words

    def _show_mistake(self, index: int | None) -> tuple[Any, Text]:
        if self.evaluation is None:
            self.ensure_evaluation()
            return None, Text(f"Reading all {self.count:,} test digits to find the mistakes (once)…", style="bold")
        wrong = self.evaluation.wrong
        if index is None:
            return None, Text(f"No mistakes: all {self.count:,} test digits are read right.", style="bold")
        probs = self.evaluation.probs[index]
        label = int(self.digits.test_labels[index])
        guess = int(self.evaluation.predictions[index])
        position = min(self.position, len(self.mistakes) - 1)
        words = Text()
        words.append(f"a {self.class_text(label)} read as {self.class_text(guess)}", style="bold")
        words.append(f" ({100 * probs[label]:.0f}% for {label})")
        words.append(f"\nmistake {position + 1} of the first {len(self.mistakes)}", style="bold" if self.wide else "")
        words.append(f"; {len(wrong):,} in all, {self.evaluation.accuracy:.2%} right" if self.wide else f" of {len(wrong):,}")
        if self.wide:
            words.append(" · o: look inside", style="dim")
        painter = self._digit_and_bars(index, probs)
        following = [int(i) for i in self.mistakes[position + 1 :]]
        count = (self.stage_width + 2) // 16
        if self.wide and following and self._room(19)[1] >= 9 and count:
            shown = following[:count]
            thumbs = [(self.digits.test_images[i], f"{int(self.digits.test_labels[i])}→{int(self.evaluation.predictions[i])}")
                      for i in shown]
            first_painter = painter

            def painter(mode: str) -> list[Strip]:
                top = first_painter(mode)
                row = [tile_lines(Tile(img, text, palette="grey", vmin=0, vmax=255, size=14), mode) for img, text in thumbs]
                caption = Strip([Segment("the next mistakes (label→answer):", Style(dim=True))])
                return top + [Strip.blank(0), caption] + side_by_side(row, 2)

        return painter, words

    def _show_confusion(self, index: int | None) -> tuple[Any, Text]:
        if self.evaluation is None:
            self.ensure_evaluation()
            return None, Text(f"Reading all {self.count:,} test digits (once)…", style="bold")
        matrix = self.evaluation.confusion
        color = not getattr(self.app, "no_color", False)
        table = render_confusion(matrix, width=self.stage_width, color=color)
        names = getattr(getattr(self.digits, "info", None), "class_names", None)
        return None, Text.assemble(table, "\n", (confusion_summary(matrix, names), "dim"))


def _host(array: Any) -> np.ndarray:
    """A NumPy copy of a parameter (it may live on a GPU)."""
    from tutor.backend import to_numpy

    return np.asarray(to_numpy(array))


_CONSOLE: Any = None


def _console() -> Any:
    """A Rich console for turning Text into segments (one, made on first use)."""
    global _CONSOLE
    if _CONSOLE is None:
        import io

        from rich.console import Console

        _CONSOLE = Console(width=200, file=io.StringIO(), color_system="truecolor")
    return _CONSOLE
