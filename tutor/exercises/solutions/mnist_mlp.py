"""Reference solution of exercise mnist-mlp: a 784-128-10 network trained on MNIST to 97%."""

import numpy as np

from dense_layer import dense_backward, dense_forward, relu_backward, relu_forward
from softmax_cross_entropy import softmax_cross_entropy_grad


def init_params(seed=0):
    """He-initialised weights (N(0, 2/fan_in)), zero biases, float32."""
    rng = np.random.default_rng(seed)
    return {
        "w1": rng.normal(0, np.sqrt(2 / 784), (784, 128)).astype(np.float32),
        "b1": np.zeros(128, dtype=np.float32),
        "w2": rng.normal(0, np.sqrt(2 / 128), (128, 10)).astype(np.float32),
        "b2": np.zeros(10, dtype=np.float32),
    }


def predict(params, x):
    """scores = relu(x·w1 + b1)·w2 + b2, shape (N, 10)."""
    h, _ = dense_forward(x, params["w1"], params["b1"])
    h, _ = relu_forward(h)
    scores, _ = dense_forward(h, params["w2"], params["b2"])
    return scores


def loss_and_grads(params, x, y):
    """Forward keeping the caches, then the backward pass in reverse order."""
    z1, c1 = dense_forward(x, params["w1"], params["b1"])
    h, c2 = relu_forward(z1)
    scores, c3 = dense_forward(h, params["w2"], params["b2"])
    loss, dscores = softmax_cross_entropy_grad(scores, y)
    dh, dw2, db2 = dense_backward(dscores, c3)
    dz1 = relu_backward(dh, c2)
    _, dw1, db1 = dense_backward(dz1, c1)
    return loss, {"w1": dw1, "b1": db1, "w2": dw2, "b2": db2}


def train_mlp(images, labels, epochs=6, lr=0.1, batch_size=64, seed=0):
    """Plain mini-batch SGD over shuffled batches."""
    params = init_params(seed)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(images))
        for begin in range(0, len(images), batch_size):
            idx = order[begin:begin + batch_size]
            _, grads = loss_and_grads(params, images[idx], labels[idx])
            for name in params:
                params[name] -= (lr * grads[name]).astype(params[name].dtype)
    return params
