"""Without --repo, commands use the nearest directory holding idc.yaml (as
git finds .git), and every command reads the same desired files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import IdcRunner
from tests.desired.repo import make_repo

SCIM = "instance: auto\nmanage: {users: false, groups: false, memberships: false}\n"


def test_plan_from_a_subdirectory_reads_every_yaml_suffix(
    idc: IdcRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rule in a .YML file is planned like one in a .yaml file, from desired/teams/."""
    make_repo(
        tmp_path,
        {
            "desired/teams/extra.YML": (
                "assignments:\n  - permission_set: ReadOnly\n"
                "    groups: [Platform]\n    accounts: [dev-web]\n"
            )
        },
        settings=SCIM,
    )
    monkeypatch.chdir(tmp_path / "desired" / "teams")
    result = idc("--sim", "plan", "--allow-deletes", "--format", "json")
    assert result.exit_code == 0, result.output
    created = [c for c in json.loads(result.stdout)["changes"] if c["action"] == "create"]
    assert [c["reason"].split(" (")[0] for c in created] == [
        "granted by desired/teams/extra.YML:2:5"
    ]


def test_init_in_a_subdirectory_of_a_repository_initialises_that_directory(
    idc: IdcRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_repo(tmp_path, {"desired/a.yaml": "groups: []\n"})
    (tmp_path / "other").mkdir()
    monkeypatch.chdir(tmp_path / "other")
    result = idc("init")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "other" / "idc.yaml").is_file()
    assert (tmp_path / "idc.yaml").read_text() == "instance: auto\n"  # the parent is untouched
