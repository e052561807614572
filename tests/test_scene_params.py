"""The Scene helpers that read lesson parameters and survive the wrong kind of value, and the
registry's ranges that `Scene` resolves every parameter through (issue #14)."""

from __future__ import annotations

import math

import pytest

from tutor.scenes import registry
from tutor.scenes.base import Scene
from tutor.scenes.registry import SCENES, ParamSpec, SceneSpec, check_param, registered_name


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


# --- the registry's ranges, resolved by the base class -----------------------------------------

class Probe(Scene):
    """A scene registered for these tests only (see the `probe` fixture)."""


class ProbeChild(Probe):
    """A subclass (e.g. a test double) resolves through its registered parent."""


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(SCENES, "probe", SceneSpec(
        target=f"{__name__}:Probe",
        specs={
            "epochs": registry.integer(20, 1, 1000),
            "lr": registry.number(0.1, -10.0, 10.0),
            "open": registry.integer(None, 0, 5),
            "mode": registry.choice("a", "b", default="a"),
            "on": registry.flag(True),
            "start": registry.pair(None, -1.0, 1.0),
            "logits": registry.vector([0.0, 0.0], -5.0, 5.0, max_len=3),
            "name": registry.text("x", max_len=4),
        },
    ))


def test_registry_name_follows_the_class_and_its_subclasses(probe: None) -> None:
    assert registered_name(Probe) == "probe" == Probe().scene_name
    assert registered_name(ProbeChild) == "probe"
    assert registered_name(Scene) is None


def test_params_are_resolved_through_the_registry_when_built(probe: None) -> None:
    scene = ProbeChild({
        "epochs": 1e9, "lr": float("nan"), "mode": ["a"], "on": "yes", "start": [9, -9],
        "logits": [1, 2, 99, 4, 5], "name": "too long", "extra": object,
    })
    assert scene.params["epochs"] == 1000  # clamped into the range
    assert "lr" not in scene.params and "mode" not in scene.params and "on" not in scene.params
    assert scene.params["start"] == [1.0, -1.0] and scene.params["logits"] == [1.0, 2.0, 5.0]
    assert "name" not in scene.params and scene.params["extra"] is object  # unregistered: kept


def test_helpers_clamp_to_the_registry_and_use_its_defaults(probe: None) -> None:
    scene = Probe({"epochs": 5000, "lr": -1e308})
    assert scene.int_param("epochs", 7, 0, 10**9) == 1000  # the scene cannot widen the range
    assert scene.int_param("epochs", 7, 0, 50) == 50  # but may narrow it
    assert scene.float_param("lr") == -10.0
    assert Probe({}).int_param("epochs", 7) == 20  # the registry's default wins
    assert Probe({}).int_param("open", 9) == 5  # none declared: the scene's, clamped
    with pytest.raises(TypeError, match="needs a default"):
        Probe({}).int_param("open")
    assert Probe({}).choice_param("mode") == "a" and Probe({"mode": "b"}).choice_param("mode") == "b"
    assert Probe({"on": 1}).bool_param("on") is True and Probe({"on": False}).bool_param("on") is False
    assert Probe({}).numbers_param("start") is None and Probe({}).numbers_param("logits") == [0.0, 0.0]
    assert Probe({"name": "abcdefgh"}).str_param("name") == "x"


def test_every_default_fits_its_own_declaration() -> None:
    for scene, spec in SCENES.items():
        for name, param in spec.specs.items():
            assert param.default is None or param.fits(param.default), f"{scene}.{name}"
            assert param.default is not None or param.note, f"{scene}.{name}: say who picks the default"


def test_check_param_reports_the_range_and_keeps_the_old_kinds() -> None:
    spec = ParamSpec("int", 20, 1, 1000)
    assert check_param(spec, 20) is None
    assert check_param(spec, 10**9) == "a whole number from 1 to 1,000"
    assert check_param(spec, 2.0) == "a whole number from 1 to 1,000"
    assert check_param(ParamSpec("number", 0.0, -1.0, 1.0), math.inf) == "a number from -1 to 1"
    # The kinds as `SceneSpec.params` shows them still work for older callers.
    assert check_param("int", 3) is None and check_param("number", "x") == "a number"
    assert check_param(("a", "b"), "c") == "one of 'a', 'b'"
    assert check_param("pair", [1, 2]) is None and check_param("vector", []) is not None
    assert SCENES["pooling"].params["kind"] == ("max", "avg") and SCENES["pooling"].params["index"] == "int"
