"""Parse a learner's typed answer into numbers or option indices, never with `eval`.

Every parser takes the raw text from an input box and either returns a plain Python value or
raises `AnswerFormatError`, whose message is one sentence telling the learner which format is
expected. For any `str` input nothing else is ever raised (property tests check this).

Accepted forms:

- numbers: `3`, `-0.25`, `+1.5`, `.5`, `1e-3`, `2.5E+2`, the Unicode minus `−2`, and simple
  fractions `1/4`, `-3/2`;
- vectors: `2.0, 1.2`, `[2 1.2]`, `(2, 1.2)`, `2;1.2` (elements separated by commas,
  semicolons and/or whitespace; one pair of matching brackets is optional);
- matrices: `1 2; 3 4`, rows on separate lines, `[[1, 2], [3, 4]]`, `[1 2; 3 4]`;
- options: a letter (`b`, `B`) or a 1-based number (`2`), so that a plain-text UI can answer
  choice questions too.
"""

from __future__ import annotations

import math
import re

__all__ = [
    "AnswerFormatError",
    "parse_number",
    "parse_vector",
    "parse_matrix",
    "parse_choice",
    "parse_choices",
]

NUMBER_HINT = "Expected a number such as 0.25, -3, 1/4 or 1e-3."
VECTOR_HINT = "Expected numbers separated by commas, spaces or semicolons, e.g. 2.0, 1.2"
MATRIX_HINT = (
    "Expected rows separated by semicolons or new lines, e.g. 1 2; 3 4 or [[1, 2], [3, 4]]"
)

#: A plain decimal number: optional sign, digits with an optional point, optional exponent.
#: ASCII digits only (no `1_000`, no `nan`, no `inf`, no other scripts' digits).
_DECIMAL = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_NUMBER_RE = re.compile(rf"(?P<num>{_DECIMAL})")
_FRACTION_RE = re.compile(rf"(?P<num>{_DECIMAL})\s*/\s*(?P<den>{_DECIMAL})")
_ELEMENT_SEPARATOR_RE = re.compile(r"\s*[,;]\s*|\s+")
_ROW_SEPARATOR_RE = re.compile(r"[;\n]")
_CHOICE_SEPARATOR_RE = re.compile(r"[,;\s]+")

_OPEN_TO_CLOSE = {"[": "]", "(": ")"}
#: Characters a learner may type that stand for the ASCII minus sign.
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\ufe63": "-", "\uff0d": "-"})
_MAX_ECHO = 20


class AnswerFormatError(ValueError):
    """The answer text could not be read; `str(error)` is one line saying what is expected."""


def _echo(text: str) -> str:
    """A short, single-line, printable rendering of what the learner typed, for error messages.

    Whitespace runs become one space, characters a terminal would not print as themselves
    (control codes such as ESC, format and unassigned characters, lone surrogates) become
    U+FFFD, and anything over 20 characters is cut with an ellipsis.
    """
    flat = " ".join(text.split())
    if len(flat) > _MAX_ECHO:
        flat = flat[: _MAX_ECHO - 1] + "…"
    return "".join(char if char.isprintable() else "\ufffd" for char in flat)


def _normalise(text: str) -> str:
    """Check the input is a str and map Unicode minus signs to '-'."""
    if not isinstance(text, str):
        raise TypeError(f"expected the answer as str, got {type(text).__name__}")
    return text.translate(_MINUS_SIGNS)


def _finite(value: float, original: str) -> float:
    """Return `value` if it is finite, else raise AnswerFormatError."""
    if not math.isfinite(value):
        raise AnswerFormatError(f"'{_echo(original)}' is too large. {NUMBER_HINT}")
    return value


def _number(text: str, original: str) -> float:
    """Parse an already normalised number token (decimal or fraction)."""
    token = text.strip()
    if not token:
        raise AnswerFormatError(NUMBER_HINT)
    match = _NUMBER_RE.fullmatch(token)
    if match:
        return _finite(float(token), original)
    match = _FRACTION_RE.fullmatch(token)
    if match:
        numerator = float(match["num"])
        denominator = float(match["den"])
        if denominator == 0.0:
            raise AnswerFormatError(f"'{_echo(original)}' divides by zero. {NUMBER_HINT}")
        try:
            value = numerator / denominator
        except OverflowError:
            value = math.inf
        return _finite(value, original)
    raise AnswerFormatError(f"'{_echo(original)}' is not a number. {NUMBER_HINT}")


def parse_number(text: str) -> float:
    """Parse one number such as `0.25`, `-3`, `1e-3`, `−2` or `1/4` into a finite float.

    Raises:
        AnswerFormatError: for empty text, `nan`, `inf`, overflow, division by zero or
            anything that is not a plain number.
    """
    return _number(_normalise(text), text)


def _strip_enclosing(text: str) -> str | None:
    """If `text` is wrapped in one matching pair of brackets, return the inside, else None.

    `[1, 2], [3, 4]` is *not* enclosing: its first bracket closes before the end.
    """
    if len(text) < 2 or text[0] not in _OPEN_TO_CLOSE:
        return None
    depth = 0
    for position, char in enumerate(text):
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
            if depth == 0:
                if position == len(text) - 1 and char == _OPEN_TO_CLOSE[text[0]]:
                    return text[1:-1]
                return None
    return None


def _vector(text: str, original: str, hint: str) -> tuple[float, ...]:
    """Parse a normalised vector, raising AnswerFormatError with `hint` on failure."""
    body = text.strip()
    inner = _strip_enclosing(body)
    if inner is not None:
        body = inner.strip()
    if not body:
        raise AnswerFormatError(hint)
    if any(char in body for char in "[]()"):
        raise AnswerFormatError(f"Unmatched or nested brackets in '{_echo(original)}'. {hint}")
    if body[-1] in ",;":  # forgive one trailing separator: "2, 3,"
        body = body[:-1].rstrip()
        if not body:
            raise AnswerFormatError(hint)
    values = []
    for token in _ELEMENT_SEPARATOR_RE.split(body):
        if not token:
            raise AnswerFormatError(f"An element is missing in '{_echo(original)}'. {hint}")
        try:
            values.append(_number(token, token))
        except AnswerFormatError as error:
            # Keep the reason ("is too large", "divides by zero") but give the vector's format.
            raise AnswerFormatError(str(error).replace(NUMBER_HINT, hint)) from None
    return tuple(values)


def parse_vector(text: str) -> tuple[float, ...]:
    """Parse numbers separated by commas, semicolons and/or whitespace, e.g. `[2.0, -0.8]`.

    One pair of matching brackets around the whole vector is optional, and one trailing
    separator (`2, 3,`) is forgiven.

    Raises:
        AnswerFormatError: for empty text, a missing element (`2,,3`), unmatched brackets
            or an element that is not a number.
    """
    return _vector(_normalise(text), text, VECTOR_HINT)


def _bracket_rows(text: str, original: str) -> list[str]:
    """Split `[1, 2], [3, 4]` into the row texts `1, 2` and `3, 4`."""
    rows = []
    position = 0
    length = len(text)
    while position < length:
        char = text[position]
        if char in " \t\r\n,;":
            position += 1
            continue
        if char not in _OPEN_TO_CLOSE:
            raise AnswerFormatError(
                f"'{_echo(original)}' mixes bracketed and bare rows. {MATRIX_HINT}"
            )
        close = text.find(_OPEN_TO_CLOSE[char], position + 1)
        if close < 0:
            raise AnswerFormatError(f"Unmatched brackets in '{_echo(original)}'. {MATRIX_HINT}")
        rows.append(text[position + 1 : close])
        position = close + 1
    return rows


def parse_matrix(text: str) -> tuple[tuple[float, ...], ...]:
    """Parse a matrix: rows separated by `;` or new lines, or bracketed rows `[[1, 2], [3, 4]]`.

    Inside a row, numbers are separated as in `parse_vector`. All rows must have the same
    length.

    Raises:
        AnswerFormatError: for empty text, a row that does not parse, or rows of different
            lengths.
    """
    body = _normalise(text).strip()
    if not body:
        raise AnswerFormatError(MATRIX_HINT)
    inner = _strip_enclosing(body)
    if inner is not None:
        body = inner.strip()
    if body[:1] in _OPEN_TO_CLOSE:
        row_texts = _bracket_rows(body, text)
    else:
        row_texts = [row for row in _ROW_SEPARATOR_RE.split(body) if row.strip()]
    if not row_texts:
        raise AnswerFormatError(MATRIX_HINT)
    rows = []
    for number, row_text in enumerate(row_texts, start=1):
        try:
            rows.append(_vector(row_text, row_text, MATRIX_HINT))
        except AnswerFormatError as error:
            raise AnswerFormatError(f"Row {number}: {error}") from None
    width = len(rows[0])
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != width:
            raise AnswerFormatError(
                f"Row {number} has {_count(len(row))} but row 1 has {width}; "
                "all rows need the same length."
            )
    return tuple(rows)


def _count(n: int) -> str:
    """`1 number`, `3 numbers`."""
    return f"{n} number" if n == 1 else f"{n} numbers"


def _choice_hint(n_options: int, multiple: bool = False) -> str:
    """The format sentence for choice answers with `n_options` options."""
    if n_options <= 0:
        return "There are no options to choose from."
    if n_options == 1:
        return "Expected the option a (or 1)."
    last_letter = chr(ord("a") + n_options - 1) if n_options <= 26 else None
    if multiple:
        letters = f"letters a-{last_letter} or " if last_letter else ""
        example = "a, c or 1 3" if n_options >= 3 else "a, b or 1 2"
        return f"Expected options such as {example} ({letters}numbers 1-{n_options})."
    letters = f"a letter a-{last_letter} or " if last_letter else ""
    return f"Expected an option: {letters}a number 1-{n_options}."


def _choice_token(token: str, n_options: int, original: str) -> int:
    """Map one token (`b`, `B`, `2`, `(b)`, `b)`, `2.`) to a 0-based option index."""
    hint = _choice_hint(n_options)
    cleaned = token.strip().strip("()[].:").strip().lower()
    if len(cleaned) == 1 and "a" <= cleaned <= "z":
        index = ord(cleaned) - ord("a")
    elif cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= 6:
        index = int(cleaned) - 1
    else:
        raise AnswerFormatError(f"'{_echo(original)}' is not an option. {hint}")
    if not 0 <= index < n_options:
        raise AnswerFormatError(f"There is no option '{_echo(token.strip())}'. {hint}")
    return index


def parse_choice(text: str, n_options: int) -> int:
    """Parse one option, `b` / `B` / `2` (1-based), into a 0-based index below `n_options`.

    Raises:
        AnswerFormatError: when the text names no option or an option that does not exist.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected the answer as str, got {type(text).__name__}")
    if not text.strip():
        raise AnswerFormatError(_choice_hint(n_options))
    return _choice_token(text, n_options, text)


def parse_choices(text: str, n_options: int) -> frozenset[int]:
    """Parse several options, `a, c` / `1 3` / `ac`, into a set of 0-based indices.

    The single word `none` means the empty selection.

    Raises:
        AnswerFormatError: when the text is empty or names an option that does not exist.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected the answer as str, got {type(text).__name__}")
    hint = _choice_hint(n_options, multiple=True)
    stripped = text.strip().strip("[](){}").strip()
    if not stripped:
        raise AnswerFormatError(hint)
    if stripped.lower() == "none":
        return frozenset()
    indices: set[int] = set()
    for token in _CHOICE_SEPARATOR_RE.split(stripped):
        if not token:
            continue
        bare = token.strip("()[].:")
        if len(bare) > 1 and bare.isascii() and bare.isalpha():
            parts = list(bare)  # "ac" -> "a", "c"
        else:
            parts = [token]
        for part in parts:
            try:
                indices.add(_choice_token(part, n_options, part))
            except AnswerFormatError as error:
                message = str(error).replace(_choice_hint(n_options), hint)
                raise AnswerFormatError(message) from None
    if not indices:
        raise AnswerFormatError(hint)
    return frozenset(indices)
