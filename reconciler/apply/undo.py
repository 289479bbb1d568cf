"""What rolling back a journal would do, decided from the journal and live state.

A rollback may only touch what the change itself changed, and must not
overwrite what was changed after it without saying so. So every operation
the change's family (the apply and its resumes) ran is judged against live
state before anything is undone:

- it never took effect (FAILED: AWS refused it; SKIPPED; NOT_RUN): left alone;
  a refused create of a user someone made by hand meanwhile is theirs;
- live state is what the op left (`Writer.is_applied(op)`): undo it;
- live state is what the op found (`is_applied(inverse)`): already undone, by
  an earlier rollback or by hand; nothing to do;
- neither: DONE ops have *drifted* (changed since the apply) and are listed,
  and the rollback refuses unless forced; IN_DOUBT ops are half done (a crash
  between the calls of one change) and are undone, which restores `before`.

What is undone from neither state (half done, or forced over drift) is
undone from live state (`converge`): the inverse's own `before` is not what
AWS holds, so the writer reads it and makes only the calls still needed.

Judging by live state, not by walking rollback journals, is what makes chains
exact: after a rollback of a rollback, the apply's changes are live again and
`rollback` of the apply undoes them again.

Re-provisioning follows its permission set: it is re-run after the undo of
the set's update, whenever that update is undone: to the accounts the apply
re-provisioned, then to every account still stale at rollback time
(apply.ops.reprovision_ops), such as one assigned after the apply.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from reconciler.apply.executor import Step, WriterLike
from reconciler.apply.family import family, family_fates, rollbacks_of
from reconciler.apply.journal import Fate, Journal, read_journal
from reconciler.apply.ops import change_of, undo_order
from reconciler.desired.settings import SETTINGS_FILE, Settings
from reconciler.errors import IdcError
from reconciler.model.operations import Op
from reconciler.plan import Change, Plan

SHOWN = 10  # resources named in a refusal; the rest are counted


@dataclass
class UndoPlan:
    """The undo of one journal's change, with what it leaves alone and why."""

    journal: Journal
    # (seq undone, inverse, op) in undo order
    steps: list[Step] = field(default_factory=list)
    already: list[Op] = field(default_factory=list)  # live shows them undone
    drifted: list[Op] = field(default_factory=list)  # changed since the apply
    rollbacks: list[Journal] = field(default_factory=list)  # earlier rollbacks
    converge: set[int] = field(default_factory=set)  # seqs undone from live state

    @property
    def deletes(self) -> int:
        return sum(1 for _, inverse, _ in self.steps if inverse.removes)

    def as_plan(self) -> Plan:
        """The undo as a plan, so it is shown like any plan (before -> after);
        re-provisioning shows under its permission set's update."""
        changes: list[Change] = []
        for _, inverse, _ in self.steps:
            change = change_of(inverse, "undo")
            if change is not None:
                changes.append(change)
            elif "account" not in inverse.args:
                continue  # the stale accounts at rollback time: found when it runs
            elif changes and changes[-1].key.get("name") == inverse.args["name"]:
                account = str(inverse.args["account"])
                changes[-1] = replace(changes[-1], reprovision=(*changes[-1].reprovision, account))
        warnings = [f"changed since the apply: {op.describe()}" for op in self.drifted]
        return Plan(tuple(changes), self.journal.header.plan_fingerprint, tuple(warnings))


class UndoRefused(IdcError):
    """The rollback would overwrite later changes or break a guard; nothing ran."""


def plan_undo(writer: WriterLike, path: Path, *, force: bool = False) -> UndoPlan:
    """Judge every operation the journal's change ran against live state.

    `force`: drifted operations are undone too (their later change is lost).
    """
    journal = read_journal(path)
    members = family(journal)
    pairs = members[0].header.pairs
    plan = UndoPlan(journal=members[0], rollbacks=rollbacks_of(members))
    applied: list[Step] = []
    for seq, fate in sorted(family_fates(members).items()):
        op, inverse = pairs[seq]
        if fate not in (Fate.DONE, Fate.IN_DOUBT) or op.name == "provision_permission_set":
            continue
        if writer.is_applied(op):
            applied.append((seq, op, inverse))
        elif writer.is_applied(inverse):
            plan.already.append(op)
        elif fate is Fate.IN_DOUBT or force:
            applied.append((seq, op, inverse))
            plan.converge.add(seq)
            if fate is Fate.DONE:
                plan.drifted.append(op)
        else:
            plan.drifted.append(op)
    restored = {op.args["name"] for _, op, _ in applied if op.name == "update_permission_set"}
    for seq, (op, inverse) in enumerate(pairs):
        if op.name == "provision_permission_set" and op.args["name"] in restored:
            applied.append((seq, op, inverse))
    plan.steps = undo_order(sorted(applied))
    return plan


def check_undo(plan: UndoPlan, settings: Settings, *, force: bool, allow_deletes: bool) -> None:
    """Refuse, before anything changes, an undo that overwrites later changes
    (unless forced), touches a protected resource, or deletes more than
    safety.max_deletes (unless allowed)."""
    if plan.drifted and not force:
        names = _listed([op.describe() for op in plan.drifted])
        raise UndoRefused(
            f"{len(plan.drifted)} resource(s) changed since {plan.journal.name} was applied, "
            f"so undoing it would overwrite those later changes: {names}. Nothing was "
            "changed; review them (`idc rollback --dry-run`), then pass --force to undo "
            "anyway"
        )
    protected = [
        (inverse, glob)
        for _, inverse, _ in plan.steps
        if inverse.name != "provision_permission_set"
        and (glob := settings.safety.protected(inverse.key_text()))
    ]
    if protected:
        names = _listed([f'{inv.describe()} (safety.protect "{g}")' for inv, g in protected])
        raise UndoRefused(
            f"undoing {plan.journal.name} would change {len(protected)} protected "
            f"resource(s): {names}. Nothing was changed; protection is set in "
            f"{SETTINGS_FILE} (safety.protect)"
        )
    if plan.deletes > settings.safety.max_deletes and not allow_deletes:
        raise UndoRefused(
            f"undoing {plan.journal.name} deletes {plan.deletes} resources, more than "
            f"safety.max_deletes ({settings.safety.max_deletes}) in {SETTINGS_FILE}; "
            "review it with --dry-run and pass --allow-deletes if it is intended"
        )


def _listed(items: list[str]) -> str:
    more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return ", ".join(items[:SHOWN]) + more
