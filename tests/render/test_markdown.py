from __future__ import annotations

from dataclasses import replace

from reconciler.plan import Change, Plan
from reconciler.render.markdown import CI_ROOM, GITHUB_COMMENT_LIMIT, render_markdown
from tests.render.plans import case_plan


def test_summary_table_comes_first() -> None:
    text = render_markdown(case_plan("order-follows-apply-phases"))
    lines = text.splitlines()
    # the hidden marker a pull request's plan job finds its sticky comment by
    assert lines[0] == "<!-- idc-plan instance=arn:aws:sso:::instance/ssoins-0000000000000000 -->"
    assert lines[1] == "### idc plan: 7 to add, 1 to change, 7 to destroy."
    assert lines[3] == "instance `arn:aws:sso:::instance/ssoins-0000000000000000`"
    assert lines[5] == "| kind | create | update | delete |"
    assert "| Permission sets | 2 | 1 | 1 |" in lines
    assert lines.index("| Account assignments | 2 | 0 | 3 |") < lines.index(
        "#### Permission sets (4)"
    )


def test_policy_diff_is_collapsed_unified_diff() -> None:
    text = render_markdown(case_plan("permission-set-update-inline-policy-reprovisions"))
    details = text[text.index("<details>") : text.index("</details>")]
    assert "```diff" in details
    assert "--- before/inline_policy" in details
    assert '+        "iam:CreateAccessKey"' in details
    assert "🔁 re-provision to: 222222222222 (prod-web)" in details


def _huge_plan(count: int) -> Plan:
    changes = tuple(
        Change(
            "create",
            "assignment",
            {
                "permission_set": "ReadOnly",
                "principal_type": "GROUP",
                "principal": f"team-{i:06d}",
                "account": f"{i:012d}",
            },
            None,
            {},
            f"granted by desired/access.yaml:{i}:5 (accounts: ou:/Root/Prod) but not in AWS",
        )
        for i in range(count)
    ) + tuple(
        Change("delete", "user", {"user_name": f"u{i}@example.com"}, {}, None, "gone")
        for i in range(50)
    )
    return Plan(changes=changes, fingerprint="0" * 64)


def test_huge_plan_stays_under_githubs_limit_with_a_note() -> None:
    text = render_markdown(_huge_plan(20_000))
    assert len(text) <= GITHUB_COMMENT_LIMIT - CI_ROOM  # room for the run and artifact links
    assert text.startswith("<!-- idc-plan")
    assert "more account assignments changes not shown" in text
    assert "full plan is in the JSON plan artifact" in text
    # the small section is shown whole, the big one is cut
    assert text.count("🔴 delete `u") == 50
    assert 0 < text.count("🟢 create `ReadOnly to GROUP team-") < 20_000


def test_small_plan_is_not_truncated() -> None:
    text = render_markdown(_huge_plan(20))
    assert "not shown" not in text
    assert text.count("🟢 create") == 20
    assert "<details><summary>20 changes</summary>" in text  # long sections collapse


def test_no_changes() -> None:
    text = render_markdown(case_plan("noop-in-sync"))
    assert "No changes. Identity Center matches the desired state." in text
    assert "####" not in text


def test_a_change_whose_policy_diff_alone_is_too_big_is_still_listed() -> None:
    def policy(buckets: int) -> dict[str, object]:
        statements = [
            {"Sid": f"S{i}", "Effect": "Allow", "Action": ["s3:GetObject"],
             "Resource": [f"arn:aws:s3:::bucket-number-{i}/*"]}
            for i in range(buckets)
        ]  # fmt: skip
        return {"Version": "2012-10-17", "Statement": statements}

    before = {"name": "Developer", "inline_policy": policy(1)}
    after = {"name": "Developer", "inline_policy": policy(400)}
    change = Change(
        "update", "permission_set", {"name": "Developer"}, before, after, "inline_policy differs"
    )
    text = render_markdown(Plan(changes=(change,), fingerprint="0" * 64))
    assert len(text) <= GITHUB_COMMENT_LIMIT
    assert "- 🟡 update `Developer`: inline_policy differs" in text
    assert "left out to stay under GitHub's comment size limit" in text
    assert "not shown" not in text  # the change itself is never dropped
    assert "```diff" not in text


def test_what_is_left_alone_is_in_the_comment() -> None:
    text = render_markdown(case_plan("scim-assign-live-principals"))
    lines = text.splitlines()
    assert "**Not changed by this plan**" in lines
    assert "- user: not managed (manage.users: false); referenced by name only" in lines
    assert lines.index("**Not changed by this plan**") < lines.index("#### Account assignments (4)")


def test_a_refused_plan_says_so_above_the_summary_table() -> None:
    plan = replace(case_plan("max-deletes-allowed-with-flag"), refused="too many deletes")
    lines = render_markdown(plan).splitlines()
    assert lines[5] == "> ⛔ **This plan cannot be applied:** too many deletes"
    assert lines.index("| kind | create | update | delete |") > 4


def test_header_names_instance_region_and_commit_so_the_comment_stands_alone() -> None:
    plan = replace(
        case_plan("order-follows-apply-phases"),
        identity_store_id="d-1234567890",
        region="eu-west-1",
        desired_commit="4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    )
    lines = render_markdown(plan).splitlines()
    assert lines[3] == (
        "instance `arn:aws:sso:::instance/ssoins-0000000000000000` · identity store "
        "`d-1234567890` · region `eu-west-1` · desired state at commit `4b825dc642cb`"
    )


def test_legend_lists_only_the_marks_used() -> None:
    lines = render_markdown(case_plan("order-follows-apply-phases")).splitlines()
    legends = [line for line in lines if line.startswith("Legend: ")]
    assert legends == [
        "Legend: 🟢 = create · 🟡 = update in place · 🔴 = delete · 🔁 = re-provision: push the "
        "changed permission set again to the accounts it is provisioned in"
    ]
    creates = render_markdown(case_plan("permission-set-create")).splitlines()
    assert [line for line in creates if line.startswith("Legend: ")] == ["Legend: 🟢 = create"]


def test_account_names_beside_ids() -> None:
    text = render_markdown(case_plan("order-follows-apply-phases"))
    assert "- 🟢 create `Audit to GROUP Auditors in 222222222222 (prod-web)`:" in text


def test_a_new_permission_sets_inline_policy_is_pretty_printed() -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": ["iam:CreateUser"], "Resource": "*"}],
    }
    doc = {"name": "Audit", "session_duration": "PT1H", "inline_policy": policy}
    plan = Plan(
        changes=(Change("create", "permission_set", {"name": "Audit"}, None, doc),),
        fingerprint="0" * 64,
    )
    text = render_markdown(plan)
    assert '  - `session_duration` = `"PT1H"`' in text  # short values stay inline
    block = text[text.index("  - `inline_policy` =") :]
    lines = block.splitlines()
    assert lines[1:4] == ["", "    ```json", "    {"]
    assert '          "Effect": "Deny",' in lines
    assert lines.index("    ```", 3) > lines.index('          "Effect": "Deny",')
