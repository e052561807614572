"""Issue #17, neuron and perceptron units: the arrows of the rule, the shaded side, errors per
epoch, XOR in the hidden plane, the names of the two-input functions, and the lesson texts."""

from __future__ import annotations

import re
import tomllib
from itertools import product
from pathlib import Path

import pytest

from tests.scene_host import SceneHost, shown_text
from tutor.app import make_app
from tutor.engines.perceptron import DATASETS, hidden_dataset, run_training
from tutor.scenes.perceptron_plane import PerceptronPlaneScene
from tutor.scenes.perceptron_training import PerceptronTrainingScene
from tutor.scenes.threshold_unit import describe_function
from tutor.widgets.plot import Plot

LESSONS = Path(__file__).resolve().parent.parent / "lessons"


def _vectors(plot: Plot) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """(origin, tip) of every arrow on the plot."""
    return [
        ((float(s.xs[0]), float(s.ys[0])), (float(s.xs[-1]), float(s.ys[-1])))
        for s in plot.model.series if s.kind == "vector"
    ]


def _scatter(plot: Plot, marker: str) -> list[tuple[float, float]]:
    return [
        (float(x), float(y)) for s in plot.model.series if s.kind == "scatter" and s.marker == marker
        for x, y in zip(s.xs, s.ys)
    ]


# --------------------------------------------------------------------------- engine


def test_hidden_dataset_maps_xor_to_separable_points() -> None:
    d = DATASETS["xor-hidden"]
    assert d == hidden_dataset()
    assert d.inputs == ((0, 1), (1, 1), (1, 1), (1, 0))
    assert d.sources == ((0, 0), (0, 1), (1, 0), (1, 1))
    assert d.targets == DATASETS["xor"].targets and d.axes == ("h1", "h2")
    run = run_training(d.inputs, d.targets, (0.0, 0.0), 0.0, max_epochs=20)
    assert run.converged and run.epoch_errors == (3, 2, 3, 2, 2, 3, 0) and run.changes == 15
    assert run.final_w == (1.0, 2.0) and run.final_b == -3.0


def test_errors_per_epoch_reach_zero_only_for_separable_gates() -> None:
    errors = {
        name: run_training(DATASETS[name].inputs, DATASETS[name].targets, (0.0, 0.0), 0.0, max_epochs=20).epoch_errors
        for name in ("and", "or", "xor")
    }
    assert errors["and"] == (2, 3, 3, 2, 1, 0)
    assert errors["or"] == (2, 2, 1, 0)
    assert len(errors["xor"]) == 20 and min(errors["xor"]) > 0


# --------------------------------------------------------------------------- training scene


async def test_rule_draws_w_old_plus_minus_p_and_w_new() -> None:
    scene = PerceptronTrainingScene(
        {"dataset": "seed-test", "weights": [1.0, -0.8], "use_bias": False, "max_epochs": 5, "show_vectors": True}
    )
    async with SceneHost(scene).run_test(size=(100, 50)) as pilot:
        await pilot.pause()
        plot = scene.query_one("#pt-plane", Plot)
        # Before the first presentation: w and p1, the angle between them over 90°.
        assert _vectors(plot) == [((0, 0), (1.0, -0.8)), ((0, 0), (1.0, 2.0))]
        scene.position = 1
        await pilot.pause()
        assert _vectors(plot) == [((0, 0), (1.0, -0.8)), ((0, 0), (1.0, 2.0)), ((0, 0), (2.0, 1.2))]
        # The old boundary stays behind, dotted; the new one has passed p1.
        dotted = [s for s in plot.model.series if s.kind == "segment" and s.marker == "·"]
        assert len(dotted) == 1
        assert "w_old" in shown_text(scene.query_one("#pt-legend")) and "+p" in shown_text(scene.query_one("#pt-legend"))
        scene.position = 2  # p2 is subtracted: the yellow arrow is -p2
        await pilot.pause()
        assert _vectors(plot) == [((0, 0), (2.0, 1.2)), ((0, 0), (1.0, -2.0)), ((0, 0), (3.0, -0.8))]
        assert "-p" in shown_text(scene.query_one("#pt-legend"))
        # Every arrow of the run fits the view.
        xmin, xmax = plot.model.xlim
        ymin, ymax = plot.model.ylim
        assert xmin < -1 and xmax > 3 and ymin < -2 and ymax > 2
        # Held: w_new and the boundary after the update stay hidden.
        scene.hold_answers(True)
        await pilot.pause()
        assert (3.0, -0.8) not in [tip for _, tip in _vectors(plot)]
        assert not [s for s in plot.model.series if s.kind == "segment" and s.marker == "·"]


async def test_errors_per_epoch_line() -> None:
    scene = PerceptronTrainingScene({"dataset": "and", "weights": [0.0, 0.0], "bias": 0.0, "max_epochs": 20})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        line = lambda: shown_text(scene.query_one("#pt-epochs"))  # noqa: E731
        scene.position = 5  # one presentation into epoch 2
        await pilot.pause()
        assert re.search(r"errors per epoch: 2 1…", line())
        scene.position = scene.total_frames
        await pilot.pause()
        assert "errors per epoch: 2 3 3 2 1 0" in line()
        scene.hold_answers(True)
        await pilot.pause()
        assert "errors per epoch: ?" in line()
    xor = PerceptronTrainingScene({"dataset": "xor", "weights": [0.0, 0.0], "bias": 0.0, "max_epochs": 20})
    async with SceneHost(xor).run_test(size=(100, 40)) as pilot:
        xor.position = xor.total_frames
        await pilot.pause()
        counts = shown_text(xor.query_one("#pt-epochs")).split(":", 1)[1].split()
        assert counts == ["3", "3"] + ["4"] * 18


async def test_hidden_plane_step(tmp_path: Path) -> None:
    app = make_app(home=tmp_path, open_lesson="perceptron-convergence")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = pilot.app.screen
        await screen.show_step(screen.lesson.step_index("hidden-plane"))
        await pilot.pause()
        scene = screen.scene
        assert isinstance(scene, PerceptronTrainingScene) and scene.holding
        plot = scene.query_one("#pt-plane", Plot)
        assert (plot.model.xlabel, plot.model.ylabel) == ("h1", "h2")
        patterns = shown_text(scene.query_one("#pt-patterns"))
        assert "x [0, 0] → h [0, 1]" in patterns and "x [1, 1] → h [1, 0]" in patterns
        await pilot.press("end")
        await pilot.pause()
        assert "?" in shown_text(scene.query_one("#pt-epochs"))
        assert "Converged" not in shown_text(scene.query_one("#pt-status"))
        scene.hold_answers(False)
        await pilot.pause()
        assert "errors per epoch: 3 2 3 2 2 3 0" in shown_text(scene.query_one("#pt-epochs"))
        assert "Converged" in shown_text(scene.query_one("#pt-status"))


# --------------------------------------------------------------------------- plane scene


async def test_plane_marks_the_current_row_and_shades_the_firing_side() -> None:
    scene = PerceptronPlaneScene({"weights": [1.0, 1.0], "bias": -1.5, "gate": "AND", "editable": False})
    async with SceneHost(scene).run_test(size=(100, 50)) as pilot:
        await pilot.pause()
        plot = scene.query_one("#pp-plane", Plot)
        assert _scatter(plot, "@") == []
        for position, point in ((1, (0, 0)), (2, (0, 1)), (4, (1, 1))):
            scene.position = position
            await pilot.pause()
            assert _scatter(plot, "@") == [point]
            assert point not in _scatter(plot, "o") + _scatter(plot, "x")
        shade = _scatter(plot, "·")
        assert shade and all(x + y - 1.5 >= 0 for x, y in shade)
        assert len(shade) < 0.5 * 16 * 8  # only one side of x1 + x2 = 1.5 is shaded
        assert "@ row" in plot.model.title and len(plot.model.title) <= 36


# --------------------------------------------------------------------------- threshold unit


def test_every_two_input_function_has_a_name() -> None:
    for outputs in product((0, 1), repeat=4):
        words = describe_function(outputs)
        assert "no common name" not in words and not re.search(r"\d, \d", words)
    assert "x1 AND NOT x2" in describe_function((0, 0, 1, 0))
    assert "nonimplication" in describe_function((0, 0, 1, 0))
    assert "x2 AND NOT x1" in describe_function((0, 1, 0, 0))
    assert describe_function((0, 0, 0, 1)) == "computes AND"


# --------------------------------------------------------------------------- lesson texts


def _toml(lesson: str) -> dict:
    return tomllib.loads((LESSONS / lesson / "lesson.toml").read_text(encoding="utf-8"))


def test_no_question_asks_to_set_knobs_on_a_fixed_scene() -> None:
    for lesson in ("artificial-neuron", "perceptron-boundary"):
        data = _toml(lesson)
        prompts = {q["id"]: q["prompt"] for q in data["questions"]}
        for step in data["steps"]:
            if step.get("scene_params", {}).get("editable", True):
                continue
            for qid in step.get("questions", []):
                assert not re.match(r"\s*(Set|Change|Turn)\b", prompts[qid]), (lesson, step["id"], qid)


@pytest.mark.parametrize("lesson", ["perceptron-boundary", "perceptron-rule", "perceptron-convergence"])
def test_p1_p2_are_never_components(lesson: str) -> None:
    """p1, p2, p3 name whole input vectors; the coordinates are x1, x2 (the plot's axes)."""
    text = (LESSONS / lesson / "lesson.md").read_text(encoding="utf-8")
    text += (LESSONS / lesson / "lesson.toml").read_text(encoding="utf-8")
    assert not re.search(r"w[12]·p[12]\b|·p1 \+ .*·p2\b|\bp[12] axis|\bp[12] = 0\b", text)


def test_winter_and_lesson_references() -> None:
    text = (LESSONS / "perceptron-convergence" / "lesson.md").read_text(encoding="utf-8")
    flat = " ".join(text.split())
    assert "1974" in flat and "more than a decade" not in flat
    assert "first lesson of this unit, on the decision boundary" in flat
    order = [lesson for unit in tomllib.loads((LESSONS / "course.toml").read_text())["units"] for lesson in unit["lessons"]]
    assert order.index("perceptron-boundary") == 1  # the second lesson of the course
    assert "w = [0.5, 0.5]" in (LESSONS / "perceptron-boundary" / "lesson.md").read_text(encoding="utf-8")
