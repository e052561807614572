"""A two-layer sigmoid network (2 inputs, H hidden units, 1 output) that learns XOR by backprop.

Forward pass for a batch X (N, 2)::

    z1 = X·W1ᵀ + b1     (N, H)      h = σ(z1)     (N, H)
    z2 = h·W2ᵀ + b2     (N,)        y = σ(z2)     (N,)

Losses: ``mse = mean((y - t)²) / 2`` and binary cross-entropy
``ce = -mean(t·ln y + (1 - t)·ln(1 - y))``. Backward pass (CS231n style, from the cache)::

    dz2 = (y - t)·y·(1 - y) / N   (mse)      dz2 = (y - t) / N   (ce: the σ' cancels)
    dW2 = dz2ᵀ·h   db2 = Σ dz2   dh = dz2·W2   dz1 = dh·h·(1 - h)   dW1 = dz1ᵀ·X   db1 = Σ dz1

`train_xor` runs full-batch gradient descent on the four XOR patterns and yields frozen
`TrainRecord`s of plain Python numbers for a scene to animate or a test to check. With two
hidden units and the mse loss some starting points end in a poor local minimum: see
`STUCK_SEEDS` and `GOOD_SEED`. Nothing here prints or imports a UI library.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from tutor.engines.activations import sigmoid
from tutor.engines.neuron import boundary_segment
from tutor.engines.records import plain, to_numpy

__all__ = [
    "BCE_EPS",
    "DEFAULT_LR",
    "GOOD_SEED",
    "MARGIN",
    "MLP",
    "STUCK_SEEDS",
    "XOR_INPUTS",
    "XOR_TARGETS",
    "Cache",
    "Grads",
    "TrainRecord",
    "backward",
    "decision_grid",
    "forward",
    "hidden_boundaries",
    "init_mlp",
    "loss_bce",
    "loss_mse",
    "train_xor",
]

#: The four XOR patterns in counting order 00, 01, 10, 11, shape (4, 2).
XOR_INPUTS: tuple[tuple[float, float], ...] = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))
#: Their targets, shape (4,).
XOR_TARGETS: tuple[float, ...] = (0.0, 1.0, 1.0, 0.0)

#: Training stops once every output is within MARGIN of its target.
MARGIN = 0.1
#: `loss_bce` clips outputs to [BCE_EPS, 1 - BCE_EPS] so the loss stays finite.
BCE_EPS = 1e-12
#: Default learning rate per loss (mse gradients are smaller: they carry a factor y(1 - y)).
DEFAULT_LR: dict[str, float] = {"mse": 2.0, "ce": 1.0}
#: With hidden=2, loss="mse" and the default lr, this seed learns XOR (in 1221 epochs).
GOOD_SEED = 1
#: With hidden=2, loss="mse" and the default lr, these seeds end in a poor local minimum and
#: stay there (checked to 30000 epochs): two patterns stuck at y ≈ 0.5 (loss → 0.0625, seeds
#: 0, 2, 7, 22), or three at y ≈ 1/3 (loss → 0.083, seed 46).
STUCK_SEEDS: tuple[int, ...] = (0, 2, 7, 22, 46)

DECIMALS = 10


def _r(value: Any) -> float:
    """A plain float rounded to DECIMALS (see tutor.engines.records)."""
    return plain(value, DECIMALS)


_host = to_numpy


def _nested(a: Any) -> Any:
    """A 1-D array as a tuple of rounded floats, a 2-D array as a tuple of such tuples."""
    host = _host(a)
    if host.ndim == 1:
        return tuple(_r(v) for v in host.tolist())
    return tuple(tuple(_r(v) for v in row) for row in host.tolist())


# --------------------------------------------------------------------------- the network


@dataclass
class MLP:
    """The network's parameters (mutable: training updates them in place).

    Attributes:
        W1: hidden weights, shape (H, 2); row j is hidden unit j's weight vector.
        b1: hidden biases, shape (H,).
        W2: output weights, shape (1, H).
        b2: output bias, shape (1,).
    """

    W1: Any
    b1: Any
    W2: Any
    b2: Any

    @property
    def hidden(self) -> int:
        """H, the number of hidden units."""
        return int(self.W1.shape[0])

    def copy(self) -> MLP:
        """A deep copy (arrays copied)."""
        return MLP(self.W1.copy(), self.b1.copy(), self.W2.copy(), self.b2.copy())


def init_mlp(hidden: int = 2, seed: int = 0, scale: float = 1.0, xp: Any = np) -> MLP:
    """Random starting parameters, uniform in [-scale, scale), drawn from default_rng(seed).

    Drawn in the order W1 (H, 2), b1 (H,), W2 (1, H), b2 (1,) on the host, so a seed gives
    the same network with NumPy and with CuPy.
    """
    if hidden < 1:
        raise ValueError(f"hidden must be at least 1, got {hidden}.")
    rng = np.random.default_rng(seed)
    W1 = rng.uniform(-scale, scale, size=(hidden, 2))
    b1 = rng.uniform(-scale, scale, size=hidden)
    W2 = rng.uniform(-scale, scale, size=(1, hidden))
    b2 = rng.uniform(-scale, scale, size=1)
    return MLP(*(xp.asarray(a, dtype=float) for a in (W1, b1, W2, b2)))


@dataclass(frozen=True)
class Cache:
    """What the forward pass keeps for the backward pass.

    Attributes:
        X: the inputs, shape (N, 2).
        z1: hidden net inputs, shape (N, H).
        h: hidden outputs σ(z1), shape (N, H).
        z2: output net inputs, shape (N,).
        y: outputs σ(z2), shape (N,).
    """

    X: Any
    z1: Any
    h: Any
    z2: Any
    y: Any


@dataclass(frozen=True)
class Grads:
    """Gradients of the loss, each the shape of its parameter.

    Attributes:
        dW1: shape (H, 2).
        db1: shape (H,).
        dW2: shape (1, H).
        db2: shape (1,).
    """

    dW1: Any
    db1: Any
    dW2: Any
    db2: Any


def _xp_of(a: Any) -> Any:
    """The array module of `a` (CuPy for CuPy arrays, else NumPy)."""
    if isinstance(a, np.ndarray):
        return np
    import cupy  # only reached with CuPy arrays, so CuPy is installed

    return cupy.get_array_module(a)


def forward(mlp: MLP, X: Any) -> Cache:
    """Run inputs X (N, 2) through the network; the output y has shape (N,)."""
    xp = _xp_of(mlp.W1)
    X = xp.asarray(X, dtype=float)  # (N, 2)
    z1 = X @ mlp.W1.T + mlp.b1  # (N, H)
    h = sigmoid(z1, xp=xp)  # (N, H)
    z2 = h @ mlp.W2[0] + mlp.b2[0]  # (N,)
    y = sigmoid(z2, xp=xp)  # (N,)
    return Cache(X=X, z1=z1, h=h, z2=z2, y=y)


def loss_mse(y: Any, t: Any) -> float:
    """mean((y - t)²) / 2 for outputs y and targets t of the same shape, e.g. (N,)."""
    d = y - t
    return float((d * d).mean() / 2)


def loss_bce(y: Any, t: Any) -> float:
    """Binary cross-entropy -mean(t·ln y + (1 - t)·ln(1 - y)), y clipped to [eps, 1 - eps].

    y and t have the same shape, e.g. (N,); targets are 0 or 1 (values between work too).
    """
    xp = _xp_of(y)
    yc = xp.clip(y, BCE_EPS, 1.0 - BCE_EPS)
    return float(-(t * xp.log(yc) + (1.0 - t) * xp.log(1.0 - yc)).mean())


def backward(mlp: MLP, cache: Cache, t: Any, loss: str = "mse") -> Grads:
    """Gradients of the mean loss ("mse" or "ce") with respect to every parameter.

    Args:
        mlp: the network the cache came from.
        cache: from `forward(mlp, X)`.
        t: targets, shape (N,).
        loss: "mse" for loss_mse, "ce" for loss_bce (exact away from the clipping).
    """
    xp = _xp_of(mlp.W1)
    t = xp.asarray(t, dtype=float).reshape(-1)  # (N,)
    n = cache.y.shape[0]
    if loss == "mse":
        dz2 = (cache.y - t) * cache.y * (1.0 - cache.y) / n  # (N,)
    elif loss == "ce":
        dz2 = (cache.y - t) / n  # (N,)
    else:
        raise ValueError(f"loss must be 'mse' or 'ce', got {loss!r}.")
    dW2 = (dz2 @ cache.h)[None, :]  # (1, H)
    db2 = dz2.sum(keepdims=True)  # (1,)
    dh = dz2[:, None] * mlp.W2  # (N, H)
    dz1 = dh * cache.h * (1.0 - cache.h)  # (N, H)
    dW1 = dz1.T @ cache.X  # (H, 2)
    db1 = dz1.sum(axis=0)  # (H,)
    return Grads(dW1=dW1, db1=db1, dW2=dW2, db2=db2)


def _loss(cache: Cache, t: Any, loss: str) -> float:
    """The value of the named loss for a forward pass."""
    return loss_mse(cache.y, t) if loss == "mse" else loss_bce(cache.y, t)


# --------------------------------------------------------------------------- training


@dataclass(frozen=True)
class TrainRecord:
    """The network after `epoch` full-batch steps on XOR.

    Attributes:
        epoch: how many gradient steps have been taken (0 = the starting network).
        loss: the training loss (of the loss trained on) at these parameters.
        outputs: y for the patterns 00, 01, 10, 11, length 4.
        W1: hidden weights, H rows of 2.
        b1: hidden biases, length H.
        W2: output weights, 1 row of H.
        b2: output bias, length 1.
        accuracy: fraction of the 4 patterns with round(y) == t.
        converged: True when every |y - t| < MARGIN (training stops there).
    """

    epoch: int
    loss: float
    outputs: tuple[float, ...]
    W1: tuple[tuple[float, ...], ...]
    b1: tuple[float, ...]
    W2: tuple[tuple[float, ...], ...]
    b2: tuple[float, ...]
    accuracy: float
    converged: bool

    def to_mlp(self, xp: Any = np) -> MLP:
        """The network of this record, as arrays (for `decision_grid` and `hidden_boundaries`)."""
        return MLP(*(xp.asarray(a, dtype=float) for a in (self.W1, self.b1, self.W2, self.b2)))


def train_xor(
    hidden: int = 2, loss: str = "mse", lr: float | None = None, epochs: int = 5000,
    seed: int = 0, record_every: int = 50, scale: float = 1.0, xp: Any = np,
) -> Iterator[TrainRecord]:
    """Full-batch gradient descent on the four XOR patterns, yielding TrainRecords.

    Args:
        hidden: H, the number of hidden units.
        loss: "mse" or "ce".
        lr: the learning rate; None takes DEFAULT_LR[loss].
        epochs: the most gradient steps.
        seed: seeds `init_mlp` (the only randomness: a seed always gives the same run).
        record_every: yield a record every this many epochs (epoch 0 included).
        scale: the init range, see `init_mlp`.

    The last record yielded is either the first with every |y - t| < MARGIN (training stops
    there, `converged` True) or the one after `epochs` steps.
    """
    if loss not in ("mse", "ce"):
        raise ValueError(f"loss must be 'mse' or 'ce', got {loss!r}.")
    if epochs < 0:
        raise ValueError(f"epochs must be 0 or more, got {epochs}.")
    if record_every < 1:
        raise ValueError(f"record_every must be at least 1, got {record_every}.")
    rate = DEFAULT_LR[loss] if lr is None else float(lr)
    mlp = init_mlp(hidden, seed=seed, scale=scale, xp=xp)
    X = xp.asarray(XOR_INPUTS, dtype=float)  # (4, 2)
    t = xp.asarray(XOR_TARGETS, dtype=float)  # (4,)
    for epoch in range(epochs + 1):
        cache = forward(mlp, X)
        y = cache.y
        done = bool((abs(y - t) < MARGIN).all())
        if done or epoch == epochs or epoch % record_every == 0:
            outputs = tuple(_r(v) for v in _host(y).tolist())
            yield TrainRecord(
                epoch=epoch,
                loss=_r(_loss(cache, t, loss)),
                outputs=outputs,
                W1=_nested(mlp.W1),
                b1=_nested(mlp.b1),
                W2=_nested(mlp.W2),
                b2=_nested(mlp.b2),
                accuracy=sum(round(o) == tt for o, tt in zip(outputs, XOR_TARGETS)) / 4,
                converged=done,
            )
        if done or epoch == epochs:
            return
        g = backward(mlp, cache, t, loss)
        mlp.W1 -= rate * g.dW1
        mlp.b1 -= rate * g.db1
        mlp.W2 -= rate * g.dW2
        mlp.b2 -= rate * g.db2


# --------------------------------------------------------------------------- pictures


def decision_grid(
    mlp: MLP, box: tuple[float, float, float, float] = (-0.5, 1.5, -0.5, 1.5),
    nx: int = 28, ny: int = 28,
) -> np.ndarray:
    """The network's output over box (xmin, xmax, ymin, ymax), as a NumPy array (ny, nx).

    G[j, i] = y(xs[i], ys[j]) with xs = linspace(xmin, xmax, nx) and ys = linspace(ymin,
    ymax, ny): rows run along y (row 0 is ymin), columns along x, as in
    `tutor.engines.descent.surface_grid`. Every value is in (0, 1).
    """
    xp = _xp_of(mlp.W1)
    xmin, xmax, ymin, ymax = box
    gx, gy = xp.meshgrid(xp.linspace(xmin, xmax, nx), xp.linspace(ymin, ymax, ny))  # (ny, nx)
    points = xp.stack([gx.reshape(-1), gy.reshape(-1)], axis=1)  # (ny*nx, 2)
    return _host(forward(mlp, points).y).reshape(ny, nx)


def hidden_boundaries(
    mlp: MLP, box: tuple[float, float, float, float] = (-0.5, 1.5, -0.5, 1.5),
) -> list[tuple[tuple[float, float], tuple[float, float]] | None]:
    """Each hidden unit's line W1[j]·p + b1[j] = 0 inside box, one entry per unit (length H).

    An entry is ((x0, y0), (x1, y1)), or None when that unit's line misses the box.
    """
    W1, b1 = _host(mlp.W1), _host(mlp.b1)
    return [boundary_segment(W1[j], -float(b1[j]), box) for j in range(W1.shape[0])]
