"""The confusion matrix and the mistake gallery: their pure render logic, then the widgets in an app."""

from __future__ import annotations

import numpy as np
import pytest
from textual.app import App, ComposeResult

from tutor.widgets.confusion import (
    DIAGONAL_MARK,
    MANY_MARK,
    ConfusionMatrix,
    confusion_layout,
    confusion_summary,
    full_width,
    render_confusion,
    top_confusions,
)
from tutor.engines.mistakes import find_mistakes, format_share
from tutor.widgets.gallery import ITEM_WIDTH, MistakeGallery, thumbnail
from tutor.widgets.image import HalfBlockImage


def _matrix() -> np.ndarray:
    """A 10x10 confusion matrix like a 97% model's on the 10,000 MNIST test digits."""
    m = np.zeros((10, 10), dtype=np.int64)
    np.fill_diagonal(m, [970, 1127, 1001, 985, 955, 870, 930, 998, 940, 980])
    m[4, 9] = 23
    m[7, 2] = 12
    m[9, 4] = 12
    m[3, 5] = 7
    return m


# --- the confusion matrix ----------------------------------------------------------------------


def test_full_layout_shows_every_count_with_the_diagonal_bracketed() -> None:
    m = _matrix()
    text = render_confusion(m, width=80, color=False).plain
    lines = text.splitlines()
    assert len(lines) == 12  # header, ten rows, legend
    assert lines[0].split()[:10] == [str(k) for k in range(10)]
    row4 = lines[5]
    assert row4.startswith("4 ") and "[955]" in row4 and "23" in row4
    assert row4.split()[-1] == f"{100 * 955 / (955 + 23):.1f}%"  # 97.6%
    assert "[1127]" in lines[2]
    assert lines[2].split()[-1] == "100.0%"
    # zeros are dots, so the mistakes stand out; the brackets carry "right" without colour
    assert lines[1].count("·") == 9
    assert "[n] right" in lines[-1]


def test_columns_line_up_under_the_header() -> None:
    m = _matrix()
    lines = render_confusion(m, width=80, color=False).plain.splitlines()
    header = lines[0]
    column_of_9 = header.index("9")
    assert lines[5][column_of_9 - 1 : column_of_9 + 1] == "23"  # 4 read as 9
    column_of_2 = header.index("2")
    assert lines[8][column_of_2 - 1 : column_of_2 + 1] == "12"  # 7 read as 2


def test_compact_layout_fits_an_80x24_stage() -> None:
    m = _matrix()
    assert confusion_layout(m, 80) == "full" and confusion_layout(m, 68) == "compact"
    assert full_width(m) == 2 + 10 * 6 + 7
    text = render_confusion(m, width=36, color=False).plain
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 36
    assert all(line.count(DIAGONAL_MARK) == 1 for line in lines[1:11])
    assert lines[0].split()[-1] == DIAGONAL_MARK
    assert lines[5].split()[-1] == "955"  # the right answers move to the last column
    assert lines[5].split()[10] == "23"  # label, then columns 0-9
    m[2, 3] = 150
    text = render_confusion(m, width=36, color=False).plain
    assert MANY_MARK in text.splitlines()[3] and "100+" in text.splitlines()[-1]


def test_colour_only_repeats_what_characters_say() -> None:
    m = _matrix()
    coloured = render_confusion(m, width=80, color=True)
    plain = render_confusion(m, width=80, color=False)
    assert coloured.plain == plain.plain
    styles = {str(span.style) for span in coloured.spans}
    assert any("green" in s for s in styles) and any("red" in s for s in styles)
    assert not any("green" in str(span.style) for span in plain.spans)


def test_summary_and_top_confusions() -> None:
    m = _matrix()
    top = top_confusions(m)
    assert [(c.true, c.said, c.count) for c in top] == [(4, 9, 23), (7, 2, 12), (9, 4, 12)]
    summary = confusion_summary(m)
    right = int(np.trace(m))
    assert f"{right:,} of {int(m.sum()):,}" in summary
    assert "4→9 (23)" in summary.splitlines()[1]
    assert confusion_summary(np.eye(10, dtype=int) * 5) == "50 of 50 test digits right (100.00%), 0 wrong."
    with pytest.raises(ValueError):
        render_confusion(np.zeros((3, 4)))


# --- the gallery ---------------------------------------------------------------------------------


def _predictions() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    labels = np.array([4, 1, 7, 3, 9, 2])
    probs = np.full((6, 10), 0.0)
    for i, k in enumerate(labels):
        probs[i, k] = 1.0
    probs[0] = 0.0
    probs[0, [9, 4, 7]] = [0.87, 0.11, 0.02]  # a 4 read as 9 with 87%
    probs[3] = 0.0
    probs[3, [5, 3]] = [0.6, 0.4]  # a 3 read as 5 with 60%
    probs[5] = 0.0
    probs[5, [7, 2, 1]] = [0.996, 0.003, 0.001]  # a 2 read as 7, very sure
    preds = probs.argmax(axis=1)
    images = np.arange(6 * 28 * 28, dtype=np.int64).reshape(6, 28, 28) % 256
    return labels, preds, probs, images.astype(np.uint8)


def test_mistakes_most_confident_first_with_captions() -> None:
    labels, preds, probs, images = _predictions()
    mistakes = find_mistakes(labels, preds, probs, images)
    assert [m.index for m in mistakes] == [5, 0, 3]
    assert mistakes[1].caption == "true 4 → said 9 (87%)"
    assert mistakes[1].top_text == "9 87% · 4 11% · 7 2%"
    assert mistakes[1].true_share == pytest.approx(0.11)
    assert mistakes[0].caption == "true 2 → said 7 (>99%)"
    assert mistakes[0].top_text == "7 >99% · 2 <1% · 1 <1%"
    assert np.array_equal(mistakes[2].image, images[3])
    in_order = find_mistakes(labels, preds, probs, images, order="index", limit=2)
    assert [m.index for m in in_order] == [0, 3]
    assert find_mistakes(labels, labels, probs, images) == ()


def test_format_share_and_thumbnail() -> None:
    shares = (0.004, 0.01, 0.125, 0.5, 0.87, 0.99, 0.995)
    assert [format_share(p) for p in shares] == ["<1%", "1%", "13%", "50%", "87%", "99%", ">99%"]
    image = np.zeros((28, 28), dtype=np.uint8)
    image[0:2, 0:2] = [[255, 255], [255, 0]]
    small = thumbnail(image)
    assert small.shape == (14, 14)
    assert small[0, 0] == pytest.approx(191.25) and small[1:, :].sum() == 0


class _Host(App):
    def __init__(self, widget) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


async def test_widgets_in_an_app() -> None:
    labels, preds, probs, images = _predictions()
    gallery = MistakeGallery()
    async with _Host(gallery).run_test(size=(2 * ITEM_WIDTH + 4, 30)) as pilot:
        gallery.mistakes = find_mistakes(labels, preds, probs, images)
        await pilot.pause()
        await pilot.pause()
        thumbs = list(gallery.query(HalfBlockImage))
        assert len(thumbs) == 3 and thumbs[0].data.shape == (14, 14)
        assert gallery.styles.grid_size_columns == 2
    matrix = ConfusionMatrix()
    async with _Host(matrix).run_test(size=(40, 20)) as pilot:
        matrix.matrix = _matrix()
        await pilot.pause()
        assert matrix.size.height == 12
        assert DIAGONAL_MARK in str(matrix.render())
