"""Functions of two parameters to descend (`SURFACES`), sampled on a grid or walked downhill.

`descend_surface` runs plain descent, momentum or Adam from a start point and yields one
`tutor.engines.descent_loop.DescentStep` per step, with the same divergence guards as
`gradient_descent`. Nothing here prints or imports a UI library.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tutor.engines.cost import (
    LINE_X,
    LINE_Y,
    quadratic_cost_grad,
    rounded,
    rounded_vector,
)
from tutor.engines.descent_loop import (
    DIVERGENCE_LIMIT,
    DescentStep,
    add_rounded,
    blown_up,
    norm,
    safe_cost,
    safe_grad,
)

_r, _vec = rounded, rounded_vector

__all__ = ["SURFACES", "Surface", "descend_surface", "surface_grid"]

#: Gradient (and step) size below which a surface descent counts as converged.
_SURFACE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Surface:
    """A function of two parameters to descend, with its landmarks.

    Attributes:
        name: its key in SURFACES (the descent scenes give it a title).
        box: (xmin, xmax, ymin, ymax), the region worth drawing.
        starts: interesting starting points (x, y).
        minima: the local minima (x, y), deepest first.
        saddles: the saddle points (x, y).
        lr: a good default learning rate for plain descent.
        formula: the function written out for a caption.
    """

    name: str
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
    current_cost = safe_cost(cost, params)
    g = safe_grad(grad, params)
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
        after = add_rounded(params, raw)
        cost_after = safe_cost(cost, after)
        g_after = g
        if blown_up(after, cost_after, current_cost, DIVERGENCE_LIMIT):
            status = "diverged"
        else:
            g_after = safe_grad(grad, after)
            at_rest = norm(g_after) < _SURFACE_TOLERANCE and norm(raw) < _SURFACE_TOLERANCE
            status = "converged" if at_rest else "ok"
        yield DescentStep(
            iteration=k, params=params, cost=_r(current_cost), grad=_vec(g), update=_vec(raw),
            params_after=after, cost_after=_r(cost_after), status=status,
        )
        if status != "ok":
            return
        params, current_cost, g = after, cost_after, g_after
