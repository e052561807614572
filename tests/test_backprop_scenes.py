"""The backpropagation scenes (activations, softmax, xor-network) mounted in a tiny app and driven by keys."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from rich.console import Console
from textual.widgets import Static

from tutor.engines import mlp
from tutor.scenes.activations import SATURATION_NOTE, STEP_NOTE, ActivationsScene
from tutor.scenes.base import Scene
from tutor.scenes.registry import SCENES, load_scene_class
from tutor.scenes.softmax import OVERFLOW_LOGITS, SoftmaxScene
from tutor.scenes.xor_network import XorNetworkScene
from tutor.widgets.image import HalfBlockImage
from tutor.widgets.plot import Plot
from tests.scene_host import SceneHost


_Host = SceneHost


def _text(static: Static) -> str:
    """The plain text a Static shows (Text, or a rich renderable printed without colour)."""
    console = Console(width=100, record=True, color_system=None)
    content: Any = getattr(static, "content", None) or static.render()
    with console.capture() as capture:
        console.print(content)
    return capture.get()


def _all_text(scene: Scene) -> str:
    return "\n".join(_text(static) for static in scene.query(Static) if static.id)


def test_registry_points_at_these_scenes() -> None:
    assert load_scene_class("activations") is ActivationsScene
    assert load_scene_class("softmax") is SoftmaxScene
    assert load_scene_class("xor-network") is XorNetworkScene
    assert set(SCENES["activations"].params["show"]) <= set(ActivationsScene().names)


# --- activations ----------------------------------------------------------------------------------


async def test_activations_cycle_probe_and_saturation() -> None:
    scene = ActivationsScene({"show": "sigmoid"})
    async with _Host(scene).run_test(size=(100, 34)) as pilot:
        assert scene.total_frames == 24 and scene.position == 0 and scene.probe_x() == -6
        text = _all_text(scene)
        assert "σ(x) = 1 / (1 + e^-x)" in text and SATURATION_NOTE in text.replace("\n", " ")
        # Move the probe to x = 0, where σ' = 0.25: no saturation.
        for _ in range(12):
            await pilot.press("right_curly_bracket")
        await pilot.pause()
        assert scene.position == 12 and scene.probe_x() == 0.0
        text = _all_text(scene)
        assert "f'(x)=0.250" in text and "f(x)=0.500" in text
        assert SATURATION_NOTE not in text.replace("\n", " ") and not scene.saturated()
        await pilot.press("left_curly_bracket")
        assert scene.probe_x() == -0.5
        # a cycles through the functions in order, keeping the probe.
        await pilot.press("a")
        assert scene.name_shown == "tanh" and scene.probe_x() == -0.5
        names = []
        for _ in range(len(scene.names)):
            await pilot.press("a")
            names.append(scene.name_shown)
        assert set(names) == {"step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "maxout", "softmax"}
        # Step: f' = 0 everywhere, explained as no signal for gradient descent.
        while scene.name_shown != "step":
            await pilot.press("a")
        await pilot.pause()
        assert "gradient descent gets no signal" in _all_text(scene).replace("\n", " ")
        assert STEP_NOTE.startswith("f' is 0 everywhere")
        # relu at x = -0.5 has f' = 0: saturated; maxout never is.
        while scene.name_shown != "relu":
            await pilot.press("a")
        assert scene.saturated()
        while scene.name_shown != "maxout":
            await pilot.press("a")
        assert not any(scene.saturated(x) for x in np.arange(-6, 6.5, 0.5))
        plot = scene.query_one("#ac-plot", Plot)
        # f in character cells like f' and the probe markers (braille would sit on other rows).
        assert [s.marker for s in plot.model.series[:2]] == ["•", "+"]
        assert all(s.marker != "braille" for s in plot.model.series)


async def test_activations_softmax_view_shows_labelled_bars_of_p() -> None:
    scene = ActivationsScene({"show": "softmax"})
    async with _Host(scene).run_test(size=(80, 24)) as pilot:
        for _ in range(12):  # z1 from -6 to 0: z = [0, 1, 0]
            await pilot.press("right_curly_bracket")
        await pilot.pause()
        assert scene.probe_x() == 0.0
        assert not scene.query_one("#ac-plot", Plot).display  # no sigmoid plot for softmax
        bars = str(scene.query_one("#ac-bars", Static).render())
        e = math.e
        expected = (1 / (2 + e), e / (2 + e), 1 / (2 + e))  # 0.212, 0.576, 0.212
        rows = bars.splitlines()[1:]
        for row, p in zip(rows, expected):
            assert row.rstrip().endswith(f"{p:.3f}")
        assert "z = [0, 1, 0]" in _all_text(scene)
        scene.hold_answers(True)
        await pilot.pause()
        assert "0.576" not in str(scene.query_one("#ac-bars", Static).render())


async def test_activations_sweep_plays_and_odd_param_falls_back() -> None:
    scene = ActivationsScene({"show": "no-such-thing"})
    async with _Host(scene).run_test(size=(80, 24)) as pilot:
        assert scene.name_shown == "sigmoid"
        scene.to_end()
        await pilot.pause()
        assert scene.probe_x() == 6.0
        scene.toggle_play()  # from the end: restarts the sweep at x = -6
        assert scene.playing and scene.position == 0
        scene.step_forward()
        assert scene.position == 1
        scene.reset()
        assert scene.position == 0 and not scene.playing


# --- softmax --------------------------------------------------------------------------------------


SEED_P = (0.228, 0.619, 0.153)


async def test_softmax_seed_example_and_knobs() -> None:
    scene = SoftmaxScene({"logits": [math.log(p) for p in SEED_P], "true_class": 1})
    async with _Host(scene).run_test(size=(100, 34)) as pilot:
        assert scene.position == scene.total_frames == 3
        assert np.allclose(scene.probabilities, SEED_P)
        assert round(scene.loss, 4) == 0.4797  # the seed writes 0.479 (it truncates)
        text = _all_text(scene)
        for p in ("0.228", "0.619", "0.153"):
            assert p in text
        assert "H = -ln p[B] = -ln 0.619 = 0.479" in text
        assert "-0.381" in text  # p - y for the true class B
        # The bars are drawn in eighth blocks and labelled: 0.228 and 0.153 differ visibly.
        rows = {line.split()[0].rstrip("*"): line for line in
                str(scene.query_one("#sm-bars", Static).render()).splitlines()[1:]}
        assert list(rows) == ["A", "B", "C"]
        for name, p in zip("ABC", SEED_P):
            assert rows[name].rstrip().endswith(f"{p:.3f}")
        length = {name: sum(1 for ch in row if ch in "▏▎▍▌▋▊▉█") for name, row in rows.items()}
        assert length["B"] > length["A"] > length["C"]
        # ] raises z1 by 0.5: p(A) grows and the loss grows.
        before = scene.loss
        await pilot.press("right_square_bracket")
        assert scene.knob_values[0] == round(math.log(SEED_P[0]) + 0.5, 6) and scene.loss > before
        await pilot.press("down", "left_square_bracket")
        assert scene.knob_values[1] == round(math.log(SEED_P[1]) - 0.5, 6)
        # t moves the true class.
        await pilot.press("t")
        assert scene.true_class == 2 and "p[C]" in _all_text(scene)
        scene.reset()
        await pilot.pause()
        assert scene.true_class == 1 and np.allclose(scene.probabilities, SEED_P)


async def test_softmax_overflow_key_compares_naive_and_stable() -> None:
    scene = SoftmaxScene({"logits": [1.0, 2.0, 0.5], "true_class": 1})
    async with _Host(scene).run_test(size=(100, 34)) as pilot:
        assert not scene.query_one("#sm-overflow").display
        await pilot.press("o")
        await pilot.pause()
        assert scene.overflow and scene.knob_values == list(OVERFLOW_LOGITS)
        assert scene.query_one("#sm-overflow").display
        overflow = _text(scene.query_one("#sm-overflow", Static))
        assert "[nan, nan, nan]" in overflow and "inf" in overflow
        assert "stable p = [0.245, 0.665, 0.090]" in overflow
        assert "max" in overflow
        assert np.all(np.isfinite(scene.probabilities)) and math.isfinite(scene.loss)
        # o again goes back; so does changing a knob.
        await pilot.press("o")
        assert not scene.overflow and scene.knob_values == [1.0, 2.0, 0.5]
        await pilot.press("o", "right_square_bracket")
        assert not scene.overflow and scene.knob_values == [1.5, 2.0, 0.5]


async def test_softmax_lesson_overflow_logits_show_the_comparison_and_nudge_from_there() -> None:
    scene = SoftmaxScene({"logits": list(OVERFLOW_LOGITS), "true_class": 1})
    async with _Host(scene).run_test(size=(80, 24)) as pilot:
        assert not scene.overflow and scene.overflowing
        assert "[nan, nan, nan]" in _text(scene.query_one("#sm-overflow", Static))
        await pilot.press("right_square_bracket")
        assert scene.knob_values == [1000.5, 1001.0, 999.0]


async def test_softmax_fixed_scene_reveals_in_three_steps_and_odd_params() -> None:
    scene = SoftmaxScene({"logits": [1, "x"], "true_class": 7, "editable": False})
    async with _Host(scene).run_test(size=(80, 24)) as pilot:
        assert scene.knob_values == [1.0, 2.0, 0.5] and scene.true_class == 2  # 7 clamped into 0..2
        assert scene.position == 0 and "H =" not in _all_text(scene)
        await pilot.press("right_square_bracket")  # not editable: nothing changes
        assert scene.knob_values == [1.0, 2.0, 0.5]
        scene.step_forward()
        await pilot.pause()
        assert "1.000" in _text(scene.query_one("#sm-table", Static))  # e^(z - max) of the max
        scene.step_forward()
        scene.step_forward()
        await pilot.pause()
        assert "H = -ln p[C]" in _all_text(scene)  # the true class 7 was clamped to 2 (C)


# --- xor-network ----------------------------------------------------------------------------------


async def test_xor_network_good_seed_converges() -> None:
    scene = XorNetworkScene({"hidden": 2, "loss": "mse", "seed": mlp.GOOD_SEED})
    async with _Host(scene).run_test(size=(100, 34)) as pilot:
        assert scene.position == 0 and scene.total_frames == len(scene.records) - 1
        assert "epoch 0" in _all_text(scene)
        image = scene.query_one("#xn-heatmap", HalfBlockImage)
        assert image.data is not None and image.data.shape == (28, 28)
        assert image.vmin == 0 and image.vmax == 1
        await pilot.press("end")
        await pilot.pause()
        assert scene.position == scene.total_frames and scene.converged
        text = _all_text(scene)
        assert f"converged at epoch {scene.final.epoch}" in text
        outputs = _text(scene.query_one("#xn-outputs", Static))
        assert outputs.count("✓") == 4 and "✗" not in outputs
        for label in ("00→0", "01→1", "10→1", "11→0"):
            assert label in text
        # The heatmap is light at 01 and 10, dark at 00 and 11 (row 0 is the top, x2 = 1.5).
        data = image.data
        assert data[20, 7] < 0.5 and data[7, 7] > 0.5 and data[20, 20] > 0.5 and data[7, 20] < 0.5
        plane = scene.query_one("#xn-plane", Plot).model
        assert sum(1 for s in plane.series if s.kind == "segment") >= 1
        assert {s.marker for s in plane.series if s.kind == "scatter"} == {"o", "x"}


async def test_xor_network_stuck_seed_and_next_seed() -> None:
    seed = mlp.STUCK_SEEDS[0]
    scene = XorNetworkScene({"hidden": 2, "loss": "mse", "seed": seed})
    async with _Host(scene).run_test(size=(80, 24)) as pilot:
        scene.to_end()
        await pilot.pause()
        assert scene.stuck
        text = _all_text(scene).replace("\n", " ")
        assert "stuck in a poor local minimum" in text and "try another seed (x)" in text
        assert "✗" in text
        await pilot.press("x")
        await pilot.pause()
        assert scene.seed == seed + 1 and scene.playing and scene.position < scene.total_frames
        assert f"seed {seed + 1}" in _all_text(scene)
        scene.reset()
        assert scene.seed == seed and not scene.playing


async def test_xor_network_odd_params_do_not_crash() -> None:
    scene = XorNetworkScene({"hidden": 0, "loss": "nope", "lr": float("nan"), "epochs": -3, "seed": -1})
    async with _Host(scene).run_test(size=(80, 24)) as pilot:
        assert scene.hidden == 1 and scene.loss == "mse" and scene.epochs == 1 and scene.seed == 0
        scene.to_end()
        await pilot.pause()
        assert scene.total_frames >= 1
        assert "not converged" in _all_text(scene) or "stuck" in _all_text(scene)
