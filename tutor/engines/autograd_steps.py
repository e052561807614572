"""The computation of a `Value` graph recorded one node (or one edge) at a time.

`forward_steps` gives one `ForwardStep` per inner node and `backward_steps` one `BackwardStep`
per edge the gradient flows back along, for the graph scenes to show step by step. The records
hold numbers and node ids only; the formulas a scene writes beside them ("q = x + y = -2 + 5 = 3",
"∂f/∂x = ∂f/∂q · ∂q/∂x = -4 · 1 = -4") are built from these records and the traced graph by
`tutor.graph_layout.formulas`. `with_learner_numbers` redoes the backward steps from numbers the
learner's own code gave (the graph scenes on the hands-on exercise). Nothing here prints or
imports a UI library, or NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tutor.engines.autograd import Graph, Value, _finite, local_gradient, topological_order

__all__ = ["BackwardStep", "ForwardStep", "backward_steps", "forward_steps", "with_learner_numbers"]


def _ids(order: list[Value]) -> dict[int, int]:
    """Python id of each Value -> its index in `order`."""
    return {id(v): i for i, v in enumerate(order)}


@dataclass(frozen=True)
class ForwardStep:
    """One node computed in the forward pass.

    Attributes:
        node: the node's id (as in `trace`).
        value: its value.
    """

    node: int
    value: float


@dataclass(frozen=True)
class BackwardStep:
    """One gradient contribution flowing back along one edge (or the output's seed).

    Attributes:
        node: the node whose gradient is being added to.
        via: the consumer node the gradient flows back from (-1 for the output's seed).
        local: ∂via/∂node (1 for the seed).
        upstream: the gradient of `via` (1 for the seed).
        contribution: local · upstream.
        grad_after: the node's gradient after adding the contribution.
        grad_before: the node's gradient before it (0 on its first edge).
        adds: whether an earlier edge already reached the node (a value used twice).
    """

    node: int
    via: int
    local: float
    upstream: float
    contribution: float
    grad_after: float
    grad_before: float = 0.0
    adds: bool = False


def forward_steps(root: Value) -> list[ForwardStep]:
    """One step per inner (non-leaf) node of the graph under `root`, in topological order.

    Leaves are given, so they have no step.
    """
    order = topological_order(root)
    return [ForwardStep(node=i, value=v.data) for i, v in enumerate(order) if v._prev]


def backward_steps(root: Value) -> list[BackwardStep]:
    """The backward pass under `root`, one edge at a time (does not touch `.grad`).

    First the seed ∂f/∂f = 1 for the output, then, for each inner node in reverse topological
    order, one step per operand (in operand order): the gradient flowing back to that operand.
    A value used twice gets two steps; the second has `adds` set and shows the sum.

    Raises:
        OverflowError: when a gradient would not be finite.
    """
    order = topological_order(root)
    ids = _ids(order)
    out_id = len(order) - 1
    grads = [0.0] * len(order)
    grads[out_id] = 1.0
    steps = [BackwardStep(node=out_id, via=-1, local=1.0, upstream=1.0, contribution=1.0,
                          grad_after=1.0)]
    touched = {out_id}
    for k in range(out_id, -1, -1):
        v = order[k]
        for j, child in enumerate(v._prev):
            c = ids[id(child)]
            local = local_gradient(v, j)
            upstream = grads[k]
            contribution = _finite(local * upstream, "a gradient")
            before = grads[c]
            grads[c] = _finite(before + contribution, "a gradient")
            steps.append(BackwardStep(node=c, via=k, local=local, upstream=upstream,
                                      contribution=contribution, grad_after=grads[c],
                                      grad_before=before, adds=c in touched))
            touched.add(c)
    return steps


def with_learner_numbers(full: Graph, forward: list[ForwardStep], backward: list[BackwardStep],
                         output: float, grads: dict[int, float],
                         ) -> tuple[Graph, list[ForwardStep], list[BackwardStep]]:
    """The graph and its steps with the output's value `output` and the gradients `grads`
    (node id -> gradient, as the learner's code gave them) put in, every later edge carrying
    them on: an edge's upstream is the gradient now at the gate it leaves, its contribution
    local × upstream (the graph's own local gradients; the learner's numbers reach the nodes
    below the ones they give). A node in `grads` takes its value on its last edge."""
    out_id = full.output
    full = Graph(nodes=tuple(replace(node, value=output) if node.id == out_id else node
                             for node in full.nodes), output=out_id)
    forward = [replace(step, value=output) if step.node == out_id else step for step in forward]
    last = {step.node: i for i, step in enumerate(backward)}
    now: dict[int, float] = {}
    steps: list[BackwardStep] = []
    for i, step in enumerate(backward):
        if step.via >= 0:
            before = now.get(step.node, 0.0)
            upstream = now.get(step.via, step.upstream)
            if step.node in grads and last[step.node] == i:
                after = grads[step.node]
                step = replace(step, upstream=upstream, contribution=after - before,
                               grad_before=before, grad_after=after)
            else:
                contribution = step.local * upstream
                step = replace(step, upstream=upstream, contribution=contribution,
                               grad_before=before, grad_after=before + contribution)
        now[step.node] = step.grad_after
        steps.append(step)
    return full, forward, steps
