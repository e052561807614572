"""The training step on NumPy: the same arithmetic as `Model.forward(train=True)` then
`Model.backward`, without the copies (`TrainingStep`, which `Model.loss_and_grads` takes for a
convolutional network on NumPy; benchmarks/profile_lenet.py shows where its time goes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tutor.engines import layers as L
from tutor.engines.spec import Conv, Flatten, Layer, ModelSpec, Pool, layer_shapes

if TYPE_CHECKING:
    from tutor.engines.model import Model

__all__ = ["BLOCK_BYTES", "TrainingStep"]

#: Bytes of one block of a convolution's column matrix on NumPy: small enough that the block
#: is still in a core's L2 cache when the GEMM reads it back (and when the backward reuses it).
BLOCK_BYTES = 256 * 1024


def _grad_factor(name: str, y: Any, out: Any) -> Any:
    """The activation's derivative written with its output y, into `out` (y's shape)."""
    xp = L.array_module(y)
    if name == "tanh":
        xp.multiply(y, y, out=out)
        xp.subtract(1, out, out=out)
    elif name == "sigmoid":
        xp.subtract(1, y, out=out)
        out *= y
    elif name == "relu":
        xp.greater(y, 0, out=out)
    elif name == "linear":
        out.fill(1)
    else:
        raise ValueError(f"unknown activation {name!r}: expected one of {', '.join(L.ACTIVATIONS)}")
    return out


class _ConvStage:
    """The buffers and views of one convolution (and the average pooling after it, if any) for
    one batch size. Built once; every step writes into the same arrays."""

    def __init__(self, xp: Any, layer: Conv, pool: Pool | None, in_shape: tuple[int, ...], n: int, dtype: Any,
                 need_dx: bool) -> None:
        self.xp = xp
        self.layer, self.pool, self.need_dx = layer, pool, need_dx
        c, h, w = in_shape
        k, s, p, f = layer.kernel, layer.stride, layer.pad, layer.filters
        self.ckk = ckk = c * k * k
        hp, wp = h + 2 * p, w + 2 * p
        self.ho, self.wo = ho, wo = L.output_size(h, k, s, p), L.output_size(w, k, s, p)
        #: A convolution that sees its whole input at once (LeNet's C5) is a dense layer: its
        #: input buffer, with a row of ones under it, is already its column matrix.
        self.dense = ho == 1 and wo == 1 and p == 0 and k == h == w
        if self.dense:
            self.store = xp.empty((ckk + 1, n), dtype=dtype)
            self.store[ckk] = 1
            self.x = self.store[:ckk].reshape(c, h, w, n)
        else:
            self.store = xp.zeros((c, hp, wp, n), dtype=dtype)  # the border stays zero
            self.x = self.store
        #: Where the stage before writes this convolution's input (inside the padding).
        self.x_inner = self.x[:, p : p + h, p : p + w] if p else self.x
        self.wb = xp.empty((f, ckk + 1), dtype=dtype)  # [weights | bias]
        # The weight gradient transposed, [dw | db]ᵀ: columns · gradᵀ runs faster than
        # grad · columnsᵀ for these shapes (a long inner dimension, few filters).
        self.dwbT = xp.empty((ckk + 1, f), dtype=dtype)
        self.out = xp.empty((f, ho, wo, n), dtype=dtype)  # the activation's output (F, H', W', N)
        out2d = self.out.reshape(f, ho * wo * n)
        self.grad = xp.empty((f, ho, wo, n), dtype=dtype)  # d(loss)/d(pre-activation)
        grad2d = self.grad.reshape(f, ho * wo * n)
        # (copy target, copy source, column matrix, output columns, gradient columns) per block.
        self.blocks: list[tuple[Any, Any, Any, Any, Any]] = []
        if self.dense:
            self.blocks.append((None, None, self.store, out2d, grad2d))
        else:
            item = np.dtype(dtype).itemsize  # (host metadata, the same for CuPy)
            limit = max(n, BLOCK_BYTES // (item * (ckk + 1)))
            spans = L.column_blocks(ho, wo, n, limit)
            width = max(((i1 - i0) * (j1 - j0) * n) for i0, i1, j0, j1 in spans)
            self.cols = xp.empty((ckk + 1, width), dtype=dtype)
            self.cols[ckk] = 1
            windows = L.conv_windows(self.x, k, s)  # a view of the persistent input buffer
            rs, cs = self.cols.strides
            for i0, i1, j0, j1 in spans:
                bi, bj = i1 - i0, j1 - j0
                m = bi * bj * n
                start = (i0 * wo + j0) * n
                target = xp.lib.stride_tricks.as_strided(
                    self.cols, shape=(c, k, k, bi, bj, n), strides=(k * k * rs, k * rs, rs, bj * n * cs, n * cs, cs)
                )
                self.blocks.append((target, windows[:, :, :, i0:i1, j0:j1], self.cols[:, :m],
                                    out2d[:, start : start + m], grad2d[:, start : start + m]))
        #: Each block's share of [dw | db]ᵀ, summed in one call after the last block.
        self.dwbT_parts = xp.empty((len(self.blocks), ckk + 1, f), dtype=dtype)
        if need_dx:
            if self.dense:
                self.dcols = xp.empty((ckk, n), dtype=dtype)
                self.dx = self.dcols.reshape(c, h, w, n)
            else:
                self.dcols = xp.empty((ckk, ho * wo * n), dtype=dtype)
                self.dx_store = xp.empty((c, hp, wp, n), dtype=dtype)
                self.dx = self.dx_store[:, p : p + h, p : p + w] if p else self.dx_store
        if pool is not None:
            size = pool.size
            if ho % size or wo % size:
                raise ValueError(f"a {ho}x{wo} map does not split into {size}x{size} pooling windows")
            self.pooled_shape = (f, ho // size, wo // size, n)
            #: The output and its gradient seen as (F, H'/s, s, W'/s, s, N): one window per
            #: (row block, column block), so pooling is two reductions over whole rows/pairs.
            self.out6 = self.out.reshape(f, ho // size, size, wo // size, size, n)
            self.grad6 = self.grad.reshape(f, ho // size, size, wo // size, size, n)
            self.row_sum = xp.empty((f, ho // size, wo // size, size, n), dtype=dtype)

    def forward(self, w: Any, b: Any) -> None:
        """out = activation(w * x + b), block by block."""
        xp = self.xp
        f = self.layer.filters
        self.wb[:, : self.ckk] = w.reshape(f, self.ckk)
        self.wb[:, self.ckk] = b
        for target, source, cols, out, _ in self.blocks:
            if target is not None:
                xp.copyto(target, source)
            xp.matmul(self.wb, cols, out=out)
        # One pass over the whole output: as fast as one per block, with far fewer calls.
        L.activation_forward(self.layer.activation, self.out, inplace=True)

    def pool_into(self, target: Any) -> None:
        """Average-pool `out` into target (F, H'/s, W'/s, N) (the next stage's input buffer)."""
        xp, size = self.xp, self.pool.size
        y6, rows = self.out6, self.row_sum
        # First the rows of each window (long contiguous runs), then the columns.
        xp.copyto(rows, y6[:, :, 0])
        for u in range(1, size):
            rows += y6[:, :, u]
        xp.copyto(target, rows[:, :, :, 0])
        for v in range(1, size):
            target += rows[:, :, :, v]
        target *= target.dtype.type(1 / (size * size))

    def backward(self, dnext: Any) -> tuple[Any, Any, Any]:
        """Gradients from d(loss)/d(this stage's output): of the pooled map (F, H'/s, W'/s, N)
        when the stage pools, else of `out`. Returns dx (C, H, W, N) or None, dw, db."""
        xp = self.xp
        _grad_factor(self.layer.activation, self.out, self.grad)
        if self.pool is not None:
            size = self.pool.size
            dnext *= dnext.dtype.type(1 / (size * size))  # each window's inputs share it equally
            f, hs, ws, n = dnext.shape
            self.grad6 *= dnext.reshape(f, hs, 1, ws, 1, n)  # one pass, broadcast over each window
        else:
            self.grad *= dnext
        for (target, source, cols, _, grad), part in zip(self.blocks, self.dwbT_parts):
            if target is not None:
                xp.copyto(target, source)  # the block's columns again, from the kept input
            xp.matmul(cols, grad.T, out=part)
        xp.sum(self.dwbT_parts, axis=0, out=self.dwbT)
        f, ckk = self.layer.filters, self.ckk
        dw = xp.ascontiguousarray(self.dwbT[:ckk].T).reshape(f, self.x.shape[0], self.layer.kernel, self.layer.kernel)
        db = self.dwbT[ckk].copy()
        if not self.need_dx:
            return None, dw, db
        wt = self.wb[:, :ckk].T
        xp.matmul(wt, self.grad.reshape(f, -1), out=self.dcols)
        if not self.dense:
            self.dx_store.fill(0)
            L.col2im_into(self.dcols, self.dx_store, self.layer.kernel, self.layer.stride, self.ho, self.wo)
        return self.dx, dw, db


class TrainingStep:
    """`Model.loss_and_grads` for one batch size on NumPy, with every big array allocated once.

    The arithmetic is `Model.forward(train=True)` then `Model.backward` (the tests check that
    both give the same numbers); what changes is where the numbers live. Image batches travel
    as (C, H, W, N). Per convolution (`_ConvStage`):
      - its input is a padded buffer whose border stays zero, written in place by the stage
        before it (the input transpose, or the pooling): no padding copy;
      - im2col copies one block of output positions at a time (`tutor.engines.layers.
        column_blocks`, about BLOCK_BYTES each) with one strided copy, and the GEMM reads the
        block while it is still in cache; the bias rides in the GEMM as a row of ones (its
        gradient comes out of the weight gradient's GEMM as one more column);
      - the activation runs in place on each block right after its GEMM;
      - the backward copies each block's columns again from the kept input (cheaper than
        keeping the whole column matrix, which leaves the cache) and fuses the pooling's
        backward with the activation's derivative.
    After Flatten the dense layers and the loss are the ordinary `layers` functions.
    Buffers belong to one thread (`Model._training_step` keeps them per thread), so a model
    shared by threads stays safe; what `run` returns is always a new array.
    """

    @staticmethod
    def supports(spec: ModelSpec) -> bool:
        """Whether the spec is convolutions (each optionally followed by one average pooling),
        then Flatten, then dense layers: the networks this step knows."""
        layers = spec.layers
        if not layers or not isinstance(layers[0], Conv):
            return False
        flat = False
        previous: Layer | None = None
        for layer in layers:
            if isinstance(layer, Conv):
                ok = not flat
            elif isinstance(layer, Pool):
                ok = not flat and layer.mode == "avg" and isinstance(previous, Conv)
            elif isinstance(layer, Flatten):
                ok, flat = not flat, True
            else:
                ok = flat
            if not ok:
                return False
            previous = layer
        return flat

    def __init__(self, model: Model, n: int, dtype: Any) -> None:
        spec = model.spec
        self.xp = xp = model.xp
        self.n, self.dtype = n, dtype
        self.stages: list[_ConvStage] = []
        shapes = layer_shapes(spec)
        index = 0
        while isinstance(spec.layers[index], Conv):
            layer = spec.layers[index]
            pool = spec.layers[index + 1] if isinstance(spec.layers[index + 1], Pool) else None
            self.stages.append(_ConvStage(xp, layer, pool, shapes[index][0], n, dtype, need_dx=bool(self.stages)))
            index += 2 if pool is not None else 1
        self.dense_layers = list(spec.layers[index + 1 :])  # after Flatten
        last = self.stages[-1]
        self.features = xp.empty(last.pooled_shape, dtype=dtype) if last.pool is not None else None

    def run(self, params: dict[str, Any], x: Any, labels: Any) -> tuple[Any, Any, dict[str, Any]]:
        """(loss, probs, grads) for the batch x (N, C, H, W) with integer labels (N,)."""
        xp, stages = self.xp, self.stages
        xp.copyto(stages[0].x_inner, x.transpose(1, 2, 3, 0))
        for i, stage in enumerate(stages):
            name = stage.layer.name
            stage.forward(params[f"{name}.w"], params[f"{name}.b"])
            if stage.pool is not None:
                stage.pool_into(stages[i + 1].x_inner if i + 1 < len(stages) else self.features)
        top = self.features if stages[-1].pool is not None else stages[-1].out
        out = top.reshape(-1, self.n).T  # (N, C*H*W), a view
        caches = []
        for layer in self.dense_layers:
            out, dense_cache = L.dense_forward(out, params[f"{layer.name}.w"], params[f"{layer.name}.b"])
            out, act_cache = L.activation_forward(layer.activation, out, inplace=True)
            caches.append((dense_cache, act_cache))
        loss, probs, d = L.softmax_cross_entropy_device(out, labels)
        grads: dict[str, Any] = {}
        for layer, (dense_cache, act_cache) in zip(reversed(self.dense_layers), reversed(caches)):
            d = L.activation_backward(layer.activation, d, act_cache)
            d, grads[f"{layer.name}.w"], grads[f"{layer.name}.b"] = L.dense_backward(d, dense_cache)
        d = xp.ascontiguousarray(d.T).reshape(top.shape)  # (N, C*H*W) -> (C, H, W, N)
        for stage in reversed(stages):
            d, grads[f"{stage.layer.name}.w"], grads[f"{stage.layer.name}.b"] = stage.backward(d)
        return loss, probs, grads
