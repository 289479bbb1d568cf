"""`idc apply --continue-on-error`: one bad assignment does not undo the rest.

Against the in-process simulator with a permanent fault on one account: the
other changes stay live, every failure is reported with AWS's reason, what
needs a failed op is skipped (journaled), `idc rollback` still restores the
state before exactly and `--resume` finishes the plan once the cause is gone.
"""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.apply.journal import read_journal
from reconciler.sim import FaultRule, Realism, Simulator
from tests.cli import test_apply
from tests.cli.test_apply import journals, live, pending
from tests.conftest import IdcRunner

# test_apply's repo fixture (the seeded in-process `sim` is conftest's): a repo whose
# desired state adds a user, a membership and two assignments among others.
repo = test_apply.repo

QUOTA = "Request failed: the IAM role quota (1000) of account 666666666666 is reached."
FAILED = "create_assignment Developer USER:zed@example.com 666666666666"
PAYMENTS = "Developer GROUP:Payments 444444444446"


def quota_fault() -> Realism:
    return Realism(
        faults=[
            FaultRule(
                "CreateAccountAssignment",
                resource="666666666666",
                permanent=True,
                async_failure=QUOTA,
            )
        ]
    )


def drop_payments(repo: Path) -> None:
    """Delete the Payments group, its membership and its one assignment."""
    groups = repo / "desired" / "groups.yaml"
    groups.write_text(
        groups.read_text().replace(
            "  - name: Payments\n    description: Payments squad\n    members:\n"
            "      - dave@example.com\n",
            "",
        )
    )
    dev = repo / "desired" / "assignments" / "Developer.yaml"
    dev.write_text(
        dev.read_text().replace(
            "  - permission_set: Developer\n    accounts:\n      - '444444444446'\n"
            "    groups:\n      - Payments\n",
            "",
        )
    )


def test_a_failed_assignment_keeps_the_others_and_rollback_restores_exactly(
    repo: Path, idc: IdcRunner, sim: Simulator
) -> None:
    before = live()
    sim.realism = quota_fault()
    result = idc("--repo", str(repo), "apply", "--auto-approve", "--continue-on-error")
    assert result.exit_code == 1
    assert (
        f"failed   {FAILED}: CreateAccountAssignment failed: FAILED: {QUOTA}" in result.stderr
        and "Traceback" not in result.output
    )
    assert (
        "no automatic rollback" in result.stderr
        and f"idc --repo {repo} apply --resume journal/" in result.stderr
    )
    (journal,) = journals(repo)  # no rollback journal: nothing was undone
    assert f"journal: journal/{journal.name}" in result.stderr
    # everything else is live: only the failed assignment is still pending
    assert pending(repo) == ["assignment:Developer:USER:zed@example.com:666666666666"]
    record = read_journal(journal)
    assert len(record.errors) == 1 and record.end and record.end["status"] == "failed"
    assert len(record.ok) == len(record.header.pairs) - 1
    sim.realism = Realism()
    undone = idc("--repo", str(repo), "rollback", f"journal/{journal.name}", "--auto-approve")
    assert undone.exit_code == 0, undone.output
    assert live() == before


def test_resume_retries_the_failed_assignment_once_the_cause_is_fixed(
    repo: Path, idc: IdcRunner, sim: Simulator
) -> None:
    sim.realism = quota_fault()
    result = idc("--repo", str(repo), "apply", "--auto-approve", "--continue-on-error")
    assert result.exit_code == 1
    (journal,) = journals(repo)
    # resuming while the cause persists keeps the good changes (the mode is inherited)
    again = idc("--repo", str(repo), "apply", "--resume", f"journal/{journal.name}")
    assert again.exit_code == 1 and QUOTA in again.stderr
    assert "rolling back" not in again.stderr and len(pending(repo)) == 1
    sim.realism = Realism()
    resumed = idc("--repo", str(repo), "apply", "--resume", f"journal/{journal.name}")
    assert resumed.exit_code == 0, resumed.output
    assert pending(repo) == []


def test_what_needs_a_failed_assignment_delete_is_skipped_then_resumed(
    repo: Path, idc: IdcRunner, sim: Simulator
) -> None:
    drop_payments(repo)
    before = live()
    sim.realism = Realism(
        faults=[
            FaultRule(
                "DeleteAccountAssignment",
                resource="444444444446",
                permanent=True,
                async_failure="Access denied by a service control policy.",
            )
        ]
    )
    result = idc("--repo", str(repo), "apply", "--auto-approve", "--continue-on-error")
    assert result.exit_code == 1
    assert "1 operation(s) failed, 1 skipped:" in result.stderr
    assert (
        f"failed   delete_assignment {PAYMENTS}: DeleteAccountAssignment failed: "
        "FAILED: Access denied by a service control policy."
    ) in result.stderr
    assert (
        f"skipped  delete_group Payments: needs delete_assignment {PAYMENTS}, "
        "which did not take effect"
    ) in result.stderr
    (journal,) = journals(repo)
    assert "group:Payments" in pending(repo)  # not deleted with its assignment left behind
    skipped = [json.loads(line) for line in journal.read_text().splitlines()]
    assert [r["type"] for r in skipped].count("skipped") == 1
    assert not read_journal(journal).skipped.keys() & read_journal(journal).intents
    sim.realism = Realism()
    resumed = idc("--repo", str(repo), "apply", "--resume", f"journal/{journal.name}")
    assert resumed.exit_code == 0, resumed.output
    assert pending(repo) == []
    undone = idc("--repo", str(repo), "rollback", f"journal/{journal.name}", "--auto-approve")
    assert undone.exit_code == 0, undone.output
    assert live() == before


def test_without_the_flag_a_failed_assignment_still_undoes_everything(
    repo: Path, idc: IdcRunner, sim: Simulator
) -> None:
    before = live()
    sim.realism = quota_fault()
    result = idc("--repo", str(repo), "apply", "--auto-approve")
    assert result.exit_code == 1 and "rolled back automatically" in result.stderr
    sim.realism = Realism()
    assert live() == before


def test_the_flag_is_documented_in_apply_help(idc: IdcRunner) -> None:
    result = idc("apply", "--help")
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "--continue-on-error Do not stop at a failed assignment" in text
    assert "exit 1 with no rollback" in text and "Any other failure still stops the run" in text
