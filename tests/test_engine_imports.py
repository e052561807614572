"""The engines depend on nothing of the app but `tutor.backend` and each other.

Every module under `tutor/engines/` is parsed (not imported) with `ast`, and every import in it,
at the top or inside a function, is checked: from the `tutor` package only `tutor.backend` and
`tutor.engines.*` may be named. Words for learners, files and folders of the app, question
generators (`tutor.quiz.generators`) and the UI live outside and call in, never the reverse.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ENGINES = Path(__file__).resolve().parent.parent / "tutor" / "engines"

#: Modules allowed to break the rule, with the reason. Keep it empty.
EXCEPTIONS: dict[str, str] = {}


def _allowed(name: str) -> bool:
    """Whether an absolute module name may be imported by an engine."""
    if name != "tutor" and not name.startswith("tutor."):
        return True  # the standard library, NumPy, CuPy ...
    return name == "tutor.backend" or name == "tutor.engines" or name.startswith("tutor.engines.")


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in a module of `tutor.engines`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against tutor.engines
                base = "tutor.engines" if node.level == 1 else "tutor"
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            if name == "tutor":  # from tutor import x: x is the module
                found.extend((node.lineno, f"tutor.{alias.name}") for alias in node.names)
            else:
                found.append((node.lineno, name))
    return found


ENGINE_FILES = sorted(ENGINES.rglob("*.py"))


def test_engine_files_are_found() -> None:
    names = {path.stem for path in ENGINE_FILES}
    assert {"neuron", "descent", "autograd", "layers", "gradcheck"} <= names


def test_no_exceptions() -> None:
    assert EXCEPTIONS == {}


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda p: p.relative_to(ENGINES).as_posix())
def test_engine_imports_only_backend_and_engines(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = [f"line {line}: {name}" for line, name in _imported(tree) if not _allowed(name)]
    assert bad == [], f"{path.name} imports from the app: {'; '.join(bad)}"


@pytest.mark.parametrize(
    ("source", "ok"),
    [
        ("import numpy as np", True),
        ("from tutor.backend import to_numpy", True),
        ("from tutor.engines import layers", True),
        ("from . import layers", True),
        ("from .records import plain", True),
        ("from tutor import backend", True),
        ("from tutor.quiz.predict import Generated", False),
        ("def f():\n    from tutor.progress.store import default_home", False),
        ("import tutor.paths", False),
        ("from tutor import paths", False),
        ("from .. import paths", False),
    ],
)
def test_the_checker_itself(source: str, ok: bool) -> None:
    assert all(_allowed(name) for _, name in _imported(ast.parse(source))) is ok
