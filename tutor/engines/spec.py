"""A network as data: the layers, the `ModelSpec`, and what follows from it without weights.

The spec is the single source of truth: `summary(spec)` derives every layer's output shape and
parameter count from it (the Keras `summary()` table a lesson shows, never typed in by hand),
and `tutor.engines.model.Model` builds its weights and passes from the same list. LeNet-5
(`LENET5`) and the fully connected MNIST classifiers (`mlp_spec`) are defined here, and `MODELS`
names them: each spec's `name` is its key, the one name of that model everywhere (a saved file
that says "lenet5", as older ones and the shipped weights do, is read as "lenet").

Layouts: images are (N, C, H, W); a convolution's filters are (F, C, K, K); a dense layer's
weights are (D, M) so that out = x·w + b.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass

from tutor.engines.shapes import conv_output_size as output_size


__all__ = [
    "ACTIVATIONS",
    "LENET5",
    "MODELS",
    "SPEC_ALIASES",
    "Conv",
    "Dense",
    "Flatten",
    "ModelError",
    "ModelSpec",
    "Pool",
    "SummaryRow",
    "format_summary",
    "layer_shapes",
    "mlp_spec",
    "output_size",
    "summary",
    "total_params",
]


class ModelError(Exception):
    """A model file that cannot be used (missing, damaged, or for another architecture); the
    message is one line naming the file and, for a damaged one, what to do."""


#: The activation functions a layer may name.
ACTIVATIONS: tuple[str, ...] = ("tanh", "relu", "sigmoid", "linear")


# `output_size` (W - K + 2P) / S + 1 is `tutor.engines.shapes.conv_output_size`.


#: The most parameters a model description may ask for (LeNet-5 has 61,706).
MAX_MODEL_PARAMS = 20_000_000
#: Other names a saved model description may give a model: read as the one name.
SPEC_ALIASES: dict[str, str] = {"lenet5": "lenet"}

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
                SPEC_ALIASES.get(data["name"], data["name"]), (shape[0], shape[1], shape[2]), layers,
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
    if "activation" in item and item["activation"] not in ACTIVATIONS:
        raise ValueError(f"unknown activation {item['activation']!r}")
    if kind == "pool" and item.get("mode", "avg") not in ("avg", "max"):
        raise ValueError("a pool layer's mode must be avg or max")
    return _KINDS[kind](**item)


#: LeNet-5 as the workshop draws it, for 28x28 MNIST digits padded by 2 to the original 32x32.
#: Pixels are centred with MNIST's mean and spread (0.1307, 0.3081), which tanh units train on
#: better than raw 0..1 values.
LENET5 = ModelSpec(
    name="lenet",
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


#: The models `dl-tutor train` and the scenes know, by their one name (`spec.name`).
MODELS: dict[str, ModelSpec] = {
    spec.name: spec for spec in (LENET5, mlp_spec(30, "sigmoid"), mlp_spec(128, "relu"))
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
            output_size(h, layer.kernel, layer.stride, layer.pad),
            output_size(w, layer.kernel, layer.stride, layer.pad),
        )
    if isinstance(layer, Pool):
        c, h, w = in_shape
        return (c, output_size(h, layer.size, layer.size), output_size(w, layer.size, layer.size))
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

