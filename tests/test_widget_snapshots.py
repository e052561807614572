"""Snapshots of the image, plot and transport widgets at 80x24.

These are sync tests: ``snap_compare`` runs its own event loop. Regenerate with
``pytest tests/test_widget_snapshots.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import numpy as np
import pytest
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label

from tutor.widgets.image import HalfBlockImage
from tutor.widgets.plot import Plot
from tutor.widgets.transport import Transport

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def real_colours(monkeypatch):
    """Pretend the terminal has real colours, so snapshots do not depend on $TERM or NO_COLOR.

    Only ``numbers`` mode (coloured cells) and ``auto`` mode read ``color_capable``; the
    other snapshots name their mode. ``NO_COLOR`` would make Textual filter every colour.
    """
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(HalfBlockImage, "color_capable", property(lambda self: True))


def synthetic_digit(seed: int = 7) -> np.ndarray:
    """An MNIST-like "0": a seeded, slightly noisy ellipse ring in [0, 1], shape (28, 28)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:28, :28].astype(float)
    r = np.hypot((yy - 13.5) / 9.0, (xx - 13.5) / 6.5)
    image = np.exp(-((r - 1.0) ** 2) / 0.04)
    image += 0.15 * rng.random((28, 28)) * (image > 0.2)
    return np.clip(image, 0.0, 1.0)


KERNEL = np.array(
    [
        [-1.0, -1.0, 0.0, 1.0, 1.0],
        [-2.0, -1.0, 0.0, 1.0, 2.0],
        [-3.0, -2.0, 0.0, 2.0, 3.0],
        [-2.0, -1.0, 0.0, 1.0, 2.0],
        [-1.0, -1.0, 0.0, 1.0, 1.0],
    ]
) / 4.0
"""A 5x5 edge kernel, shape (5, 5), with negative and fractional weights."""


class ImageShowcase(App):
    """One image next to its caption."""

    CSS = """
    Horizontal { height: auto; }
    HalfBlockImage { margin: 1 2; }
    Label { margin: 1 2; }
    """

    def __init__(self, caption: str, **image_args) -> None:
        super().__init__()
        self.caption = caption
        self.image_args = image_args

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield HalfBlockImage(**self.image_args)
            yield Label(self.caption)


class PlotShowcase(App):
    """A plot of a loss curve with scattered points, a boundary and a vector."""

    def compose(self) -> ComposeResult:
        yield Plot(title="perceptron")

    def on_mount(self) -> None:
        plot = self.query_one(Plot)
        rng = np.random.default_rng(0)
        xs = np.linspace(-1, 1, 200)
        plot.set_lines([("curve", xs, 0.5 * np.sin(3 * xs))])
        plot.add_scatter("class 0", rng.uniform(-1, 0, 8), rng.uniform(0, 1, 8))
        plot.add_scatter("class 1", rng.uniform(0, 1, 8), rng.uniform(-1, 0, 8))
        plot.add_segment("boundary", (-1, -1), (1, 1))
        plot.add_vector("w", (0.6, -0.6))
        plot.set_xlim(-1.2, 1.2)
        plot.set_ylim(-1.2, 1.2)
        plot.redraw_now()


class TransportShowcase(App):
    """Two transport bars: full width and narrow."""

    CSS = """
    #narrow { width: 40; margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Transport(playing=True, position=3, total=12, speed=1.0, id="wide")
        yield Transport(playing=False, position=7, total=None, speed=0.25, id="narrow")


def test_digit_blocks(snap_compare):
    app = ImageShowcase("28x28 digit, blocks", data=synthetic_digit(), mode="blocks")
    assert snap_compare(app, terminal_size=SIZE)


def test_digit_shade(snap_compare):
    app = ImageShowcase(
        "28x28 digit, shade\n(16 colours / NO_COLOR)",
        data=synthetic_digit(),
        mode="shade",
        highlight=(8, 3, 5, 5),
    )
    assert snap_compare(app, terminal_size=SIZE)


def test_kernel_numbers(snap_compare):
    app = ImageShowcase(
        "5x5 kernel, numbers", data=KERNEL, mode="numbers", palette="diverging",
        highlight=(1, 1, 3, 3),
    )
    assert snap_compare(app, terminal_size=SIZE)


def test_kernel_diverging_blocks(snap_compare):
    app = ImageShowcase(
        "5x5 kernel, diverging, scale 4",
        data=KERNEL,
        mode="blocks",
        palette="diverging",
        scale=4,
        highlight=(0, 0, 3, 3),
    )
    assert snap_compare(app, terminal_size=SIZE)


def test_plot_lines_and_scatter(snap_compare):
    assert snap_compare(PlotShowcase(), terminal_size=SIZE)


def test_transport_bar(snap_compare):
    assert snap_compare(TransportShowcase(), terminal_size=SIZE)
