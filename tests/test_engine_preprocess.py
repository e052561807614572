"""The MNIST-style preprocessing engine: crop, scale to a 20-pixel box, centre by mass; the brush."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tutor.engines import mnist
from tutor.engines.preprocess import (
    BOX,
    SIZE,
    brush,
    brush_line,
    centre_of_mass,
    ink_bbox,
    mnist_preprocess,
    resize,
)
from tutor.quiz.generators.preprocess import box_size_problem, centre_shift_problem
from tutor.quiz.predict import generate

_REPO = Path(__file__).resolve().parent.parent


def _blank() -> np.ndarray:
    return np.zeros((SIZE, SIZE))


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(np.hypot(a[0] - b[0], a[1] - b[1]))


# --- helpers --------------------------------------------------------------------------------------


def test_ink_bbox_and_centre_of_mass() -> None:
    image = _blank()
    image[3:7, 10:12] = 1.0
    assert ink_bbox(image) == (3, 10, 4, 2)
    assert centre_of_mass(image) == pytest.approx((4.5, 10.5))
    image[20, 20] = 2.0  # heavier pixel pulls the centre
    row, col = centre_of_mass(image)
    assert row == pytest.approx((4.5 * 8 + 20 * 2) / 10) and col == pytest.approx((10.5 * 8 + 40) / 10)
    assert ink_bbox(_blank()) is None
    assert centre_of_mass(_blank()) == (13.5, 13.5)


def test_resize_keeps_mean_when_shrinking_and_interpolates_when_growing() -> None:
    rng = np.random.default_rng(0)
    image = rng.random((24, 18))
    small = resize(image, (20, 15))
    assert small.shape == (20, 15)
    # Area averaging conserves the mean brightness exactly.
    assert small.mean() == pytest.approx(image.mean(), rel=1e-12)
    assert np.array_equal(resize(image, (24, 18)), image)
    # A 2x2 block averaged down to one pixel is its mean.
    assert resize(np.array([[0.0, 1.0], [1.0, 1.0]]), (1, 1))[0, 0] == pytest.approx(0.75)
    # Growing a ramp gives values between its neighbours (bilinear), within the input range.
    ramp = np.array([[0.0, 1.0]])
    grown = resize(ramp, (1, 4))
    assert grown[0].tolist() == pytest.approx([0.0, 0.25, 0.75, 1.0])


# --- mnist_preprocess -----------------------------------------------------------------------------


def test_empty_canvas_gives_blank_image() -> None:
    record = mnist_preprocess(_blank())
    assert record.empty and record.image.shape == (28, 28) and record.image.dtype == np.float32
    assert not record.image.any() and record.bbox == (0, 0, 0, 0) and record.shift == (0, 0)
    assert mnist_preprocess(np.zeros((28, 28), dtype=np.uint8)).empty


@pytest.mark.parametrize("corner", [(2, 2), (2, 25), (25, 2), (25, 25)])
def test_dot_in_a_corner_ends_centred(corner: tuple[int, int]) -> None:
    canvas = brush(_blank(), *corner, radius=1.0)
    record = mnist_preprocess(canvas)
    assert not record.empty
    assert record.resized == (BOX, BOX)  # a round dot has a square box
    assert _distance(record.final_centre, (14.0, 14.0)) <= 0.75
    # The ink sits in the middle of the field now, far from the corner it was drawn in.
    assert _distance(centre_of_mass(record.image), corner) > 10


def test_stroke_in_a_corner_is_scaled_up_and_centred() -> None:
    canvas = brush_line(_blank(), (1.0, 20.0), (8.0, 24.0), radius=1.0)  # small, top right
    record = mnist_preprocess(canvas)
    row, col, height, width = ink_bbox(record.image)
    assert max(height, width) == BOX
    assert record.scale > 1.5
    assert abs(record.final_centre[0] - 14.0) <= 0.5 + 1e-9
    assert abs(record.final_centre[1] - 14.0) <= 0.5 + 1e-9


def test_big_digit_shrinks_to_a_twenty_pixel_box() -> None:
    canvas = _blank()
    canvas[1:27, 4:24] = 0.0
    canvas = brush_line(canvas, (1.0, 6.0), (26.0, 22.0), radius=1.5)  # 28 tall after the pen
    record = mnist_preprocess(canvas)
    assert record.bbox[2] == 28 and record.scale == pytest.approx(20 / 28)
    bbox = ink_bbox(record.image)
    assert bbox is not None and bbox[2] == BOX
    assert record.image.max() <= 1.0 and record.image.min() >= 0.0


def test_aspect_ratio_is_kept() -> None:
    canvas = _blank()
    canvas[2:26, 10:16] = 1.0  # a tall bar, 24 x 6
    record = mnist_preprocess(canvas)
    assert record.resized == (20, 5)
    height, width = record.resized
    assert height / width == pytest.approx(24 / 6)
    canvas = _blank()
    canvas[12:16, 0:28] = 1.0  # a wide bar, 4 x 28
    record = mnist_preprocess(canvas)
    assert record.resized == (3, 20)  # 4 * 20/28 = 2.86 -> 3


def test_uint8_and_float_canvases_agree() -> None:
    canvas = brush_line(_blank(), (4.0, 4.0), (20.0, 12.0))
    as_bytes = np.round(canvas * 255).astype(np.uint8)
    a = mnist_preprocess(canvas).image
    b = mnist_preprocess(as_bytes).image
    assert np.abs(a - b).max() < 0.01


def test_preprocessing_is_nearly_idempotent() -> None:
    canvas = brush_line(_blank(), (3.0, 3.0), (12.0, 9.0))
    canvas = brush_line(canvas, (12.0, 9.0), (5.0, 14.0))
    once = mnist_preprocess(canvas)
    twice = mnist_preprocess(once.image)
    assert twice.scale == pytest.approx(1.0)
    assert _distance(twice.final_centre, once.final_centre) < 1.0
    assert np.abs(twice.image - once.image).max() < 1e-6


def test_mnist_test_digits_pass_through_nearly_unchanged() -> None:
    digits = mnist.load_digits()
    images = digits.test_images[:200]
    for image in images:
        record = mnist_preprocess(image)
        before = centre_of_mass(image.astype(np.float64))
        assert 19 <= max(record.bbox[2:]) <= 21
        assert _distance(record.final_centre, before) < 1.0
        assert np.abs(record.image - image / 255.0).max() < 0.05


def test_shift_is_clipped_so_no_ink_leaves() -> None:
    # A digit whose mass sits at one end: a heavy blob plus a faint long tail.
    canvas = _blank()
    canvas[2:8, 2:8] = 1.0
    canvas[8:26, 4] = 0.05
    record = mnist_preprocess(canvas)
    assert record.resized[0] == BOX
    assert abs(record.shift[0]) <= 4  # 28 - 20 = 8 pixels of room, 4 each side
    assert record.image.sum() == pytest.approx(mnist_preprocess(canvas).image.sum())
    bbox = ink_bbox(record.image)
    assert bbox[0] >= 0 and bbox[0] + bbox[2] <= 28


# --- brush ----------------------------------------------------------------------------------------


def test_brush_paints_a_soft_round_dot() -> None:
    canvas = _blank()
    painted = brush(canvas, 10, 10, radius=1.5)
    assert not canvas.any()  # pure: argument unchanged
    assert painted[10, 10] == 1.0 and painted[10, 11] == 1.0
    assert painted[11, 11] == pytest.approx(2.0 - np.sqrt(2.0))  # soft edge: distance 1.41
    assert painted[12, 10] == 0.0
    assert np.array_equal(painted, painted.T)  # round: symmetric about the diagonal through (10,10)
    twice = brush(painted, 10, 10, radius=1.5, strength=0.3)
    assert np.array_equal(twice, painted)  # painting never lightens
    erased = brush(painted, 10, 10, radius=1.5, erase=True)
    assert erased[10, 10] == 0.0 and erased.sum() < painted.sum()


def test_brush_line_has_no_gaps() -> None:
    line = brush_line(_blank(), (2.0, 2.0), (2.0, 25.0), radius=0.6)
    assert (line[2, 2:26] > 0.9).all()


# --- predict generators ---------------------------------------------------------------------------


def test_generators_are_registered_and_consistent() -> None:
    for seed in range(30):
        g = generate("preprocess.box_size", seed)
        h, w = g.values["height"], g.values["width"]
        canvas = _blank()
        canvas[: min(h, 28), : min(w, 28)] = 1.0
        assert mnist_preprocess(canvas).resized == tuple(int(v) for v in g.answer)
        s = generate("preprocess.centre_shift", seed)
        row, col = float(s.values["row"]), float(s.values["col"])
        assert s.answer == (float(round(14 - row)), float(round(14 - col)))
    rng = np.random.default_rng(1)
    assert box_size_problem(rng).kind == centre_shift_problem(rng).kind == "vector"


def test_engine_loads_no_ui(tmp_path: Path) -> None:
    """Preprocessing runs in a fresh interpreter without importing Textual or Rich."""
    code = (
        "import numpy, sys, json\n"
        "from tutor.engines.preprocess import mnist_preprocess, brush\n"
        "mnist_preprocess(brush(numpy.zeros((28, 28)), 3, 3))\n"
        "print(json.dumps([name in sys.modules for name in ('textual', 'rich')]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
        cwd=str(tmp_path), env={**os.environ, "PYTHONPATH": str(_REPO)},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [False, False]
