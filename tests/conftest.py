"""Shared test setup: every test gets its own data directory and the NumPy backend."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Point DL_TUTOR_HOME at a fresh folder and force DL_TUTOR_BACKEND=numpy."""
    home = tmp_path_factory.mktemp("dl-tutor-home")
    monkeypatch.setenv("DL_TUTOR_HOME", str(home))
    monkeypatch.setenv("DL_TUTOR_BACKEND", "numpy")
    return home
