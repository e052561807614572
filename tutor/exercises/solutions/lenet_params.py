"""Reference solution of exercise lenet-params: LeNet-5's parameters, layer by layer."""


def conv_params(filters, kernel, channels):
    """filters · (channels · kernel² + 1): one kernel per input channel, one bias per filter."""
    return filters * (channels * kernel * kernel + 1)


def dense_params(inputs, units):
    """inputs · units weights + units biases."""
    return inputs * units + units


def lenet_param_counts():
    """C1 156, C3 2416, C5 48120, F6 10164, output 850; pooling has none (61,706 in all)."""
    return {
        "C1": conv_params(6, 5, 1),
        "S2": 0,
        "C3": conv_params(16, 5, 6),
        "S4": 0,
        "C5": conv_params(120, 5, 16),
        "F6": dense_params(120, 84),
        "output": dense_params(84, 10),
    }
