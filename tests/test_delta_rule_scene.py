"""The delta-rule scene in a host app (the lesson screen's keys call these same methods): frame k shows update k, rule and gradient step side by side."""

from __future__ import annotations

from textual.widgets import Static

from tests.scene_host import SceneHost, shown_text
from tutor.scenes.delta_rule import DeltaRuleScene


def _text(scene: DeltaRuleScene, widget_id: str) -> str:
    return shown_text(scene.query_one(f"#{widget_id}", Static))


async def test_delta_rule_steps_show_equal_columns() -> None:
    scene = DeltaRuleScene({"lr": 0.02, "samples": 12})
    async with SceneHost(scene).run_test(size=(80, 24)) as pilot:
        assert scene.total_frames == 12 and scene.position == 0
        assert "w = 0   b = 0" in _text(scene, "dr-numbers")
        scene.step_forward()
        await pilot.pause()
        assert scene.position == 1
        numbers, compare = _text(scene, "dr-numbers"), _text(scene, "dr-compare")
        assert "update 1/12" in numbers and "i = -1   t = -3" in numbers
        assert "t - o             = -3" in numbers
        # Δw = 0.02·(-3)·(-1) = 0.06 by the rule and as -η·∂E/∂w, Δb = -0.06
        rows = {line.split()[0]: line.split()[1:] for line in compare.splitlines() if line.strip()}
        assert rows["Δw"] == ["0.06", "0.06", "="] and rows["Δb"] == ["-0.06", "-0.06", "="]
        scene.to_end()
        await pilot.pause()
        assert scene.position == 12 and "update 12/12" in _text(scene, "dr-numbers")
        scene.reset()
        await pilot.pause()
        assert scene.position == 0


async def test_delta_rule_blow_up_is_named() -> None:
    scene = DeltaRuleScene({"lr": 1.0, "samples": 600})
    async with SceneHost(scene).run_test(size=(80, 24)) as pilot:
        scene.to_end()
        await pilot.pause()
        assert scene.position == scene.total_frames
        assert "blew up" in _text(scene, "dr-compare")
