"""Parse a learner's typed answer into numbers or option indices, never with `eval`.

Every parser takes the raw text from an input box and either returns a plain Python value or
raises `AnswerFormatError`, whose message is one sentence telling the learner which format is
expected. For any `str` input nothing else is ever raised (property tests check this).

Accepted forms, written as people write them:

- numbers: `3`, `-0.25`, `+1.5`, `.5`, `1e-3`, `2.5E+2`, the Unicode minus `−2`, simple
  fractions `1/4`, `-3/2`, thousands separators `60,000` / `1,234,567.5` (a comma followed by
  exactly three digits, no spaces), percentages `15.3%` (see below), a label `w = 2`, and
  arithmetic read by the safe expression parser of `tutor.engines.expression` (never `eval`):
  `e^-1`, `ln 3`, `log(3)`, `0.25^4`, `1/(1+exp(-1))`, `2*pi`, `3×2` (names `e` and `pi`;
  functions exp, ln/log, tanh, sigmoid, relu; `ln 3` means `ln(3)`);
- vectors: `2.0, 1.2`, `[2 1.2]`, `(2, 1.2)`, `2;1.2`, `w = 2, b = -1` (elements separated by
  commas, semicolons and/or whitespace outside parentheses; one pair of matching brackets is
  optional; labels `name =` before elements are dropped); each element is read as a number
  above, so `exp(-1), 1/2` works;
- matrices: `1 2; 3 4`, rows on separate lines, `[[1, 2], [3, 4]]`, `[1 2; 3 4]`;
- options: a letter (`b`, `B`) or a 1-based number (`2`), so that a plain-text UI can answer
  choice questions too.

Rules for the ambiguous cases, when the grader passes the expected answer (`expected=`):

- Commas in a vector separate numbers first. Only when that reading gives the wrong count of
  numbers are thousands groups (`1,000`: 1-3 digits, then groups of a comma and exactly three
  digits, no spaces, not after another digit, point or comma) read as one number, and that
  reading is used if its count is right: with 2 numbers expected, `1,000, 2` is (1000, 2) but
  `60,000` is (60, 0). A single-number answer always reads `60,000` as 60000.
- `p%` means p/100, except when the expected value is larger than 1 in absolute value: then
  the question evidently asks in percent and `15.3%` means 15.3. (Lessons state answers as
  fractions or in percent; none declares a unit, so the size of the answer decides.)
- A wrong count of numbers (or a matrix of the wrong shape) is a format problem, never a wrong
  answer: `AnswerFormatError("This answer needs 2 numbers, you gave 3. Expected ...")`.
"""

from __future__ import annotations

import math
import re

__all__ = [
    "AnswerFormatError",
    "count_message",
    "shape_message",
    "parse_number",
    "parse_vector",
    "parse_matrix",
    "parse_choice",
    "parse_choices",
]

NUMBER_HINT = "Expected a number such as 0.25, -3, 1/4, 1e-3 or exp(-1)."
VECTOR_HINT = "Expected numbers separated by commas, spaces or semicolons, e.g. 2.0, 1.2"
MATRIX_HINT = (
    "Expected rows separated by semicolons or new lines, e.g. 1 2; 3 4 or [[1, 2], [3, 4]]"
)

#: A plain decimal number: optional sign, digits with an optional point, optional exponent.
#: ASCII digits only (no `1_000`, no `nan`, no `inf`, no other scripts' digits).
_DECIMAL = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_NUMBER_RE = re.compile(rf"(?P<num>{_DECIMAL})")
_FRACTION_RE = re.compile(rf"(?P<num>{_DECIMAL})\s*/\s*(?P<den>{_DECIMAL})")
#: `60,000`, `-1,234,567.25`: thousands groups of exactly three digits after a comma.
_THOUSANDS_RE = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?")
#: A thousands-grouped number inside a longer text (not after a digit, point or comma).
_THOUSANDS_IN_TEXT_RE = re.compile(r"(?<![0-9.,])[0-9]{1,3}(?:,[0-9]{3})+(?![0-9]|,[0-9])")
_ELEMENT_SEPARATOR_RE = re.compile(r"\s*[,;]\s*|\s+")
_ROW_SEPARATOR_RE = re.compile(r"[;\n]")
_CHOICE_SEPARATOR_RE = re.compile(r"[,;\s]+")
#: A label before a number: `w = 2`, `b1=-1`, `Δw = 0.3` (at the start or after a separator).
_LABEL_RE = re.compile(r"(?<![^\s,;(\[])[^\W\d]\w*\s*=\s*")
#: `ln 3`, `exp -1`: a function name followed by a bare number means a call.
_BARE_CALL_RE = re.compile(
    r"\b(ln|log|exp|tanh|sigmoid|relu)\s*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
)
#: Characters the expression route may see; anything else is not a number.
_EXPRESSION_CHARS_RE = re.compile(r"[0-9A-Za-z_.+\-*/^() \t]+")
#: Constants a typed expression may use.
_CONSTANTS = {"e": math.e, "pi": math.pi}

_OPEN_TO_CLOSE = {"[": "]", "(": ")"}
#: Characters a learner may type that stand for the ASCII minus sign.
_MINUS_SIGNS = str.maketrans(
    {"\u2212": "-", "\u2013": "-", "\ufe63": "-", "\uff0d": "-", "\u00d7": "*", "\u22c5": "*",
     "\u00b7": "*", "\u03c0": "pi"}
)
_MAX_ECHO = 20
#: The longest element the expression parser is asked to read.
_MAX_EXPRESSION = 200


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
    """Check the input is a str; map Unicode minus signs to '-', × and · to '*', π to pi."""
    if not isinstance(text, str):
        raise TypeError(f"expected the answer as str, got {type(text).__name__}")
    return text.translate(_MINUS_SIGNS)


def _finite(value: float, original: str) -> float:
    """Return `value` if it is finite, else raise AnswerFormatError."""
    if not math.isfinite(value):
        raise AnswerFormatError(f"'{_echo(original)}' is too large. {NUMBER_HINT}")
    return value


def _expression(token: str) -> float | None:
    """The value of an arithmetic answer such as `e^-1` or `1/(1+exp(-1))`, or None.

    Read by `tutor.engines.expression` (a recursive-descent parser, never `eval`), with the
    constants e and pi; `ln` is `log`, and `ln 3` is `ln(3)`. None when it is not such a
    formula or its value is not a finite number.
    """
    if len(token) > _MAX_EXPRESSION or not _EXPRESSION_CHARS_RE.fullmatch(token):
        return None
    if not any(char.isalpha() or char in "^*()" for char in token):
        return None  # `1-2`, `1..2`: plain arithmetic on bare numbers is not an answer format
    from tutor.engines.expression import ExpressionError, evaluate

    text = _BARE_CALL_RE.sub(r"\1(\2)", token)
    text = re.sub(r"\bln\b", "log", text)
    try:
        value = evaluate(text, _CONSTANTS)
    except (ExpressionError, ArithmeticError, ValueError, TypeError, RecursionError):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _number(text: str, original: str, expected: float | None = None) -> float:
    """Parse an already normalised element: decimal, thousands, fraction, percent or formula.

    `expected` (the right value, when known) decides what `15%` means: see the module doc.
    """
    token = text.strip()
    if not token:
        raise AnswerFormatError(NUMBER_HINT)
    if token.endswith("%"):
        inner = token[:-1].rstrip()
        if not inner or inner.endswith("%"):
            raise AnswerFormatError(f"'{_echo(original)}' is not a number. {NUMBER_HINT}")
        value = _number(inner, original)
        in_percent = expected is not None and math.isfinite(expected) and abs(expected) > 1
        return value if in_percent else value / 100
    match = _NUMBER_RE.fullmatch(token)
    if match:
        return _finite(float(token), original)
    if _THOUSANDS_RE.fullmatch(token):
        return _finite(float(token.replace(",", "")), original)
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
    value = _expression(token)
    if value is not None:
        return value
    raise AnswerFormatError(f"'{_echo(original)}' is not a number. {NUMBER_HINT}")


def _drop_labels(text: str) -> str:
    """`w = 2, b = -1` -> `2, -1`: drop `name =` labels before elements."""
    return _LABEL_RE.sub("", text) if "=" in text else text


def _count(n: int) -> str:
    """`1 number`, `3 numbers`."""
    return f"{n} number" if n == 1 else f"{n} numbers"


def count_message(expected: int, got: int, hint: str) -> str:
    """The one line for a wrong count of numbers: 'This answer needs 2 numbers, you gave 3.'"""
    return f"This answer needs {_count(expected)}, you gave {got}. {hint}"


def parse_number(text: str, expected: float | None = None) -> float:
    """Parse one number such as `0.25`, `-3`, `1e-3`, `−2`, `1/4`, `60,000`, `15%`, `e^-1`.

    Args:
        text: what the learner typed.
        expected: the right answer, when known; only used to read a percentage (module doc).

    Raises:
        AnswerFormatError: for empty text, `nan`, `inf`, overflow, division by zero, several
            numbers ("This answer needs 1 number, you gave 2.") or anything else that is not
            a number.
    """
    normalised = _drop_labels(_normalise(text))
    try:
        return _number(normalised, text, expected)
    except AnswerFormatError as error:
        try:
            several = _vector(normalised, text, NUMBER_HINT)
        except AnswerFormatError:
            raise error from None
        if len(several) > 1:
            raise AnswerFormatError(count_message(1, len(several), NUMBER_HINT)) from None
        raise


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


def _split_elements(body: str, original: str, hint: str) -> list[str]:
    """Split a vector body at separators outside parentheses (`exp(-1), 1/(1 + e)` is 2)."""
    if "[" in body or "]" in body:
        raise AnswerFormatError(f"Unmatched or nested brackets in '{_echo(original)}'. {hint}")
    if "(" not in body and ")" not in body:
        return _ELEMENT_SEPARATOR_RE.split(body)
    # Inside parentheses spaces mean nothing and a comma is never a separator: glue them.
    flat = []
    depth = 0
    for char in body:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                break
        if depth > 0 and char.isspace():
            continue
        flat.append("\x00" if depth > 0 and char in ",;" else char)
    if depth != 0:
        raise AnswerFormatError(f"Unmatched brackets in '{_echo(original)}'. {hint}")
    return [token.replace("\x00", ",") for token in _ELEMENT_SEPARATOR_RE.split("".join(flat))]


def _vector(
    text: str,
    original: str,
    hint: str,
    expected: tuple[float, ...] | None = None,
) -> tuple[float, ...]:
    """Parse a normalised vector, raising AnswerFormatError with `hint` on failure.

    With `expected`, a wrong count is a format error, and thousands groups are tried when the
    plain reading has the wrong count (module doc).
    """
    body = _drop_labels(text.strip())
    inner = _strip_enclosing(body)
    if inner is not None:
        body = _drop_labels(inner.strip())
    if not body:
        raise AnswerFormatError(hint)
    if body[-1] in ",;":  # forgive one trailing separator: "2, 3,"
        body = body[:-1].rstrip()
        if not body:
            raise AnswerFormatError(hint)
    body = _BARE_CALL_RE.sub(r"\1(\2)", body)  # `ln 3, 2` has two elements
    tokens = _split_elements(body, original, hint)
    if expected is not None and len(tokens) != len(expected) and "," in body:
        grouped = _THOUSANDS_IN_TEXT_RE.sub(lambda m: m.group().replace(",", ""), body)
        grouped_tokens = _split_elements(grouped, original, hint)
        if len(grouped_tokens) == len(expected):
            tokens = grouped_tokens
    if any(not token for token in tokens):
        raise AnswerFormatError(f"An element is missing in '{_echo(original)}'. {hint}")
    if expected is not None and len(tokens) != len(expected):
        raise AnswerFormatError(count_message(len(expected), len(tokens), hint))
    values = []
    for index, token in enumerate(tokens):
        try:
            values.append(_number(token, token, expected[index] if expected else None))
        except AnswerFormatError as error:
            # Keep the reason ("is too large", "divides by zero") but give the vector's format.
            raise AnswerFormatError(str(error).replace(NUMBER_HINT, hint)) from None
    return tuple(values)


def parse_vector(text: str, expected: tuple[float, ...] | None = None) -> tuple[float, ...]:
    """Parse numbers separated by commas, semicolons and/or whitespace, e.g. `[2.0, -0.8]`.

    One pair of matching brackets around the whole vector is optional, one trailing separator
    (`2, 3,`) is forgiven, and labels are dropped (`w = 2, b = -1`). Each element is read as
    by `parse_number` (`e^-1`, `3/4`, `15%`).

    Args:
        text: what the learner typed.
        expected: the right answer, when known: its length is the count of numbers required
            (commas may then be thousands separators) and its values read percentages.

    Raises:
        AnswerFormatError: for empty text, a missing element (`2,,3`), unmatched brackets, an
            element that is not a number, or (with `expected`) a wrong count of numbers.
    """
    if expected is not None:
        expected = tuple(float(x) for x in expected)
    return _vector(_normalise(text), text, VECTOR_HINT, expected)


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


def shape_message(expected: tuple[int, int], got: tuple[int, int]) -> str:
    """The one line for a matrix of the wrong shape (naming a transpose when it is one)."""
    transposed = got == expected[::-1] and expected[0] != expected[1]
    return (
        f"This answer needs a {expected[0]}×{expected[1]} matrix, you gave "
        f"{got[0]}×{got[1]}{' (transposed?)' if transposed else ''}. {MATRIX_HINT}"
    )


def parse_matrix(
    text: str,
    expected: tuple[tuple[float, ...], ...] | None = None,
) -> tuple[tuple[float, ...], ...]:
    """Parse a matrix: rows separated by `;` or new lines, or bracketed rows `[[1, 2], [3, 4]]`.

    Inside a row, numbers are read as in `parse_vector`. All rows must have the same length;
    with `expected` (the right answer), the shape must be its shape.

    Raises:
        AnswerFormatError: for empty text, a row that does not parse, rows of different
            lengths, or (with `expected`) a wrong shape.
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
    expected_rows = None
    if expected is not None:
        expected_rows = tuple(tuple(float(x) for x in row) for row in expected)
    rows_match = expected_rows is not None and len(expected_rows) == len(row_texts)
    rows = []
    for number, row_text in enumerate(row_texts, start=1):
        try:
            row = _vector(row_text, row_text, MATRIX_HINT)
        except AnswerFormatError as error:
            raise AnswerFormatError(f"Row {number}: {error}") from None
        if rows_match:
            try:  # the expected row decides thousands groups and percentages
                row = _vector(row_text, row_text, MATRIX_HINT, expected_rows[number - 1])
            except AnswerFormatError:
                pass  # a wrong width: the shape check below says so
        rows.append(row)
    width = len(rows[0])
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != width:
            raise AnswerFormatError(
                f"Row {number} has {_count(len(row))} but row 1 has {width}; "
                "all rows need the same length."
            )
    if expected_rows is not None:
        expected_shape = (len(expected_rows), len(expected_rows[0]) if expected_rows else 0)
        if (len(rows), width) != expected_shape:
            raise AnswerFormatError(shape_message(expected_shape, (len(rows), width)))
    return tuple(rows)


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
