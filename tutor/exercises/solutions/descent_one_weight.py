"""Reference solution of exercise descent-one-weight: gradient descent with divergence detection."""

import math

import numpy as np


def one_weight_grad(w, x, z):
    """J'(w) = -(1/m) Σ (z - w·x)·x for x and z of shape (m,)."""
    x, z = np.asarray(x, dtype=float), np.asarray(z, dtype=float)
    return float(-np.mean((z - w * x) * x))


def gradient_descent(grad, w0, lr, steps, limit=1e6):
    """w ← w - lr·grad(w), `steps` times or until |w| > limit (or inf/nan): (weights, diverged)."""
    weights = [float(w0)]
    w = float(w0)
    for _ in range(steps):
        w = w - lr * grad(w)
        weights.append(w)
        if not math.isfinite(w) or abs(w) > limit:
            return weights, True
    return weights, False
