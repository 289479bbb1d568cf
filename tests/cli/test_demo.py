from pathlib import Path

from tests.conftest import IdcRunner


def test_demo_runs_the_whole_story(idc: IdcRunner, tmp_path: Path) -> None:
    result = idc("demo", "--dir", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.output
    assert "Demo complete." in result.stdout
    assert "Traceback" not in result.output
