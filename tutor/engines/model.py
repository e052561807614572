"""A network as data (a `ModelSpec`), from which shapes, parameter counts and a trainable `Model` follow.

The spec is the single source of truth: `summary(spec)` derives every layer's output shape and
parameter count from it (the Keras `summary()` table a lesson shows, never typed in by hand),
and `Model` builds its weights and its forward and backward passes from the same list. LeNet-5
(`LENET5`) and the fully connected MNIST classifiers (`mlp_spec`) are defined here.

Layouts: images are (N, C, H, W); a convolution's filters are (F, C, K, K); a dense layer's
weights are (D, M) so that out = x·w + b. Parameters are float32 on the backend's `xp`.
`Model.save` writes an `.npz` (the spec as a JSON string beside the arrays) atomically and only
over a regular file (`check_save_path` says why not); `Model.load` reads it back with
`allow_pickle=False` and is the one place that decides whether a model or checkpoint file can be
used: anything else (missing, empty, cut short, not an archive, wrong shapes or dtypes, too large)
is a `ModelError` whose message is one line naming the file and what to do.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tutor.backend import to_numpy
from tutor.engines import layers as L
from tutor.files import blocking_file, new_file_mode

__all__ = [
    "LENET5",
    "MODELS",
    "Conv",
    "Dense",
    "Flatten",
    "Model",
    "ModelError",
    "ModelSpec",
    "Pool",
    "SaveError",
    "SummaryRow",
    "check_save_path",
    "format_summary",
    "layer_shapes",
    "load_shipped_lenet",
    "mlp_spec",
    "shipped_lenet_path",
    "stopped_path_for",
    "summary",
    "total_params",
]


class ModelError(Exception):
    """A model file that cannot be used (missing, damaged, or for another architecture); the
    message is one line naming the file and, for a damaged one, what to do."""


class SaveError(OSError):
    """A model cannot be written where asked (a folder, a link, a device, no room, no permission);
    the message is one line naming the path and the reason. An OSError, so a caller that already
    handles I/O failures handles it too."""


#: What to do with a damaged model file, unless the caller knows better.
DAMAGED_ADVICE = "delete it, or train the model again"
#: The largest model file `Model.load` reads, on disk and unpacked (LeNet-5 with Adam's state is
#: under 1 MB): a bigger one is refused before it is read.
MAX_MODEL_FILE_BYTES = 256 * 2**20
#: The most parameters a model description may ask for (LeNet-5 has 61,706).
MAX_MODEL_PARAMS = 20_000_000
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Conv:
    """A convolution: `filters` maps from `kernel` x `kernel` windows, then `activation`."""

    name: str
    filters: int
    kernel: int
    stride: int = 1
    pad: int = 0
    activation: str = "tanh"
    kind: str = "conv"


@dataclass(frozen=True)
class Pool:
    """Pooling over size x size windows with stride = size (`mode` "avg" or "max"); no parameters."""

    name: str
    mode: str = "avg"
    size: int = 2
    kind: str = "pool"


@dataclass(frozen=True)
class Flatten:
    """(N, C, H, W) -> (N, C*H*W); no parameters."""

    name: str = "flatten"
    kind: str = "flatten"


@dataclass(frozen=True)
class Dense:
    """A fully connected layer of `units` neurons, then `activation` ("linear" for the scores)."""

    name: str
    units: int
    activation: str = "tanh"
    kind: str = "dense"


Layer = Conv | Pool | Flatten | Dense
_KINDS: dict[str, type] = {"conv": Conv, "pool": Pool, "flatten": Flatten, "dense": Dense}


@dataclass(frozen=True)
class ModelSpec:
    """A network: a name, the input shape (C, H, W), the layers in order, and how pixels are
    scaled on the way in: (pixel / 255 - input_mean) / input_std."""

    name: str
    input_shape: tuple[int, int, int]
    layers: tuple[Layer, ...]
    input_mean: float = 0.0
    input_std: float = 1.0

    def to_json(self) -> str:
        """The spec as a JSON string (stored inside saved models)."""
        return json.dumps(
            {
                "name": self.name,
                "input_shape": list(self.input_shape),
                "layers": [asdict(x) for x in self.layers],
                "input_mean": self.input_mean,
                "input_std": self.input_std,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> ModelSpec:
        """The inverse of `to_json`; raises ModelError on anything unexpected."""
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or not isinstance(data.get("layers"), list):
                raise ValueError("expected an object with a list of layers")
            if not 1 <= len(data["layers"]) <= 100:
                raise ValueError("expected 1 to 100 layers")
            layers = tuple(_layer_from_json(item) for item in data["layers"])
            shape = data["input_shape"]
            if not (isinstance(shape, list) and len(shape) == 3 and all(_whole(v, 1, 4096) for v in shape)):
                raise ValueError("input_shape must be three positive whole numbers")
            if not isinstance(data["name"], str):
                raise ValueError("the name must be a string")
            spec = cls(
                data["name"], (shape[0], shape[1], shape[2]), layers,
                float(data.get("input_mean", 0.0)), float(data.get("input_std", 1.0)),
            )
            if not (math.isfinite(spec.input_mean) and math.isfinite(spec.input_std) and spec.input_std > 0):
                raise ValueError("input_mean must be finite and input_std positive")
            layer_shapes(spec)  # validates the arithmetic too
            if not any(isinstance(layer, (Conv, Dense)) for layer in layers):
                raise ValueError("no layer has parameters")
            count = total_params(spec)
            if count > MAX_MODEL_PARAMS:
                raise ValueError(f"{count:,} parameters, more than dl-tutor handles")
        except (KeyError, TypeError, ValueError, OverflowError, RecursionError, json.JSONDecodeError) as error:
            raise ModelError(f"the model description is not valid ({_first_line(error)})") from None
        return spec


def _whole(value: object, low: int, high: int) -> bool:
    """Whether `value` is an int (not a bool) in low..high."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _first_line(error: BaseException) -> str:
    """An exception's message cut to its first line (its type's name when it has none)."""
    lines = str(error).strip().splitlines()
    return lines[0][:200] if lines else type(error).__name__


#: Per layer kind: its whole-number fields with their (lowest, highest) values.
_LAYER_INTS: dict[str, dict[str, tuple[int, int]]] = {
    "conv": {"filters": (1, 4096), "kernel": (1, 64), "stride": (1, 64), "pad": (0, 64)},
    "pool": {"size": (1, 64)},
    "flatten": {},
    "dense": {"units": (1, 1_000_000)},
}


def _layer_from_json(item: object) -> Layer:
    """One layer of a model description, every field checked (ValueError/TypeError otherwise)."""
    if not isinstance(item, dict) or item.get("kind") not in _KINDS:
        raise ValueError(f"a layer must be an object whose kind is one of {', '.join(_KINDS)}")
    kind = item["kind"]
    if not isinstance(item.get("name", ""), str):
        raise ValueError("a layer's name must be a string")
    for key, (low, high) in _LAYER_INTS[kind].items():
        if key in item and not _whole(item[key], low, high):
            raise ValueError(f"{kind} layer field {key} must be a whole number from {low} to {high}")
    if "activation" in item and item["activation"] not in L.ACTIVATIONS:
        raise ValueError(f"unknown activation {item['activation']!r}")
    if kind == "pool" and item.get("mode", "avg") not in ("avg", "max"):
        raise ValueError("a pool layer's mode must be avg or max")
    return _KINDS[kind](**item)


#: LeNet-5 as the workshop draws it, for 28x28 MNIST digits padded by 2 to the original 32x32.
#: Pixels are centred with MNIST's mean and spread (0.1307, 0.3081), which tanh units train on
#: better than raw 0..1 values.
LENET5 = ModelSpec(
    name="lenet5",
    input_shape=(1, 28, 28),
    layers=(
        Conv("C1", filters=6, kernel=5, pad=2),
        Pool("S2", "avg"),
        Conv("C3", filters=16, kernel=5),
        Pool("S4", "avg"),
        Conv("C5", filters=120, kernel=5),
        Flatten("flatten"),
        Dense("F6", 84),
        Dense("output", 10, activation="linear"),
    ),
    input_mean=0.1307,
    input_std=0.3081,
)


def mlp_spec(hidden: int = 30, activation: str = "sigmoid") -> ModelSpec:
    """A fully connected 784-`hidden`-10 classifier for 28x28 digits."""
    return ModelSpec(
        name=f"mlp-{hidden}-{activation}",
        input_shape=(1, 28, 28),
        layers=(
            Flatten("flatten"),
            Dense("hidden", hidden, activation=activation),
            Dense("output", 10, activation="linear"),
        ),
    )


#: The models `dl-tutor train` and the training scene know by name.
MODELS: dict[str, ModelSpec] = {
    "lenet": LENET5,
    "mlp-30-sigmoid": mlp_spec(30, "sigmoid"),
    "mlp-128-relu": mlp_spec(128, "relu"),
}


# ---------------------------------------------------------------------------------------------
# Shapes and parameter counts, derived from the spec
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryRow:
    """One line of the summary table: layer name, type, output shape (without N), parameters."""

    name: str
    kind: str
    output_shape: tuple[int, ...]
    params: int
    activation: str = ""
    detail: str = ""


def _param_shapes(layer: Layer, in_shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """The parameter arrays a layer owns, given its input shape."""
    if isinstance(layer, Conv):
        return {"w": (layer.filters, in_shape[0], layer.kernel, layer.kernel), "b": (layer.filters,)}
    if isinstance(layer, Dense):
        if len(in_shape) != 1:
            raise ValueError(f"dense layer {layer.name} needs a flat input; add a Flatten before it")
        return {"w": (in_shape[0], layer.units), "b": (layer.units,)}
    return {}


def _out_shape(layer: Layer, in_shape: tuple[int, ...]) -> tuple[int, ...]:
    """The output shape (without N) of a layer for an input shape (without N)."""
    if isinstance(layer, Conv):
        c, h, w = in_shape
        return (
            layer.filters,
            L.output_size(h, layer.kernel, layer.stride, layer.pad),
            L.output_size(w, layer.kernel, layer.stride, layer.pad),
        )
    if isinstance(layer, Pool):
        c, h, w = in_shape
        return (c, L.output_size(h, layer.size, layer.size), L.output_size(w, layer.size, layer.size))
    if isinstance(layer, Flatten):
        return (math.prod(in_shape),)
    return (layer.units,)


def layer_shapes(spec: ModelSpec) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """(input shape, output shape) of each layer in order; ValueError if the shapes do not chain."""
    shapes = []
    current: tuple[int, ...] = tuple(spec.input_shape)
    for layer in spec.layers:
        out = _out_shape(layer, current)
        _param_shapes(layer, current)
        shapes.append((current, out))
        current = out
    return shapes


def summary(spec: ModelSpec) -> tuple[SummaryRow, ...]:
    """The Keras-style summary rows of a spec, every number computed from the layer list."""
    rows = []
    for layer, (in_shape, out_shape) in zip(spec.layers, layer_shapes(spec)):
        params = sum(math.prod(s) for s in _param_shapes(layer, in_shape).values())
        if isinstance(layer, Conv):
            detail = f"{layer.kernel}x{layer.kernel}, stride {layer.stride}" + (f", pad {layer.pad}" if layer.pad else "")
            activation = layer.activation
        elif isinstance(layer, Pool):
            detail, activation = f"{layer.size}x{layer.size}, stride {layer.size}", ""
        elif isinstance(layer, Dense):
            detail, activation = "", ("softmax" if layer.activation == "linear" and layer is spec.layers[-1] else layer.activation)
        else:
            detail, activation = "", ""
        kind = {"conv": "Conv2D", "pool": "AvgPool2D", "flatten": "Flatten", "dense": "Dense"}[layer.kind]
        if isinstance(layer, Pool) and layer.mode == "max":
            kind = "MaxPool2D"
        rows.append(SummaryRow(layer.name, kind, out_shape, params, activation, detail))
    return tuple(rows)


def total_params(spec: ModelSpec) -> int:
    """The number of trainable parameters of the whole network."""
    return sum(row.params for row in summary(spec))


def format_summary(spec: ModelSpec) -> str:
    """The summary as a plain-text table in Keras's layout (shapes channel-first, N as None)."""
    rows = summary(spec)
    lines = [f'Model: "{spec.name}"', "", f"{'Layer (type)':<22}{'Output Shape':<22}{'Param #':>10}", "=" * 54]
    for row in rows:
        shape = "(None, " + ", ".join(str(d) for d in row.output_shape) + ")"
        lines.append(f"{row.name + ' (' + row.kind + ')':<22}{shape:<22}{row.params:>10,}")
    lines.append("=" * 54)
    lines.append(f"Total params: {total_params(spec):,}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The trainable model
# ---------------------------------------------------------------------------------------------


def _glorot(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Glorot-uniform initial weights (Keras's default) for a conv (F, C, K, K) or dense (D, M)."""
    if len(shape) == 4:
        receptive = shape[2] * shape[3]
        fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    else:
        fan_in, fan_out = shape
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape)


class Model:
    """A network built from a `ModelSpec` with its parameters on `xp`.

    Attributes:
        spec: the architecture.
        xp: the array module (numpy or cupy) holding the parameters.
        params: "LAYER.w" / "LAYER.b" -> parameter array.
        activations: after `forward(..., keep=True)`, layer name -> that layer's output.
    """

    def __init__(self, spec: ModelSpec, xp: Any = np, seed: int = 0, dtype: Any = np.float32) -> None:
        self.spec = spec
        self.xp = xp
        self.dtype = dtype
        self.shapes = layer_shapes(spec)
        rng = np.random.default_rng(seed)
        self.params: dict[str, Any] = {}
        for layer, (in_shape, _) in zip(spec.layers, self.shapes):
            for key, shape in _param_shapes(layer, in_shape).items():
                value = _glorot(rng, shape) if key == "w" else np.zeros(shape)
                self.params[f"{layer.name}.{key}"] = xp.asarray(value, dtype=dtype)
        self.activations: dict[str, Any] = {}
        self._caches: list[tuple] = []

    # -- forward and backward ----------------------------------------------------------------

    def forward(self, x: Any, keep: bool = False, train: bool = False) -> Any:
        """Scores (N, 10) for a batch x (N, C, H, W) of floats in 0..1 on `xp`.

        train=True keeps the caches `backward` needs; keep=True stores each layer's output in
        `activations`.
        """
        caches: list[tuple] = []
        self.activations = {}
        # Inside, image batches travel as (C, H, W, N), batch last: a convolution's matrix
        # product lands in that layout with no transpose, and the im2col copies move long
        # contiguous runs. Flatten turns back to (N, D) for the dense layers.
        out = L.to_chwn(x)
        for layer in self.spec.layers:
            cache: tuple = ()
            if isinstance(layer, Conv):
                out, conv_cache = L.conv_forward_chwn(
                    out, self.params[f"{layer.name}.w"], self.params[f"{layer.name}.b"], layer.stride, layer.pad
                )
                out, act_cache = L.activation_forward(layer.activation, out, inplace=True)
                cache = (conv_cache, act_cache)
            elif isinstance(layer, Pool):
                pool = L.avgpool_forward if layer.mode == "avg" else L.maxpool_forward
                out, cache = pool(out, layer.size, layout="CHWN")
            elif isinstance(layer, Flatten):
                cache = out.shape
                out = out.reshape(-1, out.shape[3]).T  # (C, H, W, N) -> (N, C*H*W), a view
            else:
                out, dense_cache = L.dense_forward(out, self.params[f"{layer.name}.w"], self.params[f"{layer.name}.b"])
                out, act_cache = L.activation_forward(layer.activation, out, inplace=True)
                cache = (dense_cache, act_cache)
            if train:
                caches.append(cache)
            if keep:
                self.activations[layer.name] = L.to_nchw(out) if out.ndim == 4 else out
        self._caches = caches
        return out

    def backward(self, dscores: Any) -> dict[str, Any]:
        """Gradients of every parameter from d(loss)/d(scores) (N, 10), after forward(train=True)."""
        if len(self._caches) != len(self.spec.layers):
            raise RuntimeError("backward needs a forward pass with train=True first")
        grads: dict[str, Any] = {}
        d = dscores
        # Below the first layer with parameters nothing needs a gradient (e.g. an MLP's Flatten).
        first = next(i for i, layer in enumerate(self.spec.layers) if isinstance(layer, (Conv, Dense)))
        for index in range(len(self.spec.layers) - 1, first - 1, -1):
            layer = self.spec.layers[index]
            cache = self._caches[index]
            need_dx = index > first
            if isinstance(layer, Conv):
                conv_cache, act_cache = cache
                d = L.activation_backward(layer.activation, d, act_cache)
                d, grads[f"{layer.name}.w"], grads[f"{layer.name}.b"] = L.conv_backward_chwn(d, conv_cache, need_dx)
            elif isinstance(layer, Pool):
                d = (L.avgpool_backward if layer.mode == "avg" else L.maxpool_backward)(d, cache)
            elif isinstance(layer, Flatten):
                d = self.xp.ascontiguousarray(d.T).reshape(cache)  # (N, C*H*W) -> (C, H, W, N)
            else:
                dense_cache, act_cache = cache
                d = L.activation_backward(layer.activation, d, act_cache)
                d, grads[f"{layer.name}.w"], grads[f"{layer.name}.b"] = L.dense_backward(d, dense_cache, need_dx)
        self._caches = []
        return grads

    def loss_and_grads(self, x: Any, labels: Any) -> tuple[Any, Any, dict[str, Any]]:
        """Mean cross-entropy on a batch (a 0-d array on `xp`: `float()` it when needed), the
        probabilities (N, 10) and every parameter's gradient."""
        scores = self.forward(x, train=True)
        loss, probs, dscores = L.softmax_cross_entropy_device(scores, labels)
        return loss, probs, self.backward(dscores)

    # -- using a trained model -----------------------------------------------------------------

    def prepare(self, images: Any) -> Any:
        """Images as the model's input on `xp`: uint8 0..255 or floats 0..1, shaped (H, W),
        (N, H, W) or (N, C, H, W) -> (N, C, H, W) of `dtype`, scaled as the spec says."""
        xp = self.xp
        arr = images if type(images).__module__.startswith(xp.__name__) else xp.asarray(images)
        scale = 1 / 255 if arr.dtype == np.uint8 else 1.0
        arr = arr.astype(self.dtype) * self.dtype(scale)
        if self.spec.input_mean or self.spec.input_std != 1.0:
            arr -= self.dtype(self.spec.input_mean)
            arr *= self.dtype(1 / self.spec.input_std)
        if arr.ndim == 2:
            arr = arr[None]
        if arr.ndim == 3:
            arr = arr[:, None]
        return arr

    def predict_proba(self, images: Any, batch: int = 1000) -> np.ndarray:
        """Class probabilities (N, 10) as a NumPy float64 array, for uint8 or float images."""
        x = self.prepare(images)
        out = []
        for start in range(0, x.shape[0], batch):
            out.append(to_numpy(L.softmax(self.forward(x[start : start + batch]))))
        return np.concatenate(out).astype(np.float64) if out else np.zeros((0, 10))

    def feature_maps(self, image: Any) -> dict[str, np.ndarray]:
        """Each layer's output for one image (H, W), as NumPy arrays without the batch axis."""
        self.forward(self.prepare(image[None] if np.ndim(image) == 2 else image), keep=True)
        maps = {name: to_numpy(value)[0] for name, value in self.activations.items()}
        self.activations = {}
        return maps

    def parameter_count(self) -> int:
        """The number of trainable numbers (equals total_params(spec))."""
        return sum(int(np.prod(p.shape)) for p in self.params.values())

    # -- files -------------------------------------------------------------------------------

    def state(self) -> dict[str, np.ndarray]:
        """The parameters as NumPy arrays (copied off the device)."""
        return {name: np.asarray(to_numpy(value)) for name, value in self.params.items()}

    def save(self, path: Path | str, extra: dict[str, np.ndarray] | None = None) -> None:
        """Write the spec and parameters (plus `extra` arrays) to an .npz, atomically: into a
        temporary file beside `path` that replaces it once complete, and is removed on any failure
        (so a full disk or Ctrl+C never leaves a partial file). SaveError when `path` is not a
        place for a model file (see `check_save_path`) or the write fails."""
        path = Path(path)
        arrays = {f"param:{name}": value for name, value in self.state().items()}
        for name, value in (extra or {}).items():
            arrays[f"extra:{name}"] = np.asarray(value)
        arrays["spec"] = np.array(self.spec.to_json())
        _refuse_target(path)
        _make_folder(path)
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        except OSError as error:
            raise SaveError(f"{path}: cannot write in {path.parent} ({_reason(error)})") from None
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, **arrays)
                handle.flush()
                os.fsync(handle.fileno())
            _keep_mode(tmp, path)
            _refuse_target(path)  # again, just before replacing: it may have changed meanwhile
            os.replace(tmp, path)
        except BaseException as error:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
            if isinstance(error, OSError) and not isinstance(error, SaveError):
                raise SaveError(f"{path}: could not be written ({_reason(error)})") from None
            raise

    @classmethod
    def load(cls, path: Path | str, xp: Any = np, expect: ModelSpec | None = None, advice: str = DAMAGED_ADVICE) -> Model:
        """A model from an .npz written by `save` (allow_pickle=False); ModelError otherwise, one
        line naming the file and ending with `advice` when the file is damaged."""
        model, _ = cls.load_with_extra(path, xp, expect, advice)
        return model

    @classmethod
    def load_with_extra(
        cls, path: Path | str, xp: Any = np, expect: ModelSpec | None = None, advice: str = DAMAGED_ADVICE
    ) -> tuple[Model, dict[str, np.ndarray]]:
        """Like `load`, also returning the extra arrays saved beside the parameters."""
        path = Path(path)
        arrays = _read_npz(path, advice)

        def damaged(what: str) -> ModelError:
            return ModelError(f"{path}: {what}; {advice}")

        spec_text = arrays.get("spec")
        if spec_text is None:
            raise damaged("not a dl-tutor model file (no model description inside)")
        if spec_text.ndim != 0 or spec_text.dtype.kind != "U":
            raise damaged("the model description inside is damaged (not a text)")
        try:
            spec = ModelSpec.from_json(str(spec_text))
        except ModelError as error:
            raise damaged(str(error)) from None
        if expect is not None and spec != expect:
            if spec.name == expect.name:
                raise ModelError(
                    f"{path}: holds a {spec.name} model of another version (its layers or input "
                    "scaling differ); train it again"
                )
            raise ModelError(f"{path}: holds a {spec.name} model, expected {expect.name}")
        model = cls(spec, xp=xp)
        for name, current in model.params.items():
            value = arrays.get(f"param:{name}")
            if value is None or value.shape != tuple(current.shape):
                raise damaged(f"parameter {name} is missing or has the wrong shape")
            if value.dtype.kind != "f":
                raise damaged(f"parameter {name} holds {value.dtype} values, not floating-point numbers")
            if not np.all(np.isfinite(value)):
                raise damaged(f"parameter {name} holds NaN or infinite values")
            model.params[name] = xp.asarray(value, dtype=model.dtype)
        extra = {name[6:]: value for name, value in arrays.items() if name.startswith("extra:")}
        return model, extra


def _reason(error: BaseException) -> str:
    """An OS error's reason in words ("Permission denied"), without the errno or the path."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return _first_line(error)


def _read_npz(path: Path, advice: str) -> dict[str, np.ndarray]:
    """Every array of the .npz at `path`, or ModelError with one line naming the file.

    Only a regular file that starts like a zip archive is opened, its unpacked size is checked
    before anything is unpacked, and any failure to read it (cut short, bad CRC, pickled or
    non-array members) is reported as damage, never as a NumPy or zipfile traceback."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ModelError(f"{path}: no such model file") from None
    except OSError as error:
        raise ModelError(f"{path}: cannot be read ({_reason(error)})") from None
    if stat.S_ISDIR(info.st_mode):
        raise ModelError(f"{path}: is a folder, not a model file; give the path of an .npz file")
    if not stat.S_ISREG(info.st_mode):
        raise ModelError(f"{path}: not a regular file, so not a model file; give the path of an .npz file")
    if info.st_size == 0:
        raise ModelError(f"{path}: the file is empty; {advice}")
    if info.st_size > MAX_MODEL_FILE_BYTES:
        raise ModelError(f"{path}: too large for a dl-tutor model file ({info.st_size / 2**20:,.0f} MB); {advice}")
    try:
        with path.open("rb") as handle:
            if handle.read(len(_ZIP_MAGIC)) != _ZIP_MAGIC:
                raise ModelError(f"{path}: not a dl-tutor model file (not an .npz archive); {advice}")
            handle.seek(0)
            with zipfile.ZipFile(handle) as archive:
                unpacked = sum(item.file_size for item in archive.infolist())
            if unpacked > MAX_MODEL_FILE_BYTES:
                raise ModelError(f"{path}: unpacks to {unpacked / 2**20:,.0f} MB, too large for a model file; {advice}")
            handle.seek(0)
            with np.load(handle, allow_pickle=False) as data:
                arrays = {name: data[name] for name in data.files}
    except ModelError:
        raise
    except zipfile.BadZipFile:
        raise ModelError(f"{path}: damaged (the archive is cut short or corrupt); {advice}") from None
    except FileNotFoundError:
        raise ModelError(f"{path}: no such model file") from None
    except PermissionError as error:
        raise ModelError(f"{path}: cannot be read ({_reason(error)})") from None
    except Exception as error:  # noqa: BLE001 - whatever a damaged archive raises, it is damage
        raise ModelError(f"{path}: damaged, cannot be read ({_first_line(error)}); {advice}") from None
    for name, value in arrays.items():
        if not isinstance(value, np.ndarray):
            raise ModelError(f"{path}: damaged ({name} is not an array); {advice}")
    return arrays


def _refuse_target(path: Path) -> None:
    """SaveError unless `path` is missing or a regular file (never replace a folder, a symbolic
    link, a FIFO or a device node), under folders (not files) where it is missing."""
    blocker = blocking_file(path.parent)
    if blocker is not None:
        raise SaveError(f"{path}: {blocker} is a file, not a folder: give another path")
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    except OSError as error:
        raise SaveError(f"{path} cannot be checked ({_reason(error)}): give another path") from None
    if stat.S_ISDIR(info.st_mode):
        raise SaveError(f"{path} is a folder: give a file name in it, e.g. {path / 'model.npz'}")
    if stat.S_ISLNK(info.st_mode):
        raise SaveError(f"{path} is a symbolic link, which dl-tutor does not replace: give the path of a regular file")
    if not stat.S_ISREG(info.st_mode):
        raise SaveError(f"{path} is not a regular file (a FIFO, socket or device): give another path")


def _make_folder(path: Path) -> None:
    """Create `path`'s folder (and its parents); SaveError when that fails."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SaveError(f"{path}: cannot create the folder {path.parent} ({_reason(error)}): give another path") from None


def _keep_mode(tmp: Path, path: Path) -> None:
    """Give the new file the mode of the one it replaces, or a new file's usual mode
    (`tutor.files.new_file_mode`)."""
    try:
        os.chmod(tmp, new_file_mode(path))
    except OSError:
        pass


def check_save_path(path: Path | str, size_hint: int = 0) -> None:
    """Check, before a long run, that a model can be saved at `path`; SaveError saying why not.

    Refuses a folder, a symbolic link, a FIFO or device, a path under a file, a folder that
    cannot be created or written (by writing and removing a small probe file there), and a disk
    with less than `size_hint` bytes free. The folder is created when missing, as `save` would."""
    path = Path(path)
    _refuse_target(path)
    _make_folder(path)
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=path.parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise SaveError(f"{path}: cannot write in {path.parent} ({_reason(error)}): give another path") from None
    if size_hint:
        try:
            free = shutil.disk_usage(path.parent).free
        except OSError:
            return
        if free < size_hint:
            raise SaveError(
                f"{path}: only {free / 2**20:,.1f} MB free on its disk, {size_hint / 2**20:,.1f} MB needed: "
                "free some space or give another path"
            )


def stopped_path_for(path: Path | str) -> Path:
    """Where a run that was stopped before its end keeps its checkpoint when its finished model
    goes to `path`: NAME-stopped.npz beside it, so an interrupted run never replaces a finished
    model (a path already named NAME-stopped is its own)."""
    path = Path(path)
    if path.stem.endswith("-stopped"):
        return path
    return path.with_name(f"{path.stem}-stopped{path.suffix}")


def shipped_lenet_path() -> Path:
    """Where the package keeps the LeNet-5 weights it ships (see tutor/data/weights/README.md)."""
    return Path(__file__).resolve().parent.parent / "data" / "weights" / "lenet5.npz"


def load_shipped_lenet(xp: Any = np) -> Model:
    """The shipped, pre-trained LeNet-5; ModelError with a way forward when it is missing or damaged."""
    path = shipped_lenet_path()
    advice = ("reinstall dl-tutor (pip install --force-reinstall dl-tutor), "
              "or train your own with `dl-tutor train lenet`")
    try:
        return Model.load(path, xp=xp, expect=LENET5, advice=advice)
    except ModelError as error:
        message = str(error)
        if not message.endswith(advice):
            message = f"{message}; {advice}"
        raise ModelError(f"the shipped LeNet-5 weights cannot be used: {message}") from None

