"""Checks of exercise lenet-train: shapes, the forward pass against `tutor.engines.model.Model`
(LeNet-5), the gradients against numerical ones, then training on MNIST.

Training uses every training digit and train_lenet's defaults (the reference: 2 epochs, about
35 s on two cores) and wants 98% on the 10,000 test digits.
"""

from __future__ import annotations

import numpy as np

from tutor.engines.activations import cross_entropy, softmax
from tutor.engines.model import LENET5, Model
from tutor.exercises.checking import Checklist, Failure, call, compare, describe, grad_check

CHECKS = Checklist()
SHAPES = {
    "C1.w": (6, 1, 5, 5), "C1.b": (6,), "C3.w": (16, 6, 5, 5), "C3.b": (16,),
    "C5.w": (120, 16, 5, 5), "C5.b": (120,), "F6.w": (120, 84), "F6.b": (84,),
    "output.w": (84, 10), "output.b": (10,),
}
TARGET = 0.98


def _reference(params: dict) -> Model:
    model = Model(LENET5, dtype=np.float64)
    model.params = {name: np.asarray(value, dtype=np.float64) for name, value in params.items()}
    return model


@CHECKS.add("init_lenet: every layer's shape, float32, 61,706 parameters")
def init(m) -> str:
    case = "init_lenet(seed=0)"
    params = call(m, "init_lenet", 0, case=case)
    if not isinstance(params, dict) or set(params) != set(SHAPES):
        raise Failure(f"init_lenet returned {describe(params, 80)}, expected a dict with the keys of SHAPES",
                      case=case, expected=", ".join(SHAPES))
    for name, shape in SHAPES.items():
        value = np.asarray(params[name])
        if value.shape != shape or value.dtype != np.float32:
            raise Failure(f"{name} is {value.dtype} of shape {value.shape}, expected float32 of shape {shape}",
                          case=case)
    return f"{sum(np.asarray(v).size for v in params.values()):,} parameters"


def _random_params(rng) -> dict:
    return {name: rng.normal(0, 0.2, shape) for name, shape in SHAPES.items()}


@CHECKS.add("lenet_forward matches the engine's LeNet-5 on the same weights")
def forward(m) -> str:
    rng = np.random.default_rng(27)
    params = _random_params(rng)
    x = rng.normal(0, 1, (3, 1, 28, 28))
    case = "random float64 params (N(0, 0.2)), x (3, 1, 28, 28) normal"
    expected = _reference(params).forward(x).scores
    got = call(m, "lenet_forward", params, x, case=case, expected=describe(expected))
    if not isinstance(got, tuple) or len(got) != 2:
        raise Failure(f"lenet_forward returned {describe(got, 80)}, expected (scores, caches)", case=case)
    compare("scores", got[0], expected, case=case, rtol=1e-6, atol=1e-8,
            hint="C1 pads by 2; tanh after C1, C3, C5 and F6; average pooling; no activation on the output")
    return ""


@CHECKS.add("lenet_loss_and_grads: every gradient matches the numerical gradient")
def gradients(m) -> str:
    rng = np.random.default_rng(28)
    params = _random_params(rng)
    x = rng.normal(0, 1, (2, 1, 28, 28))
    y = np.array([3, 7])
    case = "random float64 params, x (2, 1, 28, 28), y = [3, 7]"

    def loss_of(p):
        return cross_entropy(softmax(_reference(p).forward(x).scores), y)

    got = call(m, "lenet_loss_and_grads", params, x, y, case=case)
    if not isinstance(got, tuple) or len(got) != 2 or not isinstance(got[1], dict):
        raise Failure(f"lenet_loss_and_grads returned {describe(got, 80)}, expected (loss, grads)", case=case)
    compare("loss", got[0], loss_of(params), case=case, exact_type=float)
    worst = 0.0
    for name in reversed(SHAPES):
        if name not in got[1]:
            raise Failure(f"grads has no {name}", case=case)
        worst = max(worst, grad_check(
            f"d{name}", got[1][name], lambda p, name=name: loss_of(dict(params, **{name: p})),
            params[name], case=case, samples=6, tolerance=1e-5,
            hint="walk the layers in reverse; tanh's backward is dout * (1 - y²) with y its output"))
    return f"largest relative error {worst:.1e}"


@CHECKS.add(f"train_lenet reaches {TARGET:.0%} on the 10,000 test digits", after_others=True)
def trains(m) -> str:
    from tutor.data import load_digits
    from tutor.paths import shipped_data_dir

    digits = load_digits(shipped_data_dir("mnist"))  # the targets are for digits, whatever --data says

    def prepare(images):
        return ((images.astype(np.float32) / 255 - 0.1307) / 0.3081)[:, None]

    x, y = prepare(digits.train_images), digits.train_labels.astype(np.int64)
    tx, ty = prepare(digits.test_images), digits.test_labels
    case = "train_lenet(all 60,000 training digits, scaled) with its defaults"
    params = call(m, "train_lenet", x, y, case=case)
    correct = 0
    for begin in range(0, len(tx), 500):
        scores = call(m, "lenet_forward", params, tx[begin:begin + 500], case="the trained network")[0]
        correct += int(np.sum(np.argmax(np.asarray(scores), axis=1) == ty[begin:begin + 500]))
    accuracy = correct / len(tx)
    if accuracy < TARGET:
        raise Failure(f"test accuracy {accuracy:.2%}, below {TARGET:.0%}", case=case,
                      hint="SGD with momentum 0.9, lr 0.05 shrinking by 0.85 per epoch, batches of 32, "
                      "Glorot initialisation, 2 epochs")
    return f"test accuracy {accuracy:.2%}"
