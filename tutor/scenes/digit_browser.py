"""Scene: the MNIST digits as data: single images, class counts, mean digits and pixel values.

The scene loads the app's data set (shipped MNIST unless `--data`/`--data-dir` or the lesson's
`data` param says otherwise; `tutor.data`, read once per process); `d` switches to the other
shipped set (Fashion-MNIST's clothes) and back, with class names where the set has them. Four
views, cycled with `v`:

* ``digits``: one 28x28 image (28 columns by 14 rows) with its index and label; frames browse
  the images, `space` plays a slideshow, `[`/`]` jump by 100.
* ``counts``: a bar chart of how many images each class 0-9 has in the split.
* ``means``: the average image of one class per frame (10 frames, one per digit).
* ``histogram``: the share of pixels per grey-value bin; most pixels are 0 (background).

When the files cannot be read, the scene shows the loader's one-line message and how to go on
instead of failing; `r` tries again.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tutor.data import DataSet, class_name, describe, next_set
from tutor.engines import mnist
from tutor.paths import shipped_data_dir
from tutor.scenes.base import Scene
from tutor.scenes.registry import choices_of
from tutor.scenes.data import data_failure_text, load_digits_or_reason
from tutor.widgets.image import HalfBlockImage
from tutor.widgets.plot import Plot

#: The views in the order `v` cycles through them.
VIEWS: tuple[str, ...] = choices_of("digit-browser", "view")

#: At most this many images are browsed per split (the test split has exactly this many).
MAX_BROWSE = 10_000

#: How far `[` and `]` jump in the digits view.
JUMP = 100

#: Bins of the pixel-value histogram.
HIST_BINS = 16



_load = load_digits_or_reason


class DigitBrowserScene(Scene):
    """Browse the MNIST images and look at the data set as a whole: counts, means, pixel values."""

    HELP = """\
**The MNIST digits as data.** Each image is 28x28 grey pixels with values 0 (black background)
to 255 (white ink), so a network sees 784 numbers; its label is the digit 0-9 it shows.

- `v` switches the view: single digits, class counts, the mean digit of each class, and the
  histogram of pixel values.
- Digits: `.` and `,` step through the images, `space` plays a slideshow, `[` and `]` jump by
  100, `end` jumps to the last image browsed (at most the first 10,000 of a split), `r` goes back to the first one.
- Means: `.` and `,` step through the classes 0-9.
- `d` switches the data set: MNIST's digits or Fashion-MNIST's clothes (same size, same layout,
  ten classes of clothing).
"""

    #: Held back while the step's questions are open: the image's label, the pixel count, and the
    #: split's size and class counts written out (the pictures stay).
    HOLDS_ANSWERS = True

    DEFAULT_CSS = """
    DigitBrowserScene > Static { height: auto; }
    DigitBrowserScene #db-image { margin-top: 1; }
    DigitBrowserScene #db-plot { height: 35vh; min-height: 14; margin-top: 1; }
    """

    BINDINGS = [
        Binding("v", "next_view", "View"),
        Binding("d", "next_data", "Data"),
        Binding("left_square_bracket", "jump(-1)", "-100", show=False),
        Binding("right_square_bracket", "jump(1)", "+100", show=False),
    ]

    FRAME_SECONDS = 0.8

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.digits: Any = None
        """The loaded `Digits`, or None before loading or after a failure."""
        self.error: str = ""
        """The loader's one-line message when loading failed, else ""."""
        self._means: dict[str, np.ndarray] = {}
        self._hist: dict[str, tuple[np.ndarray, np.ndarray, float]] = {}
        self.reset_state()

    # --- parameters and data ------------------------------------------------------------------

    def reset_state(self) -> None:
        """Back to the lesson's split, view and start image; retry loading after a failure."""
        name = self.choice_param("data")
        data = describe() if name is None else describe(shipped_data_dir(name))
        if self.digits is not None and data.key != self.data.key:
            self.digits, self.error = None, ""
        self.data: DataSet = data
        """The data set shown: the lesson's `data`, else the app's; `d` switches."""
        self.split: str = self.choice_param("split")
        self.view: str = self.choice_param("view")
        self.start = self.int_param("start")
        self._positions: dict[str, int] = {}
        self.refused_data = False
        """`d` was pressed while the step's questions were open: say when it works."""
        if self.digits is None and (self.error or self.is_mounted):
            self.load()

    def load(self) -> None:
        """Load the data set's images (once per process); on failure remember the one line."""
        self.digits, self.error = _load(self.data.folder)

    @property
    def images(self) -> np.ndarray | None:
        """The split's images ``(N, 28, 28)`` uint8, or None without data."""
        if self.digits is None:
            return None
        return self.digits.train_images if self.split == "train" else self.digits.test_images

    @property
    def labels(self) -> np.ndarray | None:
        """The split's labels ``(N,)`` uint8, or None without data."""
        if self.digits is None:
            return None
        return self.digits.train_labels if self.split == "train" else self.digits.test_labels

    @property
    def browse_count(self) -> int:
        """How many images of the split the digits view steps through."""
        images = self.images
        return 0 if images is None else min(len(images), MAX_BROWSE)

    def means(self) -> np.ndarray:
        """Mean image per class ``(10, 28, 28)`` in [0, 1] for the split (cached)."""
        key = (self.data.key, self.split)
        if key not in self._means:
            mean_images = mnist.mean_images
            self._means[key] = np.asarray(mean_images(self.images, self.labels), dtype=np.float64)
        return self._means[key]

    def histogram(self) -> tuple[np.ndarray, np.ndarray, float]:
        """``(counts (bins,), edges (bins+1,), share of pixels exactly 0)`` for the split (cached)."""
        key = (self.data.key, self.split)
        if key not in self._hist:
            pixel_histogram = mnist.pixel_histogram
            counts, edges = pixel_histogram(self.images, bins=HIST_BINS)
            zero = float(np.count_nonzero(self.images == 0)) / max(1, self.images.size)
            self._hist[key] = (np.asarray(counts), np.asarray(edges), zero)
        return self._hist[key]

    def class_name(self, label: int) -> str:
        """Class `label`'s name when the data set names its classes ("Sneaker"), else ""."""
        return class_name(self.digits, label)

    # --- frames -------------------------------------------------------------------------------

    @property
    def total_frames(self) -> int:
        """Digits: one frame per browsed image; means: one per class; other views none."""
        if self.digits is None:
            return 0
        if self.view == "digits":
            return max(0, self.browse_count - 1)
        if self.view == "means":
            return 9
        return 0

    @property
    def initial_position(self) -> int:
        """The lesson's start image in the digits view, else the first frame."""
        if self.view == "digits":
            return min(self.start, self.total_frames)
        return 0

    def on_mount(self) -> None:
        """Load the data before the base class shows the first frame."""
        if self.digits is None:
            self.load()

    def compose(self) -> ComposeResult:
        yield Static(id="db-status")
        yield HalfBlockImage(id="db-image", vmin=0, vmax=255)
        yield Plot(id="db-plot")

    # --- actions ------------------------------------------------------------------------------

    def action_next_view(self) -> None:
        """`v`: the next view, remembering where each view was."""
        self.playing = False
        self._positions[self.view] = self.position
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        position = min(self._positions.get(self.view, self.initial_position), self.total_frames)
        if position == self.position:
            self.redraw()
            self._post_state()
        else:
            self.position = position

    def action_next_data(self) -> None:
        """`d`: the next data set (MNIST, Fashion-MNIST, the app's own), same view and split;
        not while the step's questions are open (they ask about the set on screen)."""
        self.playing = False
        if self.holding:
            self.refused_data = True
            self.redraw()
            return
        self.refused_data = False
        self.data = next_set(self.data)
        self.load()
        self._positions.clear()
        position = min(self.initial_position if self.view == "digits" else self.position, self.total_frames)
        self.go_to(max(0, position))

    def action_jump(self, direction: int) -> None:
        """`[`/`]`: jump 100 images back or forward in the digits view."""
        if self.view != "digits" or self.digits is None:
            return
        self.playing = False
        self.position = max(0, min(self.total_frames, self.position + direction * JUMP))

    # --- drawing ------------------------------------------------------------------------------

    def show_frame(self, position: int) -> None:
        """Draw the current view at frame `position`."""
        status = self.query_one("#db-status", Static)
        image = self.query_one("#db-image", HalfBlockImage)
        plot = self.query_one("#db-plot", Plot)
        if self.digits is None:
            image.display = False
            plot.display = False
            status.update(data_failure_text(self.error))
            return
        image.display = self.view in ("digits", "means")
        plot.display = self.view in ("counts", "histogram")
        drawer = {
            "digits": self._show_digit,
            "counts": self._show_counts,
            "means": self._show_mean,
            "histogram": self._show_histogram,
        }[self.view]
        status.update(drawer(position, image, plot))

    def _header(self) -> Text:
        text = Text()
        text.append(f"{self.view}", style="bold")
        text.append(f"  {self.data.title}, {self.split} split\n")  # v and d are in the footer
        if self.refused_data and self.holding:
            text.append("d switches the data set once the questions are answered\n", style="italic")
        return text

    def _show_digit(self, position: int, image: HalfBlockImage, plot: Plot) -> Text:
        index = max(0, min(position, self.browse_count - 1))
        pixels = self.images[index]
        label = int(self.labels[index])
        image.vmin, image.vmax = 0.0, 255.0
        image.data = pixels
        ink = int(np.count_nonzero(pixels))
        text = self._header()
        if self.holding:
            text.append(f"image #{index:,}", style="bold")
            text.append("   label ")
            text.append("?", style="bold reverse")
            text.append(f"\n? pixels, {ink} not 0 (ink), brightest {int(pixels.max())}")
            return text
        text.append(f"image #{index:,} of {len(self.images):,}", style="bold")
        if len(self.images) > self.browse_count:
            text.append(f" (first {self.browse_count:,} browsable)")
        text.append("   label ")
        text.append(str(label), style="bold reverse")
        if self.class_name(label):
            text.append(f" {self.class_name(label)}", style="bold")  # Fashion-MNIST: 9 = Ankle boot
        text.append(f"\n{pixels.size} pixels, {ink} not 0 (ink), brightest {int(pixels.max())}")
        return text

    def _show_counts(self, position: int, image: HalfBlockImage, plot: Plot) -> Text:
        class_counts = mnist.class_counts
        counts = tuple(int(c) for c in class_counts(self.labels))
        plot.clear()
        most = int(np.argmax(counts))
        least = int(np.argmin(counts))
        text = self._header()
        if self.holding:
            # Which digit is most frequent is asked: the bars are drawn tallest first and
            # without their digits, so the chart shows the balance but not which class leads.
            plot.set_title(f"images per class ({self.split}), tallest first")
            plot.set_labels("digit held back", "images")
            plot.set_bars(["?"] * len(counts), sorted(counts, reverse=True))
            text.append("? images. Most: ?   fewest: ?  (held back until you answer)")
            return text
        plot.set_title(f"images per class ({self.split})")
        plot.set_labels("digit", "images")
        plot.set_bars([str(k) for k in range(10)], counts)
        text.append(f"{sum(counts):,} images. ")
        most_name, least_name = (f" {self.class_name(k)}" if self.class_name(k) else "" for k in (most, least))
        text.append(f"Most: {most}{most_name} ({counts[most]:,})", style="bold")
        text.append(f"   fewest: {least}{least_name} ({counts[least]:,})")
        return text

    def _show_mean(self, position: int, image: HalfBlockImage, plot: Plot) -> Text:
        digit = max(0, min(position, 9))
        mean = self.means()[digit]
        image.vmin, image.vmax = 0.0, 1.0
        image.data = mean
        class_counts = mnist.class_counts
        count = int(class_counts(self.labels)[digit])
        text = self._header()
        name = self.class_name(digit)
        text.append(f"the average {digit}{' ' + name if name else ''}", style="bold")
        others = "digits" if not name else "classes"
        text.append(f" over {count:,} images (. and , for the other {others})\n")
        spread = "where writers differ" if not name else "where the items differ"
        text.append(f"mean brightness {mean.mean():.3f}; blurry edges = {spread}")
        return text

    def _show_histogram(self, position: int, image: HalfBlockImage, plot: Plot) -> Text:
        counts, edges, zero = self.histogram()
        total = max(1, int(np.sum(counts)))
        shares = 100.0 * np.asarray(counts, dtype=np.float64) / total
        plot.clear()
        plot.set_title(f"% of pixels per grey-value bin ({self.split})")
        plot.set_labels("value from", "% pixels")
        # The engine may give edges in [0, 1] (values / 255) or in 0-256: label both as 0-255.
        scale = 255.0 if float(edges[-1]) <= 1.0 + 1e-9 else 1.0
        starts = [int(round(float(e) * scale)) for e in edges]
        plot.set_bars([str(v) for v in starts[:-1]], shares)
        text = self._header()
        text.append(f"{zero:.1%} of all pixels are exactly 0", style="bold")
        text.append(": the black background around the digit.\n")
        text.append(f"The first bin ({starts[0]}-{starts[1] - 1}) holds {shares[0]:.1f}%; "
                    f"the last holds {shares[-1]:.1f}% (full ink).")
        return text
