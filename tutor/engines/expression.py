"""A safe parser for small formulas such as "tanh(a*b + c)", turned into `Value` graphs (never eval).

Grammar (a hand-written recursive-descent parser; columns in messages count from 1)::

    expr    := term (("+" | "-") term)*
    term    := unary (("*" | "/") unary)*
    unary   := "-" unary | power               # -x^2 is -(x^2); -x*y is (-x)*y
    power   := atom (("^" | "**") unary)?      # the exponent must be a number: x^2, x^-1
    atom    := NUMBER | NAME | FUNC "(" expr ")" | "(" expr ")"
    FUNC    := exp | log | tanh | sigmoid | relu

Numbers are ints, decimals or exponents (2, 0.5, .5, 1e-3). Names are [a-zA-Z_][a-zA-Z0-9_]*.
`parse` gives a small immutable AST (`Number`, `Name`, `Neg`, `BinOp`, `Call`); `build` turns it
into an autograd graph for given values, labelling leaves with their names and inner nodes with
the text of their sub-expression ("a*b"). Every problem a user's text can cause, from parsing
to overflow while building, is an `ExpressionError` with a one-line message.

Named intermediate steps ("q = x + y; f = q * z") are parsed and built by
`tutor.engines.expression_steps`, on this module's parser.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Union

from tutor.engines.autograd import Value, gradients

__all__ = [
    "BinOp",
    "Call",
    "Expr",
    "ExpressionError",
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Name",
    "Neg",
    "Number",
    "build",
    "evaluate",
    "parse",
    "parse_assignments",
    "to_text",
    "variables",
]

#: The functions an expression may call, each with exactly one argument.
FUNCTIONS: tuple[str, ...] = ("exp", "log", "tanh", "sigmoid", "relu")
#: The longest text `parse` and `parse_assignments` accept, in characters.
MAX_LENGTH = 200
#: The longest sub-expression text an inner node is labelled with ("w*x + b"); a longer one is
#: left unlabelled (drawn with its operation, named by its operands in formulas), so boxes stay
#: small. Named steps ("q = ...") label their nodes whatever their length.
MAX_LABEL = 7
#: The deepest nesting (parentheses, calls, unary minus, exponents) `parse` accepts.
MAX_DEPTH = 50


class ExpressionError(ValueError):
    """A problem with a user's expression or values; str() is one line naming what and where.

    Attributes:
        column: the 1-based column of the problem in the text, or None when it has none.
    """

    def __init__(self, message: str, column: int | None = None) -> None:
        """One line: newlines in `message` are replaced by spaces."""
        super().__init__(" ".join(message.split()))
        self.column = column


# --------------------------------------------------------------------------- the AST


@dataclass(frozen=True)
class Number:
    """A number literal. `text` is how it was written ("-2" when a minus was folded in)."""

    value: float
    text: str


@dataclass(frozen=True)
class Name:
    """A variable."""

    name: str


@dataclass(frozen=True)
class Neg:
    """Unary minus: -operand."""

    operand: Expr


@dataclass(frozen=True)
class BinOp:
    """left op right, op one of "+", "-", "*", "/", "^" (written ^ or **; right is constant)."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Call:
    """A function call func(arg), func one of FUNCTIONS."""

    func: str
    arg: Expr


Expr = Union[Number, Name, Neg, BinOp, Call]


# --------------------------------------------------------------------------- tokens

_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op>\*\*|[-+*/^(),=])""",
    re.VERBOSE | re.ASCII,
)


@dataclass(frozen=True)
class _Token:
    """kind: "number", "name", "op" or "end"; text; column (1-based)."""

    kind: str
    text: str
    column: int


def _check_length(text: object, what: str) -> str:
    """text, if it is a str of at most MAX_LENGTH characters."""
    if not isinstance(text, str):
        raise ExpressionError(f"{what} must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"{what} is too long (over {MAX_LENGTH} characters)")
    return text


def _tokens(text: str, allowed_ops: str) -> list[_Token]:
    """Split text into tokens (spaces dropped), ending with an "end" token."""
    out: list[_Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or (m.lastgroup == "op" and m.group() not in allowed_ops.split()):
            bad = text[pos]
            raise ExpressionError(f"unexpected {_show(bad)} at column {pos + 1}", pos + 1)
        if m.lastgroup != "space":
            out.append(_Token(str(m.lastgroup), m.group(), pos + 1))
        pos = m.end()
    out.append(_Token("end", "", len(text) + 1))
    return out


def _show(text: str) -> str:
    """A character or token quoted for a message ('x', or a code point for control chars)."""
    if len(text) == 1 and not text.isprintable():
        return f"character U+{ord(text):04X}"
    return repr(text) if text.isprintable() else repr(text.encode("unicode_escape").decode())


def _described(token: _Token) -> str:
    """How a token is named in "unexpected ..." messages."""
    if token.kind == "end":
        return "end of expression"
    if token.kind == "number":
        return f"number {token.text!r}"
    if token.kind == "name":
        return f"name {token.text!r}"
    return repr(token.text)


# --------------------------------------------------------------------------- the parser


class _Parser:
    """Recursive descent over a token list; `depth` guards against deep nesting."""

    def __init__(self, tokens: list[_Token]) -> None:
        """Start at the first token."""
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def peek(self) -> _Token:
        """The current token."""
        return self.tokens[self.i]

    def take(self) -> _Token:
        """The current token, moving past it."""
        token = self.tokens[self.i]
        self.i += 1
        return token

    def unexpected(self, token: _Token | None = None) -> ExpressionError:
        """"unexpected ')' at column 7"."""
        token = token or self.peek()
        return ExpressionError(f"unexpected {_described(token)} at column {token.column}",
                               token.column)

    def expect(self, text: str) -> _Token:
        """Take the token `text`, or fail naming what came instead."""
        token = self.peek()
        if token.text != text or token.kind != "op":
            raise ExpressionError(
                f"expected {text!r} at column {token.column}, found {_described(token)}",
                token.column,
            )
        return self.take()

    def expr(self) -> Expr:
        """expr := term (("+" | "-") term)*."""
        node = self.term()
        while self.peek().kind == "op" and self.peek().text in ("+", "-"):
            op = self.take().text
            node = BinOp(op, node, self.term())
        return node

    def term(self) -> Expr:
        """term := unary (("*" | "/") unary)*."""
        node = self.unary()
        while self.peek().kind == "op" and self.peek().text in ("*", "/"):
            op = self.take().text
            node = BinOp(op, node, self.unary())
        return node

    def unary(self) -> Expr:
        """unary := "-" unary | power (a minus on a number literal folds into it)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            column = self.peek().column
            raise ExpressionError(
                f"expression is too deeply nested (over {MAX_DEPTH} levels) at column {column}",
                column,
            )
        try:
            if self.peek().kind == "op" and self.peek().text == "-":
                self.take()
                operand = self.unary()
                if isinstance(operand, Number):
                    text = operand.text[1:] if operand.text.startswith("-") else "-" + operand.text
                    return Number(-operand.value + 0.0, text)
                return Neg(operand)
            return self.power()
        finally:
            self.depth -= 1

    def power(self) -> Expr:
        """power := atom (("^" | "**") unary)?, the exponent a constant."""
        base = self.atom()
        token = self.peek()
        if token.kind == "op" and token.text in ("^", "**"):
            self.take()
            start = self.peek()
            exponent = self.unary()
            if variables(exponent):
                raise ExpressionError(
                    f"the exponent at column {start.column} must be a number, "
                    f"not {to_text(exponent)!r}",
                    start.column,
                )
            return BinOp("^", base, exponent)
        return base

    def atom(self) -> Expr:
        """atom := NUMBER | NAME | FUNC "(" expr ")" | "(" expr ")"."""
        token = self.take()
        if token.kind == "number":
            value = float(token.text)
            if not math.isfinite(value):
                raise ExpressionError(
                    f"number {token.text!r} at column {token.column} is too large", token.column
                )
            return Number(value, token.text)
        if token.kind == "name":
            is_call = self.peek().kind == "op" and self.peek().text == "("
            if not is_call:
                if token.text in FUNCTIONS:
                    raise ExpressionError(
                        f"{token.text!r} at column {token.column} is a function: "
                        f"write {token.text}(...)",
                        token.column,
                    )
                return Name(token.text)
            if token.text not in FUNCTIONS:
                raise ExpressionError(
                    f"unknown name {token.text!r} at column {token.column} "
                    f"(known functions: {', '.join(FUNCTIONS)})",
                    token.column,
                )
            self.take()  # "("
            arg = self.expr()
            if self.peek().kind == "op" and self.peek().text == ",":
                comma = self.peek()
                raise ExpressionError(
                    f"{token.text}() takes exactly one argument (unexpected ',' at column "
                    f"{comma.column})",
                    comma.column,
                )
            self.expect(")")
            return Call(token.text, arg)
        if token.kind == "op" and token.text == "(":
            node = self.expr()
            self.expect(")")
            return node
        raise self.unexpected(token)


def parse(text: str) -> Expr:
    """Parse an expression such as "(x + y) * z" into an AST.

    Raises:
        ExpressionError: empty, too long (over MAX_LENGTH characters), too deeply nested, an
            unknown function, a bad character, or any syntax error (with its column).
    """
    text = _check_length(text, "expression")
    if not text.strip():
        raise ExpressionError("expression is empty")
    parser = _Parser(_tokens(text, "** + - * / ^ ( ) ,"))
    node = parser.expr()
    if parser.peek().kind != "end":
        raise parser.unexpected()
    return node


# --------------------------------------------------------------------------- using the AST


def variables(expr: Expr) -> tuple[str, ...]:
    """The variable names in expr, sorted, each once."""
    names: set[str] = set()
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Name):
            names.add(node.name)
        elif isinstance(node, Neg):
            stack.append(node.operand)
        elif isinstance(node, BinOp):
            stack.extend((node.left, node.right))
        elif isinstance(node, Call):
            stack.append(node.arg)
    return tuple(sorted(names))


#: Binding strength for minimal parentheses in `to_text`.
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "^": 4, "atom": 5}


def _precedence(expr: Expr) -> int:
    """How tightly expr's top operation binds."""
    if isinstance(expr, BinOp):
        return _PRECEDENCE[expr.op]
    if isinstance(expr, Neg) or (isinstance(expr, Number) and expr.text.startswith("-")):
        return _PRECEDENCE["neg"]
    return _PRECEDENCE["atom"]


def to_text(expr: Expr) -> str:
    """expr written compactly with the fewest parentheses: "a*b + c", "1/(x - x)", "-x^2".

    Parsing the text again gives the same AST.
    """
    def wrap(sub: Expr, parens: bool) -> str:
        text = to_text(sub)
        return f"({text})" if parens else text

    if isinstance(expr, Number):
        return expr.text
    if isinstance(expr, Name):
        return expr.name
    if isinstance(expr, Call):
        return f"{expr.func}({to_text(expr.arg)})"
    if isinstance(expr, Neg):
        return "-" + wrap(expr.operand, _precedence(expr.operand) < _PRECEDENCE["neg"])
    p = _PRECEDENCE[expr.op]
    if expr.op == "^":  # right-associative
        left = wrap(expr.left, _precedence(expr.left) <= p)
        right = wrap(expr.right, _precedence(expr.right) < p)
        return f"{left}^{right}"
    left = wrap(expr.left, _precedence(expr.left) < p)
    right = wrap(expr.right, _precedence(expr.right) <= p)
    sep = f" {expr.op} " if p == 1 else expr.op
    return f"{left}{sep}{right}"


def _leaf_values(expr: Expr, values: Mapping[str, float]) -> dict[str, Value]:
    """One labelled leaf per variable (shared where a name is used twice)."""
    return _leaves(variables(expr), values)


def _leaves(names: tuple[str, ...], values: Mapping[str, float]) -> dict[str, Value]:
    """One labelled leaf per name, its value from `values`."""
    if not isinstance(values, Mapping):
        raise ExpressionError("values must be a mapping of names to numbers")
    leaves = {}
    for name in names:
        if name not in values:
            raise ExpressionError(f"missing value for {name!r}")
        value = values[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ExpressionError(f"the value for {name!r} must be a number")
        if not math.isfinite(value):
            raise ExpressionError(f"the value for {name!r} must be a finite number")
        leaves[name] = Value(float(value), label=name)
    return leaves


def _build(expr: Expr, leaves: dict[str, Value]) -> Value:
    """The Value for expr (inner nodes labelled with their text)."""
    if isinstance(expr, Number):
        return Value(expr.value)
    if isinstance(expr, Name):
        return leaves[expr.name]
    try:
        if isinstance(expr, Neg):
            out = -_build(expr.operand, leaves)
        elif isinstance(expr, Call):
            out = getattr(_build(expr.arg, leaves), expr.func)()
        elif expr.op == "^":
            out = _build(expr.left, leaves) ** _build(expr.right, {}).data
        else:
            left, right = _build(expr.left, leaves), _build(expr.right, leaves)
            out = {"+": left.__add__, "-": left.__sub__, "*": left.__mul__,
                   "/": left.__truediv__}[expr.op](right)
    except ExpressionError:
        raise
    except ZeroDivisionError as err:
        message = str(err).split(" (")[0] if str(err).startswith("division by zero") else str(err)
        raise ExpressionError(f"{message} in {to_text(expr)!r}") from None
    except OverflowError:
        raise ExpressionError(f"the value overflowed in {to_text(expr)!r}") from None
    except ValueError as err:
        raise ExpressionError(f"{err} in {to_text(expr)!r}") from None
    text = to_text(expr)
    out.label = text if len(text) <= MAX_LABEL else ""
    return out


def build(expr: Expr, values: Mapping[str, float]) -> Value:
    """The autograd graph of expr at `values` (name -> number; extra names are ignored).

    Leaves carry their variable names, inner nodes the text of their sub-expression ("a*b") when
    it has at most MAX_LABEL characters (longer ones are unlabelled), the output "f" unless it
    is short or "f" is one of the variables, number literals are unlabelled constant leaves, and a name used twice is one shared leaf.
    The backward pass is tried once (gradients left at 0), so a later `backward` on the
    result cannot fail.

    Raises:
        ExpressionError: a missing or non-finite value, division by zero, log of a number
            <= 0, a value or gradient that overflows ("the value overflowed in 'exp(x)'").
    """
    if not isinstance(expr, (Number, Name, Neg, BinOp, Call)):
        raise ExpressionError(f"build needs a parsed expression, got {type(expr).__name__}")
    root = _build(expr, _leaf_values(expr, values))
    if root._prev and not root.label and "f" not in variables(expr):
        root.label = "f"
    _check_gradients(root, to_text(expr))
    return root


def _check_gradients(root: Value, text: str) -> None:
    """Compute every gradient once (numbers only, `.grad` untouched), so a later backward
    pass cannot fail; an overflow is an ExpressionError naming `text`."""
    try:
        gradients(root)
    except (OverflowError, ZeroDivisionError, ValueError):
        raise ExpressionError(f"a gradient overflowed in {text!r}") from None


def evaluate(text: str, values: Mapping[str, float]) -> float:
    """parse then build: the value of the expression `text` at `values`."""
    return build(parse(text), values).data


def parse_assignments(text: str) -> dict[str, float]:
    """Values written "a=2, b=-3, c=1" or "a=2 b=-3" (commas optional) as {name: float}.

    Each value is a number with an optional sign. Empty text gives {}.

    Raises:
        ExpressionError: too long, a bad character, a missing "=" or number, a name given
            twice, or a number too large (one line, with the column).
    """
    text = _check_length(text, "values")
    tokens = _tokens(text, "+ - , = ** * / ^ ( )")
    out: dict[str, float] = {}
    i = 0

    def fail(token: _Token, expected: str) -> ExpressionError:
        return ExpressionError(
            f"expected {expected} at column {token.column}, found {_described(token)}",
            token.column,
        )

    while tokens[i].kind != "end":
        token = tokens[i]
        if token.kind == "op" and token.text == ",":
            i += 1
            continue
        if token.kind != "name":
            raise fail(token, "a name like a=2")
        name = token.text
        if name in out:
            raise ExpressionError(f"{name!r} is given twice (column {token.column})", token.column)
        i += 1
        if not (tokens[i].kind == "op" and tokens[i].text == "="):
            raise fail(tokens[i], f"'=' after {name!r}")
        i += 1
        sign = 1.0
        if tokens[i].kind == "op" and tokens[i].text in ("+", "-"):
            sign = -1.0 if tokens[i].text == "-" else 1.0
            i += 1
        if tokens[i].kind != "number":
            raise fail(tokens[i], f"a number for {name!r}")
        value = sign * float(tokens[i].text) + 0.0
        if not math.isfinite(value):
            raise ExpressionError(
                f"the number for {name!r} at column {tokens[i].column} is too large",
                tokens[i].column,
            )
        out[name] = value
        i += 1
    return out
