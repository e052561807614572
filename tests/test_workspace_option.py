"""`dl-tutor --workspace PATH` (and `run`/`open --workspace`): the app's exercise steps and their
sandboxes use that folder, as `dl-tutor exercises --workspace PATH` does."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor import cli
from tutor.exercises.workspace import WORKSPACE_ENV, Workspace


@pytest.mark.parametrize("argv", [
    ["--workspace", "{ws}"], ["run", "--workspace", "{ws}"], ["open", "neuron", "--workspace", "{ws}"],
])
def test_the_app_uses_the_workspace_it_is_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                argv: list[str]) -> None:
    monkeypatch.setenv(WORKSPACE_ENV, "")  # recorded, so what main() sets is undone afterwards
    monkeypatch.delenv(WORKSPACE_ENV)
    seen: list[Path] = []
    monkeypatch.setitem(cli.COMMANDS, argv[0] if argv[0] != "--workspace" else None,
                        lambda args: seen.append(Workspace().root) or 0)
    ws = tmp_path / "my exercises"
    assert cli.main([a.format(ws=ws) for a in argv]) == 0
    assert seen == [ws.resolve()]


def test_a_file_is_not_a_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(WORKSPACE_ENV, "")  # recorded, so what main() sets is undone afterwards
    monkeypatch.delenv(WORKSPACE_ENV)
    monkeypatch.setitem(cli.COMMANDS, None, lambda args: pytest.fail("the app must not start"))
    afile = tmp_path / "notes.txt"
    afile.write_text("x")
    assert cli.main(["--workspace", str(afile)]) == 2
    err = capsys.readouterr().err
    assert "not a folder" in err and len(err.strip().splitlines()) == 1
