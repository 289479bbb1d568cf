"""Narrowing a restore plan: selection by name, then a conflict strategy.

A restore is one plan (build_plan of the snapshot against live state); what
`--select` and `--strategy` leave out is filtered from that plan here, never
planned a second way. Pure: the interactive half of `prompt` is a `decide`
callback the CLI supplies. Every change left out becomes a `Skipped` entry
with its reason, so the reviewer sees what a restore does not do.

- `select_changes`: changes whose key (Change.key_text(), matched like
  safety.protect globs) matches a `--select` glob, plus what they need: an
  assignment its permission set and principal, a membership its group and
  user; a selected delete brings the deletes of what refers to it.
- `apply_strategy`: overwrite keeps all; skip keeps creates; merge keeps
  creates and updates; prompt keeps creates and asks about each update and
  delete. A delete left out keeps what it would have removed alive, so the
  deletes that would remove those (a permission set under a kept
  assignment) are left out too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from fnmatch import fnmatchcase

from reconciler.desired.settings import Settings, protect_glob
from reconciler.errors import IdcError
from reconciler.model import State
from reconciler.plan.changes import Change, Plan, Skipped
from reconciler.plan.protect import closest_key, matches_any_key
from reconciler.plan.safety import needs, targets

STRATEGIES: tuple[str, ...] = ("overwrite", "skip", "merge", "prompt")
DEFAULT_STRATEGY = "overwrite"
Decide = Callable[[Change], bool]  # prompt: True applies the change

_DROPPED = {
    "overwrite": (),
    "skip": ("update", "delete"),
    "merge": ("delete",),
}
_WHY = {
    "skip": {"update": "never updates", "delete": "never deletes"},
    "merge": {"delete": "never deletes"},
}


def select_changes(
    plan: Plan, globs: Sequence[str], states: Sequence[State], settings: Settings
) -> Plan:
    """The plan narrowed to the changes `globs` select and what they need.

    Raises IdcError naming every glob that matches no resource in `states`
    (the snapshot and live state), each with the closest key; a glob that
    matches a resource already in sync selects nothing, which is fine.
    """
    if not globs:
        return plan
    unmatched = [g for g in globs if not matches_any_key(g, states, settings)]
    if unmatched:
        lines = [
            f'--select "{g}" matches no resource in the snapshot or live state'
            + closest_key(g, states, settings)
            for g in unmatched
        ]
        raise IdcError("; ".join(lines))
    patterns = [protect_glob(g) for g in globs]
    chosen = {id(c) for c in plan.changes if any(fnmatchcase(c.key_text(), p) for p in patterns)}
    needed_by: dict[int, str] = {}  # id(change) -> key of the selected change needing it
    frontier = [c for c in plan.changes if id(c) in chosen]
    while frontier:
        found: list[Change] = []
        for change in frontier:
            for other in _dependencies(change, plan.changes):
                if id(other) not in chosen and id(other) not in needed_by:
                    needed_by[id(other)] = change.key_text()
                    found.append(other)
        frontier = found
    kept: list[Change] = []
    skipped: list[Skipped] = []
    for change in plan.changes:
        if id(change) in chosen:
            kept.append(change)
        elif id(change) in needed_by:
            why = f"needed by selected {needed_by[id(change)]}"
            kept.append(replace(change, reason=f"{change.reason}; {why}" if change.reason else why))
        else:
            skipped.append(Skipped(change.action, change.key_text(), "not selected by --select"))
    notes = [f"--select {', '.join(globs)}: {len(chosen)} change(s) selected"]
    if needed_by:
        notes.append(f"{len(needed_by)} change(s) brought along because selected ones need them")
    return _narrowed(plan, kept, skipped, notes)


def _dependencies(change: Change, changes: Iterable[Change]) -> list[Change]:
    """Changes that must come with `change`: for a create or update, the
    creates of what it refers to; for a delete, the deletes of what refers
    to what it removes."""
    if change.action == "delete":
        gone = set(targets(change))
        if change.kind in ("user", "group", "permission_set"):
            name = next(iter(change.key.values()))
            gone |= {(change.kind, name)}
        return [
            c
            for c in changes
            if c.action == "delete" and c is not change and not gone.isdisjoint(needs(c))
        ]
    wanted = set(needs(change)) if change.kind in ("assignment", "membership") else set()
    return [
        c
        for c in changes
        if c.action == "create"
        and c.kind in ("user", "group", "permission_set")
        and (c.kind, next(iter(c.key.values()))) in wanted
    ]


def apply_strategy(plan: Plan, strategy: str, decide: Decide | None = None) -> Plan:
    """The plan under a conflict strategy (STRATEGIES); `decide` answers
    `prompt` for each update and delete, in plan order."""
    if strategy not in STRATEGIES:
        raise IdcError(f"unknown strategy {strategy!r}; choose from {', '.join(STRATEGIES)}")
    if strategy == "overwrite":
        return plan
    kept: list[Change] = []
    skipped: list[Skipped] = []
    for change in plan.changes:
        if strategy == "prompt":
            if change.action == "create" or (decide is not None and decide(change)):
                kept.append(change)
            else:
                skipped.append(Skipped(change.action, change.key_text(), "declined at the prompt"))
        elif change.action in _DROPPED[strategy]:
            why = f"{strategy} strategy: {_WHY[strategy][change.action]}"
            skipped.append(Skipped(change.action, change.key_text(), why))
        else:
            kept.append(change)
    kept, more = _keep_what_skipped_deletes_need(kept, plan.changes, skipped)
    return _narrowed(plan, kept, [*skipped, *more], [])


def _keep_what_skipped_deletes_need(
    kept: list[Change], every: Sequence[Change], skipped: list[Skipped]
) -> tuple[list[Change], list[Skipped]]:
    """Deletes of what a left-out delete's resource still needs (an
    assignment kept keeps its permission set), left out as well."""
    left_out = {s.key for s in skipped if s.action == "delete"}
    alive: set[tuple[str, str]] = set()
    for change in every:
        if change.action == "delete" and change.key_text() in left_out:
            alive.update(needs(change))
    more: list[Skipped] = []
    while True:
        dependents = [c for c in kept if c.action == "delete" and not alive.isdisjoint(targets(c))]
        if not dependents:
            return kept, more
        kept = [c for c in kept if all(c is not d for d in dependents)]
        for change in dependents:
            more.append(Skipped("delete", change.key_text(), "needed by a resource left in place"))
            alive.update(needs(change))


def _narrowed(plan: Plan, kept: list[Change], skipped: list[Skipped], notes: list[str]) -> Plan:
    keys = {c.key_text() for c in kept}
    return replace(
        plan,
        changes=tuple(kept),
        skipped=(*plan.skipped, *skipped),
        touched={k: v for k, v in plan.touched.items() if k in keys},
        notes=(*plan.notes, *notes),
    )
