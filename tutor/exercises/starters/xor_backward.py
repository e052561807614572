"""Exercise xor-backward: the 2-layer XOR network's backward pass.

The network has 2 inputs, H hidden sigmoid units and one sigmoid output, and is scored by the
mean squared error L = mean((y - t)²) / 2. The forward pass is written for you; write the
backward pass. Once it is right, `train_xor` (also written) learns XOR with it.

Check your work:  dl-tutor exercises check xor-backward
Stuck?            dl-tutor exercises hint xor-backward
"""

import numpy as np


def sigmoid(x):
    """σ(x) = 1 / (1 + e^-x), without overflow; any shape."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def forward(params, X):
    """The forward pass (given).

    Args:
        params: {"W1": (H, 2), "b1": (H,), "W2": (1, H), "b2": (1,)}.
        X: inputs, shape (N, 2).

    Returns:
        (y, cache): the outputs y, shape (N,), and what the backward pass needs.
    """
    z1 = X @ params["W1"].T + params["b1"]  # (N, H)
    h = sigmoid(z1)  # (N, H)
    z2 = h @ params["W2"][0] + params["b2"][0]  # (N,)
    y = sigmoid(z2)  # (N,)
    return y, (X, h, y)


def backward(params, cache, t):
    """The gradient of L = mean((y - t)²) / 2 with respect to every parameter.

    Formula: backpropagation (the chain rule, layer by layer, from the output down), using
    σ'(z) = σ(z)(1 - σ(z)) written with the sigmoid's output.

    Args:
        params: as for `forward`.
        cache: (X (N, 2), h (N, H), y (N,)) from `forward`.
        t: the targets, shape (N,).

    Returns:
        {"W1": (H, 2), "b1": (H,), "W2": (1, H), "b2": (1,)}: each gradient has its
        parameter's shape.
    """
    raise NotImplementedError("backward: from dL/dy down to dW1, one layer at a time")


def train_xor(params, lr=2.0, epochs=5000):
    """Full-batch gradient descent on the four XOR patterns with your backward (given)."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    t = np.array([0, 1, 1, 0], dtype=float)
    for _ in range(epochs):
        y, cache = forward(params, X)
        if np.all(np.abs(y - t) < 0.1):
            break
        grads = backward(params, cache, t)
        for name in params:
            params[name] = params[name] - lr * grads[name]
    return forward(params, X)[0]
