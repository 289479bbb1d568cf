"""The guards around a plan, end to end on the simulator's demo organization:
protect patterns fail closed, a plan over max_deletes is shown then refused,
and a plan file is checked whole before `idc apply PLAN` touches anything."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from reconciler.plan import Change
from reconciler.plan.changes import changes_digest
from tests.conftest import ROOT, IdcRunner


def example(tmp_path: Path, name: str = "basic") -> Path:
    repo = tmp_path / name
    shutil.copytree(ROOT / "examples" / name, repo)
    return repo


def test_a_protect_typo_fails_the_plan_naming_the_closest_key(
    idc: IdcRunner, tmp_path: Path
) -> None:
    """Without the check, `BreakGlas` protects nothing and --allow-deletes
    deletes the BreakGlass group the pattern was written for."""
    repo = example(tmp_path)
    settings = repo / "idc.yaml"
    settings.write_text(
        settings.read_text().replace(
            '"assignment:AdministratorAccess:group:BreakGlass:*"', '"group:BreakGlas"'
        )
    )
    result = idc("--repo", str(repo), "--sim", "plan", "--allow-deletes")
    assert result.exit_code == 1
    assert result.stderr == (
        'error: idc.yaml:8:7: safety.protect "group:BreakGlas" matches no group in desired or '
        'live state, so it protects nothing; did you mean "group:BreakGlass"?\n'
    )
    assert result.stdout == ""


def test_apply_without_a_plan_file_shows_the_plan_then_refuses_over_max_deletes(
    idc: IdcRunner, tmp_path: Path
) -> None:
    repo = example(tmp_path)
    result = idc("--repo", str(repo), "--sim", "--no-color", "apply", "--auto-approve")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith("  - permission_set Developer") for line in lines)
    assert lines[-1] == "Plan: 2 to add, 1 to change, 47 to destroy."
    assert "error: the plan deletes 47 resources, more than safety.max_deletes (25)" in (
        result.stderr
    )
    assert not (repo / "journal").exists()  # nothing was applied


def test_a_refused_plan_printed_as_json_cannot_be_applied(idc: IdcRunner, tmp_path: Path) -> None:
    repo = example(tmp_path)
    printed = idc("--repo", str(repo), "--sim", "plan", "--format", "json")
    assert printed.exit_code == 1
    data = json.loads(printed.stdout)
    assert data["summary"]["delete"] == 47
    assert data["refused"].startswith("the plan deletes 47 resources")
    (repo / "plan.json").write_text(printed.stdout)
    result = idc("--repo", str(repo), "--sim", "apply", str(repo / "plan.json"))
    assert result.exit_code == 1
    assert f"error: plan {repo / 'plan.json'} cannot be applied: the plan deletes 47" in (
        result.stderr
    )
    assert not (repo / "journal").exists()


def _assignment_create(data: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in data["changes"] if c["kind"] == "assignment" and c["after"])


def test_a_plan_file_is_checked_whole_before_apply(idc: IdcRunner, tmp_path: Path) -> None:
    repo = example(tmp_path)
    plan_file = repo / "plan.json"
    made = idc("--repo", str(repo), "--sim", "plan", "--allow-deletes", "-o", str(plan_file))
    assert made.exit_code == 0, made.output
    written = json.loads(plan_file.read_text())
    assert len(written["changes_digest"]) == 64 and len(written["desired_digest"]) == 64

    def apply(data: dict[str, Any], where: Path = repo) -> str:
        path = where / "edited.json"
        path.write_text(json.dumps(data))
        result = idc("--repo", str(where), "--sim", "apply", str(path))
        assert result.exit_code == 1
        assert not (where / "journal").exists()
        return result.stderr

    # a hand edit: the key says one account, `after` another
    edited = json.loads(plan_file.read_text())
    change = _assignment_create(edited)
    index = edited["changes"].index(change)
    account = change["key"]["account"]
    change["after"]["account"] = "999999999999"
    err = apply(edited)
    assert "edited after idc plan wrote it: its changes do not match its changes_digest" in err
    assert f"changes[{index}] (create assignment:" in err
    assert f"'account': '{account}'" in err and "'account': '999999999999'" in err

    # the same edit with the digest recomputed is still refused, for the key
    edited["changes_digest"] = changes_digest([Change.from_json(c) for c in edited["changes"]])
    err = apply(edited)
    assert "changes_digest" not in err and f"changes[{index}] (create assignment:" in err

    # the unedited plan, in another repository
    other = example(tmp_path, "multi-account")
    err = apply(written, other)
    assert f"was made from desired state {written['desired_digest'][:12]}" in err
    assert f"idc.yaml and desired/ in {other} are " in err and "nothing was changed" in err

    # ... or in this one after desired state changed
    desired = repo / "desired" / "identity-center.yaml"
    desired.write_text(desired.read_text() + "\n")
    assert f"was made from desired state {written['desired_digest'][:12]}" in apply(written)
