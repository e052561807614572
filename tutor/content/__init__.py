"""Lessons as data: load and validate a lesson tree into typed Course/Lesson/Step/Question."""

from tutor.content.loader import CourseError, LessonIssue, load_course, split_prose
from tutor.content.model import Course, Lesson, Question, Step, Unit

__all__ = [
    "Course", "CourseError", "Lesson", "LessonIssue", "Question", "Step", "Unit",
    "load_course", "split_prose",
]
