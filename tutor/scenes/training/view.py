"""The training scene's words and drawing: the model's description, the settings, the state
line, the per-epoch table and the results head as Rich Text from the scene's state, and
`redraw`, which puts them (and the runs view) into the scene's widgets."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.text import Text
from textual.widgets import Static

from tutor.engines.model import MODELS, Conv, layer_shapes, summary, total_params
from tutor.engines.train import EpochRecord
from tutor.scenes.registry import choices_of
from tutor.scenes.training.runs_view import runs_series, runs_table
from tutor.scenes.training.state import RUNNING, State
from tutor.text import format_seconds
from tutor.widgets.confusion import ConfusionMatrix, confusion_summary
from tutor.widgets.gallery import MistakeGallery
from tutor.widgets.plot import Plot

if TYPE_CHECKING:
    from tutor.scenes.training.scene import TrainingScene

#: The scene's stylesheet (its DEFAULT_CSS). Not scoped: a rule looks at the lesson screen's
#: height class (-short, under 34 rows).
CSS = """
TrainingScene > Static { height: auto; }
TrainingScene #tr-head { text-style: bold; }
TrainingScene #tr-backend { color: $text-muted; }
TrainingScene #tr-learner { display: none; }  /* shown on an exercise step only */
TrainingScene.-results #tr-formulas, TrainingScene.-results #tr-backend { display: none; }
/* Once a run has begun, a short terminal keeps its rows for the progress and the plot. */
LessonScreen.-short TrainingScene.-ran #tr-formulas { display: none; }
LessonScreen.-short TrainingScene.-ran #tr-backend { display: none; }
LessonScreen.-short TrainingScene.-ran #tr-loss { height: 10; margin-top: 0; }
TrainingScene #tr-controls { margin-top: 1; }
TrainingScene #tr-state { margin-top: 1; }
TrainingScene.-results #tr-state { margin-top: 0; }
TrainingScene #tr-loss { height: 11; margin-top: 1; }
TrainingScene #tr-epochs { margin-top: 1; }
TrainingScene #tr-runs-plot { height: 11; margin-top: 1; }
LessonScreen.-short TrainingScene #tr-runs-plot { height: 9; margin-top: 0; }
TrainingScene #tr-confusion { margin-top: 1; }
TrainingScene #tr-mixups { margin-top: 1; }
TrainingScene #tr-gallery-title { margin-top: 1; text-style: bold; }
"""

#: The scene's help (the `?` screen shows it under "This scene").
HELP_TEXT = """\
**Training on MNIST, live.** The network learns from the training digits in mini-batches; after
every epoch (one pass over all of them) it is tested on the 10,000 test digits it never trains on.
The `data` setting switches to Fashion-MNIST (clothes, same size and layout) and back; each data
set keeps its own trained models and results.

- `space` starts training, pauses and resumes.
- `s` stops after the current batch and saves a checkpoint; `c` continues from it, with the
  recipe it was started with.
- `↑`/`↓` pick a setting, `[` and `]` change it (model, epochs, batch size, learning rate,
  optimizer, target accuracy, data set). Settings are locked while a run is going on.
- `v` switches between the training view and the results: the confusion matrix (rows: the true
  digit, columns: what the network said, the right answers on the diagonal) and the test digits
  it got wrong with its three most likely answers. Then your runs: every finished run of this
  network, kept with its recipe, its score and its test accuracy (★ the best), and their
  accuracy per epoch overlaid; `l` overlays their training loss instead.
- `r` stops any run and restores the lesson's settings.

On the step of the lenet-train exercise, once your lenet_train.py passes its checks, LeNet-5
trains on your code: your init_lenet, lenet_forward and lenet_loss_and_grads (with your layer
files) in a separate process, the optimizer's step the engine's. A line above the settings says
whose code trains. If your code fails, the line says why and the next run uses the reference.

Every finished run is kept in your data folder; the best one (by validation accuracy when the
run held images out, else test accuracy) is the model the later lessons use, so a failed
experiment never replaces a good model. For a long run without the app (e.g. on a GPU box):
`dl-tutor train lenet --epochs 10`.
"""

#: The editable controls, in panel order.
CONTROLS: tuple[str, ...] = ("model", "epochs", "batch size", "lr", "optimizer", "target", "data")
#: The views, in the order `v` goes through those there are (the registry's `view` choices).
VIEWS: tuple[str, ...] = choices_of("training", "view")
#: What `v` says it shows next.
VIEW_NAMES = {"train": "training", "results": "confusion matrix and mistakes", "runs": "your runs"}
#: Cells of the epoch progress bar.
BAR_CELLS = 20
#: The learner line's style by its kind (`LearnerCode.learner_line`), as the other scenes draw it.


def describe_model(name: str, held: bool = False) -> list[str]:
    """Lines about the model: its shape and parameter count, each count derived from the spec.

    Dense layers show their arithmetic (784 x 30 + 30 = 23,550); LeNet-5 lists each layer's count.
    `held` (a step's questions ask them): one line without the sizes or any count.
    """
    spec = MODELS[name]
    rows = summary(spec)
    total = total_params(spec)
    if held:
        hidden = [str(row.output_shape[0]) for row in rows[:-1] if row.params and len(row.output_shape) == 1]
        what = "LeNet-5" if any(isinstance(layer, Conv) for layer in spec.layers) else (
            "a dense network, hidden layer " + ", ".join(hidden))
        return [f"{what}: ? parameters (held back until you answer)"]
    if any(isinstance(layer, Conv) for layer in spec.layers):
        counts = [f"{row.name} {row.params:,}" for row in rows if row.params]
        return [f"LeNet-5: {total:,} parameters", " · ".join(counts[:3]), " · ".join(counts[3:])]
    sizes = [int(np.prod(spec.input_shape))]
    lines = []
    for layer, row, (in_shape, _) in zip(spec.layers, rows, layer_shapes(spec)):
        if row.params:
            units = row.output_shape[0]
            sizes.append(units)
            lines.append(f"{row.name:<6} {in_shape[0]} x {units} + {units} = {row.params:,}")
    hidden = next((row.activation for row in rows if row.params and row.activation != "softmax"), "")
    return ["-".join(str(s) for s in sizes) + f" {hidden}: {total:,} parameters", *lines]


def epoch_table(epochs: list[EpochRecord] | tuple[EpochRecord, ...], target: float = 0.0, timing: bool = True) -> Text:
    """Per-epoch loss and accuracies, one line each; ✓ marks an epoch at or above `target`.

    The last column is what the run judges epochs by: the test set, or the validation images
    when the run holds some out (then headed "valid.": the test set waits for the end)."""
    text = Text(no_wrap=True)
    judged = "valid." if any(e.validation_accuracy is not None for e in epochs) else "test"
    text.append(f"epoch   loss  train {judged:>7}" + ("   time" if timing else ""), style="bold")
    best = max((e.judged for e in epochs), default=None)
    for e in epochs:
        text.append(f"\n{e.epoch + 1:>3}/{e.epochs:<3}{e.train_loss:>6.3f} {100 * e.train_accuracy:5.1f}% ")
        style = "bold" if e.judged == best else ""
        text.append(f"{100 * e.judged:6.2f}%", style=style)
        if timing:
            text.append(f" {e.seconds:5.1f}s")
        if target and e.judged >= target:
            text.append(" ✓", style="bold")
    return text


def progress_bar(fraction: float, cells: int = BAR_CELLS) -> str:
    """`cells` characters: █ for done, ░ for to do."""
    done = int(round(max(0.0, min(1.0, fraction)) * cells))
    return "█" * done + "░" * (cells - done)


def controls_text(scene: TrainingScene) -> Text:
    """The settings: one line (folded) or the panel with the picked one marked."""
    values = {
        "model": scene.model_name,
        "epochs": str(scene.epochs),
        "batch size": str(scene.batch_size),
        "lr": f"{scene.lr:g}",
        "optimizer": "sgd, momentum 0.9" if scene.optimizer == "sgd" else "adam",
        "target": f"{100 * scene.target:g}%" if scene.target else "off",
        "data": scene.data.title + (" (clothes)" if scene.data.key == "fashion-mnist" else ""),
    }
    data = f"first {scene.train_limit:,} training images" if scene.train_limit else "all training images"
    data = f"{scene.data.title}: {data}"
    if scene.validation_split:
        data += f", last {100 * scene.validation_split:g}% held out for validation"
    if scene.test_limit:
        data += f", first {scene.test_limit:,} test"
    if scene.shift:
        data += f", shifted ±{scene.shift} px"
    text = Text()
    if not scene.controls_open:
        text.append(
            f"{scene.optimizer} lr {scene.lr:g} · batch {scene.batch_size} · {scene.epochs} epoch"
            f"{'s' if scene.epochs != 1 else ''} · target {values['target']}\n"
        )
        text.append(data, style="dim")
        if scene.editable and scene.state not in RUNNING:
            text.append("\n↑↓ or [ ] to change the settings", style="dim")
        return text
    for i, name in enumerate(CONTROLS):
        picked = i == scene.picked
        text.append("▸ " if picked else "  ")
        text.append(f"{name:<10} ", style="bold reverse" if picked and scene.has_focus else "bold")
        text.append(values[name] + "\n")
    text.append(data + "\n", style="dim")
    text.append("↑↓ pick · [ ] change", style="dim")
    return text


def state_text(scene: TrainingScene) -> Text:
    """The state line: the state, the run's progress or outcome, the note and the keys."""
    state = State(scene.state)
    mark, words = state.label
    text = Text()
    text.append(f"{mark} {words}", style="bold")
    if scene.view == "results":
        keys = keys_text(scene)
        if state == State.EVALUATING:
            text.append(": " + (f"{scene.test_limit:,}" if scene.test_limit else "all") + " test digits")
        elif keys:
            text.append(" · " + keys, style="dim")
        return text
    last = scene.last
    if state in (State.TRAINING, State.PAUSED, State.STOPPING) and last is not None:
        text.append(f" · epoch {last.epoch + 1}/{scene.plot_epochs}")
        batches = "" if scene.holding else f"/{last.batches}"
        text.append(f"\n{progress_bar(last.batch / max(1, last.batches))} batch {last.batch}{batches}")
        text.append(f"\nloss {last.loss:.3f} · batch accuracy {100 * last.accuracy:.1f}%")
        text.append(f"\n{last.images_per_second:,.0f} img/s ({scene.backend.name}) · "
                    f"ETA {format_seconds(last.eta_seconds)}")
    elif state in (State.STOPPED, State.FINISHED, State.TARGET):
        final = scene.epoch_records[-1].test_accuracy if scene.epoch_records else None
        validated = scene.epoch_records and scene.epoch_records[-1].validation_accuracy is not None
        if validated:
            final = scene.final_test
        if state == State.STOPPED and scene.stopped_at is not None:
            epoch, batch, batches = scene.stopped_at
            text.append(f" in epoch {epoch + 1}, after batch {batch}" + (f"/{batches}" if batches and not scene.holding else ""))
        elif state == State.TARGET:
            text.append(f" {100 * scene.target:g}%")
        if final is not None:
            text.append(f"\ntest accuracy {100 * final:.2f}% after {len(scene.epoch_records)} epoch"
                        f"{'s' if len(scene.epoch_records) != 1 else ''}")
            if validated:
                text.append(" (measured once, at the end)")
        elif validated:
            text.append(f"\nbest validation accuracy {100 * max(e.judged for e in scene.epoch_records):.2f}%"
                        " (stopped before the test)")
    if state == State.EVALUATING:
        count = f"{scene.test_limit:,}" if scene.test_limit else "all"
        text.append(f": {count} test digits")
    if scene.note:
        text.append("\n" + scene.note, style="italic")
    keys = keys_text(scene)
    if keys:
        text.append("\n" + keys, style="dim")
    return text


def keys_text(scene: TrainingScene) -> str:
    """The keys that do something now, e.g. "space pause · s stop"."""
    state = State(scene.state)
    if state in (State.LOADING, State.TRAINING):
        return "space pause · s stop"
    if state == State.PAUSED:
        return "space resume · s stop"
    if state in (State.STOPPING, State.EVALUATING):
        return ""
    again = state != State.IDLE and scene.view == "train"
    keys = ["space train again" if again else "space train"]
    if state == State.STOPPED and scene.checkpoint is not None:
        keys.append("c continue")
    views = scene.views()
    if len(views) > 1 and scene.view in views:
        following = views[(views.index(scene.view) + 1) % len(views)]
        keys.append(f"v {VIEW_NAMES[following]}")
    return " · ".join(keys)


def results_text(scene: TrainingScene) -> Text:
    """The results view's head: the model and its accuracy, or why there are no results."""
    text = Text()
    results = scene.results
    if results is None:
        if scene.state == State.EVALUATING:
            text.append("Testing the trained model on the test digits…")
        else:
            text.append(scene.results_note or "No results yet: train the network first (space).")
        return text
    title = describe_model(results.model)[0].split(":")[0]
    text.append(f"{title} · {100 * results.accuracy:.2f}% right", style="bold")
    text.append(f"\n{results.source}, {results.count:,} test {results.items} of {results.data}", style="dim")
    return text


def redraw(scene: TrainingScene) -> None:
    """Bring every widget of the scene up to date with its state and view."""
    view = scene.view
    results_view, runs_view = view == "results", view == "runs"
    has_run = bool(scene.losses) or scene.state in RUNNING
    scene.set_class(results_view, "-results")
    scene.set_class(has_run, "-ran")
    lines = describe_model(scene.model_name, scene.holding)
    head = scene.query_one("#tr-head", Static)
    head.display = view == "train"
    head.update(lines[0])
    shown, text = scene.learner_text()
    learner = scene.query_one("#tr-learner", Static)
    learner.display = shown and view == "train"
    learner.update(text)
    scene.query_one("#tr-formulas", Static).update("\n".join(line for line in lines[1:] if line))
    scene.query_one("#tr-backend", Static).update(f"{scene.backend.name} on {scene.backend.device or 'the CPU'}")
    controls = scene.query_one("#tr-controls", Static)
    controls.display = view == "train"
    controls.update(controls_text(scene))
    scene.query_one("#tr-state", Static).update(state_text(scene))
    scene.query_one("#tr-loss", Plot).display = view == "train" and has_run
    epochs = scene.query_one("#tr-epochs", Static)
    epochs.display = view == "train" and has_run
    epochs.update(epoch_table(scene.epoch_records, scene.target))
    _draw_results(scene, scene.results if results_view else None, results_view)
    _draw_runs(scene, runs_view)


def _draw_results(scene: TrainingScene, results, shown: bool) -> None:
    results_head = scene.query_one("#tr-results-head", Static)
    results_head.display = shown
    results_head.update(results_text(scene))
    confusion = scene.query_one("#tr-confusion", ConfusionMatrix)
    confusion.display = results is not None
    mixups = scene.query_one("#tr-mixups", Static)
    mixups.display = results is not None
    scene.query_one("#tr-gallery-title", Static).display = results is not None
    gallery = scene.query_one("#tr-gallery", MistakeGallery)
    gallery.display = results is not None
    if results is not None:
        if confusion.class_names != results.class_names:
            confusion.class_names = results.class_names
        if confusion.matrix is not results.matrix:
            confusion.matrix = results.matrix
        mixups.update(confusion_summary(results.matrix, results.class_names))
        if gallery.class_names != results.class_names:
            gallery.class_names = results.class_names
        if gallery.mistakes is not results.mistakes:
            gallery.mistakes = results.mistakes


def _draw_runs(scene: TrainingScene, shown: bool) -> None:
    """The runs view: the table of kept runs and their accuracy curves overlaid."""
    table = scene.query_one("#tr-runs", Static)
    plot = scene.query_one("#tr-runs-plot", Plot)
    table.display = shown
    series = runs_series(scene.runs, scene.runs_curves) if shown else []
    plot.display = shown and bool(series)
    if not shown:
        return
    table.update(runs_table(scene.runs, table.size.width or scene.size.width))
    if series:
        plot.set_lines(series)
        plot.set_whole_x()
        if scene.runs_curves == "loss":
            plot.set_title("training loss per epoch (l: accuracy)")
            plot.set_labels("epoch", "loss")
        else:
            plot.set_title("accuracy per epoch: validation, else test (l: loss)")
            plot.set_labels("epoch", "%")
