"""Exercise lenet-params: LeNet-5's parameters, layer by layer.

Check your work:  dl-tutor exercises check lenet-params
Stuck?            dl-tutor exercises hint lenet-params
"""


def conv_params(filters, kernel, channels):
    """Trainable parameters of a convolutional layer.

    Formula: weights + biases of `filters` filters, each with a kernel x kernel window on every
    one of `channels` input channels.

    Returns:
        An int.
    """
    raise NotImplementedError("conv_params: weights plus biases")


def dense_params(inputs, units):
    """Trainable parameters of a fully connected layer.

    Formula: weights + biases of `units` neurons, each connected to every one of `inputs`.

    Returns:
        An int.
    """
    raise NotImplementedError("dense_params: weights plus biases")


def lenet_param_counts():
    """LeNet-5's parameters per layer, for 28x28 digits padded by 2 (as in the course).

    Formula: per layer, weights + biases (conv_params or dense_params); pooling has none.

    Layers: C1 conv 6 filters 5x5 on 1 channel; S2 average pooling 2x2; C3 conv 16 filters
    5x5 on 6 channels; S4 average pooling 2x2; C5 conv 120 filters 5x5 on 16 channels; F6 dense
    120 -> 84; output dense 84 -> 10.

    Returns:
        A dict {"C1": int, "S2": int, "C3": int, "S4": int, "C5": int, "F6": int, "output": int}.
    """
    raise NotImplementedError("lenet_param_counts: use conv_params and dense_params")
