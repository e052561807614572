"""Predict questions on backpropagation through a small graph (`tutor.engines.autograd`)."""

from __future__ import annotations

from typing import Any

from tutor.engines.autograd import Value
from tutor.quiz.predict import Generated
from tutor.text import format_number

#: The two shapes of a two-node graph, by (inner op, outer op): the expression text.
_CHAIN_TEXTS = {
    ("+", "*"): "(x + y) * z",
    ("*", "*"): "x * y * z",
    ("+", "+"): "x + y + z",
    ("*", "+"): "x * y + z",
}


def chain_problem(rng: Any, **params: Any) -> Generated:
    """"What gradient reaches {name}?" in f = (x op1 y) op2 z for random small integers.

    op1, op2 are each + or * (the seed's (x + y) * z is one of four shapes); x, y, z are
    nonzero integers in [-5, 5]; q = x op1 y; name is one of x, y, z, q. The answer (an integer)
    is ∂f/∂name. Template fields: expr, values ("x = -2, y = 5, z = -4"), name, grad, q, f.
    """
    op1, op2 = (str(rng.choice(["+", "*"])) for _ in range(2))
    digits = [v for v in range(-5, 6) if v]
    xs = [float(digits[int(rng.integers(len(digits)))]) for _ in range(3)]
    name = str(rng.choice(["x", "y", "z", "q"]))
    x, y, z = (Value(v, label=n) for v, n in zip(xs, "xyz"))
    q = x + y if op1 == "+" else x * y
    q.label = "q"
    f = q + z if op2 == "+" else q * z
    f.label = "f"
    f.backward()
    grad = {"x": x, "y": y, "z": z, "q": q}[name].grad + 0.0
    return Generated(
        values={
            "expr": _CHAIN_TEXTS[(op1, op2)],
            "values": ", ".join(f"{n} = {format_number(v, 4)}" for n, v in zip("xyz", xs)),
            "name": name, "grad": format_number(grad, 4), "q": format_number(q.data, 4),
            "f": format_number(f.data, 4),
        },
        kind="number",
        answer=grad,
        tolerance=1e-6,
    )


def sigmoid_local_problem(rng: Any, **params: Any) -> Generated:
    """"What is the local gradient of a sigmoid gate at z?" with z one decimal in [-3, 3].

    The answer is σ(z)(1 - σ(z)) rounded to 4 decimals, tolerance 5e-4. Template fields:
    z, s (σ(z), 4 decimals), ds (the answer, 4 decimals).
    """
    z = int(rng.integers(-30, 31)) / 10
    node = Value(z, label="z")
    out = node.sigmoid()
    out.backward()
    s, ds = round(out.data, 4) + 0.0, round(node.grad, 4) + 0.0
    return Generated(
        values={"z": format_number(z, 1), "s": f"{s:.4f}", "ds": f"{ds:.4f}"},
        kind="number",
        answer=ds,
        tolerance=5e-4,
    )
