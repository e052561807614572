"""Shared test setup: every test gets its own data directory and the NumPy backend."""

from __future__ import annotations

import inspect
import os
import sys

import pytest

# Python keeps compiled modules in __pycache__ (ignored by git) unless PYTHONDONTWRITEBYTECODE
# says not to, as it does on some machines, this project's CI machines among them. Then every
# test worker compiles the tutor and rewrites the test modules' asserts again (about 6 s of CPU
# per worker, before the first test), and so does every child process a test starts (about
# 0.1 s each, a few hundred of them). The tests write the caches for themselves and their
# children; this runs in the main process before the workers start, so they inherit it.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Tune the cycle collector as the app does (`tutor.allocator.tune_gc`), once collected:
    the Pilot tests draw thousands of screens, and at Python's default thresholds the collector
    took 15-20% of their CPU walking the modules and tests collected."""
    from tutor.allocator import tune_gc

    tune_gc()


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Point DL_TUTOR_HOME at a fresh folder, force DL_TUTOR_BACKEND=numpy, fix the learner
    seed (DL_TUTOR_LEARNER_SEED), use the shipped MNIST."""
    home = tmp_path_factory.mktemp("dl-tutor-home")
    monkeypatch.setenv("DL_TUTOR_HOME", str(home))
    # One cache of decoded data sets per test worker, not per home: MNIST is decoded once, not
    # in every test that shows a digit (each test still gets its own progress and models).
    monkeypatch.setenv("DL_TUTOR_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "shared-cache"))
    monkeypatch.setenv("DL_TUTOR_BACKEND", "numpy")
    # A new progress file gets this learner seed, so option orders (and snapshots) are fixed.
    monkeypatch.setenv("DL_TUTOR_LEARNER_SEED", "1")
    # `dl-tutor --data-dir` sets this for its process; in tests, undo it after each test
    # (monkeypatch restores the variable's absence at teardown).
    monkeypatch.setenv("DL_TUTOR_DATA_DIR", "")
    # `--low-bandwidth` sets these for its process; undo them after each test.
    monkeypatch.delenv("DL_TUTOR_LOW_BANDWIDTH", raising=False)
    monkeypatch.delenv("TEXTUAL_FPS", raising=False)
    return home


#: Modules whose every test belongs to the slow tier: real processes on a terminal, over SSH or
#: on the web server, or a child process per test.
SLOW_MODULES = {"test_interrupts", "test_ssh", "test_web",
                # each test starts sandboxed or fresh Python processes (the checks' own sandbox
                # keeps its fast smoke tests in test_exercise_sandbox and test_exercises)
                "test_lc_learner_calls", "test_app_threads", "test_lt_learner_trainer"}
#: Modules whose Pilot tests stay in the fast tier: the smoke test of every scene kind.
FAST_PILOT_MODULES = {"test_scene_kinds"}
#: Single Pilot tests that stay in the fast tier: the app's own flow (course map, lesson,
#: answer, progress, resume), one wrong-format-then-right answer, a damaged progress file, and
#: the one definition of "done". The rest of tests/test_app_flow.py runs in the full suite.
FAST_PILOT_TESTS = {
    "test_map_open_navigate_answer_quit_resume",
    "test_number_question_invalid_then_right_and_new_problem",
    "test_damaged_progress_is_reported_and_app_starts",
    "test_a_lesson_that_gained_a_step_shows_one_status_everywhere",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Sort tests into the two tiers; `pytest -m "not slow"` is the fast one.

    Slow: snapshot tests (they render whole screens), the SLOW_MODULES, and every test that
    drives the app through Pilot (an `async def` test) outside FAST_PILOT_MODULES and
    FAST_PILOT_TESTS; other slow tests carry `@pytest.mark.slow` themselves."""
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if getattr(item, "module", None) else ""
        function = getattr(item, "function", None)
        pilot = (
            inspect.iscoroutinefunction(function)
            and module not in FAST_PILOT_MODULES
            and getattr(function, "__name__", "") not in FAST_PILOT_TESTS
        )
        if "snap_compare" in getattr(item, "fixturenames", ()) or module in SLOW_MODULES or pilot:
            item.add_marker(pytest.mark.slow)
