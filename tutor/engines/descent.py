"""Cost functions and gradient descent, gathered under one name for the descent scenes.

The pieces live by concern, and this module re-exports them:

* `tutor.engines.cost`: the lessons' data sets, the linear unit a = w·x + b, the quadratic cost
  C(w, b) and its gradient, the cost table, the one-weight cost J(w) and tangent lines;
* `tutor.engines.descent_loop`: plain gradient descent as a generator of `DescentStep` records,
  with the divergence guards, and `fit_line`;
* `tutor.engines.descent_verdict`: whether a learning rate can be tried, and what a run did;
* `tutor.engines.surfaces`: functions of two parameters to descend with gd, momentum or Adam;
* `tutor.engines.minibatch`: full-batch, mini-batch and stochastic descent on a line;
* `tutor.engines.gradcheck`: the central-difference gradient (`numerical_gradient` here is its
  tuple-in, tuple-out form).

Nothing here prints or imports a UI library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tutor.engines import gradcheck
from tutor.engines.cost import (
    COST_T,
    COST_X,
    DECIMALS,
    LINE_X,
    LINE_Y,
    ONE_X,
    ONE_Z,
    CostTable,
    ResidualRow,
    cost_table,
    linear_predict,
    noisy_line,
    one_weight_cost,
    one_weight_grad,
    quadratic_cost,
    quadratic_cost_grad,
    tangent_line,
)
from tutor.engines.descent_loop import DIVERGENCE_LIMIT, DescentStep, fit_line, gradient_descent
from tutor.engines.descent_verdict import (
    LearningRateCheck,
    RateVerdict,
    RunKind,
    RunVerdict,
    check_learning_rate,
    judge_run,
)
from tutor.engines.minibatch import BatchStep, minibatch_descent
from tutor.engines.surfaces import SURFACES, Surface, descend_surface, surface_grid

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
    "RateVerdict",
    "ResidualRow",
    "RunKind",
    "RunVerdict",
    "Surface",
    "check_learning_rate",
    "cost_table",
    "descend_surface",
    "fit_line",
    "gradient_descent",
    "judge_run",
    "linear_predict",
    "minibatch_descent",
    "noisy_line",
    "numerical_gradient",
    "one_weight_cost",
    "one_weight_grad",
    "quadratic_cost",
    "quadratic_cost_grad",
    "surface_grid",
    "tangent_line",
]


def numerical_gradient(
    f: Callable[[tuple[float, ...]], float], params: Sequence[float], h: float = 1e-5
) -> tuple[float, ...]:
    """The central-difference gradient of f at params, one entry per parameter.

    f takes a tuple of parameters; see `tutor.engines.gradcheck.numerical_gradient`.
    """
    grad = gradcheck.numerical_gradient(lambda p: f(tuple(p.tolist())), list(params), h)
    return tuple(grad.tolist())
