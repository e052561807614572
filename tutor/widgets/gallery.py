"""A gallery of misclassified digits: small half-block thumbnails with what the network said.

The pure part picks and describes the mistakes: :func:`find_mistakes` turns test labels,
predictions and probabilities into :class:`Mistake` records (most confident mistakes first),
each with its caption ``"true 4 → said 9 (87%)"`` and its top probabilities; :func:`thumbnail`
halves a 28x28 digit to 14x14 by averaging 2x2 blocks. :class:`MistakeGallery` lays the
records out in as many columns as fit, each a :class:`~tutor.widgets.image.HalfBlockImage`
(14 cells by 7 rows) beside its caption.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from tutor.widgets.image import HalfBlockImage

__all__ = ["ITEM_WIDTH", "Mistake", "MistakeGallery", "find_mistakes", "format_share", "thumbnail"]

#: Cells one gallery item takes: a 14-cell thumbnail, a gap and a 21-cell caption.
ITEM_WIDTH = 36


def format_share(p: float) -> str:
    """A probability as a whole percentage for captions: "87%"; "<1%" below 1%, ">99%" above 99%."""
    if p < 0.01:
        return "<1%"
    if p > 0.99:
        return ">99%"
    return f"{int(100 * p + 0.5)}%"


@dataclass(frozen=True)
class Mistake:
    """One misclassified test digit.

    Attributes:
        index: its position in the test set.
        true: the label.
        said: the class the network chose.
        confidence: the probability the network gave `said`.
        top: the three most probable (class, probability) pairs, most probable first.
        image: the digit, (28, 28) uint8.
    """

    index: int
    true: int
    said: int
    confidence: float
    top: tuple[tuple[int, float], ...]
    image: np.ndarray

    @property
    def caption(self) -> str:
        """E.g. "true 4 → said 9 (87%)"."""
        return f"true {self.true} → said {self.said} ({format_share(self.confidence)})"

    @property
    def top_text(self) -> str:
        """The top probabilities, e.g. "9 87% · 4 11% · 7 1%"."""
        return " · ".join(f"{k} {format_share(p)}" for k, p in self.top)

    @property
    def true_share(self) -> float:
        """The probability the network gave the right class (0 when it is not among the top three)."""
        return next((p for k, p in self.top if k == self.true), 0.0)


def find_mistakes(
    labels: np.ndarray, predictions: np.ndarray, probs: np.ndarray, images: np.ndarray,
    limit: int = 8, order: str = "confident",
) -> tuple[Mistake, ...]:
    """The misclassified digits, as records for the gallery.

    Args:
        labels: true classes, shape (N,).
        predictions: predicted classes, shape (N,).
        probs: class probabilities, shape (N, K).
        images: the digits, shape (N, 28, 28).
        limit: at most this many records.
        order: "confident" (highest probability for the wrong class first; ties by index)
            or "index" (test-set order).

    Returns:
        Up to `limit` Mistake records.
    """
    truth = np.asarray(labels).astype(np.int64).ravel()
    pred = np.asarray(predictions).astype(np.int64).ravel()
    p = np.asarray(probs, dtype=np.float64)
    if not (len(truth) == len(pred) == len(p) == len(images)):
        raise ValueError("labels, predictions, probabilities and images differ in length")
    wrong = np.flatnonzero(truth != pred)
    if order == "confident":
        confidence = p[wrong, pred[wrong]]
        wrong = wrong[np.lexsort((wrong, -confidence))]
    elif order != "index":
        raise ValueError(f"unknown order {order!r}; expected 'confident' or 'index'")
    out = []
    for i in wrong[: max(0, int(limit))]:
        ranked = np.argsort(-p[i], kind="stable")[:3]
        out.append(
            Mistake(
                index=int(i), true=int(truth[i]), said=int(pred[i]), confidence=float(p[i, pred[i]]),
                top=tuple((int(k), float(p[i, k])) for k in ranked), image=np.asarray(images[i]),
            )
        )
    return tuple(out)


def thumbnail(image: np.ndarray) -> np.ndarray:
    """A (H, W) image halved by averaging 2x2 blocks: (28, 28) -> (14, 14), float64."""
    pixels = np.asarray(image, dtype=np.float64)
    h, w = (pixels.shape[0] // 2) * 2, (pixels.shape[1] // 2) * 2
    return pixels[:h, :w].reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))


def caption_text(mistake: Mistake) -> Text:
    """The lines beside a thumbnail: caption, top probabilities, test index."""
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

    def compose(self) -> ComposeResult:
        """One thumbnail and caption per mistake."""
        if not self.mistakes:
            yield Static("No mistakes on these test digits.", classes="gallery-empty")
            return
        for mistake in self.mistakes:
            with Horizontal(classes="gallery-item"):
                yield HalfBlockImage(thumbnail(mistake.image), vmin=0, vmax=255)
                yield Static(caption_text(mistake))

    def on_resize(self) -> None:
        """As many columns as whole items fit."""
        self.styles.grid_size_columns = max(1, self.size.width // ITEM_WIDTH)
