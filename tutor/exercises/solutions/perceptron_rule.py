"""Reference solution of exercise perceptron-rule: the perceptron learning rule and its loop."""

import numpy as np


def hardlim(n):
    """1 where n >= 0, else 0, as integers of n's shape."""
    return (np.asarray(n) >= 0).astype(int)


def perceptron_update(w, b, p, t, use_bias=True):
    """One presentation: e = t - hardlim(w·p + b); w + e·p, and b + e with a bias."""
    w = np.asarray(w, dtype=float)
    p = np.asarray(p, dtype=float)
    a = int(hardlim(w @ p + b))
    e = int(t) - a
    return w + e * p, float(b + e) if use_bias else float(b)


def train_perceptron(inputs, targets, w0, b0=0.0, use_bias=True, max_epochs=20):
    """Epochs of presentations in order, until an epoch without error (or max_epochs)."""
    w, b = np.asarray(w0, dtype=float), float(b0)
    epochs = 0
    for epochs in range(1, max_epochs + 1):
        errors = 0
        for p, t in zip(inputs, targets):
            w_new, b_new = perceptron_update(w, b, p, t, use_bias)
            errors += bool(np.any(w_new != w) or b_new != b)
            w, b = w_new, b_new
        if errors == 0:
            break
    return w, b, epochs
