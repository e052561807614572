"""Exercise threshold-unit: a threshold unit, and weights for OR and AND.

The 1943 McCulloch-Pitts unit adds up its weighted inputs and fires (outputs 1) only when the
sum is strictly greater than its threshold; a sum equal to the threshold gives 0.

Check your work:  dl-tutor exercises check threshold-unit
Stuck?            dl-tutor exercises hint threshold-unit
"""

import numpy as np


def threshold_unit(x, weights, threshold):
    """The threshold unit's outputs for a batch of input patterns.

    Formula: the thresholded weighted sum (McCulloch-Pitts): 1 if Σ_j w_j·x_j > threshold, else 0.

    Args:
        x: input patterns, shape (N, n).
        weights: the weights, shape (n,).
        threshold: a number.

    Returns:
        An integer array of 0s and 1s, shape (N,).
    """
    raise NotImplementedError("threshold_unit: write the weighted sum and compare it with the threshold")


# Choose weights and thresholds (two inputs each) so that the unit computes OR and AND of the
# four patterns 00, 01, 10, 11.
OR_WEIGHTS = [0.0, 0.0]
OR_THRESHOLD = 0.0

AND_WEIGHTS = [0.0, 0.0]
AND_THRESHOLD = 0.0
