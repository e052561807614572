"""A micrograd-sized scalar autograd: `Value` nodes that remember how they were made, and backprop.

Every operation builds a new `Value` whose `_prev` holds its operands (in order) and whose `_op`
names the operation, and defines its local derivatives right next to its forward rule. Calling
`backward(root)` walks the graph from the output to the inputs in reverse topological order,
seeds ``∂root/∂root = 1`` and multiplies each node's gradient by the local derivatives of the
operation that produced it (the chain rule). A value used twice receives both contributions::

    x, y, z = Value(-2, label="x"), Value(5, label="y"), Value(-4, label="z")
    q = x + y             # q = 3
    f = q * z             # f = -12
    f.backward()          # ∂f/∂z = q = 3, ∂f/∂q = z = -4, ∂f/∂x = ∂f/∂y = -4

For a viewer, `trace` turns the graph into frozen records (`Graph`, `GraphNode`) of plain
floats; `tutor.engines.autograd_steps` records the computation one node (or one edge) at a
time (numbers only: the formulas a scene writes are built in `tutor.graph_layout.formulas`). Nothing here prints or imports a UI library, and NumPy is loaded
only by `numerical_gradient` (through `tutor.engines.gradcheck`).

Errors a learner can cause are one line: division by zero raises `ZeroDivisionError`, log of a
non-positive number raises `ValueError`, and any result (value or gradient) that would not be a
finite float raises `OverflowError`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Union


__all__ = [
    "Graph",
    "GraphNode",
    "OPS",
    "Value",
    "backward",
    "format_number",
    "gradients",
    "local_gradient",
    "node_numerical_gradient",
    "numerical_gradient",
    "reuse_example",
    "seed_chain_example",
    "seed_sigmoid_neuron",
    "sigmoid",
    "topological_order",
    "trace",
]

#: Every `_op` a Value can carry ("" is a leaf: an input or a constant).
OPS: tuple[str, ...] = ("", "+", "*", "-", "/", "**", "neg", "exp", "log", "sigmoid", "tanh", "relu")

#: The unary operations written as a function call in formulas: exp(r).
_FUNCTION_OPS = ("exp", "log", "sigmoid", "tanh", "relu")

Number = Union[int, float]


def _finite(x: float, what: str) -> float:
    """x as a float, or OverflowError when it is inf or nan (one line, naming `what`)."""
    x = float(x)
    if not math.isfinite(x):
        raise OverflowError(f"the value overflowed in {what}")
    return x


def sigmoid(x: float) -> float:
    """The logistic function 1 / (1 + e^-x), computed without overflow for any finite x."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def format_number(x: float, decimals: int = 4) -> str:
    """A number as formulas show it: -2, 0.7311, 3 (at most `decimals` decimals, no trailing 0s)."""
    text = f"{x:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "", "+0") else text


# --------------------------------------------------------------------------- the Value node


class Value:
    """One scalar in a computation graph, with the gradient of the graph's output with respect to it.

    Attributes:
        data: the value, a finite Python float.
        grad: ∂root/∂self after `backward(root)`; 0.0 until then.
        label: the name shown in a graph (variable names for leaves, "" otherwise); settable.
        _prev: the operands this value was computed from, in order (() for a leaf).
        _op: the operation that made it: "" for leaves, else one of OPS.
        _exponent: the number exponent of a "**" node (None otherwise).
        _backward: adds this node's gradient times each local derivative into its operands.
    """

    __slots__ = ("data", "grad", "label", "_prev", "_op", "_exponent", "_local", "_backward",
                 "_has_grad")

    def __init__(
        self, data: Number, _children: tuple[Value, ...] = (), _op: str = "", label: str = ""
    ) -> None:
        """A leaf (or, from the operations, an inner node). Raises ValueError for inf or nan."""
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise TypeError(f"A Value holds a number, got {type(data).__name__}.")
        data = float(data)
        if not math.isfinite(data):
            raise ValueError(f"A Value must be a finite number, got {data}.")
        self.data: float = data
        self.grad: float = 0.0
        self.label: str = label
        self._prev: tuple[Value, ...] = tuple(_children)
        self._op: str = _op
        self._exponent: float | None = None
        #: Returns the local derivatives (∂self/∂operand for each operand, in order).
        self._local: Callable[[], tuple[float, ...]] = lambda: ()
        self._backward: Callable[[], None] = lambda: None
        self._has_grad: bool = False  # set by backward(): the grad is computed, not just 0.0

    def __repr__(self) -> str:
        """Value(data=3.0, grad=-4.0, label='q')."""
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # The one place where each operation's chain-rule step is wired: out._local gives the
    # local derivatives, and _backward adds local · out.grad into every operand.
    def _node(self, data: float, children: tuple[Value, ...], op: str,
              local: Callable[[], tuple[float, ...]]) -> Value:
        """A new inner node `op(children) = data` whose backward step uses `local`."""
        out = Value(_finite(data, _op_text(op, children)), children, op)
        out._local = local

        def _backward() -> None:
            for child, d in zip(out._prev, out._local()):
                child.grad = _finite(child.grad + d * out.grad, "a gradient")

        out._backward = _backward
        return out

    # --- binary operations -----------------------------------------------------------------

    def __add__(self, other: Value | Number) -> Value:
        """self + other; ∂/∂self = 1, ∂/∂other = 1."""
        other = _as_value(other)
        return self._node(self.data + other.data, (self, other), "+", lambda: (1.0, 1.0))

    def __mul__(self, other: Value | Number) -> Value:
        """self · other; ∂/∂self = other, ∂/∂other = self."""
        other = _as_value(other)
        return self._node(self.data * other.data, (self, other), "*",
                          lambda: (other.data, self.data))

    def __sub__(self, other: Value | Number) -> Value:
        """self - other; ∂/∂self = 1, ∂/∂other = -1."""
        other = _as_value(other)
        return self._node(self.data - other.data, (self, other), "-", lambda: (1.0, -1.0))

    def __truediv__(self, other: Value | Number) -> Value:
        """self / other; ∂/∂self = 1/other, ∂/∂other = -self/other². ZeroDivisionError at 0."""
        other = _as_value(other)
        if other.data == 0:
            raise ZeroDivisionError(f"division by zero ({format_number(self.data)} / 0)")
        return self._node(self.data / other.data, (self, other), "/",
                          lambda: (1.0 / other.data, -self.data / other.data**2))

    def __pow__(self, exponent: Number) -> Value:
        """self ** n for a number n; ∂/∂self = n · self^(n-1).

        Raises:
            TypeError: when n is not a plain number.
            ZeroDivisionError: 0 to a negative power, or a power below 1 at 0 (no slope there).
            ValueError: a negative number to a fractional power (not a real number).
            OverflowError: when the result is too large.
        """
        if isinstance(exponent, bool) or not isinstance(exponent, (int, float)):
            raise TypeError("Only a number exponent is supported: x ** 2, not x ** y.")
        n = _finite(exponent, "an exponent")
        x = self.data
        if x == 0 and n < 0:
            raise ZeroDivisionError(f"division by zero (0 to the power {format_number(n)})")
        if x == 0 and 0 < n < 1:
            raise ZeroDivisionError(f"0 to the power {format_number(n)} has no slope")
        if x < 0 and not n.is_integer():
            raise ValueError(
                f"a negative number to a fractional power is not real "
                f"({format_number(x)} ** {format_number(n)})"
            )
        try:
            data = x**n
        except OverflowError:
            raise OverflowError(f"the value overflowed in {format_number(x)} ** {format_number(n)}") from None
        out = self._node(data, (self,), "**",
                         lambda: (0.0 if n == 0 else n * x ** (n - 1),))
        out._exponent = n
        return out

    def __neg__(self) -> Value:
        """-self; ∂/∂self = -1."""
        return self._node(-self.data, (self,), "neg", lambda: (-1.0,))

    def __radd__(self, other: Number) -> Value:
        """other + self for a number other."""
        return _as_value(other) + self

    def __rmul__(self, other: Number) -> Value:
        """other · self for a number other."""
        return _as_value(other) * self

    def __rsub__(self, other: Number) -> Value:
        """other - self for a number other."""
        return _as_value(other) - self

    def __rtruediv__(self, other: Number) -> Value:
        """other / self for a number other (so 1 / v is a "/" node with a constant leaf 1)."""
        return _as_value(other) / self

    # --- functions ---------------------------------------------------------------------------

    def exp(self) -> Value:
        """e^self; ∂/∂self = e^self. OverflowError above about 709."""
        try:
            data = math.exp(self.data)
        except OverflowError:
            raise OverflowError(f"the value overflowed in exp({format_number(self.data)})") from None
        out = self._node(data, (self,), "exp", lambda: (out.data,))
        return out

    def log(self) -> Value:
        """The natural log; ∂/∂self = 1/self. ValueError for self <= 0."""
        if self.data <= 0:
            raise ValueError(f"log needs a positive number, got {format_number(self.data)}")
        return self._node(math.log(self.data), (self,), "log", lambda: (1.0 / self.data,))

    def sigmoid(self) -> Value:
        """σ(self) = 1 / (1 + e^-self); ∂/∂self = σ(1 - σ)."""
        out = self._node(sigmoid(self.data), (self,), "sigmoid",
                         lambda: (out.data * (1.0 - out.data),))
        return out

    def tanh(self) -> Value:
        """tanh(self); ∂/∂self = 1 - tanh²."""
        out = self._node(math.tanh(self.data), (self,), "tanh", lambda: (1.0 - out.data**2,))
        return out

    def relu(self) -> Value:
        """max(0, self); ∂/∂self = 1 for self > 0, else 0 (0 at exactly 0, by convention)."""
        return self._node(max(0.0, self.data), (self,), "relu",
                          lambda: (1.0 if self.data > 0 else 0.0,))

    def backward(self) -> None:
        """Backpropagate from this value: see `backward`."""
        backward(self)


def _as_value(x: Value | Number) -> Value:
    """x itself when it is a Value, else a constant leaf (label "")."""
    return x if isinstance(x, Value) else Value(x)


def _op_text(op: str, children: tuple[Value, ...]) -> str:
    """A short text of an operation on numbers, for an overflow message: "1e+308 * 10"."""
    nums = [format_number(c.data) if abs(c.data) < 1e15 else f"{c.data:.3g}" for c in children]
    if op in _FUNCTION_OPS:
        return f"{op}({nums[0]})"
    if op == "neg":
        return f"-{nums[0]}"
    return f" {op} ".join(nums)


# --------------------------------------------------------------------------- backprop


def topological_order(root: Value) -> list[Value]:
    """Every node `root` depends on, each once, operands before their consumers (root last).

    Iterative depth-first search, so long chains do not hit Python's recursion limit.
    """
    order: list[Value] = []
    seen: set[int] = set()
    stack: list[tuple[Value, int]] = [(root, 0)]
    while stack:
        node, i = stack.pop()
        if i == 0:
            if id(node) in seen:
                continue
            seen.add(id(node))
        if i < len(node._prev):
            stack.append((node, i + 1))
            child = node._prev[i]
            if id(child) not in seen:
                stack.append((child, 0))
        else:
            order.append(node)
    return order


def backward(root: Value) -> None:
    """Fill `.grad` of every node under `root` with ∂root/∂node.

    Resets all gradients in the graph to 0, seeds root.grad = 1, then runs each node's
    `_backward` in reverse topological order, so contributions ADD where a value is used twice.

    Raises:
        OverflowError: when a gradient would not be finite.
    """
    order = topological_order(root)
    for node in order:
        node.grad = 0.0
        node._has_grad = False
    root.grad = 1.0
    for node in reversed(order):
        node._backward()
    for node in order:
        node._has_grad = True


def gradients(root: Value) -> list[float]:
    """∂root/∂node for every node of `topological_order(root)`, without touching `.grad`.

    Raises:
        OverflowError: when a gradient would not be finite.
    """
    order = topological_order(root)
    ids = _ids(order)
    grads = [0.0] * len(order)
    grads[-1] = 1.0
    for k in range(len(order) - 1, -1, -1):
        for j, child in enumerate(order[k]._prev):
            c = ids[id(child)]
            grads[c] = _finite(grads[c] + local_gradient(order[k], j) * grads[k], "a gradient")
    return grads


def _replay(root: Value, target: int, shift: float) -> float:
    """root's value when node `target` (an index into its topological order) is moved by shift.

    Every node after `target` is computed again from its operands by the same operation.
    """
    order = topological_order(root)
    ids = _ids(order)
    new: list[Value] = []
    for i, v in enumerate(order):
        if i == target:
            new.append(Value(v.data + shift))
            continue
        if not v._prev:
            new.append(Value(v.data))
            continue
        args = [new[ids[id(c)]] for c in v._prev]
        if v._op in _FUNCTION_OPS:
            out = getattr(args[0], v._op)()
        elif v._op == "neg":
            out = -args[0]
        elif v._op == "**":
            out = args[0] ** float(v._exponent or 0.0)
        else:
            a, b = args
            out = {"+": a.__add__, "*": a.__mul__, "-": a.__sub__, "/": a.__truediv__}[v._op](b)
        new.append(out)
    return new[-1].data


def node_numerical_gradient(root: Value, node: int, h: float = 1e-5) -> float:
    """The central difference (f(n + h) - f(n - h)) / 2h for any node n of the graph under root.

    `node` is an index into `topological_order(root)` (a `GraphNode.id`); the node's value is
    moved by ±h and everything after it is computed again, so this checks the gradient the
    backward pass gives an inner node (q in f = q·z) as well as an input's.

    Raises:
        IndexError: when there is no such node.
        ZeroDivisionError, ValueError, OverflowError: when a nudged value leaves the domain.
    """
    size = len(topological_order(root))
    if not 0 <= node < size:
        raise IndexError(f"the graph has {size} nodes, no node {node}")
    return (_replay(root, node, h) - _replay(root, node, -h)) / (2 * h)


def local_gradient(node: Value, operand_index: int) -> float:
    """∂node/∂operand for `node._prev[operand_index]`, at the current values.

    Raises:
        IndexError: when the node has no such operand (a leaf has none).
    """
    if not 0 <= operand_index < len(node._prev):
        raise IndexError(
            f"node {node._op or 'leaf'!r} has {len(node._prev)} operands, "
            f"no operand {operand_index}"
        )
    return float(node._local()[operand_index])


def numerical_gradient(
    fn: Callable[[dict[str, float]], Value | float],
    values: Mapping[str, float],
    name: str,
    h: float = 1e-6,
) -> float:
    """The central difference (fn(v + h e_name) - fn(v - h e_name)) / 2h.

    The named-inputs form of `tutor.engines.gradcheck.numerical_gradient` (only `name` is nudged).

    Args:
        fn: a function of named inputs (a dict name -> float) returning a Value or a number.
        values: the point, name -> float.
        name: the input to nudge.
        h: the step.

    Raises:
        KeyError: when `name` is not one of the inputs.
    """
    from tutor.engines import gradcheck  # NumPy, only when a gradient is checked

    names = list(values)
    index = names.index(name) if name in values else None
    if index is None:
        raise KeyError(name)

    def f(point: object) -> float:
        out = fn(dict(zip(names, point.tolist())))  # type: ignore[attr-defined]
        return float(out.data if isinstance(out, Value) else out)

    point = [float(values[k]) for k in names]
    return float(gradcheck.numerical_gradient(f, point, h, indices=[index])[index])


# --------------------------------------------------------------------------- records for a viewer


@dataclass(frozen=True)
class GraphNode:
    """One node of a traced graph.

    Attributes:
        id: its index in topological order (stable for one graph: inputs first, output last).
        label: its name ("" for constants and unnamed inner nodes).
        op: the operation that made it ("" for leaves), one of OPS.
        value: its value.
        grad: ∂output/∂node, or None when not computed yet.
        inputs: the ids of its operands, in order (() for a leaf).
        is_leaf: whether it is an input or a constant (no operands).
        exponent: the number exponent of a "**" node (None otherwise).
    """

    id: int
    label: str
    op: str
    value: float
    grad: float | None
    inputs: tuple[int, ...]
    is_leaf: bool
    exponent: float | None = None


@dataclass(frozen=True)
class Graph:
    """A frozen picture of a computation graph.

    Attributes:
        nodes: the nodes in topological order (node i has id i), the output last.
        output: the id of the output node (len(nodes) - 1).
    """

    nodes: tuple[GraphNode, ...]
    output: int


def _ids(order: list[Value]) -> dict[int, int]:
    """Python id of each Value -> its index in `order`."""
    return {id(v): i for i, v in enumerate(order)}


def trace(root: Value, with_grads: bool = True) -> Graph:
    """The graph under `root` as a `Graph` of plain floats.

    A node's grad is reported only when `with_grads` is True and `backward` has filled it
    (so before backward every grad is None, never a misleading 0).
    """
    order = topological_order(root)
    ids = _ids(order)
    nodes = tuple(
        GraphNode(
            id=i, label=v.label, op=v._op, value=v.data,
            grad=(v.grad if with_grads and v._has_grad else None),
            inputs=tuple(ids[id(c)] for c in v._prev), is_leaf=not v._prev,
            exponent=v._exponent,
        )
        for i, v in enumerate(order)
    )
    return Graph(nodes=nodes, output=len(nodes) - 1)


# --------------------------------------------------------------------------- the seed's graphs


def seed_chain_example() -> tuple[Value, dict[str, Value]]:
    """f = (x + y) · z with x = -2, y = 5, z = -4: q = 3, f = -12 (the seed's first graph).

    Returns:
        (f, {"x": x, "y": y, "z": z, "q": q}) with q labelled "q" and f labelled "f".
        After backward: ∂f/∂z = 3, ∂f/∂q = -4, ∂f/∂x = ∂f/∂y = -4.
    """
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return f, {"x": x, "y": y, "z": z, "q": q}


def seed_sigmoid_neuron() -> tuple[Value, dict[str, Value]]:
    """The seed's sigmoid neuron z = 1 / (1 + e^-(w0·x0 + w1·x1 + w2)), gate by gate.

    q = w0·x0, p = w1·x1, s = q + p, t = w2 + s, r = -t, u = exp(r), v = u + 1, z = 1 / v,
    with w0 = 2, x0 = -1, w1 = -3, x1 = -2, w2 = -3 (so t = 1 and z = σ(1) ≈ 0.7311).
    After backward: ∂z/∂w0 ≈ -0.1966, ∂z/∂x0 ≈ 0.3932, ∂z/∂w1 ≈ -0.3932, ∂z/∂x1 ≈ -0.5898,
    ∂z/∂w2 ≈ 0.1966. The constants 1 in v = u + 1 and z = 1 / v are unlabelled leaves.

    Returns:
        (z, {"w0", "x0", "w1", "x1", "w2": the inputs, and "q" ... "v": the inner nodes}).
    """
    w0, x0 = Value(2.0, label="w0"), Value(-1.0, label="x0")
    w1, x1 = Value(-3.0, label="w1"), Value(-2.0, label="x1")
    w2 = Value(-3.0, label="w2")
    nodes: dict[str, Value] = {"w0": w0, "x0": x0, "w1": w1, "x1": x1, "w2": w2}
    nodes["q"] = w0 * x0
    nodes["p"] = w1 * x1
    nodes["s"] = nodes["q"] + nodes["p"]
    nodes["t"] = w2 + nodes["s"]
    nodes["r"] = -nodes["t"]
    nodes["u"] = nodes["r"].exp()
    nodes["v"] = nodes["u"] + 1
    z = 1 / nodes["v"]
    for name, node in nodes.items():
        node.label = name
    z.label = "z"
    return z, nodes


def reuse_example() -> tuple[Value, dict[str, Value]]:
    """f = a·b + a with a = 3, b = -2: a is used twice, so its gradient is b + 1 = -1.

    Returns:
        (f, {"a": a, "b": b, "m": m}) where m = a·b = -6 is labelled "m" and f = -3 "f".
        After backward: ∂f/∂a = -1 (from -2 via m, plus 1 directly), ∂f/∂b = 3, ∂f/∂m = 1.
    """
    a, b = Value(3.0, label="a"), Value(-2.0, label="b")
    m = a * b
    m.label = "m"
    f = m + a
    f.label = "f"
    return f, {"a": a, "b": b, "m": m}
