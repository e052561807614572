"""The images and LeNet units (#16, #17): held scenes, one counting convention, channels-last
summaries, validation sets, AlexNet's table, and lesson summaries that promise ideas, not numbers.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from textual.widgets import Static

from tests.scene_host import SceneHost, shown_text
from tutor.content.loader import load_lesson
from tutor.engines import mnist
from tutor.engines.conv import KERNELS, toy_channels
from tutor.engines.spec import MODELS
from tutor.scenes.conv_sandbox import ConvSandboxScene
from tutor.scenes.conv_slide import KERNEL_ORDER, ConvSlideScene
from tutor.scenes.digit_browser import DigitBrowserScene
from tutor.scenes.lenet_summary import channels_last, summary_lines
from tutor.scenes.pooling import PoolingScene
from tutor.widgets.plot import Plot

LESSONS = Path(__file__).resolve().parent.parent / "lessons"
MINE = ("digits-as-data", "mnist-dense", "convolution", "stride-padding", "pooling", "shared-weights",
        "lenet-architecture", "where-this-led")


def lesson(lesson_id: str) -> Any:
    issues: list = []
    loaded = load_lesson(LESSONS / lesson_id, lesson_id, issues)
    assert loaded is not None and not issues, issues
    return loaded


def step_text(lesson_id: str, step_id: str) -> tuple[str, str]:
    """(prose before `<!-- reveal -->`, prose after it) of one step of a shipped lesson."""
    text = (LESSONS / lesson_id / "lesson.md").read_text(encoding="utf-8")
    parts = re.split(r"<!-- step: ([\w-]+) -->", text)
    sections = dict(zip(parts[1::2], parts[2::2]))
    before, _, after = sections[step_id].partition("<!-- reveal -->")
    return before, after


def _text(scene: Any, selector: str) -> str:
    return shown_text(scene.query_one(selector, Static))


# --- lesson summaries (#16) ------------------------------------------------------------------------


def _written(value: float) -> set[str]:
    whole = float(value).is_integer()
    forms = {f"{int(value):,}", str(int(value))} if whole else {f"{value:g}"}
    return forms


@pytest.mark.parametrize("lesson_id", MINE)
def test_summaries_do_not_state_asked_numbers(lesson_id: str) -> None:
    loaded = lesson(lesson_id)
    numbers = set(re.findall(r"\d[\d,.]*\d|\d", loaded.summary))
    for question in loaded.questions.values():
        if question.kind != "number" or question.answer in (0, 1, 10):
            continue
        assert not (_written(question.answer) & numbers), (lesson_id, question.id, loaded.summary)
    for number in ("60,000", "784", "23,550", "61,706", "24x24", "12x12", "32x32"):
        assert number not in loaded.summary, (lesson_id, number)


# --- digits-as-data: the counts chart is held (#16) ------------------------------------------------


def _fake_digits() -> Any:
    labels = np.array([1] * 7 + [7] * 5 + [0] * 3 + list(range(2, 7)) + [8, 9], dtype=np.uint8)
    images = np.zeros((len(labels), 28, 28), dtype=np.uint8)
    info = SimpleNamespace(class_names=tuple(str(k) for k in range(10)))
    return SimpleNamespace(train_images=images, train_labels=labels, test_images=images[:5],
                           test_labels=labels[:5], info=info)


async def test_counts_chart_holds_which_digit_is_most_frequent(monkeypatch: pytest.MonkeyPatch) -> None:
    digits = _fake_digits()
    monkeypatch.setattr(mnist, "load_digits", lambda *a, **k: digits, raising=False)
    scene = DigitBrowserScene({"split": "train", "view": "counts"})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        bars = scene.query_one(Plot).model.bars
        assert bars.labels == tuple(str(k) for k in range(10))
        shown = list(bars.values)
        scene.hold_answers(True)
        await pilot.pause()
        bars = scene.query_one(Plot).model.bars
        assert set(bars.labels) == {"?"}, "the bars must not say which digit they are"
        assert list(bars.values) == sorted(shown, reverse=True), "tallest first: no position gives it away"
        assert "Most: ?" in _text(scene, "#db-status") and "Most: 1" not in _text(scene, "#db-status")
        scene.hold_answers(False)
        await pilot.pause()
        bars = scene.query_one(Plot).model.bars
        assert bars.labels == tuple(str(k) for k in range(10)) and list(bars.values) == shown
        assert "Most: 1 (7)" in _text(scene, "#db-status")


def test_the_data_set_step_holds_its_scene_and_its_title_does_not_answer() -> None:
    loaded = lesson("digits-as-data")
    step = next(s for s in loaded.steps if s.id == "the-data-set")
    assert step.hold_scene and "most-frequent" in step.questions
    before, _ = step_text("digits-as-data", "the-data-set")
    assert "Sixty thousand" not in before and "60,000" not in before


# --- stride-padding: "does not fit" is held (#16) --------------------------------------------------


async def test_sandbox_holds_the_overhang_marks_too() -> None:
    scene = ConvSandboxScene({"width": 8, "kernel": 3, "stride": 2, "padding": 0, "editable": True})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert "×" in _text(scene, "#cs-grid") and "unseen" in _text(scene, "#cs-grid")
        assert "not a whole number" in _text(scene, "#cs-formula")
        scene.hold_answers(True)
        await pilot.pause()
        for word in ("×", "unseen", "not a whole number", "round down", "✗"):
            assert word not in _text(scene, "#cs-grid") + _text(scene, "#cs-formula"), word
        assert "(8 - 3 + 2·0)/2 + 1 = ?" in _text(scene, "#cs-formula")
        scene.hold_answers(False)
        await pilot.pause()
        assert "×" in _text(scene, "#cs-grid") and "round down" in _text(scene, "#cs-formula")


def test_formula_step_is_held_and_the_scene_checks_come_after_it() -> None:
    loaded = lesson("stride-padding")
    steps = {s.id: s for s in loaded.steps}
    assert steps["formula"].hold_scene and tuple(steps["formula"].questions) == ("does-not-fit",)
    fits = steps["find-fits"]
    assert not fits.hold_scene and "valid-combos" in fits.questions and fits.scene == "conv-sandbox"
    before, after = step_text("stride-padding", "formula")
    assert "round down" not in before and "round down" in after


# --- convolution: `k` and the channels question, `k` and edited weights (#17.3) ---------------------


async def test_k_waits_while_the_channels_question_is_open() -> None:
    scene = ConvSlideScene({"mode": "channels", "channels": 2, "seed": 0})
    question = lesson("convolution").questions["channel-sum"]
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert float(scene.toy_out[0, 0]) == question.answer == float(toy_channels(0, 2).out[0, 0])
        scene.hold_answers(True)
        await pilot.pause()
        await pilot.press("k")
        assert scene.seed == 0 and float(scene.toy_out[0, 0]) == question.answer
        assert "once you have answered" in _text(scene, "#cs-status")
        scene.hold_answers(False)
        await pilot.press("k")
        assert scene.seed == 1 and "once you have answered" not in _text(scene, "#cs-status")


async def test_k_keeps_edited_weights_and_comes_back_to_them() -> None:
    scene = ConvSlideScene({"index": 0, "kernel": "vertical edge", "mode": "slide", "editable": True})
    async with SceneHost(scene).run_test(size=(100, 50)) as pilot:
        await pilot.pause()
        await pilot.press("d", "right_square_bracket")
        assert scene.kernel_name == "custom"
        edited = scene.kernel.copy()
        assert not np.array_equal(edited, KERNELS["vertical edge"])
        await pilot.press("k")
        assert scene.kernel_name == KERNEL_ORDER[0]
        np.testing.assert_array_equal(scene.kernel, KERNELS[KERNEL_ORDER[0]])
        for _ in range(len(KERNEL_ORDER)):
            await pilot.press("k")
        assert scene.kernel_name == "custom"
        np.testing.assert_array_equal(scene.kernel, edited)
        await pilot.press("k")
        assert scene.kernel_name == KERNEL_ORDER[0]


def test_convolution_channels_prose_says_k_waits() -> None:
    before, _ = step_text("convolution", "channels")
    assert "waits until you have" in before and "answered" in before


# --- pooling: one counting convention (#17.4) --------------------------------------------------------


def _pool_digits() -> Any:
    images = np.zeros((2, 28, 28), dtype=np.uint8)
    images[0, 4:24, 10:14] = 255
    labels = np.array([7, 1], dtype=np.uint8)
    return SimpleNamespace(train_images=images, train_labels=labels, test_images=images, test_labels=labels)


async def test_pooling_counts_frames_and_cells_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    digits = _pool_digits()
    monkeypatch.setattr(mnist, "load_digits", lambda *a, **k: digits)
    scene = PoolingScene({"index": 0, "kind": "max", "mode": "animate"})
    question = lesson("pooling").questions["window-count"]
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert scene.position == 0 and "none yet" in _text(scene, "#pl-cap-b")
        scene.step_forward()
        await pilot.pause()
        assert scene.position == 1 and "cell 1\n" in _text(scene, "#pl-cap-b")
        scene.to_end()
        await pilot.pause()
        caption = _text(scene, "#pl-cap-b")
        # The transport says "step 144/144", the caption "cell 144 of 144", the question 144.
        assert scene.position == scene.total_frames == question.answer == 144
        assert "cell 144" in caption and "of 144" in caption
    assert any(answer == 143 for answer, _ in question.mistakes)
    # The transport under a scene prints "step k/144": the count is asked on a step without one.
    step = next(s for s in lesson("pooling").steps if "window-count" in s.questions)
    assert step.scene is None


# --- lenet-architecture: channels last in the Keras view (#17.5) -------------------------------------


def test_keras_view_is_channels_last_at_every_width() -> None:
    lenet = MODELS["lenet"]
    assert channels_last((6, 28, 28)) == (28, 28, 6) and channels_last((400,)) == (400,)
    wide = summary_lines(lenet, width=80).plain
    assert "(None, 28, 28, 6)" in wide and "(None, 5, 5, 16)" in wide
    narrower = summary_lines(lenet, width=36).plain
    assert "(28, 28, 6)" in narrower or "(28,28,6)" in narrower
    assert "(6, 28, 28)" not in narrower and "(6,28,28)" not in narrower
    before, _ = step_text("lenet-architecture", "the-summary")
    assert "(None, 28, 28, 6)" in before and "channels" in before


# --- where-this-led: two error rates and AlexNet's table (#17.2) -------------------------------------


#: AlexNet's layers: (filters or units, inputs per filter or unit), split over two GPUs as published.
ALEXNET = {"conv1": (96, 3 * 11 * 11), "conv2": (256, 48 * 5 * 5), "conv3": (384, 256 * 3 * 3),
           "conv4": (384, 192 * 3 * 3), "conv5": (256, 192 * 3 * 3), "fc6": (4096, 6 * 6 * 256),
           "fc7": (4096, 4096), "fc8": (1000, 4096)}


def _alexnet_rows(after: str) -> dict[str, tuple[int, str]]:
    rows = {}
    for line in after.splitlines():
        match = re.match(r"(conv\d|fc\d)\s+([\d,]+)$", line.strip())
        if match:
            rows[match.group(1)] = (int(match.group(2).replace(",", "")), "")
    return rows


def test_alexnet_table_adds_up() -> None:
    before, after = step_text("where-this-led", "alexnet")
    rows = _alexnet_rows(after)
    assert list(rows) == ["conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"]
    for name, (count, _) in rows.items():
        units, inputs = ALEXNET[name]
        assert count == units * (inputs + 1), name
    table = after.split("```text")[1].split("```")[0]
    assert max(len(line) for line in table.splitlines()) <= 34  # fits the prose column at 80x24
    total = sum(count for count, _ in rows.values())
    assert total == 60_965_224 and f"total  {total:,}" in after
    assert round(total / 1e6) == 61 and "60 million" in after and "60 million" not in before
    dense = sum(count for name, (count, _) in rows.items() if name.startswith("fc"))
    assert round(100 * dense / total) == 96 and "96%" in after
    # The shapes of the outline follow (W - K + 2P)/S + 1 from a 227-wide input.
    size = 227
    for kernel, stride, pad, expected in ((11, 4, 0, 55), (3, 2, 0, 27), (5, 1, 2, 27), (3, 2, 0, 13),
                                          (3, 1, 1, 13), (3, 2, 0, 6)):
        size = (size - kernel + 2 * pad) // stride + 1
        assert size == expected
        assert f"{expected}x{expected}x" in before


def test_alexnet_questions_follow_the_table() -> None:
    loaded = lesson("where-this-led")
    fc6 = loaded.questions["fc6-params"]
    assert fc6.answer == 6 * 6 * 256 * 4096 + 4096
    assert {answer for answer, _ in fc6.mistakes} >= {6 * 6 * 256 * 4096, 256 * 4096 + 4096}
    share = loaded.questions["dense-share"]
    assert share.options[share.answer] == "In the three dense layers at the end"
    millions = loaded.questions["params-millions"]
    assert millions.answer == round(60_965_224 / 1e7) * 10
    steps = {s.id: s for s in loaded.steps}
    assert tuple(steps["alexnet"].questions) == ("fc6-params", "dense-share", "params-millions")
    assert "times-lenet" in steps["scale"].questions


def test_the_two_error_rates_are_explained() -> None:
    before, _ = step_text("where-this-led", "scale")
    for words in ("18.9%", "15.3%", "2010", "2012", "seven", "averag"):
        assert words in before, words


# --- mnist-dense: validation, momentum, H(y, p) (#17.1) ----------------------------------------------


def test_mnist_dense_teaches_train_validation_test() -> None:
    before, _ = step_text("mnist-dense", "stop-at-a-target")
    for words in ("validation", "validation_split", "val_accuracy", "scored once", "callback"):
        assert words in before, words
    early = lesson("mnist-dense").questions["early-stop"]
    right = [early.options[i] for i in early.answer]
    assert any("validation" in option for option in right)
    wrong = [o for i, o in enumerate(early.options) if i not in early.answer]
    assert any("test accuracy" in o and "honest" in o for o in wrong)


def test_mnist_dense_explains_momentum_and_uses_the_course_notation() -> None:
    loaded = lesson("mnist-dense")
    text = (LESSONS / "mnist-dense" / "lesson.md").read_text(encoding="utf-8")
    assert "H(y, p) = - Σ_i y_i · ln p_i" in text and "H(p, q)" not in text
    batches, _ = step_text("mnist-dense", "mini-batches")
    assert "momentum 0.9" in batches and "90%" in batches and "velocity" in batches
    sgd_steps = [s for s in loaded.steps if (s.scene_params or {}).get("optimizer") == "sgd"]
    # The first step the settings panel (where "sgd, momentum 0.9" shows) is open on explains it.
    editable = [s for s in sgd_steps if (s.scene_params or {}).get("editable", True)]
    assert editable and editable[0].id == "mini-batches"
