"""Properties of build_plan over generated organizations (hypothesis).

- a desired state equal to live plans nothing;
- the plan does not depend on the order inputs arrive in;
- applying the plan's changes to live (in memory) gives a state that plans
  nothing against the same desired state.
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.desired.settings import Settings
from reconciler.desired.types import AssignmentRule, Desired
from reconciler.model import (
    Account,
    Assignment,
    Group,
    Membership,
    PermissionSet,
    State,
    User,
    codec,
)
from reconciler.plan import Plan, build_plan

ACCOUNTS = [Account(f"{n:012d}", f"acct-{n}", ou_path="/Root") for n in range(1, 5)]
USERS = [f"u{i}@example.com" for i in range(6)]
GROUPS = [f"G{i}" for i in range(4)]
PERMISSION_SETS = [f"PS{i}" for i in range(3)]
DECLARED = frozenset({"users", "groups", "memberships", "permission_sets", "assignments"})
ALLOW = Settings()  # defaults; every test passes allow_deletes=True


@st.composite
def states(draw: st.DrawFn) -> State:
    users = [
        User(name, title=draw(st.sampled_from([None, "Engineer", "Lead"])))
        for name in draw(st.lists(st.sampled_from(USERS), unique=True))
    ]
    groups = [
        Group(name, description=draw(st.sampled_from([None, "team", "squad"])))
        for name in draw(st.lists(st.sampled_from(GROUPS), unique=True))
    ]
    memberships = draw(
        st.frozensets(
            st.builds(
                Membership,
                st.sampled_from([g.name for g in groups] or ["-"]),
                st.sampled_from([u.user_name for u in users] or ["-"]),
            )
        )
        if users and groups
        else st.just(frozenset())
    )
    permission_sets = [
        PermissionSet.build(
            name,
            session_duration=draw(st.sampled_from([None, "PT2H", "PT120M", "PT4H"])),
            managed_policies=draw(
                st.lists(
                    st.sampled_from(["arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B"])
                )
            ),
            inline_policy=draw(st.sampled_from([None, {"Version": "2012-10-17", "Statement": []}])),
        )
        for name in draw(st.lists(st.sampled_from(PERMISSION_SETS), unique=True))
    ]
    principals = [("USER", u.user_name) for u in users] + [("GROUP", g.name) for g in groups]
    assignments: frozenset[Assignment] = frozenset()
    if principals and permission_sets:
        assignments = draw(
            st.frozensets(
                st.builds(
                    lambda ps, p, acct: Assignment(ps, p[0], p[1], acct),
                    st.sampled_from([p.name for p in permission_sets]),
                    st.sampled_from(principals),
                    st.sampled_from([a.id for a in ACCOUNTS]),
                )
            )
        )
    return State.build(
        users=users,
        groups=groups,
        memberships=memberships,
        permission_sets=permission_sets,
        assignments=assignments,
        accounts=ACCOUNTS,
        provisioned={ps.name: [a.id for a in ACCOUNTS[:2]] for ps in permission_sets},
    )


def desired_of(state: State, reverse: bool = False) -> Desired:
    """`state` as a desired state with explicit-id rules (the snapshot form)."""
    rules = [
        AssignmentRule(
            permission_set=doc["permission_set"],
            groups=tuple(doc.get("groups", ())),
            users=tuple(doc.get("users", ())),
            accounts=tuple(doc["accounts"]),
        )
        for doc in codec.assignment_rules(state.assignments)
    ]
    order = reversed if reverse else iter
    return Desired(
        users={k: state.users[k] for k in order(list(state.users))},
        groups={k: state.groups[k] for k in order(list(state.groups))},
        memberships=state.memberships,
        permission_sets={k: state.permission_sets[k] for k in order(list(state.permission_sets))},
        rules=tuple(order(rules)),
        declared=DECLARED,
    )


def reordered(state: State) -> State:
    return State.build(
        users=reversed(list(state.users.values())),
        groups=reversed(list(state.groups.values())),
        memberships=sorted(state.memberships, reverse=True),
        permission_sets=reversed(list(state.permission_sets.values())),
        assignments=sorted(state.assignments, reverse=True),
        accounts=reversed(list(state.accounts.values())),
        org_units=reversed(list(state.org_units.values())),
        provisioned={k: sorted(v, reverse=True) for k, v in reversed(state.provisioned.items())},
        meta=state.meta,
    )


def plan_json(plan: Plan) -> str:
    return json.dumps(plan.to_json(), sort_keys=True)


@settings(max_examples=150, deadline=None)
@given(states())
def test_desired_equal_to_live_plans_nothing(live: State) -> None:
    plan = build_plan(desired_of(live), live, ALLOW, allow_deletes=True)
    assert plan.changes == ()
    assert plan.touched == {}


@settings(max_examples=150, deadline=None)
@given(states(), states())
def test_plan_is_independent_of_input_order(want: State, live: State) -> None:
    first = build_plan(desired_of(want), live, ALLOW, allow_deletes=True)
    second = build_plan(desired_of(want, reverse=True), reordered(live), ALLOW, allow_deletes=True)
    assert plan_json(first) == plan_json(second)


@settings(max_examples=150, deadline=None)
@given(states(), states())
def test_applying_the_plan_converges(want: State, live: State) -> None:
    plan = build_plan(desired_of(want), live, ALLOW, allow_deletes=True)
    after = apply_in_memory(live, plan)
    assert build_plan(desired_of(want), after, ALLOW, allow_deletes=True).changes == ()


def apply_in_memory(live: State, plan: Plan) -> State:
    """What apply would leave behind, from the plan's documents alone."""
    users = dict(live.users)
    groups = dict(live.groups)
    permission_sets = dict(live.permission_sets)
    memberships = set(live.memberships)
    assignments = set(live.assignments)
    for change in plan.changes:
        key, doc = change.key, change.after
        if change.kind == "user":
            users.pop(key["user_name"], None)
            if doc is not None:
                users[key["user_name"]] = codec.user_from_doc(doc)
        elif change.kind == "group":
            groups.pop(key["name"], None)
            if doc is not None:
                groups[key["name"]] = codec.group_from_doc(doc)[0]
        elif change.kind == "permission_set":
            permission_sets.pop(key["name"], None)
            if doc is not None:
                permission_sets[key["name"]] = codec.permission_set_from_doc(doc)
        elif change.kind == "membership":
            m = Membership(key["group"], key["user"])
            (memberships.add if doc is not None else memberships.discard)(m)
        else:
            a = Assignment(
                key["permission_set"],
                "USER" if key["principal_type"] == "USER" else "GROUP",
                key["principal"],
                key["account"],
            )
            (assignments.add if doc is not None else assignments.discard)(a)
    return State.build(
        users=users.values(),
        groups=groups.values(),
        memberships=memberships,
        permission_sets=permission_sets.values(),
        assignments=assignments,
        accounts=live.accounts.values(),
        provisioned=live.provisioned,
    )
