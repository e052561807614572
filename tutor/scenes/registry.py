"""The names lessons may use for scenes, with the parameters each accepts.

This module is pure data so that the lesson validator (and `dl-tutor list`) never import
Textual: a scene class is imported only when a lesson screen shows it.

Every parameter is declared once, here, as a `ParamSpec`: its kind, its default and its allowed
range (or choices). `dl-tutor check-lessons` reports a value outside the range, and the scene
clamps it at run time (`tutor.scenes.base.Scene` resolves every parameter through this table),
so a lesson pack can neither crash a scene nor make it run for ever or fill the memory.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tutor.models import MODEL_NAMES, TRAINING_ORDER

from tutor.scenes.params import (  # noqa: F401  (re-exported: the registry's vocabulary)
    _MISSING, PARAM_KINDS, SEED_MAX, STR_MAX_LEN, ParamSpec, _fmt, _is_int, _is_number, as_float, as_int,
    choice, flag, integer, number, pair, seed, text, vector,
)


@dataclass(frozen=True)
class SceneSpec:
    """What a lesson may say about a scene.

    Attributes:
        target: "module:Class" of the scene widget, imported lazily.
        specs: parameter name -> its `ParamSpec` (kind, default, range): the one declaration.
        summary: one line for `check-lessons` and CONTRIBUTING.
        holds_answers: the scene can draw its step's asked values as `?` until they are
            answered (a step opts in with `hold_scene = true`); must match the class's
            HOLDS_ANSWERS (a test checks).
    """

    target: str
    specs: dict[str, ParamSpec] = field(default_factory=dict)
    summary: str = ""
    holds_answers: bool = False

    @property
    def params(self) -> dict[str, Any]:
        """Parameter name -> its kind as a name ("number", "int", "bool", "str", "vector",
        "pair") or, for a choice, the tuple of allowed strings (read by older callers and by
        `check_param`; the ranges live in `specs`)."""
        return {name: spec.legacy_kind for name, spec in self.specs.items()}


#: Learning rates of the descent scenes: negative and huge rates are lessons too (climbing,
#: diverging). The engines stop a run that blows up, and refuse a rate beyond 1e6 with a message
#: (`tutor.engines.descent.check_learning_rate`), so a rate costs nothing whatever its size.
_DESCENT_LR = (-1e9, 1e9)
_SURFACES = ("regression", "valley", "two-minima", "saddle")
#: Indices into the MNIST training set (60,000 images) and test set (10,000).
_TRAIN_INDEX, _TEST_INDEX = (0, 59_999), (0, 9_999)

SCENES: dict[str, SceneSpec] = {
    "threshold-unit": SceneSpec(
        target="tutor.scenes.threshold_unit:ThresholdUnitScene",
        specs={
            "weights": pair([1.0, 1.0], -5.0, 5.0),
            "threshold": number(0.5, -5.0, 5.0),
            "gate": choice("AND", "OR", "NAND", "NOR", "XOR", "A", "B", "NOT A", "NOT B", default=None,
                           note="none: no gate to match"),
            "step_size": number(0.5, 0.01, 5.0),
            "editable": flag(True),
        },
        summary="A McCulloch-Pitts threshold unit with editable weights, checked against a gate.",
        holds_answers=True,
    ),
    "perceptron-plane": SceneSpec(
        target="tutor.scenes.perceptron_plane:PerceptronPlaneScene",
        specs={
            "weights": pair([0.5, 0.5], -5.0, 5.0),
            "bias": number(-0.25, -5.0, 5.0),
            "gate": choice("AND", "OR", "NAND", "NOR", "XOR", default="OR"),
            "editable": flag(True),
            "step_size": number(0.5, 0.01, 5.0),
        },
        summary="A perceptron's boundary, weight vector and truth table on the four binary inputs.",
        holds_answers=True,
    ),
    "perceptron-training": SceneSpec(
        target="tutor.scenes.perceptron_training:PerceptronTrainingScene",
        specs={
            "dataset": choice("seed-test", "and", "or", "nand", "nor", "xor", "xor-hidden", default="seed-test"),
            "weights": pair([0.0, 0.0], -10.0, 10.0),
            "bias": number(0.0, -10.0, 10.0),
            "use_bias": flag(True),
            "max_epochs": integer(20, 1, 1000),
            "predict": flag(False),
            "random_start": flag(False),
            "show_trail": flag(False),
            "show_vectors": flag(False),
        },
        summary="The perceptron learning rule, one presentation per frame, with the moving boundary.",
        holds_answers=True,
    ),
    "two-layer-xor": SceneSpec(
        target="tutor.scenes.two_layer_xor:TwoLayerXorScene",
        specs={},
        summary="Two hand-wired perceptrons whose boundaries together separate XOR.",
        holds_answers=True,
    ),
    "line-fit": SceneSpec(
        target="tutor.scenes.line_fit:LineFitScene",
        specs={
            "lr": number(0.01, *_DESCENT_LR),
            "epochs": integer(500, 1, 10_000),
            "query": number(10.0, -1000.0, 1000.0),
            "lr_input": flag(False),
        },
        summary="A linear unit fitted by gradient descent to y = 2x - 1, with its prediction at x = 10.",
        holds_answers=True,
    ),
    "delta-rule": SceneSpec(
        target="tutor.scenes.delta_rule:DeltaRuleScene",
        specs={
            "lr": number(0.02, 0.0001, 1.0),
            "samples": integer(12, 1, 600),
        },
        summary="The delta rule on y = 2x - 1, one sample per frame, equal to -η times the gradient.",
    ),
    "cost-table": SceneSpec(
        target="tutor.scenes.cost_table:CostTableScene",
        specs={
            "w": number(3.0, -10.0, 10.0),
            "b": number(2.0, -10.0, 10.0),
            "editable": flag(True),
            "step_size": number(0.5, 0.01, 5.0),
        },
        summary="The quadratic cost as a residual table over x = 1..8, w and b set by keys.",
        holds_answers=True,
    ),
    "descent-1d": SceneSpec(
        target="tutor.scenes.descent_1d:Descent1DScene",
        specs={
            "w0": number(0.0, -100.0, 100.0),
            "lr": number(0.05, *_DESCENT_LR),
            "iterations": integer(10, 1, 1000),
            "lr_input": flag(False),
        },
        summary="Gradient descent on one weight: the parabola J(w), its tangent, and each step.",
        holds_answers=True,
    ),
    "descent-2d": SceneSpec(
        target="tutor.scenes.descent_2d:Descent2DScene",
        specs={
            "surface": choice(*_SURFACES, default="regression"),
            "lr": number(None, *_DESCENT_LR, note="the surface's own"),
            "iterations": integer(50, 0, 1000),
            "start": pair(None, -100.0, 100.0, note="the surface's first start"),
            "multi_start": flag(False),
            "hold_kinds": flag(False),
        },
        summary="Descent on a cost surface of two parameters, drawn as contours with the path.",
        holds_answers=True,
    ),
    "batch-compare": SceneSpec(
        target="tutor.scenes.batch_compare:BatchCompareScene",
        specs={
            "lr": number(0.05, *_DESCENT_LR),
            "batch_size": integer(20, 1, 200),
            "epochs": integer(10, 1, 50),
            "seed": seed(0),
        },
        summary="Full-batch, stochastic and mini-batch descent on one regression, compared.",
        holds_answers=True,
    ),
    "optimizer-race": SceneSpec(
        target="tutor.scenes.optimizer_race:OptimizerRaceScene",
        specs={
            "surface": choice(*_SURFACES, default="regression"),
            "lr": number(None, *_DESCENT_LR, note="the surface's own"),
            "steps": integer(60, 0, 1000),
        },
        summary="Plain descent, momentum and Adam from the same start on the same surface.",
        holds_answers=True,
    ),
    "graph-steps": SceneSpec(
        target="tutor.scenes.graph_steps:GraphStepsScene",
        specs={
            "example": choice("chain", "sigmoid-neuron", "reuse", default="chain"),
            "phase": choice("forward", "backward", "both", default="both"),
        },
        summary="A computational graph: values forward node by node, gradients back edge by edge.",
        holds_answers=True,
    ),
    "graph-drill": SceneSpec(
        target="tutor.scenes.graph_drill:GraphDrillScene",
        specs={"example": choice("chain", "sigmoid-neuron", default="sigmoid-neuron")},
        summary="The learner computes each local gradient and upstream product in backward order.",
    ),
    "expression-playground": SceneSpec(
        target="tutor.scenes.expression_playground:ExpressionPlaygroundScene",
        specs={"expression": text("(x + y) * z"), "values": text("x=-2, y=5, z=-4")},
        summary="Type any expression (or named steps, q = x + y; f = q * z) and values; it is "
                "parsed safely, drawn, differentiated and checked node by node.",
        holds_answers=True,
    ),
    "activations": SceneSpec(
        target="tutor.scenes.activations:ActivationsScene",
        specs={
            "show": choice("step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "maxout", "softmax",
                           default="sigmoid"),
        },
        summary="Activation functions and their derivatives, with saturation made visible; "
                "softmax as bars of p for a logit vector.",
        holds_answers=True,
    ),
    "softmax": SceneSpec(
        target="tutor.scenes.softmax:SoftmaxScene",
        specs={
            "logits": vector([1.0, 2.0, 0.5], -10_000.0, 10_000.0, max_len=3, min_len=3),
            "true_class": integer(1, 0, 2),
            "editable": flag(True),
        },
        summary="Editable logits, their softmax probabilities, the cross-entropy loss and p - y.",
        holds_answers=True,
    ),
    "xor-network": SceneSpec(
        target="tutor.scenes.xor_network:XorNetworkScene",
        specs={
            "hidden": integer(2, 1, 16),
            "loss": choice("mse", "ce", default="mse"),
            "lr": number(None, 0.0001, 100.0, note="2.0 for mse, 1.0 for ce"),
            "epochs": integer(5000, 1, 20_000),
            "seed": seed(1),
        },
        summary="A 2-2-1 or 2-4-1 sigmoid network learning XOR by backpropagation.",
        holds_answers=True,
    ),
    "digit-browser": SceneSpec(
        target="tutor.scenes.digit_browser:DigitBrowserScene",
        specs={
            "split": choice("train", "test", default="train"),
            "start": integer(0, *_TRAIN_INDEX),
            "view": choice("digits", "counts", "means", "histogram", default="digits"),
            "data": choice("mnist", "fashion-mnist", default=None,
                           note="none: the app's data set (--data); d switches"),
        },
        summary="The MNIST digits (or Fashion-MNIST's clothes) as data: single images, class counts, mean images, pixel values.",
        holds_answers=True,
    ),
    "conv-sandbox": SceneSpec(
        target="tutor.scenes.conv_sandbox:ConvSandboxScene",
        specs={
            "width": integer(7, 1, 32),
            "kernel": integer(3, 1, 9),
            "stride": integer(1, 1, 4),
            "padding": integer(0, 0, 4),
            "editable": flag(True),
        },
        summary="Input size, kernel, stride and padding: the output size formula and the walking window.",
        holds_answers=True,
    ),
    "pooling": SceneSpec(
        target="tutor.scenes.pooling:PoolingScene",
        specs={
            "index": integer(0, *_TRAIN_INDEX),
            "kind": choice("max", "avg", default="max"),
            "mode": choice("animate", "shift", default="animate"),
            "shift": integer(1, 0, 4),
        },
        summary="Max or average pooling 2x2, stride 2 of an edge map of a digit, and a shifted copy.",
        holds_answers=True,
    ),
    "draw-digit": SceneSpec(
        target="tutor.scenes.draw_digit:DrawDigitScene",
        specs={
            "model": choice("shipped", default="shipped"),
            "show_preprocessed": flag(True),
            "preprocess": flag(True),
            "start": choice("blank", "test-digit", default="blank"),
            "test_index": integer(0, *_TEST_INDEX),
        },
        summary="Draw a digit; see it preprocessed like MNIST and LeNet-5's ten probabilities live.",
        holds_answers=True,
    ),
    "conv-slide": SceneSpec(
        target="tutor.scenes.conv_slide:ConvSlideScene",
        specs={
            "index": integer(0, *_TRAIN_INDEX),
            "kernel": choice("vertical edge", "horizontal edge", "diagonal edge", "blur", "sharpen",
                             "identity", "custom", default="vertical edge"),
            "weights": vector([0.0] * 25, -9.0, 9.0, max_len=25, min_len=25),
            "bias": number(0.0, -10.0, 10.0),
            "editable": flag(False),
            "step_size": number(0.5, 0.01, 5.0),
            "mode": choice("slide", "maps", "channels", default="slide"),
            "cell": pair(None, 0, 23, note="none: start before the first cell"),
            "channels": integer(2, 2, 3),
            "seed": seed(0),
        },
        summary="A 5x5 kernel slides over a digit: 25 products, their sum and the 24x24 map filling in.",
        holds_answers=True,
    ),
    "backend-race": SceneSpec(
        target="tutor.scenes.backend_race:BackendRaceScene",
        specs={
            "what": choice("conv", "train", default="train"),
            "batches": vector([1, 16, 64, 256], 1, 4096, max_len=8),
            "repeats": integer(None, 1, 20, note="5 for conv, 3 for train"),
        },
        summary="NumPy against CuPy, timed live: a C1 convolution or LeNet-5 training steps per batch size.",
    ),
    "lenet-summary": SceneSpec(
        target="tutor.scenes.lenet_summary:LenetSummaryScene",
        specs={
            "model": choice(*MODEL_NAMES, default="lenet"),
            "view": choice("walk", "table", default="walk"),
            "layer": text("input", max_len=40),
        },
        summary="LeNet-5 layer by layer: shapes, parameter formulas and the Keras-style summary (61,706).",
        holds_answers=True,
    ),
    "feature-maps": SceneSpec(
        target="tutor.scenes.feature_maps:FeatureMapsScene",
        specs={
            "view": choice("filters", "c3", "probs", "mistakes", "confusion", default="filters"),
            "source": choice("shipped", "mine", default="shipped"),
            "index": integer(0, *_TEST_INDEX),
        },
        summary="Inside a trained LeNet-5: C1 filters and maps, C3 maps, probabilities, mistakes.",
        holds_answers=True,
    ),
    "training": SceneSpec(
        target="tutor.scenes.training.scene:TrainingScene",
        specs={
            "model": choice(*TRAINING_ORDER, default="mlp-30-sigmoid"),
            "epochs": integer(None, 1, 50, note="1 for lenet, 3 for the MLPs"),
            "batch_size": integer(64, 1, 1024),
            "lr": number(None, 1e-6, 10.0, note="the optimizer's own"),
            "optimizer": choice("sgd", "adam", default="adam"),
            "target_accuracy": number(0.0, 0.0, 1.0, note="0: none"),
            "train_limit": integer(0, 0, 60_000, note="0: all"),
            "test_limit": integer(0, 0, 10_000, note="0: all"),
            "validation_split": number(0.0, 0.0, 0.5,
                                       note="0: judge epochs on the test set; else hold out the last part"),
            "seed": seed(0),
            "shift": integer(0, 0, 4),
            "view": choice("train", "results", "runs", default="train"),
            "editable": flag(True),
            "data": choice("mnist", "fashion-mnist", default=None,
                           note="none: the app's data set (--data); the switch offers both"),
        },
        summary="Train an MLP or LeNet-5 on MNIST or Fashion-MNIST live (pause, stop, continue), then its confusion matrix and mistakes.",
        holds_answers=True,
    ),
}


def scene_names() -> list[str]:
    """Registered scene names, sorted."""
    return sorted(SCENES)


def choices_of(scene: str, name: str) -> tuple[str, ...]:
    """The choices declared for parameter `name` of scene `scene`, in order: the one place a
    scene module gets its vocabulary (modes, views, kinds it cycles through) from."""
    spec = SCENES[scene].specs[name]
    if spec.kind != "choice":
        raise TypeError(f"{scene}.{name} is not a choice parameter")
    return spec.choices


def check_param(kind: Any, value: Any) -> str | None:
    """Return None when `value` fits `kind`, else a short description of what was expected.

    `kind` is a `ParamSpec` (kind and range are checked: `SceneSpec.specs[name]`) or a kind as
    `SceneSpec.params` shows it (the kind alone).
    """
    if isinstance(kind, ParamSpec):
        return kind.check(value)
    if isinstance(kind, tuple):
        return None if value in kind else "one of " + ", ".join(repr(k) for k in kind)
    if kind in PARAM_KINDS:
        return ParamSpec(kind).check(value)
    return f"a value of kind {kind!r}"


def resolve_params(name: str | None, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The parameters scene `name` may safely use, from a lesson's `params`.

    Every registered parameter is clamped into its range, or dropped (so its default applies)
    when it cannot be read as its kind; unregistered keys are kept as they are (scenes pass
    themselves fixed settings that way). Never raises.
    """
    if not isinstance(params, Mapping):
        return {}
    specs = SCENES[name].specs if name in SCENES else {}
    resolved: dict[str, Any] = {}
    for key, value in params.items():
        spec = specs.get(key)
        if spec is None:
            resolved[key] = value
            continue
        value = spec.resolve(value)
        if value is not _MISSING:
            resolved[key] = value
    return resolved


def registered_name(cls: type) -> str | None:
    """The name `cls` (or the nearest registered class it derives from) is registered under."""
    targets = {spec.target: name for name, spec in SCENES.items()}
    for klass in cls.__mro__:
        name = targets.get(f"{klass.__module__}:{klass.__qualname__}")
        if name is not None:
            return name
    return None


def load_scene_class(name: str) -> type:
    """Import and return the widget class registered under `name` (KeyError if unknown)."""
    module_name, _, attr = SCENES[name].target.partition(":")
    return getattr(importlib.import_module(module_name), attr)
