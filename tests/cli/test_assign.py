"""`idc assign` / `idc revoke` against the in-process simulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.aws.reader import read_state
from reconciler.sim import FaultRule, Realism, Simulator
from tests.apply.simhelp import comparable, fast_session
from tests.conftest import IdcRunner

DEMO_ORG = {  # id -> (name, OU), from the demo organization, written out independently
    "444444444444": ("prod-web", "/Root/Prod"),
    "444444444445": ("prod-data", "/Root/Prod"),
    "444444444446": ("payments-prod", "/Root/Prod/Payments"),
    "555555555555": ("dev-web", "/Root/Dev"),
    "555555555556": ("dev-data", "/Root/Dev"),
}


@pytest.fixture
def repo(tmp_path: Path, idc: IdcRunner, sim: Simulator) -> Path:
    assert idc("--repo", str(tmp_path), "init", "--from-live").exit_code == 0
    return tmp_path


def held(principal: str, permission_set: str) -> set[str]:
    state = read_state(fast_session())
    return {
        a.account
        for a in state.assignments
        if a.principal == principal and a.permission_set == permission_set
    }


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (("--ou-filter", "Root/Prod"), {i for i, (_, ou) in DEMO_ORG.items() if "/Prod" in ou}),
        (
            ("--account-pattern", "^dev-"),
            {i for i, (n, _) in DEMO_ORG.items() if n.startswith("dev-")},
        ),
        (("--accounts", "555555555555,444444444445"), {"555555555555", "444444444445"}),
        (("--filter", "tag:tier=web"), {"444444444444", "555555555555"}),
        (("dev-data",), {"555555555556"}),
    ],
)
def test_each_selector_assigns_exactly_its_accounts(
    repo: Path, idc: IdcRunner, flags: tuple[str, ...], expected: set[str]
) -> None:
    before = held("carol@example.com", "ReadOnly")
    command = ("--repo", str(repo), "assign", "ReadOnly", "carol@example.com")
    result = idc(*command, *flags, "--force")
    assert result.exit_code == 0, result.output
    assert held("carol@example.com", "ReadOnly") == before | expected
    assert "Journal: journal/" in result.stderr and "100.0% succeeded" in result.stderr
    again = idc(*command, *flags, "--force")
    assert again.exit_code == 0 and "No changes" in again.stderr  # idempotent


def test_two_selectors_or_none_are_refused(repo: Path, idc: IdcRunner) -> None:
    both = idc(
        "--repo", str(repo), "assign", "ReadOnly", "carol@example.com", "dev-web", "--filter", "*"
    )
    assert both.exit_code == 1 and "ACCOUNT and --filter" in both.stderr
    none = idc("--repo", str(repo), "assign", "ReadOnly", "carol@example.com")
    assert none.exit_code == 1 and "no accounts selected" in none.stderr


def test_bad_input_is_one_clear_line(repo: Path, idc: IdcRunner) -> None:
    cases = {
        ("--filter", ""): "--filter is empty",
        ("--filter", "tag:tier=nope"): "no accounts match tag:tier=nope; nothing done",
        ("--account-pattern", "(["): "not a valid regex",
        ("--ou-filter", "Root/Prd"): "did you mean /Root/Prod?",
        ("management",): "name it by id",
    }
    for args, words in cases.items():
        result = idc(
            "--repo", str(repo), "assign", "ReadOnly", "carol@example.com", *args, "--dry-run"
        )
        assert result.exit_code == 1 and words in result.stderr, (args, result.output)
        assert "Traceback" not in result.output
    typo = idc(
        "--repo", str(repo), "assign", "ReadOnli", "carol@example.com", "dev-web", "--dry-run"
    )
    assert "did you mean ReadOnly?" in typo.stderr
    who = idc("--repo", str(repo), "assign", "ReadOnly", "carol@exmple.com", "dev-web", "--dry-run")
    assert "did you mean carol@example.com?" in who.stderr


def test_without_a_terminal_it_refuses_and_says_force(repo: Path, idc: IdcRunner) -> None:
    before = held("carol@example.com", "ReadOnly")
    result = idc("--repo", str(repo), "assign", "ReadOnly", "carol@example.com", "--filter", "*")
    assert result.exit_code == 1 and "--auto-approve" in result.stderr
    assert held("carol@example.com", "ReadOnly") == before


def test_rollback_of_a_multi_account_assign_restores_exactly(repo: Path, idc: IdcRunner) -> None:
    before = comparable(read_state(fast_session()))
    result = idc(
        "--repo", str(repo), "assign", "ReadOnly", "carol@example.com", "--filter", "*", "--force"
    )
    assert result.exit_code == 0, result.output
    (journal,) = sorted((repo / "journal").glob("2*.jsonl"))
    undo = idc("--repo", str(repo), "rollback", str(journal), "--auto-approve")
    assert undo.exit_code == 0, undo.output
    assert comparable(read_state(fast_session())) == before


def test_revoke_removes_only_the_selection(repo: Path, idc: IdcRunner) -> None:
    before = held("Developers", "Developer")
    result = idc(
        "--repo",
        str(repo),
        "revoke",
        "Developer",
        "Developers",
        "--ou-filter",
        "/Root/Dev",
        "--force",
    )
    assert result.exit_code == 0, result.output
    assert held("Developers", "Developer") == before - {"555555555555", "555555555556"}


def quota(account: str) -> Realism:
    return Realism(
        faults=[
            FaultRule(
                "CreateAccountAssignment",
                resource=account,
                permanent=True,
                async_failure="quota reached",
            )
        ]
    )


def test_a_failed_account_is_reported_and_the_rest_kept(
    repo: Path, idc: IdcRunner, sim: Simulator
) -> None:
    sim.realism = quota("555555555556")
    result = idc(
        "--repo", str(repo), "assign", "ReadOnly", "carol@example.com", "--filter", "*", "--force"
    )
    assert sim.realism.faults[0].fired >= 1
    assert result.exit_code == 1
    assert (
        "555555555556 (dev-data): CreateAccountAssignment failed: FAILED: quota reached"
        in result.stderr
    )
    accounts = held("carol@example.com", "ReadOnly")
    assert "555555555556" not in accounts and "555555555555" in accounts


def test_stop_on_error_rolls_back_what_it_did(repo: Path, idc: IdcRunner, sim: Simulator) -> None:
    before = held("carol@example.com", "ReadOnly")
    sim.realism = quota("555555555556")
    result = idc(
        "--repo",
        str(repo),
        "assign",
        "ReadOnly",
        "carol@example.com",
        "--filter",
        "*",
        "--force",
        "--stop-on-error",
        "--batch-size",
        "1",
    )
    assert sim.realism.faults[0].fired >= 1
    assert result.exit_code == 1 and "rolled back automatically" in result.stderr, result.output
    sim.realism = Realism()
    assert held("carol@example.com", "ReadOnly") == before
