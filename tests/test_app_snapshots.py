"""Snapshots of the course map (on the fixture course) and the lesson screen (on single shipped
lessons with fixture prose, `lesson_app`) at fixed terminal sizes.

Regenerate after an intended change with `pytest tests/test_app_snapshots.py --snapshot-update`
and look at the SVGs before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scene_host import at_step, lesson_app
from tutor.app import make_app

SIZES = [(80, 24), (120, 40)]
#: A tiny course of the tests' own: two units, three lessons.
FIXTURE_COURSE = Path(__file__).resolve().parent / "fixtures" / "course_ok"


@pytest.fixture(autouse=True)
def _colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_course_map(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    """The course map of the fixture course (its counts never change with the shipped one)."""
    assert snap_compare(make_app(FIXTURE_COURSE, home=tmp_path), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_lesson_scene_step(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    """Step 2: the threshold unit after two rows have been computed."""
    app = lesson_app(tmp_path, "artificial-neuron")
    assert snap_compare(app, press=["n", "full_stop", "full_stop"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_lesson_question_feedback(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    """Step 1: a wrong answer to the first question, with its feedback and a hint."""

    async def answer_wrong(pilot) -> None:
        card = pilot.app.screen.query_one("QuestionCard")
        card.answer_widget.focus()
        await pilot.pause()
        # Nothing starts highlighted: down picks the first shown option (a wrong one at the
        # tests' learner seed), enter answers it.
        await pilot.press("down", "enter", "h")
        await pilot.pause()

    app = lesson_app(tmp_path, "artificial-neuron")
    assert snap_compare(app, run_before=answer_wrong, terminal_size=size)


def test_too_small(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(make_app(FIXTURE_COURSE, home=tmp_path), terminal_size=(70, 20))


PERCEPTRON_SCENES = {
    # The seed's OR gate: w = [0.5, 0.5], b = -0.25, all four right, the arrow of w.
    "or-by-hand": ("perceptron-boundary", "or-by-hand", ()),
    # The seed's test problem after its three updates: w = [3.0, 0.2].
    "seed-updates": ("perceptron-rule", "settled", ("full_stop", "full_stop", "full_stop")),
    # XOR never converges: the end of the run, with the weights' trail.
    "xor-cycles": ("perceptron-convergence", "xor-cycles", ("end",)),
    # Two perceptrons separate XOR.
    "two-lines": ("perceptron-convergence", "two-lines", ("end",)),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(PERCEPTRON_SCENES))
def test_perceptron_scenes(snap_compare, tmp_path: Path, name: str, size: tuple[int, int]) -> None:
    lesson_id, step_id, keys = PERCEPTRON_SCENES[name]
    app = lesson_app(tmp_path, lesson_id)
    assert snap_compare(app, run_before=at_step(step_id, keys), terminal_size=size)


DESCENT_SCENES = {
    # y = 2x - 1 after training: the prediction at x = 10 close to, not at, 19.
    "line-fit": ("line-fit", "watch-it-learn", ("end",)),
    # The seed's cost example: w = 3, b = 2 gives C = 5.75.
    "cost-575": ("cost-function", "explore", ()),
    # Initialisation and four iterations on one weight.
    "one-weight": ("descent-one-weight", "iterations", ("full_stop",) * 4),
    # lr = 0.3 diverges: stopped and explained.
    "diverging": ("descent-one-weight", "divergence", ("end",)),
    # Several starts on the two-minima surface.
    "two-minima": ("descent-many-dimensions", "many-minima", ("end",)),
    # Full batch, stochastic and mini-batch.
    "batches": ("stochastic-descent", "three-ways", ("end",)),
    # Plain descent, momentum and Adam on the valley.
    "race": ("stochastic-descent", "momentum", ("end",)),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(DESCENT_SCENES))
def test_descent_scenes(snap_compare, tmp_path: Path, name: str, size: tuple[int, int]) -> None:
    lesson_id, step_id, keys = DESCENT_SCENES[name]
    app = lesson_app(tmp_path, lesson_id)
    assert snap_compare(app, run_before=at_step(step_id, keys), terminal_size=size)


BACKPROP_SCENES = {
    # The seed's f = (x + y) z after the backward pass: -4, -4, 3.
    "chain-graph": ("computational-graphs", "chain-rule", ("end",)),
    # The seed's sigmoid neuron, backward: dz/dw0 = -0.1966.
    "sigmoid-graph": ("sigmoid-neuron-graph", "backward-top", ("end",)),
    # The drill on the chain example, at its first question.
    "drill": ("computational-graphs", "practice", ()),
    # The playground's default expression, fully stepped.
    "playground": ("expression-playground", "tanh", ("end",)),
    # Activation functions with their derivatives.
    "activations": ("activation-functions", "vanishing", ()),
    # The seed's softmax example: p = [0.228, 0.619, 0.153], H = 0.4797.
    "softmax": ("softmax-cross-entropy", "cross-entropy", ()),
    # A 2-2-1 network after learning XOR.
    "xor-network": ("xor-network", "watch-it-learn", ("end",)),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(BACKPROP_SCENES))
def test_backprop_scenes(snap_compare, tmp_path: Path, name: str, size: tuple[int, int]) -> None:
    lesson_id, step_id, keys = BACKPROP_SCENES[name]
    app = lesson_app(tmp_path, lesson_id)

    async def run_before(pilot) -> None:
        screen = pilot.app.screen
        await screen.show_step(screen.lesson.step_index(step_id))
        await pilot.pause()
        pilot.app.set_focus(None)  # keys to the screen, not to an answer field
        if keys:
            await pilot.press(*keys)
        await pilot.pause()

    assert snap_compare(app, run_before=run_before, terminal_size=size)
