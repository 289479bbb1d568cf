"""`idc plan --only`, the plan header's facts, and `idc show PLAN` rendering
a saved plan file as `idc plan` did, checked as apply checks it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.cli.test_plan import example, keys
from tests.conftest import IdcRunner


def _git_commit(repo: Path) -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True)
        return done.stdout.strip()

    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "desired")
    return git("rev-parse", "HEAD")


def test_show_renders_a_saved_plan_as_plan_did(idc: IdcRunner, tmp_path: Path) -> None:
    repo = example(tmp_path, "multi-account")
    commit = _git_commit(repo)
    saved = tmp_path / "plan.json"
    base = ("--repo", str(repo), "--sim", "--no-color")
    planned = {
        fmt: idc(*base, "plan", "--format", fmt, *(["-o", str(saved)] if fmt == "json" else []))
        for fmt in ("json", "text", "markdown")
    }
    assert all(r.exit_code == 0 for r in planned.values()), planned
    for fmt, result in planned.items():
        shown = idc("--no-color", "show", str(saved), "--format", fmt)  # no --sim: no AWS read
        assert shown.exit_code == 0, shown.output
        assert shown.stdout == result.stdout
    plan = json.loads(saved.read_text())
    assert plan["desired_commit"] == commit and plan["region"] == "eu-west-1"
    assert plan["accounts"]["222222222222"]
    comment = planned["markdown"].stdout.splitlines()
    assert comment[0].startswith("<!-- idc-plan instance=arn:aws:sso:::instance/ssoins-")
    assert comment[0].endswith(f" commit={commit} -->")  # the sticky comment's marker
    assert comment[3].startswith("instance `arn:aws:sso:::instance/ssoins-")
    assert comment[3].endswith(f"· region `eu-west-1` · desired state at commit `{commit[:12]}`")
    name = plan["accounts"]["222222222222"]
    assert f"in 222222222222 ({name})" in planned["text"].stdout
    assert planned["text"].stdout.startswith(
        "Actions are shown with these symbols:\n  + create\n\n"
    )


def test_show_refuses_an_edited_plan_file(idc: IdcRunner, tmp_path: Path) -> None:
    repo = example(tmp_path, "multi-account")
    saved = tmp_path / "plan.json"
    assert idc("--repo", str(repo), "--sim", "plan", "-o", str(saved)).exit_code == 0
    data = json.loads(saved.read_text())
    data["changes"][0]["reason"] = "trust me"
    saved.write_text(json.dumps(data))
    result = idc("show", str(saved))
    assert result.exit_code == 1
    assert "was edited after" in result.stderr and "wrote it" in result.stderr
    assert result.stdout == ""
    missing = idc("show", str(tmp_path / "nope.json"))
    assert missing.exit_code == 1 and "cannot read plan" in missing.stderr


def test_plan_only_plans_the_named_kinds(idc: IdcRunner, tmp_path: Path) -> None:
    repo = example(tmp_path, "basic")
    base = ("--repo", str(repo), "--sim", "--no-color", "plan", "--allow-deletes")
    full = json.loads(idc(*base, "--format", "json").stdout)
    assert {c["kind"] for c in full["changes"]} > {"user", "assignment"}
    result = idc(*base, "--only", "users,assignment", "--format", "json")
    assert result.exit_code == 0, result.output
    only = json.loads(result.stdout)
    assert {c["kind"] for c in only["changes"]} == {"user", "assignment"}
    for action in ("create", "update", "delete"):
        assert keys(only, action) == [
            k for k in keys(full, action) if k.split(":")[0] in ("user", "assignment")
        ]
    groups = sum(c["kind"] == "group" for c in full["changes"])
    assert (
        groups
        and f"group: not planned (--only users,assignments); {groups} change(s) left out"
        in (only["notes"])
    )
    # protection was judged over the whole plan: the protected group keeps its member
    assert "delete user:breakglass@example.com" in " ".join(only["warnings"])  # said skipped
    assert "user:breakglass@example.com" not in keys(only, "delete")
    bad = idc(*base, "--only", "widgets")
    assert bad.exit_code == 1
    assert "--only: unknown kind 'widgets'; choose from users, groups" in bad.stderr
