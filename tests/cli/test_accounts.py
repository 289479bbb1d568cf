"""`idc accounts` end to end against the simulator's demo organization."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import IdcRunner

PROD = {"444444444444", "444444444445", "444444444446"}


def ids_in(text: str) -> set[str]:
    return {line.split()[0] for line in text.splitlines() if line[:12].isdigit()}


def test_filter_preview_lists_the_matching_accounts_with_a_count(
    idc: IdcRunner, tmp_path: Path
) -> None:
    result = idc("--repo", str(tmp_path), "--sim", "accounts", "--filter", "ou:/Root/Prod")
    assert result.exit_code == 0, result.output
    assert ids_in(result.stdout) == PROD
    assert "payments-prod" in result.stdout and "/Root/Prod/Payments" in result.stdout
    assert "tier=payments" in result.stdout
    assert "3 accounts match 'ou:/Root/Prod'" in result.stdout


def test_a_single_match_is_counted_in_the_singular(idc: IdcRunner, tmp_path: Path) -> None:
    result = idc("--repo", str(tmp_path), "--sim", "accounts", "--filter", "name:dev-web")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "1 account matches 'name:dev-web'"


def test_without_a_filter_every_account_is_listed_and_exclusions_named(
    idc: IdcRunner, tmp_path: Path
) -> None:
    result = idc("--repo", str(tmp_path), "--sim", "accounts")
    assert result.exit_code == 0, result.output
    assert len(ids_in(result.stdout)) == 11
    assert "123456789012 (management account)" in result.stdout
    assert "666666666667 (suspended)" in result.stdout


def test_json_output_carries_accounts_and_warnings(idc: IdcRunner, tmp_path: Path) -> None:
    expression = 'tag:"cost center"="R&D" or 999999999999'
    result = idc(
        "--repo", str(tmp_path), "--sim", "accounts", "--filter", expression, "--format", "json"
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["count"] == 1
    assert document["accounts"][0] == {
        "id": "333333333333",
        "name": "shared-network",
        "status": "ACTIVE",
        "ou": "/Root/Shared Services",
        "tags": {"cost center": "R&D", "env": "prod", "team": "platform"},
        "excluded": None,
    }
    assert document["warnings"] == ["column 28: account 999999999999 is not in the organization"]


def test_flags_and_idc_yaml_let_filters_reach_excluded_accounts(
    idc: IdcRunner, tmp_path: Path
) -> None:
    repo = str(tmp_path)
    plain = idc("--repo", repo, "--sim", "accounts", "--filter", "*")
    assert "123456789012" not in ids_in(plain.stdout)
    flagged = idc("--repo", repo, "--sim", "accounts", "--filter", "*", "--include-management")
    assert "123456789012" in ids_in(flagged.stdout)
    assert "666666666667" not in ids_in(flagged.stdout)

    (tmp_path / "idc.yaml").write_text("accounts:\n  include_suspended: true\n")
    configured = idc("--repo", repo, "--sim", "accounts", "--filter", "ou:/Root/Sandbox")
    assert configured.exit_code == 0, configured.output
    assert ids_in(configured.stdout) == {"666666666666", "666666666667"}


def test_a_syntax_error_shows_a_caret_and_exits_1_before_reading_aws(
    idc: IdcRunner, tmp_path: Path
) -> None:
    result = idc("--repo", str(tmp_path), "--sim", "accounts", "--filter", "ou:/Root/Prod and tag:")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: column 23: expected a value after 'tag:'",
        "  ou:/Root/Prod and tag:",
        "                        ^",
    ]
    assert "Traceback" not in result.output
    assert not (tmp_path / ".idc").exists()  # the simulator never started


def test_an_unknown_ou_is_an_error_not_an_empty_preview(idc: IdcRunner, tmp_path: Path) -> None:
    result = idc("--repo", str(tmp_path), "--sim", "accounts", "--filter", "not ou:/Root/Prd")
    assert result.exit_code == 1
    assert "error: column 5: OU '/Root/Prd' is not in the organization" in result.stderr
    assert result.stdout == ""


def test_a_filter_preview_counts_what_the_settings_leave_out(
    idc: IdcRunner, tmp_path: Path
) -> None:
    """sandbox-old (666666666667) is suspended: the preview says so, and how to include it."""
    result = idc("--repo", str(tmp_path), "--sim", "accounts", "--filter", "ou:/Root/Sandbox")
    assert result.exit_code == 0, result.output
    assert "666666666667" not in ids_in(result.stdout)
    assert result.stdout.splitlines()[-1] == (
        "1 account matches 'ou:/Root/Sandbox'; 1 suspended account left out "
        "(accounts.include_suspended: false; --include-suspended includes it)"
    )
    everything = idc(
        "--repo", str(tmp_path), "--sim", "accounts", "--filter", "*", "--format", "json"
    )
    document = json.loads(everything.stdout)
    assert document["left_out"] == {
        "management account": ["123456789012"],
        "suspended": ["666666666667"],
    }
    included = idc(
        "--repo", str(tmp_path), "--sim", "accounts", "--filter", "*", "--include-suspended"
    )
    assert included.stdout.splitlines()[-1] == (
        "10 accounts match '*'; the management account left out "
        "(accounts.include_management: false; --include-management includes it)"
    )
