"""Scene "draw-digit": draw a digit and watch a trained LeNet-5 read it, class by class.

The learner draws on a 28x28 :class:`~tutor.widgets.digit_canvas.DigitCanvas` (mouse, or the
keyboard cursor). After every change, throttled to a few updates a second, the scene

1. prepares the drawing the way MNIST's digits were prepared
   (:func:`tutor.engines.preprocess.mnist_preprocess`: crop, scale to a 20-pixel box, centre by
   centre of mass in 28x28), and shows that input "as the network sees it";
2. asks the shipped LeNet-5 (:func:`tutor.model_files.load_shipped_lenet`) for the ten class
   probabilities and draws them as text bars, the top guess marked with "◀" (and "[ ]" in the
   compact layout), never by colour alone.

`t` puts a random MNIST test digit on the canvas (seeded: the same sequence after `r`), so the
learner can watch the network read a real one. When the weights (or the model code) are missing
or damaged, one line says so and how to fix it; the canvas keeps working and the preprocessing
is still shown.

Layout: on a wide stage the bars sit beside the canvas (ten rows, one per digit); on a narrow one
(80x24) a compact vertical chart sits under the canvas so canvas and answer fit on one screen.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Static

from tutor.data import load_digits
from tutor.paths import shipped_data_dir
from tutor.engines.preprocess import PreprocessRecord, as_unit_float, mnist_preprocess
from tutor.scenes.base import Scene
from tutor.scenes.data import load_shipped_lenet_or_reason
from tutor.widgets.digit_canvas import DigitCanvas
from tutor.widgets.image import HalfBlockImage
from tutor.widgets.probability_bars import ProbabilityBars, top_two

#: At most one prediction per this many seconds while the learner draws.
THROTTLE_SECONDS = 0.2

#: Content width (cells) from which the bars go beside the canvas instead of under it.
WIDE_WIDTH = 64

#: The seed of the random test digits `t` shows.
TEST_DIGIT_SEED = 0


KEYS = (
    "mouse: drag to draw, right button erases · keys: arrows move, space pen down/up, "
    "x eraser, c clear, t test digit, m preprocessing on/off, r start again"
)
"""The key legend shown under the scene."""


def load_model(name: str = "shipped") -> tuple[Any, str]:
    """The trained network: ``(model, "")``, or ``(None, one line saying why and what to do)``."""
    model, reason = load_shipped_lenet_or_reason()
    if model is not None:
        return model, ""
    if reason.lower().startswith("the shipped"):
        return None, reason[0].upper() + reason[1:]
    return None, f"No trained LeNet-5 to ask: {reason}"


def describe(record: PreprocessRecord, preprocess: bool = True, held: bool = False) -> Text:
    """The preprocessing steps of `record` in words and numbers, for the panel by the input.

    Lines stay within 37 cells so the panel fits under the image on an 80x24 screen. With
    `preprocess` false the panel says the raw drawing goes in, and which key turns it on.
    `held`: the size the digit is scaled to is "?" (a step asks for the box).
    """
    text = Text(no_wrap=True)
    text.append("what the network sees\n", style="bold")
    if not preprocess:
        text.append("PREPROCESSING OFF", style="bold reverse")
        text.append("  m: switch it on\n")
        text.append("your drawing goes in as it is:\n")
        text.append("any size, anywhere on the canvas")
        return text
    if record.empty:
        text.append("nothing yet: the canvas is empty")
        return text
    row, col, height, width = record.bbox
    new_h, new_w = record.resized
    com_r, com_c = record.centre_of_mass
    dy, dx = record.shift
    end_r, end_c = record.final_centre
    if held:  # an MNIST test digit is already cropped to the box, so its crop says the size too
        text.append(f"1 crop   the ink box at ({row}, {col})\n")
    else:
        text.append(f"1 crop   {height}x{width} ink box at ({row}, {col})\n")
    if held:
        text.append("2 scale  -> ?x? (held until you answer)\n")
    else:
        text.append(f"2 scale  x{record.scale:.2f} -> {new_h}x{new_w}\n")
    text.append(f"3 paste  centre of mass ({com_r:.1f}, {com_c:.1f})\n")
    text.append(f"4 move   ({dy:+d}, {dx:+d}) -> ({end_r:.1f}, {end_c:.1f})\n")
    text.append("target (14, 14) · m: preprocessing off", style="dim")
    return text


class DrawDigitScene(Scene, can_focus=False):
    """Draw a digit; see it preprocessed like MNIST and the network's ten probabilities live."""

    HELP = """\
**Draw a digit.** Draw on the 28x28 canvas and watch the trained LeNet-5 answer. Before the
network sees your drawing it is prepared the way MNIST's digits were: cropped to its ink, scaled
so its larger side is 20 pixels, and moved so its centre of mass sits at the middle of 28x28.

- Mouse: drag with the left button to draw, the right button to erase.
- Keyboard (canvas focused): arrows move the cursor, `space` puts the pen down or lifts it,
  `x` does the same with the eraser, `c` clears. `n`/`p` still change the step.
- `t` puts a random MNIST test digit on the canvas; `r` goes back to how the step started.
- `m` switches the preprocessing off and on: without it the raw drawing goes in.
- The bars show the probability of each digit 0-9; the top guess is marked with ◀ (or [ ]).
"""

    #: Held back while the step's questions are open: a test digit's label, the network's guess
    #: and bars, and the size the preprocessing scales the ink to.
    HOLDS_ANSWERS = True

    DEFAULT_CSS = """
    DrawDigitScene:focus-within { border: round $accent; }
    DrawDigitScene Static { height: auto; }
    DrawDigitScene #dd-status { width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    DrawDigitScene #dd-main { height: auto; width: auto; }
    DrawDigitScene #dd-side { width: auto; height: auto; margin-left: 2; }
    DrawDigitScene #dd-message { width: 36; }
    DrawDigitScene #dd-input-row { height: auto; margin-top: 1; }
    DrawDigitScene #dd-input { margin-right: 2; }
    DrawDigitScene #dd-input-info { width: auto; }
    DrawDigitScene #dd-keys { margin-top: 1; color: $text-muted; }
    DrawDigitScene.-narrow #dd-main { layout: vertical; }
    DrawDigitScene.-narrow #dd-side { margin-left: 0; }
    DrawDigitScene.-narrow #dd-input-row { layout: vertical; }
    """

    BINDINGS = [
        Binding("t", "test_digit", "Test digit"),
        Binding("m", "toggle_preprocess", "Preprocess on/off", show=False),
    ]

    ROOMY = True

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.model: Any = None
        """The network (anything with ``predict_proba(images)``), or None when unavailable."""
        self.model_error: str = ""
        """One line saying why there is no model and what to do, or ""."""
        self.record: PreprocessRecord = mnist_preprocess(np.zeros((28, 28)))
        """The preprocessing of the current drawing."""
        self.input_image: np.ndarray = self.record.image
        """What the model is given, ``(28, 28)`` float32: preprocessed, or raw when that is off."""
        self.probs: np.ndarray | None = None
        """Class probabilities ``(10,)`` of the current drawing, or None (empty or no model)."""
        self.pen: str = "up"
        """The canvas's keyboard pen, as last reported."""
        self.test_index: int | None = None
        """Index of the MNIST test digit on the canvas, or None once the learner draws."""
        self.test_label: int | None = None
        """Its label, or None."""
        self.data_error: str = ""
        """Why the test digits could not be loaded, or ""."""
        self.predictions = 0
        """How many times the network was asked (throttling keeps this low while drawing)."""
        self._digits: Any = None
        self._test_pixels: np.ndarray | None = None
        self._pending: np.ndarray | None = None
        self._last_predict = -1e9
        self._predict_timer: Timer | None = None
        self.reset_state()

    # --- parameters ---------------------------------------------------------------------------

    def reset_state(self) -> None:
        """Back to the lesson's start: a blank canvas or its test digit; reseed `t`."""
        self.show_preprocessed = self.bool_param("show_preprocessed")
        self.preprocess = self.bool_param("preprocess")
        self.start = self.choice_param("start")
        self.start_index = self.int_param("test_index")
        self._rng = np.random.default_rng(TEST_DIGIT_SEED)
        if self.is_mounted:
            self._apply_start()

    def _apply_start(self) -> None:
        """Put the start drawing on the canvas."""
        canvas = self.query_one(DigitCanvas)
        canvas.pen = "up"
        if self.start == "test-digit" and self.show_test_digit(self.start_index):
            return
        self.test_index = self.test_label = None
        self._test_pixels = None
        canvas.clear()

    # --- model and data -----------------------------------------------------------------------

    def load(self) -> None:
        """Load the network (once); on failure remember the one-line message."""
        self.model, self.model_error = load_model(self.choice_param("model"))

    def test_digits(self) -> Any:
        """The MNIST digits (loaded on first use), or None with `data_error` set. Always the
        shipped MNIST, whatever `--data` says: the network here reads digits, not clothes."""
        if self._digits is None and not self.data_error:
            try:
                self._digits = load_digits(shipped_data_dir("mnist"))
            except Exception as exc:  # DataError, OSError: say it, keep drawing
                lines = str(exc).strip().splitlines()
                self.data_error = lines[0] if lines else type(exc).__name__
        return self._digits

    def show_test_digit(self, index: int | None = None) -> bool:
        """Put test digit `index` (a random one when None) on the canvas; False without data."""
        digits = self.test_digits()
        if digits is None:
            self._update_status()
            return False
        images = digits.test_images
        if index is None:
            index = int(self._rng.integers(len(images)))
        index = min(max(0, index), len(images) - 1)
        self.test_index, self.test_label = index, int(digits.test_labels[index])
        self._test_pixels = as_unit_float(images[index])
        self.query_one(DigitCanvas).load(images[index])
        return True

    def predict(self, pixels: np.ndarray) -> tuple[PreprocessRecord, np.ndarray, np.ndarray | None]:
        """Prepare `pixels` ``(28, 28)`` and ask the model.

        Returns:
            ``(record, input (28, 28) float32 the model is given, probs (10,) or None)``; the
            input is the preprocessed image, or the raw drawing while preprocessing is off.
            Probabilities are None for an empty canvas or without a model.
        """
        record = mnist_preprocess(pixels)
        image = record.image if self.preprocess else np.asarray(pixels, dtype=np.float32)
        if record.empty or self.model is None:
            return record, image, None
        probs = np.asarray(self.model.predict_proba(image[None]), dtype=np.float64)[0]
        return record, image, probs

    # --- composing and messages ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="dd-status")
        with Horizontal(id="dd-main"):
            yield DigitCanvas(id="dd-canvas")
            with Vertical(id="dd-side"):
                yield ProbabilityBars(id="dd-bars")
                yield Static(id="dd-message")
        with Horizontal(id="dd-input-row"):
            yield HalfBlockImage(id="dd-input", vmin=0.0, vmax=1.0)
            yield Static(id="dd-input-info")
        yield Static(KEYS, id="dd-keys")

    def on_mount(self) -> None:
        """Load the network, lay out for the width, put the start drawing on the canvas."""
        if self.model is None and not self.model_error:
            self.load()
        self._apply_start()
        self._refresh_view()

    def on_resize(self) -> None:
        """Bars beside the canvas when there is room, a compact chart under it otherwise."""
        narrow = self.size.width < WIDE_WIDTH
        self.set_class(narrow, "-narrow")
        if self.children:
            self.query_one(ProbabilityBars).orientation = "vertical" if narrow else "horizontal"

    def focus(self, scroll_visible: bool = True) -> "DrawDigitScene":
        """Focus the canvas: it takes the keys, and the scene itself is no stop for tab.

        The scene's own keys (`t`, `m`) still work, as the canvas is inside it.
        """
        canvases = self.query(DigitCanvas)
        if canvases:
            canvases.first().focus(scroll_visible=scroll_visible)
        return self

    def on_digit_canvas_changed(self, message: DigitCanvas.Changed) -> None:
        """Note the new drawing; predict now, or soon if the last prediction was just now."""
        message.stop()
        if self._test_pixels is not None and not np.array_equal(message.pixels, self._test_pixels):
            self.test_index = self.test_label = None
            self._test_pixels = None
        self._pending = message.pixels
        wait = self._last_predict + THROTTLE_SECONDS - time.monotonic()
        if wait <= 0:
            self.flush_prediction()
        elif self._predict_timer is None:
            self._predict_timer = self.set_timer(wait, self.flush_prediction)

    def on_digit_canvas_pen_changed(self, message: DigitCanvas.PenChanged) -> None:
        """Say in words whether the pen or eraser is down."""
        message.stop()
        self.pen = message.pen
        self._update_status()

    def flush_prediction(self) -> None:
        """Predict the latest drawing now (if one is waiting) and redraw."""
        self._predict_timer = None
        if self._pending is None:
            return
        pixels, self._pending = self._pending, None
        self.record, self.input_image, self.probs = self.predict(pixels)
        self._last_predict = time.monotonic()
        self.predictions += 1
        self._refresh_view()

    # --- actions ------------------------------------------------------------------------------

    def action_toggle_preprocess(self) -> None:
        """`m`: switch MNIST preprocessing off (the raw drawing goes in) or back on."""
        self.preprocess = not self.preprocess
        self._pending = self.query_one(DigitCanvas).pixels
        self.flush_prediction()

    def action_test_digit(self) -> None:
        """`t`: a random MNIST test digit on the canvas."""
        self.show_test_digit()

    def show_frame(self, position: int) -> None:
        """One frame only: redraw everything."""
        self._refresh_view()

    # --- drawing ------------------------------------------------------------------------------

    def _refresh_view(self) -> None:
        """Bring the bars, the message, the input panel and the status line up to date."""
        if not self.drawable:
            return
        bars = self.query_one(ProbabilityBars)
        message = self.query_one("#dd-message", Static)
        bars.display = self.model is not None
        message.display = self.model is None
        if self.model is None:
            message.update(Text(self.model_error))
        else:
            bars.probs = None if self.holding else self.probs
        row = self.query_one("#dd-input-row")
        row.display = self.show_preprocessed
        if self.show_preprocessed:
            image = self.query_one("#dd-input", HalfBlockImage)
            image.data = self.input_image
            self.query_one("#dd-input-info", Static).update(describe(self.record, self.preprocess, self.holding))
        self._update_status()

    def _update_status(self) -> None:
        """The line above the canvas: the guess, the pen, and the test digit's label."""
        if not self.drawable:
            return
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.model is None:
            text.append("no network", style="bold")
        elif self.probs is None:
            text.append("draw a digit", style="bold")
        elif self.holding:
            text.append("guess held until you answer", style="bold")
        else:
            first = top_two(self.probs)[0]
            text.append("guess ")
            text.append(f"{first}", style="bold reverse")
            text.append(f" {100 * self.probs[first]:.0f}%", style="bold")
        pen = {"up": "pen up", "draw": "PEN DOWN", "erase": "ERASER DOWN"}[self.pen]
        text.append(f" · {pen}", style="bold" if self.pen != "up" else "")
        if not self.preprocess:
            text.append(" · raw input", style="bold")
        if self.test_index is not None:
            text.append(f" · test #{self.test_index}" if self.holding else f" · test #{self.test_index}: a {self.test_label}")
        elif self.data_error:
            text.append(" · no test digits: " + self.data_error, style="dim")
        self.query_one("#dd-status", Static).update(text)
