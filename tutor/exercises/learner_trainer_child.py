"""The child of `tutor.exercises.learner_trainer`: `python -m tutor.exercises.learner_trainer_child FILE DATA`.

Never imported by the tutor's UI process. One child trains the learner's own LeNet-5 for a whole
run of the training scene: it limits itself (`runner.apply_limits`), loads the data set in the
folder DATA (`tutor.data.load_digits`) and the learner's FILE (lenet_train.py, which imports
their other exercise files from its folder), says it is ready, then answers requests, one JSON
object per line on the request pipe ($DL_TUTOR_REQUEST_FD), until that pipe closes:

    {"op": "init", "seed": S, "optimizer": "sgd", "lr": 0.05, "momentum": 0.9}
        params = their init_lenet(S); the engine's optimizer (`tutor.engines.optim`) on them
    {"op": "step", "indices": [...], "lr": 0.05}
        one batch of training images: their lenet_loss_and_grads, then one optimizer step
    {"op": "hits", "split": "train" | "test", "start": 0, "count": 500}
        their lenet_forward on those images: how many it classifies right

Each answer is one JSON record on the result pipe (`runner.Channel`):

    {"event": "ready", "train": 60000, "test": 10000}   loaded, after the start
    {"event": "ok", "params": 61706}                      init
    {"event": "ok", "loss": 2.30, "hits": 3}              step (loss before the update)
    {"event": "ok", "hits": 412}                          hits
    {"event": "fatal", "line": ...}                       why it cannot go on; the child ends

The batch's hits come from the scores their lenet_loss_and_grads passes to
softmax_cross_entropy_grad (watched on the way through), else from one more lenet_forward.
Every call of their code runs under a time limit ($DL_TUTOR_STEP_SECONDS): past it the call
is interrupted and the line says where their code was; each value they return is checked
(kind, keys, shapes). Whatever their code does, the worst it can do is end this process; the
parent turns that into one line.
"""

from __future__ import annotations

import json
import math
import os
import signal
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import numpy as np

from tutor.exercises import checking
from tutor.exercises.runner import MEMORY_ENV, Channel, child_main, exit_line, exit_now, gib_text, load_learner

#: The environment variables the parent sets (besides the sandbox's own).
REQUEST_FD_ENV = "DL_TUTOR_REQUEST_FD"
STEP_SECONDS_ENV = "DL_TUTOR_STEP_SECONDS"
#: The module name the learner's file is loaded under (the exercise's).
MODULE = "lenet_train"
#: The function whose first argument is the scores (watched for the batch's hits).
LOSS_FUNCTION = "softmax_cross_entropy_grad"


class WrongValue(Exception):
    """Their function returned something training cannot use (one line)."""


class TimeUp(BaseException):
    """Their code ran past the time limit (a BaseException: `except Exception` in their code
    does not swallow it)."""


def _kind(value: Any) -> str:
    """"a list", "an array of shape (3,)": what a function returned."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    name = type(value).__name__
    return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"


def _array(value: Any, what: str, shape: tuple[int, ...]) -> np.ndarray:
    """`value` as a float array of `shape`, or WrongValue naming what it was."""
    try:
        array = np.asarray(value, dtype=np.float64 if not isinstance(value, np.ndarray) else None)
    except (TypeError, ValueError):
        raise WrongValue(f"{what} is {_kind(value)}, not an array of numbers") from None
    if array.dtype.kind not in "biuf":
        raise WrongValue(f"{what} is an array of {array.dtype}, not of numbers")
    if array.shape != shape:
        raise WrongValue(f"{what} has shape {array.shape}, expected {shape}")
    return array


class Learner:
    """Their LeNet-5 in training: their module, the parameters, the optimizer and the data."""

    def __init__(self, module: ModuleType, digits: Any) -> None:
        from tutor.engines.model import LENET5, Model

        self.module = module
        self.engine = Model(LENET5, dtype=np.float32)  # only for `prepare` and the shapes
        self.shapes = {name: tuple(p.shape) for name, p in self.engine.params.items()}
        self.sets = {"train": (digits.train_images, digits.train_labels),
                     "test": (digits.test_images, digits.test_labels)}
        self.params: dict[str, np.ndarray] | None = None
        self.optimizer: Any = None
        self.scores: list[Any] = []
        loss = getattr(module, LOSS_FUNCTION, None)
        if callable(loss):  # watch the scores their loss sees, for the batch's hits
            def watched(scores: Any, *args: Any, **kwargs: Any) -> Any:
                self.scores.append(scores)
                return loss(scores, *args, **kwargs)
            setattr(module, LOSS_FUNCTION, watched)

    def function(self, name: str) -> Callable:
        """Their function `name`, or WrongValue saying it is missing."""
        function = getattr(self.module, name, None)
        if not callable(function):
            raise WrongValue(f"your file has no function {name}()")
        return function

    def _batch(self, split: str, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Images (B, 1, 28, 28) float32, scaled as LeNet-5 takes them, and labels (B,)."""
        images, labels = self.sets[split]
        return self.engine.prepare(images[indices]), np.asarray(labels[indices], dtype=np.int64)

    def _named(self, arrays: dict, missing: str, what: str) -> dict[str, np.ndarray]:
        """LeNet-5's arrays by name from `arrays` (their dict), each checked for its shape;
        WrongValue says which is missing (`missing`) or wrong (`what`, with the name's repr)."""
        checked = {}
        for name, shape in self.shapes.items():
            if name not in arrays:
                raise WrongValue(missing.format(repr(name)))
            checked[name] = _array(arrays[name], what.format(repr(name)), shape)
        return checked

    def init(self, seed: int, optimizer: str, lr: float, momentum: float) -> dict:
        """Their init_lenet(seed), checked, and the engine's optimizer on it."""
        from tutor.engines.optim import make_optimizer

        value = self.function("init_lenet")(int(seed))
        if not isinstance(value, dict):
            raise WrongValue(f"init_lenet returned {_kind(value)}, expected a dict of arrays")
        params = {name: np.array(array, dtype=np.float32)
                  for name, array in self._named(value, "init_lenet returned no {}", "init_lenet's {}").items()}
        self.params = params
        self.optimizer = make_optimizer(optimizer, params, float(lr), float(momentum))
        return {"params": sum(p.size for p in params.values())}

    def step(self, indices: list[int], lr: float) -> dict:
        """One batch: their loss and gradients, then one optimizer step."""
        if self.params is None:
            raise WrongValue("the tutor asked for a step before init")
        x, y = self._batch("train", np.asarray(indices, dtype=np.int64))
        self.scores.clear()
        result = self.function("lenet_loss_and_grads")(self.params, x, y)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise WrongValue(f"lenet_loss_and_grads returned {_kind(result)}, expected (loss, grads)")
        loss_value, grads = result
        try:
            loss = float(np.asarray(loss_value, dtype=np.float64).reshape(()))
        except (TypeError, ValueError):
            raise WrongValue(f"lenet_loss_and_grads returned {_kind(loss_value)} as the loss, "
                             "not one number") from None
        if not isinstance(grads, dict):
            raise WrongValue(f"lenet_loss_and_grads returned {_kind(grads)} as grads, expected a dict")
        checked = self._named(grads, "lenet_loss_and_grads returned no gradient {}", "the gradient {}")
        scores = self.scores[-1] if self.scores else None
        if not (isinstance(scores, np.ndarray) and scores.shape == (len(y), 10)):
            scores = self._scores(x)
        self.optimizer.lr = float(lr)
        self.optimizer.step(checked)
        return {"loss": loss if math.isfinite(loss) else None, "hits": int(np.sum(np.argmax(scores, axis=1) == y))}

    def _scores(self, x: np.ndarray) -> np.ndarray:
        """Their lenet_forward's scores (N, 10) on x, checked."""
        self.scores.clear()
        result = self.function("lenet_forward")(self.params, x)
        scores = result[0] if isinstance(result, (tuple, list)) and result else result
        return _array(scores, "lenet_forward's scores", (len(x), 10))

    def hits(self, split: str, start: int, count: int) -> dict:
        """How many of the `split` images start..start+count their network gets right."""
        if self.params is None or split not in self.sets:
            raise WrongValue("the tutor asked for a test before init")
        x, y = self._batch(split, np.arange(int(start), int(start) + int(count)))
        return {"hits": int(np.sum(np.argmax(self._scores(x), axis=1) == y))}


def _on_time_up(signum: int, frame: Any) -> None:
    raise TimeUp()


def guarded(seconds: float, action: Callable[[], Any], doing: str) -> tuple[Any, str]:
    """Run `action` (which calls the learner's code) under the time limit: (its value, "") or
    (None, the one line saying why there is none)."""
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return action(), ""
    except TimeUp as error:
        where = checking.located(error)
        return None, (f"{where + ': ' if where else ''}your code took more than {seconds:g} s {doing} "
                      "(the time limit): an endless loop, or a very slow function?")
    except WrongValue as error:
        return None, str(error)
    except SyntaxError as error:
        return None, f"{checking.located(error) or 'your file'}: SyntaxError: {error.msg}"
    except SystemExit as error:
        return None, exit_line(error, checking.located(error)).replace("the checks stopped", "training stopped")
    except MemoryError as error:
        where = checking.located(error)
        return None, (f"your code ran out of memory{' at ' + where if where else ''} {doing}: the limit "
                      f"is {gib_text(os.environ.get(MEMORY_ENV))} (an array far too large?)")
    except RecursionError as error:
        where = checking.located(error)
        return None, f"endless recursion{' at ' + where if where else ''} {doing}"
    except BaseException as error:  # noqa: BLE001 - whatever their code raises
        where = checking.located(error)
        return None, f"{where + ': ' if where else ''}{checking.first_line(error)} ({doing})"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def serve(path: Path, data: Path, channel: Channel) -> None:
    """Load the data and their file, then answer requests until the request pipe closes (or
    their code gives a fatal line)."""
    from tutor.data import load_digits

    requests = os.fdopen(int(os.environ.pop(REQUEST_FD_ENV)), "r", encoding="utf-8")
    seconds = float(os.environ.get(STEP_SECONDS_ENV, "20") or 20)
    signal.signal(signal.SIGALRM, _on_time_up)
    try:
        digits = load_digits(data)
    except Exception as error:  # noqa: BLE001 - a damaged data set is one line too
        channel.send(event="fatal", line=f"the training process could not load the data: {checking.first_line(error)}")
        return
    checking.LEARNER_DIR.append(path.parent.resolve())
    module, problem = guarded(seconds, lambda: load_learner(path.resolve(), MODULE), "while loading your file")
    if problem:
        channel.send(event="fatal", line=problem)
        return
    learner = Learner(module, digits)
    channel.send(event="ready", train=len(digits.train_images), test=len(digits.test_images))
    doing = {"init": "in init_lenet", "step": "for one batch", "hits": "testing"}
    for line in requests:
        try:
            request = json.loads(line)
            op = request.pop("op")
            method = {"init": learner.init, "step": learner.step, "hits": learner.hits}[op]
        except (ValueError, KeyError, AttributeError, TypeError):
            channel.send(event="fatal", line="the tutor sent a request the training process cannot read")
            return
        value, problem = guarded(seconds, lambda: method(**request), doing[op])
        if problem:
            channel.send(event="fatal", line=problem)
            return
        channel.send(event="ok", **value)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the child process."""
    return child_main(argv, "python -m tutor.exercises.learner_trainer_child FILE DATA",
                      lambda path, data, channel: serve(Path(path), Path(data), channel))


if __name__ == "__main__":
    exit_now(main())
