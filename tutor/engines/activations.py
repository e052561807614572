"""Activation functions and their derivatives, softmax and the cross-entropy loss.

Every activation here is vectorised on an `xp` array (NumPy or CuPy) and comes with its
derivative, written next to it::

    sigmoid(x)    = 1 / (1 + e^-x)            sigmoid'(x)    = σ(x)·(1 - σ(x))
    tanh(x)       = (e^x - e^-x)/(e^x + e^-x) tanh'(x)       = 1 - tanh(x)²
    relu(x)       = max(0, x)                 relu'(x)       = 1 if x > 0 else 0
    leaky_relu(x) = x if x > 0 else slope·x   leaky_relu'(x) = 1 if x > 0 else slope
    elu(x)        = x if x > 0 else α(e^x - 1) elu'(x)       = 1 if x > 0 else α·e^x
    step(x)       = 1 if x >= 0 else 0        step'(x)       = 0 (undefined at 0: we say 0)

At a kink (x = 0 for relu, leaky_relu, elu and step) the derivative returned is the left one.

Softmax turns K scores (logits) into probabilities, ``p_k = e^{z_k} / Σ_j e^{z_j}``. The
stable version subtracts max(z) first (the result is the same, since softmax is unchanged by
adding a constant to every logit), so logits like [1000, 1001, 999] work; `softmax_naive`
does not, and returns nan/inf to show why. The cross-entropy loss of the true class y is
``H = -ln p_y``, and its gradient with respect to the logits is simply ``p - onehot(y)``.
Nothing here prints or imports a UI library.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


__all__ = [
    "Activation",
    "FUNCTIONS",
    "CLASS_NAMES",
    "cross_entropy",
    "elu",
    "elu_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "maxout",
    "maxout_grad",
    "onehot",
    "relu",
    "relu_grad",
    "saturation_profile",
    "sigmoid",
    "sigmoid_grad",
    "softmax",
    "softmax_cross_entropy_grad",
    "softmax_naive",
    "step",
    "step_grad",
    "tanh",
    "tanh_grad",
]

#: Names of the classes in softmax problems, index 0, 1, 2 -> "A", "B", "C" (as in the seed).
CLASS_NAMES: tuple[str, ...] = ("A", "B", "C")

#: The smallest probability `cross_entropy` takes a log of, so the loss stays finite.
PROB_FLOOR = 1e-15


def _f(x: Any, xp: Any) -> Any:
    """x as a float xp array (a 0-d array for a number)."""
    return xp.asarray(x, dtype=float)


# --------------------------------------------------------------------------- activations


def sigmoid(x: Any, xp: Any = np) -> Any:
    """The logistic sigmoid 1 / (1 + e^-x), in (0, 1); x of any shape, result the same shape.

    Computed as (1 + tanh(x/2)) / 2, which equals it and never overflows.
    """
    return 0.5 * (1.0 + xp.tanh(0.5 * _f(x, xp)))


def sigmoid_grad(x: Any, xp: Any = np) -> Any:
    """σ'(x) = σ(x)·(1 - σ(x)), at most 0.25 (at x = 0); x of any shape."""
    s = sigmoid(x, xp=xp)
    return s * (1.0 - s)


def tanh(x: Any, xp: Any = np) -> Any:
    """The hyperbolic tangent, in (-1, 1); x of any shape."""
    return xp.tanh(_f(x, xp))


def tanh_grad(x: Any, xp: Any = np) -> Any:
    """tanh'(x) = 1 - tanh(x)², at most 1 (at x = 0); x of any shape."""
    t = xp.tanh(_f(x, xp))
    return 1.0 - t * t


def relu(x: Any, xp: Any = np) -> Any:
    """The rectified linear unit max(0, x); x of any shape."""
    return xp.maximum(_f(x, xp), 0.0)


def relu_grad(x: Any, xp: Any = np) -> Any:
    """relu'(x) = 1 for x > 0, else 0 (0 at the kink x = 0); x of any shape."""
    return (_f(x, xp) > 0).astype(float)


def leaky_relu(x: Any, slope: float = 0.1, xp: Any = np) -> Any:
    """x for x > 0, slope·x otherwise; x of any shape."""
    x = _f(x, xp)
    return xp.where(x > 0, x, slope * x)


def leaky_relu_grad(x: Any, slope: float = 0.1, xp: Any = np) -> Any:
    """1 for x > 0, slope otherwise (slope at the kink); x of any shape."""
    x = _f(x, xp)
    return xp.where(x > 0, 1.0, float(slope))


def elu(x: Any, alpha: float = 1.0, xp: Any = np) -> Any:
    """The exponential linear unit: x for x > 0, alpha·(e^x - 1) otherwise; x of any shape."""
    x = _f(x, xp)
    return xp.where(x > 0, x, alpha * (xp.exp(xp.minimum(x, 0.0)) - 1.0))


def elu_grad(x: Any, alpha: float = 1.0, xp: Any = np) -> Any:
    """1 for x > 0, alpha·e^x otherwise (alpha at the kink); x of any shape."""
    x = _f(x, xp)
    return xp.where(x > 0, 1.0, alpha * xp.exp(xp.minimum(x, 0.0)))


def step(x: Any, xp: Any = np) -> Any:
    """The step (hard limit): 1.0 where x >= 0, else 0.0; x of any shape."""
    return (_f(x, xp) >= 0).astype(float)


def step_grad(x: Any, xp: Any = np) -> Any:
    """0 everywhere (undefined at 0, where we also return 0): no gradient flows; x of any shape."""
    return xp.zeros_like(_f(x, xp))


@dataclass(frozen=True)
class Activation:
    """One activation function, with its derivative, its formula and its range.

    Attributes:
        name: the key in FUNCTIONS.
        f: the function, f(x, xp=np) on an array of any shape.
        df: its derivative, df(x, xp=np), same shape.
        formula: one line of text, e.g. "σ(x) = 1 / (1 + e^-x)".
        range: the output range as text, e.g. "(0, 1)".

    What a lesson says about its behaviour is the activations scene's (`tutor.scenes.activations`).
    """

    name: str
    f: Callable[..., Any]
    df: Callable[..., Any]
    formula: str
    range: str

    @property
    def range_text(self) -> str:
        """The output range as text (same as `range`)."""
        return self.range


#: The activation functions a scene can plot, in menu order. (The names a network layer may use
#: are `tutor.engines.spec.ACTIVATIONS`, computed by `tutor.engines.layers`.)
FUNCTIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", sigmoid, sigmoid_grad, "σ(x) = 1 / (1 + e^-x)", "(0, 1)"),
        Activation("tanh", tanh, tanh_grad, "tanh(x) = (e^x - e^-x) / (e^x + e^-x)", "(-1, 1)"),
        Activation("relu", relu, relu_grad, "relu(x) = max(0, x)", "[0, ∞)"),
        Activation(
            "leaky_relu", leaky_relu, leaky_relu_grad, "leaky_relu(x) = x if x > 0 else 0.1·x",
            "(-∞, ∞)",
        ),
        Activation("elu", elu, elu_grad, "elu(x) = x if x > 0 else e^x - 1", "(-1, ∞)"),
        Activation("step", step, step_grad, "step(x) = 1 if x >= 0 else 0", "{0, 1}"),
    )
}


def saturation_profile(name: str, xs: Any, xp: Any = np) -> Any:
    """The derivative of activation `name` at xs (any shape): where it is near 0, gradients vanish.

    Raises:
        KeyError: when `name` is not in FUNCTIONS (the message lists the known names).
    """
    try:
        activation = FUNCTIONS[name]
    except KeyError:
        raise KeyError(
            f"Unknown activation {name!r}; known: {', '.join(FUNCTIONS)}."
        ) from None
    return activation.df(xs, xp=xp)


def maxout(x: Any, w1: float, b1: float, w2: float, b2: float, xp: Any = np) -> Any:
    """Maxout of two lines for scalar inputs: max(w1·x + b1, w2·x + b2); x of any shape."""
    x = _f(x, xp)
    return xp.maximum(w1 * x + b1, w2 * x + b2)


def maxout_grad(x: Any, w1: float, b1: float, w2: float, b2: float, xp: Any = np) -> Any:
    """d maxout / dx: w1 where the first line is the larger (ties go to it), else w2; x any shape."""
    x = _f(x, xp)
    return xp.where(w1 * x + b1 >= w2 * x + b2, float(w1), float(w2))


# --------------------------------------------------------------------------- softmax


def _module_of(z: Any) -> Any:
    """The array module of z: CuPy for a CuPy array, else NumPy (CuPy is never imported otherwise)."""
    if type(z).__module__.startswith("cupy"):
        import cupy  # noqa: PLC0415 - only reached when the caller already uses CuPy

        return cupy
    return np


def _floating(z: Any, xp: Any) -> Any:
    """z as an xp array of floats, keeping a floating dtype it already has (float32 stays)."""
    z = xp.asarray(z)
    return z if z.dtype.kind == "f" else z.astype(float)


def shifted_exponentials(z: Any, xp: Any = None) -> Any:
    """e^(z - max z) along the last axis, shape of z: what the stable softmax normalises.

    The largest entry is e^0 = 1 and every other one is below 1, so nothing overflows. `xp`
    defaults to z's own array module.
    """
    xp = _module_of(z) if xp is None else xp
    z = _floating(z, xp)
    return xp.exp(z - z.max(axis=-1, keepdims=True))


def softmax(z: Any, xp: Any = None) -> Any:
    """Stable softmax along the last axis: z (K,) -> p (K,), or z (N, K) -> p (N, K).

    Subtracts each row's maximum before exponentiating, so the largest exponent is e^0 = 1
    and nothing overflows; every row of p sums to 1. `xp` defaults to z's own array module
    (NumPy or CuPy), and a float32 z gives a float32 p. The one softmax: the training layers
    (`tutor.engines.layers`) use it too.
    """
    xp = _module_of(z) if xp is None else xp
    e = shifted_exponentials(z, xp)  # same shape as z, each row's max -> 1
    return e / e.sum(axis=-1, keepdims=True)


def raw_exponentials(z: Any, xp: Any = np) -> Any:
    """e^z exactly as the textbook formula computes it: overflows to inf for large z, silently."""
    z = _f(z, xp)
    with np.errstate(over="ignore"):
        return xp.exp(z)


def softmax_naive(z: Any, xp: Any = np) -> Any:
    """Softmax straight from the formula, e^z / Σ e^z, along the last axis; z (K,) or (N, K).

    For large logits (e.g. [1000, 1001, 999]) e^z overflows to inf and inf/inf gives nan:
    the result is returned as it is, without raising or warning, to show why `softmax`
    subtracts the maximum first.
    """
    z = _f(z, xp)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        e = xp.exp(z)
        return e / e.sum(axis=-1, keepdims=True)


def onehot(y_index: Any, k: int, xp: Any = np) -> Any:
    """One-hot rows: an int -> (k,), or indices (N,) -> (N, k), with 1.0 at each index."""
    y = xp.asarray(y_index, dtype=int)
    return (y[..., None] == xp.arange(k)).astype(float)


def cross_entropy(p: Any, y_index: Any, xp: Any = np) -> float:
    """The cross-entropy loss H = -ln p[y] of the true class.

    Args:
        p: probabilities, shape (K,) with y_index an int, or (N, K) with y_index (N,) ints
            (then the mean over the N rows is returned).
        y_index: the true class (0-based).

    Returns:
        A Python float; p[y] is floored at PROB_FLOOR so the loss stays finite.
    """
    p = _f(p, xp)
    if p.ndim == 1:
        return float(-xp.log(xp.maximum(p[int(y_index)], PROB_FLOOR)))
    y = xp.asarray(y_index, dtype=int)
    picked = p[xp.arange(p.shape[0]), y]  # (N,)
    return float(-xp.log(xp.maximum(picked, PROB_FLOOR)).mean())


def softmax_cross_entropy_grad(z: Any, y_index: Any, xp: Any = np) -> Any:
    """∂H/∂z for H = cross_entropy(softmax(z), y): p - onehot(y).

    Args:
        z: logits, shape (K,) with y_index an int, or (N, K) with y_index (N,) ints.
        y_index: the true class (0-based).

    Returns:
        Shape (K,): p - onehot(y). Shape (N, K): (p - onehot(y)) / N, the gradient of the
        mean loss that `cross_entropy` returns for a batch.
    """
    p = softmax(z, xp=xp)
    g = p - onehot(y_index, p.shape[-1], xp=xp)
    return g if g.ndim == 1 else g / g.shape[0]
