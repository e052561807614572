"""Scene: the same LeNet-5 work timed live on every backend that works here, NumPy and CuPy.

On mount a thread worker asks `tutor.engines.timing.available_backends` which backends work
(NumPy always; CuPy only with a working GPU, otherwise the row says why not). `space` (or
`enter`) starts the race: a second thread worker times, for each batch size, either one C1
convolution (`what = "conv"`) or one full training step (`what = "train"`) on each working
backend, and posts one message per measurement; the table fills in as they arrive, with images
per second, a bar and, for CuPy, how many times NumPy's rate it reached. On a GPU it also times
copying the largest batch to the device and back. The worker checks a stop flag between
measurements, so `space` again, `r`, `w` or leaving the step cancels it cleanly; the UI thread
never computes.

The scene also says which backend the app itself computes with, and why (`app.backend`).
"""

from __future__ import annotations

import math
import threading
from functools import partial
from time import perf_counter
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from tutor.engines import timing
from tutor.scenes.base import LiveScene
from tutor.text import first_line, format_timing
from tutor.widgets.probability_bars import horizontal_bar

#: What each `what` times, for the title.
WHAT_TITLES: dict[str, str] = {
    "conv": "one C1 convolution (6 filters 5x5)",
    "train": "LeNet-5 training steps",
}
#: The batch sizes raced when the lesson gives none.
DEFAULT_BATCHES: tuple[int, ...] = (1, 16, 64, 256)
#: The largest batch the scene accepts (keeps a NumPy step under a few seconds).
MAX_BATCH = 4096
#: Timed calls per measurement when the lesson gives no `repeats` (after one warm-up call).
DEFAULT_REPEATS: dict[str, int] = {"conv": 5, "train": 3}
#: Column widths of the table: batch, backend, images/s, ratio.
BATCH_W, NAME_W, RATE_W, RATIO_W = 5, 5, 10, 6


def bar(value: float, top: float, width: int) -> str:
    """A horizontal bar of `width` cells at most, `value / top` full, in eighths of a cell.

    Any positive value gets at least a sliver (`▏`) so a slow row never looks missing.
    """
    if width <= 0 or top <= 0 or not math.isfinite(value) or value <= 0:
        return ""
    return horizontal_bar(max(value / top, 1 / (8 * width)), width).rstrip()


def format_rate(rate: float) -> str:
    """Images per second with thousands separators ("—" for no finite rate)."""
    if not math.isfinite(rate) or rate < 0:
        return "—"
    return f"{rate:,.0f}" if rate >= 10 else f"{rate:.1f}"


def format_ratio(ratio: float) -> str:
    """How many times NumPy's rate: "106x", "8.3x", "0.42x"."""
    if not math.isfinite(ratio) or ratio <= 0:
        return ""
    if ratio >= 100:
        return f"{ratio:,.0f}x"
    if ratio >= 1:
        return f"{ratio:.1f}x"
    return f"{ratio:.2f}x"


class BackendRaceScene(LiveScene):
    """NumPy against CuPy on the same convolution or training step, at several batch sizes."""

    HELP = """\
**Backend race.** The same LeNet-5 code runs on NumPy (the CPU) and, where a GPU works, on
CuPy. The table times one C1 convolution or one full training step at several batch sizes and
shows images per second (higher is better). `Nx` is how many times NumPy's rate CuPy reached.

- `space` or `enter` starts the race (and stops it while it runs); `r` clears it.
- `w` switches between the convolution and the training step.
- A GPU is fastest with big batches: each step costs a few launches of work whatever the batch,
  and copying data to the device and back costs time too (the `⇄` line).
"""

    DEFAULT_CSS = """
    BackendRaceScene > Static { height: auto; }
    BackendRaceScene #br-table { margin-top: 1; }
    """

    BINDINGS = [
        Binding("space,enter", "start", "Race"),
        Binding("w", "switch_what", "Conv/train"),
    ]

    class Probed(Message):
        """The backends found (posted by the probe worker)."""

        def __init__(self, backends: tuple[timing.BackendInfo, ...]) -> None:
            super().__init__()
            self.backends = backends

    class Started(Message):
        """A measurement of `backend` at `batch` begins (race `run`)."""

        def __init__(self, run: int, batch: int, backend: str) -> None:
            super().__init__()
            self.run, self.batch, self.backend = run, batch, backend

    class Measured(Message):
        """A measurement finished: a `Timing`, or an `error` line instead."""

        def __init__(self, run: int, batch: int, backend: str, result: timing.Timing | None,
                     error: str = "") -> None:
            super().__init__()
            self.run, self.batch, self.backend = run, batch, backend
            self.result, self.error = result, error

    class Finished(Message):
        """The race ended: done, or stopped early (`cancelled`)."""

        def __init__(self, run: int, cancelled: bool, seconds: float) -> None:
            super().__init__()
            self.run, self.cancelled, self.seconds = run, cancelled, seconds

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.backends: tuple[timing.BackendInfo, ...] | None = None
        """The backends and whether each works (None until the probe worker answers)."""
        self.results: dict[tuple[int, str], timing.Timing] = {}
        """(batch, backend name) -> the measured Timing."""
        self.errors: dict[tuple[int, str], str] = {}
        """(batch, backend name) -> why that measurement failed."""
        self.transfer: timing.Timing | None = None
        """CuPy's copy of the largest batch there and back, once measured."""
        self.current: tuple[int, str] | None = None
        """The measurement in progress."""
        self.state: str = "idle"
        """"idle", "running", "done" or "stopped"."""
        self.elapsed: float = 0.0
        """Seconds the last race took."""
        self._run = 0
        self._stop = threading.Event()
        self._start_when_probed = False
        self.reset_state()

    # --- parameters -----------------------------------------------------------------------------

    def reset_state(self) -> None:
        """Stop any race, forget its results and go back to the lesson's settings."""
        self._cancel()
        self.what: str = self.choice_param("what")
        batches = self.numbers_param("batches", DEFAULT_BATCHES) or DEFAULT_BATCHES
        self.batches: tuple[int, ...] = tuple(sorted({min(MAX_BATCH, max(1, int(b))) for b in batches}))
        # No `repeats` in the lesson: the default follows `what` (which `w` switches).
        self.repeats_param: int | None = self.int_param("repeats", 1) if "repeats" in self.params else None
        self._clear()

    @property
    def repeats(self) -> int:
        """Timed calls per measurement."""
        return self.repeats_param or DEFAULT_REPEATS[self.what]

    def _clear(self) -> None:
        self.results, self.errors = {}, {}
        self.transfer, self.current = None, None
        self.state, self.elapsed = "idle", 0.0

    @property
    def working(self) -> tuple[timing.BackendInfo, ...]:
        """The backends that can run here."""
        return tuple(b for b in self.backends or () if b.works)

    # --- the race -------------------------------------------------------------------------------

    def on_mount(self) -> None:
        """Find the backends off the UI thread (the base class draws the first frame)."""
        self.run_worker(self._probe, thread=True, group="backend-probe", name="backend probe")

    def on_unmount(self) -> None:
        """Leaving the step stops the race between two measurements."""
        self._cancel()

    def _probe(self) -> None:
        """Worker: which backends work (may compile a CUDA kernel on first use)."""
        self.post_message(self.Probed(timing.available_backends()))

    def on_backend_race_scene_probed(self, message: Probed) -> None:
        message.stop()
        self.backends = message.backends
        self.redraw()
        if self._start_when_probed:
            self._start_when_probed = False
            self.start()

    def start(self) -> None:
        """Start a fresh race (waits for the probe if it has not answered yet)."""
        if self.backends is None:
            self._start_when_probed = True
            return
        self._cancel()
        self._clear()
        self._run += 1
        self._stop = threading.Event()
        self.state = "running"
        self.playing = True
        self.redraw()
        self.run_worker(
            partial(self._race, self._run, self._stop, self.working, self.what, self.batches, self.repeats),
            thread=True, exclusive=True, group="backend-race", name="backend race",
        )

    def _cancel(self) -> None:
        """Ask the running race to stop after its current measurement."""
        self._stop.set()
        self._start_when_probed = False
        if self.is_attached:
            self.workers.cancel_group(self, "backend-race")
        if getattr(self, "state", "idle") == "running":
            self.state = "stopped"
            self.current = None
        if self.is_attached:
            self.playing = False

    def _race(self, run: int, stop: threading.Event, backends: tuple[timing.BackendInfo, ...],
              what: str, batches: tuple[int, ...], repeats: int) -> None:
        """Worker: time every (batch, backend) and post each result; never touches widgets."""
        measure = timing.time_convolution if what == "conv" else timing.time_training_steps
        started = perf_counter()
        for batch in batches:
            for backend in backends:
                if stop.is_set():
                    self.post_message(self.Finished(run, True, perf_counter() - started))
                    return
                self.post_message(self.Started(run, batch, backend.name))
                try:
                    result, error = measure(backend.xp, batch, repeats, cancelled=stop.is_set), ""
                except timing.Cancelled:  # q or a reset mid-measurement: end within one call
                    self.post_message(self.Finished(run, True, perf_counter() - started))
                    return
                except Exception as exc:  # e.g. out of GPU memory: one row says so
                    result, error = None, _first_line(exc)
                self.post_message(self.Measured(run, batch, backend.name, result, error))
        gpus = [b for b in backends if b.name != "numpy"]
        if gpus and not stop.is_set():
            try:
                copy = timing.transfer_cost(gpus[0].xp, batches[-1], repeats, cancelled=stop.is_set)
            except timing.Cancelled:
                pass
            except Exception as exc:
                self.post_message(self.Measured(run, batches[-1], "transfer", None, _first_line(exc)))
            else:
                self.post_message(self.Measured(run, batches[-1], "transfer", copy))
        self.post_message(self.Finished(run, stop.is_set(), perf_counter() - started))

    def on_backend_race_scene_started(self, message: Started) -> None:
        message.stop()
        if message.run == self._run and self.state == "running":
            self.current = (message.batch, message.backend)
            self.redraw()

    def on_backend_race_scene_measured(self, message: Measured) -> None:
        message.stop()
        if message.run != self._run:
            return
        if message.backend == "transfer":
            self.transfer = message.result
        elif message.result is not None:
            self.results[(message.batch, message.backend)] = message.result
        else:
            self.errors[(message.batch, message.backend)] = message.error
        self.current = None
        self.redraw()

    def on_backend_race_scene_finished(self, message: Finished) -> None:
        message.stop()
        if message.run != self._run:
            return
        if self.state == "running":
            self.state = "stopped" if message.cancelled else "done"
        self.elapsed = message.seconds
        self.current = None
        self.playing = False
        self.redraw()

    # --- transport and keys ---------------------------------------------------------------------

    def toggle_play(self) -> None:
        """`space`: start the race, or stop it while it runs."""
        if self.state == "running" or self._start_when_probed:
            self._cancel()
            self.redraw()
        else:
            self.start()

    def action_start(self) -> None:
        """`space` or `enter` on the focused scene (the lesson screen maps `space` here too)."""
        self.toggle_play()

    def action_switch_what(self) -> None:
        """`w`: race the convolution or the training step (clears the table)."""
        self._cancel()
        self.what = "conv" if self.what == "train" else "train"
        self._clear()
        self.redraw()

    # --- drawing --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="br-head")
        yield Static(id="br-table")
        yield Static(id="br-foot")

    def on_resize(self) -> None:
        self.redraw()

    def show_frame(self, position: int) -> None:
        """Draw the backends, the table and the state line."""
        self.query_one("#br-head", Static).update(self._head())
        self.query_one("#br-table", Static).update(self._table())
        self.query_one("#br-foot", Static).update(self._foot())

    def _head(self) -> Text:
        text = Text()
        text.append("Backend race", style="bold")
        text.append(f": {WHAT_TITLES[self.what]}\n")
        if self.backends is None:
            text.append("… checking which backends work here\n")
        for info in self.backends or ():
            text.append("✓ " if info.works else "✗ ", style="bold")
            text.append(f"{info.name:<6}", style="bold")
            text.append(f"{info.device}\n" if info.works else f"{info.reason}\n")
        backend = self.app_backend
        if backend is None:
            text.append("The app's backend is not set here.")
        else:
            text.append("The app uses ")
            text.append(str(backend.name), style="bold")
            text.append(f": {backend.reason}")  # the reason names the GPU when there is one
        return text

    def _bar_width(self, ratio: bool) -> int:
        """Cells left for the bars once the other columns (and the ratio, if shown) are placed."""
        width = self.content_size.width if self.is_attached and self.content_size.width else 38
        used = BATCH_W + NAME_W + RATE_W + 3 + (RATIO_W + 1 if ratio else 0)
        return max(4, width - used - 1)

    def _table(self) -> Text:
        text = Text()
        names = [b.name for b in self.working] or ["numpy"]
        ratio = len(names) > 1
        width = self._bar_width(ratio)
        header = f"{'batch':>{BATCH_W}} {'':<{NAME_W}} {'images/s':>{RATE_W}} {'':<{width}}"
        text.append(header + (f" {'vs np':>{RATIO_W}}" if ratio else "") + "\n", style="underline")
        rates = [t.images_per_second for t in self.results.values() if math.isfinite(t.images_per_second)]
        top = max(rates, default=0.0)
        for batch in self.batches:
            base = self.results.get((batch, "numpy"))
            for i, name in enumerate(names):
                key = (batch, name)
                text.append(f"{batch:>{BATCH_W},} " if i == 0 else " " * (BATCH_W + 1))
                text.append(f"{name:<{NAME_W}} ")
                result = self.results.get(key)
                if result is not None:
                    text.append(f"{format_rate(result.images_per_second):>{RATE_W}} ", style="bold")
                    text.append(f"{bar(result.images_per_second, top, width):<{width}}")
                    if name != "numpy" and base is not None and base.images_per_second > 0:
                        text.append(" ")
                        text.append(f"{format_ratio(result.images_per_second / base.images_per_second):>{RATIO_W}}",
                                    style="bold")
                elif key in self.errors:
                    text.append(f"✗ {self.errors[key]}")
                elif key == self.current:
                    text.append(f"{'⧗ timing':>{RATE_W}}")
                else:
                    text.append(f"{'·':>{RATE_W}}")
                text.append("\n")
        text.rstrip()
        return text

    def _foot(self) -> Text:
        text = Text()
        gpus = [b for b in self.working if b.name != "numpy"]
        if self.transfer is not None:
            unit = "convolution" if self.what == "conv" else "step"
            step = self.results.get((self.transfer.batch, gpus[0].name if gpus else "cupy"))
            text.append(f"⇄ {self.transfer.batch:,} images to the GPU and back: ")
            text.append(format_timing(self.transfer.seconds), style="bold")
            if step is not None:
                text.append(f"; one {unit} there: {format_timing(step.seconds)}")
            text.append("\n")
        elif self.backends is not None and not gpus:
            text.append("⇄ NumPy copies nothing: its arrays live in host memory.\n")
        if self.state == "running":
            text.append("▶ racing… ", style="bold")
            text.append("space stops")
        elif self.state == "done":
            text.append(f"✓ done in {self.elapsed:.1f} s. ", style="bold")
            text.append("space: again · w: " + ("training" if self.what == "conv" else "convolution"))
        elif self.state == "stopped":
            text.append("■ stopped. ", style="bold")
            text.append("space: start again")
        else:
            text.append("space or enter: start the race", style="bold")
            text.append(" · w: " + ("training" if self.what == "conv" else "convolution"))
        return text


def _first_line(error: BaseException) -> str:
    """`TypeName: first line of the message`, short enough for one row."""
    return first_line(error, limit=80, with_type=True)
