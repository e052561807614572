"""A trainable `Model` built from a `ModelSpec` (`tutor.engines.spec`), and its arrays.

`Model` builds its weights and its forward and backward passes from the spec's layer list.
`forward` keeps nothing on the model: it returns a `Pass` (the scores, and the caches `backward`
needs or each layer's output when asked), and `backward` takes that pass, so one model can be
used by several threads at once. Parameters are float32 on the backend's `xp`. Training on NumPy
(`loss_and_grads`) goes through `tutor.engines.training_step.TrainingStep`, the same arithmetic
with reused per-thread buffers and cache-sized im2col blocks, and trains a big batch as two
halves, the second in another process where there are two cores (`tutor.engines.half_process`).

`Model.to_arrays` gives the spec (as a JSON string) and the parameters as NumPy arrays, and
`Model.from_arrays` is the one place that decides whether such arrays make a usable model:
anything else (no or a damaged description, wrong shapes or dtypes, NaN) is a `ModelError`
whose message is one line naming the source and what to do. The engine touches no file: reading
and writing `.npz` files (atomically, safely) is `tutor.model_files`. The specs, `summary` and
`MODELS` are re-exported here, so `from tutor.engines.model import LENET5, summary` keeps working.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tutor.backend import to_numpy
from tutor.engines import half_process
from tutor.engines import layers as L
from tutor.engines.training_step import TrainingStep
from tutor.engines.spec import (
    LENET5,
    MAX_MODEL_PARAMS,
    MODELS,
    SPEC_ALIASES,
    Conv,
    Dense,
    Flatten,
    Layer,
    ModelError,
    ModelSpec,
    Pool,
    SummaryRow,
    _param_shapes,
    format_summary,
    layer_shapes,
    mlp_spec,
    summary,
    total_params,
)

__all__ = [
    "LENET5",
    "MAX_MODEL_PARAMS",
    "MODELS",
    "SPEC_ALIASES",
    "Conv",
    "Dense",
    "Flatten",
    "Layer",
    "Model",
    "ModelError",
    "ModelSpec",
    "Pass",
    "Pool",
    "SummaryRow",
    "format_summary",
    "layer_shapes",
    "mlp_spec",
    "summary",
    "total_params",
]


@dataclass
class Pass:
    """What one forward pass leaves behind, for its caller alone.

    Attributes:
        scores: (N, 10) on `xp`, before the softmax.
        caches: per layer, what `Model.backward` needs (empty unless `forward(train=True)`).
        activations: layer name -> that layer's output, (N, C, H, W) or (N, D) (empty unless
            `forward(keep=True)`).
    """

    scores: Any
    caches: list[tuple] = field(default_factory=list)
    activations: dict[str, Any] = field(default_factory=dict)


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

    A model holds no per-call state: `forward` returns a `Pass` and `backward` takes it, so
    threads may share a model (and its weights) freely as long as none changes `params`.
    """

    def __init__(self, spec: ModelSpec, xp: Any = np, seed: int = 0, dtype: Any = np.float32) -> None:
        self.spec = spec
        self.xp = xp
        self.dtype = dtype
        self.shapes = layer_shapes(spec)
        rng = np.random.default_rng(seed)
        self.params: dict[str, Any] = {}
        #: Per thread, the `TrainingStep`s of `loss_and_grads` (buffers only, never parameters).
        self._step_cache = threading.local()
        for layer, (in_shape, _) in zip(spec.layers, self.shapes):
            for key, shape in _param_shapes(layer, in_shape).items():
                value = _glorot(rng, shape) if key == "w" else np.zeros(shape)
                self.params[f"{layer.name}.{key}"] = xp.asarray(value, dtype=dtype)

    # -- forward and backward ----------------------------------------------------------------

    def forward(self, x: Any, keep: bool = False, train: bool = False) -> Pass:
        """One pass over a batch x (N, C, H, W) of prepared floats on `xp`: its `scores` (N, 10),
        with train=True the caches `backward` needs, with keep=True each layer's output."""
        result = Pass(scores=None)
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
                result.caches.append(cache)
            if keep:
                result.activations[layer.name] = L.to_nchw(out) if out.ndim == 4 else out
        result.scores = out
        return result

    def scores(self, x: Any) -> Any:
        """Scores (N, 10) on `xp` for a batch x (N, C, H, W) of prepared floats (no caches kept)."""
        return self.forward(x).scores

    def backward(self, dscores: Any, forward: Pass) -> dict[str, Any]:
        """Gradients of every parameter from d(loss)/d(scores) (N, 10) and the `Pass` of
        `forward(x, train=True)` that made those scores."""
        caches = forward.caches
        if len(caches) != len(self.spec.layers):
            raise RuntimeError("backward needs the Pass of a forward(..., train=True)")
        grads: dict[str, Any] = {}
        d = dscores
        # Below the first layer with parameters nothing needs a gradient (e.g. an MLP's Flatten).
        first = next(i for i, layer in enumerate(self.spec.layers) if isinstance(layer, (Conv, Dense)))
        for index in range(len(self.spec.layers) - 1, first - 1, -1):
            layer = self.spec.layers[index]
            cache = caches[index]
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
        return grads

    def loss_and_grads(self, x: Any, labels: Any) -> tuple[Any, Any, dict[str, Any]]:
        """Mean cross-entropy on a batch (a 0-d array on `xp`: `float()` it when needed), the
        probabilities (N, 10) and every parameter's gradient.

        On NumPy a convolutional network takes `TrainingStep`: the same arithmetic as
        `forward(train=True)` then `backward`, with this thread's reused buffers and
        cache-sized blocks. The returned arrays are new ones every call."""
        if self._steps_apply(x):
            n = x.shape[0]
            if n >= SPLIT_BATCH or (n >= SPLIT_BATCH_TWO_CORES and half_process.available()):
                return self._split_step(x, labels)
            return self._training_step(x).run(self.params, x, labels)
        forward = self.forward(x, train=True)
        loss, probs, dscores = L.softmax_cross_entropy_device(forward.scores, labels)
        return loss, probs, self.backward(dscores, forward)

    def _steps_apply(self, x: Any) -> bool:
        """Whether batches shaped like x train through `TrainingStep`: not on CuPy, not without
        a convolution or with max pooling, not for an odd shape."""
        if getattr(self.xp, "__name__", "") != "numpy" or not isinstance(x, np.ndarray) or x.ndim != 4:
            return False
        return tuple(x.shape[1:]) == tuple(self.spec.input_shape) and TrainingStep.supports(self.spec)

    def _training_step(self, x: Any) -> TrainingStep:
        """This thread's `TrainingStep` for batches shaped like x (where `_steps_apply`)."""
        dtype = np.result_type(x.dtype, self.dtype)
        local = self.__dict__.setdefault("_step_cache", threading.local())
        steps = local.__dict__.setdefault("steps", {})  # this thread's
        key = (x.shape[0], dtype)
        step = steps.get(key)
        if step is None:
            if len(steps) >= 3:  # a few batch sizes (the last batch of an epoch is often smaller)
                steps.pop(next(iter(steps)))
            step = steps[key] = TrainingStep(self, x.shape[0], dtype)
        return step

    def _split_step(self, x: Any, labels: Any) -> tuple[Any, Any, dict[str, Any]]:
        """`loss_and_grads` of a big batch as the mean of its two halves' (see SPLIT_BATCH):
        each half runs its own `TrainingStep`, the second in another process at the same time
        (`half_process.run_halves`). The same numbers as the whole batch, to rounding; from
        SPLIT_BATCH on the same bits on one core or two."""
        n = x.shape[0]
        h = n // 2

        def half(part: slice) -> tuple[Any, Any, dict[str, Any]]:
            xs = x[part]
            return self._training_step(xs).run(self.params, xs, labels[part])

        (loss1, probs1, grads), (loss2, probs2, grads2) = half_process.run_halves(
            lambda: half(slice(None, h)), lambda: half(slice(h, None)),
            self.spec, self.dtype, self.params, x[h:], np.asarray(labels[h:]))
        w1, w2 = h / n, 1 - h / n
        for name, g in grads.items():
            g *= g.dtype.type(w1)
            g += grads2[name] * g.dtype.type(w2)
        return loss1 * w1 + loss2 * w2, np.concatenate([probs1, probs2]), grads

    # -- using a trained model -----------------------------------------------------------------

    def prepare(self, images: Any) -> Any:
        """Images as the model's input on `xp`: uint8 0..255 or floats 0..1, shaped (H, W),
        (N, H, W) or (N, C, H, W) -> (N, C, H, W) of `dtype`, scaled as the spec says."""
        xp = self.xp
        arr = images if type(images).__module__.startswith(xp.__name__) else xp.asarray(images)
        if arr.dtype == np.uint8:
            # 256 possible pixels: look each one up in a table scaled once, the same numbers
            # as scaling every pixel (one pass instead of four).
            table = self.__dict__.get("_pixel_table")
            if table is None:
                table = self._pixel_table = self._scaled(xp.arange(256, dtype=np.uint8))
            arr = xp.take(table, arr)
        else:
            arr = self._scaled(arr)
        if arr.ndim == 2:
            arr = arr[None]
        if arr.ndim == 3:
            arr = arr[:, None]
        return arr

    def _scaled(self, arr: Any) -> Any:
        """Pixels (uint8 0..255 or floats 0..1) as a new array of `dtype`, scaled as the spec says."""
        out = arr.astype(self.dtype)
        if arr.dtype == np.uint8:
            out *= self.dtype(1 / 255)
        if self.spec.input_mean or self.spec.input_std != 1.0:
            out -= self.dtype(self.spec.input_mean)
            out *= self.dtype(1 / self.spec.input_std)
        return out

    def predict_proba(self, images: Any, batch: int = 1000) -> np.ndarray:
        """Class probabilities (N, 10) as a NumPy float64 array, for uint8 or float images."""
        x = self.prepare(images)
        out = []
        for start in range(0, x.shape[0], batch):
            out.append(to_numpy(L.softmax(self.scores(x[start : start + batch]))))
        return np.concatenate(out).astype(np.float64) if out else np.zeros((0, 10))

    def feature_maps(self, image: Any) -> dict[str, np.ndarray]:
        """Each layer's output for one image (H, W), as NumPy arrays without the batch axis."""
        kept = self.forward(self.prepare(image[None] if np.ndim(image) == 2 else image), keep=True)
        return {name: to_numpy(value)[0] for name, value in kept.activations.items()}

    def parameter_count(self) -> int:
        """The number of trainable numbers (equals total_params(spec))."""
        return sum(int(np.prod(p.shape)) for p in self.params.values())

    # -- arrays ------------------------------------------------------------------------------

    def state(self) -> dict[str, np.ndarray]:
        """The parameters as NumPy arrays (copied off the device)."""
        return {name: np.asarray(to_numpy(value)) for name, value in self.params.items()}

    def to_arrays(self, extra: dict[str, Any] | None = None) -> dict[str, np.ndarray]:
        """The spec (a JSON string under "spec") and the parameters ("param:NAME"), plus `extra`
        arrays ("extra:NAME"), as NumPy arrays: what a model file holds (`tutor.model_files`)."""
        arrays = {f"param:{name}": value for name, value in self.state().items()}
        for name, value in (extra or {}).items():
            arrays[f"extra:{name}"] = np.asarray(value)
        arrays["spec"] = np.array(self.spec.to_json())
        return arrays

    @classmethod
    def from_arrays(
        cls,
        arrays: dict[str, np.ndarray],
        xp: Any = np,
        expect: ModelSpec | None = None,
        source_name: str = "the model",
        *,
        advice: str,
    ) -> tuple[Model, dict[str, np.ndarray]]:
        """A model from the arrays `to_arrays` gave (read back from `source_name`), and the extra
        arrays saved beside the parameters; ModelError otherwise, one line starting with
        `source_name` and ending with `advice` when the arrays are damaged."""
        def damaged(what: str) -> ModelError:
            return ModelError(f"{source_name}: {what}; {advice}")

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
                    f"{source_name}: holds a {spec.name} model of another version (its layers or input "
                    "scaling differ); train it again"
                )
            raise ModelError(f"{source_name}: holds a {spec.name} model, expected {expect.name}")
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


#: A batch at least this big trains as two halves (`Model._split_step`): at once, in two
#: processes, where BLAS may use two threads (`half_process`), else one after the other, which
#: is still faster than the whole batch (its buffers leave the cache): on 2 cores, MNIST batch
#: 256 takes 24 ms whole, 21 ms as halves on one core, 10.5 ms on two.
SPLIT_BATCH = 128
#: With two cores, batches from this size on split too (batch 64: 4.5 -> 3.7 ms); on one core
#: their halves would be slower than the whole (6.3 ms), and batch 32 gains nothing.
SPLIT_BATCH_TWO_CORES = 64
