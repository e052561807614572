"""How the lesson loader reports problems: one `LessonIssue` per problem, all collected.

`Collector` gathers the issues of one file while it is read; `CourseError` carries them all to
`dl-tutor check-lessons` (and the app's start-up message). Messages are one line, values shown
shortened (a lesson may come from anyone, so a value may be huge or hold terminal escapes).
"""

from __future__ import annotations

import re
import reprlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["LessonIssue", "CourseError", "Collector", "show", "one_line", "short_key"]

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class LessonIssue:
    """One problem in a lesson tree: which file, which key, what is wrong."""

    file: Path
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.key}" if self.key else str(self.file)
        return one_line(f"{where}: {self.message}")


_SHORT = reprlib.Repr()
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxlevel = 60, 60, 6, 6, 3
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def show(value: Any) -> str:
    """A lesson's value for a message: its repr, shortened (a value may be huge or deep)."""
    return _SHORT.repr(value)


def one_line(text: str) -> str:
    """`text` with control characters (new lines, terminal escapes) shown as escapes."""
    return _CONTROL_RE.sub(lambda m: repr(m.group())[1:-1], text)


def short_key(name: Any) -> str:
    """A TOML key named in an issue, shortened."""
    name = str(name)
    return name if len(name) <= 60 else name[:57] + "..."


class CourseError(Exception):
    """The lesson tree has problems; `issues` lists every one of them."""

    def __init__(self, issues: list[LessonIssue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(issue) for issue in issues))


class Collector:
    """Accumulates issues for one file while it is being read."""

    def __init__(self, issues: list[LessonIssue], file: Path) -> None:
        self.issues = issues
        self.file = file

    def add(self, key: str, message: str) -> None:
        self.issues.append(LessonIssue(self.file, key, message))

    def unknown_keys(self, table: dict[str, Any], allowed: set[str], prefix: str) -> None:
        for key in sorted(set(table) - allowed):
            self.add(f"{prefix}{short_key(key)}", f"unknown key (allowed: {', '.join(sorted(allowed))})")

    def text(self, table: dict[str, Any], key: str, prefix: str = "", required: bool = True) -> str:
        value = table.get(key)
        if value is None:
            if required:
                self.add(f"{prefix}{key}", "missing; expected a non-empty string")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.add(f"{prefix}{key}", "expected a non-empty string")
            return ""
        return value.strip()

    def ident(self, table: dict[str, Any], key: str, prefix: str = "") -> str:
        value = self.text(table, key, prefix)
        if value and not _ID_RE.fullmatch(value):
            self.add(f"{prefix}{key}", f"{show(value)} is not a valid id (lowercase letters, digits, - and _)")
        return value
