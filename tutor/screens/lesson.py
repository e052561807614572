"""LessonScreen: one lesson, one step at a time: prose and questions beside a live scene.

Keys that leave: `escape` only ever leaves the focused widget (an answer field, a choice list, a
button, the scene) for the prose column, and never the lesson, so a learner who presses it out
of habit loses nothing. `ctrl+o` (LEAVE_KEY) goes back to the course map: a control key, so it is
never typed into an answer field nor pressed to delete (backspace is), it passes plain terminals,
SSH and tmux unchanged, and no scene binds it. The app keeps the screen, so the lesson comes back
as it was left.

Exercise steps (`Step.exercise`): an `ExercisePanel` below the prose, with the keys `ctrl+g`
(start), `ctrl+e` (edit in $VISUAL / $EDITOR), `ctrl+k` (check) and `h` (its hint when the step
asks no question, or when the panel has focus). They show in the footer on those steps only.

Predict, then reveal: a step's held-back prose (`Step.reveal`) is shown below its questions once
every one is done (solved now or before, or given up on with Show answer), and on a
`hold_scene` step the scene holds its answers back (`SceneBase.hold_answers`) until then.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Markdown, Static

from tutor.content.model import Lesson, Step
from tutor.scenes.base import LiveScene, SceneBase
from tutor.scenes.keys import SCREEN_KEYS
from tutor.scenes.registry import load_scene_class
from tutor.screens.footer import KeyFooter
from tutor.session import Session
from tutor.widgets.exercise_panel import BRIDGE_KEY, CHECK_KEY, EDIT_KEY, START_KEY, ExercisePanel
from tutor.widgets.question_card import QuestionCard
from tutor.widgets.transport import Transport


#: The key that goes back to the course map, as Textual names it and as the screen writes it.
LEAVE_KEY = "ctrl+o"


class LessonScreen(Screen):
    """Shows `lesson` from step `start`; records visits and answers in the session.

    Leaving posts `Leave`; the app pops the screen and keeps it (`keep_when_left`) to show again
    when the lesson is opened in the same run."""

    DEFAULT_CSS = """
    LessonScreen #topbar { height: 1; background: $panel; padding: 0 1; }
    /* Never laid out below the minimum terminal: while the too-small cover is up, this screen
       is still resized behind it, and widgets squeezed to 0 cells wide cannot wrap text. */
    LessonScreen #body { height: 1fr; min-width: 80; min-height: 20; }
    LessonScreen #prose-column { width: 1fr; padding: 0 1; }
    LessonScreen #prose-column > Markdown { margin: 0; padding: 0; }
    LessonScreen #prose-column > #reveal { margin: 1 0 0 0; border-top: solid $secondary; }
    LessonScreen #prose-column > #reveal.-held { display: none; }
    /* Code blocks wrap instead of running off the right edge of a narrow prose column. */
    LessonScreen MarkdownFence { overflow-x: hidden; }
    LessonScreen MarkdownFence > Label { width: 1fr; padding: 1 1; text-wrap: wrap; }
    LessonScreen #stage { width: 42; height: 1fr; }
    LessonScreen #scene-holder { height: 1fr; }
    LessonScreen #stage.-hidden { display: none; }
    LessonScreen.-wide #stage { width: 1fr; max-width: 72; }
    /* A roomy scene (graph, training, tables) still leaves the prose 50 columns or more, so a
       formula line is not broken mid-formula. */
    LessonScreen.-wide #stage.-roomy { width: 2fr; max-width: 68; }
    /* Very wide terminals: a wider stage keeps the prose lines short enough to read. */
    LessonScreen.-huge #stage { width: 1fr; max-width: 100; }
    LessonScreen.-huge #stage.-roomy { width: 2fr; max-width: 116; }
    /* Scenes mark extras that only fit in a tall terminal with the class tall-only. */
    LessonScreen.-short .tall-only { display: none; }
    """

    #: No focus on the first focusable widget at mount: every step focuses its scene or prose
    #: itself (`_focus_first`), and the passing focus restyled the prose and rebuilt the footer.
    AUTO_FOCUS = ""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide"), (160, "-huge")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (34, "-tall")]

    BINDINGS = [
        Binding("right,n", "next_step", "Next"),
        Binding("left,p", "previous_step", "Back"),
        Binding("space", "scene('toggle')", "Play/Pause"),
        Binding("full_stop", "scene('forward')", "Step", show=False),
        Binding("comma", "scene('back')", "Step back", show=False),
        Binding("r", "scene('reset')", "Reset", show=False),
        Binding("end", "scene('end')", "End", show=False),
        Binding("plus,equals_sign", "scene('faster')", "Faster", show=False),
        Binding("minus,underscore", "scene('slower')", "Slower", show=False),
        Binding("h", "hint", "Hint", show=False),
        Binding(START_KEY, "exercise('start')", "Start", show=False),
        Binding(EDIT_KEY, "exercise('edit')", "Edit", show=False),
        Binding(CHECK_KEY, "exercise('check')", "Check"),
        Binding(BRIDGE_KEY, "exercise('bridge')", "Keras/PyTorch", show=False),
        Binding("question_mark", "help", "Help"),
        Binding(LEAVE_KEY, "leave", "Map"),
        Binding("escape", "leave_widget", "Leave field", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    class Leave(Message):
        """The learner asked for the course map (the app pops the screen)."""

        def __init__(self, screen: "LessonScreen") -> None:
            super().__init__()
            self.lesson_screen = screen

    def __init__(self, session: Session, lesson: Lesson, start: int = 0) -> None:
        super().__init__()
        self.session = session
        self.lesson = lesson
        self.index = max(0, min(start, len(lesson.steps) - 1))
        self.revealed_questions: set[str] = set()
        """Questions the learner gave up on (Show answer) in this run: shown answered again."""
        self._held: bool | None = None

    @property
    def step(self) -> Step:
        """The step shown."""
        return self.lesson.steps[self.index]

    @property
    def scene(self) -> SceneBase | None:
        """The step's scene widget, if it has one."""
        found = self.query(SceneBase)
        return found.first() if found else None

    def compose(self) -> ComposeResult:
        self._set_breakpoint_classes()
        yield Static(id="topbar")
        with Horizontal(id="body"):
            yield VerticalScroll(id="prose-column")
            with Vertical(id="stage"):
                yield VerticalScroll(id="scene-holder")
                yield Transport(id="transport")
        yield KeyFooter()

    def _set_breakpoint_classes(self) -> None:
        """Give the screen its size classes (`-wide`, `-short`, ...) for the terminal's size
        before its widgets are styled: Textual sets them on the screen's first Resize, which
        restyled every widget of a lesson already built, and repainted it all."""
        width, height = self.app.size
        classes: dict[str, bool] = {}
        for breakpoints, dimension in ((self.HORIZONTAL_BREAKPOINTS, width), (self.VERTICAL_BREAKPOINTS, height)):
            chosen = next((name for low, name in sorted(breakpoints, reverse=True) if dimension >= low), None)
            classes.update({name: name == chosen for _, name in breakpoints})
        self.update_classes(classes, update=False)

    async def on_mount(self) -> None:
        await self.show_step(self.index)

    async def show_step(self, index: int) -> None:
        """Replace prose, questions and scene with those of step `index`, and record the visit."""
        with self.query_one(KeyFooter).held():  # the keys of the new step, not those in passing
            await self._show_step(index)

    async def _show_step(self, index: int) -> None:
        self.index = index
        step = self.step
        total = len(self.lesson.steps)
        self.query_one("#topbar", Static).update(
            f"[b]{self.lesson.title}[/b]  ·  step {index + 1} of {total}"
        )
        prose = self.query_one("#prose-column", VerticalScroll)
        holder = self.query_one("#scene-holder", VerticalScroll)
        self._drop_focus_inside(prose, holder)
        await prose.remove_children()
        widgets: list = [Markdown(f"## {step.title}\n\n{step.prose}", id="prose")]
        if step.exercise:
            from tutor.exercises.catalogue import get

            widgets.append(ExercisePanel(get(step.exercise), self.session, id="exercise"))
        for n, qid in enumerate(step.questions, start=1):
            widgets.append(
                QuestionCard(
                    self.lesson.questions[qid], number=n, count=len(step.questions),
                    solved=self.session.solved(self.lesson, qid),
                    revealed=qid in self.revealed_questions, id=f"q-{qid}",
                )
            )
        if step.reveal:
            widgets.append(Markdown(f"**Worked out**\n\n{step.reveal}", id="reveal", classes="-held"))
        if index + 1 < total:
            widgets.append(Static(f"[dim]→ / n: next step ({self.lesson.steps[index + 1].title})[/dim]"))
        else:
            widgets.append(Static(f"[dim]Last step. {LEAVE_KEY}: back to the course map[/dim]"))
        await prose.mount_all(widgets)
        prose.scroll_home(animate=False)

        await holder.remove_children()
        stage = self.query_one("#stage")
        self._held = None
        if step.scene:
            scene_class = load_scene_class(step.scene)
            # The stage's classes first: changed after the scene is in, they restyle all of it.
            stage.remove_class("-hidden")
            stage.set_class(bool(getattr(scene_class, "ROOMY", False)), "-roomy")
            await holder.mount(scene_class(step.scene_params, id="scene"))
        else:
            stage.add_class("-hidden")
        self._update_reveal()
        self._tell_scene_exercise()
        self._focus_first()
        self.refresh_bindings()  # the exercise keys show on exercise steps only
        self.session.visit(self.lesson, step.id)

    async def reopen(self, start: int) -> None:
        """Shown again from the course map: the step on screen stays as it was left (scene,
        frame, knobs), unless the map asks for another one; the visit is recorded either way."""
        if start != self.index:
            await self.show_step(start)
        else:
            self.session.visit(self.lesson, self.step.id)

    @property
    def step_done(self) -> bool:
        """Every question of the step on screen is solved (now or before) or given up on."""
        return all(card.done for card in self.query(QuestionCard))

    def _update_reveal(self) -> None:
        """Show the step's held-back prose once its questions are done, and until then have a
        `hold_scene` step's scene hold back what would answer them (told on changes only); on an
        `in_order` step, show each question once those before it are done."""
        done = self.step_done
        if self.step.in_order:
            earlier_done = True
            for card in self.query(QuestionCard):
                card.set_waiting(not earlier_done)
                earlier_done = earlier_done and card.done
        for reveal in self.query("#reveal"):
            reveal.set_class(not done, "-held")
        scene = self.scene
        if self.step.hold_scene and scene is not None and self._held != (not done):
            self._held = not done
            scene.hold_answers(not done)

    def _drop_focus_inside(self, *containers: Widget) -> None:
        """Take the focus from a widget inside `containers` (whose children are about to be
        replaced) without telling it: Textual would otherwise restyle the widget's whole subtree
        for the lost focus, then move the focus to the prose column and restyle all of that
        (twice, as the new step's scene takes it), all for widgets about to go or be replaced."""
        focused = self.focused
        if focused is not None and any(container in focused.ancestors for container in containers):
            self.focused = None

    def _focus_first(self) -> None:
        scene = self.scene
        if scene is not None:
            scene.focus(scroll_visible=False)  # a scene may pass it on (the drawing canvas)
        else:
            self.query_one("#prose-column").focus(scroll_visible=False)

    # --- messages -------------------------------------------------------------------------------

    def on_scene_state_changed(self, message: SceneBase.StateChanged) -> None:
        transport = self.query_one(Transport)
        transport.playing = message.playing
        transport.position = message.position
        transport.total = message.total
        transport.speed = message.speed
        transport.held = message.held
        # A scene without frames (a canvas, a live race) has nothing to play or step through.
        transport.display = message.total > 0

    def on_transport_pressed(self, message: Transport.Pressed) -> None:
        self.action_scene(message.action)

    def on_question_card_answered(self, message: QuestionCard.Answered) -> None:
        if message.feedback.counts_as_attempt:
            right = message.feedback.status == "correct"
            if self.session.answer(self.lesson, message.question_id, right, message.answer):
                self.notify(f"Lesson complete: {self.lesson.title}. Well done!", timeout=6)
        self._update_reveal()

    def on_exercise_panel_checked(self, message: ExercisePanel.Checked) -> None:
        """A check of the step's exercise finished: the scene runs on the learner's function
        once it passes (and on the reference engine while it fails)."""
        self._tell_scene_exercise(message.passed)

    def _tell_scene_exercise(self, passed: bool | None = None) -> None:
        """Tell a scene that can run on the learner's code (`use_learner_code`, see
        `tutor.exercises.learner_calls.LearnerCode`) the step's exercise, the learner's file and
        whether it passes (`passed`, else as recorded)."""
        scene = self.scene
        use = getattr(scene, "use_learner_code", None)
        if not self.step.exercise or use is None:
            return
        from tutor.exercises import tracking
        from tutor.exercises.catalogue import get
        from tutor.exercises.workspace import PASSED, Workspace

        exercise = get(self.step.exercise)
        panel = self.exercise_panel
        workspace = panel.workspace if panel is not None else Workspace()
        if passed is None:
            record = self.session.exercise_record(exercise.id)
            passed = tracking.status(workspace, exercise, record) == PASSED
        use(exercise.id, workspace.path(exercise), passed)

    def on_question_card_revealed(self, message: QuestionCard.Revealed) -> None:
        """The learner gave up on a question: remembered for this run, never recorded."""
        self.revealed_questions.add(message.question_id)
        self._update_reveal()

    # --- actions --------------------------------------------------------------------------------

    async def action_next_step(self) -> None:
        """Go to the next step (at the end, say so)."""
        if self.index + 1 < len(self.lesson.steps):
            await self.show_step(self.index + 1)
        else:
            self.notify(f"This is the last step. Press {LEAVE_KEY} for the course map.", timeout=4)

    async def action_previous_step(self) -> None:
        """Go to the previous step."""
        if self.index > 0:
            await self.show_step(self.index - 1)

    def action_scene(self, action: str) -> None:
        """Forward a transport action (toggle, forward, back, reset, end, faster, slower) to the scene."""
        scene = self.scene
        if scene is None:
            if action in ("toggle", "forward"):
                self.notify("This step has no animation.", timeout=2)
            return
        {
            "toggle": scene.toggle_play, "forward": scene.step_forward, "back": scene.step_back,
            "reset": scene.reset, "faster": scene.faster, "slower": scene.slower,
            "end": scene.to_end,
        }[action]()

    @property
    def exercise_panel(self) -> ExercisePanel | None:
        """The step's exercise panel, if it has one."""
        found = self.query(ExercisePanel)
        return found.first() if found else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The exercise keys act (and show in the footer) on exercise steps only."""
        if action == "exercise":
            return bool(self.step.exercise)
        return True

    def action_exercise(self, action: str) -> None:
        """Start, edit or check the step's exercise, or show it in Keras and PyTorch (`ExercisePanel`)."""
        panel = self.exercise_panel
        if panel is not None:
            {"start": panel.start, "edit": panel.edit, "check": panel.check, "bridge": panel.bridge}[action]()

    def action_hint(self) -> None:
        """Show the next hint of the focused question (or of the first one on this step); on an
        exercise step, the exercise's when it has focus or the step asks no question."""
        focused = self.focused
        panel = self.exercise_panel
        while focused is not None and not isinstance(focused, (QuestionCard, ExercisePanel)):
            focused = focused.parent  # type: ignore[assignment]
        if panel is not None and (focused is panel or not self.query(QuestionCard)):
            panel.hint()
            return
        card = focused or next(iter(self.query(QuestionCard)), None)
        if card is None:
            self.notify("This step has no question.", timeout=2)
        else:
            card.action_hint()

    def action_help(self) -> None:
        """Open help for the keys and for this step's scene."""
        from tutor.screens.help import help_screen

        scene = self.scene
        self.app.push_screen(help_screen(self.app, scene.HELP if scene else ""))

    async def on_key(self, event: events.Key) -> None:
        """A scene's own key (v, k, c, [ ...) pressed while the focus is elsewhere (the prose,
        a choice list just answered, a button) still reaches the scene: a learner should not
        have to tab back to it. Text fields keep their keys; the screen's own keys never get
        here (their bindings run first, and scenes never bind them)."""
        scene = self.scene
        focused = self.focused
        if scene is None or isinstance(focused, Input) or event.key in SCREEN_KEYS:
            return
        if focused is not None and scene in focused.ancestors_with_self:
            return  # the scene had its chance: the key is not one of its own
        if focused is not None and self._focus_binds(focused, event.key):
            return  # the focused widget's own key (↑/↓ in a choice list, scrolling the prose)
        try:
            bindings = scene._bindings.get_bindings_for_key(event.key)
        except Exception:  # NoBinding
            return
        for binding in bindings:
            if scene.check_action(binding.action.split("(")[0], ()) is False:
                continue  # disabled now (e.g. a knob on a step that does not offer it)
            event.stop()
            await scene.run_action(binding.action)
            return

    def _focus_binds(self, focused: Widget, key: str) -> bool:
        """Whether `focused` or a widget between it and this screen binds `key` to an action it
        allows now: its bindings run after this handler, so the scene must not take the key."""
        node: Any = focused
        while node is not None and node is not self:
            try:
                bindings = node._bindings.get_bindings_for_key(key)
            except Exception:  # NoBinding  # noqa: BLE001
                bindings = []
            if any(node.check_action(b.action.split("(")[0], ()) is not False for b in bindings):
                return True
            node = node.parent
        return False

    def action_leave_widget(self) -> None:
        """Escape: leave the focused widget for the prose column; never leaves the lesson."""
        prose = self.query_one("#prose-column")
        if self.focused is None or self.focused is prose:
            self.notify(f"{LEAVE_KEY}: back to the course map", timeout=3)
        else:
            prose.focus(scroll_visible=False)

    @property
    def keep_when_left(self) -> bool:
        """Whether the app keeps this screen to show again: not while its scene holds live
        work (a training run), which leaving stops and saves as it always did."""
        return not isinstance(self.scene, LiveScene)

    def action_leave(self) -> None:
        """Back to the course map (the app pops this screen); a playing animation pauses."""
        scene = self.scene
        if scene is not None:
            scene.playing = False
        self.post_message(self.Leave(self))
