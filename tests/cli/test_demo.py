from pathlib import Path

import pytest

from tests.conftest import IdcRunner


def test_demo_runs_the_whole_story(idc: IdcRunner, tmp_path: Path) -> None:
    result = idc("demo", "--dir", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.output
    assert "Demo complete." in result.stdout
    assert "Traceback" not in result.output


def test_demo_writes_only_inside_its_directory(
    idc: IdcRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    result = idc("demo")
    assert result.exit_code == 0, result.output
    assert list(cwd.iterdir()) == []
