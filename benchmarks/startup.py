"""Start-up cost of the command line: the fast paths against a bare interpreter.

Prints the median wall time of `--version`, `--help` and `list` next to `python -c pass`, and the
ratio between them, so a change that drags Textual or NumPy onto a fast path shows up at once.
Run: .venv/bin/python benchmarks/startup.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

CASES = {
    "bare python": [sys.executable, "-c", "pass"],
    "dl-tutor --version": [sys.executable, "-m", "tutor", "--version"],
    "dl-tutor --help": [sys.executable, "-m", "tutor", "--help"],
    "dl-tutor list": [sys.executable, "-m", "tutor", "list"],
    "import textual.app (reference)": [sys.executable, "-c", "import textual.app"],
}


def median_seconds(command: list[str], repeat: int, env: dict[str, str]) -> float:
    """Median wall time of running `command` `repeat` times."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "DL_TUTOR_HOME": home}
        base = median_seconds(CASES["bare python"], args.repeat, env)
        print(f"{'case':<34} {'median ms':>10} {'x bare':>8}")
        for name, command in CASES.items():
            seconds = median_seconds(command, args.repeat, env)
            print(f"{name:<34} {seconds * 1000:>10.1f} {seconds / base:>8.1f}")


if __name__ == "__main__":
    main()
