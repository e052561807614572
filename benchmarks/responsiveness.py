"""How quickly the app answers key presses while LeNet-5 trains in its thread worker.

    python benchmarks/responsiveness.py [--presses 40] [--backend numpy]

Opens the "Train LeNet-5" lesson headless (App.run_test), starts training, then presses `v`
(switch between the training and results views) again and again and measures, for each press,
the time until the app has handled it and is idle again (Pilot's measure: it includes redrawing
the screen). It also measures the UI loop's lag: how late a 10 ms timer fires while training
runs, which is how long a key press waits before the app starts on it. Prints the median, 95th
percentile and worst of both. The target is 100 ms. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


KEY = "v"


async def measure(presses: int, backend: str) -> None:
    from tutor.app import make_app
    from tutor.scenes.training import TrainingScene

    app = make_app(home=Path(tempfile.mkdtemp()), backend=backend, open_lesson="train-lenet")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        scene = app.screen.query_one(TrainingScene)
        scene.focus()
        await pilot.press("space")
        started = time.perf_counter()
        while scene.state != "training" and time.perf_counter() - started < 60:
            await asyncio.sleep(0.05)
        if scene.state != "training":
            print(f"training did not start (state {scene.state!r})")
            return
        await asyncio.sleep(1.0)  # let it settle into its batches
        # The UI loop's lag: how late a 10 ms sleep wakes up while training runs (a key press
        # waits at most this long before the app starts handling it).
        lags: list[float] = []
        probing = True

        async def probe() -> None:
            while probing:
                t = time.perf_counter()
                await asyncio.sleep(0.01)
                lags.append((time.perf_counter() - t - 0.01) * 1000)

        prober = asyncio.create_task(probe())
        latencies = []
        for _ in range(presses):
            t0 = time.perf_counter()
            await pilot.press(KEY)
            latencies.append((time.perf_counter() - t0) * 1000)
            await asyncio.sleep(0.05)
        state = scene.state
        probing = False
        await prober
        await pilot.press("s")
    latencies.sort()
    lags.sort()
    lag95 = lags[min(len(lags) - 1, int(0.95 * len(lags)))]
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
    print(f"{presses} key presses while LeNet-5 trained on {backend} (state at the end: {state}):")
    print(f"  median {statistics.median(latencies):.1f} ms, 95th percentile {p95:.1f} ms, worst {latencies[-1]:.1f} ms"
          f"  (target: 100 ms)")
    print(f"  UI loop lag over {len(lags)} probes: median {statistics.median(lags):.1f} ms, "
          f"95th percentile {lag95:.1f} ms, worst {lags[-1]:.1f} ms")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--presses", type=int, default=40)
    p.add_argument("--backend", default="numpy")
    p.add_argument("--key", default="v", help="the key to press (default v: switch views)")
    args = p.parse_args()
    global KEY
    KEY = args.key
    asyncio.run(measure(args.presses, args.backend))


if __name__ == "__main__":
    main()
