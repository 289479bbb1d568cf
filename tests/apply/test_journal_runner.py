"""Journaling, ordering, resume and rollback against an in-memory writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.apply.journal import read_journal
from reconciler.apply.ops import ops_from_plan
from reconciler.apply.runner import Target, apply_pairs, resume, rollback, undo_plan
from reconciler.plan.changes import Change, Plan
from tests.apply.fakes import Crash, FakeWriter, _akey

OLD_PS = {"name": "Dev", "description": "old", "managed_policies": ["arn:a"]}
NEW_PS = {"name": "Dev", "description": "new", "managed_policies": ["arn:b"]}


def seeded() -> FakeWriter:
    """A live world the sample plan changes in every way."""
    w = FakeWriter()
    w.users = {"bob": {"user_name": "bob", "title": "old"}, "carol": {"user_name": "carol"}}
    w.groups = {"Old": {"name": "Old", "description": "to delete"}}
    w.members = {("Old", "carol")}
    w.permission_sets = {"Dev": dict(OLD_PS), "Gone": {"name": "Gone", "description": "x"}}
    w.assignments = {("Gone", "GROUP", "Old", "111111111111")}
    w.provisioned = {
        "Dev/111111111111": dict(OLD_PS),
        "Gone/111111111111": {"name": "Gone", "description": "x"},
    }
    return w


def sample_plan() -> Plan:
    a_old = {
        "permission_set": "Gone",
        "principal_type": "GROUP",
        "principal": "Old",
        "account": "111111111111",
    }
    a_new = {
        "permission_set": "Ops",
        "principal_type": "USER",
        "principal": "alice",
        "account": "222222222222",
    }
    changes = [
        Change("delete", "user", {"user_name": "carol"}, before={"user_name": "carol"}),
        Change("create", "user", {"user_name": "alice"}, after={"user_name": "alice"}),
        Change(
            "update",
            "user",
            {"user_name": "bob"},
            before={"user_name": "bob", "title": "old"},
            after={"user_name": "bob", "title": "new"},
        ),
        Change("create", "group", {"name": "Ops"}, after={"name": "Ops", "members": ["alice"]}),
        Change(
            "delete",
            "group",
            {"name": "Old"},
            before={"name": "Old", "description": "to delete", "members": ["carol"]},
        ),
        Change("create", "membership", {"group": "Ops", "user": "alice"}),
        Change("delete", "membership", {"group": "Old", "user": "carol"}),
        Change("create", "permission_set", {"name": "Ops"}, after={"name": "Ops"}),
        Change(
            "update",
            "permission_set",
            {"name": "Dev"},
            before=OLD_PS,
            after=NEW_PS,
            reprovision=("111111111111",),
        ),
        Change(
            "delete",
            "permission_set",
            {"name": "Gone"},
            before={"name": "Gone", "description": "x"},
        ),
        Change("create", "assignment", a_new),
        Change("delete", "assignment", a_old),
    ]
    return Plan(tuple(changes), fingerprint="f" * 64)


def target(writer: FakeWriter, tmp_path: Path) -> Target:
    return Target(
        writer,
        tmp_path / "journal",
        "arn:aws:sso:::instance/ssoins-1",
        "d-1",
        {"arn": "arn:aws:iam::1:user/ci"},
    )


def test_ops_follow_spec_order_and_carry_exact_inverses() -> None:
    pairs = ops_from_plan(sample_plan())
    names = [op.name for op, _ in pairs]
    assert names == [
        "create_permission_set",
        "update_permission_set",
        "create_user",
        "update_user",
        "create_group",
        "add_member",
        "create_assignment",
        # to the account the plan saw, then to any account stale by then
        "provision_permission_set",
        "provision_permission_set",
        "delete_assignment",
        "remove_member",
        "delete_permission_set",
        "delete_group",
        "delete_user",
    ]
    inverse = {op.name: inv for op, inv in pairs}
    assert inverse["delete_user"].args == {"doc": {"user_name": "carol"}}
    assert inverse["delete_group"].args == {"doc": {"name": "Old", "description": "to delete"}}
    assert inverse["update_permission_set"].args["after"] == OLD_PS
    assert inverse["delete_permission_set"].name == "create_permission_set"
    assert inverse["create_assignment"].name == "delete_assignment"


def test_apply_reaches_the_plan_and_rollback_restores_exactly(tmp_path: Path) -> None:
    w = seeded()
    before = w.world()
    result = apply_pairs(target(w, tmp_path), ops_from_plan(sample_plan()), "f" * 64)
    assert result.ok
    assert w.permission_sets["Dev"] == NEW_PS and w.provisioned["Dev/111111111111"] == NEW_PS
    assert "carol" not in w.users and w.users["bob"]["title"] == "new"
    undo = rollback(target(w, tmp_path), result.journal)
    assert undo.ok
    after = w.world()
    # The re-created Ops permission set's provisioning leftovers aside, all is back.
    after["provisioned"].pop("Ops/222222222222", None)
    assert after == before
    header = read_journal(undo.journal).header
    assert header.kind == "rollback" and header.parent == result.journal.name


def test_journal_records_intent_before_and_done_after_each_call(tmp_path: Path) -> None:
    w = seeded()
    result = apply_pairs(target(w, tmp_path), ops_from_plan(sample_plan()))
    lines = result.journal.read_text().splitlines()
    import json

    records = [json.loads(line) for line in lines]
    assert records[0]["type"] == "header" and records[0]["caller"]["arn"].endswith("user/ci")
    kinds = [(r["type"], r.get("seq")) for r in records[1:-1]]
    assert kinds == [(t, s) for s in range(14) for t in ("intent", "done")]
    assert records[-1] == {**records[-1], "type": "end", "status": "succeeded"}
    audit = (tmp_path / "journal" / "audit.jsonl").read_text().splitlines()
    assert len(audit) == 14 and '"caller": "arn:aws:iam::1:user/ci"' in audit[0]


def test_a_torn_last_line_is_ignored(tmp_path: Path) -> None:
    w = seeded()
    result = apply_pairs(target(w, tmp_path), ops_from_plan(sample_plan()))
    data = result.journal.read_bytes()
    cut = data[: data.rindex(b"\n", 0, len(data) - 1) + 15]  # mid-way through the end record
    result.journal.write_bytes(cut)
    journal = read_journal(result.journal)
    assert journal.end is None and len(journal.ok) == 14


@pytest.mark.parametrize("crash", ["before", "after"])
def test_a_crash_at_any_call_then_resume_or_rollback_converges(tmp_path: Path, crash: str) -> None:
    pairs = ops_from_plan(sample_plan())
    reference = seeded()
    apply_pairs(target(reference, tmp_path / "ref"), pairs)
    for n in range(len(pairs)):
        for finish in ("resume", "rollback"):
            w = seeded()
            before = w.world()
            setattr(w, f"crash_{crash}", n)
            with pytest.raises(Crash):
                apply_pairs(target(w, tmp_path / f"{n}{finish}"), pairs)
            setattr(w, f"crash_{crash}", None)
            (journal,) = (tmp_path / f"{n}{finish}" / "journal").glob("2*.jsonl")
            if finish == "resume":
                assert resume(target(w, tmp_path / f"{n}{finish}"), journal).ok
                assert w.world() == reference.world()
            else:
                assert rollback(target(w, tmp_path / f"{n}{finish}"), journal).ok
                after = w.world()
                after["provisioned"].pop("Ops/222222222222", None)
                assert after == before, (n, finish)


def test_failure_stops_and_rollback_undoes_only_what_ran(tmp_path: Path) -> None:
    w = seeded()
    before = w.world()
    w.fail = lambda op: "Quota exceeded" if op.name == "create_assignment" else None
    result = apply_pairs(target(w, tmp_path), ops_from_plan(sample_plan()))
    assert not result.ok
    op, error = result.first_failure  # type: ignore[misc]
    assert op.name == "create_assignment" and error.reason == "Quota exceeded"
    assert not any(c.name == "delete_assignment" for c in w.calls)  # stopped there
    undo = undo_plan(target(w, tmp_path), result.journal).steps
    assert [inv.name for _, inv, _ in undo] == [
        "remove_member",
        "delete_group",
        "update_user",
        "delete_user",
        "update_permission_set",
        # The restored set is re-provisioned where it is, even though the
        # failed apply never got to re-provision the update: to the planned
        # account, then to every account still stale.
        "provision_permission_set",
        "provision_permission_set",
        "delete_permission_set",
    ]
    assert rollback(target(w, tmp_path), result.journal).ok
    assert w.world() == before


def test_a_second_rollback_after_an_interrupted_one_finishes_it(tmp_path: Path) -> None:
    w = seeded()
    before = w.world()
    result = apply_pairs(target(w, tmp_path), ops_from_plan(sample_plan()))
    w.crash_after = len(w.calls) + 4
    with pytest.raises(Crash):
        rollback(target(w, tmp_path), result.journal)
    w.crash_after = None
    second = rollback(target(w, tmp_path), result.journal)
    assert second.ok and second.skipped == 0
    after = w.world()
    after["provisioned"].pop("Ops/222222222222", None)
    assert after == before
    assert len(read_journal(second.journal).header.pairs) == 14 - 5


def test_apply_never_counts_a_refused_change_as_done_even_if_live_has_it(tmp_path: Path) -> None:
    # Someone made the apply's assignment by hand; AWS refuses the create.
    # Counting it as done would journal an inverse that later deletes THEIR
    # assignment, so apply reports the failure (a rollback may settle it).
    w = seeded()
    w.fail = lambda op: "already exists" if op.name == "create_assignment" else None
    args = next(op.args for op, _ in ops_from_plan(sample_plan()) if op.name == "create_assignment")
    w.assignments.add(_akey(args))

    result = apply_pairs(target(w, tmp_path), ops_from_plan(sample_plan()))

    assert not result.ok and result.outcome.already == []
    assert result.first_failure[0].name == "create_assignment"  # type: ignore[index]


def test_continue_on_error_skips_what_needs_a_failed_delete_and_rollback_is_exact(
    tmp_path: Path,
) -> None:
    w = seeded()
    before = w.world()
    w.fail = lambda op: "Access denied" if op.name == "delete_assignment" else None
    plan = ops_from_plan(sample_plan())
    result = apply_pairs(target(w, tmp_path), plan, continue_on_error=True)
    assert not result.ok and result.continue_on_error
    skipped = [(step[1].describe(), cause[1].name) for step, cause in result.outcome.skipped]
    assert skipped == [
        ("delete_permission_set Gone", "delete_assignment"),
        ("delete_group Old", "delete_assignment"),
    ]
    # the independent rest ran, the skipped ones were never called
    assert [c.name for c in w.calls][-2:] == ["remove_member", "delete_user"]
    journal = read_journal(result.journal)
    assert set(journal.skipped) == {s[0] for s, _ in result.outcome.skipped}
    assert not set(journal.skipped) & journal.intents
    assert journal.header.continue_on_error
    w.fail = lambda op: None  # the rollback deletes the assignment the apply created
    assert rollback(target(w, tmp_path), result.journal).ok
    after = w.world()
    after["provisioned"].pop("Ops/222222222222", None)  # AWS keeps it provisioned too
    assert after == before


def test_continue_on_error_still_stops_at_a_failed_synchronous_op(tmp_path: Path) -> None:
    # A failed membership removal followed by the group's delete would make
    # the rollback inexact: only assignment and provisioning failures go on.
    w = seeded()
    w.fail = lambda op: "Conflict" if op.name == "remove_member" else None
    result = apply_pairs(target(w, tmp_path), ops_from_plan(sample_plan()), continue_on_error=True)
    assert result.first_failure[0].name == "remove_member"  # type: ignore[index]
    assert w.calls[-1].name == "remove_member" and not result.outcome.skipped


def test_a_lost_lock_stops_the_run_before_its_next_write_and_resume_finishes(
    tmp_path: Path,
) -> None:
    """Target.guard (the S3 lease check) fails after three writes: the fourth
    is never called nor journaled as intended, the journal ends interrupted
    with the reason, and a resume (holding the lock again) finishes the plan."""
    import json

    from reconciler.apply.lease import LockLostError
    from reconciler.apply.runner import RunInterrupted

    w = seeded()
    lost = "this apply lost the S3 lock s3://b/k: it is now held by pid 7"

    def guard() -> None:
        if len(w.calls) >= 3:
            raise LockLostError(lost)

    t = target(w, tmp_path)
    t.guard = guard
    with pytest.raises(RunInterrupted) as stopped:
        apply_pairs(t, ops_from_plan(sample_plan()))
    assert stopped.value.reason == lost and len(w.calls) == 3
    records = [json.loads(line) for line in stopped.value.journal.read_text().splitlines()]
    assert [r["seq"] for r in records if r["type"] == "intent"] == [0, 1, 2]
    assert records[-1] == {**records[-1], "type": "end", "status": "interrupted", "message": lost}
    finished = resume(target(w, tmp_path), stopped.value.journal)
    assert finished.ok and len(w.calls) == 14  # 14 ops, the account-less provision too
