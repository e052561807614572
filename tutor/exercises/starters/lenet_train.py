"""Exercise lenet-train: LeNet-5 from your own layers, trained on MNIST.

Assemble LeNet-5 from the functions you wrote: conv_forward/conv_backward (conv2d_fast.py),
avgpool_forward/avgpool_backward (pooling_layers.py), dense_forward/dense_backward
(dense_layer.py) and softmax_cross_entropy_grad (softmax_cross_entropy.py), all in this folder.

    input (N, 1, 28, 28)
    C1  conv 6 filters 5x5, pad 2, tanh      -> (N, 6, 28, 28)
    S2  average pooling 2x2                  -> (N, 6, 14, 14)
    C3  conv 16 filters 5x5, tanh            -> (N, 16, 10, 10)
    S4  average pooling 2x2                  -> (N, 16, 5, 5)
    C5  conv 120 filters 5x5, tanh           -> (N, 120, 1, 1), reshaped to (N, 120)
    F6  dense 120 -> 84, tanh
    output  dense 84 -> 10 (the scores; softmax is in the loss)

The check trains it with train_lenet's defaults on the 60,000 training digits and wants 98% on
the 10,000 test digits (the reference solution takes about 35 s on two cores; the check stops
a run longer than four minutes).

Check your work:  dl-tutor exercises check lenet-train
Stuck?            dl-tutor exercises hint lenet-train
"""

import numpy as np

from conv2d_fast import conv_backward, conv_forward
from dense_layer import dense_backward, dense_forward
from pooling_layers import avgpool_backward, avgpool_forward
from softmax_cross_entropy import softmax_cross_entropy_grad

#: Each parameter's shape: "LAYER.w" and "LAYER.b".
SHAPES = {
    "C1.w": (6, 1, 5, 5), "C1.b": (6,),
    "C3.w": (16, 6, 5, 5), "C3.b": (16,),
    "C5.w": (120, 16, 5, 5), "C5.b": (120,),
    "F6.w": (120, 84), "F6.b": (84,),
    "output.w": (84, 10), "output.b": (10,),
}


def init_lenet(seed=0):
    """Starting parameters, float32.

    Formula: Glorot-uniform weights, U(-l, l) with l = sqrt(6 / (fan_in + fan_out)) (for a conv:
    fan_in = C·K·K, fan_out = F·K·K); biases 0.

    Returns:
        A dict of float32 arrays with the keys and shapes of SHAPES (61,706 numbers).
    """
    raise NotImplementedError("init_lenet: one array per entry of SHAPES")


def lenet_forward(params, x):
    """LeNet-5's forward pass.

    Formula: the layers above, in order, keeping every cache.

    Args:
        params: as init_lenet returns.
        x: images, shape (N, 1, 28, 28), scaled as (pixel/255 - 0.1307) / 0.3081.

    Returns:
        (scores, caches): scores of shape (N, 10), and what lenet_backward needs.
    """
    raise NotImplementedError("lenet_forward: C1, S2, C3, S4, C5, F6, output")


def lenet_loss_and_grads(params, x, y):
    """The mean cross-entropy of a batch and every parameter's gradient.

    Formula: backpropagation through the layers in reverse order; tanh' = 1 - tanh².

    Args:
        params: as init_lenet returns; x (N, 1, 28, 28); y (N,) labels 0..9.

    Returns:
        (loss, grads): a float, and a dict with the keys and shapes of SHAPES.
    """
    raise NotImplementedError("lenet_loss_and_grads: forward, loss, then backward")


def train_lenet(images, labels, epochs=2, lr=0.05, momentum=0.9, batch_size=32, seed=0):
    """Train LeNet-5 with mini-batch SGD with momentum.

    Formula: heavy-ball momentum: v ← μ·v - lr·g, p ← p + v, for every batch of a fresh
    shuffle per epoch.

    Args:
        images: (N, 1, 28, 28) float32, scaled as for lenet_forward; labels: (N,) 0..9.

    Returns:
        The trained params.
    """
    raise NotImplementedError("train_lenet: epochs of shuffled batches, one momentum step each")
