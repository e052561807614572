"""Typed objects for a course: Course -> Unit -> Lesson -> Step, plus Question.

These are plain frozen dataclasses built by `tutor.content.loader`; nothing here reads files,
imports Textual or imports NumPy, so `dl-tutor list` stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

#: The question kinds a lesson may use.
QuestionKind = Literal["single", "multiple", "number", "vector", "matrix", "predict"]
QUESTION_KINDS: tuple[str, ...] = ("single", "multiple", "number", "vector", "matrix", "predict")


@dataclass(frozen=True)
class Question:
    """One question of a lesson, exactly as the lesson's TOML declares it.

    Attributes:
        id: unique within the lesson; progress is keyed by it.
        kind: one of QUESTION_KINDS.
        prompt: Markdown text; for `predict` a template with `{name}` fields that the
            generator fills in.
        options: the choices for `single` and `multiple` (empty otherwise).
        answer: `single`: index into options (int); `multiple`: tuple of indices;
            `number`: float; `vector`: tuple of floats; `matrix`: tuple of row tuples;
            `predict`: None (the generator computes it).
        tolerance: absolute tolerance for numeric answers.
        explanation: shown after a right answer, or after a wrong one on request.
        hints: progressively stronger hints, none of them empty.
        generator: for `predict`, the registered generator name (e.g. "neuron.threshold_output").
        params: for `predict`, keyword parameters passed to the generator.
        shuffle: whether the options are shown in an order of the learner's own (stable per
            learner and question; the answer is still graded by the TOML's order). Set
            `shuffle = false` for options whose order means something ("all of the above").
        reasons: for `single` and `multiple`, one entry per option: why that option is wrong,
            shown when a learner picks it ("" for the right options and for none given). In
            TOML a distractor is written `{ text = "...", why = "..." }`.
        mistakes: known wrong answers with a targeted one-line message, as pairs (answer in
            this question's encoding, message); checked before the generic detectors. In
            TOML: `mistakes = [{ answer = 11.5, say = "..." }]` (option texts for choices).
    """

    id: str
    kind: str
    prompt: str
    options: tuple[str, ...] = ()
    answer: Any = None
    tolerance: float = 1e-6
    explanation: str = ""
    hints: tuple[str, ...] = ()
    generator: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    shuffle: bool = True
    reasons: tuple[str, ...] = ()
    mistakes: tuple[tuple[Any, str], ...] = ()


@dataclass(frozen=True)
class Step:
    """One step of a lesson: a section of prose, optionally a scene, optionally questions.

    Attributes:
        id: unique within the lesson; the learner's position is stored by it.
        title: the step's heading.
        prose: the Markdown for this step (from the lesson's Markdown file).
        scene: registered scene name, or None for prose-only steps.
        scene_params: keyword parameters for the scene.
        questions: ids of the lesson's questions asked on this step, in order.
        reveal: prose held back until every question of the step is answered (or skipped):
            what follows a `<!-- reveal -->` line in the step's Markdown; "" when none.
        hold_scene: while the step's questions are open, the scene draws the values they ask
            for as `?` (TOML `hold_scene = true`; only scenes that can, see the registry).
        in_order: the questions are asked one after another: each shows its prompt only once
            the one before it is answered (or given up on), so a question may build on an
            earlier answer without giving it away (TOML `in_order = true`).
        exercise: the id of a hands-on exercise (`tutor.exercises.catalogue`) worked on this
            step, shown below the prose as an exercise panel (TOML `exercise = "ID"`); None
            for none.
    """

    id: str
    title: str
    prose: str
    scene: str | None = None
    scene_params: dict[str, Any] = field(default_factory=dict)
    questions: tuple[str, ...] = ()
    reveal: str = ""
    hold_scene: bool = False
    in_order: bool = False
    exercise: str | None = None


@dataclass(frozen=True)
class Lesson:
    """A lesson: ordered steps and the questions they ask."""

    id: str
    title: str
    summary: str
    steps: tuple[Step, ...]
    questions: dict[str, Question]
    path: Path

    def step_index(self, step_id: str | None) -> int:
        """Index of the step with this id, or 0 when unknown (e.g. a step was removed)."""
        for i, step in enumerate(self.steps):
            if step.id == step_id:
                return i
        return 0


@dataclass(frozen=True)
class Unit:
    """A group of lessons shown together on the course map."""

    id: str
    title: str
    lessons: tuple[Lesson, ...]


@dataclass(frozen=True)
class Course:
    """A whole course as loaded from a `course.toml` manifest."""

    title: str
    format_version: int
    units: tuple[Unit, ...]
    path: Path

    @property
    def lessons(self) -> tuple[Lesson, ...]:
        """All lessons in course order."""
        return tuple(lesson for unit in self.units for lesson in unit.lessons)

    def lesson(self, lesson_id: str) -> Lesson:
        """The lesson with this exact id (KeyError when absent)."""
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        raise KeyError(lesson_id)

    def find(self, query: str) -> list[Lesson]:
        """Lessons matching an id exactly, else by unique id prefix (may return several)."""
        exact = [lesson for lesson in self.lessons if lesson.id == query]
        if exact:
            return exact
        return [lesson for lesson in self.lessons if lesson.id.startswith(query)]
