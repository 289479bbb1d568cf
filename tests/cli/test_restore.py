"""`idc restore` end to end on the embedded simulator (`--sim`): a snapshot,
changes applied with `idc apply`, then the snapshot brought back, partly
(`--only`), not at all (`--dry-run`), or into a throwaway simulator (`--test`)."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import git
import pytest

from reconciler.sim.embedded import STATE_FILE
from reconciler.store import restore as store_restore
from tests.conftest import run_idc

TIME = re.compile(rb"^time: .*$", re.MULTILINE)
METRICS = re.compile(rb"^metrics:\n(  .*\n)*", re.MULTILINE)


def run_free(data: bytes) -> bytes:
    """A file without what differs between two reads of the same
    organization: the manifest's time and the reading run's metrics."""
    return METRICS.sub(b"", TIME.sub(b"time: -", data))


def remove_grace_and_billing(repo: Path) -> None:
    """Deletions across kinds: a user (and her memberships), a permission set
    and its assignment."""
    users = repo / "desired" / "users.yaml"
    text = users.read_text()
    start = text.index("  - user_name: grace@example.com\n")
    end = text.find("\n  - ", start + 1)
    users.write_text(text[:start] + (text[end + 1 :] if end != -1 else ""))
    groups = repo / "desired" / "groups.yaml"
    text = groups.read_text().replace("members:\n      - grace@example.com\n", "members: []\n", 1)
    groups.write_text(text.replace("      - grace@example.com\n", ""))  # Auditors, Security
    (repo / "desired" / "permission_sets" / "Billing.yaml").unlink()
    (repo / "desired" / "assignments" / "Billing.yaml").unlink()


def idc_in(repo: Path, *args: str) -> tuple[int, str, str]:
    result = run_idc("--repo", str(repo), "--sim", *args)
    return result.exit_code, result.stdout, result.stderr


def snapshot_files(repo: Path) -> dict[str, bytes]:
    """state/ on disk, the manifest's time and run metrics left out."""
    root = repo / "state"
    return {
        p.relative_to(root).as_posix(): run_free(p.read_bytes())
        for p in sorted(root.rglob("*.yaml"))
    }


def committed_files(repo: Path, rev: str) -> dict[str, bytes]:
    tree = git.Repo(repo).commit(rev).tree / "state"
    return {
        str(b.path)[len("state/") :]: run_free(b.data_stream.read())
        for b in tree.traverse()
        if b.type == "blob"
    }


@pytest.fixture
def repo(changed: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(changed, copy)
    return copy


def newest_journal(repo: Path) -> Path:
    return sorted((repo / "journal").glob("2*.jsonl"))[-1]


def test_restore_brings_back_snapshot_a_and_rollback_undoes_it(repo: Path) -> None:
    assert committed_files(repo, "A") != committed_files(repo, "B")
    code, out, err = idc_in(repo, "restore", "A", "--auto-approve")
    assert code == 0, out + err
    assert "Restoring users, groups, memberships, permission_sets, assignments from A (" in err
    assert "  + user grace@example.com" in out and "  - user zed@example.com" in out
    assert "Apply complete" in err
    restore_journal = newest_journal(repo)
    code, _, err = idc_in(repo, "snapshot", "--no-commit")
    assert code == 0, err
    assert snapshot_files(repo) == committed_files(repo, "A")  # byte for byte
    code, out, err = idc_in(repo, "restore", "A", "--auto-approve")
    assert code == 0 and "No changes: live state already matches A" in err

    code, _, err = idc_in(repo, "rollback", restore_journal.name, "--auto-approve")
    assert code == 0, err
    assert idc_in(repo, "snapshot", "--no-commit")[0] == 0
    assert snapshot_files(repo) == committed_files(repo, "B")


def test_only_assignments_restores_nothing_else(repo: Path) -> None:
    code, out, err = idc_in(repo, "restore", "A", "--only", "assignments", "--auto-approve")
    assert code == 0, out + err
    # grace's Billing assignment needs a user and a permission set that are
    # gone and not restored: skipped, and said so
    assert "skipping 1 assignment(s) naming a group, user or permission set" in out
    assert idc_in(repo, "snapshot", "--no-commit")[0] == 0
    now, a, b = snapshot_files(repo), committed_files(repo, "A"), committed_files(repo, "B")
    for name in ("users.yaml", "groups.yaml"):
        assert now[name] == b[name]
    assert [p for p in now if p.startswith("permission_sets/")] == [
        p for p in b if p.startswith("permission_sets/")
    ]
    assignments = {p: v for p, v in now.items() if p.startswith("assignments/")}
    assert assignments == {
        p: v
        for p, v in a.items()
        if p.startswith("assignments/") and p != "assignments/123456789012.yaml"
    } | {"assignments/123456789012.yaml": assignments["assignments/123456789012.yaml"]}
    assert b"Billing" not in assignments["assignments/123456789012.yaml"]
    assert b"zed@example.com" not in b"".join(assignments.values())


def test_only_memberships_removes_members_added_since(repo: Path) -> None:
    code, out, err = idc_in(repo, "restore", "A", "--only", "memberships", "--auto-approve")
    assert code == 0, out + err
    sha = git.Repo(repo).commit("A").hexsha[:12]
    reason = f'not listed in the members of group "Platform" ({sha}:state/groups.yaml)'
    assert f"  - membership zed@example.com in Platform  # {reason}" in out
    assert "skipping 2 membership(s)" in out  # grace's two: she is gone and not restored
    assert idc_in(repo, "snapshot", "--no-commit")[0] == 0
    now, b = snapshot_files(repo), committed_files(repo, "B")
    assert b"zed@example.com" not in now["groups.yaml"]
    assert now["users.yaml"] == b["users.yaml"]


def test_dry_run_changes_nothing(repo: Path) -> None:
    before = (repo / ".idc" / "sim" / STATE_FILE).read_bytes()
    code, out, err = idc_in(repo, "restore", "A", "--dry-run", "--detailed-exitcode")
    assert code == 2, out + err
    assert "Plan: 5 to add, 2 to change, 4 to destroy." in out
    assert (repo / ".idc" / "sim" / STATE_FILE).read_bytes() == before
    assert not (repo / "journal").exists() or len(list((repo / "journal").glob("2*"))) == 1


def test_test_restore_of_the_demo_snapshot_is_restorable(repo: Path) -> None:
    sim_state = (repo / ".idc" / "sim" / STATE_FILE).read_bytes()
    journals = sorted((repo / "journal").iterdir())
    code, out, err = idc_in(repo, "restore", "A", "--test")
    assert code == 0, out + err
    assert re.search(
        r"^A \(\w+\): restorable: 8 users, 6 groups, 11 memberships, 5 permission sets, "
        r"39 assignments match$",
        out,
        re.MULTILINE,
    )
    assert (repo / ".idc" / "sim" / STATE_FILE).read_bytes() == sim_state
    assert sorted((repo / "journal").iterdir()) == journals


def test_test_restore_names_what_did_not_come_back(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restore that loses an assignment rule and a title must fail the check."""
    real = store_restore.restore_desired

    def lossy(source, live, kinds):  # type: ignore[no-untyped-def]
        result = real(source, live, kinds)
        users = dict(result.desired.users)
        users["carol@example.com"] = replace(users["carol@example.com"], title="Intern")
        desired = replace(result.desired, users=users, rules=result.desired.rules[1:])
        return replace(result, desired=desired)

    monkeypatch.setattr("reconciler.cli.restore_verify.restore_desired", lossy)
    code, out, err = idc_in(repo, "restore", "B", "--test")
    assert code == 1
    assert re.search(r"^error: B \(\w+\) is not restorable: 2 difference\(s\)", err, re.M)
    assert "  users carol@example.com: differs (title: 'Software Engineer' -> 'Intern')" in out
    assert re.search(r"assignments \w+:(USER|GROUP):\S+:123456789012: missing", out)
    assert "Traceback" not in err


def test_bad_revisions_are_clear_errors(repo: Path) -> None:
    code, _, err = idc_in(repo, "restore", "no-such-tag", "--dry-run")
    assert code == 1 and "unknown revision 'no-such-tag'" in err and "Traceback" not in err
    empty_tree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # git's well-known empty tree
    bare = git.Repo(repo).git.commit_tree(empty_tree, "-m", "no snapshot here")
    code, _, err = idc_in(repo, "restore", bare, "--test")
    assert code == 1 and "has no snapshot in state/" in err
    code, _, err = idc_in(repo, "restore", "A", "--only", "users,widgets", "--dry-run")
    assert code == 1 and "error: --only: unknown kind 'widgets'" in err


def test_only_groups_keeps_every_membership(repo: Path) -> None:
    code, out, err = idc_in(repo, "restore", "A", "--only", "groups", "--auto-approve")
    assert code == 0, out + err
    assert "  ~ group Developers" in out and "Group memberships (" not in out
    assert idc_in(repo, "snapshot", "--no-commit")[0] == 0
    groups = snapshot_files(repo)["groups.yaml"]
    assert b"Product engineers" in groups  # description back from A
    assert b"zed@example.com" in groups  # members as they are now (B)


def test_a_directory_without_git_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = idc_in(tmp_path, "restore", "HEAD", "--test")
    assert code == 1 and "is not a git repository, so it holds no snapshot 'HEAD'" in err
    assert "--no-commit" not in err and "Traceback" not in err


def test_without_a_terminal_restore_refuses_to_wait_for_confirmation(repo: Path) -> None:
    before = (repo / ".idc" / "sim" / STATE_FILE).read_bytes()
    code, out, err = idc_in(repo, "restore", "A")
    assert code == 1
    assert "not restoring: confirmation needs a terminal" in err and "--auto-approve" in err
    assert "Traceback" not in out + err
    assert (repo / ".idc" / "sim" / STATE_FILE).read_bytes() == before


def test_a_restore_over_max_deletes_shows_its_plan_then_refuses(repo: Path) -> None:
    settings = repo / "idc.yaml"
    settings.write_text(settings.read_text().replace("max_deletes: 25", "max_deletes: 1"))
    before = snapshot_files(repo)
    code, out, err = idc_in(repo, "restore", "A", "--auto-approve")
    assert code == 1 and "max_deletes" in err and "Traceback" not in err
    assert "  - user zed@example.com" in out  # the reviewer sees what it would delete
    assert "Plan: " in out
    code, _, err = idc_in(repo, "snapshot", "--no-commit")
    assert code == 0, err
    assert snapshot_files(repo) == before  # nothing was restored


def test_a_restore_ends_with_a_report_per_kind_also_in_json_and_the_audit_log(
    repo: Path,
) -> None:
    code, out, err = idc_in(repo, "restore", "A", "--auto-approve", "--format", "json")
    assert code == 0, out + err
    report = json.loads(out)  # stdout is the report alone; the plan went to stderr
    assert "  + user grace@example.com" in err
    journal = newest_journal(repo)
    ops = [json.loads(line) for line in journal.read_text().splitlines()[1:]]
    done = sum(1 for r in ops if r["type"] == "done" and r["ok"])
    counted = sum(n for kind in report["kinds"].values() for n in kind.values())
    assert counted == done and report["failed"] == [] and report["journal"] == journal.name
    # A removed user and her permission set came back; what was added since went
    assert report["kinds"]["users"] == {"created": 1, "deleted": 1}
    assert report["kinds"]["permission_sets"]["created"] == 1
    assert report["api_calls"] > 0 and report["seconds"] > 0
    audit = (repo / "journal" / "audit.jsonl").read_text().splitlines()
    assert json.loads(audit[-1])["report"] == report

    code, _, err = idc_in(repo, "rollback", journal.name, "--auto-approve")
    assert code == 0, err
    code, out, err = idc_in(repo, "restore", "A", "--auto-approve", "--strategy", "skip")
    assert code == 0, out + err
    assert "Restore report for A" in err
    assert "users            1 created" in err and "skipped" in err
