"""Reference solution of exercise minibatch-sgd: mini-batch stochastic gradient descent."""

import numpy as np


def batch_gradient(w, b, x, t):
    """dC/dw = -mean((t - a)·x), dC/db = -mean(t - a) over the batch (B,)."""
    miss = np.asarray(t, dtype=float) - (w * np.asarray(x, dtype=float) + b)  # (B,)
    return float(-np.mean(miss * x)), float(-np.mean(miss))


def minibatch_sgd(x, t, start, lr, batch_size, epochs, seed=0):
    """(w, b) after every update of mini-batch SGD, batches drawn from a shuffle per epoch."""
    x, t = np.asarray(x, dtype=float), np.asarray(t, dtype=float)
    n = len(x)
    rng = np.random.default_rng(seed)
    w, b = float(start[0]), float(start[1])
    history = []
    for _ in range(epochs):
        order = np.arange(n) if batch_size >= n else rng.permutation(n)
        for begin in range(0, n, batch_size):
            idx = order[begin:begin + batch_size]
            gw, gb = batch_gradient(w, b, x[idx], t[idx])
            w, b = w - lr * gw, b - lr * gb
            history.append((w, b))
    return history
