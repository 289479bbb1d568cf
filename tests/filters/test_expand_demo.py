"""Expansion against the demo organization: what a user previewing a filter sees."""

from __future__ import annotations

import pytest

from reconciler.desired.filters import (
    AmbiguousAccountNameError,
    FilterReferenceError,
    Inventory,
    check,
    expand,
    expand_accounts,
    parse,
)
from reconciler.model.accounts import Account
from tests.filters.conftest import demo_state

MANAGEMENT = "123456789012"
SUSPENDED = "666666666667"
ACTIVE_MEMBERS = {
    "222222222222",
    "222222222223",
    "333333333333",
    "444444444444",
    "444444444445",
    "444444444446",
    "555555555555",
    "555555555556",
    "666666666666",
}
PROD_OU = {"444444444444", "444444444445", "444444444446"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("*", ACTIVE_MEMBERS),
        ("ou:/Root", ACTIVE_MEMBERS),
        ("ou:r-ab12", ACTIVE_MEMBERS),
        ("ou:/Root/Prod", PROD_OU),
        ("ou:/Root/Prod/", PROD_OU),
        ("ou:ou-ab12-prod0001", PROD_OU),
        ("ou:/Root/Prod/Payments", {"444444444446"}),
        ('ou:"/Root/Shared Services"', {"333333333333"}),
        ("ou:/Root/Sandbox", {"666666666666"}),
        ("name:prod-*", {"444444444444", "444444444445"}),
        ("name:*-prod", {"444444444446"}),
        ("name:Prod-*", set()),
        ("name:dev-web", {"555555555555"}),
        ("name:sandbox-?????", {"666666666666"}),
        ("name~data", {"444444444445", "555555555556"}),
        ('name~"^(prod|dev)-data$"', {"444444444445", "555555555556"}),
        ("name~^data", set()),
        ("tag:env=prod", {"222222222222", "222222222223", "333333333333"} | PROD_OU),
        ("tag:env=d*", {"555555555555", "555555555556"}),
        ("tag:pci", {"444444444446"}),
        ('tag:"cost center"="R&D"', {"333333333333"}),
        ('tag:"cost center"', {"333333333333"}),
        ("tag:owner", set()),
        ("ou:/Root/Prod and not tag:tier=payments", {"444444444444", "444444444445"}),
        (
            "tag:tier=web or tag:tier=data",
            {"444444444444", "444444444445"} | {"555555555555", "555555555556"},
        ),
        ("not tag:env=prod and not tag:env=dev", {"666666666666"}),
        ("NOT ou:/Root/Prod AND tag:env=prod", {"222222222222", "222222222223", "333333333333"}),
    ],
)
def test_filters_select_the_expected_demo_accounts(
    demo: Inventory, text: str, expected: set[str]
) -> None:
    assert expand(text, demo) == expected


def test_suspended_and_management_accounts_are_never_selected_by_atoms(demo: Inventory) -> None:
    for text in ("*", "ou:/Root/Sandbox", "tag:env=sandbox", "name:sandbox-*", "tag:owner"):
        found = expand(text, demo)
        assert SUSPENDED not in found and MANAGEMENT not in found, text
    assert expand("not name:prod-web", demo) == ACTIVE_MEMBERS - {"444444444444"}


def test_an_explicit_account_id_selects_that_account_even_if_excluded(demo: Inventory) -> None:
    assert expand(MANAGEMENT, demo) == {MANAGEMENT}
    assert expand(f"{SUSPENDED} or ou:/Root/Prod", demo) == PROD_OU | {SUSPENDED}
    assert expand("999999999999", demo) == set()
    issues = [str(i) for i in check(f"999999999999 or {MANAGEMENT}", demo)]
    assert issues == [
        "column 1: account 999999999999 is not in the organization",
        f"column 17: account {MANAGEMENT} is the management account; selected because it is named",
    ]


def test_settings_can_widen_what_filters_reach() -> None:
    wide = Inventory.from_state(demo_state(), include_suspended=True, include_management=True)
    assert expand("*", wide) == ACTIVE_MEMBERS | {SUSPENDED, MANAGEMENT}
    assert expand("ou:/Root/Sandbox", wide) == {"666666666666", SUSPENDED}
    assert expand("tag:owner=platform", wide) == {MANAGEMENT}


def test_an_unknown_ou_is_an_error_pointing_at_the_atom(demo: Inventory) -> None:
    with pytest.raises(FilterReferenceError) as info:
        expand("tag:env=prod and not ou:/Root/Prd", demo)
    assert info.value.column == 22
    assert "'/Root/Prd' is not in the organization" in info.value.message
    assert "^" in str(info.value)
    with pytest.raises(FilterReferenceError, match=r"start at /Root, e\.g\. /Root/Prod"):
        expand("ou:/Prod", demo)
    with pytest.raises(FilterReferenceError, match=r"case-sensitive: did you mean /Root/Prod\?"):
        expand("ou:/root/prod", demo)
    with pytest.raises(FilterReferenceError, match=r"did you mean /Root/Prod/Payments\?"):
        expand("ou:/Root/Prod/Payment", demo)
    with pytest.raises(FilterReferenceError) as nowhere:
        expand("ou:/Root/Nope", demo)
    assert "did you mean" not in nowhere.value.message  # no guess when nothing is close
    with pytest.raises(FilterReferenceError, match="OU id 'ou-ab12-nope0001'"):
        expand(parse("ou:ou-ab12-nope0001"), demo)


def test_an_ou_holding_only_excluded_accounts_exists_and_selects_nothing() -> None:
    state = demo_state()
    only_suspended = Inventory(
        [a for a in state.accounts.values() if a.id != "666666666666"],
        state.org_units.values(),
        management_account_id=MANAGEMENT,
    )
    assert expand("ou:/Root/Sandbox", only_suspended) == set()


def test_check_warns_about_tag_keys_no_account_has(demo: Inventory) -> None:
    assert [str(i) for i in check("tag:enviroment=prod or tag:env", demo)] == [
        "column 1: no account has a tag 'enviroment'"
    ]


def test_explicit_lists_take_ids_and_names_and_report_unknown_entries(demo: Inventory) -> None:
    selection = expand_accounts(
        ["444444444444", "prod-data", "sandbox-old", MANAGEMENT, "no-such", "000000000000"], demo
    )
    assert selection.ids == {"444444444444", "444444444445", SUSPENDED, MANAGEMENT}
    assert selection.unknown == ["no-such", "000000000000"]
    ids, unknown = expand_accounts("ou:/Root/Prod/Payments", demo)
    assert (ids, unknown) == ({"444444444446"}, [])


def test_an_account_name_used_twice_cannot_be_listed_by_name() -> None:
    twins = Inventory([Account("111111111111", "sandbox"), Account("111111111112", "sandbox")])
    with pytest.raises(AmbiguousAccountNameError, match="111111111111, 111111111112"):
        expand_accounts(["sandbox"], twins)
    assert expand("name:sandbox", twins) == {"111111111111", "111111111112"}


def test_accounts_without_org_units_still_resolve_ou_paths() -> None:
    """A snapshot's accounts.yaml has OU paths but no OU ids."""
    inventory = Inventory([Account("111111111111", "a", ou_path="/Root/Team/Sub")])
    assert expand("ou:/Root/Team", inventory) == {"111111111111"}
    with pytest.raises(FilterReferenceError):
        expand("ou:/Root/Other", inventory)


def test_issues_map_to_located_file_warnings(demo: Inventory) -> None:
    [issue] = check("ou:/Root/Prod or 999999999999", demo)
    warning = issue.diagnostic("desired/a.yaml", 4, 15)
    assert str(warning) == (
        "desired/a.yaml:4:32: warning: account 999999999999 is not in the organization"
    )
