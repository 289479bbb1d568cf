"""`idc history` on a repository holding two real snapshots of the simulator:
the demo organization, then the same after a few changes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import git
import pytest

from reconciler.sim.embedded import embedded_simulator
from tests.conftest import IdcRunner, run_idc, unpace
from tests.store.conftest import make_git_repo


def _change_the_organization(repo: Path) -> None:
    """Add zoe, retitle bob, drop one action from the Developer inline policy."""
    with embedded_simulator(repo / ".idc" / "sim") as sim:
        ids, store = sim.client("identitystore"), sim.identity_store_id
        ids.create_user(
            IdentityStoreId=store,
            UserName="zoe@example.com",
            DisplayName="Zoe Quinn",
            Name={"GivenName": "Zoe", "FamilyName": "Quinn"},
        )
        bob = ids.get_user_id(
            IdentityStoreId=store,
            AlternateIdentifier={
                "UniqueAttribute": {
                    "AttributePath": "userName",
                    "AttributeValue": "bob@example.com",
                }
            },
        )["UserId"]
        ids.update_user(
            IdentityStoreId=store,
            UserId=bob,
            Operations=[{"AttributePath": "title", "AttributeValue": "Staff SRE"}],
        )
        sso, instance = sim.client("sso-admin"), sim.instance_arn
        for arn in sso.list_permission_sets(InstanceArn=instance)["PermissionSets"]:
            ps = sso.describe_permission_set(InstanceArn=instance, PermissionSetArn=arn)
            if ps["PermissionSet"]["Name"] == "Developer":
                policy = {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "DenyIamUsers",
                            "Effect": "Deny",
                            "Action": ["iam:CreateUser"],
                            "Resource": "*",
                        }
                    ],
                }
                sso.put_inline_policy_to_permission_set(
                    InstanceArn=instance, PermissionSetArn=arn, InlinePolicy=json.dumps(policy)
                )


@pytest.fixture(scope="module")
def two_snapshots(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    repo = tmp_path_factory.mktemp("history")
    make_git_repo(repo)
    with pytest.MonkeyPatch.context() as mp:  # module scope: set up the fake AWS env here too
        for name, value in (
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("AWS_CONFIG_FILE", "/nonexistent"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
        ):
            mp.setenv(name, value)
        mp.delenv("AWS_PROFILE", raising=False)
        unpace(mp)  # history is not about timing
        assert run_idc("--repo", str(repo), "--sim", "snapshot", "--tag", "v1").exit_code == 0
        _change_the_organization(repo)
        second = run_idc("--repo", str(repo), "--sim", "snapshot", "-m", "after changes")
        assert second.exit_code == 0, second.output
    yield repo


def test_list_shows_both_snapshots_newest_first(two_snapshots: Path, idc: IdcRunner) -> None:
    result = idc("--repo", str(two_snapshots), "history", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)
    assert [e["summary"] for e in entries] == [
        "after changes",
        "snapshot: users +8, groups +6, memberships +11, permission_sets +5, "
        "assignments +39, accounts +11, org_units +7",
    ]
    assert [e["counts"]["users"] for e in entries] == [9, 8]
    assert entries[1]["tags"] == ["v1"]
    text = idc("--repo", str(two_snapshots), "history", "list").stdout
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["REV", "TIME", "USERS"]
    assert "after changes" in lines[1] and "(v1)" in lines[2]
    assert idc("--repo", str(two_snapshots), "history").stdout == text  # list is the default
    # list's options work on `idc history` itself
    newest = idc("--repo", str(two_snapshots), "history", "-n", "1")
    assert newest.exit_code == 0, newest.output
    assert newest.stdout == idc("--repo", str(two_snapshots), "history", "list", "-n", "1").stdout
    assert len(newest.stdout.splitlines()) == 2 and "after changes" in newest.stdout
    as_json = idc("--repo", str(two_snapshots), "history", "--format", "json", "-n", "1")
    assert [e["summary"] for e in json.loads(as_json.stdout)] == ["after changes"]
    misplaced = idc("--repo", str(two_snapshots), "history", "-n", "1", "show")
    assert misplaced.exit_code == 1 and "belong to `list`" in misplaced.stderr


def test_show_prints_the_state_at_a_revision(two_snapshots: Path, idc: IdcRunner) -> None:
    old = idc("--repo", str(two_snapshots), "history", "show", "v1", "--kind", "users")
    assert old.exit_code == 0, old.output
    assert "zoe@example.com" not in old.stdout and "title: Site Reliability Engineer" in old.stdout
    new = idc("--repo", str(two_snapshots), "history", "show", "HEAD", "--format", "json")
    doc = json.loads(new.stdout)
    assert "zoe@example.com" in [u["user_name"] for u in doc["users"]]
    assert {"id": "ou-ab12-paym0001", "path": "/Root/Prod/Payments"} in doc["org_units"]
    assert len(doc["permission_sets"]) == 5
    # --kind repeats: exactly the kinds named
    two = idc(
        "--repo", str(two_snapshots), "history", "show", "HEAD", "--kind", "groups",
        "--kind", "users", "--format", "json",
    )  # fmt: skip
    assert two.exit_code == 0, two.output
    assert [k for k in json.loads(two.stdout) if k not in ("rev", "time")] == ["users", "groups"]


def test_diff_is_semantic_by_kind_key_and_attribute(two_snapshots: Path, idc: IdcRunner) -> None:
    result = idc("--repo", str(two_snapshots), "history", "diff", "v1")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.splitlines()[0].endswith("working tree: users +1 ~1, permission_sets ~1")
    # the signs, arrows and policy diffs of `idc plan` (render.text)
    assert (
        '  ~ user bob@example.com\n      ~ title = "Site Reliability Engineer" -> "Staff SRE"'
        in out
    )
    assert '  + user zoe@example.com\n      + display_name = "Zoe Quinn"\n' in out
    assert "  ~ permission_set Developer\n      ~ inline_policy:\n          @@ " in out
    assert '          -        "iam:CreateAccessKey"' in out.splitlines()
    assert "→" not in out and "−" not in out
    data = json.loads(
        idc(
            "--repo", str(two_snapshots), "history", "diff", "HEAD~1", "HEAD", "--format", "json"
        ).stdout
    )
    assert data["summary"] == {
        "users": {"added": 1, "removed": 0, "changed": 1},
        "permission_sets": {"added": 0, "removed": 0, "changed": 1},
    }
    none = idc("--repo", str(two_snapshots), "history", "diff", "HEAD")
    assert "no changes" in none.stdout.splitlines()[0]


def test_stats_show_counts_over_time(two_snapshots: Path, idc: IdcRunner) -> None:
    data = json.loads(
        idc("--repo", str(two_snapshots), "history", "stats", "--format", "json").stdout
    )
    assert data["snapshots"] == 2
    assert data["trend"]["users"] == {"first": 8, "last": 9, "change": 1, "min": 8, "max": 9}
    text = idc("--repo", str(two_snapshots), "history", "stats").stdout
    assert "users: 8 → 9 (+1)" in text


def test_verify_passes_then_names_a_hand_edited_file(
    two_snapshots: Path, tmp_path: Path, idc: IdcRunner
) -> None:
    repo = tmp_path / "copy"
    shutil.copytree(two_snapshots, repo)
    ok = idc("--repo", str(repo), "history", "verify")
    assert ok.exit_code == 0 and "ok, 18 files match" in ok.stdout
    users = repo / "state" / "users.yaml"
    users.write_text(users.read_text().replace("Staff SRE", "CEO"))
    (repo / "state" / "permission_sets" / "Billing.yaml").unlink()
    bad = idc("--repo", str(repo), "history", "verify")
    assert bad.exit_code == 1
    assert "state/users.yaml: modified" in bad.stderr
    assert "state/permission_sets/Billing.yaml: missing" in bad.stderr
    assert "Traceback" not in bad.output
    # The committed revisions are still intact.
    assert idc("--repo", str(repo), "history", "verify", "HEAD").exit_code == 0
    as_json = json.loads(idc("--repo", str(repo), "history", "verify", "--format", "json").stdout)
    assert as_json["ok"] is False and len(as_json["problems"]) == 2


def test_verify_detects_a_corrupted_commit(
    tmp_path: Path, idc: IdcRunner, two_snapshots: Path
) -> None:
    repo_dir = tmp_path / "copy"
    shutil.copytree(two_snapshots, repo_dir)
    repo = git.Repo(repo_dir)
    groups = repo_dir / "state" / "groups.yaml"
    groups.write_text(groups.read_text().replace("Platform engineering team", "Platform"))
    repo.index.add(["state/groups.yaml"])
    repo.index.commit("hand edit")
    result = idc("--repo", str(repo_dir), "history", "verify", "HEAD")
    assert result.exit_code == 1
    sha = repo.head.commit.hexsha[:12]
    assert f"  {sha}:state/groups.yaml: modified (sha256 differs)" in result.stderr
    assert idc("--repo", str(repo_dir), "history", "verify", "HEAD~1").exit_code == 0


def test_bad_revisions_and_empty_repos_are_clear_errors(
    tmp_path: Path, idc: IdcRunner, two_snapshots: Path
) -> None:
    bad = idc("--repo", str(two_snapshots), "history", "show", "nope~3")
    assert bad.exit_code == 1 and "unknown revision 'nope~3'" in bad.stderr
    make_git_repo(tmp_path)
    empty = idc("--repo", str(tmp_path), "history", "show")
    assert empty.exit_code == 1 and "no snapshot in" in empty.stderr
    assert "no snapshots committed yet" in idc("--repo", str(tmp_path), "history", "list").stderr
    assert "Traceback" not in bad.output + empty.output
