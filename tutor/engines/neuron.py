"""The McCulloch-Pitts threshold unit: fixed weights, a threshold, an output of 0 or 1.

The unit fires (outputs 1) only when the weighted sum of its inputs is strictly greater than
its threshold; a sum equal to the threshold gives 0. Nothing here learns: the weights are set
by hand, which is exactly what separates this 1943 unit from Rosenblatt's perceptron.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tutor.engines.records import to_numpy

#: Boolean functions of two inputs (x1, x2) a single unit may be asked to compute.
GATES: dict[str, tuple[int, int, int, int]] = {
    # outputs for inputs (0,0), (0,1), (1,0), (1,1)
    "AND": (0, 0, 0, 1),
    "OR": (0, 1, 1, 1),
    "NAND": (1, 1, 1, 0),
    "NOR": (1, 0, 0, 0),
    "XOR": (0, 1, 1, 0),
    "A": (0, 0, 1, 1),
    "B": (0, 1, 0, 1),
    "NOT A": (1, 1, 0, 0),
    "NOT B": (1, 0, 1, 0),
}


@dataclass(frozen=True)
class TruthRow:
    """One input pattern and what the unit does with it.

    Attributes:
        inputs: the binary input pattern, length n.
        products: w_j * x_j for each input, length n.
        weighted_sum: sum of the products.
        output: 1 when weighted_sum > threshold, else 0.
        target: what the chosen gate wants for this pattern, or None without a gate.
    """

    inputs: tuple[int, ...]
    products: tuple[float, ...]
    weighted_sum: float
    output: int
    target: int | None

    @property
    def correct(self) -> bool | None:
        """Whether the output equals the target (None without a target)."""
        return None if self.target is None else self.output == self.target


@dataclass(frozen=True)
class TruthTable:
    """A unit's behaviour on every binary input pattern, compared with a gate if given."""

    weights: tuple[float, ...]
    threshold: float
    gate: str | None
    rows: tuple[TruthRow, ...]

    @property
    def matches(self) -> bool | None:
        """True when every row meets its target (None without a gate)."""
        if self.gate is None:
            return None
        return all(row.correct for row in self.rows)

    @property
    def errors(self) -> int:
        """How many rows miss their target (0 without a gate)."""
        return sum(1 for row in self.rows if row.correct is False)


def binary_inputs(n: int, xp: Any = np) -> Any:
    """All 2**n binary input patterns, shape (2**n, n), in counting order (00, 01, 10, 11)."""
    codes = xp.arange(2**n)[:, None]  # (2**n, 1)
    shifts = xp.arange(n - 1, -1, -1)[None, :]  # (1, n), most significant input first
    return (codes >> shifts) & 1


def threshold_unit(x: Any, weights: Any, threshold: float, xp: Any = np) -> Any:
    """Outputs of the unit for a batch of inputs.

    Args:
        x: inputs, shape (N, n) (or (n,) for one pattern).
        weights: shape (n,).
        threshold: the firing threshold; a sum equal to it does not fire.

    Returns:
        Integer outputs in {0, 1}, shape (N,) (or a 0-d array for one pattern).
    """
    s = xp.asarray(x, dtype=float) @ xp.asarray(weights, dtype=float)
    return (s > threshold).astype(int)


def truth_table(
    weights: tuple[float, ...] | list[float], threshold: float, gate: str | None = None, xp: Any = np
) -> TruthTable:
    """Evaluate the unit on every binary pattern of len(weights) inputs.

    A gate (a key of GATES) supplies targets; gates are defined for two inputs only.
    """
    n = len(weights)
    if gate is not None and (gate not in GATES or n != 2):
        raise ValueError(f"gate {gate!r} needs two inputs and one of {', '.join(GATES)}")
    x = binary_inputs(n, xp)  # (2**n, n)
    w = xp.asarray(weights, dtype=float)  # (n,)
    products = x * w[None, :]  # (2**n, n)
    sums = products.sum(axis=1)  # (2**n,)
    outputs = (sums > threshold).astype(int)
    # Records hold plain Python numbers so any scene or test can read them.
    x_host, p_host, s_host, o_host = (_host(a) for a in (x, products, sums, outputs))
    targets = GATES[gate] if gate is not None else (None,) * len(o_host)
    rows = tuple(
        TruthRow(
            inputs=tuple(int(v) for v in x_host[i]),
            products=tuple(float(v) for v in p_host[i]),
            weighted_sum=float(s_host[i]),
            output=int(o_host[i]),
            target=targets[i],
        )
        for i in range(len(o_host))
    )
    return TruthTable(tuple(float(v) for v in weights), float(threshold), gate, rows)


def boundary_segment(
    weights: tuple[float, float] | list[float], threshold: float,
    box: tuple[float, float, float, float] = (-0.5, 1.5, -0.5, 1.5),
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The part of the line w1*x1 + w2*x2 = threshold inside box (xmin, xmax, ymin, ymax).

    Returns the two end points ((x, y), (x, y)), or None when both weights are 0 or the line
    misses the box. The unit fires on the side the weight vector points to.
    """
    w1, w2 = float(weights[0]), float(weights[1])
    xmin, xmax, ymin, ymax = box
    points: list[tuple[float, float]] = []
    if abs(w2) > 1e-12:  # crossings of the left and right edges
        for x in (xmin, xmax):
            y = (threshold - w1 * x) / w2
            if ymin - 1e-9 <= y <= ymax + 1e-9:
                points.append((x, y))
    if abs(w1) > 1e-12:  # crossings of the bottom and top edges
        for y in (ymin, ymax):
            x = (threshold - w2 * y) / w1
            if xmin - 1e-9 <= x <= xmax + 1e-9:
                points.append((x, y))
    unique: list[tuple[float, float]] = []
    for point in points:
        if all(abs(point[0] - q[0]) + abs(point[1] - q[1]) > 1e-9 for q in unique):
            unique.append(point)
    if len(unique) < 2:
        return None
    return unique[0], unique[1]


_host = to_numpy
