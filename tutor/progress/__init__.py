"""The learner's progress, persisted as JSON in the user's data directory.

Keyed by lesson and question ids (never positions), written atomically, and a damaged file is
moved aside and reported rather than lost. Importing this package imports neither NumPy nor
Textual.
"""

from tutor.progress.store import (
    LessonRecord,
    Progress,
    ProgressFormatError,
    ProgressSaveError,
    ProgressStore,
    QuestionRecord,
    default_home,
)

__all__ = [
    "LessonRecord",
    "Progress",
    "ProgressFormatError",
    "ProgressSaveError",
    "ProgressStore",
    "QuestionRecord",
    "default_home",
]
