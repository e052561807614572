"""Reference solution of exercise sigmoid-chain-rule."""

import numpy as np


def sigmoid(x):
    """σ(x) = 1 / (1 + e^-x), written as (1 + tanh(x/2)) / 2, which never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))


def sigmoid_backward(dout, x):
    """dx = dout · σ(x)(1 - σ(x))."""
    s = sigmoid(x)
    return dout * s * (1.0 - s)


def chain_rule_example(x, y, z):
    """f = (x + y)·z and its gradients: df/dz = q, df/dq = z, and the + passes df/dq on."""
    q = x + y
    f = q * z
    df_dq = z
    return float(f), float(df_dq), float(df_dq), float(q)
