"""Tests for the image, plot and transport widgets: pure rendering first, then through an app."""

from __future__ import annotations

import os

import numpy as np
import pytest
from rich.style import Style
from textual.app import App, ComposeResult

from tutor.widgets.image import (
    LEVELS,
    NAN_CHAR,
    NEGATIVE_SHADES,
    SHADES,
    HalfBlockImage,
    format_numbers,
    palette_colours,
    quantise,
    render_rows,
    resolve_mode,
    value_range,
)
from tutor.widgets.plot import (
    LINE_MARKERS,
    SCATTER_MARKERS,
    Plot,
    PlotModel,
    Series,
    downsample,
    draw_model,
    finite_xy,
)
from tutor.widgets.transport import (
    ACTIONS,
    Transport,
    action_at,
    format_speed,
    layout_transport,
    next_speed,
)


def gradient_4x4() -> np.ndarray:
    """A 4x4 image whose values run 0..15 row by row, shape (4, 4)."""
    return np.arange(16, dtype=float).reshape(4, 4)


def ring(size: int = 28, seed: int = 0) -> np.ndarray:
    """A seeded, digit-like ring in [0, 1], shape (size, size)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size]
    r = np.hypot(yy - (size - 1) / 2, xx - (size - 1) / 2)
    image = np.exp(-((r - size * 0.3) ** 2) / 4.0) + 0.05 * rng.random((size, size))
    return np.clip(image, 0, 1)


def rgb(style: Style, which: str) -> tuple[int, int, int]:
    """The (r, g, b) triplet of a style's foreground (``"fg"``) or background colour."""
    colour = style.color if which == "fg" else style.bgcolor
    triplet = colour.get_truecolor()
    return (triplet.red, triplet.green, triplet.blue)


def cells(strip) -> list[tuple[str, Style]]:
    """Split a strip into one (character, style) pair per cell."""
    out = []
    for segment in strip:
        out.extend((char, segment.style) for char in segment.text)
    return out


# -- image: pure rendering ----------------------------------------------------------------


def test_gradient_blocks_two_rows_of_four_half_blocks():
    strips = render_rows(gradient_4x4(), mode="blocks")
    assert len(strips) == 2
    assert [s.cell_length for s in strips] == [4, 4]
    first = cells(strips[0])
    assert [c for c, _ in first] == ["▀"] * 4
    # Top-left pixel is the minimum (black), below it value 4 of 0..15.
    assert rgb(first[0][1], "fg") == (0, 0, 0)
    expected_bg = palette_colours("grey")[int(round(4 / 15 * (LEVELS - 1)))]
    assert rgb(first[0][1], "bg") == expected_bg.rgb
    # Bottom-right pixel is the maximum: white background.
    last = cells(strips[1])[-1]
    assert rgb(last[1], "bg") == (255, 255, 255)
    # Left to right the foreground gets brighter.
    brightness = [sum(rgb(style, "fg")) for _, style in first]
    assert brightness == sorted(brightness) and brightness[0] < brightness[-1]


def test_odd_height_leaves_last_lower_half_unset():
    strips = render_rows(np.ones((3, 2)) * np.array([[0], [1], [2]]), mode="blocks")
    assert len(strips) == 2
    _, style = cells(strips[1])[0]
    assert style.bgcolor is None and style.color is not None


def test_explicit_vmin_vmax_clip():
    strips = render_rows(np.array([[-5.0, 0.5], [10.0, 0.25]]), vmin=0, vmax=1, mode="blocks")
    first = cells(strips[0])
    assert rgb(first[0][1], "fg") == (0, 0, 0)
    assert rgb(first[0][1], "bg") == (255, 255, 255)


def test_shade_mode_uses_shading_characters():
    strips = render_rows(gradient_4x4(), mode="shade")
    assert len(strips) == 2
    text = "".join(s.text for s in strips)
    assert set(text) <= set(SHADES + "▀▄")
    assert strips[0].text[0] in " ░"  # darkest corner is (nearly) empty
    assert strips[1].text[-1] in "▓█"  # brightest corner is (nearly) full


def test_shade_mode_picks_half_blocks_for_sharp_vertical_edges():
    image = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert render_rows(image, mode="shade")[0].text == "▀▄"


def test_shade_diverging_marks_negatives_without_colour():
    image = np.array([[-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0]])
    text = render_rows(image, palette="diverging", mode="shade")[0].text
    assert text[0] == NEGATIVE_SHADES[-1]
    assert text[1] == " "
    assert text[2] == SHADES[-1]
    assert text[0] not in SHADES


def test_numbers_mode_formats_and_aligns():
    kernel = np.array([[1.0, 0.0, -1.0], [2.0, 0.5, -2.0]])
    strips = render_rows(kernel, mode="numbers", color=False)
    assert [s.text for s in strips] == ["   1   0  -1", "   2 0.5  -2"]
    assert len({s.cell_length for s in strips}) == 1


def test_format_numbers_picks_precision_from_range():
    assert format_numbers(np.array([[0, 128, 255]]))[0] == [["0", "128", "255"]]
    assert format_numbers(np.array([[0.25, -1.0]]))[0] == [["0.25", "-1"]]
    assert format_numbers(np.array([[12.34, -0.001]]))[0] == [["12.3", "0"]]
    rows, width = format_numbers(np.array([[np.nan, np.inf]]))
    assert rows == [["nan", "inf"]] and width == 3


def test_numbers_mode_with_colour_sets_background():
    strips = render_rows(np.array([[0.0, 1.0]]), mode="numbers", color=True)
    styles = [style for _, style in cells(strips[0])]
    assert styles[0].bgcolor is not None and styles[-1].bgcolor is not None
    assert rgb(styles[0], "bg") != rgb(styles[-1], "bg")


def test_nan_gets_distinct_marker_in_every_mode():
    image = np.array([[0.0, np.nan], [1.0, 0.5]])
    blocks = cells(render_rows(image, mode="blocks")[0])
    nan_colour = palette_colours("grey")[LEVELS]
    assert rgb(blocks[1][1], "fg") == nan_colour.rgb
    assert render_rows(image, mode="shade")[0].text[1] == NAN_CHAR
    assert "nan" in render_rows(image, mode="numbers")[0].text
    assert quantise(image, 0, 1)[0, 1] == LEVELS


def test_all_nan_and_infinite_values_do_not_crash():
    assert len(render_rows(np.full((4, 4), np.nan), mode="blocks")) == 2
    image = np.array([[np.inf, -np.inf], [0.0, 1.0]])
    for mode in ("blocks", "shade", "numbers"):
        assert render_rows(image, mode=mode)


def test_constant_array_renders_mid_level():
    low, high = value_range(np.full((2, 2), 3.0), None, None, "grey")
    assert low < 3.0 < high
    strips = render_rows(np.full((2, 2), 3.0), mode="blocks")
    colour = rgb(cells(strips[0])[0][1], "fg")
    assert 100 < colour[0] < 155
    assert value_range(np.zeros((2, 2)), None, None, "diverging") == (-1.0, 1.0)


def test_diverging_range_is_symmetric_and_zero_is_white():
    assert value_range(np.array([[-1.0, 3.0]]), None, None, "diverging") == (-3.0, 3.0)
    strips = render_rows(np.array([[-3.0, 0.0, 3.0], [0.0, 0.0, 0.0]]), palette="diverging")
    first = cells(strips[0])
    blue, white, red = (rgb(style, "fg") for _, style in first)
    assert blue[2] > blue[0] and red[0] > red[2]
    assert min(white) > 200


def test_empty_and_none_give_no_rows():
    assert render_rows(None) == []
    assert render_rows(np.zeros((0, 5))) == []
    assert render_rows(np.zeros((3, 0)), mode="numbers") == []


def test_one_dimensional_is_one_row_and_three_dimensional_is_refused():
    assert len(render_rows(np.arange(5.0), mode="numbers")) == 1
    with pytest.raises(ValueError, match="2-D"):
        render_rows(np.zeros((2, 2, 2)))


def test_scale_repeats_pixels():
    kernel = np.arange(4.0).reshape(2, 2)
    strips = render_rows(kernel, mode="blocks", scale=3)
    assert len(strips) == 3 and strips[0].cell_length == 6
    shade = render_rows(kernel, mode="shade", scale=2)
    assert [s.text for s in shade] == [" " * 2 + SHADES[1] * 2, SHADES[3] * 2 + SHADES[4] * 2]


def test_highlight_tints_blocks_and_reverses_shade_and_numbers():
    image = np.zeros((4, 4))
    plain = cells(render_rows(image, mode="blocks")[0])
    lit = cells(render_rows(image, mode="blocks", highlight=(0, 1, 2, 2))[0])
    assert plain[0][1] == lit[0][1]
    assert plain[1][1] != lit[1][1] and plain[2][1] != lit[2][1]
    assert plain[3][1] == lit[3][1]
    shade = cells(render_rows(image, mode="shade", highlight=(0, 0, 1, 1))[0])
    assert shade[0][1].reverse and not shade[1][1].reverse
    numbers = cells(render_rows(image, mode="numbers", highlight=(1, 1, 1, 1), color=False)[1])
    assert any(style.reverse for _, style in numbers)
    # A highlight outside the image is harmless.
    assert render_rows(image, mode="blocks", highlight=(10, 10, 3, 3))


def test_styles_are_shared_not_built_per_pixel():
    strips = render_rows(ring(), mode="blocks")
    styles = {id(style) for strip in strips for _, style in cells(strip)}
    # Many pixels, few distinct (cached) style objects per distinct colour pair.
    pairs = {style for strip in strips for _, style in cells(strip)}
    assert len(styles) == len(pairs)


def test_resolve_mode_rule():
    assert resolve_mode("auto", color_system="truecolor", no_color=False) == "blocks"
    assert resolve_mode("auto", color_system="256", no_color=False) == "blocks"
    assert resolve_mode("auto", color_system="standard", no_color=False) == "shade"
    assert resolve_mode("auto", color_system=None, no_color=False) == "shade"
    assert resolve_mode("auto", color_system="truecolor", no_color=True) == "shade"
    assert resolve_mode("numbers", color_system="truecolor", no_color=False) == "numbers"


def test_unknown_mode_or_palette_is_refused():
    with pytest.raises(ValueError):
        render_rows(np.zeros((2, 2)), mode="auto")
    with pytest.raises(ValueError):
        render_rows(np.zeros((2, 2)), palette="viridis")


# -- image: in an app ------------------------------------------------------------------------


class ImageApp(App):
    """Hosts one HalfBlockImage."""

    def __init__(self, **kwargs) -> None:
        super().__init__()
        self.kwargs = kwargs

    def compose(self) -> ComposeResult:
        yield HalfBlockImage(**self.kwargs)


async def test_image_sizes_itself_and_follows_reactives():
    app = ImageApp(data=ring(), mode="blocks")
    async with app.run_test(size=(80, 24)) as pilot:
        image = app.query_one(HalfBlockImage)
        assert (image.size.width, image.size.height) == (28, 14)
        image.scale = 2
        await pilot.pause()
        assert (image.size.width, image.size.height) == (56, 28)
        image.scale = 1
        image.data = np.zeros((5, 5))
        image.mode = "numbers"
        await pilot.pause()
        assert image.size.height == 5
        image.data = None
        await pilot.pause()
        assert image.size.height == 0
        image.data = np.full((6, 3), np.nan)
        image.mode = "shade"
        image.palette = "diverging"
        image.highlight = (0, 0, 2, 2)
        image.vmin, image.vmax = -1.0, 1.0
        await pilot.pause()
        assert (image.size.width, image.size.height) == (3, 3)
        assert image.render_line(0).text == NAN_CHAR * 3
        assert image.render_line(10).cell_length == image.size.width


@pytest.mark.skipif(
    os.environ.get("TEXTUAL_COLOR_SYSTEM", "auto") != "auto",
    reason="TEXTUAL_COLOR_SYSTEM is fixed when Textual is imported",
)
async def test_image_auto_mode_follows_colour_system(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLORTERM", "truecolor")
    app = ImageApp(data=ring())
    async with app.run_test(size=(80, 24)):
        assert app.query_one(HalfBlockImage).effective_mode == "blocks"
    monkeypatch.delenv("COLORTERM")
    monkeypatch.setenv("TERM", "xterm")
    app = ImageApp(data=ring())
    async with app.run_test(size=(80, 24)):
        image = app.query_one(HalfBlockImage)
        assert image.effective_mode == "shade"
        assert set(image.render_line(3).text) <= set(SHADES + "▀▄")
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("NO_COLOR", "1")
    app = ImageApp(data=ring())
    async with app.run_test(size=(80, 24)):
        assert app.query_one(HalfBlockImage).effective_mode == "shade"


async def test_image_rejects_bad_reactive_values():
    app = ImageApp(data=ring(), mode="blocks")
    async with app.run_test(size=(80, 24)):
        image = app.query_one(HalfBlockImage)
        with pytest.raises(ValueError):
            image.mode = "sixel"
        with pytest.raises(ValueError):
            image.data = np.zeros((2, 2, 2))
        image.scale = 0
        assert image.scale == 1


# -- plot: the data model --------------------------------------------------------------------


def test_finite_xy_drops_nan_inf_and_huge():
    xs, ys = finite_xy([0, 1, 2, 3, 4], [0, np.nan, np.inf, 1e300, 4])
    assert xs.tolist() == [0, 4] and ys.tolist() == [0, 4]
    with pytest.raises(ValueError, match="differ"):
        finite_xy([1, 2], [1])


def test_downsample_keeps_ends_and_bounds_count():
    xs = np.arange(10_000.0)
    small_x, small_y = downsample(xs, xs**2, 160)
    assert len(small_x) <= 160 and small_x[0] == 0 and small_x[-1] == 9_999
    assert np.array_equal(small_y, small_x**2)
    assert len(downsample(xs[:5], xs[:5], 160)[0]) == 5


class PlotApp(App):
    """Hosts one Plot."""

    def compose(self) -> ComposeResult:
        yield Plot(title="loss")


async def test_plot_model_built_by_api():
    app = PlotApp()
    async with app.run_test(size=(80, 24)):
        plot = app.query_one(Plot)
        plot.set_lines([("train", [0, 1, 2], [3, 2, 1]), ("test", [0, 1], [3, np.nan])])
        plot.add_scatter("class 0", [0.1, 0.2], [0.3, 0.4])
        plot.add_scatter("class 1", [0.5], [0.6])
        plot.add_segment("boundary", (0, 1), (1, 0))
        plot.add_vector("w", (0.5, 0.5))
        kinds = [(s.label, s.kind, s.marker) for s in plot.model.series]
        assert kinds == [
            ("train", "line", LINE_MARKERS[0]),
            ("test", "line", LINE_MARKERS[1]),
            ("class 0", "scatter", SCATTER_MARKERS[0]),
            ("class 1", "scatter", SCATTER_MARKERS[1]),
            ("boundary", "segment", "hd"),
            ("w", "vector", "•"),
        ]
        assert plot.model.series[1].xs.tolist() == [0.0]  # NaN point dropped
        assert plot.model.series[5].xs.tolist() == [0.0, 0.5]
        # set_lines replaces only the lines.
        plot.set_lines([("only", [0, 1], [0, 1])])
        assert [s.label for s in plot.model.series][0] == "only"
        assert len(plot.model.series) == 5
        plot.set_xlim(-1, 1)
        plot.set_ylim(0, 2)
        assert (plot.model.xlim, plot.model.ylim) == ((-1.0, 1.0), (0.0, 2.0))
        plot.set_xlim()
        assert plot.model.xlim is None
        with pytest.raises(ValueError):
            plot.set_ylim(1, 1)
        with pytest.raises(ValueError):
            plot.set_bars(["a", "b"], [1.0])
        plot.clear()
        assert plot.model.is_empty() and plot.model.title == "loss"


async def test_plot_redraw_is_throttled_and_draws_on_timer():
    app = PlotApp()
    async with app.run_test(size=(80, 24)) as pilot:
        plot = app.query_one(Plot)
        await pilot.pause()
        start = plot.draw_count
        for i in range(20):
            plot.set_lines([("x", np.arange(i + 2.0), np.arange(i + 2.0))])
        assert plot.dirty and plot.draw_count == start
        await pilot.pause(0.3)
        assert not plot.dirty
        assert 1 <= plot.draw_count - start <= 4


@pytest.mark.parametrize(
    "fill",
    [
        "empty",
        "one point",
        "nan",
        "huge",
        "long",
        "bars",
        "all",
    ],
)
async def test_plot_draws_odd_data_without_crashing(fill):
    app = PlotApp()
    async with app.run_test(size=(80, 24)) as pilot:
        plot = app.query_one(Plot)
        if fill == "one point":
            plot.set_lines([("p", [1.0], [2.0])])
        elif fill == "nan":
            plot.set_lines([("n", [np.nan, np.nan], [np.nan, 1.0])])
            plot.add_scatter("n", [np.inf], [np.nan])
        elif fill == "huge":
            plot.set_lines([("h", [0, 1, 2], [1e300, -1e300, 1e11])])
            plot.add_vector("v", (1e11, -1e11))
        elif fill == "long":
            xs = np.linspace(0, 10, 100_000)
            plot.set_lines([("sin", xs, np.sin(xs))])
        elif fill == "bars":
            plot.set_bars(["0", "1", "2"], [0.1, np.nan, 0.7])
        elif fill == "all":
            plot.set_lines([("a", [0, 1], [0, 1])])
            plot.add_scatter("b", [0.5], [0.2], marker="x")
            plot.add_segment("c", (0, 1), (1, 0))
            plot.add_vector("w", (0.3, 0.6))
            plot.set_xlim(-1, 2)
            plot.set_ylim(-1, 2)
            plot.set_title("all")
            plot.set_labels("x1", "x2")
        plot.redraw_now()
        await pilot.pause()
        screen = app.export_screenshot()
        assert "plot unavailable" not in screen


def test_draw_model_thins_long_lines():
    class Recorder:
        """Stands in for a plotext figure and records what is drawn."""

        def __init__(self):
            self.calls = []

        def __getattr__(self, name):
            return lambda *args, **kwargs: self.calls.append((name, args, kwargs))

    recorder = Recorder()
    xs = np.arange(5000.0)
    model = PlotModel(series=[Series("l", xs, xs, "line", "braille")], title="t", ylim=(0, 1))
    draw_model(recorder, model, width=40)
    names = [name for name, _, _ in recorder.calls]
    assert names[0] == "clear_figure" and "title" in names and "ylim" in names
    assert names[-2:] == ["xticks", "yticks"]  # round ticks, set last
    (xticks,) = [args for name, args, _ in recorder.calls if name == "xticks"]
    assert xticks[1] == ["0", "2000", "4000"]  # 40 columns: at most 5 ticks on 0..4999
    (plotted,) = [args for name, args, _ in recorder.calls if name == "plot"]
    assert len(plotted[0]) <= 80


# -- transport --------------------------------------------------------------------------------


def test_transport_layout_fits_and_shows_state():
    pieces = layout_transport(True, 3, 12, 1.0, 80)
    text = "".join(p.text for p in pieces)
    assert len(text) <= 80
    assert "▶" in text and "step 3/12" in text and "1x" in text
    assert "space play · . step · , back · r reset · +/- speed" in text
    paused = "".join(p.text for p in layout_transport(False, 0, None, 0.25, 80))
    assert "‖" in paused and "step 0  " in paused
    assert "0.25x" in paused
    ascii_text = "".join(p.text for p in layout_transport(False, 1, 2, 2.0, 80, ascii_only=True))
    assert "||" in ascii_text and "▶" not in ascii_text and "·" not in ascii_text


def test_transport_layout_drops_legend_when_narrow():
    for width in (80, 60, 40, 30, 10):
        pieces = layout_transport(False, 120, 1000, 0.25, width)
        length = sum(len(p.text) for p in pieces)
        core_length = sum(len(p.text) for p in layout_transport(False, 120, 1000, 0.25, 0))
        assert length <= max(width, core_length)
    short = "".join(p.text for p in layout_transport(False, 1, 9, 1.0, 60))
    assert "spc play" in short and "+/- speed" not in short
    bare = "".join(p.text for p in layout_transport(False, 1, 9, 1.0, 25))
    assert "play" not in bare and "step 1/9" in bare


def test_transport_action_at_and_speed_helpers():
    pieces = layout_transport(False, 1, 9, 1.0, 80)
    assert action_at(pieces, 1) == "toggle"
    actions = {p.action for p in pieces if p.action}
    assert actions == set(ACTIONS)
    assert action_at(pieces, 500) == ""
    assert format_speed(1.0) == "1x" and format_speed(0.5) == "0.5x" and format_speed(8) == "8x"
    assert next_speed(1.0, True) == 2.0 and next_speed(1.0, False) == 0.5
    assert next_speed(8.0, True) == 8.0 and next_speed(0.25, False) == 0.25
    assert next_speed(3.0, True) == 4.0


class TransportApp(App):
    """Hosts a Transport and records the actions it reports."""

    def __init__(self) -> None:
        super().__init__()
        self.pressed: list[str] = []

    def compose(self) -> ComposeResult:
        yield Transport(total=12, position=3)

    def on_transport_pressed(self, message: Transport.Pressed) -> None:
        self.pressed.append(message.action)


async def test_transport_clicks_post_actions():
    app = TransportApp()
    async with app.run_test(size=(80, 24)) as pilot:
        transport = app.query_one(Transport)
        pieces = transport.pieces

        def column(action: str) -> int:
            start = 0
            for piece in pieces:
                if piece.action == action:
                    return start + len(piece.text) // 2
                start += len(piece.text)
            raise AssertionError(action)

        for action in ACTIONS:
            await pilot.click(Transport, offset=(column(action), 0))
        # A click on the position text does nothing.
        step_at = "".join(p.text for p in pieces).index("step")
        await pilot.click(Transport, offset=(step_at, 0))
        await pilot.pause()
        assert app.pressed == list(ACTIONS)


async def test_transport_reactives_update_the_line():
    app = TransportApp()
    async with app.run_test(size=(80, 24)) as pilot:
        transport = app.query_one(Transport)
        line = transport.render_line(0).text
        assert "‖" in line and "step 3/12" in line
        transport.playing = True
        transport.position = 4
        transport.speed = 2.0
        await pilot.pause()
        line = transport.render_line(0).text
        assert "▶" in line and "step 4/12" in line and "2x" in line
        transport.styles.width = 30
        await pilot.pause()
        assert "reset" not in transport.render_line(0).text


@pytest.mark.parametrize(
    ("low", "high", "most", "labels"),
    [
        (0, 143, 5, ["0", "50", "100"]),
        (0, 1, 5, ["0.00", "0.25", "0.50", "0.75", "1.00"]),
        (0, 4000, 6, ["0", "1000", "2000", "3000", "4000"]),
        (-3.2, -1.1, 4, ["-3", "-2"]),
        (0.1, 0.13, 4, ["0.10", "0.11", "0.12", "0.13"]),
        (1.0, 1.0, 5, []),
    ],
)
def test_plot_axes_get_round_ticks(low, high, most, labels) -> None:
    """Ticks are round steps inside the range, one number of decimals per axis (never the even
    split plotext draws by itself: 96 128 143 175)."""
    from tutor.widgets.plot import nice_ticks

    ticks, written = nice_ticks(low, high, most)
    assert written == labels and len(ticks) <= most
    assert all(low - 1e-9 <= t <= high + 1e-9 for t in ticks)


def test_transport_hides_its_counts_while_the_scene_holds_answers() -> None:
    """A frame count can be an answer (window positions, pooled cells): held, it is "?"."""
    shown = "".join(p.text for p in layout_transport(False, 3, 24, 1.0, 80))
    held = "".join(p.text for p in layout_transport(False, 3, 24, 1.0, 80, held=True))
    assert "step 3/24" in shown
    assert "step ?" in held and "24" not in held and "3/" not in held


def test_whole_number_ticks_for_counts() -> None:
    from tutor.widgets.plot import nice_ticks

    assert nice_ticks(1, 3, 8, whole=True)[1] == ["1", "2", "3"]  # epochs, never 1.0 1.5 2.0
    assert nice_ticks(1, 3, 8)[1] == ["1.0", "1.5", "2.0", "2.5", "3.0"]
    ticks, labels = nice_ticks(1, 40, 6, whole=True)
    assert all(t == int(t) for t in ticks) and labels[0] == "10"
