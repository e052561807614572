"""The image lessons diagnose their classic slips (#16): from MNIST to LeNet-5.

Pure and fast: the shipped course is loaded, questions are instantiated and graded, and each
classic wrong answer must get its own targeted message (checked by a keyword), not a generic
one. The generators behind these lessons' predict questions are checked over seeds: every
mistake they offer grades to its own message, none equals the right answer.
"""

from __future__ import annotations

import pytest

from tests.answers import shipped_course, shipped_question, typed
from tutor.quiz import grade, instantiate
from tutor.quiz.predict import generate

SEEDS = range(21)

#: The generators these lessons use, with the params the lessons give them.
GENERATORS = [
    ("conv.cell_output", {}),
    ("conv.param_count", {}),
    ("shapes.output_size", {}),
    ("pooling.maxpool", {}),
    ("pooling.maxpool", {"kind": "avg"}),
    ("dense.param_count", {}),
    ("dense.param_count", {"network": True}),
    ("model.conv_layer", {"ask": "params"}),
    ("model.conv_layer", {"ask": "size"}),
    ("model.conv_layer", {"ask": "values"}),
]


_course = shipped_course
_question = shipped_question


# (lesson, question, what the learner types, a word the targeted message must contain)
CLASSIC = [
    # 25 for one 5x5 map: the bias forgotten.
    ("shared-weights", "per-map", "25", "bias"),
    # Weights counted once per output pixel instead of shared.
    ("shared-weights", "per-map", "14976", "share"),
    ("shared-weights", "twenty-maps-count", "500", "bias"),
    # 23,550 for 30 dense units: counted without biases, or with one per input.
    ("shared-weights", "dense-count", "23520", "bias"),
    ("shared-weights", "dense-count", "24,304", "per pixel"),
    ("mnist-dense", "hidden-params", "23,520", "bias"),
    ("mnist-dense", "relu-params", "101632", "bias"),
    # Output size with n - k instead of n - k + 1.
    ("convolution", "map-side", "23", "n - k + 1"),
    ("stride-padding", "positions-28-5", "23", "W - K + 1"),
    ("stride-padding", "positions-7-3", "4", "first position"),
    ("stride-padding", "stride-28-2-2", "13", "+ 1"),
    ("stride-padding", "same-padding", "24", "padding"),
    ("convolution", "three-maps-shape", "3, 23, 23", "n - k + 1"),
    ("stride-padding", "lenet-chain", "28, 28, 24, 24", "shrinks"),
    # LeNet counts without the input channels.
    ("lenet-architecture", "c3-params", "416", "6 input maps"),
    ("lenet-architecture", "c5-params", "3120", "16 maps"),
    ("lenet-architecture", "total-params", "14706", "every input map"),
    ("lenet-architecture", "c1-params", "150", "bias"),
    ("lenet-architecture", "f6-params", "10080", "bias"),
    ("lenet-architecture", "padded-size", "30", "one side"),
    # Pooling and the rest.
    ("pooling", "hand-avg", "13", "divides"),
    ("pooling", "hand-max", "1 2; 1 0", "smallest"),
    ("pooling", "three-maps", "1, 12, 12", "never mixes"),
    ("convolution", "channel-sum", "12", "bias"),
    ("convolution", "channel-sum", "16", "once per channel"),
    ("mnist-dense", "ce-loss", "0.208", "natural log"),
    ("mnist-dense", "batches-per-epoch", "1920000", "multiplied"),
    ("digits-as-data", "inputs-per-image", "56", "added"),
    ("digits-as-data", "training-size", "70000", "test"),
    ("digits-as-data", "outputs", "9", "0 is a class"),
]


@pytest.mark.parametrize(("lesson_id", "question_id", "typed", "keyword"), CLASSIC,
                         ids=[f"{q}={t}" for _, q, t, _ in CLASSIC])
def test_a_classic_slip_gets_its_targeted_message(
    lesson_id: str, question_id: str, typed: str, keyword: str
) -> None:
    question = _question(lesson_id, question_id)
    feedback = grade(instantiate(question), typed)
    assert feedback.status == "wrong"
    assert keyword in feedback.message, feedback.message
    said = {" ".join(message.split()) for _, message in question.mistakes}
    assert feedback.message in said


MINE = ("digits-as-data", "mnist-dense", "convolution", "stride-padding", "pooling",
        "shared-weights", "lenet-architecture")


def test_every_wrong_option_of_these_lessons_says_why() -> None:
    for lesson in _course().lessons:
        if lesson.id not in MINE:
            continue
        for question in lesson.questions.values():
            if question.kind not in ("single", "multiple"):
                continue
            problem = instantiate(question)
            right = {problem.answer} if problem.kind == "single" else set(problem.answer)
            for index in range(len(problem.options)):
                if index in right:
                    continue
                feedback = grade(problem, chr(ord("a") + index))
                assert feedback.status == "wrong", (question.id, index)
                assert feedback.message.startswith("Not quite:"), (question.id, index)
                assert problem.reasons[index] in feedback.message, (question.id, index)


@pytest.mark.parametrize(("name", "params"), GENERATORS,
                         ids=[name + "".join(f"-{k}={v}" for k, v in p.items()) for name, p in GENERATORS])
def test_every_generated_mistake_grades_to_its_own_message(name: str, params: dict) -> None:
    from tutor.content.model import Question

    question = Question(id="q", kind="predict", prompt="?", generator=name, params=params)
    for seed in SEEDS:
        generated = generate(name, seed, params)
        assert generated.mistakes, (name, seed)
        if generated.kind in ("single", "multiple"):  # pragma: no cover - all numeric today
            assert all(generated.reasons)
        problem = instantiate(question, seed)
        right = typed(problem.kind, problem.answer)
        assert grade(problem, right).status == "correct"
        for value, message in problem.mistakes:
            assert typed(problem.kind, value) != right, (name, seed, value)
            feedback = grade(problem, typed(problem.kind, value))
            assert feedback.status == "wrong", (name, seed, value)
            assert feedback.message == " ".join(message.split()), (name, seed, value)
            assert len(feedback.message) <= 160


def test_the_bias_slip_is_diagnosed_by_the_parameter_generators() -> None:
    for seed in SEEDS:
        g = generate("conv.param_count", seed)
        v = g.values
        weights = v["filters"] * v["channels"] * v["kernel"] ** 2
        assert "bias" in dict(g.mistakes)[float(weights)]
        if v["channels"] > 1:
            no_channels = v["filters"] * (v["kernel"] ** 2 + 1)
            assert "channels" in dict(g.mistakes)[float(no_channels)]
