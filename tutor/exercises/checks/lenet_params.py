"""Checks of exercise lenet-params, against `tutor.engines.spec.summary(LENET5)`."""

from __future__ import annotations

import numpy as np

from tutor.engines.conv import param_count_conv, param_count_dense
from tutor.engines.spec import LENET5, summary
from tutor.exercises.checking import Checklist, Failure, call, compare, describe

CHECKS = Checklist()


@CHECKS.add("conv_params: the workshop's 5x5 map has 26, 20 maps have 520, and random layers")
def conv(m) -> str:
    rng = np.random.default_rng(16)
    cases = [(1, 5, 1), (20, 5, 1)] + [tuple(int(v) for v in rng.integers(1, 9, 3)) for _ in range(8)]
    for filters, kernel, channels in cases:
        case = f"filters = {filters}, kernel = {kernel}, channels = {channels}"
        expected = param_count_conv(filters, kernel, channels)
        got = call(m, "conv_params", filters, kernel, channels, case=case, expected=str(expected))
        compare("conv_params", got, expected, case=case, exact_type=int,
                hint="every filter has channels·K² weights and one bias; the image size does not matter")
    return ""


@CHECKS.add("dense_params: 784 inputs into 30 units have 23,550, and random layers")
def dense(m) -> str:
    rng = np.random.default_rng(17)
    for inputs, units in [(784, 30)] + [tuple(int(v) for v in rng.integers(1, 200, 2)) for _ in range(8)]:
        case = f"inputs = {inputs}, units = {units}"
        expected = param_count_dense(inputs, units)
        got = call(m, "dense_params", inputs, units, case=case, expected=str(expected))
        compare("dense_params", got, expected, case=case, exact_type=int, hint="weights plus one bias per unit")
    return ""


@CHECKS.add("LeNet-5 layer by layer: C1 156, C3 2,416, C5 48,120, F6 10,164, output 850")
def lenet(m) -> str:
    rows = {row.name: row.params for row in summary(LENET5) if row.name != "flatten"}
    case = "LeNet-5 on 28x28 digits padded by 2"
    got = call(m, "lenet_param_counts", case=case, expected=str(rows))
    if not isinstance(got, dict):
        raise Failure(f"lenet_param_counts returned {describe(got, 80)}, expected a dict", case=case,
                      expected=str(rows))
    for name, expected in rows.items():
        if name not in got:
            raise Failure(f"no entry for layer {name}", case=case, expected=str(rows), got=str(got))
        compare(f"{name}'s parameters", got[name], expected, case=case, exact_type=int,
                hint="pooling layers have no parameters; C3 sees 6 channels, C5 16")
    total = sum(rows.values())
    return f"{total:,} in all"
