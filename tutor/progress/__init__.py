"""The learner's progress, persisted as JSON in the user's data directory.

Keyed by lesson and question ids (never positions), written atomically under a lock (several
tutors may share one file), and a damaged file is moved aside and reported rather than lost.
Importing this package imports neither NumPy nor Textual. `records` holds the data and its JSON
form, `files` the lock, atomic writes and rescue, `store` the `ProgressStore` that loads and
saves; whether a lesson is done is `tutor.session`'s rule.
"""

from tutor.progress.store import (
    ExerciseRecord,
    ExportTargetError,
    LessonRecord,
    Progress,
    ProgressFormatError,
    ProgressSaveError,
    ProgressStore,
    QuestionRecord,
    default_home,
    directory_problem,
)

__all__ = [
    "ExerciseRecord",
    "ExportTargetError",
    "LessonRecord",
    "Progress",
    "ProgressFormatError",
    "ProgressSaveError",
    "ProgressStore",
    "QuestionRecord",
    "default_home",
    "directory_problem",
]
