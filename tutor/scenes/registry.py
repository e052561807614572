"""The names lessons may use for scenes, with the parameters each accepts.

This module is pure data so that the lesson validator (and `dl-tutor list`) never import
Textual: a scene class is imported only when a lesson screen shows it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SceneSpec:
    """What a lesson may say about a scene.

    Attributes:
        target: "module:Class" of the scene widget, imported lazily.
        params: parameter name -> expected type: "number", "int", "bool", "str",
            "vector" (list of numbers), "pair" (list of two numbers) or a tuple of allowed
            strings.
        summary: one line for `check-lessons` and CONTRIBUTING.
    """

    target: str
    params: dict[str, Any] = field(default_factory=dict)
    summary: str = ""


SCENES: dict[str, SceneSpec] = {
    "threshold-unit": SceneSpec(
        target="tutor.scenes.threshold_unit:ThresholdUnitScene",
        params={
            "weights": "pair",
            "threshold": "number",
            "gate": ("AND", "OR", "NAND", "NOR", "XOR", "A", "B", "NOT A", "NOT B"),
            "step_size": "number",
            "editable": "bool",
        },
        summary="A McCulloch-Pitts threshold unit with editable weights, checked against a gate.",
    ),
    "perceptron-plane": SceneSpec(
        target="tutor.scenes.perceptron_plane:PerceptronPlaneScene",
        params={
            "weights": "pair",
            "bias": "number",
            "gate": ("AND", "OR", "NAND", "NOR", "XOR"),
            "editable": "bool",
            "step_size": "number",
        },
        summary="A perceptron's boundary, weight vector and truth table on the four binary inputs.",
    ),
    "perceptron-training": SceneSpec(
        target="tutor.scenes.perceptron_training:PerceptronTrainingScene",
        params={
            "dataset": ("seed-test", "and", "or", "nand", "nor", "xor"),
            "weights": "pair",
            "bias": "number",
            "use_bias": "bool",
            "max_epochs": "int",
            "predict": "bool",
            "random_start": "bool",
            "show_trail": "bool",
        },
        summary="The perceptron learning rule, one presentation per frame, with the moving boundary.",
    ),
    "two-layer-xor": SceneSpec(
        target="tutor.scenes.two_layer_xor:TwoLayerXorScene",
        params={},
        summary="Two hand-wired perceptrons whose boundaries together separate XOR.",
    ),
    "line-fit": SceneSpec(
        target="tutor.scenes.line_fit:LineFitScene",
        params={"lr": "number", "epochs": "int", "query": "number"},
        summary="A linear unit fitted by gradient descent to y = 2x - 1, with its prediction at x = 10.",
    ),
    "cost-table": SceneSpec(
        target="tutor.scenes.cost_table:CostTableScene",
        params={"w": "number", "b": "number", "editable": "bool", "step_size": "number"},
        summary="The quadratic cost as a residual table over x = 1..8, w and b set by keys.",
    ),
    "descent-1d": SceneSpec(
        target="tutor.scenes.descent_1d:Descent1DScene",
        params={"w0": "number", "lr": "number", "iterations": "int", "lr_input": "bool"},
        summary="Gradient descent on one weight: the parabola J(w), its tangent, and each step.",
    ),
    "descent-2d": SceneSpec(
        target="tutor.scenes.descent_2d:Descent2DScene",
        params={
            "surface": ("regression", "valley", "two-minima", "saddle"),
            "lr": "number", "iterations": "int", "start": "pair", "multi_start": "bool",
        },
        summary="Descent on a cost surface of two parameters, drawn as contours with the path.",
    ),
    "batch-compare": SceneSpec(
        target="tutor.scenes.batch_compare:BatchCompareScene",
        params={"lr": "number", "batch_size": "int", "epochs": "int", "seed": "int"},
        summary="Full-batch, stochastic and mini-batch descent on one regression, compared.",
    ),
    "optimizer-race": SceneSpec(
        target="tutor.scenes.optimizer_race:OptimizerRaceScene",
        params={"surface": ("regression", "valley", "two-minima", "saddle"), "lr": "number", "steps": "int"},
        summary="Plain descent, momentum and Adam from the same start on the same surface.",
    ),
    "graph-steps": SceneSpec(
        target="tutor.scenes.graph_steps:GraphStepsScene",
        params={"example": ("chain", "sigmoid-neuron", "reuse"), "phase": ("forward", "backward", "both")},
        summary="A computational graph: values forward node by node, gradients back edge by edge.",
    ),
    "graph-drill": SceneSpec(
        target="tutor.scenes.graph_drill:GraphDrillScene",
        params={"example": ("chain", "sigmoid-neuron")},
        summary="The learner computes each local gradient and upstream product in backward order.",
    ),
    "expression-playground": SceneSpec(
        target="tutor.scenes.expression_playground:ExpressionPlaygroundScene",
        params={"expression": "str", "values": "str"},
        summary="Type any expression and values; it is parsed safely, drawn and differentiated.",
    ),
    "activations": SceneSpec(
        target="tutor.scenes.activations:ActivationsScene",
        params={"show": ("step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "maxout")},
        summary="Activation functions and their derivatives, with saturation made visible.",
    ),
    "softmax": SceneSpec(
        target="tutor.scenes.softmax:SoftmaxScene",
        params={"logits": "vector", "true_class": "int", "editable": "bool"},
        summary="Editable logits, their softmax probabilities, the cross-entropy loss and p - y.",
    ),
    "xor-network": SceneSpec(
        target="tutor.scenes.xor_network:XorNetworkScene",
        params={"hidden": "int", "loss": ("mse", "ce"), "lr": "number", "epochs": "int", "seed": "int"},
        summary="A 2-2-1 or 2-4-1 sigmoid network learning XOR by backpropagation.",
    ),
    "digit-browser": SceneSpec(
        target="tutor.scenes.digit_browser:DigitBrowserScene",
        params={"split": ("train", "test"), "start": "int", "view": ("digits", "counts", "means", "histogram")},
        summary="The MNIST digits as data: single images, class counts, mean digits, pixel values.",
    ),
    "conv-sandbox": SceneSpec(
        target="tutor.scenes.conv_sandbox:ConvSandboxScene",
        params={"width": "int", "kernel": "int", "stride": "int", "padding": "int", "editable": "bool"},
        summary="Input size, kernel, stride and padding: the output size formula and the walking window.",
    ),
    "pooling": SceneSpec(
        target="tutor.scenes.pooling:PoolingScene",
        params={"index": "int", "kind": ("max", "avg"), "mode": ("animate", "shift"), "shift": "int"},
        summary="Max or average pooling 2x2, stride 2 of an edge map of a digit, and a shifted copy.",
    ),
    "draw-digit": SceneSpec(
        target="tutor.scenes.draw_digit:DrawDigitScene",
        params={
            "model": ("shipped",),
            "show_preprocessed": "bool",
            "preprocess": "bool",
            "start": ("blank", "test-digit"),
            "test_index": "int",
        },
        summary="Draw a digit; see it preprocessed like MNIST and LeNet-5's ten probabilities live.",
    ),
    "conv-slide": SceneSpec(
        target="tutor.scenes.conv_slide:ConvSlideScene",
        params={
            "index": "int",
            "kernel": ("vertical edge", "horizontal edge", "diagonal edge", "blur", "sharpen",
                       "identity", "custom"),
            "weights": "vector",
            "bias": "number",
            "editable": "bool",
            "step_size": "number",
            "mode": ("slide", "maps", "channels"),
            "cell": "pair",
            "channels": "int",
            "seed": "int",
        },
        summary="A 5x5 kernel slides over a digit: 25 products, their sum and the 24x24 map filling in.",
    ),
    "backend-race": SceneSpec(
        target="tutor.scenes.backend_race:BackendRaceScene",
        params={"what": ("conv", "train"), "batches": "vector", "repeats": "int"},
        summary="NumPy against CuPy, timed live: a C1 convolution or LeNet-5 training steps per batch size.",
    ),
    "lenet-summary": SceneSpec(
        target="tutor.scenes.lenet_summary:LenetSummaryScene",
        params={"model": ("lenet", "mlp-30-sigmoid", "mlp-128-relu"), "view": ("walk", "table"), "layer": "str"},
        summary="LeNet-5 layer by layer: shapes, parameter formulas and the Keras-style summary (61,706).",
    ),
    "feature-maps": SceneSpec(
        target="tutor.scenes.feature_maps:FeatureMapsScene",
        params={
            "view": ("filters", "c3", "probs", "mistakes", "confusion"),
            "source": ("shipped", "mine"),
            "index": "int",
        },
        summary="Inside a trained LeNet-5: C1 filters and maps, C3 maps, probabilities, mistakes.",
    ),
    "training": SceneSpec(
        target="tutor.scenes.training:TrainingScene",
        params={
            "model": ("mlp-30-sigmoid", "mlp-128-relu", "lenet"),
            "epochs": "int",
            "batch_size": "int",
            "lr": "number",
            "optimizer": ("sgd", "adam"),
            "target_accuracy": "number",
            "train_limit": "int",
            "test_limit": "int",
            "seed": "int",
            "shift": "int",
            "view": ("train", "results"),
            "editable": "bool",
        },
        summary="Train an MLP or LeNet-5 on MNIST live (pause, stop, continue), then its confusion matrix and mistakes.",
    ),
}


def scene_names() -> list[str]:
    """Registered scene names, sorted."""
    return sorted(SCENES)


def check_param(kind: Any, value: Any) -> str | None:
    """Return None when `value` fits `kind`, else a short description of what was expected."""
    if isinstance(kind, tuple):
        return None if value in kind else "one of " + ", ".join(repr(k) for k in kind)
    if kind == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else "a number"
    if kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else "a whole number"
    if kind == "bool":
        return None if isinstance(value, bool) else "true or false"
    if kind == "str":
        return None if isinstance(value, str) else "a string"
    if kind == "pair":
        ok = isinstance(value, list) and len(value) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
        )
        return None if ok else "a list of two numbers"
    if kind == "vector":
        ok = isinstance(value, list) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
        )
        return None if ok and value else "a non-empty list of numbers"
    return f"a value of kind {kind!r}"


def load_scene_class(name: str) -> type:
    """Import and return the widget class registered under `name` (KeyError if unknown)."""
    module_name, _, attr = SCENES[name].target.partition(":")
    return getattr(importlib.import_module(module_name), attr)
