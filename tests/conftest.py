"""Shared test setup: every test gets its own data directory and the NumPy backend."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Point DL_TUTOR_HOME at a fresh folder, force DL_TUTOR_BACKEND=numpy, use the shipped MNIST."""
    home = tmp_path_factory.mktemp("dl-tutor-home")
    monkeypatch.setenv("DL_TUTOR_HOME", str(home))
    monkeypatch.setenv("DL_TUTOR_BACKEND", "numpy")
    # `dl-tutor --data-dir` sets this for its process; in tests, undo it after each test
    # (monkeypatch restores the variable's absence at teardown).
    monkeypatch.setenv("DL_TUTOR_DATA_DIR", "")
    # `--low-bandwidth` sets these for its process; undo them after each test.
    monkeypatch.delenv("DL_TUTOR_LOW_BANDWIDTH", raising=False)
    monkeypatch.delenv("TEXTUAL_FPS", raising=False)
    return home
