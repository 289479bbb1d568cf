"""`idc snapshot` end to end: the simulator's demo organization, read through
the real reader, written to state/ and committed with GitPython."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.sim import embedded as sim_embedded
from reconciler.sim.embedded import embedded_simulator
from reconciler.sim.realism import FaultRule, Realism
from reconciler.store.state_dir import read_state_dir
from tests.cli.test_restore import run_free
from tests.conftest import ROOT, IdcRunner
from tests.store.conftest import make_git_repo


def _without_time(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files without what differs between runs: the time and the metrics."""
    return {**files, "manifest.yaml": run_free(files["manifest.yaml"])}


def test_snapshot_of_the_demo_org_equals_the_golden_state(tmp_path: Path, idc: IdcRunner) -> None:
    make_git_repo(tmp_path)
    result = idc("--repo", str(tmp_path), "--sim", "snapshot")
    assert result.exit_code == 0, result.output
    assert "committed" in result.stdout
    # Not a terminal: no progress display; one summary line on stdout, and on
    # stderr the calls it took and what to run next, with this run's options.
    assert len(result.stdout.strip().splitlines()) == 1
    read, hint = result.stderr.strip().splitlines()
    assert read.startswith("read ") and "API calls" in read
    assert hint.startswith("next: ") and f"`idc --repo {tmp_path} --sim plan`" in hint
    assert _without_time(read_state_dir(tmp_path / "state")) == _without_time(
        read_state_dir(ROOT / "state")
    )


def test_second_snapshot_of_an_unchanged_org_is_a_no_op(tmp_path: Path, idc: IdcRunner) -> None:
    repo = make_git_repo(tmp_path)
    assert idc("--repo", str(tmp_path), "--sim", "snapshot").exit_code == 0
    before = read_state_dir(tmp_path / "state")
    result = idc("-v", "--repo", str(tmp_path), "--sim", "snapshot", "--tag", "weekly")
    assert result.exit_code == 0, result.output
    assert "identitystore:ListUsers" in result.stderr and "calls in" in result.stderr  # -v report
    assert "no changes" in result.stdout and "nothing to commit" in result.stdout
    assert read_state_dir(tmp_path / "state") == before  # manifest time included
    assert len(list(repo.iter_commits())) == 1
    assert repo.tags["weekly"].commit == repo.head.commit  # tags the unchanged snapshot


def test_changes_are_committed_with_a_per_kind_summary(tmp_path: Path, idc: IdcRunner) -> None:
    repo = make_git_repo(tmp_path)
    idc("--repo", str(tmp_path), "--sim", "snapshot")
    with embedded_simulator(tmp_path / ".idc" / "sim") as sim:
        ids = sim.client("identitystore")
        store = sim.identity_store_id
        ids.create_user(
            IdentityStoreId=store,
            UserName="zoe@example.com",
            DisplayName="Zoe Quinn",
            Name={"GivenName": "Zoe", "FamilyName": "Quinn"},
        )
        frank = ids.get_user_id(
            IdentityStoreId=store,
            AlternateIdentifier={
                "UniqueAttribute": {
                    "AttributePath": "userName",
                    "AttributeValue": "frank@example.com",
                }
            },
        )["UserId"]
        for membership in ids.list_group_memberships_for_member(
            IdentityStoreId=store, MemberId={"UserId": frank}
        )["GroupMemberships"]:
            ids.delete_group_membership(
                IdentityStoreId=store, MembershipId=membership["MembershipId"]
            )
        ids.delete_user(IdentityStoreId=store, UserId=frank)
    result = idc(
        "--repo", str(tmp_path), "--sim", "snapshot", "-m", "after onboarding", "--tag", "v2"
    )
    assert result.exit_code == 0, result.output
    head = repo.head.commit
    assert head.message.splitlines()[0] == "after onboarding"
    assert "snapshot: users +1 -1, memberships -1" in head.message
    assert "  + zoe@example.com" in head.message
    assert repo.tags["v2"].commit == head
    assert "zoe@example.com" in (tmp_path / "state" / "users.yaml").read_text()
    assert "frank@example.com" not in (tmp_path / "state" / "groups.yaml").read_text()


def test_no_commit_writes_state_only(tmp_path: Path, idc: IdcRunner) -> None:
    result = idc("--repo", str(tmp_path), "--sim", "snapshot", "--no-commit")
    assert result.exit_code == 0, result.output
    assert "not committed" in result.stdout
    assert (tmp_path / "state" / "permission_sets" / "Developer.yaml").is_file()
    assert not (tmp_path / ".git").exists()


def test_outside_a_git_repo_it_explains_and_reads_nothing(tmp_path: Path, idc: IdcRunner) -> None:
    result = idc("--repo", str(tmp_path), "--sim", "snapshot")
    assert result.exit_code == 1
    assert "not a git repository: run `git init`" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "state").exists()
    assert not (tmp_path / ".idc").exists()  # failed before even starting the simulator


def test_unrelated_staged_changes_are_refused(tmp_path: Path, idc: IdcRunner) -> None:
    repo = make_git_repo(tmp_path)
    (tmp_path / "README.md").write_text("# ours\n")
    repo.index.add(["README.md"])
    result = idc("--repo", str(tmp_path), "--sim", "snapshot")
    assert result.exit_code == 1
    assert "staged changes outside state/ (README.md)" in result.stderr
    assert not (tmp_path / "state").exists()
    assert not repo.head.is_valid()


def test_a_failed_read_leaves_state_and_git_untouched(
    tmp_path: Path, idc: IdcRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_git_repo(tmp_path)
    assert idc("--repo", str(tmp_path), "--sim", "snapshot").exit_code == 0
    before = read_state_dir(tmp_path / "state")
    with embedded_simulator(tmp_path / ".idc" / "sim") as sim:  # a change to record...
        sim.client("identitystore").create_user(
            IdentityStoreId=sim.identity_store_id,
            UserName="new@example.com",
            DisplayName="New",
            Name={"GivenName": "N", "FamilyName": "Ew"},
        )
    # ...but the read fails half-way: memberships are denied by the simulator.
    fault = FaultRule(
        "identitystore:ListGroupMemberships",
        code="AccessDeniedException",
        status=400,
        message="User is not authorized to perform: identitystore:ListGroupMemberships",
        permanent=True,
    )
    real = sim_embedded.embedded_simulator
    monkeypatch.setattr(
        sim_embedded,
        "embedded_simulator",
        lambda state_dir: real(state_dir, Realism(faults=[fault])),
    )
    result = idc("--repo", str(tmp_path), "--sim", "snapshot")
    assert result.exit_code == 1
    assert "AccessDeniedException" in result.stderr and "Traceback" not in result.output
    assert read_state_dir(tmp_path / "state") == before
    assert len(list(repo.iter_commits())) == 1
    assert not repo.is_dirty(untracked_files=False)


def test_the_manifest_records_the_run_and_history_stats_shows_it(
    tmp_path: Path, idc: IdcRunner
) -> None:
    make_git_repo(tmp_path)
    assert idc("--repo", str(tmp_path), "--sim", "snapshot").exit_code == 0
    manifest = (tmp_path / "state" / "manifest.yaml").read_text()
    assert "metrics:\n  api_calls:\n" in manifest and "  throttled: 0\n" in manifest
    result = idc("--repo", str(tmp_path), "history", "stats", "--format", "json")
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.stdout)["series"]
    calls = entry["metrics"]["api_calls"]
    assert calls["sso-admin"] > 0 and calls["identitystore"] > 0 and calls["organizations"] > 0
    assert entry["metrics"]["seconds"] > 0
    text = idc("--repo", str(tmp_path), "history", "stats").stdout
    assert "CALLS" in text and f" {sum(calls.values())} " in text
