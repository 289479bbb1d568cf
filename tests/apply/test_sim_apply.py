"""Apply and rollback against the simulator: every kind, and random states."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.apply.runner import rollback
from reconciler.model import (
    Assignment,
    Group,
    Membership,
    PermissionSet,
    PersonName,
    State,
    User,
)
from reconciler.sim import Simulator, seed_demo
from tests.apply.simhelp import apply_state, comparable, fast_session, live, plan_for, target


@pytest.fixture
def sim():  # type: ignore[no-untyped-def]
    with Simulator() as sim:
        seed_demo(sim)
        yield sim


def changed_everything(state: State) -> State:
    """The demo with a create, an update and a delete of every kind."""
    users = dict(state.users)
    doomed_user = "frank@example.com"
    users.pop(doomed_user)
    users["zed@example.com"] = User(
        "zed@example.com", display_name="Zed", name=PersonName(given="Zed", family="Z"), title="New"
    )
    first = next(iter(sorted(users)))
    users[first] = replace(users[first], title="Changed title", nick_name=None)
    groups = dict(state.groups)
    groups["Payments"] = replace(groups["Payments"], description="Payments, renamed team")
    doomed_group = "Auditors"
    groups.pop(doomed_group)
    groups["Newcomers"] = Group("Newcomers", description="new group")
    members = {m for m in state.memberships if doomed_user != m.user and m.group != doomed_group}
    members.add(Membership("Newcomers", "zed@example.com"))
    members.discard(sorted(members)[0])
    sets = dict(state.permission_sets)
    doomed_set = "Billing"
    sets.pop(doomed_set)
    sets["Developer"] = replace(sets["Developer"], description="changed", session_duration="PT2H")
    sets["Fresh"] = PermissionSet.build(
        "Fresh",
        description="new",
        session_duration="PT1H",
        managed_policies=["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        tags={"team": "x"},
    )
    assignments = {
        a
        for a in state.assignments
        if a.permission_set != doomed_set and a.principal not in (doomed_user, doomed_group)
    }
    assignments.discard(sorted(assignments)[0])
    assignments.add(Assignment("Fresh", "GROUP", "Newcomers", "333333333333"))
    assignments.add(Assignment("Fresh", "USER", "zed@example.com", "222222222222"))
    return State.build(
        users=users.values(),
        groups=groups.values(),
        memberships=members,
        permission_sets=sets.values(),
        assignments=assignments,
    )


def test_apply_then_a_fresh_read_equals_desired_for_every_kind(sim, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    session = fast_session()
    want = changed_everything(live(session))
    result = apply_state(session, want, tmp_path)
    assert result.ok, result.first_failure
    plan, after = plan_for(session, want)
    assert plan.empty, [c.key_text() for c in plan.changes]
    for kind in ("users", "groups", "memberships", "permission_sets", "assignments"):
        assert getattr(after, kind) == getattr(want, kind), kind
    assert after.provisioned["Fresh"] == {"333333333333", "222222222222"}


def test_rollback_restores_the_state_before_exactly(sim, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    session = fast_session()
    before = live(session)
    result = apply_state(session, changed_everything(before), tmp_path)
    assert result.ok
    undo = rollback(target(session, before, tmp_path), result.journal)
    assert undo.ok, undo.first_failure
    assert comparable(live(session)) == comparable(before)


NAMES = st.sampled_from(["u1@example.com", "u2@example.com", "u3@example.com"])


@st.composite
def mutations(draw: st.DrawFn, state: State) -> State:
    """A small random desired state derived from `state` (consistent references)."""
    users = {k: u for k, u in state.users.items() if draw(st.booleans()) or k.startswith("a")}
    for name in draw(st.sets(NAMES, max_size=2)):
        users[name] = User(
            name,
            display_name=name.split("@")[0],
            name=PersonName(given="G", family="F"),
            title=draw(st.sampled_from([None, "Engineer", "Lead"])),
        )
    for key in draw(st.sets(st.sampled_from(sorted(users)), max_size=2)):
        users[key] = replace(
            users[key], title=draw(st.sampled_from(["Staff", "Lead engineer", "CTO"]))
        )
    groups = {k: g for k, g in state.groups.items() if draw(st.integers(0, 3))}
    if draw(st.booleans()):
        groups["Extra"] = Group("Extra", description=draw(st.sampled_from([None, "x", "y"])))
    sets = {k: p for k, p in state.permission_sets.items() if draw(st.integers(0, 3))}
    for key in draw(st.sets(st.sampled_from(sorted(sets)), max_size=2)) if sets else ():
        sets[key] = replace(sets[key], description=draw(st.sampled_from(["d1", "d2"])))
    if draw(st.booleans()):
        sets["Extra"] = PermissionSet.build("Extra", session_duration="PT3H")
    members = {
        m
        for m in state.memberships
        if m.group in groups and m.user in users and draw(st.integers(0, 4))
    }
    members |= (
        {
            Membership(g, u)
            for g, u in draw(
                st.sets(
                    st.tuples(st.sampled_from(sorted(groups)), st.sampled_from(sorted(users))),
                    max_size=3,
                )
            )
        }
        if groups
        else set()
    )
    principals = [("GROUP", g) for g in groups] + [("USER", u) for u in users]
    accounts = ["222222222222", "333333333333", "444444444444", "555555555555"]
    assignments = {
        a
        for a in state.assignments
        if a.permission_set in sets
        and (a.principal in groups or a.principal in users)
        and draw(st.integers(0, 4))
    }
    if sets:
        for ps, (ptype, principal), account in draw(
            st.lists(
                st.tuples(
                    st.sampled_from(sorted(sets)),
                    st.sampled_from(principals),
                    st.sampled_from(accounts),
                ),
                max_size=3,
            )
        ):
            assignments.add(Assignment(ps, ptype, principal, account))  # type: ignore[arg-type]
    return State.build(
        users=users.values(),
        groups=groups.values(),
        memberships=members,
        permission_sets=sets.values(),
        assignments=assignments,
    )


# 4 examples in `make test` (each is a whole apply and rollback); the 10 this
# property had run under `make faults`.
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_property_apply_then_rollback_restores_live_exactly(data: st.DataObject) -> None:
    check_apply_then_rollback(data)


@pytest.mark.faults
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_property_apply_then_rollback_restores_live_exactly_many_examples(
    data: st.DataObject,
) -> None:
    check_apply_then_rollback(data)


def check_apply_then_rollback(data: st.DataObject) -> None:
    """A drawn change applied, then rolled back, leaves live as it was."""
    with Simulator() as sim, tempfile.TemporaryDirectory() as tmp:
        seed_demo(sim)
        session = fast_session()
        before = live(session)
        want = data.draw(mutations(before))
        result = apply_state(session, want, Path(tmp))
        assert result.ok, result.first_failure
        applied = live(session)
        for kind in ("users", "groups", "memberships", "permission_sets", "assignments"):
            assert getattr(applied, kind) == getattr(want, kind), kind
        undo = rollback(target(session, before, Path(tmp)), result.journal)
        assert undo.ok, undo.first_failure
        assert comparable(live(session)) == comparable(before)
