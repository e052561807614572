"""HelpScreen (keys, plus the current scene's own help) and AboutScreen."""

from __future__ import annotations

import hashlib

from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import Markdown as RichMarkdown
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tutor.scenes.keys import help_table

KEYS_HELP = """\
# Keys

| key | what it does |
|---|---|
| `→` or `n` | next step |
| `←` or `p` | previous step |
| `space` | play / pause the animation |
| `.` / `,` | one animation step forward / back |
| `r` | reset the scene |
| `end` | jump to the end of the animation |
| `+` / `-` | faster / slower |
| `tab` | move between the scene, answers and buttons |
| `enter` | check an answer (on a choice: pick it) |
| `h` or `ctrl+t` | a hint for the question |
| `ctrl+r` | show the answer (offered after two wrong answers) |
| `ctrl+n` | a new practice problem |
| `ctrl+g` | exercise steps: write the exercise's starter file (never over your work) |
| `ctrl+e` | exercise steps: edit your file in `$VISUAL` / `$EDITOR` (checked when you close it) |
| `ctrl+k` | exercise steps: run the exercise's checks (`h`: its next hint) |
| `b` | exercise steps: the same exercise written with Keras and with PyTorch |
| `escape` | leave the answer field, list, button or scene (stays in the lesson) |
| `ctrl+o` | back to the course map (the lesson stays as you left it) |
| `?` | this help |
| `q` or `ctrl+c` | quit (progress is saved as you go) |

On the course map: `↑` `↓` choose a lesson, `enter` opens it, `r` resumes where you left off,
`v` reviews the questions you missed that are due again (also `dl-tutor review`), `a` shows
where your progress is kept, and `?` opens this help.

The mouse works too: click options, buttons and the transport bar.

## In the scenes

A focused scene (click it or `tab` to it) takes its own keys, shown in the footer and under
"This scene" below. These mean the same in every scene that uses them:

""" + help_table() + """

Other letters (`k` kernel, `g` gate, `t`, `o`, ...) are a scene's own; the drawing canvas keeps
its pen keys (`space` draw, `x` eraser, `c` clear) while it has focus.
"""


class RenderedMarkdown:
    """Rich's Markdown of `text`, rendered once per set of console options and kept for the run.

    Textual renders a panel's text three times to measure it and again for each paint, and the
    help is opened again and again: Rich's Markdown (its key table above all) took most of the
    time of `?` and back while LeNet-5 trains. The segments depend only on the text and the
    options (the width first of all); the panel's colours are applied by Textual on top."""

    _cache: dict[tuple, list[Segment]] = {}
    #: Renderings kept (texts times widths), oldest dropped first.
    CACHE_SIZE = 32

    def __init__(self, text: str) -> None:
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        key = (self.text, id(console), options.max_width, options.min_width, options.max_height,
               options.height, options.justify, options.overflow, options.no_wrap, options.markup,
               options.highlight, options.ascii_only, options.encoding, options.legacy_windows)
        segments = self._cache.get(key)
        if segments is None:
            segments = list(console.render(RichMarkdown(self.text), options))
            while len(self._cache) >= self.CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = segments
        yield from segments


class _Overlay(ModalScreen[None]):
    """A centred, scrollable Markdown panel closed by escape, q or ?.

    The text is drawn by Rich's Markdown in one Static (rendered once per width:
    `RenderedMarkdown`): Textual's Markdown widget builds a widget per block and per table cell,
    which made `?` take a quarter of a second while LeNet-5 trains (`benchmarks/ui_latency.py`)."""

    DEFAULT_CSS = """
    _Overlay { align: center middle; }
    _Overlay > VerticalScroll {
        width: 76; max-width: 100%; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    """

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
    ]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(RenderedMarkdown(self.text), classes="help-text")

    def on_screen_resume(self) -> None:
        """Shown (again: a kept help, `help_screen`) from its top."""
        self.query_one(VerticalScroll).scroll_home(animate=False)

    async def action_dismiss(self, result: None = None) -> None:
        """Close the panel."""
        self.dismiss(result)


class HelpScreen(_Overlay):
    """Keys of the tutor, followed by the help of the scene on screen."""

    def __init__(self, scene_help: str = "") -> None:
        text = KEYS_HELP
        if scene_help:
            text += "\n# This scene\n\n" + scene_help
        super().__init__(text + "\n*escape closes this help*")


def help_screen(app: App, scene_help: str = "") -> HelpScreen:
    """The help with `scene_help`, built once per app and text and kept (installed): `?` again
    shows it without composing it, and closing it does not remove it (removing a screen lays
    out and repaints the one below a second time, which made escape the slowest key while
    LeNet-5 trains). A help already on the screen stack (opened above the too-small cover,
    say) is never pushed twice: a new one is made for that moment."""
    name = "help:" + hashlib.sha1(scene_help.encode()).hexdigest()[:16]
    if not app.is_screen_installed(name):
        app.install_screen(HelpScreen(scene_help), name)
    screen = app.get_screen(name)
    if screen in app.screen_stack:
        return HelpScreen(scene_help)
    assert isinstance(screen, HelpScreen)
    return screen


class AboutScreen(_Overlay):
    """Version, backend, data directory and credits."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
