"""Predict questions on backpropagation through a small graph (`tutor.engines.autograd`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tutor.engines.autograd import Value
from tutor.quiz.predict import Generated
from tutor.text import format_number

#: The two-node graph, by (inner op, outer op), written as named steps so that q and f, which
#: the question may ask about, are defined in it (the playground reads this text as it is).
_CHAIN_TEXTS = {
    ("+", "*"): "q = x + y; f = q * z",
    ("*", "*"): "q = x * y; f = q * z",
    ("+", "+"): "q = x + y; f = q + z",
    ("*", "+"): "q = x * y; f = q + z",
}


def _slips(answer: float, candidates: Sequence[tuple[float, str]], tolerance: float) -> dict[float, str]:
    """The known wrong answers among `candidates`, as `Generated.mistakes`.

    A candidate is kept only when it is further than twice `tolerance` from the right answer
    and from every candidate kept before it, so each one grades wrong with its own message.
    """
    found: dict[float, str] = {}
    for value, message in candidates:
        value = round(value, 10) + 0.0
        if abs(value - answer) <= 2 * tolerance or any(abs(value - v) <= 2 * tolerance for v in found):
            continue
        found[value] = message
    return found


def _chain_slips(
    op1: str, op2: str, xs: Sequence[float], name: str, q: float, f: float, grad: float
) -> dict[float, str]:
    """The classic slips for ∂f/∂name in f = (x op1 y) op2 z, from the same numbers."""
    x, y, z = xs
    upstream = z if op2 == "*" else 1.0  # ∂f/∂q
    slips: list[tuple[float, str]] = []
    own_value = ("That is {0}'s own value: a multiply gate gives each input the value of the OTHER "
                 "input as its local gradient.")
    add_gate = ("That is {0}'s value, but an add gate passes the upstream gradient on unchanged, "
                "whatever the values of its inputs.")
    as_add = ("That treats the multiply gate like an add gate; the local gradient of a product "
              "is the other factor's value, not 1.")
    if name in ("x", "y"):
        own, other = (x, y) if name == "x" else (y, x)
        local = other if op1 == "*" else 1.0  # ∂q/∂name
        slips.append((local, f"That is only the inner gate's local gradient ∂q/∂{name}; multiply "
                             "it by the upstream gradient ∂f/∂q from the outer gate."))
        if op1 == "*":
            slips += [
                (upstream, f"That is the upstream gradient ∂f/∂q alone; the inner multiply gate "
                           f"still scales it by its local gradient on the way to {name}."),
                (upstream * own, own_value.format(name)),
            ]
        if op2 == "*":
            slips.append((local * q, "That used q's value as ∂f/∂q: the multiply gate f = q·z "
                                     "hands q the value of its other input."))
        slips.append((local + upstream, "That adds the local and upstream gradients; along a path "
                                        "they multiply: local × upstream."))
    elif op2 == "*":  # f = q·z: ∂f/∂z = q, ∂f/∂q = z
        slips += [({"z": z, "q": q}[name], own_value.format(name)), (1.0, as_add)]
    else:  # f = q + z: both get 1
        slips += [(q, add_gate.format("q")), (z, add_gate.format("z"))]
    slips.append((f, "That is f, the forward value; the question asks how fast f changes when "
                     f"{name} moves: its gradient."))
    return _slips(grad, slips, 1e-6)


def chain_problem(rng: Any, **params: Any) -> Generated:
    """"What gradient reaches {name}?" in f = (x op1 y) op2 z for random small integers.

    op1, op2 are each + or * (the seed's (x + y) * z is one of four shapes); x, y, z are
    nonzero integers in [-5, 5]; q = x op1 y; name is one of x, y, z, q. The answer (an integer)
    is ∂f/∂name. Template fields: expr (named steps, "q = x + y; f = q * z", so q and f are
    defined), values ("x = -2, y = 5, z = -4"), name, grad, q, f.
    Mistakes (`_chain_slips`): the local or the upstream gradient alone, the input's own value
    where a multiply gate swaps in the other's, local + upstream, and f itself.
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
        mistakes=_chain_slips(op1, op2, xs, name, q.data, f.data, grad),
    )


def sigmoid_local_problem(rng: Any, **params: Any) -> Generated:
    """"What is the local gradient of a sigmoid gate at z?" with z one decimal in [-3, 3].

    The answer is σ(z)(1 - σ(z)) rounded to 4 decimals, tolerance 5e-4. Template fields:
    z, s (σ(z), 4 decimals), ds (the answer, 4 decimals). Mistakes: σ itself, 1 - σ, the input
    put into z(1 - z), and σ(1 + σ).
    """
    z = int(rng.integers(-30, 31)) / 10
    node = Value(z, label="z")
    out = node.sigmoid()
    out.backward()
    s, ds = round(out.data, 4) + 0.0, round(node.grad, 4) + 0.0
    slips = _slips(ds, [
        (s, "That is σ, the gate's output itself; its local gradient multiplies that output "
            "by 1 minus it."),
        (round(1 - out.data, 4), "That is only 1 - σ; the local gradient is σ·(1 - σ): "
                                 "multiply by σ as well."),
        (round(z * (1 - z), 4), "That puts the gate's input into the shortcut; σ·(1 - σ) "
                                "uses the gate's output σ, not its input."),
        (round(out.data * (1 + out.data), 4), "That is σ·(1 + σ); the shortcut is "
                                              "σ·(1 - σ), with a minus."),
    ], 5e-4)
    return Generated(
        values={"z": format_number(z, 1), "s": f"{s:.4f}", "ds": f"{ds:.4f}"},
        kind="number",
        answer=ds,
        tolerance=5e-4,
        mistakes=slips,
    )
