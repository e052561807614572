"""How long the real app keeps a learner waiting, on a pseudo-terminal, as a terminal sees it.

    python benchmarks/ui_latency.py [--repeat 5] [--presses 10]

Runs `python -m tutor` on a pty (tests/pty_tutor.py, 100x30, NumPy) and times, from the moment
the bytes of a key are written to the moment the screen it leads to has arrived:

* lesson open: `dl-tutor open LESSON` until the lesson's first screen is complete (its title,
  its footer, and no output for 0.3 s after; the quiet time is not counted), median of --repeat
  starts, for a prose lesson and a scene lesson;
* step change: `n` then `p`, until the other step's "step K of N" line is drawn (95th percentile);
* keys while LeNet-5 trains in the app (a copy of the train-lenet lesson with 20 epochs, so the
  run lasts): `space` pause and resume, `?` help and `escape` back, and finally `s` stop until
  "stopped in epoch" (95th percentile and worst).

Each figure is printed beside its target from issue #19 (0.8 s, 150 ms, 100 ms) and the ratio.
Nothing is asserted: timings belong in benchmarks, not tests.
"""

from __future__ import annotations

import argparse
import os
import re
import select
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pty_tutor import ESCAPES, Tutor  # noqa: E402

#: Targets (seconds) from the performance issue.
OPEN_TARGET, STEP_TARGET, KEY_TARGET = 0.8, 0.150, 0.100
SIZE = (100, 30)


def _new_text(tutor: Tutor, start: int) -> str:
    return ESCAPES.sub("", tutor.raw[start:].decode("utf-8", "replace"))


def _read_until(tutor: Tutor, pattern: str, start: int, timeout: float = 30.0) -> float:
    """Read until `pattern` is in the output after byte `start`; the time it appeared."""
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        if re.search(pattern, _new_text(tutor, start)):
            return time.perf_counter()
        ready, _, _ = select.select([tutor.fd], [], [], 0.005)
        if ready:
            try:
                chunk = os.read(tutor.fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            tutor.raw += chunk
    raise TimeoutError(f"{pattern!r} did not appear; the screen ends:\n{_new_text(tutor, start)[-1500:]}")


def _quiet_after(tutor: Tutor, quiet: float = 0.3, timeout: float = 20.0) -> float:
    """Read until no output came for `quiet` seconds; the time of the last byte."""
    last = time.perf_counter()
    end = last + timeout
    while time.perf_counter() < end:
        ready, _, _ = select.select([tutor.fd], [], [], quiet)
        if not ready:
            return last
        try:
            chunk = os.read(tutor.fd, 65536)
        except OSError:
            return last
        if not chunk:
            return last
        tutor.raw += chunk
        last = time.perf_counter()
    return last


def _press(tutor: Tutor, keys: bytes, pattern: str, timeout: float = 30.0) -> float:
    """Seconds from writing `keys` to `pattern` appearing in what the app sends back."""
    start = len(tutor.raw)
    sent = time.perf_counter()
    tutor.send(keys)
    return _read_until(tutor, pattern, start, timeout) - sent


def time_open(home: Path, lesson: str, title: str, lessons: Path | None = None) -> float:
    """Seconds from starting `dl-tutor open LESSON` to its first complete screen."""
    args = ["open", lesson] + (["--lessons", str(lessons)] if lessons else [])
    started = time.perf_counter()
    tutor = Tutor(home, *args, size=SIZE)
    try:
        _read_until(tutor, re.escape(title), 0, 60)
        _read_until(tutor, r"\^p palette", 0, 60)  # the footer, drawn with the first screen
        return _quiet_after(tutor) - started
    finally:
        tutor.close()


def time_steps(home: Path, lesson: str, steps: int, presses: int) -> list[float]:
    """Seconds per step change, `n` and `p` alternately."""
    tutor = Tutor(home, "open", lesson, size=SIZE)
    try:
        _read_until(tutor, r"step 1 of", 0, 60)
        _quiet_after(tutor)
        times = []
        for i in range(presses):
            forward = i % 2 == 0
            times.append(_press(tutor, b"n" if forward else b"p", rf"step {2 if forward else 1} of {steps}"))
            _quiet_after(tutor, 0.2)
        return times
    finally:
        tutor.close()


def long_training_course(folder: Path) -> Path:
    """A course holding a copy of train-lenet whose first step trains for 20 epochs."""
    shutil.copytree(ROOT / "lessons" / "train-lenet", folder / "train-lenet")
    toml = folder / "train-lenet" / "lesson.toml"
    text = toml.read_text()
    text = text.replace("epochs = 1, editable = false", "epochs = 20, editable = false", 1)
    text = text.replace("hold_scene = true\n", "", 1)
    toml.write_text(text)
    (folder / "course.toml").write_text(
        'format_version = 1\ntitle = "Latency"\n\n[[units]]\nid = "u"\ntitle = "U"\nlessons = ["train-lenet"]\n'
    )
    return folder


def time_keys_while_training(home: Path, lessons: Path, presses: int) -> dict[str, list[float]]:
    """Seconds per key while LeNet-5 trains: pause/resume, help/back, then stop."""
    tutor = Tutor(home, "open", "train-lenet", "--lessons", str(lessons), size=SIZE)
    times: dict[str, list[float]] = {"pause or resume (space)": [], "help (?) and back (escape)": [],
                                     "stop (s)": []}
    try:
        _read_until(tutor, r"space train", 0, 60)
        _quiet_after(tutor)
        _press(tutor, b" ", r"img/s", 120)  # training runs (the first batches have gone through)
        time.sleep(1.0)
        for _ in range(presses):
            times["pause or resume (space)"].append(_press(tutor, b" ", r"paused"))
            times["pause or resume (space)"].append(_press(tutor, b" ", r"training ·"))
            time.sleep(0.3)
            times["help (?) and back (escape)"].append(_press(tutor, b"?", r"what it does"))
            times["help (?) and back (escape)"].append(_press(tutor, b"\x1b", r"What happens"))
            time.sleep(0.3)
        times["stop (s)"].append(_press(tutor, b"s", r"stopped in epoch", 60))
        return times
    finally:
        tutor.close()


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def row(what: str, seconds: float, target: float) -> str:
    return f"{what:<52} {1000 * seconds:8.0f} ms  target {1000 * target:5.0f} ms  ratio {seconds / target:5.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="starts per lesson for the open time")
    parser.add_argument("--presses", type=int, default=10, help="presses per kind of key")
    args = parser.parse_args()
    print(f"dl-tutor UI latency on a {SIZE[0]}x{SIZE[1]} pty, {os.cpu_count()} CPUs, "
          f"{time.strftime('%Y-%m-%d %H:%M')}")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        for lesson, title in (("activation-functions", "Activation functions"), ("convolution", "Convolution")):
            opens = [time_open(home, lesson, title) for _ in range(args.repeat)]
            print(row(f"open {lesson}, median of {args.repeat}", statistics.median(opens), OPEN_TARGET))
        steps = time_steps(home, "descent-one-weight", _step_count("descent-one-weight"), 2 * args.presses)
        print(row(f"step change (n/p), p95 of {len(steps)}", p95(steps), STEP_TARGET))
        course = long_training_course(Path(tmp) / "course")
        keys = time_keys_while_training(Path(tmp) / "home2", course, args.presses)
        for what, values in keys.items():
            print(row(f"while LeNet-5 trains: {what}, p95 of {len(values)}", p95(values), KEY_TARGET)
                  + f"  worst {1000 * max(values):.0f} ms")


def _step_count(lesson: str) -> int:
    import tomllib

    return len(tomllib.loads((ROOT / "lessons" / lesson / "lesson.toml").read_text())["steps"])


if __name__ == "__main__":
    main()
