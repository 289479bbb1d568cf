"""Files idc generates get the modes any other tool would give them: 0666
less the umask for new files, the old mode for a file it rewrites."""

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import IdcRunner


@pytest.fixture
def umask() -> Iterator[object]:
    old = os.umask(0o022)
    try:
        yield lambda mask: os.umask(mask)
    finally:
        os.umask(old)


def _modes(repo: Path) -> dict[str, int]:
    return {
        str(path.relative_to(repo)): stat.S_IMODE(path.stat().st_mode)
        for path in repo.rglob("*")
        if ".git" not in path.relative_to(repo).parts[:1] and path.is_file()
    }


# Unpaced: the modes are the point, not the 20 TPS pacing (tested elsewhere).
@pytest.mark.usefixtures("unpaced")
@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_generated_files_honour_the_umask(
    idc: IdcRunner, tmp_path: Path, umask, mask: int, expected: int
) -> None:
    umask(mask)
    repo = tmp_path / "org"
    assert idc("--repo", str(repo), "--sim", "init", "--from-live").exit_code == 0
    snapshot = idc("--repo", str(repo), "--sim", "snapshot", "-m", "first")
    assert snapshot.exit_code == 0, snapshot.output
    plan = idc("--repo", str(repo), "--sim", "plan", "-o", str(repo / "plan.json"))
    assert plan.exit_code == 0, plan.output
    modes = _modes(repo)
    for rel in ("idc.yaml", ".gitignore", "desired/users.yaml", "plan.json", "state/manifest.yaml"):
        assert rel in modes, sorted(modes)
    assert {rel: mode for rel, mode in modes.items() if mode != expected} == {}
    assert stat.S_IMODE((repo / "state").stat().st_mode) == 0o777 & ~mask


def test_a_rewritten_file_keeps_its_mode(idc: IdcRunner, tmp_path: Path, umask) -> None:
    repo = tmp_path / "org"
    assert idc("init", str(repo)).exit_code == 0
    (repo / "idc.yaml").chmod(0o640)
    assert idc("init", "--force", str(repo)).exit_code == 0
    assert stat.S_IMODE((repo / "idc.yaml").stat().st_mode) == 0o640
