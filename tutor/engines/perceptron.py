"""Rosenblatt's perceptron: a hard-limit unit w·p + b that learns its weights from errors.

The unit outputs ``a = hardlim(w·p + b)`` where ``hardlim(n)`` is 1 for ``n >= 0`` and 0
otherwise. By this convention a pattern lying exactly on the decision boundary
``w·p + b = 0`` is class 1. That differs, at exactly the boundary and nowhere else, from the
1943 McCulloch-Pitts unit in `tutor.engines.neuron`, which fires only when its sum is strictly
greater than its threshold (there a sum equal to the threshold gives 0).

The learning rule, for one presented pattern p with target t::

    e = t - a            # the error: +1, 0 or -1
    w_new = w_old + e·p  # t=1, a=0: add p; t=0, a=1: subtract p; right: unchanged
    b_new = b_old + e    # the bias is a weight whose input is always 1

Training presents the patterns in order, epoch after epoch, and stops after the first
complete epoch in which every pattern was already right. Every presentation is reported as a
frozen `Update` record of plain Python numbers (rounded to 10 decimals so that -0.8 + 2 reads
1.2), for a scene to animate or a test to check. Nothing here prints or imports a UI library.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tutor.engines.neuron import boundary_segment
from tutor.engines.records import plain, plain_vector, to_numpy

__all__ = [
    "DATASETS",
    "Dataset",
    "Layer2Forward",
    "TrainingRun",
    "Update",
    "XOR_HIDDEN",
    "XOR_OUTPUT",
    "boundary",
    "hidden_dataset",
    "hardlim",
    "net_input",
    "predict",
    "random_start",
    "run_training",
    "train",
    "two_layer_forward",
    "update",
    "weight_arrow",
]

#: Decimals kept in records: enough for any lesson, and it hides float noise (0.1 + 0.2).
DECIMALS = 10


def _r(value: Any) -> float:
    """A plain float rounded to DECIMALS (see tutor.engines.records)."""
    return plain(value, DECIMALS)


def _vec(values: Any) -> tuple[float, ...]:
    """A tuple of plain floats rounded to DECIMALS."""
    return plain_vector(values, DECIMALS)


_host = to_numpy


# --------------------------------------------------------------------------- the unit


def hardlim(n: Any, xp: Any = np) -> Any:
    """The hard limit: 1 where n >= 0, else 0 (so hardlim(0) = 1).

    Args:
        n: a net input: a number (or 0-d array), or an array of any shape.

    Returns:
        A Python int for a scalar; an integer xp array of n's shape otherwise.
    """
    out = (xp.asarray(n) >= 0).astype(int)
    return int(out) if out.ndim == 0 else out


def net_input(w: Any, b: float, p: Any, xp: Any = np) -> Any:
    """The net input n = w·p + b, rounded to DECIMALS.

    Args:
        w: weights, shape (n,).
        b: the bias.
        p: one pattern, shape (n,), or a batch, shape (N, n).

    Returns:
        A Python float for one pattern; an xp float array of shape (N,) for a batch.
    """
    n = xp.asarray(p, dtype=float) @ xp.asarray(w, dtype=float) + float(b)  # () or (N,)
    n = n.round(DECIMALS) + 0.0  # ndarray method (NumPy and CuPy); + 0.0 turns -0.0 into 0.0
    return float(n) if n.ndim == 0 else n


def predict(w: Any, b: float, p: Any, xp: Any = np) -> Any:
    """The perceptron's output a = hardlim(w·p + b).

    Args:
        w: weights, shape (n,).
        b: the bias.
        p: one pattern, shape (n,), or a batch, shape (N, n).

    Returns:
        A Python int for one pattern; an integer xp array of shape (N,) for a batch.
    """
    return hardlim(net_input(w, b, p, xp=xp), xp=xp)


@dataclass(frozen=True)
class Update:
    """One presentation of one pattern, and what the learning rule did with it.

    Attributes:
        index: 0-based count of presentations since training began.
        epoch: 1-based epoch number.
        pattern: 0-based index of the pattern within its data set.
        p: the pattern presented, length n.
        t: its target, 0 or 1.
        w_before: the weights before the update, length n.
        b_before: the bias before the update.
        net: the net input w_before·p + b_before.
        a: the output hardlim(net).
        e: the error t - a: +1, 0 or -1.
        w_after: w_before + e·p, length n.
        b_after: b_before + e with a bias, b_before without.
    """

    index: int
    epoch: int
    pattern: int
    p: tuple[float, ...]
    t: int
    w_before: tuple[float, ...]
    b_before: float
    net: float
    a: int
    e: int
    w_after: tuple[float, ...]
    b_after: float

    @property
    def changed(self) -> bool:
        """Whether the pattern was wrong, so the weights (or bias) moved."""
        return self.e != 0


def update(
    w: Any, b: float, p: Any, t: int, *, use_bias: bool = True,
    index: int = 0, epoch: int = 1, pattern: int = 0,
) -> Update:
    """Present pattern p (shape (n,)) with target t to the unit (w, b) and apply the rule.

    Without a bias (`use_bias=False`) b is left as it is (0 in the workshop's examples).
    `index`, `epoch` and `pattern` are only copied into the record.
    """
    if int(t) not in (0, 1):
        raise ValueError(f"A perceptron target is 0 or 1, got {t!r}.")
    w_before, p_vec = _vec(w), _vec(p)
    if len(w_before) != len(p_vec):
        raise ValueError(f"w has {len(w_before)} values but p has {len(p_vec)}.")
    b_before = _r(b)
    net = net_input(w_before, b_before, p_vec)
    a = hardlim(net)
    e = int(t) - a
    w_after = tuple(_r(wi + e * pi) for wi, pi in zip(w_before, p_vec))
    b_after = _r(b_before + e) if use_bias else b_before
    return Update(
        index=index, epoch=epoch, pattern=pattern, p=p_vec, t=int(t), w_before=w_before,
        b_before=b_before, net=net, a=a, e=e, w_after=w_after, b_after=b_after,
    )


# --------------------------------------------------------------------------- data sets


@dataclass(frozen=True)
class Dataset:
    """A small labelled problem for the perceptron.

    Attributes:
        name: the key in DATASETS.
        inputs: the patterns, N tuples of length n.
        targets: N targets, each 0 or 1.
        description: one line for a menu.
        axes: the names of the two coordinates ("x1", "x2"; "h1", "h2" for hidden outputs).
        sources: for data made by a hidden layer, the original input behind each pattern
            (N tuples); empty otherwise.
    """

    name: str
    inputs: tuple[tuple[float, ...], ...]
    targets: tuple[int, ...]
    description: str
    axes: tuple[str, str] = ("x1", "x2")
    sources: tuple[tuple[float, ...], ...] = ()


_BINARY = ((0, 0), (0, 1), (1, 0), (1, 1))

#: The workshop's problems. Gates list their inputs in counting order: 00, 01, 10, 11.
DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "seed-test", ((1, 2), (-1, 2), (0, -1)), (1, 0, 0),
            "Three points, no bias: p1 = [1, 2] is class 1, p2 = [-1, 2] and p3 = [0, -1] class 0.",
        ),
        Dataset("and", _BINARY, (0, 0, 0, 1), "AND: 1 only when both inputs are 1."),
        Dataset("or", _BINARY, (0, 1, 1, 1), "OR: 1 when at least one input is 1."),
        Dataset("nand", _BINARY, (1, 1, 1, 0), "NAND: 0 only when both inputs are 1."),
        Dataset("nor", _BINARY, (1, 0, 0, 0), "NOR: 1 only when both inputs are 0."),
        Dataset(
            "xor", _BINARY, (0, 1, 1, 0), "XOR: 1 when the inputs differ; no line separates it."
        ),
    )
}


# --------------------------------------------------------------------------- training


def train(
    inputs: Sequence[Sequence[float]], targets: Sequence[int], w0: Sequence[float],
    b0: float = 0.0, *, use_bias: bool = True, max_epochs: int = 20,
) -> Iterator[Update]:
    """Train from (w0, b0), yielding one Update per presentation.

    Args:
        inputs: the patterns, shape (N, n), presented in this order every epoch.
        targets: N targets in {0, 1}.
        w0: starting weights, shape (n,).
        b0: starting bias (kept fixed when `use_bias` is False).
        use_bias: whether the rule also learns the bias.
        max_epochs: the most epochs to run.

    Stops after the first complete epoch with no error (that clean epoch's records are
    yielded too, showing that nothing changes any more), or after `max_epochs` epochs.
    """
    patterns = [_vec(p) for p in inputs]
    labels = [int(t) for t in targets]
    if not patterns:
        raise ValueError("Training needs at least one pattern.")
    if len(patterns) != len(labels):
        raise ValueError(f"{len(patterns)} patterns but {len(labels)} targets.")
    if max_epochs < 1:
        raise ValueError(f"max_epochs must be at least 1, got {max_epochs}.")
    w, b = _vec(w0), _r(b0)
    index = 0
    for epoch in range(1, max_epochs + 1):
        errors = 0
        for k, (p, t) in enumerate(zip(patterns, labels)):
            record = update(w, b, p, t, use_bias=use_bias, index=index, epoch=epoch, pattern=k)
            yield record
            index += 1
            errors += record.changed
            w, b = record.w_after, record.b_after
        if errors == 0:
            return


@dataclass(frozen=True)
class TrainingRun:
    """A whole training run, collected.

    Attributes:
        updates: every presentation, in order.
        converged: True when the last epoch had no error.
        epochs: how many epochs ran.
        changes: how many presentations changed the weights (e != 0).
        final_w: the weights after the last presentation, length n.
        final_b: the bias after the last presentation.
    """

    updates: tuple[Update, ...]
    converged: bool
    epochs: int
    changes: int
    final_w: tuple[float, ...]
    final_b: float

    @property
    def epoch_errors(self) -> tuple[int, ...]:
        """How many patterns were wrong in each epoch, length `epochs`."""
        counts = [0] * self.epochs
        for u in self.updates:
            counts[u.epoch - 1] += u.changed
        return tuple(counts)


def run_training(
    inputs: Sequence[Sequence[float]], targets: Sequence[int], w0: Sequence[float],
    b0: float = 0.0, *, use_bias: bool = True, max_epochs: int = 20,
) -> TrainingRun:
    """Run `train` to the end and summarise it (same arguments as `train`)."""
    updates = tuple(train(inputs, targets, w0, b0, use_bias=use_bias, max_epochs=max_epochs))
    epochs = updates[-1].epoch
    converged = not any(u.changed for u in updates if u.epoch == epochs)
    return TrainingRun(
        updates=updates,
        converged=converged,
        epochs=epochs,
        changes=sum(u.changed for u in updates),
        final_w=updates[-1].w_after,
        final_b=updates[-1].b_after,
    )


def random_start(
    rng: np.random.Generator, *, low: float = -1.0, high: float = 1.0, decimals: int = 1
) -> tuple[tuple[float, float], float]:
    """Random starting weights and bias for a two-input unit: ((w1, w2), b).

    Each value is uniform in [low, high) and rounded to `decimals`, so a learner can follow
    the arithmetic by hand.
    """
    w1, w2, b = (round(float(v), decimals) + 0.0 for v in rng.uniform(low, high, size=3))
    return (w1, w2), b


# --------------------------------------------------------------------------- geometry


def boundary(
    w: Sequence[float], b: float, box: tuple[float, float, float, float] = (-0.5, 1.5, -0.5, 1.5)
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The part of the decision boundary w·p + b = 0 inside box (xmin, xmax, ymin, ymax).

    Returns the two end points, or None when w = 0 or the line misses the box.
    """
    return boundary_segment(w, -float(b), box)


def weight_arrow(
    w: Sequence[float], b: float, length: float = 0.5
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """An arrow ((x0, y0), (x1, y1)) for drawing the weight vector of a two-input unit.

    It starts at the boundary's point closest to the origin, -b·w/|w|², and points along w,
    scaled to `length`: it stands at right angles to the boundary and points to the side
    where a = 1. None when w = 0 (there is no boundary).
    """
    w1, w2 = float(w[0]), float(w[1])
    norm2 = w1 * w1 + w2 * w2
    if norm2 < 1e-24:
        return None
    scale = -float(b) / norm2
    x0, y0 = scale * w1, scale * w2
    step = length / math.sqrt(norm2)
    return (x0, y0), (x0 + step * w1, y0 + step * w2)


# --------------------------------------------------------------------------- two layers for XOR


@dataclass(frozen=True)
class Layer2Forward:
    """One pattern through a hand-wired two-layer perceptron.

    Attributes:
        p: the input pattern, length n.
        nets: the hidden units' net inputs followed by the output unit's, length k + 1.
        h: the hidden outputs, length k.
        y: the output unit's output.
    """

    p: tuple[float, ...]
    nets: tuple[float, ...]
    h: tuple[int, ...]
    y: int


#: Hidden units (w, b): an OR-like unit and a NAND-like unit.
XOR_HIDDEN: tuple[tuple[tuple[float, float], float], ...] = (
    ((1.0, 1.0), -0.5),  # OR: fires unless both inputs are 0
    ((-1.0, -1.0), 1.5),  # NAND: fires unless both inputs are 1
)
#: Output unit (w, b): an AND of the two hidden outputs.
XOR_OUTPUT: tuple[tuple[float, float], float] = ((1.0, 1.0), -1.5)


def two_layer_forward(
    p: Sequence[float],
    hidden: Sequence[tuple[Sequence[float], float]] = XOR_HIDDEN,
    output: tuple[Sequence[float], float] = XOR_OUTPUT,
) -> Layer2Forward:
    """Feed pattern p (length n) through hidden units [(w, b), ...] and one output unit.

    With the defaults this computes XOR = AND(OR(p), NAND(p)).
    """
    p_vec = _vec(p)
    hidden_nets = tuple(net_input(w, b, p_vec) for w, b in hidden)
    h = tuple(hardlim(n) for n in hidden_nets)
    out_w, out_b = output
    out_net = net_input(out_w, out_b, h)
    return Layer2Forward(p=p_vec, nets=hidden_nets + (out_net,), h=h, y=hardlim(out_net))


def hidden_dataset(
    inputs: Sequence[Sequence[float]] = _BINARY,
    targets: Sequence[int] = (0, 1, 1, 0),
    hidden: Sequence[tuple[Sequence[float], float]] = XOR_HIDDEN,
    name: str = "xor-hidden",
) -> Dataset:
    """The data set as the hidden layer sees it: each input replaced by its hidden outputs.

    With the defaults, XOR through the OR and NAND units: [0,0] → (0, 1), [0,1] and [1,0] →
    (1, 1), [1,1] → (1, 0). Unlike XOR itself, one line separates these points.
    """
    mapped = tuple(tuple(float(v) for v in two_layer_forward(p, hidden).h) for p in inputs)
    return Dataset(
        name, mapped, tuple(int(t) for t in targets),
        "XOR after the hidden OR and NAND units: the points (h1, h2); one line separates them.",
        axes=("h1", "h2"), sources=tuple(_vec(p) for p in inputs),
    )


DATASETS["xor-hidden"] = hidden_dataset()
