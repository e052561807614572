"""Render the README's screenshots: one lesson step per unit, at 120x40, through the real app.

    python docs/make_screenshots.py        # writes docs/screenshots/*.svg (and .png with rsvg-convert)
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"

#: (file name, lesson id, keys pressed after opening it)
SHOTS = [
    ("1-neurons", "artificial-neuron", ["n", "n"]),
    ("2-perceptron", "perceptron-rule", ["n", "n", "end"]),
    ("3-gradient-descent", "descent-many-dimensions", ["n", "end"]),
    ("4-backpropagation", "computational-graphs", ["n", "n", "end"]),
    ("5-images", "convolution", ["n", "full_stop"] + ["full_stop"] * 40),
    ("6-lenet", "draw-a-digit", ["n", "t"]),
]


async def shoot(name: str, lesson: str, keys: list[str]) -> Path:
    from tutor.app import make_app
    from tutor.widgets.image import HalfBlockImage

    # A headless run reports no colour; draw images as a truecolor terminal shows them.
    HalfBlockImage.color_capable = property(lambda self: True)  # type: ignore[assignment]
    app = make_app(home=Path(tempfile.mkdtemp()), backend="numpy", open_lesson=lesson)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
        await pilot.pause(0.5)
        path = app.save_screenshot(filename=f"{name}.svg", path=str(OUT))
    return Path(path)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, lesson, keys in SHOTS:
        svg = asyncio.run(shoot(name, lesson, keys))
        if shutil.which("rsvg-convert"):
            fixed = svg.read_text(encoding="utf-8").replace("&#160;", " ").replace("<svg ", '<svg xml:space="preserve" ', 1)
            tmp = svg.with_suffix(".tmp.svg")
            tmp.write_text(fixed, encoding="utf-8")
            subprocess.run(["rsvg-convert", str(tmp), "-o", str(svg.with_suffix(".png"))], check=True)
            tmp.unlink()
        print(svg)


if __name__ == "__main__":
    main()
