"""Reference solution of exercise pooling: max and average pooling, forward and backward."""

import numpy as np


def _windows(x, size):
    """(N, C, H, W) -> (N, C, H/s, W/s, s*s): each window's values in reading order."""
    n, c, h, w = x.shape
    blocks = x.reshape(n, c, h // size, size, w // size, size).transpose(0, 1, 2, 4, 3, 5)
    return blocks.reshape(n, c, h // size, w // size, size * size)


def maxpool_forward(x, size=2):
    """The maximum of every window; the cache keeps the winner's index (first on a tie)."""
    windows = _windows(x, size)
    winner = windows.argmax(axis=-1)  # (N, C, H/s, W/s): argmax takes the first maximum
    return windows.max(axis=-1), (x.shape, size, winner)


def maxpool_backward(dout, cache):
    """Each window's gradient goes to the input that won it."""
    (n, c, h, w), size, winner = cache
    dwin = np.zeros((n, c, h // size, w // size, size * size), dtype=dout.dtype)
    np.put_along_axis(dwin, winner[..., None], dout[..., None], axis=-1)
    dwin = dwin.reshape(n, c, h // size, w // size, size, size).transpose(0, 1, 2, 4, 3, 5)
    return dwin.reshape(n, c, h, w)


def avgpool_forward(x, size=2):
    """The mean of every window."""
    return _windows(x, size).mean(axis=-1).astype(x.dtype), (x.shape, size)


def avgpool_backward(dout, cache):
    """dout / size² copied onto every input of its window."""
    _, size = cache
    share = dout / (size * size)
    return np.repeat(np.repeat(share, size, axis=2), size, axis=3)
