"""`dl-tutor exercises check ID --against torch`: the learner's gradients next to PyTorch autograd.

`available()` is for the parent (it imports nothing heavy); `run()` is for the sandbox child
(`tutor.exercises.runner`), after the exercise's checks: it draws random float64 inputs, calls
the learner's backward functions (through `checking.call`, so a missing or unwritten function
is one line), builds the same computation from torch operations, lets autograd differentiate
it, and reports one comparison per gradient with its relative error
(`tutor.engines.gradcheck.relative_error`). An exercise without a backward function says so.

Each record it sends is `{"event": "compare", "name": ..., "ok": true | false | null,
"detail": ...}`; `ok` is null for a note (nothing to compare, torch could not be imported).
`DL_TUTOR_NO_TORCH=1` makes torch look absent in both processes (the tests use it).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

__all__ = ["HIDE_ENV", "INSTALL_LINE", "TOLERANCE", "available", "run"]

#: Set to 1 to make PyTorch look absent (tests of the message without uninstalling it).
HIDE_ENV = "DL_TUTOR_NO_TORCH"
#: Relative errors at or below this count as agreement (every comparison runs in float64).
TOLERANCE = 1e-6
#: What to do when PyTorch is missing.
INSTALL_LINE = ("PyTorch is not installed for {python}: install it into the same environment "
                "as dl-tutor with `pip install torch`, then run this again.")


def available() -> bool:
    """Whether `import torch` can work in this Python, without importing it."""
    if os.environ.get(HIDE_ENV, "") not in ("", "0"):
        return False
    if "torch" in sys.modules:
        return sys.modules["torch"] is not None
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        return False


def _import_torch() -> ModuleType:
    if not available():
        raise ImportError("No module named 'torch'")
    import torch

    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    return torch


# --- the comparisons, one generator per exercise ------------------------------------------------
# Each yields (name, mine, autograd's) and may raise checking.Failure for a learner's function
# that is missing, unwritten, raises, or returns the wrong kind of value.

Pair = tuple[str, Any, Any]


def _rng(seed: int):
    import numpy as np

    return np.random.default_rng(seed)


def _parts(got: Any, count: int, name: str, what: str) -> tuple:
    from tutor.exercises.checking import Failure, describe

    if not isinstance(got, (tuple, list)) or len(got) != count:
        raise Failure(f"{name} returned {describe(got, 80)}, expected {what}")
    return tuple(got)


def _leaf(torch: ModuleType, value: Any):
    """A float64 tensor that autograd differentiates with respect to."""
    import numpy as np

    return torch.tensor(np.asarray(value, dtype=np.float64), requires_grad=True)


def _const(torch: ModuleType, value: Any, dtype=None):
    import numpy as np

    return torch.tensor(np.asarray(value), dtype=dtype or torch.float64)


def _quadratic(torch, m, function: str, seed: int) -> Iterator[Pair]:
    """dC/dw and dC/db of C = 1/(2n) Σ (t - (w·x + b))² (quadratic-cost, minibatch-sgd)."""
    from tutor.exercises.checking import call

    rng = _rng(seed)
    x, t = rng.normal(0, 1, 8), rng.normal(0, 2, 8)
    w, b = (float(v) for v in rng.normal(0, 1, 2))
    got = _parts(call(m, function, w, b, x, t, case=f"w = {w:.4g}, b = {b:.4g}, 8 points"),
                 2, function, "(dC/dw, dC/db)")
    W, B = _leaf(torch, w), _leaf(torch, b)
    cost = ((_const(torch, t) - (W * _const(torch, x) + B)) ** 2).sum() / (2 * len(x))
    dw, db = torch.autograd.grad(cost, (W, B))
    yield f"{function} dC/dw", got[0], dw
    yield f"{function} dC/db", got[1], db


def _quadratic_cost(torch, m) -> Iterator[Pair]:
    yield from _quadratic(torch, m, "quadratic_cost_grad", 31)


def _minibatch(torch, m) -> Iterator[Pair]:
    yield from _quadratic(torch, m, "batch_gradient", 32)


def _descent(torch, m) -> Iterator[Pair]:
    from tutor.exercises.checking import call

    rng = _rng(33)
    x, z = rng.normal(0, 1, 10), rng.normal(0, 3, 10)
    w = float(rng.normal())
    got = call(m, "one_weight_grad", w, x, z, case=f"w = {w:.4g}, 10 points")
    W = _leaf(torch, w)
    cost = ((_const(torch, z) - W * _const(torch, x)) ** 2).sum() / (2 * len(x))
    (dw,) = torch.autograd.grad(cost, (W,))
    yield "one_weight_grad J'(w)", got, dw


def _sigmoid(torch, m) -> Iterator[Pair]:
    from tutor.exercises.checking import call

    rng = _rng(34)
    x, dout = rng.normal(0, 3, (4, 5)), rng.normal(0, 1, (4, 5))
    got = call(m, "sigmoid_backward", dout, x, case="x and dout of shape (4, 5)")
    X = _leaf(torch, x)
    (dx,) = torch.autograd.grad(torch.sigmoid(X), (X,), grad_outputs=_const(torch, dout))
    yield "sigmoid_backward dx", got, dx
    x0, y0, z0 = (float(v) for v in rng.normal(0, 3, 3))
    got = _parts(call(m, "chain_rule_example", x0, y0, z0,
                      case=f"x = {x0:.4g}, y = {y0:.4g}, z = {z0:.4g}"),
                 4, "chain_rule_example", "(f, df/dx, df/dy, df/dz)")
    X, Y, Z = _leaf(torch, x0), _leaf(torch, y0), _leaf(torch, z0)
    grads = torch.autograd.grad((X + Y) * Z, (X, Y, Z))
    for name, mine, theirs in zip(("df/dx", "df/dy", "df/dz"), got[1:], grads):
        yield f"chain_rule_example {name}", mine, theirs


def _softmax(torch, m) -> Iterator[Pair]:
    from tutor.exercises.checking import call

    rng = _rng(35)
    z, y = rng.normal(0, 2, (6, 4)), rng.integers(0, 4, 6)
    got = _parts(call(m, "softmax_cross_entropy_grad", z, y, case="z (6, 4), y (6,)"),
                 2, "softmax_cross_entropy_grad", "(loss, dz)")
    Z = _leaf(torch, z)
    loss = torch.nn.functional.cross_entropy(Z, _const(torch, y, torch.long))
    (dz,) = torch.autograd.grad(loss, (Z,))
    yield "softmax_cross_entropy_grad loss", got[0], loss.detach()
    yield "softmax_cross_entropy_grad dz", got[1], dz


def _xor(torch, m) -> Iterator[Pair]:
    import numpy as np

    from tutor.exercises.checking import call

    rng = _rng(36)
    params = {"W1": rng.normal(0, 1, (3, 2)), "b1": rng.normal(0, 1, 3),
              "W2": rng.normal(0, 1, (1, 3)), "b2": rng.normal(0, 1, 1)}
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    t = np.array([0, 1, 1, 0], dtype=float)
    case = "H = 3 hidden units, the four XOR patterns"
    _, cache = _parts(call(m, "forward", params, X, case=case), 2, "forward", "(y, cache)")
    got = call(m, "backward", params, cache, t, case=case)
    if not isinstance(got, dict):
        from tutor.exercises.checking import Failure, describe

        raise Failure(f"backward returned {describe(got, 80)}, expected a dict of gradients")
    p = {name: _leaf(torch, value) for name, value in params.items()}
    h = torch.sigmoid(_const(torch, X) @ p["W1"].T + p["b1"])
    y = torch.sigmoid(h @ p["W2"][0] + p["b2"][0])
    loss = ((y - _const(torch, t)) ** 2).mean() / 2
    grads = torch.autograd.grad(loss, list(p.values()))
    for name, theirs in zip(p, grads):
        yield f"backward d{name}", got.get(name), theirs


def _dense(torch, m) -> Iterator[Pair]:
    from tutor.exercises.checking import call

    rng = _rng(37)
    x, w, b = rng.normal(0, 1, (4, 5)), rng.normal(0, 1, (5, 3)), rng.normal(0, 1, 3)
    dout = rng.normal(0, 1, (4, 3))
    case = "x (4, 5), w (5, 3), b (3,), dout (4, 3)"
    _, cache = _parts(call(m, "dense_forward", x, w, b, case=case), 2, "dense_forward",
                      "(out, cache)")
    got = _parts(call(m, "dense_backward", dout, cache, case=case), 3, "dense_backward",
                 "(dx, dw, db)")
    X, W, B = _leaf(torch, x), _leaf(torch, w), _leaf(torch, b)
    # nn.Linear keeps its weight as (out, in): F.linear(x, w.T, b) is x @ w + b.
    out = torch.nn.functional.linear(X, W.T, B)
    grads = torch.autograd.grad(out, (X, W, B), grad_outputs=_const(torch, dout))
    for name, mine, theirs in zip(("dx", "dw", "db"), got, grads):
        yield f"dense_backward {name}", mine, theirs
    z = rng.normal(0, 1, (4, 5))
    _, cache = _parts(call(m, "relu_forward", z, case="x (4, 5)"), 2, "relu_forward",
                      "(out, cache)")
    dout = rng.normal(0, 1, (4, 5))
    got = call(m, "relu_backward", dout, cache, case="x (4, 5), dout (4, 5)")
    Z = _leaf(torch, z)
    (dz,) = torch.autograd.grad(torch.relu(Z), (Z,), grad_outputs=_const(torch, dout))
    yield "relu_backward dx", got, dz


def _mlp(torch, m) -> Iterator[Pair]:
    from tutor.exercises.checking import Failure, call, describe

    rng = _rng(38)
    params = {"w1": rng.normal(0, 0.05, (784, 128)), "b1": rng.normal(0, 0.1, 128),
              "w2": rng.normal(0, 0.1, (128, 10)), "b2": rng.normal(0, 0.1, 10)}
    x, y = rng.uniform(0, 1, (8, 784)), rng.integers(0, 10, 8)
    got = _parts(call(m, "loss_and_grads", params, x, y, case="8 random images, float64 params"),
                 2, "loss_and_grads", "(loss, grads)")
    if not isinstance(got[1], dict):
        raise Failure(f"loss_and_grads returned grads {describe(got[1], 80)}, expected a dict")
    p = {name: _leaf(torch, value) for name, value in params.items()}
    F = torch.nn.functional
    hidden = torch.relu(F.linear(_const(torch, x), p["w1"].T, p["b1"]))
    scores = F.linear(hidden, p["w2"].T, p["b2"])
    loss = F.cross_entropy(scores, _const(torch, y, torch.long))
    grads = torch.autograd.grad(loss, list(p.values()))
    yield "loss_and_grads loss", got[0], loss.detach()
    for name, theirs in zip(p, grads):
        yield f"loss_and_grads d{name}", got[1].get(name), theirs


def _conv_loops(torch, m) -> Iterator[Pair]:
    from tutor.exercises.checking import call

    rng = _rng(39)
    x, w, b = rng.normal(0, 1, (2, 3, 7, 7)), rng.normal(0, 1, (4, 3, 3, 3)), rng.normal(0, 1, 4)
    got = call(m, "conv2d_loops", x, w, b, 2, 1, case="x (2, 3, 7, 7), w (4, 3, 3, 3), "
               "stride 2, pad 1")
    theirs = torch.nn.functional.conv2d(_const(torch, x), _const(torch, w), _const(torch, b),
                                        stride=2, padding=1)
    yield "conv2d_loops forward vs F.conv2d", got, theirs


def _conv_fast(torch, m) -> Iterator[Pair]:
    from tutor.exercises.checking import call

    rng = _rng(40)
    x, w, b = rng.normal(0, 1, (2, 3, 7, 7)), rng.normal(0, 1, (4, 3, 3, 3)), rng.normal(0, 1, 4)
    case = "x (2, 3, 7, 7), w (4, 3, 3, 3), stride 2, pad 1"
    out, cache = _parts(call(m, "conv_forward", x, w, b, 2, 1, case=case), 2, "conv_forward",
                        "(out, cache)")
    X, W, B = _leaf(torch, x), _leaf(torch, w), _leaf(torch, b)
    theirs = torch.nn.functional.conv2d(X, W, B, stride=2, padding=1)
    yield "conv_forward vs F.conv2d", out, theirs.detach()
    dout = rng.normal(0, 1, tuple(theirs.shape))
    got = _parts(call(m, "conv_backward", dout, cache, case=case), 3, "conv_backward",
                 "(dx, dw, db)")
    grads = torch.autograd.grad(theirs, (X, W, B), grad_outputs=_const(torch, dout))
    for name, mine, grad in zip(("dx", "dw", "db"), got, grads):
        yield f"conv_backward {name}", mine, grad


def _pooling(torch, m) -> Iterator[Pair]:
    from tutor.exercises.checking import call

    rng = _rng(41)
    F = torch.nn.functional
    for kind, function in (("max", F.max_pool2d), ("avg", F.avg_pool2d)):
        x = rng.normal(0, 1, (2, 3, 6, 8))
        case = "x (2, 3, 6, 8), 2x2 windows"
        _, cache = _parts(call(m, f"{kind}pool_forward", x, 2, case=case), 2,
                          f"{kind}pool_forward", "(out, cache)")
        X = _leaf(torch, x)
        out = function(X, 2)
        dout = rng.normal(0, 1, tuple(out.shape))
        got = call(m, f"{kind}pool_backward", dout, cache, case=case)
        (dx,) = torch.autograd.grad(out, (X,), grad_outputs=_const(torch, dout))
        yield f"{kind}pool_backward dx vs F.{kind}_pool2d", got, dx


def _lenet_torch(torch, p: dict, x):
    """LeNet-5 of the course, written with torch.nn.functional on the learner's layout."""
    F = torch.nn.functional
    out = torch.tanh(F.conv2d(x, p["C1.w"], p["C1.b"], padding=2))
    out = F.avg_pool2d(out, 2)
    out = F.avg_pool2d(torch.tanh(F.conv2d(out, p["C3.w"], p["C3.b"])), 2)
    out = torch.tanh(F.conv2d(out, p["C5.w"], p["C5.b"])).flatten(1)
    out = torch.tanh(F.linear(out, p["F6.w"].T, p["F6.b"]))
    return F.linear(out, p["output.w"].T, p["output.b"])


def _lenet(torch, m) -> Iterator[Pair]:
    from tutor.exercises.checking import Failure, call, describe

    rng = _rng(42)
    shapes = {
        "C1.w": (6, 1, 5, 5), "C1.b": (6,), "C3.w": (16, 6, 5, 5), "C3.b": (16,),
        "C5.w": (120, 16, 5, 5), "C5.b": (120,), "F6.w": (120, 84), "F6.b": (84,),
        "output.w": (84, 10), "output.b": (10,),
    }
    params = {name: rng.normal(0, 0.2, shape) for name, shape in shapes.items()}
    x, y = rng.normal(0, 1, (3, 1, 28, 28)), rng.integers(0, 10, 3)
    got = _parts(call(m, "lenet_loss_and_grads", params, x, y,
                      case="3 random images, float64 params"),
                 2, "lenet_loss_and_grads", "(loss, grads)")
    if not isinstance(got[1], dict):
        raise Failure(f"lenet_loss_and_grads returned grads {describe(got[1], 80)}, "
                      "expected a dict")
    p = {name: _leaf(torch, value) for name, value in params.items()}
    loss = torch.nn.functional.cross_entropy(_lenet_torch(torch, p, _const(torch, x)),
                                             _const(torch, y, torch.long))
    grads = torch.autograd.grad(loss, list(p.values()))
    yield "lenet_loss_and_grads loss", got[0], loss.detach()
    for name, theirs in zip(p, grads):
        yield f"lenet_loss_and_grads d{name}", got[1].get(name), theirs


def _lenet_params(torch, m) -> Iterator[Pair]:
    from tutor.exercises.checking import Failure, call, describe

    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(16, 120, 5), nn.Tanh(), nn.Flatten(),
        nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10),
    )
    got = call(m, "lenet_param_counts", case="LeNet-5")
    if not isinstance(got, dict):
        raise Failure(f"lenet_param_counts returned {describe(got, 80)}, expected a dict")
    layers = {"C1": model[0], "C3": model[3], "C5": model[6], "F6": model[9],
              "output": model[11]}
    for name, layer in layers.items():
        count = sum(p.numel() for p in layer.parameters())
        yield f"{name} parameters vs sum(p.numel())", got.get(name), torch.tensor(float(count))


#: What each exercise compares; None: it has no backward function (and why).
COMPARERS: dict[str, Callable[[Any, ModuleType], Iterator[Pair]] | str] = {
    "threshold-unit": "a threshold unit has no gradient (its step is flat almost everywhere)",
    "perceptron-rule": "the perceptron rule is not a gradient step: no backward function",
    "quadratic-cost": _quadratic_cost,
    "descent-one-weight": _descent,
    "minibatch-sgd": _minibatch,
    "sigmoid-chain-rule": _sigmoid,
    "softmax-cross-entropy": _softmax,
    "xor-backward": _xor,
    "dense-layer": _dense,
    "mnist-mlp": _mlp,
    "conv2d-loops": _conv_loops,
    "conv2d-fast": _conv_fast,
    "pooling": _pooling,
    "lenet-params": _lenet_params,
    "lenet-train": _lenet,
}

#: Exercises that compare values but have no backward function of their own.
NO_GRADIENTS = {"conv2d-loops": "conv2d_loops has no backward function: its forward pass is "
                "compared with F.conv2d instead",
                "lenet-params": "lenet-params has no gradients: its counts are compared with "
                "an nn.Sequential LeNet-5 instead"}


def _error(mine: Any, theirs: Any) -> tuple[float | None, str]:
    """The relative error of the learner's value against torch's, or (None, why not)."""
    import numpy as np

    from tutor.engines.gradcheck import relative_error
    from tutor.exercises.checking import describe

    expected = theirs.detach().cpu().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    if mine is None:
        return None, "returned None (is a `return` missing, or a key?)"
    try:
        array = np.asarray(mine, dtype=np.float64)
    except (TypeError, ValueError):
        return None, f"returned {describe(mine, 60)}, not numbers"
    if array.shape != expected.shape:
        return None, f"shape {array.shape}, autograd's is {expected.shape}"
    return relative_error(array, expected), ""


def run(exercise_id: str, module: ModuleType, send: Callable[..., None]) -> None:
    """Compare every gradient of the exercise with autograd; one `compare` record each."""
    from tutor.exercises.checking import Failure

    comparer = COMPARERS.get(exercise_id)
    if comparer is None or isinstance(comparer, str):
        send(event="compare", name="PyTorch", ok=None,
             detail=f"nothing to compare: {comparer or 'this exercise has no gradients'}")
        return
    try:
        torch = _import_torch()
    except (ImportError, OSError, MemoryError) as error:
        send(event="compare", name="PyTorch", ok=None,
             detail=f"could not import torch ({type(error).__name__}: {error}); "
             "`pip install torch` installs it")
        return
    if exercise_id in NO_GRADIENTS:
        send(event="compare", name="PyTorch", ok=None, detail=NO_GRADIENTS[exercise_id])
    try:
        for name, mine, theirs in comparer(torch, module):
            error, why = _error(mine, theirs)
            if error is None:
                send(event="compare", name=name, ok=False, detail=why)
            else:
                verdict = "agrees" if error <= TOLERANCE else "disagrees"
                send(event="compare", name=name, ok=error <= TOLERANCE,
                     detail=f"relative error {error:.1e} ({verdict})")
    except Failure as failure:
        send(event="compare", name="stopped", ok=False, detail=failure.summary)
