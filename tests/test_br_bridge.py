"""The bridge to Keras and PyTorch: every exercise written with both libraries.

Content checks on the Markdown files (one per exercise, three sections, listings that parse and
fit an 80-column terminal, correspondences named), `dl-tutor exercises bridge ID`, the lesson
prose's own listings (narrow enough for the prose column at 80x24), and the exercise panel's
"Keras/PyTorch" view through Pilot: the button and `b` open it, escape closes it.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from tests.exercise_host import exercise_course
from tutor.app import make_app
from tutor.cli import main
from tutor.engines.spec import MODELS, Dense, total_params
from tutor.engines.train import TrainConfig
from tutor.exercises.bridge import BRIDGES_DIR, CODE_WIDTH, bridge_path, bridge_text, plain_text
from tutor.exercises.catalogue import EXERCISES, get
from tutor.widgets.exercise_panel import BridgeScreen, ExercisePanel

REPO = Path(__file__).resolve().parents[1]
LESSONS = REPO / "lessons"
#: The widest listing line the lesson prose column shows unbroken at 80x24.
PROSE_CODE_WIDTH = 32
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def _sections(text: str) -> dict[str, str]:
    """The text under each `## ` heading."""
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    return {title.strip(): body for title, body in zip(parts[1::2], parts[2::2])}


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_exercise_has_a_keras_and_a_pytorch_listing(exercise) -> None:
    text = bridge_text(exercise)
    assert text, f"no {bridge_path(exercise)}"
    assert text.startswith(f"# {exercise.id} in Keras and PyTorch\n")
    sections = _sections(text)
    assert list(sections) == ["Keras", "PyTorch", "What maps to what"]
    for library, module in (("Keras", "keras"), ("PyTorch", "torch")):
        blocks = FENCE.findall(sections[library])
        assert [lang for lang, _ in blocks] == ["python"], library
        code = blocks[0][1]
        ast.parse(code)  # a listing the learner can paste
        assert re.search(rf"^(import|from) {module}\b", code, re.M), (library, "imports")
        for line in code.splitlines():
            assert len(line) <= CODE_WIDTH, (library, line)
    # The correspondences: each bullet names one of the learner's things and its library twin.
    bullets = [b for b in re.split(r"^- ", sections["What maps to what"], flags=re.M)[1:]]
    assert len(bullets) >= 4
    assert bullets[0].startswith("your ") and sum(b.startswith("your ") for b in bullets) >= 2
    assert sum(" = " in " ".join(b.split()) for b in bullets) >= 3


def test_no_stray_bridge_files() -> None:
    assert {p.stem for p in BRIDGES_DIR.glob("*.md")} == {e.id for e in EXERCISES}


def test_named_correspondences_are_there() -> None:
    assert "`nn.Conv2d(C, F, K).weight`, shape\n  (out, in, k, k)" in bridge_text(get("conv2d-loops"))
    dense = bridge_text(get("dense-layer"))
    assert "your `dense_forward(x, w, b)` = `Dense(M)(x)`" in dense
    assert "`out.backward(dout)`" in dense
    mlp = bridge_text(get("mnist-mlp"))
    assert "`validation_split=0.1`" in mlp and "your `train_mlp` loop = `model.fit(" in mlp
    assert "`loss.backward()`" in bridge_text(get("xor-backward"))


def test_plain_text_indents_code_and_drops_fences() -> None:
    text = plain_text("# T\n\nSay.\n\n```python\nx = 1\n\ny = 2\n```\n\n- a\n")
    assert text == "# T\n\nSay.\n\n    x = 1\n\n    y = 2\n\n- a\n"


def test_cli_bridge_prints_it(capsys: pytest.CaptureFixture) -> None:
    assert main(["exercises", "bridge", "dense"]) == 0  # a unique prefix works
    out = capsys.readouterr().out
    assert out.startswith("# dense-layer in Keras and PyTorch")
    assert "    dense = nn.Linear(5, 3)" in out and "```" not in out


def test_cli_bridge_unknown_id_is_a_usage_error(capsys: pytest.CaptureFixture) -> None:
    assert main(["exercises", "bridge", "no-such-thing"]) == 2
    assert "no exercise 'no-such-thing'" in capsys.readouterr().err


# --------------------------------------------------------------------------- the lessons


def _python_blocks(path: Path) -> list[str]:
    return [code for lang, code in FENCE.findall(path.read_text()) if lang == "python"]


def _step_prose(lesson: str) -> dict[str, str]:
    """Step id -> its prose in a shipped lesson.md."""
    parts = re.split(r"<!-- step: ([\w-]+) -->", (LESSONS / lesson / "lesson.md").read_text(encoding="utf-8"))
    return dict(zip(parts[1::2], parts[2::2]))


def _first_training_step(lesson: str, model: str) -> tuple[str, dict]:
    """(id, scene parameters) of the lesson's first step where the training scene can train
    `model` (not a read-only showing of it)."""
    steps = tomllib.loads((LESSONS / lesson / "lesson.toml").read_text(encoding="utf-8"))["steps"]
    for step in steps:
        params = step.get("scene_params", {})
        if step.get("scene") == "training" and params.get("model") == model and params.get("editable", True):
            return step["id"], params
    raise AssertionError(f"{lesson} never trains {model}")


@pytest.mark.parametrize("lesson", ["mnist-dense", "train-lenet"])
def test_the_course_models_are_in_their_lessons_in_both_libraries(lesson: str) -> None:
    blocks = _python_blocks(LESSONS / lesson / "lesson.md")
    assert any("keras.Sequential([" in code for code in blocks)
    assert any("nn.Sequential(" in code for code in blocks)


@pytest.mark.parametrize("model", ["mlp-30-sigmoid", "mlp-128-relu"])
def test_each_dense_network_is_listed_where_it_trains(model: str) -> None:
    """Both fully connected networks of mnist-dense, in both libraries, in the step that trains
    them, with the engine's layers: the hidden width and activation, and raw scores out."""
    step, _ = _first_training_step("mnist-dense", model)
    blocks = [code for lang, code in FENCE.findall(_step_prose("mnist-dense")[step]) if lang == "python"]
    spec = MODELS[model]
    dense = [layer for layer in spec.layers if isinstance(layer, Dense)]
    assert [layer.activation for layer in dense][-1] == "linear"  # the loss applies the softmax
    hidden = dense[0]
    keras_layers = [f'layers.Dense({hidden.units}, "{hidden.activation}")',
                    f"layers.Dense({dense[-1].units})"]
    torch_activation = {"sigmoid": "nn.Sigmoid()", "relu": "nn.ReLU()"}[hidden.activation]
    torch_layers = [f"nn.Linear(784, {hidden.units})", torch_activation,
                    f"nn.Linear({hidden.units}, {dense[-1].units})"]
    keras = [code for code in blocks if code.startswith("model = keras.Sequential([")]
    torch = [code for code in blocks if code.startswith("model = nn.Sequential(")]
    assert len(keras) == len(torch) == 1, (step, blocks)
    assert [line.strip().rstrip(",") for line in keras[0].splitlines()[2:-1]] == keras_layers
    assert [line.strip().rstrip(",") for line in torch[0].splitlines()[1:-1]] == torch_layers


def test_the_sigmoid_networks_recipe_is_named_as_the_scene_trains_it() -> None:
    """The mini-batches step maps the scene's recipe onto both libraries: the loss on raw scores,
    SGD with the trainer's momentum and rate, its per-epoch shrink, the batch size and epochs,
    and the Glorot-uniform start the engine uses (PyTorch's own default differs)."""
    step, params = _first_training_step("mnist-dense", "mlp-30-sigmoid")
    assert step == "mini-batches"
    text = " ".join(_step_prose("mnist-dense")[step].split())
    config = TrainConfig(model="mlp-30-sigmoid", optimizer=params["optimizer"], lr=params["lr"],
                         batch_size=params["batch_size"], epochs=params["epochs"])
    assert config.optimizer == "sgd"
    for named in (
        "`SparseCategoricalCrossentropy(from_logits=True)`", "`F.cross_entropy`",
        f"`momentum={config.momentum}`", f"a rate of {config.learning_rate()}",
        f"`ExponentialLR(opt, {config.lr_decay})`", "`ExponentialDecay`", "`staircase=True`",
        f"batch_size={config.batch_size}, epochs={config.epochs})`",
        "Glorot-uniform", "`nn.init.xavier_uniform_`", "`nn.init.zeros_`",
    ):
        assert named in text, named
    # The question of this step (batches per epoch) is not answered by the listing's prose.
    assert "1875" not in text and "1,875" not in text


def test_lesson_listings_build_the_course_models_with_their_parameter_counts() -> None:
    """Each `model = ...` listing, run against stand-ins of the layer classes, has the layers of
    the course's model: the counts of 784-30-10, 784-128-10 and LeNet-5 come out of the listed
    shapes, and they are the engine's counts."""
    counts = {}

    def count(kind: str, args: tuple) -> int:
        if kind in ("Linear",):
            return args[0] * args[1] + args[1]
        if kind == "Conv2d":
            return args[1] * (args[0] * args[2] ** 2 + 1)
        return 0

    class Torch:
        def Sequential(self, *layers):  # noqa: N802 - PyTorch's name
            return sum(layers)

        def __getattr__(self, kind):
            return lambda *a, **k: count(kind, a)

    def keras_count(layers: list) -> int:
        total, channels = 0, None
        for layer in layers:
            if isinstance(layer, tuple) and layer[0] == "Input":
                shape = layer[1]
                channels = shape[-1]
            elif isinstance(layer, tuple) and layer[0] in ("Dense", "Conv2D"):
                units = layer[1]
                if layer[0] == "Conv2D":
                    total += units * (channels * layer[2] ** 2 + 1)
                else:
                    total += units * (channels + 1)
                channels = units
        return total

    class KerasLayers:
        def __getattr__(self, kind):
            return lambda *a, **k: (kind, *a)

    class Keras:
        def Sequential(self, layers):  # noqa: N802 - Keras's name
            return keras_count(layers)

        def Input(self, shape=None, *a):  # noqa: N802
            return ("Input", shape)

    for lesson in ("mnist-dense", "train-lenet"):
        for code in _python_blocks(LESSONS / lesson / "lesson.md"):
            if not code.startswith("model = "):
                continue
            space = {"keras": Keras(), "layers": KerasLayers(), "nn": Torch()}
            exec(code, space)  # noqa: S102
            counts.setdefault(lesson, []).append(space["model"])
    assert counts == {"mnist-dense": [23_860, 23_860, 101_770, 101_770], "train-lenet": [61_706, 61_706]}
    course = {"mnist-dense": ("mlp-30-sigmoid", "mlp-128-relu"), "train-lenet": ("lenet",)}
    for lesson, models in course.items():
        assert sorted(set(counts[lesson])) == sorted(total_params(MODELS[m]) for m in models), lesson


def test_lesson_listings_fit_the_prose_column() -> None:
    """Listings in lesson prose sit in the prose column, about 32 columns at 80x24."""
    for path in sorted(LESSONS.glob("*/lesson.md")):
        for code in _python_blocks(path):
            for line in code.splitlines():
                assert len(line) <= PROSE_CODE_WIDTH, (path.parent.name, line)


# --------------------------------------------------------------------------- the panel


def _course(root: Path) -> Path:
    return exercise_course(root, "dense-layer")


async def test_panel_button_and_b_open_the_bridge_and_escape_closes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DL_TUTOR_WORKSPACE", str(tmp_path / "ws"))
    app = make_app(_course(tmp_path / "c"), home=tmp_path / "home", open_lesson="hands-on")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = app.screen.query_one(ExercisePanel)
        button = panel.query_one("#ex-bridge")
        assert "Keras/PyTorch b" in str(button.label)
        button.focus()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BridgeScreen)
        assert screen.text == bridge_text(get("dense-layer"))
        scroll = screen.query_one("#bridge-scroll")
        assert scroll.has_focus and scroll.size.width <= 80
        # Fits 80 columns: the widest listing line is drawn whole.
        assert scroll.region.right <= 80
        await pilot.press("pagedown")
        await pilot.pause()
        assert scroll.scroll_y > 0
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, BridgeScreen)
        # `b` while a panel button has focus opens it too.
        panel.query_one("#ex-check").focus()
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, BridgeScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query(ExercisePanel)


async def test_panel_buttons_wrap_into_rows_when_the_panel_is_narrow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Beside a scene at 80 columns the panel is about 34 wide: every button stays inside it,
    over several rows; a full-width panel keeps them in one row."""
    monkeypatch.setenv("DL_TUTOR_WORKSPACE", str(tmp_path / "ws"))
    app = make_app(_course(tmp_path / "c"), home=tmp_path / "home", open_lesson="hands-on")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = app.screen.query_one(ExercisePanel)
        buttons = [b for b in panel.query("Button") if b.display]
        assert len(buttons) == 5 and len({b.region.y for b in buttons}) == 1
        panel.styles.width = 34
        for _ in range(3):
            await pilot.pause()
        inside = panel.content_region
        for button in buttons:
            assert inside.contains_region(button.region), (button.id, button.region, inside)
        assert len({b.region.y for b in buttons}) == 3


def test_the_list_names_the_bridge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("DL_TUTOR_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.setenv("DL_TUTOR_HOME", str(tmp_path / "home"))
    assert main(["exercises"]) == 0
    assert "dl-tutor exercises bridge ID" in capsys.readouterr().out
