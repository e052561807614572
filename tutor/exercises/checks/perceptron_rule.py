"""Checks of exercise perceptron-rule, against `tutor.engines.perceptron` and the seed."""

from __future__ import annotations

import numpy as np

from tutor.engines import perceptron as ref
from tutor.exercises.checking import Checklist, Failure, call, compare, describe

CHECKS = Checklist()


@CHECKS.add("hardlim: 1 for n >= 0 (hardlim(0) = 1), else 0")
def hardlim(m) -> str:
    n = np.array([-0.6, 0.0, 0.4, -0.001, 2.5])
    case = f"n = {describe(n)}"
    expected = np.array([0, 1, 1, 0, 1])
    got = call(m, "hardlim", n, case=case, expected=describe(expected))
    compare("hardlim(n)", got, expected, case=case, dtype="int",
            hint="n >= 0 includes 0: a pattern on the boundary is class 1")
    return ""


@CHECKS.add("the seed's example: [1.0, -0.8] -> [2.0, 1.2] -> [3.0, -0.8] -> [3.0, 0.2]")
def seed_example(m) -> str:
    w = np.array([1.0, -0.8])
    data = ref.DATASETS["seed-test"]
    for p, t, after in zip(data.inputs, data.targets, ([2.0, 1.2], [3.0, -0.8], [3.0, 0.2])):
        case = f"w = {w.tolist()}, b = 0 (no bias), p = {list(p)}, t = {t}"
        got = call(m, "perceptron_update", w, 0.0, np.array(p, dtype=float), t, False, case=case,
                   expected=f"w_new = {after}")
        if not isinstance(got, tuple) or len(got) != 2:
            raise Failure(f"perceptron_update returned {describe(got, 80)}, expected a pair (w_new, b_new)",
                          case=case)
        compare("w_new", got[0], np.array(after), case=case, dtype="float",
                hint="e = t - a is +1, 0 or -1; the new weights are w + e·p")
        compare("b_new", got[1], 0.0, case=case, hint="without a bias, b stays where it is")
        w = np.array(after)
    return "three updates"


@CHECKS.add("random updates match the reference rule (with and without a bias)")
def random_updates(m) -> str:
    rng = np.random.default_rng(1)
    for trial in range(30):
        n = int(rng.integers(1, 5))
        w = np.round(rng.uniform(-2, 2, n), 1)
        p = rng.integers(-2, 3, n).astype(float)
        b = float(np.round(rng.uniform(-1, 1), 1))
        t = int(rng.integers(0, 2))
        use_bias = bool(trial % 2)
        record = ref.update(w, b, p, t, use_bias=use_bias)
        case = f"w = {w.tolist()}, b = {b}, p = {p.tolist()}, t = {t}, use_bias = {use_bias}"
        got = call(m, "perceptron_update", w, b, p, t, use_bias, case=case,
                   expected=f"({list(record.w_after)}, {record.b_after})")
        if not isinstance(got, tuple) or len(got) != 2:
            raise Failure(f"perceptron_update returned {describe(got, 80)}, expected a pair (w_new, b_new)",
                          case=case)
        compare("w_new", got[0], np.array(record.w_after), case=case, atol=1e-9)
        compare("b_new", got[1], record.b_after, case=case, atol=1e-9,
                hint="the bias is a weight whose input is always 1: b + e")
    return "30 updates"


@CHECKS.add("training runs end where the reference's do (weights, bias, epochs)")
def training(m) -> str:
    rng = np.random.default_rng(2)
    runs = [("seed-test", (1.0, -0.8), 0.0, False)]
    for name in ("and", "or", "nand", "nor"):
        w0, b0 = ref.random_start(rng)
        runs.append((name, w0, b0, True))
    runs.append(("xor", (0.5, -0.5), 0.0, True))
    for name, w0, b0, use_bias in runs:
        data = ref.DATASETS[name]
        run = ref.run_training(data.inputs, data.targets, w0, b0, use_bias=use_bias, max_epochs=20)
        case = (f"{name.upper()} data, w0 = {list(w0)}, b0 = {b0}, use_bias = {use_bias}, "
                "max_epochs = 20")
        expected = f"w = {list(run.final_w)}, b = {run.final_b}, epochs = {run.epochs}"
        got = call(m, "train_perceptron", np.array(data.inputs, dtype=float), np.array(data.targets),
                   np.array(w0), b0, use_bias, 20, case=case, expected=expected)
        if not isinstance(got, tuple) or len(got) != 3:
            raise Failure(f"train_perceptron returned {describe(got, 80)}, expected (w, b, epochs)",
                          case=case)
        compare("w", got[0], np.array(run.final_w), case=case, atol=1e-9)
        compare("b", got[1], run.final_b, case=case, atol=1e-9)
        hint = ("stop after the first complete epoch with no error (it counts); XOR never gets "
                "there, so it runs all max_epochs")
        compare("epochs", got[2], run.epochs, case=case, hint=hint)
    return f"{len(runs)} runs, XOR included"
