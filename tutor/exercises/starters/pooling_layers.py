"""Exercise pooling: max and average pooling, forward and backward.

Pooling cuts each feature map into size x size windows that tile it (stride = size) and keeps
one number per window: the largest (max pooling) or the mean (average pooling). A 24x24 map
becomes 12x12. The LeNet-5 exercise trains with these functions.

Check your work:  dl-tutor exercises check pooling
Stuck?            dl-tutor exercises hint pooling
"""

import numpy as np


def maxpool_forward(x, size=2):
    """Max pooling over size x size windows with stride = size.

    Formula: out[n, c, i, j] = max of the window x[n, c, i·s : i·s + s, j·s : j·s + s].

    Args:
        x: feature maps, shape (N, C, H, W), H and W multiples of size.

    Returns:
        (out, cache): out of shape (N, C, H/size, W/size) in x's dtype, and what the backward
        pass needs (which input won each window: the first maximum in reading order on a tie).
    """
    raise NotImplementedError("maxpool_forward: the maximum of every window")


def maxpool_backward(dout, cache):
    """Max pooling's backward pass.

    Formula: the gradient of a max flows to the input that was the maximum; the others get 0.

    Args:
        dout: shape (N, C, H/size, W/size).

    Returns:
        dx, shape (N, C, H, W).
    """
    raise NotImplementedError("maxpool_backward: each window's gradient to its winner")


def avgpool_forward(x, size=2):
    """Average pooling over size x size windows with stride = size.

    Formula: out[n, c, i, j] = mean of the window.

    Args:
        x: feature maps, shape (N, C, H, W), H and W multiples of size.

    Returns:
        (out, cache): out of shape (N, C, H/size, W/size) in x's dtype, and the cache.
    """
    raise NotImplementedError("avgpool_forward: the mean of every window")


def avgpool_backward(dout, cache):
    """Average pooling's backward pass.

    Formula: each of the size² inputs of a window gets dout / size².

    Args:
        dout: shape (N, C, H/size, W/size).

    Returns:
        dx, shape (N, C, H, W).
    """
    raise NotImplementedError("avgpool_backward: share each window's gradient equally")
