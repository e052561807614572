"""`tutor.exercises.learner_calls`: one learner function called in a sandboxed child.

Real child processes on small learner files in tmp_path: values (arrays, tuples, lists) come back
as they were returned; an exception, sys.exit, os._exit, an endless loop, a huge allocation, an
output flood, a missing function and a value of the wrong kind each give one line (with the
learner's line number where Python gives one); a cancelled call stops at once; and the recipes
run our loops on the learner's functions (the reference solutions give the engines' numbers).
"""

from __future__ import annotations

import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tutor.engines.conv import KERNELS, conv2d_loop
from tutor.engines.perceptron import DATASETS, run_training
from tutor.exercises.catalogue import GIB, Limits, get
from tutor.exercises.learner_calls import CallResult, LearnerLink, call_learner, decode, encode

#: Short limits, so the endless loop ends in two seconds.
TIGHT = Limits(wall_seconds=2.0, cpu_seconds=4, memory_bytes=GIB, output_bytes=64 * 1024)

LEARNER = textwrap.dedent("""\
    import os
    import sys

    import numpy as np


    def double(x, factor=2):
        return x * factor, [1, 2.5], {"sum": float(np.sum(x))}


    def boom(x):
        values = [1, 2]
        return values[5]


    def leave(x):
        sys.exit(3)


    def vanish(x):
        os._exit(0)


    def loop(x):
        while True:
            pass


    def huge(x):
        return np.ones((10**5, 10**5))


    def flood(x):
        while True:
            print("spam " * 100)


    def wrong(x):
        return object()


    def strings(x):
        return np.array(["a", "b"])
    """)


@pytest.fixture
def learner(tmp_path: Path) -> Path:
    path = tmp_path / "mine.py"
    path.write_text(LEARNER, encoding="utf-8")
    return path


def call(path: Path, name: str, *args, **kwargs) -> CallResult:
    return call_learner(path, name, *args, limits=TIGHT, **kwargs)


def one_line(result: CallResult) -> str:
    assert not result.ok and result.value is None
    assert "\n" not in result.problem and result.problem
    return result.problem


def test_values_come_back_as_returned(learner: Path) -> None:
    result = call(learner, "double", np.arange(3.0), kwargs={"factor": 3})
    assert result.ok, result.problem
    out, listed, named = result.value
    np.testing.assert_array_equal(out, [0.0, 3.0, 6.0])
    assert listed == [1, 2.5] and named == {"sum": 3.0}


def test_an_exception_names_the_learners_line(learner: Path) -> None:
    line = one_line(call(learner, "boom", np.zeros(1)))
    assert line.startswith("mine.py line 13: IndexError") and "boom" in line


def test_sys_exit_and_os_exit_are_one_line(learner: Path) -> None:
    line = one_line(call(learner, "leave", np.zeros(1)))
    assert "sys.exit(3)" in line and "mine.py line 17" in line
    line = one_line(call(learner, "vanish", np.zeros(1)))
    assert "exit status 0" in line


def test_an_endless_loop_is_stopped_by_the_time_limit(learner: Path) -> None:
    started = time.monotonic()
    line = one_line(call(learner, "loop", np.zeros(1)))
    assert "stopped after 2 s" in line and "endless loop" in line
    assert time.monotonic() - started < 20  # a guard against a hang, not a timing


def test_a_huge_allocation_and_an_output_flood(learner: Path) -> None:
    line = one_line(call(learner, "huge", np.zeros(1)))
    assert "memory" in line and "mine.py line 30" in line
    line = one_line(call(learner, "flood", np.zeros(1)))
    assert "printed more than 64 KiB" in line


def test_wrong_return_types_and_missing_functions(learner: Path) -> None:
    assert "is an object" in one_line(call(learner, "wrong", np.zeros(1)))
    assert "array of <U1" in one_line(call(learner, "strings", np.zeros(1)))
    assert one_line(call(learner, "absent", np.zeros(1))) == "your file has no function absent()"


def test_syntax_errors_and_missing_files(tmp_path: Path) -> None:
    bad = tmp_path / "broken.py"
    bad.write_text("def f(x):\n    return x +\n", encoding="utf-8")
    assert one_line(call(bad, "f", 1)).startswith("broken.py line 2: SyntaxError")
    assert "not there" in one_line(call(tmp_path / "gone.py", "f", 1))


def test_a_cancelled_call_stops_at_once(learner: Path) -> None:
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    result = call_learner(learner, "loop", np.zeros(1), cancel=cancel,
                          limits=Limits(wall_seconds=30, cpu_seconds=60, memory_bytes=GIB))
    assert "stopped before it finished" in one_line(result)
    assert time.monotonic() - started < 20  # well before the 30 s limit: the cancel stopped it


def test_the_conv_recipe_runs_the_learners_conv2d(tmp_path: Path) -> None:
    for exercise, function in (("conv2d-loops", "conv2d_loops"), ("conv2d-fast", "conv_forward")):
        path = tmp_path / get(exercise).file_name
        path.write_text(get(exercise).solution_text(), encoding="utf-8")
        image = np.random.default_rng(0).random((28, 28))
        kernels = np.array([KERNELS["vertical edge"], KERNELS["blur"]])[:, None]
        result = call_learner(path, "recipe:conv_maps", function, image[None, None], kernels,
                              np.array([0.5, -1.0]), 1, 0)
        assert result.ok, result.problem
        assert result.value.shape == (1, 2, 24, 24)
        np.testing.assert_allclose(result.value[0, 0], conv2d_loop(image, KERNELS["vertical edge"], 0.5))
        np.testing.assert_allclose(result.value[0, 1], conv2d_loop(image, KERNELS["blur"], -1.0))


def test_the_conv_recipe_says_when_the_shape_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "conv2d_loops.py"
    path.write_text("import numpy as np\ndef conv2d_loops(x, w, b, stride=1, pad=0):\n"
                    "    return np.zeros((1, 1, 23, 23))\n", encoding="utf-8")
    result = call(path, "recipe:conv_maps", "conv2d_loops", np.zeros((1, 1, 28, 28)),
                  np.zeros((1, 1, 5, 5)), np.zeros(1), 1, 0)
    assert one_line(result) == "conv2d_loops returned shape (1, 1, 23, 23), expected (1, 1, 24, 24)"


def test_the_perceptron_recipe_gives_the_seeds_weights(tmp_path: Path) -> None:
    path = tmp_path / "perceptron_rule.py"
    path.write_text(get("perceptron-rule").solution_text(), encoding="utf-8")
    data = DATASETS["seed-test"]
    result = call(path, "recipe:perceptron_presentations", np.array(data.inputs, dtype=float),
                  np.array(data.targets), np.array([1.0, -0.8]), 0.0, False, 20)
    assert result.ok, result.problem
    reference = run_training(data.inputs, data.targets, (1.0, -0.8), 0.0, use_bias=False, max_epochs=20)
    weights = [tuple(round(float(v), 6) for v in row) for row in result.value["weights"]]
    assert weights == [u.w_after for u in reference.updates]
    assert weights[:3] == [(2.0, 1.2), (3.0, -0.8), (3.0, 0.2)]  # the seed's sequence


def test_encode_and_decode_round_trip() -> None:
    arrays: dict = {}
    value = (np.eye(2), [np.float32(1.5), None, True], {"k": "v"})
    back = decode(encode(value, arrays), arrays)
    np.testing.assert_array_equal(back[0], np.eye(2))
    assert back[1] == [1.5, None, True] and back[2] == {"k": "v"}


def test_the_link_drops_stale_runs(tmp_path: Path) -> None:
    link = LearnerLink()
    assert not link.bound and not link.active
    path = tmp_path / "f.py"
    path.write_text("", encoding="utf-8")
    assert link.bind("conv2d-loops", path, True) and link.active
    first, cancel_first = link.begin()
    second, _ = link.begin()
    assert cancel_first.is_set() and not link.current(first) and link.current(second)
    link.bind("conv2d-loops", path, False)
    assert not link.active and not link.current(second)
