"""`idc plan --only KINDS`: the whole plan's changes of some kinds.

The plan is built for every managed kind first and narrowed afterwards, so
safety.protect still sees everything: a protected group keeps the member a
users-only plan would otherwise delete. What the narrowing leaves out is
said in the notes, and a kept change that needs a resource only a left-out
change would create is warned about (apply would fail on it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from reconciler.plan.changes import Change, Kind

# The `--only` word of each plan kind (plural, as `restore --only` and manage: use).
ONLY_WORD: dict[Kind, str] = {
    "user": "users",
    "group": "groups",
    "membership": "memberships",
    "permission_set": "permission_sets",
    "assignment": "assignments",
}


def only_kinds(words: Iterable[str]) -> frozenset[str]:
    """Plan kinds of `--only` words (store.restore.parse_kinds' plurals)."""
    by_word = {word: kind for kind, word in ONLY_WORD.items()}
    return frozenset(by_word[w] for w in words)


def narrow(
    changes: list[Change], only: frozenset[str], notes: Iterable[str], in_sync: Mapping[str, int]
) -> tuple[list[Change], list[str], list[str], dict[str, int]]:
    """(changes, warnings, notes, in_sync) of the `only` kinds; each left-out
    kind that had changes is noted once, with how many as `not planned`."""
    flag = "--only " + ",".join(w for k, w in ONLY_WORD.items() if k in only)
    kept = [c for c in changes if c.kind in only]
    created = {(c.kind, _name(c)) for c in changes if c.action == "create" and c.kind not in only}
    warnings = [
        f"{c.action} {c.key_text()} needs {kind} {name!r}, created by a change {flag} "
        f"leaves out; apply fails on it until that {kind.replace('_', ' ')} exists"
        for c in kept
        for kind, name in _references(c)
        if (kind, name) in created
    ]
    left_out = sorted({c.kind for c in changes if c.kind not in only}, key=list(ONLY_WORD).index)
    kept_notes = [n for n in notes if not _of_left_out_kind(n, only)]
    kept_notes += [
        f"{kind}: not planned ({flag}); {sum(c.kind == kind for c in changes)} change(s) left out"
        for kind in left_out
    ]
    return kept, warnings, kept_notes, {k: n for k, n in in_sync.items() if k in only}


def _of_left_out_kind(note: str, only: frozenset[str]) -> bool:
    """A `kind: ...` note of a managed kind --only leaves out (its `not
    planned` note replaces it); notes about unmanaged kinds, and notes not
    about one kind (accounts a filter dropped), are kept."""
    kind = note.split(":", 1)[0]
    return kind in ONLY_WORD and kind not in only and ": not managed (" not in note


def _name(change: Change) -> str:
    return next(iter(change.key.values()))


def _references(change: Change) -> list[tuple[str, str]]:
    key = change.key
    if change.kind == "assignment":
        principal = "user" if key["principal_type"].upper() == "USER" else "group"
        return [("permission_set", key["permission_set"]), (principal, key["principal"])]
    if change.kind == "membership":
        return [("group", key["group"]), ("user", key["user"])]
    return []
