"""Checks of exercise mnist-mlp: shapes, the forward pass against `tutor.engines.layers`, the
gradients against numerical ones, then training on MNIST (the 60,000 training digits with the
learner's own defaults; accuracy on the 10,000 test digits, at least 97%)."""

from __future__ import annotations

import numpy as np

from tutor.engines.activations import cross_entropy, softmax
from tutor.exercises.checking import Checklist, Failure, call, compare, describe, grad_check

CHECKS = Checklist()
SHAPES = {"w1": (784, 128), "b1": (128,), "w2": (128, 10), "b2": (10,)}
TARGET = 0.97


def _reference_scores(params, x):
    h = np.maximum(x @ params["w1"] + params["b1"], 0)
    return h @ params["w2"] + params["b2"]


def _params(m, case="init_params(seed=0)"):
    params = call(m, "init_params", 0, case=case)
    if not isinstance(params, dict) or set(params) != set(SHAPES):
        raise Failure(f"init_params returned {describe(params, 80)}, expected a dict with keys w1, b1, w2, b2",
                      case=case)
    for name, shape in SHAPES.items():
        value = np.asarray(params[name])
        if value.shape != shape or value.dtype != np.float32:
            raise Failure(f"{name} is {value.dtype} of shape {value.shape}, expected float32 of shape {shape}",
                          case=case, hint="np.zeros(..., dtype=np.float32), or .astype(np.float32)")
    return params


@CHECKS.add("init_params: 784-128-10, float32, 101,770 parameters, random weights")
def init(m) -> str:
    params = _params(m)
    if float(np.std(params["w1"])) == 0.0:
        raise Failure("w1 is constant: every hidden unit would learn the same thing", case="init_params(seed=0)",
                      hint="draw the weights at random (biases may start at 0)")
    return f"{sum(v.size for v in params.values()):,} parameters"


@CHECKS.add("predict matches dense -> relu -> dense")
def forward(m) -> str:
    rng = np.random.default_rng(25)
    params = {name: rng.normal(0, 0.1, shape) for name, shape in SHAPES.items()}
    x = rng.uniform(0, 1, (5, 784))
    case = "random params (N(0, 0.1)), x (5, 784) uniform in 0..1"
    expected = _reference_scores(params, x)
    got = call(m, "predict", params, x, case=case, expected=describe(expected))
    compare("scores", got, expected, case=case, rtol=1e-6, atol=1e-8)
    return ""


@CHECKS.add("loss_and_grads: the loss and every gradient match the numerical gradient")
def gradients(m) -> str:
    rng = np.random.default_rng(26)
    params = {name: rng.normal(0, 0.1, shape) for name, shape in SHAPES.items()}
    x = rng.uniform(0, 1, (4, 784))
    y = rng.integers(0, 10, 4)
    case = f"random float64 params, x (4, 784), y = {y.tolist()}"

    def loss_of(p):
        return cross_entropy(softmax(_reference_scores(p, x)), y)

    got = call(m, "loss_and_grads", params, x, y, case=case)
    if not isinstance(got, tuple) or len(got) != 2 or not isinstance(got[1], dict):
        raise Failure(f"loss_and_grads returned {describe(got, 80)}, expected (loss, grads)", case=case)
    compare("loss", got[0], loss_of(params), case=case, exact_type=float)
    worst = 0.0
    for name in SHAPES:
        if name not in got[1]:
            raise Failure(f"grads has no {name}", case=case)
        worst = max(worst, grad_check(
            f"d{name}", got[1][name], lambda p, name=name: loss_of(dict(params, **{name: p})), params[name],
            case=case, samples=15, hint="backward in reverse order: dense2, relu, dense1"))
    return f"largest relative error {worst:.1e}"


@CHECKS.add(f"train_mlp reaches {TARGET:.0%} on the 10,000 test digits", after_others=True)
def trains(m) -> str:
    from tutor.data import load_digits
    from tutor.paths import shipped_data_dir

    digits = load_digits(shipped_data_dir("mnist"))  # the targets are for digits, whatever --data says
    x_train = digits.train_images.reshape(len(digits.train_images), -1).astype(np.float32) / 255
    x_test = digits.test_images.reshape(len(digits.test_images), -1).astype(np.float32) / 255
    case = "train_mlp(60,000 training digits as (N, 784) float32 in 0..1, labels) with its defaults"
    params = call(m, "train_mlp", x_train, digits.train_labels.astype(np.int64), case=case)
    scores = call(m, "predict", params, x_test, case="predict(trained params, the 10,000 test digits)")
    accuracy = float(np.mean(np.argmax(np.asarray(scores), axis=1) == digits.test_labels))
    if accuracy < TARGET:
        raise Failure(f"test accuracy {accuracy:.2%}, below {TARGET:.0%}", case=case,
                      hint="lr 0.1, batches of 64, 6 epochs, He initialisation; shuffle every epoch")
    return f"test accuracy {accuracy:.2%}"
