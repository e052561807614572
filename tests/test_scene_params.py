"""The Scene helpers that read lesson parameters and survive the wrong kind of value."""

from __future__ import annotations

from tutor.scenes.base import Scene


def test_int_param_clamps_and_falls_back() -> None:
    scene = Scene({"epochs": 500, "seed": "many", "shift": -3, "big": float("inf")})
    assert scene.int_param("epochs", 10, 1, 100) == 100
    assert scene.int_param("seed", 7) == 7
    assert scene.int_param("shift", 1, 0, 4) == 0
    assert scene.int_param("big", 2) == 2
    assert scene.int_param("missing", 3, 0) == 3


def test_float_param_wants_a_finite_number() -> None:
    scene = Scene({"lr": "fast", "bias": float("nan"), "step": 0.25})
    assert scene.float_param("lr", 0.1) == 0.1
    assert scene.float_param("bias", 0.0) == 0.0
    assert scene.float_param("step", 0.5) == 0.25


def test_choice_param_keeps_only_known_choices() -> None:
    scene = Scene({"view": "maps", "mode": "fly", "model": ["lenet"]})
    assert scene.choice_param("view", ("digits", "maps"), "digits") == "maps"
    assert scene.choice_param("mode", ("slide",), "slide") == "slide"
    assert scene.choice_param("model", {"lenet": 1}, "lenet") == "lenet"  # a list is no key
