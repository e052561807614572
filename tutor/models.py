"""The model catalogue: names, titles, files, finding and loading a trained model, evaluations.

One name per model, the key of `tutor.engines.spec.MODELS` (which is the spec's own name):
``lenet``, ``mlp-30-sigmoid``, ``mlp-128-relu``. ``lenet5`` (the name older model files and the
shipped weights carry inside) is accepted as another name for ``lenet`` by `canonical`, the
train command and the model loader.

Files: a model trained by `dl-tutor train NAME` or the training scene goes to
``models/NAME.npz`` in the learner's data folder (`model_path`), a run stopped before its end to
``NAME-stopped.npz`` beside it (`stopped_path`, `stopped_path_for`), and a result that cannot be
saved there to a ``NAME-rescued-TIME.npz`` (`rescue_paths`). `find_model` is the one way to get
a trained model (the learner's, else the weights shipped with dl-tutor) with the reason when
there is none; `evaluation` caches what a model makes of the test images, once per model and
data set. The files themselves are read and written by `tutor.model_files`.

Data sets: models are kept per data set (`tutor.data.DataSet.key`; default: the app's, which
`--data` / `--data-dir` choose): MNIST's in models/, any other set's in models/KEY/, and a file
records the set it was trained on. The shipped weights are MNIST's.

Importing this module loads no NumPy (the CLI and the lesson validator read the names); the
engine is imported when a model is loaded.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from tutor.engines.spec import MODELS, SPEC_ALIASES, ModelSpec

__all__ = [
    "ALIASES",
    "MODEL_NAMES",
    "SHIPPED",
    "TITLES",
    "TRAINING_ORDER",
    "Found",
    "cached_evaluation",
    "canonical",
    "evaluation",
    "find_model",
    "forget_evaluations",
    "load_shipped",
    "model_path",
    "remember_evaluation",
    "rescue_paths",
    "shipped_or_reason",
    "spec",
    "stopped_path",
    "stopped_path_for",
    "stopped_runs",
    "title",
]

#: Every model dl-tutor trains and shows, by its one name, in the catalogue's order.
MODEL_NAMES: tuple[str, ...] = tuple(MODELS)

#: The order the training scene offers them in: the dense networks first (quick to train), then
#: the convolutional one.
TRAINING_ORDER: tuple[str, ...] = tuple(
    sorted(MODEL_NAMES, key=lambda name: any(layer.kind == "conv" for layer in MODELS[name].layers))
)

#: Other names accepted for a model (on the command line, in saved files).
ALIASES: dict[str, str] = dict(SPEC_ALIASES)

#: How the models are called where a learner reads them.
TITLES: dict[str, str] = {
    "lenet": "LeNet-5",
    "mlp-30-sigmoid": "784-30-10 (sigmoid)",
    "mlp-128-relu": "784-128-10 (ReLU)",
}

#: The models dl-tutor ships trained weights for.
SHIPPED: tuple[str, ...] = ("lenet",)

#: How to go on without the shipped network (added when the error does not say it already).
SHIPPED_WAY_FORWARD = (
    "Reinstall dl-tutor (pip install --force-reinstall dl-tutor), "
    "or train your own with `dl-tutor train lenet --save PATH`."
)


def canonical(name: str) -> str:
    """The one name of the model called `name` ("lenet5" -> "lenet"); ValueError with one
    sentence naming the choices for an unknown name."""
    name = ALIASES.get(name, name)
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}: choose one of {', '.join(MODEL_NAMES)}")
    return name


def spec(name: str) -> ModelSpec:
    """The architecture of the model called `name` (or one of its aliases)."""
    return MODELS[canonical(name)]


def title(name: str) -> str:
    """The model's name as a learner reads it ("LeNet-5")."""
    return TITLES.get(ALIASES.get(name, name), name)


# --- files ------------------------------------------------------------------------------------


def _data(data: str | None) -> str:
    """The data set key `data`, or the app's (`tutor.data.data_key`: "mnist" unless `--data`
    or `--data-dir` chose another)."""
    if data is not None:
        return data
    from tutor.data import data_key

    return data_key()


def model_path(name: str, data: str | None = None) -> Path:
    """Where a finished run of `name` on the data set `data` (a key; default: the app's) is saved
    unless told otherwise: models/NAME.npz in the learner's data folder for MNIST, and
    models/KEY/NAME.npz for any other set (models/fashion-mnist/lenet.npz), so a model of
    digits and one of clothes never replace or stand in for each other (`dl-tutor train` and
    the training scene alike)."""
    from tutor.progress.store import default_home

    folder = default_home() / "models"
    key = _data(data)
    if key != "mnist":
        folder = folder / key
    return folder / f"{canonical(name)}.npz"


def stopped_path_for(path: Path | str) -> Path:
    """Where a run that was stopped before its end keeps its checkpoint when its finished model
    goes to `path`: NAME-stopped.npz beside it, so an interrupted run never replaces a finished
    model (a path already named NAME-stopped is its own)."""
    path = Path(path)
    if path.stem.endswith("-stopped"):
        return path
    return path.with_name(f"{path.stem}-stopped{path.suffix}")


def stopped_path(name: str, data: str | None = None) -> Path:
    """Where a stopped run of `name` on `data` (default: the app's data set) keeps its checkpoint
    (by `s`, leaving the lesson, quitting, or Ctrl+C in `dl-tutor train`): NAME-stopped.npz
    beside `model_path`."""
    return stopped_path_for(model_path(name, data))


def rescue_paths(name: str, data: str | None = None) -> list[Path]:
    """Where a run's result goes when its own path cannot be written at the end (a new name each
    time, never over a finished model): the data folder's models/, then the system's temp folder."""
    import tempfile

    stamp = time.strftime("%Y%m%d-%H%M%S")
    key = _data(data)
    suffix = "" if key == "mnist" else f"-{key}"
    file_name = f"{canonical(name)}{suffix}-rescued-{stamp}.npz"
    return [model_path(name, key).with_name(file_name), Path(tempfile.gettempdir()) / file_name]


def stopped_runs(data: str | None = None) -> list[str]:
    """The models whose training on `data` (default: the app's data set) was interrupted and
    saved, so it can be continued."""
    key = _data(data)
    return [name for name in MODEL_NAMES if stopped_path(name, key).is_file()]


# --- finding and loading ----------------------------------------------------------------------


def _first_line(error: BaseException) -> str:
    from tutor.data import first_line

    return first_line(error)


def load_shipped(name: str = "lenet", xp: Any = None) -> Any:
    """The trained weights shipped with dl-tutor for `name` (LeNet-5 only); ModelError, with a
    way forward, when they are missing or damaged or none are shipped."""
    from tutor import model_files
    from tutor.engines.spec import ModelError

    name = canonical(name)
    if name not in SHIPPED:
        raise ModelError(f"dl-tutor ships no trained {title(name)}")
    return model_files.load_shipped_lenet(xp=_xp(xp))


def shipped_or_reason(xp: Any = None, way_forward: str = SHIPPED_WAY_FORWARD) -> tuple[Any, str]:
    """The shipped LeNet-5: ``(model, "")``, or ``(None, one line saying why)`` ending in
    `way_forward` unless the loader's message already says how to go on. Never raises."""
    try:
        return load_shipped("lenet", xp), ""
    except Exception as error:  # ImportError, ModelError, OSError, ValueError: say it, never crash
        reason = _first_line(error)
        if way_forward and "dl-tutor train" not in reason:
            reason = f"{reason.rstrip('.')}. {way_forward}"
        return None, reason


@dataclass(frozen=True)
class Found:
    """What `find_model` found.

    Attributes:
        model: the `Model`, or None when there is none to use.
        source: "saved" (the learner's file), "shipped" (dl-tutor's weights) or "" (none).
        path: the learner's file that was looked for.
        saved_error: why the learner's file could not be used (one line; "" when it was used,
            is missing, or was not asked for).
        shipped_error: why the shipped weights could not be used (one line, with a way
            forward; "" when they were used or not tried).
    """

    model: Any
    source: str
    path: Path
    saved_error: str = ""
    shipped_error: str = ""

    @property
    def missing(self) -> bool:
        """Whether the learner has no saved model of this kind (as opposed to a damaged one)."""
        return self.source != "saved" and not self.saved_error


def find_model(name: str, xp: Any = None, *, saved: bool = True, shipped: bool = True,
               shipped_way_forward: str = SHIPPED_WAY_FORWARD, data: str | None = None) -> Found:
    """The trained model called `name` for the data set `data` (a key; default: the app's): the
    learner's saved one (`model_path(name, data)`) when `saved` and it can be used, else the
    shipped weights when `shipped`, there are any, and the data set is MNIST (they were trained
    on digits); never raises. A saved file that records another data set is refused, so a model
    of digits is never tested on clothes."""
    from tutor.engines.spec import ModelError
    from tutor.model_files import load_model_with_extra, trained_on

    name = canonical(name)
    key = _data(data)
    path = model_path(name, key)
    saved_error = ""
    if saved and path.exists():
        try:
            model, extra = load_model_with_extra(path, xp=_xp(xp), expect=MODELS[name])
            recorded = trained_on(extra) or "mnist"
            if recorded == key:
                return Found(model, "saved", path)
            saved_error = (f"{path}: this {title(name)} was trained on {_data_title(recorded)}, "
                           f"not on {_data_title(key)}; train it again here")
        except (ModelError, OSError, ValueError) as error:
            saved_error = _first_line(error)
    if shipped and name in SHIPPED:
        if key != "mnist":
            return Found(None, "", path, saved_error,
                         f"dl-tutor ships {title(name)} trained on MNIST digits only: train one on "
                         f"{_data_title(key)} first")
        model, reason = shipped_or_reason(xp, shipped_way_forward)
        if model is not None:
            return Found(model, "shipped", path, saved_error)
        return Found(None, "", path, saved_error, reason)
    return Found(None, "", path, saved_error)


def _data_title(key: str) -> str:
    """A data set key as a learner reads it ("fashion-mnist" -> "Fashion-MNIST")."""
    return {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}.get(key, key)


def _xp(xp: Any) -> Any:
    """The array module to load onto (NumPy when None)."""
    if xp is None:
        import numpy

        return numpy
    return xp


# --- evaluations, cached per model and data set ----------------------------------------------

_EVALUATIONS_LOCK = threading.Lock()
#: model -> {data set key: its Evaluation on that set's test images} (computed once per model,
#: data set and session; a model is never handed the results of another data set).
_EVALUATIONS: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def cached_evaluation(model: Any, data: str | None = None) -> Any:
    """The `Evaluation` of `model` on the data set `data` (default: the app's) computed earlier in
    this session, or None."""
    if model is None:
        return None
    key = _data(data)
    with _EVALUATIONS_LOCK:
        return _EVALUATIONS.get(model, {}).get(key)


def remember_evaluation(model: Any, result: Any, data: str | None = None) -> None:
    """Keep `result` as the evaluation of `model` on `data` (default: the app's data set), for
    as long as the model lives."""
    key = _data(data)
    with _EVALUATIONS_LOCK:
        _EVALUATIONS.setdefault(model, {})[key] = result


def evaluation(model: Any, images: Any, labels: Any, cancelled: Callable[[], bool] | None = None,
               batch: int = 500, data: str | None = None) -> Any:
    """What `model` makes of `images` (N, 28, 28) with `labels` (N,), the test images of the data
    set `data` (default: the app's): an `Evaluation`, computed once per model and data set
    (`tutor.engines.evaluate.evaluate_in_batches`) and cached; None when `cancelled()` turned
    true part-way. Safe to call from a thread worker."""
    key = _data(data)
    cached = cached_evaluation(model, key)
    if cached is not None:
        return cached
    from tutor.engines.evaluate import evaluate_in_batches

    result = evaluate_in_batches(model, images, labels, batch, cancelled)
    if result is not None:
        remember_evaluation(model, result, key)
    return result


def forget_evaluations() -> None:
    """Forget every cached evaluation (tests; a freshly trained model)."""
    with _EVALUATIONS_LOCK:
        _EVALUATIONS.clear()
