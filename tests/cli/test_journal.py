"""`idc journal list` and `idc rollback --last` against the simulator."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.apply.lock import LocalLock
from reconciler.sim import Simulator
from tests.cli.test_apply import journals, live, repo  # noqa: F401 (fixtures)
from tests.conftest import IdcRunner


def _rows(stdout: str) -> dict[str, str]:
    """journal name -> its row, from the text table."""
    return {line.split()[0]: line for line in stdout.splitlines()[1:] if line.strip()}


def test_list_shows_applies_rollbacks_their_status_and_what_undid_what(
    repo: Path,  # noqa: F811
    idc: IdcRunner,
    sim: Simulator,
) -> None:
    empty = idc("--repo", str(repo), "journal", "list")
    assert empty.exit_code == 0 and "no journals yet" in empty.stderr
    assert idc("--repo", str(repo), "apply", "--auto-approve").exit_code == 0
    (applied,) = journals(repo)
    assert idc("--repo", str(repo), "rollback", applied.name, "--auto-approve").exit_code == 0
    (_, undo) = journals(repo)
    # a run killed before its end record, and a stray file that is no journal
    lines = applied.read_text().splitlines()
    crashed = repo / "journal" / "29990101T000000000000Z-dead00.jsonl"
    crashed.write_text("\n".join(line for line in lines if '"type": "end"' not in line) + "\n")
    (repo / "journal" / "notes.jsonl").write_text("not json\n")

    result = idc("--repo", str(repo), "journal", "list")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].split() == [
        "JOURNAL", "TIME", "KIND", "STATUS", "OPS", "RELATED",
    ]  # fmt: skip
    rows = _rows(result.stdout)
    assert list(rows) == [crashed.name, undo.name, applied.name]  # newest first
    assert " apply " in rows[applied.name] and " succeeded " in rows[applied.name]
    assert rows[applied.name].endswith(f"rolled back by {undo.name}")
    assert " rollback " in rows[undo.name] and rows[undo.name].endswith(
        f"rolls back {applied.name}"
    )
    assert " interrupted " in rows[crashed.name]
    ops = len(json.loads(lines[0])["ops"])
    assert f" {ops} ({ops} done) " in rows[applied.name]
    assert "skipped 1 file(s) that are not journals: notes.jsonl" in result.stderr
    assert "audit.jsonl" not in result.output

    assert idc("--repo", str(repo), "journal").stdout == result.stdout  # list is the default
    data = json.loads(idc("--repo", str(repo), "journal", "list", "--format", "json").stdout)
    by_name = {j["journal"]: j for j in data["journals"]}
    assert by_name[applied.name]["rolled_back_by"] == [undo.name]
    assert by_name[undo.name]["parent"] == applied.name
    assert by_name[crashed.name]["status"] == "interrupted"
    assert data["skipped"] == ["notes.jsonl"]

    lock = LocalLock(repo)  # while an apply holds the lock, its unfinished journal is running
    lock.acquire(crashed.name, "idc apply")
    try:
        running = idc("--repo", str(repo), "journal", "list", "--format", "json").stdout
    finally:
        lock.release()
    assert json.loads(running)["journals"][0]["status"] == "in progress"


def test_rollback_last_picks_the_newest_apply_not_rolled_back(
    repo: Path,  # noqa: F811
    idc: IdcRunner,
    sim: Simulator,
) -> None:
    before = live()
    assert idc("--repo", str(repo), "apply", "--auto-approve").exit_code == 0
    (applied,) = journals(repo)
    result = idc("--repo", str(repo), "rollback", "--last", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert (
        f"--last: rolling back journal/{applied.name}, the newest apply not rolled back"
        in result.stderr
    )
    assert "Rollback complete" in result.stderr and live() == before
    again = idc("--repo", str(repo), "rollback", "--last", "--dry-run")
    assert again.exit_code == 1
    assert "no apply to roll back" in again.stderr and " journal list`)" in again.stderr
    for args in ((), ("--last", applied.name)):
        usage = idc("--repo", str(repo), "rollback", *args)
        assert usage.exit_code != 0 and "name a JOURNAL or pass --last" in usage.output
