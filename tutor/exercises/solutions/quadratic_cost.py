"""Reference solution of exercise quadratic-cost: the quadratic cost and its gradient."""

import numpy as np


def quadratic_cost(w, b, x, t):
    """C(w, b) = 1/(2n) Σ (t - a)² with a = w·x + b; x and t of shape (n,)."""
    x, t = np.asarray(x, dtype=float), np.asarray(t, dtype=float)
    miss = t - (w * x + b)  # (n,)
    return float(np.sum(miss**2) / (2 * len(x)))


def quadratic_cost_grad(w, b, x, t):
    """dC/dw = -(1/n) Σ (t - a)·x and dC/db = -(1/n) Σ (t - a)."""
    x, t = np.asarray(x, dtype=float), np.asarray(t, dtype=float)
    miss = t - (w * x + b)  # (n,)
    return float(-np.mean(miss * x)), float(-np.mean(miss))
