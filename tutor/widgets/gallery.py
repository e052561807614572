"""A gallery of misclassified digits: small half-block thumbnails with what the network said.

`tutor.engines.mistakes.find_mistakes` picks the mistakes from test labels, predictions and
probabilities as `Mistake` records (most confident mistakes first), each with its caption
``"true 4 → said 9 (87%)"`` and its top probabilities; here :func:`thumbnail` halves a 28x28 digit to 14x14 by averaging 2x2 blocks. :class:`MistakeGallery` lays the
records out (by class name when the data set names its classes: "true Ankle boot") in as many
columns as fit, each a :class:`~tutor.widgets.image.HalfBlockImage`
(14 cells by 7 rows) beside its caption.
"""

from __future__ import annotations


import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from tutor.engines.mistakes import Mistake, format_share
from tutor.widgets.confusion import named
from tutor.widgets.image import HalfBlockImage

__all__ = ["ITEM_WIDTH", "MistakeGallery", "thumbnail"]

#: Cells one gallery item takes: a 14-cell thumbnail, a gap and a 21-cell caption.
ITEM_WIDTH = 36


def thumbnail(image: np.ndarray) -> np.ndarray:
    """A (H, W) image halved by averaging 2x2 blocks: (28, 28) -> (14, 14), float64."""
    pixels = np.asarray(image, dtype=np.float64)
    h, w = (pixels.shape[0] // 2) * 2, (pixels.shape[1] // 2) * 2
    return pixels[:h, :w].reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))


def caption_text(mistake: Mistake, class_names: tuple[str, ...] | None = None) -> Text:
    """The lines beside a thumbnail: caption, top probabilities, test index.

    With `class_names` that name the classes (Fashion-MNIST's, not digits), the classes are
    written by name, one per line: "true Ankle boot", "said Sneaker (87%)", then each of the
    three most likely answers and its share."""
    names = named(class_names, 10) if class_names else None
    if names is not None and len(names) > max(mistake.true, mistake.said, *(k for k, _ in mistake.top)):
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"true {names[mistake.true]}\n", style="bold")
        text.append(f"said {names[mistake.said]}", style="bold reverse")
        text.append(f" ({format_share(mistake.confidence)})\n")
        for k, p in mistake.top:
            text.append(f"{format_share(p):>4} {names[k]}\n")
        text.append(f"test #{mistake.index:,}", style="dim")
        return text
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"true {mistake.true}", style="bold")
    text.append(" → ")
    text.append(f"said {mistake.said}", style="bold reverse")
    text.append(f" ({format_share(mistake.confidence)})\n")
    text.append(mistake.top_text + "\n", style="")
    text.append(f"test #{mistake.index:,}", style="dim")
    return text


class MistakeGallery(Widget):
    """Misclassified digits in a grid of thumbnails with captions; set `mistakes` to update."""

    DEFAULT_CSS = """
    MistakeGallery {
        layout: grid;
        grid-size: 1;
        grid-gutter: 1 0;
        grid-rows: 7;
        height: auto;
        width: 1fr;
    }
    MistakeGallery > .gallery-item { height: 7; width: 1fr; }
    MistakeGallery > .gallery-item > HalfBlockImage { margin-right: 1; }
    MistakeGallery > .gallery-item > Static { width: 1fr; height: auto; }
    MistakeGallery > .gallery-empty { height: 1; }
    """

    mistakes: reactive[tuple[Mistake, ...]] = reactive((), recompose=True)
    """The records shown, in order."""

    class_names: reactive[tuple[str, ...]] = reactive((), recompose=True)
    """The classes' names (empty or digits: captions show numbers)."""

    def compose(self) -> ComposeResult:
        """One thumbnail and caption per mistake."""
        if not self.mistakes:
            what = "images" if named(self.class_names, 10) else "digits"
            yield Static(f"No mistakes on these test {what}.", classes="gallery-empty")
            return
        for mistake in self.mistakes:
            with Horizontal(classes="gallery-item"):
                yield HalfBlockImage(thumbnail(mistake.image), vmin=0, vmax=255)
                yield Static(caption_text(mistake, self.class_names or None))

    def on_resize(self) -> None:
        """As many columns as whole items fit."""
        self.styles.grid_size_columns = max(1, self.size.width // ITEM_WIDTH)
