"""The learner's progress, persisted as JSON in the user's data directory.

Keyed by lesson and question ids (never positions), written atomically under a lock (several
tutors may share one file), and a damaged file is moved aside and reported rather than lost.
Importing this package imports neither NumPy nor Textual.
"""

from tutor.progress.store import (
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
