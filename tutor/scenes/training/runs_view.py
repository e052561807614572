"""The training scene's runs view: the kept runs of a network side by side (`tutor.runs`).

A table (one line per run: when, recipe, score, test accuracy; ★ on the best, the model the
lessons use) and the judged accuracy per epoch of the latest runs overlaid on one plot, so two
recipes can be compared at a glance. Pure text and series; the scene puts them on screen.
"""

from __future__ import annotations

from rich.text import Text

from tutor.runs import RunSaved, RunSummary, best_run

#: Runs drawn on the plot (the latest ones, and the best when it is older).
PLOTTED = 4
#: Runs listed in the table (the latest ones).
LISTED = 8


def run_note(saved: RunSaved | None, where: str) -> str:
    """The line under the state after a finished run: where it went, and which model lessons use."""
    if saved is None or saved.promoted:
        return f"saved to {where}; kept with your other runs (v: runs)"
    best = saved.best
    score = "" if best is None or best.score is None else f" ({100 * best.score:.2f}% {best.judged_by})"
    return (f"kept with your runs ({where}); your better model{score} stays the one the lessons use "
            "(v: runs)")


def _percent(value: float | None) -> str:
    return "   -  " if value is None else f"{100 * value:5.2f}%"


def runs_table(runs: list[RunSummary], width: int = 40) -> Text:
    """The latest LISTED runs, newest last, two lines each: the number, the score (validation
    when held out, else test) and the test accuracy; then the recipe (and, when `width` has
    room, when it ran). ★ marks the best, the model the lessons use."""
    text = Text()
    if not runs:
        text.append("No runs kept yet: a finished run is kept here with its recipe and curves.")
        return text
    best = best_run(runs)
    shown = runs[-LISTED:]
    first = len(runs) - len(shown) + 1
    text.append(f"{len(runs)} run{'s' if len(runs) != 1 else ''} kept", style="bold")
    if best is not None:
        text.append("; ★ the best, which the lessons use", style="dim")
    for number, run in enumerate(shown, start=first):
        star = run is best
        style = "bold" if star else ""
        if run.judged_by == "validation":
            text.append(f"\n{'★' if star else ' '}{number:>2} valid. {_percent(run.score)}", style=style)
            text.append(f"  test {_percent(run.test_accuracy)}", style=style)
        else:
            text.append(f"\n{'★' if star else ' '}{number:>2} test {_percent(run.score)}", style=style)
        recipe = run.label().replace(" lr ", " ")
        when = f"  ({run.when[5:]})" if width >= len(recipe) + 20 else ""
        text.append(f"\n    {recipe}{when}", style="dim")
    return text


def runs_series(runs: list[RunSummary], curves: str = "accuracy") -> list[tuple[str, list[float], list[float]]]:
    """Per epoch, the judged accuracy in % (or with `curves` "loss" the training loss) of the
    latest PLOTTED runs (with the best), as plot lines labelled ★1, #2, ..."""
    best = best_run(runs)
    chosen = runs[-PLOTTED:]
    if best is not None and best not in chosen:
        chosen = [best, *chosen[1:]]
    series = []
    for run in chosen:
        ys = ([100 * y for y in run.curve()] if curves == "accuracy"
              else [e["loss"] for e in run.epochs if isinstance(e.get("loss"), (int, float))])
        if not ys:
            continue
        number = runs.index(run) + 1
        series.append((f"{'★' if run is best else '#'}{number}", list(range(1, len(ys) + 1)), ys))
    return series
