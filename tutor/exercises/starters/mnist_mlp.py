"""Exercise mnist-mlp: a 784-128-10 network trained on MNIST to 97%.

Build the network from your own layers (dense_layer.py) and your softmax cross-entropy
(softmax_cross_entropy.py), both in this folder, and write its training loop: mini-batch SGD.

The check trains it with train_mlp's defaults on the 60,000 training digits and measures the
accuracy on the 10,000 test digits (it stops a run longer than four minutes).

Check your work:  dl-tutor exercises check mnist-mlp
Stuck?            dl-tutor exercises hint mnist-mlp
"""

import numpy as np

from dense_layer import dense_backward, dense_forward, relu_backward, relu_forward
from softmax_cross_entropy import softmax_cross_entropy_grad


def init_params(seed=0):
    """Starting parameters of the 784-128-10 network, float32.

    Formula: He initialisation: weights ~ N(0, 2 / fan_in), biases 0.

    Returns:
        {"w1": (784, 128), "b1": (128,), "w2": (128, 10), "b2": (10,)}, all float32.
    """
    raise NotImplementedError("init_params: four float32 arrays")


def predict(params, x):
    """The network's scores (logits) for a batch.

    Formula: dense -> relu -> dense: scores = relu(x·w1 + b1)·w2 + b2.

    Args:
        params: as init_params returns.
        x: images as rows, shape (N, 784), floats in 0..1.

    Returns:
        scores, shape (N, 10).
    """
    raise NotImplementedError("predict: the forward pass")


def loss_and_grads(params, x, y):
    """The mean cross-entropy of a batch and the gradient of every parameter.

    Formula: backpropagation through dense -> relu -> dense -> softmax cross-entropy.

    Args:
        params: as init_params returns.
        x: (N, 784); y: (N,) labels 0..9.

    Returns:
        (loss, grads): a float, and a dict with the keys and shapes of params.
    """
    raise NotImplementedError("loss_and_grads: forward keeping the caches, then backward")


def train_mlp(images, labels, epochs=6, lr=0.1, batch_size=64, seed=0):
    """Train the network with mini-batch SGD.

    Formula: for every batch of a fresh shuffle per epoch: p ← p - lr·∂loss/∂p.

    Args:
        images: (N, 784) float32 in 0..1; labels: (N,) integers 0..9.

    Returns:
        The trained params.
    """
    raise NotImplementedError("train_mlp: epochs of shuffled batches, one SGD step each")
