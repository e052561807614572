"""Checks of exercise xor-backward, against `tutor.engines.mlp`."""

from __future__ import annotations

import numpy as np

from tutor.engines import mlp as ref
from tutor.exercises.checking import Checklist, Failure, call, compare, describe, grad_check

CHECKS = Checklist()
X = np.array(ref.XOR_INPUTS)
T = np.array(ref.XOR_TARGETS)
NAMES = ("W1", "b1", "W2", "b2")


def _params(net: ref.MLP) -> dict:
    return {name: np.array(getattr(net, name), dtype=float) for name in NAMES}


def _grads(m, params, case, expected=None):
    y, cache = m.forward(params, X) if hasattr(m, "forward") else (None, None)
    if cache is None:
        raise Failure("your file has no forward() (the starter had one; `dl-tutor exercises reset "
                      "xor-backward` brings it back)")
    got = call(m, "backward", params, cache, T, case=case, expected=expected)
    if not isinstance(got, dict) or set(got) != set(NAMES):
        raise Failure(f"backward returned {describe(got, 100)}, expected a dict with keys W1, b1, W2, b2",
                      case=case)
    return got


@CHECKS.add("every gradient matches the reference backward pass (shapes included)")
def against_reference(m) -> str:
    for seed, hidden in ((0, 2), (3, 2), (4, 3)):
        net = ref.init_mlp(hidden, seed=seed)
        params = _params(net)
        expected = ref.backward(net, ref.forward(net, X), T, "mse")
        case = f"the XOR patterns, {hidden} hidden units, init_mlp(seed={seed}): W1 = {describe(params['W1'])}"
        got = _grads(m, params, case, expected=f"dW2 = {describe(expected.dW2)}")
        for name in reversed(NAMES):
            compare(f"d{name}", got[name], getattr(expected, f"d{name}"), case=case,
                    hint={"W2": "dz2 = (y - t) / N · y(1 - y); dW2 = dz2 @ h as a (1, H) row",
                          "b2": "db2 = [sum(dz2)], shape (1,)",
                          "W1": "dz1 = dz2[:, None] * W2 * h(1 - h); dW1 = dz1.T @ X",
                          "b1": "db1 = dz1.sum(axis=0)"}[name])
    return "3 networks"


@CHECKS.add("every gradient matches the numerical gradient")
def numerical(m) -> str:
    net = ref.init_mlp(2, seed=5)
    params = _params(net)
    case = "the XOR patterns, init_mlp(2, seed=5)"
    got = _grads(m, params, case)
    worst = 0.0
    for name in NAMES:
        def loss(p, name=name):
            trial = dict(params, **{name: p})
            return ref.loss_mse(m.forward(trial, X)[0], T)
        worst = max(worst, grad_check(f"d{name}", got[name], loss, params[name], case=case, samples=None))
    return f"largest relative error {worst:.1e}"


@CHECKS.add("your backward pass trains the network to compute XOR", after_others=True)
def trains(m) -> str:
    params = _params(ref.init_mlp(2, seed=ref.GOOD_SEED))
    case = f"init_mlp(2, seed={ref.GOOD_SEED}), lr = 2, up to 5000 epochs"
    y = call(m, "train_xor", params, case=case)
    compare("the outputs after training", np.round(np.asarray(y, dtype=float)), T, case=case)
    return "outputs " + ", ".join(f"{v:.2f}" for v in np.asarray(y))
