"""The engines never load the UI, and the CLI's fast path never loads the UI or NumPy.

Each check runs in a fresh interpreter (`sys.executable -c ...`) so that modules imported by
other tests in this process cannot hide an import.
"""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest


REPO = Path(__file__).resolve().parent.parent


def loaded_modules(code: str, tmp_path: Path) -> dict[str, bool]:
    """Run `code` in a fresh interpreter, then report which heavy packages it loaded."""
    probe = (
        code
        + "\nimport json, sys\n"
        + "print('MODULES=' + json.dumps({name: name in sys.modules"
        + " for name in ('textual', 'rich', 'numpy', 'plotext', 'textual_plotext', 'cupy')}))\n"
    )
    env = dict(os.environ, DL_TUTOR_HOME=str(tmp_path / "home"), DL_TUTOR_BACKEND="numpy")
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    line = [l for l in result.stdout.splitlines() if l.startswith("MODULES=")][-1]
    return json.loads(line.removeprefix("MODULES="))


#: Packages no engine may load: the UI stack, and CuPy (only the GPU backend loads it, on demand).
FORBIDDEN = ("textual", "rich", "plotext", "textual_plotext", "cupy")


def engine_modules() -> list[str]:
    """Every module under `tutor/engines/`, found on disk so that a new engine is covered too."""
    engines = REPO / "tutor" / "engines"
    return sorted(
        info.name
        for info in pkgutil.walk_packages([str(engines)], prefix="tutor.engines.")
    )


ENGINE_MODULES = engine_modules()


def test_engine_modules_are_discovered() -> None:
    """Guard the discovery itself: an empty list would make the isolation test vacuous."""
    assert {"tutor.engines.neuron", "tutor.engines.mnist", "tutor.engines.train"} <= set(
        ENGINE_MODULES
    )


@pytest.mark.parametrize("module", ENGINE_MODULES)
def test_engine_module_loads_no_ui_and_no_cupy(module: str, tmp_path: Path) -> None:
    """Importing any one engine module, alone in a fresh interpreter, loads none of FORBIDDEN."""
    modules = loaded_modules(
        f"import importlib\nimportlib.import_module({module!r})\n", tmp_path
    )
    loaded = sorted(name for name in FORBIDDEN if modules[name])
    assert loaded == [], f"importing {module} loaded {', '.join(loaded)}"


def test_running_the_engines_loads_no_ui(tmp_path: Path) -> None:
    """Calling engine code, not just importing it, stays UI-free: every registered generator
    runs once, plus the neuron helpers the first lesson uses."""
    modules = loaded_modules(
        "import numpy\n"
        "from tutor.engines.neuron import truth_table\n"
        "from tutor.quiz.generators.neuron import which_gate_problem\n"
        "from tutor.quiz.predict import generate, generator_names\n"
        "truth_table([1, 1], 1.5, gate='AND')\n"
        "which_gate_problem(numpy.random.default_rng(0))\n"
        "for name in generator_names():\n"
        "    generate(name, 0)\n",
        tmp_path,
    )
    loaded = sorted(name for name in FORBIDDEN if modules[name])
    assert loaded == [], f"running the engines loaded {', '.join(loaded)}"


def test_mnist_checksums_without_ui(tmp_path: Path) -> None:
    modules = loaded_modules(
        "from tutor.engines.mnist import verify_checksums\n"
        "from tutor.paths import mnist_dir\n"
        "assert all(check.ok for check in verify_checksums(mnist_dir()))\n",
        tmp_path,
    )
    assert not modules["textual"] and not modules["rich"]


def test_fast_path_loads_neither_textual_nor_numpy(tmp_path: Path) -> None:
    modules = loaded_modules(
        "import tutor.cli, tutor.content, tutor.progress, tutor.quiz\n"
        "from tutor.paths import default_lessons_dir\n"
        "course = tutor.content.load_course(default_lessons_dir())\n"
        "assert course.lessons\n"
        "from tutor.progress import ProgressStore\n"
        "ProgressStore().load()\n"
        "from tutor.quiz import grade, instantiate\n"
        "q = course.lessons[0].questions['or-truth-table']\n"
        "assert grade(instantiate(q), '0, 1, 1, 1').correct\n",
        tmp_path,
    )
    assert modules == {
        "textual": False, "rich": False, "numpy": False, "plotext": False,
        "textual_plotext": False, "cupy": False,
    }


def test_fixture_course_loads_without_numpy(tmp_path: Path) -> None:
    fixture = REPO / "tests" / "fixtures" / "course_ok"
    modules = loaded_modules(
        f"from tutor.content import load_course\nload_course({str(fixture)!r})\n", tmp_path
    )
    assert not modules["numpy"] and not modules["textual"]
