"""Scene: a 2-H-1 sigmoid network learning XOR by backpropagation, one recorded epoch per frame.

The whole run is trained up front with `tutor.engines.mlp.train_xor` (a few milliseconds); the
frames are its records. Each frame shows the network's output over the input plane as a
half-block heatmap (light = 1, dark = 0), the outputs for 00, 01, 10, 11 against their targets,
each hidden unit's line on the plane, and (in a tall terminal) the loss curve. At the end the
scene says whether the run converged or got stuck in a poor local minimum; `x` trains again from
the next seed.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Static

from tutor.engines import mlp
from tutor.scenes.base import Scene
from tutor.scenes.plane import DEFAULT_BOX, PlaneDrawing, draw_plane, visible_box
from tutor.text import format_number
from tutor.widgets.image import HalfBlockImage
from tutor.widgets.plot import Plot

#: Heatmap resolution in pixels (half-block cells: 28 columns by 14 rows).
GRID = 28
#: Most frames a run is shown in (records are taken every epochs // FRAMES epochs).
FRAMES = 100
#: Limits that keep odd lesson parameters safe.
MAX_HIDDEN, MAX_EPOCHS = 16, 50_000


def _out(value: float) -> str:
    """An output in [0, 1] with two decimals."""
    return f"{value:.2f}" if math.isfinite(value) else str(value)


def _pattern(p: tuple[float, ...]) -> str:
    return "".join(str(int(v)) for v in p)


def tick_column(value: float, box: tuple[float, float, float, float] = DEFAULT_BOX, n: int = GRID) -> int:
    """The heatmap column (pixel index) nearest to x1 = `value`."""
    return int(round((value - box[0]) / (box[1] - box[0]) * (n - 1)))


class XorNetworkScene(Scene):
    """Trains a small sigmoid network on XOR and replays the run epoch by epoch."""

    #: Held back while the step's questions are open: the advice under a stuck run (what to
    #: try is a question of the step that shows it).
    HOLDS_ANSWERS = True

    HELP = """\
**A network learns XOR.** Two inputs feed H hidden sigmoid units, which feed one sigmoid output.
Backpropagation gives the gradient of the loss for every weight, and gradient descent takes a
step each epoch. The heatmap is the network's output y over the input plane (x1 across, x2 up,
light = 1, dark = 0); XOR wants light at 01 and 10 and dark at 00 and 11. The plane below draws
each hidden unit's line w·x + b = 0: the output combines these half-planes.

With two hidden units some starting points end in a poor local minimum: the loss stops falling
while some outputs are still wrong, because the hidden units are saturated and pass back almost
no gradient. The lesson's steps try the ways out.

- `space` plays the training, `.`/`,` step through the recorded epochs, `end` jumps to the end,
  `r` goes back to the lesson's seed, `+`/`-` speed.
- `x` trains again from the next seed.
"""

    BINDINGS = [Binding("x", "next_seed", "Next seed")]

    DEFAULT_CSS = """
    XorNetworkScene > Static { height: auto; }
    XorNetworkScene #xn-row { height: 14; width: auto; }
    XorNetworkScene #xn-heatmap { width: 28; height: 14; }
    XorNetworkScene #xn-outputs { width: 8; height: 14; padding-left: 1; }
    XorNetworkScene #xn-ruler { height: 1; color: $text-muted; }
    XorNetworkScene #xn-plane { height: 35vh; min-height: 14; margin-top: 1; }
    XorNetworkScene #xn-loss { height: 10; margin-top: 1; }
    """

    FRAME_SECONDS: ClassVar[float] = 0.15

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.hidden = self.int_param("hidden", None, 1, MAX_HIDDEN)
        self.loss: str = self.choice_param("loss", mlp.DEFAULT_LR)
        self.lr: float = self._lr_param()
        self.epochs = self.int_param("epochs", None, 1, MAX_EPOCHS)
        self.message = ""
        self.reset_state()

    # --- parameters -----------------------------------------------------------------------------

    def _lr_param(self) -> float:
        return self.float_param("lr", mlp.DEFAULT_LR[self.loss])

    # --- state ----------------------------------------------------------------------------------

    def reset_state(self) -> None:
        """Back to the lesson's seed, trained."""
        self.train(self.int_param("seed"))

    def train(self, seed: int) -> None:
        """Train from `seed` and keep every record (the frames)."""
        self.seed = seed
        every = max(1, self.epochs // FRAMES)
        try:
            self.records: list[mlp.TrainRecord] = list(
                mlp.train_xor(hidden=self.hidden, loss=self.loss, lr=self.lr, epochs=self.epochs,
                              seed=seed, record_every=every)
            )
            self.message = ""
        except (ValueError, FloatingPointError, OverflowError) as error:
            self.message = f"Training failed ({error}); showing the default settings instead."
            self.records = list(mlp.train_xor(hidden=2, loss="mse", seed=seed, record_every=50))

    @property
    def total_frames(self) -> int:
        """One frame per record after the untrained network."""
        return len(self.records) - 1

    @property
    def final(self) -> "mlp.TrainRecord":
        """The last record of the run."""
        return self.records[-1]

    @property
    def converged(self) -> bool:
        """Whether the run ended with every output within the engine's margin of its target."""
        return bool(self.final.converged)

    @property
    def stuck(self) -> bool:
        """Whether the run ended without converging (a poor local minimum, or too few epochs)."""
        return not self.final.converged

    def action_next_seed(self) -> None:
        """Train again from the next seed and play the new run."""
        self.playing = False
        self.train(self.seed + 1)
        self.position = 0
        self.redraw()
        self.playing = True
        self._post_state()

    # --- drawing --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="xn-header")
        yield Static(id="xn-status")
        with Horizontal(id="xn-row"):
            yield HalfBlockImage(vmin=0.0, vmax=1.0, palette="grey", id="xn-heatmap")
            yield Static(id="xn-outputs")
        yield Static(self._ruler(), id="xn-ruler")
        yield Plot(id="xn-plane")
        yield Plot(id="xn-loss", classes="tall-only")

    def on_resize(self) -> None:
        """Keep the plane at equal scale when the size changes."""
        if self.children:
            self._draw_plane(self.records[min(self.position, self.total_frames)])

    @staticmethod
    def _ruler() -> str:
        """Where x1 = 0 and x1 = 1 fall under the heatmap."""
        line = [" "] * GRID
        for value, mark in ((0.0, "0"), (1.0, "1")):
            line[tick_column(value)] = mark
        return "".join(line) + " x1→"

    def show_frame(self, position: int) -> None:
        """Header, status, heatmap and outputs, plane and loss curve at record `position`."""
        position = max(0, min(position, self.total_frames))
        record = self.records[position]
        self.query_one("#xn-header", Static).update(
            Text.assemble(
                (f"2-{self.hidden}-1", "bold"),
                f" · {self.loss} · lr {format_number(self.lr)} · seed {self.seed}",
            )
        )
        self.query_one("#xn-status", Static).update(self._status(position))
        net = record.to_mlp()
        grid = mlp.decision_grid(net, DEFAULT_BOX, nx=GRID, ny=GRID)  # row 0 is x2 = -0.5
        self.query_one("#xn-heatmap", HalfBlockImage).data = np.flipud(grid)  # x2 up
        self.query_one("#xn-outputs", Static).update(self._outputs(record))
        self._draw_plane(record)
        self._draw_loss(position)

    def _status(self, position: int) -> Text:
        record = self.records[position]
        text = Text()
        if self.message:
            text.append(self.message + "\n", style="yellow")
        right = int(round(record.accuracy * 4))
        if position < self.total_frames:
            text.append(f"epoch {record.epoch}", style="bold")
            text.append(f" · loss {record.loss:.4f} · {right}/4 right")
            if position == 0:
                text.append("\nspace trains · x next seed", style="dim")
            return text
        if self.converged:
            text.append(f"✓ converged at epoch {record.epoch}\n", style="bold green")
            text.append(f"loss {record.loss:.4f} · every |y - t| < {format_number(mlp.MARGIN)}")
            return text
        outputs = ", ".join(_out(v) for v in record.outputs)
        if right < 4:
            text.append("✗ stuck in a poor local minimum", style="bold red")
            if self.holding:
                text.append(f": outputs {outputs} — what would get it out? Answer the "
                            "question first")
            else:
                text.append(f": outputs {outputs} — try another seed (x) or more hidden "
                            "units; a larger learning rate does not free saturated units")
        else:
            text.append(f"✗ not converged after {record.epoch} epochs", style="bold red")
            text.append(f": outputs {outputs} are on the right side of 0.5 but not within "
                        f"{format_number(mlp.MARGIN)} — more epochs or a larger learning rate would finish it")
        return text

    @staticmethod
    def _outputs(record: "mlp.TrainRecord") -> Text:
        """Pattern → target, then y with ✓/✗, for 00, 01, 10, 11; then the heatmap legend."""
        text = Text()
        for p, t, y in zip(mlp.XOR_INPUTS, mlp.XOR_TARGETS, record.outputs):
            ok = abs(y - t) < 0.5
            text.append(f"{_pattern(p)}→{int(t)}\n", style="bold")
            text.append(f"{_out(y)} ")
            text.append("✓" if ok else "✗", style="bold green" if ok else "bold red")
            text.append("\n")
        text.append("\ny:\nlight=1\ndark=0", style="dim")
        return text

    def _draw_plane(self, record: "mlp.TrainRecord") -> None:
        plot = self.query_one("#xn-plane", Plot)
        limits = visible_box(plot, DEFAULT_BOX)
        drawing = PlaneDrawing(title="hidden units' lines  o: t=1  x: t=0")
        drawing.segments.extend(s for s in mlp.hidden_boundaries(record.to_mlp(), limits) if s is not None)
        pairs = list(zip(mlp.XOR_INPUTS, mlp.XOR_TARGETS))
        drawing.add_points("o", [p for p, t in pairs if t == 1])
        drawing.add_points("x", [p for p, t in pairs if t == 0])
        draw_plane(plot, drawing, limits)

    def _draw_loss(self, position: int) -> None:
        plot = self.query_one("#xn-loss", Plot)
        shown = self.records[: position + 1]
        losses = [r.loss for r in self.records if math.isfinite(r.loss)] or [1.0]
        plot.clear()
        plot.set_title(f"{self.loss} loss by epoch")
        plot.set_labels("epoch", "")
        plot.add_line(None, [r.epoch for r in shown], [r.loss for r in shown], marker="braille")
        plot.add_scatter(None, [shown[-1].epoch], [shown[-1].loss], marker="@")
        plot.set_xlim(0, max(1, self.final.epoch))
        plot.set_ylim(0, max(losses) * 1.05 or 1.0)
