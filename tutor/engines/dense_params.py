"""Parameter counts of fully connected networks.

A dense layer joins every input to every unit: `inputs x units` weights plus one bias per unit,
so the first layer of the workshop's 784-30-10 network has 784 x 30 + 30 = 23,550 parameters
and the whole network 23,550 + (30 x 10 + 10) = 23,860. The counting itself is
`tutor.engines.conv.param_count_dense`; this module adds the whole-network sum. The question
that drills it is `tutor.quiz.generators.dense`.
"""

from __future__ import annotations

from tutor.engines.conv import param_count_dense

__all__ = ["mlp_param_count"]


def mlp_param_count(sizes: tuple[int, ...] | list[int]) -> int:
    """Weights and biases of a chain of dense layers, e.g. (784, 30, 10) -> 23,860."""
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError("a network needs at least two layer sizes, each at least 1")
    return sum(param_count_dense(a, b) for a, b in zip(sizes, sizes[1:]))
