"""Question kinds and grading, pure: answers are parsed, never `eval`ed.

`instantiate(question, seed)` turns a lesson's Question into a concrete `Problem` (running a
`predict` question's generator), and `grade(problem, response)` returns a one-line `Feedback`.
Importing this package imports neither NumPy nor Textual.
"""

from tutor.quiz.grade import Feedback, Problem, grade, instantiate
from tutor.quiz.parse import (
    AnswerFormatError,
    parse_choice,
    parse_choices,
    parse_matrix,
    parse_number,
    parse_vector,
)

__all__ = [
    "AnswerFormatError",
    "Feedback",
    "Problem",
    "grade",
    "instantiate",
    "parse_choice",
    "parse_choices",
    "parse_matrix",
    "parse_number",
    "parse_vector",
]
