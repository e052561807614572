"""The gradient-descent unit's findings of #16 and #17: scene verdicts that agree with the prose,
advice that names only the knobs a step offers, held labels, new controls and views, and
questions whose answers are neither ambiguous nor written beside them."""

from __future__ import annotations

import math
from pathlib import Path

from tests.answers import shipped_course, shipped_question
from tests.scene_host import SceneHost, shown_text
from tutor.app import make_app
from tutor.engines import descent
from tutor.engines.descent import LINE_X, LINE_Y, fit_line
from tutor.quiz import grade, instantiate
from tutor.quiz.predict import generate
from tutor.scenes.batch_compare import BatchCompareScene
from tutor.scenes.cost_table import CostTableScene
from tutor.scenes.descent_1d import Descent1DScene
from tutor.scenes.descent_2d import HELD_MARKER, SADDLE_MARKER, Descent2DScene
from tutor.scenes.descent_words import describe_run
from tutor.scenes.line_fit import LineFitScene
from tutor.scenes.optimizer_race import OptimizerRaceScene
from tutor.widgets.plot import Plot


def _text(scene, widget_id: str) -> str:
    return shown_text(scene.query_one(f"#{widget_id}"))


def _markers(plot: Plot) -> set[str]:
    return {series.marker for series in plot.model.series}


# --- descent-one-weight: iteration numbers and advice -------------------------------------------


def _one_weight(lr: float, iterations: int):
    return list(descent.gradient_descent(
        lambda p: descent.one_weight_cost(p[0], descent.ONE_X, descent.ONE_Z),
        lambda p: (descent.one_weight_grad(p[0], descent.ONE_X, descent.ONE_Z),),
        (0.0,), lr, iterations=iterations,
    ))


def test_unfinished_run_advises_only_the_knobs_offered() -> None:
    steps = _one_weight(0.05, 4)
    kind, message = describe_run(steps, 0.05)
    assert kind == "crawling" and "learning rate" not in message and "iterations" not in message
    assert message.startswith("On its way")  # 0.05 shrinks the cost fast: not a crawl
    slow = _one_weight(0.01, 25)
    kind, message = describe_run(slow, 0.01, rate_knob=True)
    assert message.startswith("Still crawling") and "larger learning rate" in message
    assert "learning rate" not in describe_run(slow, 0.01)[1]


async def test_one_weight_iteration_k_shows_the_lessons_row_k() -> None:
    scene = Descent1DScene({"w0": 0.0, "lr": 0.05, "iterations": 4, "lr_input": False})
    async with SceneHost(scene).run_test(size=(100, 34)) as pilot:
        scene.position = 4
        await pilot.pause()
        status = _text(scene, "d1-status")
        # The lesson's table: iteration 4 has w = 1.69482, dJ/dw = -2.2888, J = 0.3492.
        assert "iteration 4:" in status and "= 1.6948" in status
        assert "w = 1.6948" in status and "J(w) = 0.3492" in status and "dJ/dw = -2.2888" in status
        assert "1.6948" in scene.query_one("#d1-data", Plot).model.title
        assert "learning rate" not in status  # no rate knob on this step


# --- line-fit: a learning-rate knob -------------------------------------------------------------


def test_line_fit_limit_lies_between_035_and_036() -> None:
    assert fit_line(LINE_X, LINE_Y, lr=0.35, epochs=200)[-1].status != "diverged"
    assert fit_line(LINE_X, LINE_Y, lr=0.36, epochs=200)[-1].status == "diverged"


async def test_line_fit_rate_keys_retrain_and_show_the_blow_up() -> None:
    scene = LineFitScene({"lr": 0.05, "epochs": 200, "lr_input": True})
    async with SceneHost(scene).run_test(size=(100, 34)) as pilot:
        assert scene.marks[:4] == [0, 1, 2, 3]  # the first epochs one frame each: swings show
        for _ in range(4):  # 0.1, 0.2, 0.3, 0.35
            await pilot.press("right_square_bracket")
        assert scene.lr == 0.35 and scene.position == 0
        assert "lr = 0.35" in _text(scene, "lf-status")
        await pilot.press("right_square_bracket", "end")
        await pilot.pause()
        assert scene.lr == 0.36 and "Blew up" in _text(scene, "lf-status")
        scene.reset()
        await pilot.pause()
        assert scene.lr == 0.05


async def test_line_fit_rate_keys_only_where_offered() -> None:
    scene = LineFitScene({"lr": 0.02, "epochs": 500})
    async with SceneHost(scene).run_test(size=(100, 34)) as pilot:
        await pilot.press("right_square_bracket")
        assert scene.lr == 0.02 and scene.marks[1] == 10  # the lesson's table: 10, 50, 100, ...


# --- cost-function: residuals drawn -------------------------------------------------------------


async def test_cost_table_draws_misses_and_squares_unless_held() -> None:
    scene = CostTableScene({"w": 3.0, "b": 2.0, "editable": False})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        scene.position = 8
        await pilot.pause()
        table = _text(scene, "ct-table")
        assert "█" * 12 in table  # the largest square, 36, fills the bar
        plot = scene.query_one("#ct-plot", Plot)
        segments = [s for s in plot.model.series if s.kind == "segment"]
        assert len(segments) == 7  # one per nonzero miss (x = 2 is on the line)
        scene.hold_answers(True)
        await pilot.pause()
        assert "█" not in _text(scene, "ct-table")
        assert not [s for s in plot.model.series if s.kind == "segment"]


def test_cost_problem_explains_row_by_row() -> None:
    problem = generate("descent.cost", 3)
    assert {"misses", "squares", "total"} <= set(problem.values)
    total = sum(float(v) for v in problem.values["squares"].strip("[]").split(","))
    assert math.isclose(total, float(problem.values["total"]))


# --- descent-many-dimensions --------------------------------------------------------------------


async def test_saddle_kind_is_held_until_answered() -> None:
    plain = Descent2DScene({"surface": "saddle", "lr": 0.1, "iterations": 100, "start": [2.0, 0.01]})
    plain.answers_held = True
    assert not plain.kinds_held  # a step that does not ask for the kinds keeps its `s` and `*`
    scene = Descent2DScene({"surface": "saddle", "lr": 0.1, "iterations": 100, "start": [2.0, 0.0],
                            "hold_kinds": True})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        scene.hold_answers(True)
        scene.position = scene.total_frames
        await pilot.pause()
        plot = scene.query_one("#d2-plot", Plot)
        words = _text(scene, "d2-header") + _text(scene, "d2-panel") + _text(scene, "d2-status")
        assert "saddle" not in (words + plot.model.title).lower()
        assert HELD_MARKER in _markers(plot) and SADDLE_MARKER not in _markers(plot)
        assert "*" not in _markers(plot)  # the minima are asked too (which-critical)
        scene.hold_answers(False)
        await pilot.pause()
        assert SADDLE_MARKER in _markers(plot) and "saddle" in _text(scene, "d2-header").lower()


async def test_cost_view_shows_the_plateau_at_the_saddle() -> None:
    scene = Descent2DScene({"surface": "saddle", "lr": 0.1, "iterations": 100, "start": [2.0, 0.01]})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        scene.position = scene.total_frames
        await pilot.press("v")
        assert scene.view == "cost"
        plot = scene.query_one("#d2-plot", Plot)
        assert plot.model.xlabel == "step"
        xs, ys = scene.costs(scene.paths[0], scene.position)
        # About twenty steps within 0.07 of the saddle's f = 0 (a flat stretch on a plot that
        # spans 2 to -0.75), then on down to the minimum.
        flat = [k for k, y in zip(xs, ys) if abs(y) < 0.07]
        assert len(flat) >= 20 and ys[-1] < -0.74
        scene.hold_answers(True)
        await pilot.pause()
        assert not plot.model.series  # the values are asked (saddle-minimum-value)
        await pilot.press("v")
        assert scene.view == "map"


async def test_optimizer_verdicts_agree_with_the_prose() -> None:
    # Momentum step: plain descent ends 0.338 from the minimum, "still creeping" in the prose.
    scene = OptimizerRaceScene({"surface": "valley", "lr": 0.02, "steps": 150})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        scene.position = scene.total_frames
        await pilot.pause()
        kinds = {path.label: scene.classify(path)[0] for path in scene.paths}
        assert kinds == {"plain": "moving", "momentum": "minimum", "Adam": "moving"}
        assert "still on its way" in _text(scene, "or-status")
    # Adam step: plain descent 0.289 away is on its way; momentum and Adam at the minimum.
    scene = OptimizerRaceScene({"surface": "regression", "lr": 0.05, "steps": 100})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        kinds = {path.label: scene.classify(path)[0] for path in scene.paths}
        assert kinds == {"plain": "moving", "momentum": "minimum", "Adam": "minimum"}


# --- stochastic-descent: the batch comparison's axis --------------------------------------------


async def test_batch_compare_log_axis_gives_each_run_room() -> None:
    scene = BatchCompareScene({"lr": 0.05, "batch_size": 10, "epochs": 20, "seed": 0})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        scene.position = scene.total_frames
        await pilot.pause()
        full, sgd, mini = scene.runs
        full_x = scene._xy(full, full.records)[0]
        sgd_x = scene._xy(sgd, sgd.records)[0]
        # Full batch's 20 updates span log10(20) of SGD's log10(4000): a third, not 1/200.
        assert max(full_x) / max(sgd_x) > 0.3
        assert "updates" in BatchCompareScene.HELP and "race ahead" not in BatchCompareScene.HELP


# --- the questions ------------------------------------------------------------------------------


def test_signed_and_factor_answers_are_unambiguous() -> None:
    extrapolation = instantiate(shipped_question("line-fit", "extrapolation"))
    assert "t - a" in shipped_question("line-fit", "extrapolation").prompt
    assert grade(extrapolation, "0.1").correct
    assert "a - t" in grade(extrapolation, "-0.1").message
    noise = shipped_question("stochastic-descent", "noise-factor")
    assert "multiplied by" in noise.prompt
    assert "divided by 2" in grade(instantiate(noise), "2").message


def test_new_questions_grade() -> None:
    steepest = instantiate(shipped_question("descent-many-dimensions", "steepest-rate"))
    assert grade(steepest, "-5").correct and not grade(steepest, "-7").correct
    step = instantiate(shipped_question("descent-many-dimensions", "step-2d"))
    assert grade(step, "1.4, 0.25").correct
    assert "2n" in grade(step, "1.2, 0.125").message


def test_no_prompt_shows_another_questions_answer_on_its_step() -> None:
    lesson = next(l for l in shipped_course().lessons if l.id == "descent-many-dimensions")
    assert "16.5" not in lesson.questions["not-towards-minimum"].prompt
    line = next(l for l in shipped_course().lessons if l.id == "line-fit")
    assert "18.98" not in line.questions["why-not-19"].prompt
    steps = {step.id: step for step in lesson.steps}
    assert steps["critical-points"].hold_scene
    assert steps["critical-points"].scene_params.get("hold_kinds") is True
    assert "maximum" in steps["critical-points"].prose and "all the interesting kinds" not in steps["critical-points"].prose


async def test_lesson_steps_offer_the_knobs_their_prose_names(tmp_path: Path) -> None:
    app = make_app(home=tmp_path, open_lesson="line-fit")
    async with app.run_test(size=(100, 34)) as pilot:
        screen = pilot.app.screen
        await screen.show_step(screen.lesson.step_index("faster"))
        await pilot.pause()
        scene = screen.scene
        scene.focus()
        await pilot.press("right_square_bracket")
        assert scene.lr == 0.1
