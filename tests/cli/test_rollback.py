"""`idc rollback`: dry run, exact undo, nothing left to undo the second time."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.sim import Simulator
from tests.cli.test_apply import journals, live, pending, repo, sim  # noqa: F401 (fixtures)
from tests.conftest import IdcRunner


def test_dry_run_lists_the_undo_and_changes_nothing(
    repo: Path,  # noqa: F811
    idc: IdcRunner,
    sim: Simulator,  # noqa: F811
) -> None:
    assert idc("--repo", str(repo), "apply", "--auto-approve").exit_code == 0
    (journal,) = journals(repo)
    applied = live()
    result = idc("--repo", str(repo), "rollback", journal.name, "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Would undo 10 operation(s)")
    assert lines[1].strip() == "delete_assignment Developer USER:zed@example.com 666666666666"
    assert "  delete_user zed@example.com" in lines
    # re-provisioning follows the restored permission set, never precedes it
    undo_update = lines.index("  update_permission_set Developer")
    assert all(
        i > undo_update for i, line in enumerate(lines) if "provision_permission_set" in line
    )
    assert live() == applied and journals(repo) == [journal]


def test_rollback_restores_and_a_second_one_has_nothing_left(
    repo: Path,  # noqa: F811
    idc: IdcRunner,
    sim: Simulator,  # noqa: F811
) -> None:
    before = live()
    assert idc("--repo", str(repo), "apply", "--auto-approve").exit_code == 0
    (journal,) = journals(repo)
    result = idc("--repo", str(repo), "rollback", f"journal/{journal.name}")
    assert result.exit_code == 0, result.output
    assert "Rollback complete: 10 operation(s) undone" in result.stderr
    assert live() == before
    assert len(pending(repo)) == 6  # the reviewed change is pending again
    rollback_journal = journals(repo)[-1]
    header = json.loads(rollback_journal.read_text().splitlines()[0])
    assert header["kind"] == "rollback" and header["parent"] == journal.name
    again = idc("--repo", str(repo), "rollback", journal.name, "--dry-run")
    assert again.exit_code == 0 and "Nothing to undo" in again.stderr


def test_an_unknown_journal_is_a_clear_error(tmp_path: Path, idc: IdcRunner) -> None:
    result = idc("--repo", str(tmp_path), "rollback", "nope.jsonl")
    assert result.exit_code == 1
    assert "no journal nope.jsonl" in result.stderr and "Traceback" not in result.output
