"""Reference solution of exercise threshold-unit: a threshold unit, and weights for OR and AND."""

import numpy as np


def threshold_unit(x, weights, threshold):
    """1 where the weighted sum x @ weights (N,) is strictly above the threshold, else 0."""
    sums = np.asarray(x, dtype=float) @ np.asarray(weights, dtype=float)  # (N,)
    return (sums > threshold).astype(int)


# Sums with weights [1, 1]: 0, 1, 1, 2. OR: only 0 stays at or below 0.5. AND: only 2 is above 1.5.
OR_WEIGHTS = [1.0, 1.0]
OR_THRESHOLD = 0.5

AND_WEIGHTS = [1.0, 1.0]
AND_THRESHOLD = 1.5
