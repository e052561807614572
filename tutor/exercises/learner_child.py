"""The child of `tutor.exercises.learner_calls`: `python -m tutor.exercises.learner_child FILE FOLDER`.

Never imported by the tutor's UI process. It limits itself (`runner.apply_limits`: CPU time,
address space, file size), loads the learner's FILE (`runner.load_learner`), reads the call from
FOLDER (`request.json`: the module name, the function, the arguments as JSON with arrays in
`arrays.npz`), calls it, writes the arrays of what came back to `result.npz`, and sends one JSON
record on the result pipe (`runner.Channel`):

    {"event": "result", "value": ...}   what the function returned (arrays as {"a": key})
    {"event": "fatal", "line": ...}     why there is no value, in one line

A function named "recipe:NAME" is one of `RECIPES`: our own loop around the learner's
functions, which also checks each value they return (a wrong shape says so in one line).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import numpy as np

from tutor.exercises import checking
from tutor.exercises.learner_calls import ARRAYS_NAME, REQUEST_NAME, RESULT_NAME, Unreadable, decode, encode
from tutor.exercises.runner import MEMORY_ENV, Channel, child_main, exit_line, exit_now, gib_text, load_learner


class WrongValue(Exception):
    """A learner function returned something a recipe cannot use (one line)."""


def _function(module: ModuleType, name: str) -> Callable:
    """The learner's function `name`, or WrongValue saying it is missing."""
    function = getattr(module, name, None)
    if not callable(function):
        raise WrongValue(f"your file has no function {name}()")
    return function


def _array(value: Any, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """`value` as a float array of `shape`, or WrongValue naming what came back."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise WrongValue(f"{name} returned {_kind(value)}, not an array of numbers") from None
    if array.shape != shape:
        raise WrongValue(f"{name} returned shape {array.shape}, expected {shape}")
    return array


def _kind(value: Any) -> str:
    """"a list", "an array of shape (3,)": what a learner function returned."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    name = type(value).__name__
    return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"


# --- recipes: our loops around the learner's functions ---------------------------------------------


def conv_maps(module: ModuleType, function: str, x: np.ndarray, w: np.ndarray, b: np.ndarray,
              stride: int = 1, pad: int = 0) -> np.ndarray:
    """The learner's convolution of x (N, C, H, W) with w (F, C, K, K) and b (F,): their output
    (N, F, H', W'), checked for its shape (a forward pass that returns (out, cache), like
    conv_forward, gives its first item)."""
    conv = _function(module, function)
    result = conv(x.copy(), w.copy(), b.copy(), stride, pad)
    if isinstance(result, tuple) and result:
        result = result[0]
    n, _, h, wd = x.shape
    f, _, k, _ = w.shape
    shape = (n, f, (h - k + 2 * pad) // stride + 1, (wd - k + 2 * pad) // stride + 1)
    return _array(result, function, shape)


def conv_channels(module: ModuleType, function: str, x: np.ndarray, w: np.ndarray, b: float) -> dict:
    """The learner's convolution of a multi-channel input x (C, H, W) with one kernel per
    channel w (C, K, K) and one bias b: each channel's own sum map ("parts", (C, H', W')) and
    the output map ("out", (H', W')), both from their conv2d.

    The parts come from one call: the C channels as C one-channel images against the C kernels
    as C one-channel filters, bias 0, whose output (C, C, H', W') holds channel c convolved with
    kernel c on its diagonal [c, c]. The output map is a second call on the whole input."""
    count = x.shape[0]
    cross = conv_maps(module, function, x[:, None], w[:, None], np.zeros(count))  # (C, C, H', W')
    parts = cross[np.arange(count), np.arange(count)]  # (C, H', W')
    out = conv_maps(module, function, x[None], w[None], np.array([float(b)]))[0, 0]  # (H', W')
    return {"parts": parts, "out": out}


def _number(value: Any, name: str) -> float:
    """The one number in `value` (a float, or an array of size 1), or WrongValue naming it."""
    if value is None:
        raise WrongValue(f"{name} returned None (a missing return?)")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise WrongValue(f"{name} returned {_kind(value)}, not an array of numbers") from None
    if array.size != 1:
        raise WrongValue(f"{name} returned shape {array.shape} for an input of shape (1,)")
    return float(array.reshape(()))


def sigmoid_gate(module: ModuleType, t: float) -> dict:
    """The sigmoid gate of a neuron whose net input is t, by the learner's functions: its
    output z = sigmoid(t) and its gradient ∂z/∂t = sigmoid_backward(1, t), each called on an
    array of shape (1,) and checked to give one number."""
    sigmoid = _function(module, "sigmoid")
    backward = _function(module, "sigmoid_backward")
    z = _number(sigmoid(np.array([float(t)])), "sigmoid")
    dz = _number(backward(np.ones(1), np.array([float(t)])), "sigmoid_backward")
    return {"z": z, "dz": dz}


def perceptron_presentations(module: ModuleType, inputs: np.ndarray, targets: np.ndarray,
                             w0: np.ndarray, b0: float, use_bias: bool, max_epochs: int) -> dict:
    """Present the patterns in order, epoch after epoch, through the learner's
    perceptron_update(w, b, p, t, use_bias) until an epoch changes nothing (or max_epochs):
    the weights (K, n) and biases (K,) after each of the K presentations."""
    step = _function(module, "perceptron_update")
    w, b = np.asarray(w0, dtype=np.float64), float(b0)
    weights, biases = [], []
    for _epoch in range(int(max_epochs)):
        changed = False
        for p, t in zip(inputs, targets):
            result = step(w.copy(), b, p.copy(), int(t), bool(use_bias))
            if not isinstance(result, (tuple, list)) or len(result) != 2:
                what = f"{len(result)} values" if isinstance(result, (tuple, list)) else _kind(result)
                raise WrongValue(f"perceptron_update returned {what}; expected the pair (w, b)")
            w_new = _array(result[0], "perceptron_update", w.shape)
            try:
                b_new = float(result[1])
            except (TypeError, ValueError):
                raise WrongValue(f"perceptron_update returned {_kind(result[1])} as b, "
                                 "not a number") from None
            changed = changed or bool(np.any(w_new != w) or b_new != b)
            w, b = w_new, b_new
            weights.append(w)
            biases.append(b)
        if not changed:
            break
    return {"weights": np.array(weights), "biases": np.array(biases)}


def descent_steps(module: ModuleType, x: np.ndarray, z: np.ndarray, w0: float, lr: float,
                  iterations: int) -> dict:
    """Gradient descent on one weight by the engine's loop (`tutor.engines.descent`: the same
    rounding and stopping rules as the reference) with the learner's one_weight_grad(w, x, z)
    as the gradient: each step's numbers as arrays, its status, and their gradient at the
    last weight ("final_grad", nan when that weight blew up)."""
    from tutor.engines.descent import gradient_descent, one_weight_cost

    learner_grad = _function(module, "one_weight_grad")

    def grad(params: tuple[float, ...]) -> tuple[float]:
        value = learner_grad(float(params[0]), x.copy(), z.copy())
        try:
            return (float(np.asarray(value, dtype=np.float64).reshape(())),)
        except (TypeError, ValueError):
            raise WrongValue(f"one_weight_grad returned {_kind(value)}, not one number") from None

    steps = list(gradient_descent(lambda p: one_weight_cost(p[0], x, z), grad, (float(w0),),
                                  float(lr), iterations=int(iterations)))
    last = steps[-1].params_after[0] if steps else float(w0)
    with np.errstate(all="ignore"):
        final = grad((last,))[0] if np.isfinite(last) and abs(last) < 1e6 else float("nan")
    return {
        "params": np.array([s.params[0] for s in steps]), "cost": np.array([s.cost for s in steps]),
        "grad": np.array([s.grad[0] for s in steps]), "update": np.array([s.update[0] for s in steps]),
        "params_after": np.array([s.params_after[0] for s in steps]),
        "cost_after": np.array([s.cost_after for s in steps]),
        "status": [s.status for s in steps], "final_grad": final,
    }


RECIPES: dict[str, Callable[..., Any]] = {
    "conv_maps": conv_maps,
    "conv_channels": conv_channels,
    "sigmoid_gate": sigmoid_gate,
    "perceptron_presentations": perceptron_presentations,
    "descent_steps": descent_steps,
}


# --- the call --------------------------------------------------------------------------------------


def _where(error: BaseException, fallback: str) -> str:
    """"file.py line 12" of the learner's frame, else `fallback`."""
    return checking.located(error) or fallback


def _exit_said(error: SystemExit) -> str:
    """The one line for the learner's code calling sys.exit (the checks' words, for one call)."""
    return exit_line(error, checking.located(error)).replace("the checks stopped", "it stopped")


def call(path: Path, folder: Path, channel: Channel) -> None:
    """Load the learner's file, make the call described in `folder`, and report on `channel`."""
    request = json.loads((folder / REQUEST_NAME).read_text(encoding="utf-8"))
    with np.load(folder / ARRAYS_NAME, allow_pickle=False) as loaded:
        arrays = {key: loaded[key] for key in loaded.files}
    args = decode(request["args"], arrays)
    kwargs = decode(request["kwargs"], arrays)
    name = str(request["function"])
    checking.LEARNER_DIR.append(path.parent.resolve())
    try:
        module = load_learner(path, str(request["module"]))
    except SyntaxError as error:
        channel.send(event="fatal", line=f"{_where(error, path.name)}: SyntaxError: {error.msg}")
        return
    except SystemExit as error:
        channel.send(event="fatal", line=_exit_said(error))
        return
    except MemoryError as error:
        channel.send(event="fatal", line=f"your file ran out of memory while loading "
                     f"({_where(error, path.name)}): the limit is {gib_text(os.environ.get(MEMORY_ENV))}")
        return
    except BaseException as error:  # noqa: BLE001 - anything the learner's file raises
        channel.send(event="fatal", line=f"{_where(error, path.name)}: {checking.first_line(error)} "
                     "(while loading your file)")
        return
    shown = name.removeprefix("recipe:")
    try:
        if name.startswith("recipe:"):
            recipe = RECIPES.get(shown)
            if recipe is None:
                raise WrongValue(f"the tutor has no recipe {shown!r}")
            value = recipe(module, *args, **kwargs)
        else:
            value = _function(module, name)(*args, **kwargs)
    except WrongValue as error:
        channel.send(event="fatal", line=str(error))
        return
    except SystemExit as error:
        channel.send(event="fatal", line=_exit_said(error))
        return
    except MemoryError as error:
        where = checking.located(error)
        channel.send(event="fatal", line=f"your code ran out of memory{' at ' + where if where else ''}"
                     f": the limit is {gib_text(os.environ.get(MEMORY_ENV))} (an array far too large?)")
        return
    except RecursionError as error:
        where = checking.located(error)
        channel.send(event="fatal", line=f"endless recursion{' at ' + where if where else ''}")
        return
    except BaseException as error:  # noqa: BLE001 - whatever the learner's function raises
        where = checking.located(error)
        label = "while running your code" if name.startswith("recipe:") else f"in your {shown}"
        channel.send(event="fatal", line=f"{where + ': ' if where else ''}"
                     f"{checking.first_line(error)} ({label})")
        return
    result_arrays: dict[str, np.ndarray] = {}
    try:
        encoded = encode(value, result_arrays, f"what {shown} returned")
    except Unreadable as error:
        channel.send(event="fatal", line=f"{error}: a scene can only show numbers and arrays")
        return
    np.savez(folder / RESULT_NAME, allow_pickle=False, **result_arrays)
    channel.send(event="result", value=encoded)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the child process."""
    return child_main(argv, "python -m tutor.exercises.learner_child FILE FOLDER",
                      lambda path, folder, channel: call(Path(path), Path(folder), channel))


if __name__ == "__main__":
    exit_now(main())
