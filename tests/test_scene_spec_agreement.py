"""The registry's `ParamSpec`s and the scenes agree: one declaration per parameter.

Every parameter a scene reads is declared for it in `tutor/scenes/registry.py`, and every
declared choice (and flag value) is taken by the scene as given, never swapped silently for a
default. Scenes are built without the app here (parameters are read when a scene is built);
`tests/test_scene_kinds.py` checks the same once each tour step is mounted in the app.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.scene_tour import variants
from tutor.engines.conv import KERNELS
from tutor.scenes import registry
from tutor.scenes.base import Scene
from tutor.scenes.registry import SCENES, SceneSpec, choices_of, load_scene_class

#: Parameters that keep a scene's build quick (training runs are computed when it is built).
QUICK: dict[str, dict[str, Any]] = {name: {"epochs": 1} for name in ("batch-compare", "line-fit", "xor-network")}


def _build(scene: str, params: dict[str, Any]) -> Any:
    """Scene `scene` built with `params` (plus QUICK), its lazily read parameters read too."""
    built = load_scene_class(scene)({**QUICK.get(scene, {}), **params})
    assert built.total_frames >= 0 and built.initial_position >= 0  # some read parameters here
    return built


@pytest.mark.parametrize("scene", sorted(SCENES))
def test_every_parameter_a_scene_reads_is_declared(scene: str) -> None:
    declared = set(SCENES[scene].specs)
    for params in variants(SCENES[scene]):
        read = set(_build(scene, params).params_read)
        assert read <= declared, f"{scene} {params}: reads undeclared {sorted(read - declared)}"


@pytest.mark.parametrize("scene", sorted(SCENES))
def test_every_declared_choice_and_flag_is_taken_as_given(scene: str) -> None:
    for params in variants(SCENES[scene])[1:]:
        (name, value), = params.items()
        built = _build(scene, params)  # a scene table missing a declared choice raises here
        if name in built.params_read:  # else it is read on mount: see tests/test_scene_kinds.py
            assert built.params_read[name] == value, f"{scene}: {name}={value!r} read as {built.params_read[name]!r}"


def test_the_kernels_declared_for_the_slide_are_the_engines() -> None:
    assert set(choices_of("conv-slide", "kernel")) == set(KERNELS) | {"custom"}


# --- the base class makes a disagreement loud ---------------------------------------------------

class Probe(Scene):
    """A scene registered for these tests only (see the `probe` fixture)."""


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(SCENES, "probe", SceneSpec(
        target=f"{__name__}:Probe",
        specs={"mode": registry.choice("a", "b", default="a")},
    ))


def test_a_scene_table_missing_a_declared_choice_is_an_error(probe: None) -> None:
    with pytest.raises(TypeError, match="cannot take the declared choice"):
        Probe({"mode": "b"}).choice_param("mode", {"a": 1})
    assert Probe({"mode": "b"}).choice_param("mode", {"a": 1, "b": 2, "c": 3}) == "b"
    assert Probe({"mode": "b"}).choices("mode") == ("a", "b") == choices_of("probe", "mode")


def test_reads_are_recorded_with_the_value_the_scene_got(probe: None) -> None:
    built = Probe({"mode": "zzz"})
    assert built.choice_param("mode") == "a" and built.params_read == {"mode": "a"}


@pytest.mark.parametrize("scene", sorted(SCENES))
def test_registry_and_class_agree_on_holding_answers(scene: str) -> None:
    """A step may say `hold_scene = true` only for scenes whose class really holds answers."""
    assert SCENES[scene].holds_answers == load_scene_class(scene).HOLDS_ANSWERS, scene
