"""The conv-slide scene driven through Pilot, its partial feature map, and snapshots in a lesson.

The scene reads the first MNIST training digit (a 5); the numbers checked here are the seed-free
values of the vertical-edge kernel on it, e.g. cell (9, 9) = 6.61.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from textual.containers import VerticalScroll
from textual.widgets import Static

from tests.scene_host import SceneHost, at_step, lesson_app, shown_text
from tutor.engines import mnist
from tutor.engines.conv import KERNELS, conv2d_loop, conv_cell
from tutor.scenes import data as scene_data
from tutor.scenes.conv_slide import ConvSlideScene, load_digit
from tutor.widgets.feature_map import PENDING_CHAR, FeatureMapImage
from tutor.scenes.registry import SCENES, check_param, load_scene_class
from tutor.widgets.image import HalfBlockImage

WIDE = (100, 50)
NARROW = (44, 40)


def digit() -> np.ndarray:
    image, index, error = load_digit(0)
    assert image is not None, error
    return image


def text(scene: ConvSlideScene, selector: str) -> str:
    return shown_text(scene.query_one(selector, Static))


def test_registered_with_its_params() -> None:
    spec = SCENES["conv-slide"]
    assert load_scene_class("conv-slide") is ConvSlideScene
    for name in KERNELS:
        assert check_param(spec.params["kernel"], name) is None
    assert check_param(spec.params["kernel"], "custom") is None
    assert check_param(spec.params["mode"], "maps") is None
    assert check_param(spec.params["mode"], "sobel") is not None
    assert check_param(spec.params["cell"], [9, 9]) is None


async def test_step_back_and_end_reveal_the_map() -> None:
    scene = ConvSlideScene({"index": 0, "kernel": "vertical edge"})
    async with SceneHost(scene).run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert scene.wide and scene.total_frames == 576 and scene.position == 0
        feature_map = scene.query_one("#cs-map", FeatureMapImage)
        assert feature_map.revealed == 0
        assert scene.cell_record() is None
        assert "·" in text(scene, "#cs-products") and "press ." in text(scene, "#cs-sum")
        np.testing.assert_allclose(scene.map, conv2d_loop(digit(), KERNELS["vertical edge"]))
        assert scene.query_one("#cs-digit", HalfBlockImage).highlight == (0, 0, 5, 5)

        scene.step_forward()
        scene.step_forward()
        await pilot.pause()
        assert scene.position == 2 and scene.current_cell() == (0, 1)
        assert feature_map.revealed == 2 and feature_map.highlight == (0, 1, 1, 1)
        assert scene.query_one("#cs-digit", HalfBlockImage).highlight == (0, 1, 5, 5)
        assert "→ map[0,1]" in text(scene, "#cs-sum")
        scene.step_back()
        await pilot.pause()
        assert scene.position == 1 and "→ map[0,0]" in text(scene, "#cs-sum")

        await pilot.press("right_curly_bracket")
        assert scene.position == 25 and scene.current_cell() == (1, 0)
        await pilot.press("left_curly_bracket")
        assert scene.position == 1

        await pilot.press("end")
        await pilot.pause()
        assert scene.position == 576 and feature_map.revealed == 576
        assert "→ map[23,23]" in text(scene, "#cs-sum")
        scene.reset()
        await pilot.pause()
        assert scene.position == 0 and feature_map.revealed == 0


async def test_worked_cell_shows_the_products_and_sum() -> None:
    scene = ConvSlideScene({"kernel": "vertical edge", "cell": [9, 9]})
    async with SceneHost(scene).run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert scene.position == 9 * 24 + 9 + 1
        record = scene.cell_record()
        assert (record.row, record.col) == (9, 9)
        assert record.output == pytest.approx(6.6078431, abs=1e-6)
        products = text(scene, "#cs-products").splitlines()
        assert products[1].split() == ["-0.61", "-0.42", "0.00", "0.99", "0.80"]
        assert "Σ w·x = 6.61" in text(scene, "#cs-sum") and "= 6.61" in text(scene, "#cs-sum")
        assert "cell (9,9): window rows 9-13, cols 9-13" in text(scene, "#cs-status")


async def test_k_switches_kernel_and_numbers() -> None:
    scene = ConvSlideScene({"kernel": "vertical edge", "cell": [9, 9]})
    async with SceneHost(scene).run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("k")
        assert scene.kernel_name == "horizontal edge"
        np.testing.assert_allclose(scene.map, conv2d_loop(digit(), KERNELS["horizontal edge"]))
        assert scene.cell_record().output == pytest.approx(-2.9647059, abs=1e-6)
        assert "Σ w·x = -2.96" in text(scene, "#cs-sum")
        assert text(scene, "#cs-products").splitlines()[1].split() == [
            "-0.61", "-0.42", "-0.99", "-0.99", "-0.80"]
        assert "kernel: horizontal edge" in text(scene, "#cs-status")
        for _ in range(len(KERNELS) - 1):
            await pilot.press("k")
        assert scene.kernel_name == "vertical edge"  # all the way round


async def test_editing_a_weight_changes_product_and_sum() -> None:
    scene = ConvSlideScene({"kernel": "vertical edge", "cell": [9, 9], "editable": True})
    async with SceneHost(scene).run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert scene.cursor == (2, 2)
        await pilot.press("d")
        assert scene.cursor == (2, 3)
        await pilot.press("right_square_bracket")
        assert scene.kernel[2, 3] == 1.5 and scene.kernel_name == "custom"
        assert scene.position == 226  # still the same cell
        assert text(scene, "#cs-products").splitlines()[3].split()[3] == "1.49"
        assert scene.cell_record().total == pytest.approx(6.6078431 + 0.5 * 0.9921569, abs=1e-6)
        assert "Σ w·x = 7.10" in text(scene, "#cs-sum")
        # every cell of the map follows the shared weight
        np.testing.assert_allclose(scene.map, conv2d_loop(digit(), scene.kernel))
        await pilot.press("0")
        assert scene.kernel[2, 3] == 0.0
        assert "Σ w·x = 5.62" in text(scene, "#cs-sum")
        # three rows down from row 2 is the bias
        await pilot.press("down", "down", "down")
        assert scene.cursor[0] == 5
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert scene.bias == 1.0
        assert "+ b 1.00" in text(scene, "#cs-sum") and "= 6.62" in text(scene, "#cs-sum")
        assert scene.map[0, 0] == pytest.approx(1.0)  # background: only the bias
        await pilot.press("up", "a")
        assert scene.cursor == (4, 2)
        scene.reset()
        await pilot.pause()
        assert scene.kernel_name == "vertical edge" and scene.bias == 0.0
        np.testing.assert_array_equal(scene.kernel, KERNELS["vertical edge"])


async def test_fixed_scene_ignores_editing_keys_and_arrows_scroll() -> None:
    scene = ConvSlideScene({"kernel": "vertical edge", "cell": [9, 9]})
    async with SceneHost(scene).run_test(size=NARROW) as pilot:
        await pilot.pause()
        assert not scene.wide
        await pilot.press("right_square_bracket", "d", "0")
        np.testing.assert_array_equal(scene.kernel, KERNELS["vertical edge"])
        holder = pilot.app.query_one(VerticalScroll)
        assert holder.scroll_y == 0
        await pilot.press("down", "down")
        await pilot.pause()
        assert holder.scroll_y > 0  # the arrows scroll to the map below


async def test_narrow_layout_puts_the_sum_beside_the_digit() -> None:
    scene = ConvSlideScene({"kernel": "vertical edge", "cell": [9, 9], "editable": True})
    async with SceneHost(scene).run_test(size=NARROW) as pilot:
        await pilot.pause()
        assert not scene.wide
        assert scene.query_one("#cs-side").display and not scene.query_one("#cs-sum").display
        assert scene.query_one("#cs-mapbox-below").display and not scene.query_one("#cs-mapbox").display
        side = text(scene, "#cs-side-sum")
        assert "(9,9)" in side and "6.61" in side and "w[2,2]" in side
        assert max(len(line) for line in side.splitlines()) <= 7
        assert scene.query_one("#cs-map-below", FeatureMapImage).revealed == 226


async def test_maps_mode_three_kernels() -> None:
    scene = ConvSlideScene({"mode": "maps"})
    async with SceneHost(scene).run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert scene.position == scene.total_frames == 576  # starts finished
        assert scene.maps_names == ("vertical edge", "horizontal edge", "diagonal edge")
        for i, name in enumerate(scene.maps_names):
            widget = scene.query_one(f"#cs-maps-map-{i}", FeatureMapImage)
            np.testing.assert_allclose(widget.data, conv2d_loop(digit(), KERNELS[name]))
            assert name in text(scene, f"#cs-maps-label-{i}")
        assert "3 x 24 x 24" in text(scene, "#cs-side-head")
        scene.toggle_play()  # from the end, play restarts at 0
        assert scene.position == 0 and scene.playing
        scene.playing = False
        scene.position = 226
        await pilot.pause()
        side = text(scene, "#cs-side-head")
        assert "cell (9,9)" in side and "A vertical edge: 6.61" in side
        assert "B horizontal edge: -2.96" in side
        await pilot.press("k")
        assert scene.maps_names == ("horizontal edge", "diagonal edge", "blur")
        widget = scene.query_one("#cs-maps-map-2", FeatureMapImage)
        np.testing.assert_allclose(widget.data, conv2d_loop(digit(), KERNELS["blur"]))


async def test_maps_mode_kernel_param_picks_the_first_map() -> None:
    scene = ConvSlideScene({"mode": "maps", "kernel": "blur"})
    async with SceneHost(scene).run_test(size=NARROW) as pilot:
        await pilot.pause()
        assert scene.maps_names == ("blur", "sharpen", "identity")
        assert not scene.query_one("#cs-top").display  # narrow: maps only


async def test_channels_mode_sums_per_channel_plus_one_bias() -> None:
    scene = ConvSlideScene({"mode": "channels", "channels": 2, "seed": 0})
    async with SceneHost(scene).run_test(size=NARROW) as pilot:
        await pilot.pause()
        assert scene.total_frames == 9 and scene.position == 0
        assert "out = Σ1 + Σ2 + b,  b = 2" in text(scene, "#cs-channels")
        scene.step_forward()
        await pilot.pause()
        shown = text(scene, "#cs-channels")
        assert "Σ1 = 8" in shown and "Σ2 = 4" in shown
        assert "out[0,0] = 8 + 4 + b 2 = 14" in shown
        for c in range(2):
            assert scene.toy_parts[c][0, 0] == (scene.toy_x[c, :3, :3] * scene.toy_w[c]).sum()
        await pilot.press("end")
        np.testing.assert_allclose(scene.toy_out, scene.toy_parts.sum(axis=0) + scene.toy_b)
        before = scene.toy_x.copy()
        await pilot.press("k")
        assert not np.array_equal(before, scene.toy_x)
        three = ConvSlideScene({"mode": "channels", "channels": 3})
        assert three.toy_x.shape == (3, 5, 5)


async def test_missing_data_is_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs):
        raise mnist.DataError("train-images-idx3-ubyte.gz is missing: reinstall dl-tutor")

    scene_data.clear_digit_cache()
    monkeypatch.setattr(mnist, "load_digits", broken)
    scene = ConvSlideScene({})
    async with SceneHost(scene).run_test(size=WIDE) as pilot:
        await pilot.pause()
        status = text(scene, "#cs-status")
        assert "could not be loaded" in status and "is missing" in status
        assert scene.total_frames == 0 and not scene.query_one("#cs-top").display
        await pilot.press("k", "full_stop")
        assert scene.position == 0
    scene_data.clear_digit_cache()


def test_partial_map_rows() -> None:
    values = np.arange(24 * 24, dtype=float).reshape(24, 24) - 200
    widget = FeatureMapImage(values, vmin=-400, vmax=400, palette="diverging", mode="shade")
    widget.reveal(30, None)  # row 0 full, row 1 up to column 5
    lines = ["".join(seg.text for seg in strip) for strip in widget.lines]
    assert len(lines) == 12 and all(len(line) == 24 for line in lines)
    assert PENDING_CHAR not in lines[0]
    assert lines[1] == PENDING_CHAR * 24 and lines[-1] == PENDING_CHAR * 24
    widget.reveal(24 * 2 + 5, None)  # rows 0-1 full, row 2 up to column 4
    lines = ["".join(seg.text for seg in strip) for strip in widget.lines]
    assert PENDING_CHAR not in lines[0]
    assert lines[1].endswith(PENDING_CHAR * 19) and PENDING_CHAR not in lines[1][:5]
    widget.reveal(-1, None)
    assert all(PENDING_CHAR not in "".join(seg.text for seg in s) for s in widget.lines)


def test_loop_engine_agrees_with_the_scene_cell() -> None:
    image = digit()
    record = conv_cell(image, KERNELS["vertical edge"], 9, 9)
    assert record.total == pytest.approx(conv2d_loop(image, KERNELS["vertical edge"])[9, 9])


# --- snapshots in the lesson screen ------------------------------------------------------------

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def real_colours(monkeypatch: pytest.MonkeyPatch) -> None:
    """Half-block colours regardless of $TERM, as the widget snapshots do."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(HalfBlockImage, "color_capable", property(lambda self: True))


SNAPSHOTS = {
    # The worked cell (9, 9) of the vertical-edge kernel: 25 products, sum 6.61, map part-filled.
    "one-cell": ("one-cell", ()),
    # Editing: the cursor moved right and the weight raised to 1.5.
    "edit": ("feature-detector", ("d", "right_square_bracket")),
    # Three kernels, three finished 24x24 maps.
    "maps": ("several-maps", ()),
    # Two channels, cell (0, 0): 8 + 4 + b 2 = 14.
    "channels": ("channels", ("full_stop",)),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(SNAPSHOTS))
def test_lesson_snapshots(snap_compare, real_colours, tmp_path: Path, name: str,
                          size: tuple[int, int]) -> None:
    step, keys = SNAPSHOTS[name]
    app = lesson_app(tmp_path, "convolution")
    assert snap_compare(app, run_before=at_step(step, keys), terminal_size=size)
