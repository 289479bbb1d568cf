"""reconciler.plan.strategy on hand-made plans: what each strategy keeps,
that a declined delete keeps what it needs, and that skipped entries
survive the plan file and reach every renderer."""

from __future__ import annotations

import json

from reconciler.desired.schema import validate_document
from reconciler.plan import Change, Plan
from reconciler.plan.strategy import apply_strategy
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_text

ASSIGNMENT = {
    "permission_set": "Billing",
    "principal_type": "USER",
    "principal": "zed",
    "account": "111111111111",
}
PLAN = Plan(
    changes=(
        Change("create", "user", {"user_name": "grace"}, after={"user_name": "grace"}),
        Change(
            "update",
            "group",
            {"name": "Dev"},
            before={"name": "Dev", "description": "a"},
            after={"name": "Dev", "description": "b"},
        ),
        Change("delete", "assignment", ASSIGNMENT, before=dict(ASSIGNMENT)),
        Change("delete", "permission_set", {"name": "Billing"}, before={"name": "Billing"}),
    ),
    fingerprint="f" * 64,
    touched={
        "group:Dev": "1" * 64,
        "assignment:Billing:USER:zed:111111111111": "2" * 64,
        "permission_set:Billing": "3" * 64,
    },
)


def actions(plan: Plan) -> list[str]:
    return [f"{c.action} {c.key_text()}" for c in plan.changes]


def test_skip_keeps_creates_and_merge_also_updates() -> None:
    assert actions(apply_strategy(PLAN, "skip")) == ["create user:grace"]
    merged = apply_strategy(PLAN, "merge")
    assert actions(merged) == ["create user:grace", "update group:Dev"]
    assert merged.touched == {"group:Dev": "1" * 64}
    assert [(s.action, s.key, s.reason) for s in merged.skipped] == [
        ("delete", "assignment:Billing:USER:zed:111111111111", "merge strategy: never deletes"),
        ("delete", "permission_set:Billing", "merge strategy: never deletes"),
    ]
    assert apply_strategy(PLAN, "overwrite") == PLAN


def test_a_declined_assignment_delete_keeps_its_permission_set() -> None:
    asked: list[str] = []

    def decide(change: Change) -> bool:
        asked.append(change.key_text())
        return change.kind != "assignment"

    plan = apply_strategy(PLAN, "prompt", decide)
    assert asked == [  # creates are not conflicts; updates and deletes are asked
        "group:Dev",
        "assignment:Billing:USER:zed:111111111111",
        "permission_set:Billing",
    ]
    assert actions(plan) == ["create user:grace", "update group:Dev"]
    assert [(s.key, s.reason) for s in plan.skipped] == [
        ("assignment:Billing:USER:zed:111111111111", "declined at the prompt"),
        ("permission_set:Billing", "needed by a resource left in place"),
    ]


def test_skipped_entries_survive_the_plan_file_and_are_rendered() -> None:
    plan = apply_strategy(PLAN, "skip")
    data = json.loads(plan.dumps())
    assert validate_document(data, "plan", "plan.json") == []
    assert data["skipped"][0] == {
        "action": "update",
        "key": "group:Dev",
        "reason": "skip strategy: never updates",
    }
    assert Plan.from_json(data) == plan
    text = render_text(plan)
    assert "Skipped (3), not done by this plan:\n  skip strategy: never updates (1):\n" in text
    assert "    update group:Dev\n" in text
    markdown = render_markdown(plan)
    assert "**Skipped (3)**" in markdown and "  delete permission_set:Billing" in markdown
    nothing = apply_strategy(Plan(changes=PLAN.changes[1:], fingerprint="f" * 64), "skip")
    assert render_text(nothing).startswith("No changes left to make: everything found is skipped")
