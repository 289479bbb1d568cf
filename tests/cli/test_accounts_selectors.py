"""`idc accounts` with assign's selectors (--ou-filter, --account-pattern,
--accounts): the preview an operator runs before `idc assign` must pick the
same accounts and fail with the same words.

Expectations come from the demo organization's own file, read here with
plain Python rather than the filter engine under test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from reconciler.sim import Simulator
from tests.cli.test_accounts import ids_in
from tests.conftest import IdcRunner

DEMO = Path(__file__).parents[2] / "reconciler" / "sim" / "data" / "demo.yaml"


def demo_accounts() -> list[dict[str, Any]]:
    organization = yaml.safe_load(DEMO.read_text())["organization"]
    management = organization["management_account"]
    return [
        {**account, "eligible": account["id"] != management and "status" not in account}
        for account in organization["accounts"]
    ]


def under(ou: str) -> set[str]:
    """Eligible accounts in OU `ou` or below it."""
    return {
        a["id"]
        for a in demo_accounts()
        if a["eligible"] and (a["ou"] == ou or a["ou"].startswith(ou + "/"))
    }


def named(pattern: str) -> set[str]:
    return {a["id"] for a in demo_accounts() if a["eligible"] and re.search(pattern, a["name"])}


@pytest.fixture
def repo(tmp_path: Path, idc: IdcRunner, sim: Simulator) -> Path:
    assert idc("--repo", str(tmp_path), "init", "--from-live").exit_code == 0
    return tmp_path


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (("--ou-filter", "Root/Prod"), under("/Root/Prod")),
        (("--ou-filter", "/Root/Prod/Payments/"), under("/Root/Prod/Payments")),
        (("--ou-filter", "ou-ab12-dev00001"), under("/Root/Dev")),
        (("--ou-filter", "Root/Sandbox"), under("/Root/Sandbox")),
        (("--account-pattern", "^dev-"), named("^dev-")),
        (("--account-pattern", "data"), named("data")),
        (("--accounts", "555555555555, 444444444445"), {"555555555555", "444444444445"}),
        (("--accounts", "dev-web,shared-network"), {"555555555555", "333333333333"}),
    ],
)
def test_each_selector_previews_exactly_what_assign_would_select(
    repo: Path, idc: IdcRunner, flags: tuple[str, ...], expected: set[str]
) -> None:
    assert expected  # each case selects something, or it proves nothing
    preview = idc("--repo", str(repo), "accounts", *flags)
    assert preview.exit_code == 0, preview.output
    assert ids_in(preview.stdout) == expected
    noun = "account matches" if len(expected) == 1 else "accounts match"
    assert preview.stdout.splitlines()[-1].startswith(f"{len(expected)} {noun} ")

    plan = idc("--repo", str(repo), "assign", "ReadOnly", "carol@example.com", *flags, "--dry-run")
    assert plan.exit_code == 0, plan.output
    planned = {line.split()[0] for line in plan.stdout.splitlines() if line[2:14].isdigit()}
    assert planned == expected


def test_json_names_the_selector_in_filter(repo: Path, idc: IdcRunner) -> None:
    result = idc("--repo", str(repo), "accounts", "--ou-filter", "Root/Sandbox", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert set(document) == {"filter", "count", "accounts", "left_out", "warnings"}
    assert document["filter"] == "ou:/Root/Sandbox"
    assert document["count"] == len(under("/Root/Sandbox"))
    assert {row["id"] for row in document["accounts"]} == under("/Root/Sandbox")
    suspended = {a["id"] for a in demo_accounts() if a.get("status") == "SUSPENDED"}
    assert document["left_out"] == {"suspended": sorted(suspended)}

    listed = idc("--repo", str(repo), "accounts", "--accounts", "dev-web", "--format", "json")
    assert json.loads(listed.stdout)["filter"] == "dev-web"


def test_naming_the_management_account_by_id_selects_it_with_a_warning(
    repo: Path, idc: IdcRunner
) -> None:
    result = idc(
        "--repo", str(repo), "accounts", "--accounts", "123456789012,666666666667", "--format",
        "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {row["id"] for row in document["accounts"]} == {"123456789012", "666666666667"}
    assert len(document["warnings"]) == 2
    assert "management account; selected because it is named by id" in document["warnings"][0]
    text = idc("--repo", str(repo), "accounts", "--accounts", "123456789012")
    assert "warning: account 123456789012 (management) is the management account" in text.stderr


def test_two_selectors_are_refused_like_assign(repo: Path, idc: IdcRunner) -> None:
    pairs = [
        (("--filter", "*", "--ou-filter", "Root/Prod"), "--filter and --ou-filter"),
        (("--account-pattern", "dev", "--accounts", "dev-web"), "--account-pattern and --accounts"),
    ]
    for flags, names in pairs:
        result = idc("--repo", str(repo), "accounts", *flags)
        assert result.exit_code == 1, result.output
        assert f"error: {names} both select accounts; give exactly one" in result.stderr
        assert result.stdout == ""


def test_a_selection_matching_nothing_fails_as_assign_does(repo: Path, idc: IdcRunner) -> None:
    preview = idc("--repo", str(repo), "accounts", "--account-pattern", "^nobody$")
    assert preview.exit_code == 1
    assert "error: no accounts match name~^nobody$; nothing done" in preview.stderr
    plan = idc(
        "--repo", str(repo), "assign", "ReadOnly", "carol@example.com",
        "--account-pattern", "^nobody$", "--dry-run",
    )  # fmt: skip
    assert plan.stderr.splitlines()[-1] == preview.stderr.splitlines()[-1]


def test_malformed_selectors_are_one_clear_line(repo: Path, idc: IdcRunner) -> None:
    cases = {
        ("--account-pattern", "(["): "--account-pattern '([' is not a valid regex",
        ("--ou-filter", "Root/Prd"): "OU '/Root/Prd' is not in the organization; "
        "did you mean /Root/Prod?",
        ("--ou-filter", " "): "--ou-filter is empty",
        ("--accounts", "999999999999"): "account 999999999999 is not in the organization",
        ("--accounts", "dev-wbe"): "no account named 'dev-wbe' in the organization; "
        "did you mean dev-web?",
        ("--accounts", "management"): "name it by id (123456789012)",
    }
    for flags, words in cases.items():
        result = idc("--repo", str(repo), "accounts", *flags)
        assert result.exit_code == 1, (flags, result.output)
        assert words in result.stderr, (flags, result.stderr)
        assert "Traceback" not in result.output and result.stdout == ""


def test_a_bad_regex_fails_before_any_aws_call(idc: IdcRunner, tmp_path: Path) -> None:
    result = idc("--repo", str(tmp_path), "--sim", "accounts", "--account-pattern", "a(b")
    assert result.exit_code == 1 and "not a valid regex" in result.stderr
    assert not (tmp_path / ".idc").exists()  # the simulator never started
