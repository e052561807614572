"""Bytes per second the tutor sends to the terminal while an animation plays, normal vs --low-bandwidth.

    python benchmarks/bandwidth.py [--seconds 8] [--size 100x30] [--colorterm truecolor]

Runs the real `python -m tutor open LESSON` on a pseudo-terminal (as an SSH session would carry
it), opens a step whose scene animates, presses space and counts every byte the app writes for
`--seconds`. Each animation runs twice: as usual and with `--low-bandwidth` (fewer frames per
second, 8 grey levels, 256 colours, animations held while hidden). Prints both rates and their
ratio side by side. The count depends on the machine's speed only a little (frames are paced by
timers); nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.pty_tutor import Tutor  # noqa: E402  (after the path set-up)

#: (label, lesson, step) of animations to measure; the last one trains LeNet-5 live.
ANIMATIONS = [
    ("threshold unit, truth table", "artificial-neuron", "gates"),
    ("line fit, gradient descent", "line-fit", "watch-it-learn"),
    ("perceptron learning XOR", "perceptron-convergence", "xor-cycles"),
    ("kernel sliding over a digit", "convolution", "sliding"),
    ("training LeNet-5", "train-lenet", "first-run"),
]


def _seed_progress(home: Path, lesson: str, step: str) -> None:
    """Make `open LESSON` resume at `step`."""
    from tutor.progress import ProgressStore

    store = ProgressStore(home / "progress.json")
    progress, _ = store.load()
    progress.visit(lesson, step)
    store.save(progress)


def measure(lesson: str, step: str, low: bool, seconds: float, size: tuple[int, int], colorterm: str) -> float:
    """Bytes per second written while the scene of `step` plays."""
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        _seed_progress(home, lesson, step)
        args = ["--low-bandwidth"] if low else []
        env = {"COLORTERM": colorterm or None, "DL_TUTOR_LOW_BANDWIDTH": None, "TEXTUAL_FPS": None,
               "TEXTUAL_COLOR_SYSTEM": None}
        tutor = Tutor(home, *args, "open", lesson, size=size, env=env)
        try:
            tutor.wait_for(r"Play|space train", timeout=60)
            tutor.read(2.0)  # let the first screen settle
            tutor.send(b" ")
            tutor.read(0.5)
            before = len(tutor.raw)
            started = time.monotonic()
            tutor.read(seconds)
            sent = len(tutor.raw) - before
            elapsed = time.monotonic() - started
            tutor.send(b"q")
            tutor.finish()
        finally:
            tutor.close()
    return sent / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="how long to count each animation")
    parser.add_argument("--size", default="100x30", help="terminal size, COLUMNSxROWS")
    parser.add_argument("--colorterm", default="truecolor",
                        help="COLORTERM of the terminal (truecolor, or '' for a 256-colour SSH session)")
    args = parser.parse_args()
    columns, rows = (int(part) for part in args.size.lower().split("x"))
    print(f"bytes per second sent to a {columns}x{rows} terminal (COLORTERM={args.colorterm or 'unset'}),"
          f" {args.seconds:g} s per animation")
    print(f"{'animation':<32} {'normal':>10} {'low-bandwidth':>14} {'ratio':>7}")
    for label, lesson, step in ANIMATIONS:
        normal = measure(lesson, step, False, args.seconds, (columns, rows), args.colorterm)
        low = measure(lesson, step, True, args.seconds, (columns, rows), args.colorterm)
        ratio = f"{normal / low:.1f}x" if low else "-"
        print(f"{label:<32} {normal / 1024:>8.1f} KB {low / 1024:>11.1f} KB {ratio:>7}", flush=True)


if __name__ == "__main__":
    main()
