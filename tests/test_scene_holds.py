"""Scenes that hold their answers back (`HOLDS_ANSWERS`) draw the asked values as "?" while held.

Each case builds a scene with the parameters of a shipped step whose questions ask for values the
scene would otherwise show, goes to the frame where it shows them, and checks that the values
vanish with `hold_answers(True)` and come back with `hold_answers(False)`; what the learner needs
to work them out (the inputs, the weights, the formula) stays on screen while held.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncio

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from tutor.scenes.registry import SCENES, load_scene_class
from tutor.widgets.plot import Plot


@dataclass(frozen=True)
class Case:
    """A scene at one frame: what must vanish while held, and what must stay."""

    scene: str
    params: dict[str, Any]
    hidden: tuple[str, ...]
    kept: tuple[str, ...] = ()
    frame: int | str = 0  # a frame number, or "end"
    marked: bool = True  # the held values are drawn as "?" (else left out)
    needs: str = field(default="", compare=False)  # a text that shows the scene has its data


CASES: dict[str, Case] = {
    # perceptron-rule / test-problem: the outputs for the start weights
    "perceptron-rule/test-problem": Case(
        "perceptron-training",
        {"dataset": "seed-test", "weights": [1.0, -0.8], "bias": 0.0, "use_bias": False, "max_epochs": 5},
        hidden=("now a = 0", "now a = 1"), kept=("p1 = [1, 2]", "start w = [1, -0.8]")),
    "perceptron-convergence/two-lines": Case(
        "two-layer-xor", {}, hidden=("two lines did what one could not", "1   0   0"),
        kept=("h1 = hardlim(x1 + x2 - 0.5)",), frame="end"),
    "artificial-neuron/xor": Case(
        "threshold-unit", {"weights": [1.0, 1.0], "threshold": 0.5, "gate": "XOR", "editable": True},
        hidden=("no setting can fix all four",), kept=("θ  =   0.5",), marked=False),
    "perceptron-boundary/or-by-hand": Case(
        "perceptron-plane", {"weights": [0.5, 0.5], "bias": -0.25, "gate": "OR", "editable": True},
        hidden=("-0.25", "0.75"), kept=("w1 =   0.5",)),
    "cost-function/worked-example": Case(
        "cost-table", {"w": 3.0, "b": 2.0, "editable": False},
        hidden=("= 92", "5.75", "-3"), kept=("data: y = 2x + 4", "(2·8)"), frame="end"),
    "line-fit/first-example": Case(
        "line-fit", {"lr": 0.02, "epochs": 500, "query": 10.0},
        hidden=("rule: 19", "18.98", "(→ 2)"), kept=("at x = 10",), frame="end"),
    "descent-one-weight/one-weight-cost": Case(
        "descent-1d", {"w0": 0.0, "lr": 0.05, "iterations": 4}, hidden=("J(w) = 15",), kept=("start: w = 0",)),
    "descent-many-dimensions/contours": Case(
        "descent-2d", {"surface": "regression", "lr": 0.1, "iterations": 100, "start": [0.0, 0.0]},
        hidden=("0.883",), frame=1),
    "stochastic-descent/momentum": Case(
        "optimizer-race", {"surface": "valley", "lr": 0.02, "steps": 150}, hidden=("-6.86",), frame=1),
    "stochastic-descent/three-ways": Case(
        "batch-compare", {"lr": 0.05, "batch_size": 10, "epochs": 20, "seed": 0},
        hidden=("full      1  200", "SGD     200  200", "10  20  200"), kept=("batch 10",), frame=1),
    "computational-graphs/forward": Case(
        "graph-steps", {"example": "chain", "phase": "forward"}, hidden=("-12", "q = 3"),
        kept=("x = -2", "z = -4", "q · z"), frame="end"),
    "expression-playground/tanh": Case(
        "expression-playground", {"expression": "tanh(a*b + c)", "values": "a=2, b=-1, c=3"},
        hidden=("0.42", "0.76"), kept=("a = 2",), frame="end"),
    "activation-functions/sigmoid": Case(
        "activations", {"show": "sigmoid"}, hidden=("never above 0.25", "f'(x)=0.002"), kept=("σ(x) = 1 / (1 + e^-x)",)),
    "softmax-cross-entropy/softmax": Case(
        "softmax", {"logits": [1.0, 2.0, 0.5], "true_class": 1, "editable": True},
        hidden=("0.629", "0.4644"), kept=("z2 =     2",)),
    "digits-as-data/one-digit": Case(
        "digit-browser", {"split": "train", "start": 0, "view": "digits"},
        hidden=("label 5", "784 pixels"), needs="image #0"),
    "convolution/channels": Case(
        "conv-slide", {"mode": "channels", "channels": 2, "seed": 0},
        hidden=("= 14", "Σ1 = 10", "one bias"), kept=("b 2",), frame="end"),
    "stride-padding/window-positions": Case(
        "conv-sandbox", {"width": 7, "kernel": 3, "stride": 1, "padding": 0, "editable": False},
        hidden=("= 5", "5×5", "    ██· · · ·"), kept=("(7 - 3 + 2·0)/1 + 1",)),
    "pooling/shrink": Case(
        "pooling", {"index": 0, "kind": "max", "mode": "animate"}, hidden=("12×12", "of 144"), needs="pooling"),
    "lenet-architecture/c1-and-s2": Case(
        "lenet-summary", {"model": "lenet", "view": "walk", "layer": "C1"},
        hidden=("156", "6@14x14", "61,706"), kept=("6 × (1·5·5 + 1)",)),
    "lenet-architecture/the-summary": Case(
        "lenet-summary", {"model": "lenet", "view": "table", "layer": "output"},
        hidden=("61,706",), kept=("48,120", "10,164")),
    "mnist-dense/the-network": Case(
        "training", {"model": "mlp-30-sigmoid", "optimizer": "sgd", "lr": 0.1, "batch_size": 32, "epochs": 3,
                     "editable": False},
        hidden=("23,550", "784"), kept=("batch 32",)),
    "what-it-learned/feature-maps": Case(
        "feature-maps", {"view": "filters", "source": "shipped", "index": 1}, hidden=("28x28",), needs="C1"),
    "draw-a-digit/made-like-mnist": Case(
        "draw-digit", {"start": "test-digit", "test_index": 0, "show_preprocessed": True},
        hidden=("a 7", "20x16", "100%"), needs="test #0"),
}


class Host(App):
    """One app for every case: each scene is mounted in turn (an app start per case is slow)."""

    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="holder")


def screen_text(app: App) -> str:
    """Every character on the app's screen, line by line."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def _settled_text(pilot: Any, app: App) -> str:
    """The screen once every plot has redrawn (plots redraw on a timer)."""
    plots = [plot for plot in app.query(Plot) if plot.dirty]
    if plots:
        await pilot.pause()
        for plot in plots:
            plot.redraw_now()
    await pilot.pause()
    return screen_text(app)


async def _views(pilot: Any, app: App, case: Case) -> tuple[str, str, str] | None:
    """(shown, held, shown again) for `case`, or None when the scene lacks its data here."""
    holder = app.query_one("#holder", VerticalScroll)
    await holder.remove_children()
    scene = load_scene_class(case.scene)(dict(case.params))
    await holder.mount(scene)
    scene.focus()
    await pilot.pause()
    if case.frame == "end":
        scene.to_end()
    elif case.frame:
        scene.position = int(case.frame)
    shown = await _settled_text(pilot, app)
    if case.needs and case.needs not in shown:
        return None
    scene.hold_answers(True)
    held = await _settled_text(pilot, app)
    scene.hold_answers(False)
    again = await _settled_text(pilot, app)
    return shown, held, again


#: One worker builds this module's shared fixture once (addopts use --dist loadgroup).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("scene-holds")]


@pytest.fixture(scope="module")
def views() -> dict[str, tuple[str, str, str] | None]:
    """Every case drawn once, one after the other in one app."""

    async def draw_all() -> dict[str, tuple[str, str, str] | None]:
        app = Host()
        async with app.run_test(size=(110, 60)) as pilot:
            return {name: await _views(pilot, app, case) for name, case in CASES.items()}

    return asyncio.run(draw_all())


@pytest.mark.parametrize("name", sorted(CASES))
def test_held_values_vanish_and_come_back(name: str, views: dict[str, tuple[str, str, str] | None]) -> None:
    case = CASES[name]
    assert SCENES[case.scene].holds_answers, f"{case.scene} is not registered as holding answers"
    assert load_scene_class(case.scene).HOLDS_ANSWERS
    if views[name] is None:
        pytest.skip(f"{case.scene} has no data or model here")
    shown, held, again = views[name]
    for text in case.hidden:
        assert text in shown, f"{name}: {text!r} should show before holding"
        assert text not in held, f"{name}: {text!r} still shows while held"
    assert "?" in held or not case.marked
    for text in case.kept:
        assert text in held, f"{name}: {text!r} (needed to work it out) vanished while held"
    assert again == shown, f"{name}: the scene looks different after holding and releasing"


def test_a_scene_without_holds_answers_draws_nothing_held() -> None:
    """`unless_held` only holds back in scenes that say HOLDS_ANSWERS (the drill, e.g., never)."""
    drill = load_scene_class("graph-drill")({})
    assert not drill.HOLDS_ANSWERS
    drill.answers_held = True
    assert not drill.holding and drill.unless_held("3") == "3"
    steps = load_scene_class("graph-steps")({})
    steps.answers_held = True
    assert steps.holding and steps.unless_held("3") == "?"
