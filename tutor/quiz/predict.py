"""Generators for `predict` questions: fresh numbers each time, computed by an engine.

A lesson's `predict` question names a generator (e.g. `"neuron.threshold_output"`). The
registry maps that name to a `"module:function"` string in `tutor.quiz.generators`, so importing
this module imports neither NumPy nor any engine; `generate` imports the target only when a
question is asked.

Generator contract::

    def threshold_output_problem(rng: numpy.random.Generator, **params) -> Generated: ...

The generator draws its numbers from `rng` (so a seed reproduces the question), computes the
answer with the engine, and returns the template fields for the prompt and explanation,
already formatted as strings where the exact rendering matters.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["GENERATORS", "Generated", "register", "resolve", "generate", "generator_names"]

#: Generator name -> "module:function". Edited by `register`; tests may monkeypatch it.
GENERATORS: dict[str, str] = {
    "neuron.threshold_output": "tutor.quiz.generators.neuron:threshold_output_problem",
    "neuron.weighted_sum": "tutor.quiz.generators.neuron:weighted_sum_problem",
    "neuron.which_gate": "tutor.quiz.generators.neuron:which_gate_problem",
    "perceptron.output": "tutor.quiz.generators.perceptron:output_problem",
    "perceptron.new_weight": "tutor.quiz.generators.perceptron:new_weight_problem",
    "perceptron.side": "tutor.quiz.generators.perceptron:side_problem",
    "descent.next_weight": "tutor.quiz.generators.descent:next_weight_problem",
    "descent.cost": "tutor.quiz.generators.descent:cost_problem",
    "descent.derivative": "tutor.quiz.generators.descent:derivative_problem",
    "backprop.chain": "tutor.quiz.generators.autograd:chain_problem",
    "backprop.sigmoid_local": "tutor.quiz.generators.autograd:sigmoid_local_problem",
    "backprop.softmax_loss": "tutor.quiz.generators.activations:softmax_loss_problem",
    "conv.cell_output": "tutor.quiz.generators.conv:cell_output_problem",
    "conv.param_count": "tutor.quiz.generators.conv:param_count_problem",
    "preprocess.box_size": "tutor.quiz.generators.preprocess:box_size_problem",
    "preprocess.centre_shift": "tutor.quiz.generators.preprocess:centre_shift_problem",
    "shapes.output_size": "tutor.quiz.generators.shapes:output_size_problem",
    "pooling.maxpool": "tutor.quiz.generators.pooling:maxpool_problem",
    "timing.images_per_second": "tutor.quiz.generators.timing:images_per_second_problem",
    "timing.epoch_minutes": "tutor.quiz.generators.timing:epoch_minutes_problem",
    "dense.param_count": "tutor.quiz.generators.dense:dense_param_problem",
    "model.conv_layer": "tutor.quiz.generators.layers:conv_layer_problem",
}

#: The kinds a generator may produce (a generated problem is never itself `predict`).
GENERATED_KINDS: tuple[str, ...] = ("single", "multiple", "number", "vector", "matrix")


@dataclass(frozen=True)
class Generated:
    """What a generator returns: one concrete instance of a `predict` question.

    Attributes:
        values: fields for `str.format_map` on the question's prompt, explanation and hints
            (format numbers as strings here when their rendering matters).
        kind: how the answer is given: number, vector, matrix, single or multiple.
        answer: encoded as in `tutor.content.model.Question.answer` for that kind.
        options: the choices, for single and multiple.
        tolerance: absolute tolerance for numeric answers.
        reasons: for single and multiple, per option why it is wrong ("" for the right ones).
        mistakes: known wrong answers (encoded like `answer`) -> one-line message, as a
            mapping or pairs: the classic slips this question invites, computed from the
            same numbers (e.g. the update with the sign of the error flipped).
    """

    values: dict[str, object]
    kind: str
    answer: Any
    options: tuple[str, ...] = ()
    tolerance: float = 1e-6
    reasons: tuple[str, ...] = ()
    mistakes: Any = ()

    def __post_init__(self) -> None:
        """Reject a kind a learner could not answer."""
        if self.kind not in GENERATED_KINDS:
            raise ValueError(
                f"Generated kind must be one of {', '.join(GENERATED_KINDS)}, got {self.kind!r}."
            )


def register(name: str, target: str) -> None:
    """Register (or replace) generator `name` as a lazily imported `"module:function"`.

    Raises:
        ValueError: when `target` is not of the form "module:function".
    """
    module, sep, function = target.partition(":")
    if not sep or not module or not function:
        raise ValueError(f"Generator target must look like 'module:function', got {target!r}.")
    GENERATORS[name] = target


def generator_names() -> list[str]:
    """The registered generator names, sorted."""
    return sorted(GENERATORS)


def resolve(name: str) -> Callable[..., Generated]:
    """Import and return the generator function registered as `name`.

    Raises:
        KeyError: when no generator has that name.
        ImportError: when the registered module or function cannot be imported.
    """
    try:
        target = GENERATORS[name]
    except KeyError:
        known = ", ".join(generator_names()) or "none"
        raise KeyError(f"Unknown predict generator '{name}'; known generators: {known}.") from None
    module_name, _, function_name = target.partition(":")
    module = importlib.import_module(module_name)
    try:
        function = getattr(module, function_name)
    except AttributeError:
        raise ImportError(
            f"Generator '{name}' points to {target}, but {module_name} has no {function_name}."
        ) from None
    return function


def generate(name: str, seed: int, params: Mapping[str, Any] | None = None) -> Generated:
    """Run generator `name` with `numpy.random.default_rng(seed)` and keyword `params`.

    Raises:
        KeyError: unknown generator name.
        TypeError: when the generator does not return a `Generated`.
    """
    function = resolve(name)
    import numpy  # lazily: keep `import tutor.quiz` free of NumPy

    rng = numpy.random.default_rng(seed)
    result = function(rng, **dict(params or {}))
    if not isinstance(result, Generated):
        raise TypeError(f"Generator '{name}' returned {type(result).__name__}, expected Generated.")
    return result
