"""plan.only: `--only` narrows the notes without losing ones about no kind."""

from __future__ import annotations

from reconciler.plan import Change
from reconciler.plan.only import narrow


def test_notes_of_left_out_kinds_give_way_to_one_not_planned_note() -> None:
    user = Change("delete", "user", {"user_name": "zoe"}, {"user_name": "zoe"}, None)
    group = Change("create", "group", {"name": "Ops"}, None, {"name": "Ops"})
    member = Change("create", "membership", {"group": "Ops", "user": "zoe"}, None, None)
    notes = [
        "group: not declared in desired state; the 3 in AWS are left alone",
        "permission_set: not managed (manage.permission_sets: false); referenced by name only",
        "2 suspended accounts left out by accounts.include_suspended: false",
    ]
    kept, warnings, kept_notes, in_sync = narrow(
        [user, group, member], frozenset({"user", "membership"}), notes, {"user": 2, "group": 1}
    )
    assert kept == [user, member]
    assert kept_notes == [
        notes[1],
        notes[2],
        "group: not planned (--only users,memberships); 1 change(s) left out",
    ]
    assert in_sync == {"user": 2}
    assert warnings == [
        "create membership:Ops:zoe needs group 'Ops', created by a change --only "
        "users,memberships leaves out; apply fails on it until that group exists"
    ]
