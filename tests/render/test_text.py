from __future__ import annotations

from reconciler.plan import Plan
from reconciler.render.text import render_text
from tests.render.plans import case_plan


def test_symbols_reasons_and_terraform_summary() -> None:
    text = render_text(case_plan("order-follows-apply-phases"))
    lines = text.splitlines()
    assert "  + permission_set Audit  # in desired/main.yaml:35:5 but not in AWS" in lines
    assert any(
        line.startswith("  ~ permission_set ReadOnly  # session_duration differs") for line in lines
    )
    assert any(line.startswith("  - user zoe@example.com") for line in lines)
    assert '      ~ session_duration = "PT8H" -> "PT2H"' in lines
    assert "      then re-provision to 222222222222 (prod-web), 222222222223 (prod-data)" in lines
    assert any(
        line.startswith("  + assignment Audit to GROUP Auditors in 222222222222 (prod-web)  #")
        for line in lines
    )
    assert lines[-1] == "Plan: 7 to add, 1 to change, 7 to destroy."


def test_grouped_by_kind_in_apply_order_of_kinds() -> None:
    text = render_text(case_plan("order-follows-apply-phases"))
    titles = [line for line in text.splitlines() if line and line[0].isupper() and "(" in line]
    assert [t.split(" (")[0] for t in titles] == [
        "Permission sets",
        "Users",
        "Groups",
        "Group memberships",
        "Account assignments",
    ]


def test_policy_change_is_a_unified_json_diff() -> None:
    text = render_text(case_plan("permission-set-update-inline-policy-reprovisions"))
    assert "      ~ inline_policy:" in text
    assert '          -        "iam:CreateUser"' in text
    assert '          +        "iam:CreateAccessKey"' in text


def test_plain_without_color_and_ansi_with_color() -> None:
    plan = case_plan("order-follows-apply-phases")
    plain = render_text(plan, color=False)
    colored = render_text(plan, color=True)
    assert "\x1b[" not in plain
    assert "\x1b[32m" in colored  # green creates
    assert "\x1b[31m" in colored  # red deletes
    assert "\x1b[33m" in colored  # yellow updates


def test_empty_plan_says_so_and_why() -> None:
    text = render_text(case_plan("noop-in-sync"))
    assert text.startswith("No changes. Identity Center matches the desired state.")
    assert (
        "# already match AWS: 2 permission sets, 2 users, 2 groups, 2 memberships, 3 assignments"
        in text.splitlines()
    )
    assert text.rstrip().endswith("Plan: 0 to add, 0 to change, 0 to destroy.")


def test_warnings_are_shown() -> None:
    text = render_text(case_plan("assignment-filter-matching-nothing-warns"))
    assert 'Warning: desired/main.yaml:63:15: filter "tag:env=staging" matches no account' in text


def test_rendered_from_the_plan_file_alone() -> None:
    """The human plan carries nothing the JSON plan file does not."""
    plan = case_plan("order-follows-apply-phases")
    reloaded = Plan.from_json(plan.to_json())
    assert render_text(reloaded) == render_text(plan)


def test_what_is_left_alone_is_shown_with_a_plan_that_changes_something() -> None:
    """SCIM: users, groups and members are not managed; a reviewer must see
    that with every plan, not only an empty one (or with -v)."""
    plan = case_plan("scim-assign-live-principals")
    assert not plan.empty
    lines = render_text(plan).splitlines()
    assert "# user: not managed (manage.users: false); referenced by name only" in lines
    assert "# membership: not managed (manage.memberships: false); group members are ignored" in (
        lines
    )
    assert lines.index("# user: not managed (manage.users: false); referenced by name only") < (
        lines.index("Plan: 4 to add, 0 to change, 0 to destroy.")
    )


def test_legend_lists_once_only_the_symbols_the_plan_uses() -> None:
    full = render_text(case_plan("order-follows-apply-phases")).splitlines()
    assert full[:6] == [
        "Actions are shown with these symbols:",
        "  + create",
        "  ~ update in place",
        "  - delete",
        "  then re-provision: push the changed permission set again to the accounts it is "
        "provisioned in",
        "",
    ]
    assert full.count("Actions are shown with these symbols:") == 1
    creates_only = render_text(case_plan("permission-set-create")).splitlines()
    legend = creates_only[: creates_only.index("")]
    assert legend == ["Actions are shown with these symbols:", "  + create"]
    assert "Actions are shown" not in render_text(case_plan("noop-in-sync"))


def test_an_account_without_a_known_name_is_shown_by_id() -> None:
    plan = case_plan("order-follows-apply-phases")
    bare = Plan.from_json({**plan.to_json(), "accounts": {}})
    text = render_text(bare)
    assert "in 222222222222  #" in text and "(prod-web)" not in text
