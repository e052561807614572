"""Optimizers that update a model's parameters in place: SGD with momentum, and Adam.

Each optimizer keeps its own state (velocities, moment estimates) in arrays on the same `xp`
as the parameters, so a step never leaves the device. `state()` / `load_state()` turn that
state into NumPy arrays and back, so a checkpoint can resume training exactly where it stopped.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tutor.backend import to_numpy

__all__ = ["OPTIMIZERS", "SGD", "Adam", "make_optimizer"]


class SGD:
    """Stochastic gradient descent with (heavy-ball) momentum.

    v ← μ·v − lr·g ;  p ← p + v      (μ = 0 gives plain SGD: p ← p − lr·g)
    """

    name = "sgd"

    def __init__(self, params: dict[str, Any], lr: float = 0.05, momentum: float = 0.9) -> None:
        self.params = params
        self.lr = lr
        self.momentum = momentum
        self.velocity = {name: p * 0 for name, p in params.items()}
        self.steps = 0

    def step(self, grads: dict[str, Any]) -> None:
        """Apply one update with the gradients of every parameter."""
        fused = _fused("sgd", self.params)
        for name, p in self.params.items():
            if fused is not None:
                fused(grads[name], self.lr, self.momentum, p, self.velocity[name])
                continue
            v = self.velocity[name]
            v *= self.momentum
            v -= self.lr * grads[name]
            p += v
        self.steps += 1

    def state(self) -> dict[str, np.ndarray]:
        """The optimizer's state as NumPy arrays (for a checkpoint)."""
        out = {f"v:{name}": np.asarray(to_numpy(v)) for name, v in self.velocity.items()}
        out["steps"] = np.array(self.steps)
        return out

    def load_state(self, state: dict[str, np.ndarray], xp: Any) -> None:
        """Restore `state()` (arrays whose names do not match are ignored)."""
        for name, v in self.velocity.items():
            saved = state.get(f"v:{name}")
            if saved is not None and saved.shape == tuple(v.shape):
                self.velocity[name] = xp.asarray(saved, dtype=v.dtype)
        self.steps = int(state.get("steps", 0))


class Adam:
    """Adam: per-parameter steps scaled by running estimates of the gradient's mean and variance.

    m ← β1·m + (1−β1)·g ;  s ← β2·s + (1−β2)·g² ;  p ← p − lr·m̂ / (√ŝ + ε)  (bias-corrected)
    """

    name = "adam"

    def __init__(
        self, params: dict[str, Any], lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ) -> None:
        self.params = params
        self.lr = lr
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = {name: p * 0 for name, p in params.items()}
        self.s = {name: p * 0 for name, p in params.items()}
        self.steps = 0

    def step(self, grads: dict[str, Any]) -> None:
        """Apply one update with the gradients of every parameter."""
        self.steps += 1
        b1, b2 = self.beta1, self.beta2
        # The two bias corrections folded into one step size.
        rate = self.lr * math.sqrt(1 - b2**self.steps) / (1 - b1**self.steps)
        fused = _fused("adam", self.params)
        for name, p in self.params.items():
            g = grads[name]
            m, s = self.m[name], self.s[name]
            if fused is not None:
                fused(g, rate, b1, b2, self.eps, p, m, s)
                continue
            m *= b1
            m += (1 - b1) * g
            s *= b2
            s += (1 - b2) * (g * g)
            p -= rate * m / (s**0.5 + self.eps)

    def state(self) -> dict[str, np.ndarray]:
        """The optimizer's state as NumPy arrays (for a checkpoint)."""
        out = {f"m:{name}": np.asarray(to_numpy(v)) for name, v in self.m.items()}
        out.update({f"s:{name}": np.asarray(to_numpy(v)) for name, v in self.s.items()})
        out["steps"] = np.array(self.steps)
        return out

    def load_state(self, state: dict[str, np.ndarray], xp: Any) -> None:
        """Restore `state()` (arrays whose names do not match are ignored)."""
        for prefix, table in (("m", self.m), ("s", self.s)):
            for name, v in table.items():
                saved = state.get(f"{prefix}:{name}")
                if saved is not None and saved.shape == tuple(v.shape):
                    table[name] = xp.asarray(saved, dtype=v.dtype)
        self.steps = int(state.get("steps", 0))


OPTIMIZERS = {"sgd": SGD, "adam": Adam}

#: The update rules as single CuPy kernels (one launch per parameter instead of about ten).
_KERNEL_SOURCES = {
    "sgd": ("T g, T lr, T mu", "T p, T v", "v = mu * v - lr * g; p += v;"),
    "adam": (
        "T g, T rate, T b1, T b2, T eps",
        "T p, T m, T s",
        "m = b1 * m + (1 - b1) * g; s = b2 * s + (1 - b2) * g * g; p -= rate * m / (sqrt(s) + eps);",
    ),
}
_kernels: dict[str, Any] = {}


def _fused(name: str, params: dict[str, Any]) -> Any:
    """The fused CuPy update kernel when the parameters live on a GPU, else None (NumPy path)."""
    first = next(iter(params.values()), None)
    if first is None or not type(first).__module__.startswith("cupy"):
        return None
    if name not in _kernels:
        import cupy  # noqa: PLC0415 - only reached with CuPy arrays in hand

        inputs, outputs, body = _KERNEL_SOURCES[name]
        _kernels[name] = cupy.ElementwiseKernel(inputs, outputs, body, f"tutor_{name}_step")
    return _kernels[name]


def make_optimizer(name: str, params: dict[str, Any], lr: float, momentum: float = 0.9) -> SGD | Adam:
    """An optimizer by name ("sgd" or "adam"); ValueError with the choices otherwise."""
    if name == "sgd":
        return SGD(params, lr=lr, momentum=momentum)
    if name == "adam":
        return Adam(params, lr=lr)
    raise ValueError(f"unknown optimizer {name!r}: choose sgd or adam")
