from pathlib import Path

import pytest

from tests.conftest import IdcRunner


def test_demo_runs_the_whole_story_in_its_own_directory(
    idc: IdcRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cwd, repo = tmp_path / "cwd", tmp_path / "demo"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    result = idc("demo", "--dir", str(repo))
    assert result.exit_code == 0, result.output
    for step in ("init --from-live", "snapshot", "plan", "apply", "history diff", "rollback"):
        assert f"$ idc {step}" in result.stdout, step
    assert "Demo complete." in result.stdout
    assert "Traceback" not in result.output
    assert list(cwd.iterdir()) == []  # nothing written where the user stands
    assert (repo / "idc.yaml").exists() and (repo / "state" / "manifest.yaml").exists()
    assert len(list((repo / "journal").glob("2*.jsonl"))) == 2  # the apply and its rollback
