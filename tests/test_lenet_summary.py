"""The lenet-summary scene: every number from the engine, frames that step the layers, its lesson
and its look (snapshots at 80x24 and 120x40; regenerate with `--snapshot-update` on this file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from tests.scene_host import SceneHost, at_step, lesson_app, shown_text
from tutor.engines.model import LENET5, MODELS, Conv, Dense, Flatten, ModelSpec, Pool, summary, total_params
from tutor.quiz.predict import generate
from tutor.scenes.lenet_summary import (
    LenetSummaryScene,
    block_size,
    diagram_columns,
    diagram_rows,
    flow_rows,
    summary_lines,
    walk,
)
from tutor.scenes.registry import SCENES, check_param, load_scene_class

LESSONS = Path(__file__).resolve().parent.parent / "lessons"


def _text(scene: LenetSummaryScene, name: str) -> str:
    return shown_text(scene.query_one(f"#ls-{name}", Static))


# --- the arithmetic -------------------------------------------------------------------------------


def test_registered_with_its_params() -> None:
    spec = SCENES["lenet-summary"]
    assert spec.target == "tutor.scenes.lenet_summary:LenetSummaryScene"
    for model in ("lenet", "mlp-30-sigmoid", "mlp-128-relu"):
        assert check_param(spec.params["model"], model) is None
    assert check_param(spec.params["view"], "table") is None
    assert check_param(spec.params["view"], "graph") is not None
    assert check_param(spec.params["layer"], "C3") is None
    assert load_scene_class("lenet-summary") is LenetSummaryScene


def test_walk_of_lenet_has_the_seeds_numbers() -> None:
    steps = walk(LENET5)
    assert [s.name for s in steps] == ["input", "C1", "S2", "C3", "S4", "C5", "flatten", "F6", "output"]
    shapes = {s.name: s.out_shape for s in steps}
    assert shapes["C1"] == (6, 28, 28) and shapes["S2"] == (6, 14, 14)
    assert shapes["C3"] == (16, 10, 10) and shapes["S4"] == (16, 5, 5)
    assert shapes["C5"] == (120, 1, 1) and shapes["F6"] == (84,) and shapes["output"] == (10,)
    params = {s.name: s.params for s in steps}
    assert params == {"input": 0, "C1": 156, "S2": 0, "C3": 2416, "S4": 0, "C5": 48120, "flatten": 0,
                      "F6": 10164, "output": 850}
    assert steps[-1].total_so_far == 61706
    by_name = {s.name: s for s in steps}
    assert "pad 2: 28 + 2·2 = 32" in by_name["C1"].shape_lines
    assert "(32 − 5) / 1 + 1 = 28" in by_name["C1"].shape_lines
    assert "6 × (1·5·5 + 1) = 156" in by_name["C1"].param_lines
    assert "shared by all 784 positions" in by_name["C1"].param_lines
    assert "2x2, stride 2: 28 / 2 = 14" in by_name["S2"].shape_lines
    assert "16 × (6·5·5 + 1) = 2,416" in by_name["C3"].param_lines
    assert "(14 − 5) / 1 + 1 = 10" in by_name["C3"].shape_lines
    assert "2x2, stride 2: 10 / 2 = 5" in by_name["S4"].shape_lines
    assert "120 × (16·5·5 + 1) = 48,120" in by_name["C5"].param_lines
    assert "= 400 × 120 + 120" in by_name["C5"].param_lines
    assert "120 × 84 + 84 = 10,164" in by_name["F6"].param_lines
    assert "84 × 10 + 10 = 850" in by_name["output"].param_lines


def test_walk_agrees_with_the_engine_for_every_model() -> None:
    for spec in MODELS.values():
        steps = walk(spec)
        rows = summary(spec)
        assert [s.params for s in steps[1:]] == [r.params for r in rows]
        assert [s.out_shape for s in steps[1:]] == [r.output_shape for r in rows]
        assert steps[-1].total_so_far == total_params(spec)
    hidden = walk(MODELS["mlp-30-sigmoid"])[2]
    assert "784 × 30 + 30 = 23,550" in hidden.param_lines


def test_numbers_follow_the_model_definition() -> None:
    """A made-up network gets its own numbers: nothing in the walk is typed in by hand."""
    spec = ModelSpec("tiny", (3, 12, 12), (Conv("A", filters=8, kernel=3, stride=1, pad=1), Pool("P", "max"),
                                            Flatten("flat"), Dense("D", 7, activation="linear")))
    steps = walk(spec)
    assert steps[1].params == 8 * (3 * 9 + 1) == 224
    assert "8 × (3·3·3 + 1) = 224" in steps[1].param_lines
    assert steps[1].out_shape == (8, 12, 12)
    assert steps[2].out_shape == (8, 6, 6) and "0 (a maximum: nothing to learn)" in steps[2].param_lines
    assert "288 × 7 + 7 = 2,023" in steps[4].param_lines
    table = summary_lines(spec, current=1, width=80).plain
    assert "Total params: 2,247" in table and "A (Conv2D)" in table and "MaxPool2D" in table


def test_summary_table_keras_layout_and_narrow_form() -> None:
    wide = summary_lines(LENET5, current=5, width=80).plain
    assert "Layer (type)" in wide and "Output Shape" in wide and "Param #" in wide
    # Channels last, as Keras prints it (the engine's own shapes are channels first).
    assert "(None, 28, 28, 6)" in wide and "(None, 1, 1, 120)" in wide and "(None, 120)" in wide
    assert "(None, 6, 28, 28)" not in wide
    assert "▶ C5 (Conv2D)" in wide and "48,120" in wide and "Total params: 61,706" in wide
    for number in ("156", "2,416", "10,164", "850"):
        assert number in wide
    narrow = summary_lines(LENET5, current=3, width=36).plain
    assert max(len(line) for line in narrow.splitlines()) <= 36
    assert "Total params: 61,706" in narrow and "2,416" in narrow and "▶C3" in narrow


def test_diagram_marks_the_current_layer_and_shrinks() -> None:
    steps = walk(LENET5)
    assert [block_size(s.out_shape)[0] for s in steps[:6]] == [7, 7, 4, 3, 2, 1]
    assert [block_size(s.out_shape)[1] for s in steps[:6]] == [1, 3, 3, 4, 4, 6]
    rows = [r.plain for r in diagram_rows(diagram_columns(steps), current=3, width=74)]
    assert max(len(r) for r in rows) <= 74
    marker_col = rows[0].index("▼")
    assert rows[-3][marker_col - 1 : marker_col + 2].strip() == "C3"
    assert "16@10x10" in rows[-2]
    flow = [r.plain for r in flow_rows(steps, current=5)]
    assert len(flow) == 9 and flow[5].startswith("▶ C5") and "48,120" in flow[5]
    assert all(not line.startswith("▶") for i, line in enumerate(flow) if i != 5)
    assert max(len(line) for line in flow) <= 36


# --- the scene --------------------------------------------------------------------------------------


async def test_frames_step_through_the_layers() -> None:
    scene = LenetSummaryScene({"model": "lenet", "view": "walk"})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert scene.total_frames == 8 and scene.position == 0
        assert "61,706 parameters" in _text(scene, "title")
        assert "28x28 grey pixels = 784 numbers" in _text(scene, "explain")
        scene.step_forward()
        await pilot.pause()
        assert "6 × (1·5·5 + 1) = 156" in _text(scene, "explain")
        for _ in range(4):
            scene.step_forward()
        await pilot.pause()
        explain = _text(scene, "explain")
        assert "C5" in explain and "= 400 × 120 + 120" in explain and "so far 50,692 of 61,706" in explain
        diagram = _text(scene, "diagram")
        assert "▼" in diagram and "120@1x1" in diagram
        scene.to_end()
        await pilot.pause()
        assert "84 × 10 + 10 = 850" in _text(scene, "explain")
        assert "so far 61,706 of 61,706" in _text(scene, "explain")
        scene.step_back()
        await pilot.pause()
        assert "120 × 84 + 84 = 10,164" in _text(scene, "explain")


async def test_views_and_models() -> None:
    scene = LenetSummaryScene({"view": "walk", "layer": "C3"})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert scene.position == 3
        await pilot.press("v")
        assert scene.view == "table" and scene.position == 3
        table = _text(scene, "table")
        assert "▶ C3 (Conv2D)" in table and "Total params: 61,706" in table
        compare = _text(scene, "compare")
        assert "61,706 ◀" in compare and "23,860" in compare and "101,770" in compare
        await pilot.press("m")
        assert scene.model_name == "mlp-30-sigmoid" and scene.position == 0 and scene.total_frames == 3
        assert "Total params: 23,860" in _text(scene, "table")
        assert "23,860 ◀" in _text(scene, "compare")
        await pilot.press("m", "m")
        assert scene.model_name == "lenet"
        await pilot.press("v")
        assert scene.view == "walk"
        scene.reset()
        await pilot.pause()
        assert scene.position == 3 and scene.view == "walk"


async def test_narrow_stage_uses_the_flow_diagram() -> None:
    scene = LenetSummaryScene({"layer": "S4"})
    async with SceneHost(scene).run_test(size=(40, 30)) as pilot:
        await pilot.pause()
        diagram = _text(scene, "diagram")
        assert "▶ S4" in diagram and "▼" not in diagram
        assert not scene.query_one("#ls-table", Static).display


# --- the lesson ------------------------------------------------------------------------------------


def test_lesson_passes_the_checker() -> None:
    from tutor.content.loader import load_lesson

    issues: list = []
    lesson = load_lesson(LESSONS / "lenet-architecture", "lenet-architecture", issues)
    assert issues == [] and lesson is not None
    kinds = {q.kind for q in lesson.questions.values()}
    assert {"single", "multiple", "number", "vector", "predict"} <= kinds
    answers = {q.answer for q in lesson.questions.values() if q.kind == "number"}
    assert {156, 2416, 48120, 10164, 61706, 32, 5} <= {int(a) for a in answers}
    assert {step.scene for step in lesson.steps if not step.exercise} == {"lenet-summary"}


def test_conv_layer_generator() -> None:
    for seed in range(30):
        for ask in ("params", "size", "values"):
            g = generate("model.conv_layer", seed, {"ask": ask})
            v = g.values
            size = (v["size"] + 2 * v["pad"] - v["kernel"]) // v["stride"] + 1
            assert (v["size"] + 2 * v["pad"] - v["kernel"]) % v["stride"] == 0
            params = v["filters"] * (v["channels"] * v["kernel"] ** 2 + 1)
            expected = {"params": params, "size": size, "values": v["filters"] * size * size}[ask]
            assert g.kind == "number" and g.answer == expected
            assert generate("model.conv_layer", seed, {"ask": ask}) == g
    with pytest.raises(ValueError):
        generate("model.conv_layer", 0, {"ask": "colour"})


# --- the look --------------------------------------------------------------------------------------


LOOKS = {
    # C1 with its arithmetic, on the walk.
    "walk-c1": ("c1-and-s2", ()),
    # The summary table with C5 marked.
    "table-c5": ("the-summary", ("comma", "comma", "comma")),
}


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("look", sorted(LOOKS))
def test_snapshots(snap_compare, tmp_path: Path, look: str, size: tuple[int, int]) -> None:

    step, keys = LOOKS[look]
    app = lesson_app(tmp_path, "lenet-architecture")

    assert snap_compare(app, run_before=at_step(step, keys), terminal_size=size)
