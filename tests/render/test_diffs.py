"""Updates and creates show what a reviewer must see: a user's name parts and
other records field by field, and no change where only spelling differs."""

from __future__ import annotations

from reconciler.desired.settings import Settings
from reconciler.desired.types import Desired
from reconciler.model import Address, Group, PermissionSet, PersonName, State, TypedValue, User
from reconciler.plan import Change, Plan, build_plan
from reconciler.render.diffs import attribute_changes
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_text

CAROL = User(
    "carol@example.com",
    display_name="Carol Jones",
    name=PersonName(given="Carol", family="Jones"),
    emails=(TypedValue("carol@example.com", "work", True),),
    addresses=(Address(locality="Leeds", country="GB"),),
)
CAROLINE = User(
    "carol@example.com",
    display_name="Carol Jones",
    name=PersonName(given="Caroline", family="Jones", middle="Ann"),
    emails=(TypedValue("carol@example.com", "home", True),),
    addresses=(Address(locality="York", country="GB"),),
)


def plan(desired: Desired, live: State) -> Plan:
    return build_plan(desired, live, Settings(), allow_deletes=True)


def users_plan(want: list[User], have: list[User]) -> Plan:
    desired = Desired(users={u.user_name: u for u in want}, declared=frozenset({"users"}))
    return plan(desired, State.build(users=have))


def test_an_update_shows_each_changed_name_part() -> None:
    text = render_text(users_plan([CAROLINE], [CAROL]))
    lines = text.splitlines()
    assert '      ~ name.given = "Carol" -> "Caroline"' in lines
    assert '      + name.middle = "Ann"' in lines
    assert '      ~ emails[0].type = "work" -> "home"' in lines
    assert '      ~ addresses[0].locality = "Leeds" -> "York"' in lines
    assert not any("family" in line or "country" in line for line in lines)  # unchanged


def test_markdown_shows_the_name_part_too() -> None:
    text = render_markdown(users_plan([CAROLINE], [CAROL]))
    assert '- `name.given`: `"Carol"` → `"Caroline"`' in text
    assert '- `emails[0].type`: `"work"` → `"home"`' in text


def test_a_create_shows_the_name_parts() -> None:
    plan_ = users_plan([CAROL], [])
    lines = render_text(plan_).splitlines()
    assert '      + name.given = "Carol"' in lines
    assert '      + name.family = "Jones"' in lines
    assert '      + display_name = "Carol Jones"' in lines
    assert not any("user_name" in line for line in lines)
    assert '  - `name.given` = `"Carol"`' in render_markdown(plan_)


def test_groups_and_permission_sets_still_hide_their_name_key() -> None:
    desired = Desired(
        groups={"Ops": Group("Ops", description="on call")},
        permission_sets={"Audit": PermissionSet.build("Audit", tags={"cost center": "R&D"})},
        declared=frozenset({"groups", "permission_sets"}),
    )
    lines = render_text(plan(desired, State.build())).splitlines()
    assert '      + description = "on call"' in lines
    assert '      + tags["cost center"] = "R&D"' in lines
    assert not any(line.strip().startswith("+ name") for line in lines)


def test_a_reformatted_inline_policy_is_not_shown_as_changed() -> None:
    live = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"]}]}
    spelled = {"Version": "2012-10-17", "Statement": {"Action": "S3:getObject", "Effect": "Allow"}}
    change = Change(
        "update",
        "permission_set",
        {"name": "Ops"},
        {"name": "Ops", "description": "a", "inline_policy": live},
        {"name": "Ops", "description": "b", "inline_policy": spelled},
        "description differs",
    )
    assert [a.name for a in attribute_changes(change)] == ["description"]
