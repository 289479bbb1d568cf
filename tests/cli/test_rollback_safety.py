"""Rollback and resume keep their safety promises through the real CLI.

Each test is a way an operator or AWS can surprise a recovery path: a create
AWS refuses because someone made the resource by hand meanwhile, a later
apply that a rollback would overwrite, guards a rollback must honour, chains
of rollbacks and resumes, and stray files in journal/.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.sim import FaultRule, Realism, Simulator
from tests.cli.test_apply import journals, live, repo  # noqa: F401 (fixtures)
from tests.conftest import IdcRunner

ZED = "zed@example.com"


def _session_duration(permission_set: str = "Developer") -> str:
    return live().permission_sets[permission_set].session_duration


def _edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text()
    assert old in text, (relative, old)
    path.write_text(text.replace(old, new))


def _create_user_by_hand(simulator: Simulator, user_name: str, display: str) -> None:
    simulator.client("identitystore").create_user(
        IdentityStoreId=simulator.identity_store_id,
        UserName=user_name,
        DisplayName=display,
        Name={"GivenName": "Hand", "FamilyName": "Made"},
    )


@pytest.fixture
def hand_made_zed_during_apply(sim: Simulator) -> Iterator[FaultRule]:
    """While the apply's CreateUser for zed is in flight, someone creates zed
    in the console; AWS then refuses the apply's create as a duplicate."""
    release = threading.Event()
    rule = FaultRule(
        "CreateUser",
        code="ConflictException",
        status=400,
        message="Duplicate UserName",
        resource=ZED,
        times=1,
        hold=release,
    )
    sim.realism = Realism(faults=[rule])

    def operator() -> None:
        deadline = time.monotonic() + 60
        while rule.fired == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        if rule.fired:
            _create_user_by_hand(sim, ZED, "Zed By Hand")
        release.set()

    thread = threading.Thread(target=operator, daemon=True)
    thread.start()
    yield rule
    release.set()
    thread.join(timeout=5)


def test_auto_rollback_never_deletes_what_a_refused_create_found(
    repo: Path,  # noqa: F811
    idc: IdcRunner,
    hand_made_zed_during_apply: FaultRule,
) -> None:
    before = live()
    result = idc("--repo", str(repo), "apply", "--auto-approve")
    assert hand_made_zed_during_apply.fired == 1  # the refusal really happened
    assert result.exit_code == 1, result.output
    assert "Duplicate UserName" in result.stderr
    # the hand-made user is someone else's: still there, exactly as made
    after = live()
    assert after.users[ZED].display_name == "Zed By Hand"
    # everything the apply did do was undone
    assert after.groups == before.groups and after.permission_sets == before.permission_sets
    assert after.assignments == before.assignments
    assert after.memberships == before.memberships


def _role_quota_reached(simulator: Simulator) -> FaultRule:
    """Account 666666666666 refuses every new assignment (its IAM role quota)."""
    fault = FaultRule(
        "CreateAccountAssignment",
        code="ServiceQuotaExceededException",
        status=402,
        message="role quota reached",
        resource="666666666666",
        permanent=True,
    )
    simulator.realism = Realism(faults=[fault])
    return fault


def test_auto_rollback_reports_once_and_does_not_suggest_rolling_back_again(
    repo: Path,  # noqa: F811
    idc: IdcRunner,
    sim: Simulator,
) -> None:
    before = live()
    fault = _role_quota_reached(sim)
    result = idc("--repo", str(repo), "apply", "--auto-approve")
    assert fault.fired and result.exit_code == 1, result.output
    assert "rolled back automatically" in result.stderr
    assert "AWS is as before the apply" in result.stderr
    assert "idc rollback" not in result.stderr
    assert result.stderr.count("role quota reached") == 1
    assert live() == before


def _apply_a_then_b(root: Path, idc: IdcRunner) -> tuple[Path, Path]:
    """Apply A sets Developer's session to PT2H; apply B then to PT1H."""
    assert idc("--repo", str(root), "apply", "--auto-approve").exit_code == 0
    _edit(root, "desired/permission_sets/Developer.yaml", "PT2H", "PT1H")
    assert idc("--repo", str(root), "apply", "--auto-approve").exit_code == 0
    first, second = journals(root)
    return first, second


def test_rollback_refuses_to_overwrite_a_later_change_unless_forced(
    repo: Path,  # noqa: F811
    idc: IdcRunner,
    sim: Simulator,
) -> None:
    first, _ = _apply_a_then_b(repo, idc)
    after_b = live()

    dry = idc("--repo", str(repo), "rollback", first.name, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "changed since the apply: update_permission_set Developer" in dry.stdout
    assert "a rollback would refuse" in dry.stderr

    refused = idc("--repo", str(repo), "rollback", first.name, "--auto-approve")
    assert refused.exit_code == 1
    assert "changed since" in refused.stderr and "--force" in refused.stderr
    assert "Developer" in refused.stderr
    assert live() == after_b and len(journals(repo)) == 2  # nothing ran, no journal

    forced = idc("--repo", str(repo), "rollback", first.name, "--auto-approve", "--force")
    assert forced.exit_code == 0, forced.output
    assert _session_duration() == "PT4H"  # A's before, B's PT1H overwritten on request
    assert ZED not in live().users


def test_rollback_without_a_terminal_needs_auto_approve(
    repo: Path,  # noqa: F811
    idc: IdcRunner,
    sim: Simulator,
) -> None:
    assert idc("--repo", str(repo), "apply", "--auto-approve").exit_code == 0
    (journal,) = journals(repo)
    applied = live()
    result = idc("--repo", str(repo), "rollback", journal.name)
    assert result.exit_code == 1
    assert "pass --auto-approve" in result.stderr and "Traceback" not in result.output
    assert "  - user zed@example.com  # undo" in result.stdout  # shown before asking
    assert live() == applied and journals(repo) == [journal]


def test_rollback_honours_protect(
    repo: Path,  # noqa: F811
    idc: IdcRunner,
    sim: Simulator,
) -> None:
    assert idc("--repo", str(repo), "apply", "--auto-approve").exit_code == 0
    (journal,) = journals(repo)
    applied = live()
    _edit(repo, "idc.yaml", "protect: []", f'protect: ["user:{ZED}"]')
    result = idc("--repo", str(repo), "rollback", journal.name, "--auto-approve")
    assert result.exit_code == 1
    assert "protected" in result.stderr and f'safety.protect "user:{ZED}"' in result.stderr
    assert live() == applied and journals(repo) == [journal]


def test_rollback_honours_max_deletes_until_allowed(
    repo: Path,  # noqa: F811
    idc: IdcRunner,
    sim: Simulator,
) -> None:
    before = live()
    assert idc("--repo", str(repo), "apply", "--auto-approve").exit_code == 0
    (journal,) = journals(repo)
    applied = live()
    _edit(repo, "idc.yaml", "max_deletes: 25", "max_deletes: 1")
    refused = idc("--repo", str(repo), "rollback", journal.name, "--auto-approve")
    assert refused.exit_code == 1
    assert "safety.max_deletes (1)" in refused.stderr and "--allow-deletes" in refused.stderr
    assert live() == applied and journals(repo) == [journal]
    allowed = idc(
        "--repo", str(repo), "rollback", journal.name, "--auto-approve", "--allow-deletes"
    )
    assert allowed.exit_code == 0, allowed.output
    assert live() == before


def test_resume_of_a_rolled_back_apply_is_refused_with_the_way_on(
    repo: Path,  # noqa: F811
    idc: IdcRunner,
    sim: Simulator,
) -> None:
    before = live()
    assert idc("--repo", str(repo), "apply", "--auto-approve").exit_code == 0
    (journal,) = journals(repo)
    assert idc("--repo", str(repo), "rollback", journal.name, "--auto-approve").exit_code == 0
    rollback_journal = journals(repo)[-1]
    result = idc("--repo", str(repo), "apply", "--resume", journal.name, "--auto-approve")
    assert result.exit_code == 1
    assert f"was rolled back by {rollback_journal.name}" in result.stderr
    assert f"idc --repo {repo} rollback {rollback_journal.name}" in result.stderr
    assert live() == before and len(journals(repo)) == 2


def test_resuming_a_finished_apply_says_so_and_writes_no_journal(
    repo: Path,  # noqa: F811
    idc: IdcRunner,
    sim: Simulator,
) -> None:
    assert idc("--repo", str(repo), "apply", "--auto-approve").exit_code == 0
    (journal,) = journals(repo)
    result = idc("--repo", str(repo), "apply", "--resume", journal.name, "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "already finished" in result.stderr and "nothing to resume" in result.stderr
    assert "Apply complete" not in result.stderr
    assert journals(repo) == [journal]


def test_a_failed_resume_of_a_rollback_never_rolls_back_into_the_change(
    repo: Path,  # noqa: F811
    idc: IdcRunner,
    sim: Simulator,
) -> None:
    before = live()
    assert idc("--repo", str(repo), "apply", "--auto-approve").exit_code == 0
    (journal,) = journals(repo)
    # the rollback fails at deleting zed (AWS keeps failing that call)
    fault = FaultRule("DeleteUser", code="AccessDeniedException", status=400, permanent=True)
    sim.realism = Realism(faults=[fault])
    failed = idc("--repo", str(repo), "rollback", journal.name, "--auto-approve")
    assert fault.fired and failed.exit_code == 1, failed.output
    rollback_journal = journals(repo)[-1]
    partly = live()
    assert ZED in partly.users and partly.assignments == before.assignments

    resumed = idc("--repo", str(repo), "apply", "--resume", rollback_journal.name)
    assert resumed.exit_code == 1
    assert "not rolled back automatically" in resumed.stderr
    assert live() == partly  # the assignments the rollback removed stay removed

    sim.realism = Realism()
    finished = idc("--repo", str(repo), "apply", "--resume", rollback_journal.name)
    assert finished.exit_code == 0, finished.output
    assert live() == before


def test_rollback_of_a_rolled_back_rollback_undoes_the_apply_again(
    repo: Path,  # noqa: F811
    idc: IdcRunner,
    sim: Simulator,
) -> None:
    before = live()
    assert idc("--repo", str(repo), "apply", "--auto-approve").exit_code == 0
    (journal,) = journals(repo)
    applied = live()
    assert idc("--repo", str(repo), "rollback", journal.name, "--auto-approve").exit_code == 0
    first_rollback = journals(repo)[-1]
    redo = idc("--repo", str(repo), "rollback", first_rollback.name, "--auto-approve")
    assert redo.exit_code == 0, redo.output
    assert live() == applied  # the apply's change is live again

    again = idc("--repo", str(repo), "rollback", journal.name, "--auto-approve")
    assert again.exit_code == 0, again.output
    assert "Rollback complete: 11 operation(s) undone" in again.stderr
    assert live() == before


@pytest.mark.parametrize(
    "stray",
    [
        "",  # created, never written
        '{"kind": "apply", "pairs": [',  # torn header
        json.dumps({"kind": "apply"}) + "\n",  # header-only, missing fields
        "not json at all\n",
    ],
    ids=["empty", "torn-header", "header-only", "garbage"],
)
def test_a_stray_file_in_journal_breaks_no_other_command(
    repo: Path,  # noqa: F811
    idc: IdcRunner,
    sim: Simulator,
    stray: str,
) -> None:
    before = live()
    assert idc("--repo", str(repo), "apply", "--auto-approve").exit_code == 0
    (journal,) = journals(repo)
    # sorts after the real journal, so "latest journal" lookups meet it first
    (repo / "journal" / "29990101T000000000000Z-zzzzzz.jsonl").write_text(stray)
    (repo / "journal" / "notes.txt").write_text("operator notes\n")

    assert idc("--repo", str(repo), "plan").exit_code == 0
    resumed = idc("--repo", str(repo), "apply", "--resume", journal.name, "--auto-approve")
    assert resumed.exit_code == 0 and "nothing to resume" in resumed.stderr
    result = idc("--repo", str(repo), "rollback", journal.name, "--auto-approve")
    assert result.exit_code == 0, result.output
    assert live() == before
    bad = idc("--repo", str(repo), "rollback", "29990101T000000000000Z-zzzzzz.jsonl")
    assert bad.exit_code == 1 and "Traceback" not in bad.output
    assert "29990101T000000000000Z-zzzzzz.jsonl" in bad.stderr


def test_a_failed_resume_rolls_back_the_whole_change_and_counts_it(
    repo: Path,  # noqa: F811
    idc: IdcRunner,
    sim: Simulator,
) -> None:
    before = live()
    quota = _role_quota_reached(sim)
    kept = idc("--repo", str(repo), "apply", "--auto-approve", "--no-rollback-on-failure")
    assert quota.fired and kept.exit_code == 1, kept.output
    (journal,) = journals(repo)
    # the resume gets further, then fails at a re-provision
    refusal = FaultRule("ProvisionPermissionSet", code="ValidationException", status=400, times=1)
    sim.realism = Realism(faults=[refusal])
    resumed = idc("--repo", str(repo), "apply", "--resume", journal.name)
    assert refusal.fired and resumed.exit_code == 1, resumed.output
    # the apply's operations and the resume's are undone together, and counted
    assert "resuming" in resumed.stderr and "5 operation(s) already done" in resumed.stderr
    undo = json.loads(journals(repo)[-1].read_text().splitlines()[0])
    assert undo["kind"] == "rollback" and len(undo["ops"]) > 5
    assert f"rolled back automatically: {len(undo['ops'])} operation(s) undone" in resumed.stderr
    assert "Apply complete" not in resumed.stderr
    assert live() == before
