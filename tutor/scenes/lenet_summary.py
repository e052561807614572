"""Scene "lenet-summary": LeNet-5 walked layer by layer, with the shape flowing through it.

Every number comes from the model definition in :mod:`tutor.engines.spec`: the output shapes
from `layer_shapes(spec)`, the parameter counts from `summary(spec)` (the Keras-style table),
and the formulas are built from the same layer fields, so nothing is typed in by hand.

Frames step through the network: frame 0 is the input, frame k the k-th layer. Two views,
switched with `v`:

* ``walk``: a diagram of the network (one column per layer on a wide stage, one row per layer
  on a narrow one) with the current layer drawn solid and marked ``▼``/``▶``, and how its
  output shape and its parameter count are computed, with the numbers;
* ``table``: the summary table (Layer (type) | Output Shape | Param #) with the current row
  marked ``▶``, the total, and the totals of the other models for comparison.

`m` switches the model: LeNet-5 and the two fully connected MNIST networks of the course (the
catalogue and its titles are `tutor.models`).
Parameters: ``model``, ``view`` and ``layer`` (the layer shown first, by name, e.g. "C3").
The pure helpers (`walk`, `diagram_columns`, `diagram_rows`, `summary_lines`) need no app.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tutor.engines.spec import MODELS, Conv, Dense, Flatten, ModelSpec, Pool, layer_shapes, summary, total_params
from tutor.models import MODEL_NAMES
from tutor.models import TITLES as MODEL_TITLES
from tutor.scenes.base import HELD, Scene
from tutor.scenes.registry import choices_of

#: The views `v` cycles through.
VIEWS: tuple[str, ...] = choices_of("lenet-summary", "view")

#: Content width (cells) from which the diagram is drawn with one column per layer.
WIDE_WIDTH = 60

#: Content height (rows) from which the walk view shows the summary table too.
TALL_HEIGHT = 30

#: Tallest block of the diagram, in rows.
DIAGRAM_ROWS = 7

#: How the current layer and the others are drawn (different characters, not only colours).
CURRENT_CHAR, OTHER_CHAR = "█", "░"


def shape_text(shape: tuple[int, ...]) -> str:
    """``6@28x28`` for a stack of maps (C, H, W), ``120`` for a vector (D,)."""
    if len(shape) == 3:
        return f"{shape[0]}@{shape[1]}x{shape[2]}"
    return ",".join(str(d) for d in shape)


@dataclass(frozen=True)
class LayerStep:
    """One frame of the walk: the input (``index`` 0) or one layer, with its arithmetic.

    Attributes:
        index: 0 for the input, k for the k-th layer.
        name: "input", "C1", "S2", ...
        kind: Keras type name ("Conv2D", "AvgPool2D", "Flatten", "Dense") or "Input".
        detail: kernel, stride, padding and activation in words.
        in_shape: the shape coming in (without N); the input's own shape for the input.
        out_shape: the shape going out (without N).
        params: trainable numbers of this layer, from `summary(spec)`.
        total_so_far: parameters of the input up to and including this layer.
        shape_lines: how the output shape is computed, with the numbers.
        param_lines: how the parameter count is computed, with the numbers.
    """

    index: int
    name: str
    kind: str
    detail: str
    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    params: int
    total_so_far: int
    shape_lines: tuple[str, ...]
    param_lines: tuple[str, ...]


def _conv_lines(layer: Conv, in_shape: tuple[int, ...], out: tuple[int, ...], params: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Shape and parameter arithmetic of a convolution (lines of at most 29 cells for LeNet-5)."""
    c, h, w = in_shape
    k, s, p = layer.kernel, layer.stride, layer.pad
    shape = []
    size = h
    if p:
        size = h + 2 * p
        shape.append(f"pad {p}: {h} + 2·{p} = {size}")
    shape.append(f"({size} − {k}) / {s} + 1 = {out[1]}")
    shape.append(f"{layer.filters} maps → {shape_text(out)}")
    per_filter = c * k * k
    lines = [
        f"{layer.filters} × ({c}·{k}·{k} + 1) = {params:,}",
        f"= {per_filter:,} × {layer.filters} + {layer.filters}",
    ]
    if out[1] * out[2] > 1:
        lines.append(f"shared by all {out[1] * out[2]:,} positions")
    else:
        lines.append("1x1 out: same as a dense layer")
    return tuple(shape), tuple(lines)


def walk(spec: ModelSpec) -> tuple[LayerStep, ...]:
    """The frames of the walk for `spec`: the input, then each layer with its arithmetic.

    Shapes come from `layer_shapes(spec)` and parameter counts from `summary(spec)`.
    """
    rows = summary(spec)
    shapes = layer_shapes(spec)
    c, h, w = spec.input_shape
    first = spec.layers[0] if spec.layers else None
    padded = first.pad if isinstance(first, Conv) else 0
    input_lines = [f"{h}x{w} grey pixels = {c * h * w} numbers"]
    if padded:
        input_lines.append(f"C1 pads to {h + 2 * padded}x{w + 2 * padded}, LeNet-5's size")
    steps = [
        LayerStep(0, "input", "Input", "an MNIST digit", tuple(spec.input_shape), tuple(spec.input_shape),
                  0, 0, tuple(input_lines), ("0 (these are the data)",))
    ]
    total = 0
    for index, (layer, row, (in_shape, out)) in enumerate(zip(spec.layers, rows, shapes), start=1):
        total += row.params
        if isinstance(layer, Conv):
            shape_lines, param_lines = _conv_lines(layer, in_shape, out, row.params)
        elif isinstance(layer, Pool):
            what = "mean" if layer.mode == "avg" else "maximum"
            shape_lines = (f"{layer.size}x{layer.size}, stride {layer.size}: {in_shape[1]} / {layer.size} = {out[1]}",
                           f"map by map → {shape_text(out)}")
            param_lines = (f"0 (a {what}: nothing to learn)",)
        elif isinstance(layer, Flatten):
            shape_lines = (f"{'·'.join(str(d) for d in in_shape)} = {out[0]:,} in one row",)
            param_lines = ("0 (only a reshape)",)
        else:
            assert isinstance(layer, Dense)
            d = in_shape[0]
            shape_lines = (f"{d:,} in → {layer.units} neurons",)
            param_lines = (f"{d:,} × {layer.units} + {layer.units} = {row.params:,}",
                           f"{d * layer.units:,} weights + {layer.units} biases")
        detail = ", ".join(part for part in (row.detail, row.activation) if part)
        steps.append(LayerStep(index, row.name, row.kind, detail, tuple(in_shape), tuple(out), row.params, total,
                               tuple(shape_lines), tuple(param_lines)))
    return tuple(steps)


# --- the diagram ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One layer drawn as a block: ``height`` rows by ``width`` cells, and two labels."""

    name: str
    shape: str
    height: int
    width: int


def block_size(shape: tuple[int, ...]) -> tuple[int, int]:
    """(rows, cells) of a layer's block: height grows with the map size, width with the depth.

    A stack of maps (C, H, W) is ceil(H / 4) rows tall (28 → 7, 14 → 4, 10 → 3, 5 → 2, 1 → 1)
    and 1 + ceil(log2(C) / 1.4) cells wide (1 → 1, 6 → 3, 16 → 4, 120 → 6). A vector of D
    numbers is a one-cell bar ceil(D / 20) rows tall, at most DIAGRAM_ROWS.
    """
    if len(shape) == 3:
        c, h, _ = shape
        rows = max(1, min(DIAGRAM_ROWS, math.ceil(h / 4)))
        cells = 1 + math.ceil(math.log2(c) / 1.4) if c > 1 else 1
        return rows, cells
    return max(1, min(DIAGRAM_ROWS, math.ceil(shape[0] / 20))), 1


def diagram_columns(steps: tuple[LayerStep, ...]) -> tuple[Column, ...]:
    """A column per frame of the walk (the input and every layer)."""
    columns = []
    for step in steps:
        rows, cells = block_size(step.out_shape)
        name = "flat" if step.kind == "Flatten" else step.name
        columns.append(Column(name, shape_text(step.out_shape), rows, cells))
    return tuple(columns)


def held_line(line: str) -> str:
    """An arithmetic line with its result held back: "(32 − 5) / 1 + 1 = 28" -> "(32 − 5) / 1 + 1 = ?",
    "6 maps → 6@28x28" -> "6 maps → ?"; a line without a result is kept."""
    for sign in (" = ", " → "):
        if sign in line and not line.startswith("= "):
            return line[: line.rindex(sign) + len(sign)] + HELD
    return line


def diagram_rows(columns: tuple[Column, ...], current: int, width: int = 80,
                 held: bool = False) -> list[Text]:
    """The wide diagram: a marker row, DIAGRAM_ROWS rows of centred blocks, then two label rows.

    The current column is drawn with CURRENT_CHAR in bold, marked ``▼`` above and its labels
    reversed; the others with OTHER_CHAR. `held`: the shapes after the current column are "?".
    """
    widths = [max(len(c.name), len(c.shape), c.width) for c in columns]
    spacing = 2 if sum(widths) + 2 * (len(widths) - 1) <= width else 1
    marker = Text(no_wrap=True)
    body = [Text(no_wrap=True) for _ in range(DIAGRAM_ROWS)]
    names, shapes = Text(no_wrap=True), Text(no_wrap=True)
    for i, (column, width) in enumerate(zip(columns, widths)):
        here = i == current
        gap = " " * spacing if i else ""
        marker.append(gap + ("▼".center(width) if here else " " * width), style="bold")
        top = (DIAGRAM_ROWS - column.height) // 2
        left = (width - column.width) // 2
        for r in range(DIAGRAM_ROWS):
            filled = top <= r < top + column.height
            cell = (CURRENT_CHAR if here else OTHER_CHAR) * column.width if filled else " " * column.width
            body[r].append(gap + " " * left)
            body[r].append(cell, style="bold" if here else "dim")
            body[r].append(" " * (width - left - column.width))
        names.append(gap)
        names.append(column.name.center(width), style="bold reverse" if here else "bold")
        shapes.append(gap)
        shape = HELD if held and i > current else column.shape
        shapes.append(shape.center(width), style="bold" if here else "dim")
    legend = Text("height: size of the maps · width: how many (log scale) · ▼ this layer", style="dim")
    return [marker, *body, names, shapes, legend]


def flow_rows(steps: tuple[LayerStep, ...], current: int, held: bool = False) -> list[Text]:
    """The narrow diagram: one row per layer, ``▶`` at the current one, a bar for the map size.

    The bar is ceil(H / 4) cells of CURRENT_CHAR/OTHER_CHAR for a stack of maps (H x W), so it
    shrinks as the maps do; vectors get a one-cell bar. `held`: every parameter count, and the
    shapes after the current layer, are "?".
    """
    lines = []
    name_width = max(len(s.name) for s in steps)
    shape_width = max(len(shape_text(s.out_shape)) for s in steps)
    bar_width = DIAGRAM_ROWS
    for step in steps:
        here = step.index == current
        length = block_size(step.out_shape)[0] if len(step.out_shape) == 3 else 1
        text = Text(no_wrap=True)
        text.append("▶ " if here else "  ", style="bold")
        text.append(step.name.ljust(name_width), style="bold reverse" if here else "bold")
        text.append(" ")
        text.append(((CURRENT_CHAR if here else OTHER_CHAR) * length).ljust(bar_width), style="bold" if here else "dim")
        shape = HELD if held and step.index > current else shape_text(step.out_shape)
        text.append(" " + shape.rjust(shape_width), style="bold" if here else "")
        params = "" if step.index == 0 else HELD if held else f"{step.params:,}"
        text.append(" " + params.rjust(6), style="bold" if here else "dim")
        lines.append(text)
    return lines


def explain(step: LayerStep, total: int, held: bool = False) -> Text:
    """How the current layer's output shape and parameter count come about, with the numbers
    (`held`: the results held back, "?", and the input's padded size left out)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{step.name}", style="bold reverse")
    text.append(f" {step.kind}", style="bold")
    if step.detail:
        text.append(f" {step.detail}")
    shape_lines, param_lines = step.shape_lines, step.param_lines
    if held:
        shape_lines = tuple(held_line(line) for line in shape_lines if not (step.index == 0 and "pads" in line))
        param_lines = tuple(held_line(line) for line in param_lines)
    text.append("\nshape  ", style="bold")
    text.append("\n       ".join(shape_lines))
    text.append("\nparams ", style="bold")
    text.append("\n       ".join(param_lines))
    so_far = f"so far {HELD} of {HELD}" if held else f"so far {step.total_so_far:,} of {total:,}"
    text.append(f"\n{so_far}", style="dim")
    return text


#: Short type names for the most compact table.
SHORT_KINDS: dict[str, str] = {"Conv2D": "conv", "AvgPool2D": "pool", "MaxPool2D": "pool", "Flatten": "flat", "Dense": "dense"}


def channels_last(shape: tuple[int, ...]) -> tuple[int, ...]:
    """A stack of maps as Keras prints it, (H, W, C), from the engine's channels-first (C, H, W);
    a vector (D,) as it is."""
    if len(shape) == 3:
        c, h, w = shape
        return (h, w, c)
    return tuple(shape)


def summary_lines(spec: ModelSpec, current: int | None = None, width: int = 80, *,
                  held_counts: bool = False, held_total: bool = False) -> Text:
    """The Keras-style summary table of `spec` (from `summary(spec)`), current row marked ``▶``.

    `current` counts like the walk (1 = the first layer, 0 or None = no row). Shapes are written
    channels last, as Keras prints them (the engine itself stores maps channels first): with
    room ``(None, H, W, C)``; narrower, ``(H, W, C)``; narrowest, ``(H,W,C)`` with short type
    names (conv, pool, flat, dense). Held back as "?":
    `held_counts`, every layer's count and the shapes after the current row; `held_total`, the total.
    """
    rows = summary(spec)
    total = total_params(spec)
    keras_shapes = [channels_last(r.output_shape) for r in rows]
    for level in range(4):
        mark_w = 2 if level < 3 else 1
        if level == 0:
            shapes = ["(None, " + ", ".join(str(d) for d in shape) + ")" for shape in keras_shapes]
        else:
            sep = ", " if level == 1 else ","
            shapes = ["(" + sep.join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
                      for shape in keras_shapes]
        names = [f"{r.name} ({r.kind if level < 2 else SHORT_KINDS.get(r.kind, r.kind)})" for r in rows]
        name_w = max(len("Layer (type)"), *(len(n) for n in names))
        shape_w = max(len("Output Shape"), *(len(s) for s in shapes))
        param_w = max(len("Param #"), len(f"{total:,}"))
        line_w = mark_w + name_w + 1 + shape_w + 1 + param_w
        if line_w <= width:
            break
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(" " * mark_w + "Layer (type)".ljust(name_w) + " " + "Output Shape".ljust(shape_w) + " "
                + "Param #".rjust(param_w) + "\n", style="bold")
    text.append("═" * line_w + "\n")
    for i, (name, shape, row) in enumerate(zip(names, shapes, rows), start=1):
        here = i == current
        if held_counts and i > (current or 0):
            shape = HELD
        count = HELD if held_counts else f"{row.params:,}"
        line = name.ljust(name_w) + " " + shape.ljust(shape_w) + " " + count.rjust(param_w)
        text.append(("▶" if here else " ").ljust(mark_w), style="bold")
        text.append(line + "\n", style="bold reverse" if here else "")
    text.append("═" * line_w + "\n")
    shown_total = HELD if held_counts or held_total else f"{total:,}"
    text.append(" " * mark_w + f"Total params: {shown_total}", style="bold")
    return text


def compare_lines(current: str, held: bool = False) -> Text:
    """The total parameter count of every model of the course, one per line, the shown one ``◀``
    (`held`: every count "?")."""
    text = Text(no_wrap=True, overflow="ellipsis")
    title_w = max(len(t) for t in MODEL_TITLES.values())
    counts = {name: HELD if held else f"{total_params(MODELS[name]):,}" for name in MODEL_NAMES}
    count_w = max(len(c) for c in counts.values())
    for i, name in enumerate(MODEL_NAMES):
        if i:
            text.append("\n")
        here = name == current
        text.append(f"{MODEL_TITLES[name].ljust(title_w)} {counts[name].rjust(count_w)}", style="bold" if here else "dim")
        if here:
            text.append(" ◀", style="bold")
    return text


class LenetSummaryScene(Scene):
    """LeNet-5 (or a dense network) layer by layer: a diagram, the arithmetic and the summary."""

    HELP = """\
**LeNet-5, layer by layer.** Each frame is one layer: the diagram marks it, and the panel shows
how its output shape follows from the input shape (`(W + 2P − K) / S + 1` for a convolution,
`W / 2` for 2x2 pooling) and how many numbers it learns (`filters × (channels·K·K + 1)` for a
convolution, `inputs × units + units` for a dense layer). Every number is computed from the
model definition.

- `.` and `,` step through the layers, `space` plays, `end` jumps to the output, `r` resets.
- `v` switches between the walk and the Keras-style summary table.
- `m` switches the model: LeNet-5, 784-30-10 (sigmoid) or 784-128-10 (ReLU), to compare counts.
- In the diagram a block's height follows the size of its maps and its width their number.
"""

    DEFAULT_CSS = """
    LenetSummaryScene > Static { height: auto; text-wrap: nowrap; text-overflow: ellipsis; }
    LenetSummaryScene.-wide #ls-diagram { margin-top: 1; }
    LenetSummaryScene.-wide #ls-explain { margin-top: 1; }
    LenetSummaryScene #ls-table { margin-top: 1; }
    LenetSummaryScene #ls-compare { margin-top: 1; }
    """

    BINDINGS = [
        Binding("v", "next_view", "View"),
        Binding("m", "next_model", "Model"),
    ]

    ROOMY = True
    #: Held back while the step's questions are open. Walk view: every parameter count, the
    #: shapes after the current layer and the results of its arithmetic (the formulas stay).
    #: Table view: only the totals (the rows are what the learner adds up).
    HOLDS_ANSWERS = True

    FRAME_SECONDS = 1.5

    def __init__(self, params: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(params, id=id)
        self.reset_state()

    # --- parameters ---------------------------------------------------------------------------

    def reset_state(self) -> None:
        """Back to the lesson's model and view."""
        self.model_name: str = self.choice_param("model", MODELS)
        self.view: str = self.choice_param("view")
        self.start_layer: str = self.str_param("layer")
        self._build()

    def _build(self) -> None:
        """Recompute the walk for the current model."""
        self.spec: ModelSpec = MODELS[self.model_name]
        self.steps: tuple[LayerStep, ...] = walk(self.spec)
        self.columns: tuple[Column, ...] = diagram_columns(self.steps)
        self.total: int = total_params(self.spec)

    @property
    def total_frames(self) -> int:
        """One frame per layer after the input."""
        return len(self.steps) - 1

    @property
    def initial_position(self) -> int:
        """The frame of the lesson's `layer` (by name, e.g. "C3"; the input when unknown)."""
        names = [step.name for step in self.steps]
        return names.index(self.start_layer) if self.start_layer in names else 0

    # --- composing and actions ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="ls-title")
        yield Static(id="ls-diagram")
        yield Static(id="ls-explain")
        yield Static(id="ls-table")
        yield Static(id="ls-compare")

    def on_resize(self) -> None:
        """Pick the diagram for the width (and the extra table for the height)."""
        self.redraw()

    def action_next_view(self) -> None:
        """`v`: walk ↔ table (the current layer stays)."""
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        self.redraw()
        self._post_state()

    def action_next_model(self) -> None:
        """`m`: the next model; back to its input."""
        self.playing = False
        self.model_name = MODEL_NAMES[(MODEL_NAMES.index(self.model_name) + 1) % len(MODEL_NAMES)]
        self._build()
        if self.position == 0:
            self.redraw()
            self._post_state()
        else:
            self.position = 0

    # --- drawing ------------------------------------------------------------------------------

    @property
    def stage_width(self) -> int:
        """The content width to draw in (a narrow default before the first layout)."""
        return self.content_size.width if self.is_attached and self.content_size.width else 36

    @property
    def stage_height(self) -> int:
        """The height of the holder the scene sits in (a short default before layout)."""
        parent = self.parent if self.is_attached else None
        height = getattr(getattr(parent, "size", None), "height", 0) or 0
        return height or 19

    def show_frame(self, position: int) -> None:
        """Draw layer `position` (0 = the input) in the current view."""
        position = max(0, min(position, self.total_frames))
        step = self.steps[position]
        width = self.stage_width
        wide = width >= WIDE_WIDTH
        self.set_class(wide, "-wide")
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(MODEL_TITLES[self.model_name], style="bold")
        title.append(f"  {self.unless_held(f'{self.total:,}')} parameters", style="bold")
        if wide:
            title.append(f"  · layer {position} of {self.total_frames} · v: view · m: model", style="dim")
        self.query_one("#ls-title", Static).update(title)

        diagram = self.query_one("#ls-diagram", Static)
        explain_box = self.query_one("#ls-explain", Static)
        table = self.query_one("#ls-table", Static)
        compare = self.query_one("#ls-compare", Static)
        if self.view == "walk":
            held = self.holding
            rows = diagram_rows(self.columns, position, width, held) if wide else flow_rows(self.steps, position, held)
            diagram.update(Text("\n").join(rows))
            diagram.display = True
            explain_box.update(explain(step, self.total, held))
            explain_box.display = True
            show_table = wide and self.stage_height >= TALL_HEIGHT
            table.display = show_table
            if show_table:
                table.update(summary_lines(self.spec, position, width, held_counts=held))
            compare.display = False
        else:
            diagram.display = False
            explain_box.display = False
            table.display = True
            table.update(summary_lines(self.spec, position, width, held_total=self.holding))
            compare.display = True
            compare.update(compare_lines(self.model_name, self.holding))
