"""Cost functions and gradient descent: the quadratic cost, J(w), descent loops and surfaces.

The linear unit ``a = w·x + b`` is scored by the quadratic cost (mean squared error)::

    C(w, b) = 1/(2n) Σ (t - a)²        dC/dw = -(1/n) Σ (t - a)·x    dC/db = -(1/n) Σ (t - a)

and gradient descent walks downhill, ``p_new = p - lr·∇C(p)``, one recorded step at a time.
The one-weight cost of the seed's worked example is ``J(w) = 1/(2m) Σ (z - w·x)²``.

Every loop here is a generator of frozen records of plain Python floats (rounded to 12
decimals so that 0.1 + 0.2 reads 0.3), for a scene to animate or a test to check. A run that
blows up is stopped and reported with status "diverged"; nothing raises OverflowError or
FloatingPointError and nothing warns. Nothing here prints or imports a UI library.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tutor.engines.neuron import fmt
from tutor.engines.records import plain, plain_vector, to_numpy
from tutor.quiz.predict import Generated

__all__ = [
    "COST_T",
    "COST_X",
    "DECIMALS",
    "DIVERGENCE_LIMIT",
    "LINE_X",
    "LINE_Y",
    "ONE_X",
    "ONE_Z",
    "SURFACES",
    "BatchStep",
    "CostTable",
    "DescentStep",
    "LearningRateCheck",
    "ResidualRow",
    "Surface",
    "check_learning_rate",
    "cost_problem",
    "cost_table",
    "derivative_problem",
    "descend_surface",
    "describe_run",
    "fit_line",
    "gradient_descent",
    "linear_predict",
    "minibatch_descent",
    "next_weight_problem",
    "noisy_line",
    "numerical_gradient",
    "one_weight_cost",
    "one_weight_grad",
    "quadratic_cost",
    "quadratic_cost_grad",
    "surface_grid",
    "tangent_line",
]

#: Decimals kept in records: plenty for any lesson, and it hides float noise (0.1 + 0.2).
DECIMALS = 12

#: A parameter or cost beyond this magnitude counts as "blown up" (the default `limit`).
DIVERGENCE_LIMIT = 1e6

#: Gradient (and step) size below which a surface descent counts as converged.
_SURFACE_TOLERANCE = 1e-9


def _r(value: Any) -> float:
    """A plain float rounded to DECIMALS (see tutor.engines.records)."""
    return plain(value, DECIMALS)


def _vec(values: Any) -> tuple[float, ...]:
    """A tuple of plain floats rounded to DECIMALS."""
    return plain_vector(values, DECIMALS)


_host = to_numpy


def _norm(values: Sequence[float]) -> float:
    """The Euclidean length of a tuple of floats (inf or nan when an entry is)."""
    with np.errstate(all="ignore"):
        return float(np.sqrt(np.sum(np.square(np.asarray(values, dtype=float)))))


# --------------------------------------------------------------------------- data sets

#: The "first example": six points on the line y = 2x - 1.
LINE_X: tuple[float, ...] = (-1.0, 0.0, 1.0, 2.0, 3.0, 4.0)
LINE_Y: tuple[float, ...] = (-3.0, -1.0, 1.0, 3.0, 5.0, 7.0)

#: The seed's cost example: eight points on y = 2x + 4 (C(3, 2) = 5.75).
COST_X: tuple[float, ...] = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0)
COST_T: tuple[float, ...] = (6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0, 20.0)

#: The seed's one-weight example: z = w·x with the true w = 2 (J(w) = 3.75 (w - 2)²).
ONE_X: tuple[float, ...] = (1.0, 2.0, 3.0, 4.0)
ONE_Z: tuple[float, ...] = (2.0, 4.0, 6.0, 8.0)


def noisy_line(n: int = 200, seed: int = 0) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """n noisy points around y = 2x - 1: (x, t), two tuples of length n.

    x is uniform in [-1, 4] and t = 2x - 1 + noise with noise ~ N(0, 0.5²), all drawn from
    `numpy.random.default_rng(seed)`, so a seed always gives the same points.
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 4.0, size=n)  # (n,)
    t = 2.0 * x - 1.0 + rng.normal(0.0, 0.5, size=n)  # (n,)
    return _vec(x), _vec(t)


# --------------------------------------------------------------------------- linear unit and cost


def linear_predict(w: float, b: float, x: Any, xp: Any = np) -> Any:
    """The linear unit's outputs a = w·x + b.

    Args:
        w: the weight.
        b: the bias.
        x: inputs, shape (n,) (or a number).

    Returns:
        An xp float array of x's shape: (n,) for x of shape (n,).
    """
    return float(w) * xp.asarray(x, dtype=float) + float(b)


def quadratic_cost(w: float, b: float, x: Any, t: Any, xp: Any = np) -> float:
    """The quadratic cost C(w, b) = 1/(2n) Σ (t - a)² of the unit a = w·x + b.

    Args:
        w, b: the weight and the bias.
        x: inputs, shape (n,).
        t: targets, shape (n,).

    Returns:
        C as a plain float (inf when the values overflow).
    """
    with np.errstate(all="ignore"):
        diff = xp.asarray(t, dtype=float) - linear_predict(w, b, x, xp=xp)  # (n,)
        n = diff.shape[0]
        return float(xp.sum(diff * diff) / (2 * n))


def quadratic_cost_grad(w: float, b: float, x: Any, t: Any, xp: Any = np) -> tuple[float, float]:
    """The gradient of the quadratic cost: (dC/dw, dC/db).

    dC/dw = -(1/n) Σ (t - a)·x and dC/db = -(1/n) Σ (t - a), for x and t of shape (n,).

    Returns:
        Two plain floats, in the order of the parameters (w, b).
    """
    with np.errstate(all="ignore"):
        xs = xp.asarray(x, dtype=float)  # (n,)
        diff = xp.asarray(t, dtype=float) - linear_predict(w, b, xs, xp=xp)  # (n,)
        n = diff.shape[0]
        return float(-xp.sum(diff * xs) / n), float(-xp.sum(diff) / n)


@dataclass(frozen=True)
class ResidualRow:
    """One data point under the unit a = w·x + b.

    Attributes:
        x: the input.
        t: the target.
        a: the output w·x + b.
        diff: t - a.
        square: (t - a)².
    """

    x: float
    t: float
    a: float
    diff: float
    square: float


@dataclass(frozen=True)
class CostTable:
    """The quadratic cost worked out row by row, as the seed writes it.

    Attributes:
        rows: one ResidualRow per data point, length n.
        total: Σ (t - a)², the sum of the squares.
        n: the number of data points.
        cost: total / (2n), which equals quadratic_cost.
    """

    rows: tuple[ResidualRow, ...]
    total: float
    n: int
    cost: float


def cost_table(w: float, b: float, x: Sequence[float], t: Sequence[float]) -> CostTable:
    """Work out C(w, b) for inputs x and targets t (both of length n) row by row."""
    xs, ts = _vec(x), _vec(t)
    if len(xs) != len(ts) or not xs:
        raise ValueError(f"cost_table needs as many targets as inputs (at least one); "
                         f"got {len(xs)} inputs and {len(ts)} targets.")
    a = _host(linear_predict(w, b, xs))  # (n,)
    diff = np.asarray(ts) - a  # (n,)
    square = diff * diff  # (n,)
    rows = tuple(
        ResidualRow(x=xs[i], t=ts[i], a=_r(a[i]), diff=_r(diff[i]), square=_r(square[i]))
        for i in range(len(xs))
    )
    total = float(square.sum())
    n = len(xs)
    return CostTable(rows=rows, total=_r(total), n=n, cost=_r(total / (2 * n)))


def one_weight_cost(w: float, x: Sequence[float], z: Sequence[float]) -> float:
    """J(w) = 1/(2m) Σ (z - w·x)² for the bias-free unit z = w·x, x and z of length m."""
    return quadratic_cost(w, 0.0, x, z)


def one_weight_grad(w: float, x: Sequence[float], z: Sequence[float]) -> float:
    """J'(w) = -(1/m) Σ (z - w·x)·x for x and z of length m."""
    return quadratic_cost_grad(w, 0.0, x, z)[0]


def tangent_line(
    f: Callable[[float], float], df: Callable[[float], float], w: float, half_width: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The tangent of f at w, as a segment ((w - h, y0), (w + h, y1)) with h = half_width.

    The segment passes through (w, f(w)) with slope df(w); it is what the first-order
    approximation f(w + ε) ≈ f(w) + ε·f'(w) predicts.
    """
    y, slope = float(f(w)), float(df(w))
    w0, w1 = float(w) - half_width, float(w) + half_width
    return (_r(w0), _r(y - slope * half_width)), (_r(w1), _r(y + slope * half_width))


def numerical_gradient(
    f: Callable[[tuple[float, ...]], float], params: Sequence[float], h: float = 1e-5
) -> tuple[float, ...]:
    """The central-difference gradient (f(p + h e_i) - f(p - h e_i)) / 2h, one entry per parameter.

    A checker to hold analytic gradients against (in float64); f takes a tuple of parameters.
    """
    p = [float(v) for v in params]
    out = []
    for i in range(len(p)):
        plus, minus = list(p), list(p)
        plus[i] += h
        minus[i] -= h
        out.append((float(f(tuple(plus))) - float(f(tuple(minus)))) / (2 * h))
    return tuple(out)


# --------------------------------------------------------------------------- descent loops


@dataclass(frozen=True)
class DescentStep:
    """One step of gradient descent.

    Attributes:
        iteration: 1-based step number.
        params: the parameters before the step, length k.
        cost: the cost at `params`.
        grad: the gradient at `params`, length k.
        update: the change applied, length k (-lr·grad for plain descent).
        params_after: params + update, length k.
        cost_after: the cost at `params_after`.
        status: "ok"; "converged" when the gradient at `params_after` has vanished (the run
            stops there); "diverged" when the values blew up (the run stops there).
    """

    iteration: int
    params: tuple[float, ...]
    cost: float
    grad: tuple[float, ...]
    update: tuple[float, ...]
    params_after: tuple[float, ...]
    cost_after: float
    status: str


def _safe_cost(cost: Callable[[tuple[float, ...]], float], params: tuple[float, ...]) -> float:
    """cost(params) as a float; inf when it overflows or raises an arithmetic error."""
    if not all(math.isfinite(p) for p in params):
        return math.inf
    with np.errstate(all="ignore"):
        try:
            value = float(cost(params))
        except (OverflowError, FloatingPointError, ZeroDivisionError):
            return math.inf
    return value if not math.isnan(value) else math.inf


def _safe_grad(
    grad: Callable[[tuple[float, ...]], Any], params: tuple[float, ...]
) -> tuple[float, ...]:
    """grad(params) as a tuple of floats; nan entries when it overflows or raises."""
    nan = (math.nan,) * len(params)
    if not all(math.isfinite(p) for p in params):
        return nan
    with np.errstate(all="ignore"):
        try:
            g = tuple(float(v) for v in np.asarray(_host(grad(params)), dtype=float).reshape(-1))
        except (OverflowError, FloatingPointError, ZeroDivisionError):
            return nan
    return g


def _blown_up(
    params: tuple[float, ...], cost_after: float, cost_before: float, limit: float
) -> bool:
    """Whether a step blew up: a non-finite value, a parameter beyond limit, or a cost that
    grew past limit (a start whose cost is already above limit may still descend)."""
    if not math.isfinite(cost_after) or not all(math.isfinite(p) for p in params):
        return True
    if any(abs(p) > limit for p in params):
        return True
    return abs(cost_after) > limit and cost_after > cost_before


def _add(params: tuple[float, ...], update: tuple[float, ...]) -> tuple[float, ...]:
    """params + update, rounded (inf and nan propagate; nothing raises)."""
    with np.errstate(all="ignore"):
        return tuple(_r(p + u) for p, u in zip(params, update))


def gradient_descent(
    cost: Callable[[tuple[float, ...]], float],
    grad: Callable[[tuple[float, ...]], Sequence[float]],
    start: Sequence[float] | float,
    lr: float,
    *,
    iterations: int = 100,
    tolerance: float = 1e-9,
    limit: float = DIVERGENCE_LIMIT,
) -> Iterator[DescentStep]:
    """Plain gradient descent p ← p - lr·∇cost(p), yielding one DescentStep per iteration.

    Args:
        cost: cost(params) -> float, params a tuple of length k.
        grad: grad(params) -> k partial derivatives.
        start: the starting parameters, length k (a number for k = 1).
        lr: the learning rate (0 never moves; a negative rate climbs).
        iterations: the most steps to take.
        tolerance: stop ("converged") once the gradient at the new point is shorter than this.
        limit: stop ("diverged") once a parameter exceeds this in magnitude, or the cost grows
            beyond it, or anything becomes inf or nan.

    The record that converges or diverges is yielded, then the generator stops. Nothing raises
    OverflowError or FloatingPointError, and NumPy does not warn.
    """
    lr = float(lr)
    params = _vec(start)
    current_cost = _safe_cost(cost, params)
    g = _safe_grad(grad, params)
    for iteration in range(1, iterations + 1):
        with np.errstate(all="ignore"):
            update = tuple(_r(-lr * gi) for gi in g)
            after = _add(params, tuple(-lr * gi for gi in g))
        cost_after = _safe_cost(cost, after)
        g_after: tuple[float, ...] = g
        if _blown_up(after, cost_after, current_cost, limit):
            status = "diverged"
        else:
            g_after = _safe_grad(grad, after)
            status = "converged" if _norm(g_after) < tolerance else "ok"
        yield DescentStep(
            iteration=iteration, params=params, cost=_r(current_cost), grad=_vec(g),
            update=update, params_after=after, cost_after=_r(cost_after), status=status,
        )
        if status != "ok":
            return
        params, current_cost, g = after, cost_after, g_after


@dataclass(frozen=True)
class LearningRateCheck:
    """What to make of a learning rate a learner typed.

    Attributes:
        ok: whether a run with it can be tried.
        value: the rate as a float (None when it is not a finite number).
        message: one line for the learner ("" when the rate is unremarkable).
    """

    ok: bool
    value: float | None
    message: str


def check_learning_rate(value: float) -> LearningRateCheck:
    """Check a learning rate before running with it.

    Non-finite (or not a number at all): not ok. Beyond 1e6 in magnitude: not ok. Zero or
    negative: ok, with a warning of what will happen. Anything else: ok, no message.
    """
    try:
        lr = float(value)
    except (TypeError, ValueError):
        lr = math.nan
    if not math.isfinite(lr):
        return LearningRateCheck(False, None, "The learning rate must be a finite number.")
    if abs(lr) > 1e6:
        return LearningRateCheck(
            False, lr, "That learning rate is too large to try: pick a value below 1e6."
        )
    if lr == 0:
        return LearningRateCheck(True, 0.0, "A learning rate of 0 never moves the weights.")
    if lr < 0:
        return LearningRateCheck(
            True, lr, "A negative learning rate climbs uphill: the cost will grow."
        )
    return LearningRateCheck(True, lr, "")


def _oscillating(steps: Sequence[DescentStep]) -> bool:
    """Whether some parameter's update flips sign in more than half of consecutive steps."""
    if not steps:
        return False
    for k in range(len(steps[0].update)):
        signs = [math.copysign(1.0, s.update[k]) for s in steps if s.update[k] != 0]
        pairs = len(signs) - 1
        if pairs >= 2:
            flips = sum(1 for a, b in zip(signs, signs[1:]) if a != b)
            if flips > pairs / 2:
                return True
    return False


def describe_run(steps: Sequence[DescentStep], lr: float) -> tuple[str, str]:
    """Name what a descent run did, with one plain-words line for the learner.

    Kinds, checked in this order: "stalled" (lr == 0), "climbing" (lr < 0), "diverged" (the
    run stopped because values blew up), "oscillating" (updates alternate in sign), "converged"
    (the gradient vanished, or the cost fell below 1% of its start), "crawling" (otherwise: still
    far from the minimum when the iterations ran out).
    """
    lr = float(lr)
    if not steps:
        return "stalled", "No steps were taken."
    first, last = steps[0], steps[-1]
    start_cost, end_cost = first.cost, last.cost_after
    k = last.iteration
    if lr == 0:
        return "stalled", (
            "With a learning rate of 0 the weights never move: "
            f"the cost stays at {fmt(start_cost)}."
        )
    if lr < 0:
        end = "blew up" if last.status == "diverged" else f"reached {fmt(end_cost)}"
        return "climbing", (
            f"A negative learning rate steps uphill: the cost started at {fmt(start_cost)} "
            f"and {end} after {k} steps."
        )
    if last.status == "diverged":
        return "diverged", (
            f"Stopped at iteration {k}: each step overshot the minimum by more than the last, "
            f"and the values blew up. The learning rate {fmt(lr)} is too large."
        )
    if _oscillating(steps):
        if end_cost < start_cost:
            return "oscillating", (
                f"The updates alternate in sign: each step jumps across the minimum, "
                f"but the cost still falls, from {fmt(start_cost)} to {fmt(end_cost)}."
            )
        return "oscillating", (
            f"The updates alternate in sign: each step jumps across the minimum, "
            f"and the cost does not fall ({fmt(start_cost)} to {fmt(end_cost)})."
        )
    if last.status == "converged" or end_cost <= 0.01 * start_cost:
        return "converged", (
            f"Converged: after {k} steps the cost is {fmt(end_cost)}, close to the minimum."
        )
    return "crawling", (
        f"Still crawling: after {k} steps the cost is {fmt(end_cost)}, more than 1% of where it "
        f"started ({fmt(start_cost)}). Try a larger learning rate or more iterations."
    )


def fit_line(
    x: Sequence[float], t: Sequence[float], w0: float = 0.0, b0: float = 0.0,
    lr: float = 0.01, epochs: int = 500,
) -> list[DescentStep]:
    """Fit a = w·x + b to inputs x and targets t (length n) by full-batch gradient descent.

    Params are (w, b); one DescentStep per epoch (fewer when the run converges or diverges).
    With the defaults on LINE data the fit gets close to, but not exactly onto, y = 2x - 1.
    """
    xs, ts = np.asarray(_vec(x)), np.asarray(_vec(t))
    return list(gradient_descent(
        lambda p: quadratic_cost(p[0], p[1], xs, ts),
        lambda p: quadratic_cost_grad(p[0], p[1], xs, ts),
        (w0, b0), lr, iterations=epochs,
    ))


# --------------------------------------------------------------------------- surfaces


@dataclass(frozen=True)
class Surface:
    """A function of two parameters to descend, with its landmarks.

    Attributes:
        name: its key in SURFACES.
        title: a short title for a plot.
        box: (xmin, xmax, ymin, ymax), the region worth drawing.
        starts: interesting starting points (x, y).
        minima: the local minima (x, y), deepest first.
        saddles: the saddle points (x, y).
        lr: a good default learning rate for plain descent.
        formula: the function written out for a caption.
    """

    name: str
    title: str
    box: tuple[float, float, float, float]
    starts: tuple[tuple[float, float], ...]
    minima: tuple[tuple[float, float], ...]
    saddles: tuple[tuple[float, float], ...]
    lr: float
    formula: str = ""
    #: f(x, y, xp) on xp arrays and the analytic gradient at a point (hidden from repr and ==).
    _f: Callable[[Any, Any, Any], Any] | None = field(default=None, repr=False, compare=False)
    _grad: Callable[[float, float], tuple[float, float]] | None = field(
        default=None, repr=False, compare=False
    )

    def f(self, x: Any, y: Any, xp: Any = np) -> Any:
        """The height f(x, y): a float for numbers, an xp array of the broadcast shape."""
        with np.errstate(all="ignore"):
            value = self._f(xp.asarray(x, dtype=float), xp.asarray(y, dtype=float), xp)
        return float(value) if value.ndim == 0 else value

    def grad(self, x: float, y: float) -> tuple[float, float]:
        """The gradient (df/dx, df/dy) at the point (x, y), as two floats."""
        with np.errstate(all="ignore"):
            gx, gy = self._grad(float(x), float(y))
        return float(gx), float(gy)


def _regression_f(w: Any, b: Any, xp: Any) -> Any:
    """C(w, b) on LINE data for w and b of any one broadcast shape."""
    total = 0.0
    for xi, ti in zip(LINE_X, LINE_Y):  # six points: a loop keeps any grid shape
        d = ti - w * xi - b
        total = total + d * d
    return total / (2 * len(LINE_X))


_Points = tuple[tuple[float, float], ...]


def _two_minima_landmarks() -> tuple[_Points, _Points]:
    """Roots of x³ - 2x + 0.3 (Newton-polished): minima deepest first, and the saddle."""
    roots = sorted(float(r.real) for r in np.roots([1.0, 0.0, -2.0, 0.3]))
    polished = []
    for r in roots:
        for _ in range(50):
            r -= (r**3 - 2 * r + 0.3) / (3 * r**2 - 2)
        polished.append(r)
    left, middle, right = polished
    height = lambda v: v**4 / 4 - v**2 + 0.3 * v  # noqa: E731
    minima = tuple(sorted(((left, 0.0), (right, 0.0)), key=lambda p: height(p[0])))
    return minima, ((middle, 0.0),)


_TWO_MINIMA, _TWO_SADDLES = _two_minima_landmarks()
_ROOT3 = math.sqrt(3.0)

#: The surfaces a lesson can descend, by name.
SURFACES: dict[str, Surface] = {
    s.name: s
    for s in (
        Surface(
            name="regression",
            title="Cost C(w, b) of a line on the six points of y = 2x - 1",
            box=(-1.0, 5.0, -4.0, 3.0),
            starts=((0.0, 2.5), (4.5, -3.5), (-0.5, -3.0)),
            minima=((2.0, -1.0),),
            saddles=(),
            lr=0.1,
            formula="C(w, b) = 1/12 Σ (t - w·x - b)²",
            _f=_regression_f,
            _grad=lambda w, b: quadratic_cost_grad(w, b, LINE_X, LINE_Y),
        ),
        Surface(
            name="valley",
            title="A long narrow valley: f = ½(x² + 10y²)",
            box=(-8.0, 8.0, -3.0, 3.0),
            starts=((-7.0, 2.5), (6.0, -2.0)),
            minima=((0.0, 0.0),),
            saddles=(),
            lr=0.15,
            formula="f = ½(x² + 10y²)",
            _f=lambda x, y, xp: 0.5 * (x * x + 10.0 * y * y),
            _grad=lambda x, y: (x, 10.0 * y),
        ),
        Surface(
            name="two-minima",
            title="Two minima of different depth: f = x⁴/4 - x² + 0.3x + y²/2",
            box=(-2.5, 2.5, -2.0, 2.0),
            starts=((-0.2, 1.5), (0.5, 1.5), (2.2, -1.5), (-2.2, -1.5)),
            minima=_TWO_MINIMA,
            saddles=_TWO_SADDLES,
            lr=0.05,
            formula="f = x⁴/4 - x² + 0.3x + y²/2",
            _f=lambda x, y, xp: x**4 / 4 - x * x + 0.3 * x + y * y / 2,
            _grad=lambda x, y: (x**3 - 2.0 * x + 0.3, y),
        ),
        Surface(
            name="saddle",
            title="A saddle at the origin: f = x²/2 - y²/2 + y⁴/12",
            box=(-2.5, 2.5, -2.5, 2.5),
            starts=((2.0, 0.0), (2.0, 0.01), (2.0, -0.5)),
            minima=((0.0, _ROOT3), (0.0, -_ROOT3)),
            saddles=((0.0, 0.0),),
            lr=0.1,
            formula="f = x²/2 - y²/2 + y⁴/12",
            _f=lambda x, y, xp: x * x / 2 - y * y / 2 + y**4 / 12,
            _grad=lambda x, y: (x, -y + y**3 / 3),
        ),
    )
}


def surface_grid(surface: Surface, nx: int, ny: int, xp: Any = np) -> tuple[Any, Any, Any]:
    """The surface sampled on its box: xs (nx,), ys (ny,) and heights Z (ny, nx).

    Z[j, i] = f(xs[i], ys[j]): rows run along y, columns along x.
    """
    xmin, xmax, ymin, ymax = surface.box
    xs = xp.linspace(xmin, xmax, nx)  # (nx,)
    ys = xp.linspace(ymin, ymax, ny)  # (ny,)
    gx, gy = xp.meshgrid(xs, ys)  # (ny, nx) each
    return xs, ys, surface.f(gx, gy, xp=xp)


def descend_surface(
    surface: Surface, start: tuple[float, float], lr: float, steps: int, method: str = "gd",
    *, beta: float = 0.9, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
) -> Iterator[DescentStep]:
    """Descend a surface from start (x, y), yielding one DescentStep per step (params = (x, y)).

    Methods:
        "gd": plain descent, update = -lr·g.
        "momentum": v ← beta·v - lr·g; update = v (v starts at 0).
        "adam": m ← beta1·m + (1 - beta1)·g, v ← beta2·v + (1 - beta2)·g², bias-corrected
            m̂ = m / (1 - beta1^k), v̂ = v / (1 - beta2^k); update = -lr·m̂ / (√v̂ + eps).

    A step is "converged" (and the last) when both the gradient at the new point and the
    update are shorter than 1e-9 — a descent can come to rest on a saddle too. Divergence is
    handled as in gradient_descent (limit DIVERGENCE_LIMIT).
    """
    if method not in ("gd", "momentum", "adam"):
        raise ValueError(f"method must be 'gd', 'momentum' or 'adam', got {method!r}.")
    lr = float(lr)
    cost = lambda p: surface.f(p[0], p[1])  # noqa: E731
    grad = lambda p: surface.grad(p[0], p[1])  # noqa: E731
    params = _vec(start)
    current_cost = _safe_cost(cost, params)
    g = _safe_grad(grad, params)
    velocity = np.zeros(2)
    m = np.zeros(2)
    v = np.zeros(2)
    for k in range(1, steps + 1):
        with np.errstate(all="ignore"):
            ga = np.asarray(g, dtype=float)  # (2,)
            if method == "gd":
                step = -lr * ga
            elif method == "momentum":
                velocity = beta * velocity - lr * ga
                step = velocity
            else:
                m = beta1 * m + (1 - beta1) * ga
                v = beta2 * v + (1 - beta2) * ga * ga
                m_hat = m / (1 - beta1**k)
                v_hat = v / (1 - beta2**k)
                step = -lr * m_hat / (np.sqrt(v_hat) + eps)
            raw = tuple(float(s) for s in step)
        after = _add(params, raw)
        cost_after = _safe_cost(cost, after)
        g_after = g
        if _blown_up(after, cost_after, current_cost, DIVERGENCE_LIMIT):
            status = "diverged"
        else:
            g_after = _safe_grad(grad, after)
            at_rest = _norm(g_after) < _SURFACE_TOLERANCE and _norm(raw) < _SURFACE_TOLERANCE
            status = "converged" if at_rest else "ok"
        yield DescentStep(
            iteration=k, params=params, cost=_r(current_cost), grad=_vec(g), update=_vec(raw),
            params_after=after, cost_after=_r(cost_after), status=status,
        )
        if status != "ok":
            return
        params, current_cost, g = after, cost_after, g_after


# --------------------------------------------------------------------------- mini-batch


@dataclass(frozen=True)
class BatchStep:
    """One parameter update of mini-batch descent on the quadratic cost.

    Attributes:
        update: 1-based count of parameter updates.
        epoch: 1-based epoch number.
        params: (w, b) after the update.
        batch_cost: the cost on the batch used, before the update.
        full_cost: the cost on all the data, after the update.
        examples_seen: how many examples the gradients have used so far (cumulative).
        batch_size: the size of the batch used (the last batch of an epoch may be smaller).
        grad: the batch gradient (dC/dw, dC/db) that was applied.
        diverged: True when the values blew up (this record is then the last).
    """

    update: int
    epoch: int
    params: tuple[float, ...]
    batch_cost: float
    full_cost: float
    examples_seen: int
    batch_size: int
    grad: tuple[float, ...]
    diverged: bool = False


def minibatch_descent(
    x: Sequence[float], t: Sequence[float], start: tuple[float, float] = (0.0, 0.0),
    lr: float = 0.05, batch_size: int | None = None, epochs: int = 10, seed: int = 0,
) -> Iterator[BatchStep]:
    """Mini-batch gradient descent on (w, b) for the quadratic cost of x and t (length n).

    batch_size None or >= n is full-batch descent (one update per epoch, data in order, the
    same steps as gradient_descent); 1 is stochastic descent (n updates per epoch). Smaller
    batches are drawn from a fresh shuffle each epoch (`numpy.random.default_rng(seed)`); the
    last batch of an epoch may be smaller. A blown-up update (non-finite values, a parameter
    beyond DIVERGENCE_LIMIT, or a full cost growing beyond it) is yielded with
    diverged=True and ends the run.
    """
    xs, ts = np.asarray(_vec(x)), np.asarray(_vec(t))  # (n,), (n,)
    n = len(xs)
    if n == 0 or len(ts) != n:
        raise ValueError(f"minibatch_descent needs as many targets as inputs (at least one); "
                         f"got {n} inputs and {len(ts)} targets.")
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch_size must be at least 1 (or None), got {batch_size}.")
    size = n if batch_size is None or batch_size >= n else int(batch_size)
    rng = np.random.default_rng(seed)
    lr = float(lr)
    w, b = _vec(start)
    full_cost = quadratic_cost(w, b, xs, ts)
    count = seen = 0
    for epoch in range(1, epochs + 1):
        order = np.arange(n) if size == n else rng.permutation(n)  # (n,)
        for begin in range(0, n, size):
            idx = order[begin:begin + size]
            bx, bt = xs[idx], ts[idx]
            batch_cost = quadratic_cost(w, b, bx, bt)
            gw, gb = quadratic_cost_grad(w, b, bx, bt)
            with np.errstate(all="ignore"):
                w, b = _add((w, b), (-lr * gw, -lr * gb))
            new_cost = _safe_cost(lambda p: quadratic_cost(p[0], p[1], xs, ts), (w, b))
            diverged = _blown_up((w, b), new_cost, full_cost, DIVERGENCE_LIMIT)
            full_cost = new_cost
            count += 1
            seen += len(idx)
            yield BatchStep(
                update=count, epoch=epoch, params=(w, b), batch_cost=_r(batch_cost),
                full_cost=_r(full_cost), examples_seen=seen, batch_size=len(idx),
                grad=(_r(gw), _r(gb)), diverged=diverged,
            )
            if diverged:
                return


# --- predict-question generators (registered in tutor.quiz.predict) --------------------------

_ONE_WEIGHTS = (-1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
_LEARNING_RATES = (0.1, 0.05, 0.01)


def _list_text(values: Sequence[float]) -> str:
    """A list written as the seed writes it: [1, 2, 3]."""
    return "[" + ", ".join(fmt(v) for v in values) + "]"


def _one_weight_data(
    rng: np.random.Generator,
) -> tuple[tuple[float, ...], tuple[float, ...], float, float]:
    """Random one-weight data (2 or 3 points), w and J'(w), with J'(w) exact to 2 decimals."""
    while True:
        m = int(rng.integers(2, 4))
        xs = tuple(float(v) for v in rng.integers(1, 5, size=m))
        zs = tuple(float(v) for v in rng.integers(0, 9, size=m))
        w = float(rng.choice(_ONE_WEIGHTS))
        grad = one_weight_grad(w, xs, zs)
        if grad != 0 and abs(round(grad, 2) - grad) < 1e-9:
            return xs, zs, w, round(grad, 2) + 0.0


def next_weight_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"What is w after one step of gradient descent?" for random one-weight data.

    2 or 3 points with small integer x and z, w on a half grid and lr in (0.1, 0.05, 0.01);
    J'(w) has at most 2 decimals, so the answer w - lr·J'(w) has at most 4. Template fields:
    xs, zs (written "[1, 2, 3]"), w, lr, grad, new_w, m.
    """
    xs, zs, w, grad = _one_weight_data(rng)
    lr = float(rng.choice(_LEARNING_RATES))
    new_w = round(w - lr * grad, 10) + 0.0
    return Generated(
        values={
            "xs": _list_text(xs), "zs": _list_text(zs), "w": fmt(w), "lr": fmt(lr),
            "grad": fmt(grad), "new_w": f"{new_w:.4f}".rstrip("0").rstrip(".") or "0",
            "m": len(xs),
        },
        kind="number",
        answer=new_w,
        tolerance=1e-6,
    )


def cost_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"What is the cost C(w, b)?" for integer w, b and 3 points with small integer x and t.

    Each target misses the output by at most 3, and the draw is repeated until Σ (t - a)² is
    a nonzero multiple of 3, so C = Σ/6 has at most one decimal. Template fields: xs, ts,
    outputs (lists written "[1, 2, 3]"), w, b, cost, n.
    """
    while True:
        w = float(rng.choice((-1.0, 1.0, 2.0, 3.0)))
        b = float(rng.integers(-2, 4))
        xs = tuple(float(v) for v in rng.integers(-1, 5, size=3))
        misses = rng.integers(-3, 4, size=3)
        ts = tuple(w * xi + b + float(d) for xi, d in zip(xs, misses))
        table = cost_table(w, b, xs, ts)
        if table.total > 0 and table.total % 3 == 0:
            break
    cost = quadratic_cost(w, b, xs, ts)
    return Generated(
        values={
            "xs": _list_text(xs), "ts": _list_text(ts), "w": fmt(w), "b": fmt(b),
            "outputs": _list_text([row.a for row in table.rows]), "cost": fmt(cost),
            "n": table.n,
        },
        kind="number",
        answer=_r(cost),
        tolerance=1e-6,
    )


def derivative_problem(rng: np.random.Generator, **params: Any) -> Generated:
    """"What is J'(w)?" for random one-weight data (2 or 3 points), exact to 2 decimals.

    Template fields: xs, zs (written "[1, 2, 3]"), w, grad, m.
    """
    xs, zs, w, grad = _one_weight_data(rng)
    return Generated(
        values={"xs": _list_text(xs), "zs": _list_text(zs), "w": fmt(w), "grad": fmt(grad),
                "m": len(xs)},
        kind="number",
        answer=grad,
        tolerance=1e-6,
    )
