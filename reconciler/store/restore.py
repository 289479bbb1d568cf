"""Restore: an old snapshot as the desired state (docs/cli.md, `idc restore`).

A snapshot already is a desired-state document set with explicit account ids,
so restoring needs no new machinery: the snapshot becomes a `Desired` (every
restored kind declared, so what was added since is deleted), `build_plan`
compares it with live state under the repository's settings, and apply runs
the plan like any other. Only what the live organization can no longer hold
is left out here, with a warning saying how much: assignments on accounts
that left the organization, and references to kinds `--only` or `manage:`
leave alone that are not in AWS any more.

`verify_restored` is the check behind `idc restore --test`: a State read back
after restoring into an empty simulator must equal the snapshot, record for
record and attribute for attribute.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import git

from reconciler.desired.settings import Settings
from reconciler.desired.types import AssignmentRule, Desired, Location
from reconciler.errors import IdcError
from reconciler.model import Assignment, Membership, State
from reconciler.store.backup_targets import is_backup_source
from reconciler.store.fields import FieldKeys
from reconciler.store.history import BackupOpener, History
from reconciler.store.semantic_diff import StateDiff, diff_states
from reconciler.store.snapshot_files import (
    ASSIGNMENTS_DIR,
    GROUPS_FILE,
    PERMISSION_SETS_DIR,
    USERS_FILE,
    file_name_for,
)

# Plural, in apply order; also the `--only` vocabulary and the snapshot files' keys.
RESTORABLE_KINDS: tuple[str, ...] = (
    "users",
    "groups",
    "memberships",
    "permission_sets",
    "assignments",
)
_READ_KIND = {
    "users": "user",
    "groups": "group",
    "memberships": "membership",
    "permission_sets": "permission_set",
    "assignments": "assignment",
}


def parse_kinds(text: str | None) -> tuple[str, ...]:
    """`--only users,permission_sets` as kinds in RESTORABLE_KINDS order; None
    means all. Singular names and dashes are accepted (`permission-set`)."""
    if text is None:
        return RESTORABLE_KINDS
    wanted: set[str] = set()
    for raw in text.split(","):
        word = raw.strip().lower().replace("-", "_")
        if not word:
            continue
        plural = word if word.endswith("s") else word + "s"
        if plural not in RESTORABLE_KINDS:
            raise IdcError(
                f"--only: unknown kind {raw.strip()!r}; choose from {', '.join(RESTORABLE_KINDS)}"
            )
        wanted.add(plural)
    if not wanted:
        raise IdcError(f"--only: name at least one of {', '.join(RESTORABLE_KINDS)}")
    return tuple(k for k in RESTORABLE_KINDS if k in wanted)


@dataclass(frozen=True)
class Source:
    """The snapshot a restore starts from, and how to name it and its files."""

    state: State
    label: str  # "v1 (1a2b3c4d5e6f)"
    origin: str  # "1a2b3c4d5e6f:state", prefix of file locations in plan reasons
    # Target account id -> the backup's, for accounts `--map` renamed.
    mapped_from: Mapping[str, str] = field(default_factory=dict)


def load_source(
    repo: Path, rev: str, keys: FieldKeys | None = None, backups: BackupOpener | None = None
) -> Source:
    """The snapshot committed at `rev` (any git revision or tag), or with
    `backups` an exported backup (folder or s3://); IdcError when the
    revision is unknown or holds no state/."""
    history = History(repo, keys, backups)
    if backups is None or not is_backup_source(rev):
        try:
            git.Repo(repo, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise IdcError(
                f"{repo} is not a git repository, so it holds no snapshot {rev!r} to restore "
                "(snapshots are the commits `idc snapshot` makes)"
            ) from None
    snapshot = history.snapshot(rev)
    state, _ = snapshot.read()
    return Source(state, snapshot.label, snapshot.origin)


def restored_kinds(kinds: Iterable[str], settings: Settings) -> tuple[tuple[str, ...], list[str]]:
    """The kinds a restore changes (asked for and managed), and a note for each
    asked-for kind that `manage:` in idc.yaml keeps out."""
    kept, notes = [], []
    for kind in kinds:
        if kind in settings.manage:
            kept.append(kind)
        else:
            notes.append(f"{kind} are not restored: manage.{kind} is false in idc.yaml")
    return tuple(kept), notes


def live_kinds(kinds: Iterable[str]) -> frozenset[str]:
    """What `read_state(kinds=...)` must read to plan restoring `kinds`
    (the reader adds what each refers to; assignments also need the
    permission sets' names and the organization)."""
    out = {_READ_KIND[k] for k in kinds}
    if "assignment" in out:
        out |= {"permission_set", "account"}
    return frozenset(out)


@dataclass(frozen=True)
class RestoreInput:
    desired: Desired
    warnings: tuple[str, ...]  # what the snapshot holds that cannot be restored, and why


def restore_desired(source: Source, live: State, kinds: Iterable[str]) -> RestoreInput:
    """The snapshot's records of `kinds` as a Desired that declares exactly
    those kinds: other kinds are neither changed nor deleted.

    `kinds` must already be narrowed to managed kinds (`restored_kinds`).
    Memberships and assignments whose group, user or permission set will not
    exist after the restore (not restored and gone from AWS), and assignments
    on accounts no longer in the organization, are skipped with a warning.
    """
    snap, origin = source.state, source.origin
    kinds = tuple(kinds)

    def exists(kind: str, name: str) -> bool:
        pool: Mapping[str, Any] = getattr(snap if kind in kinds else live, kind)
        return name in pool

    warnings: list[str] = []
    memberships: list[Membership] = []
    if "memberships" in kinds:
        kept = [
            m for m in snap.memberships if exists("groups", m.group) and exists("users", m.user)
        ]
        _warn_missing(warnings, len(snap.memberships) - len(kept), "membership(s)")
        memberships = kept
    rules: list[AssignmentRule] = []
    if "assignments" in kinds:
        rules = _assignment_rules(snap, live, exists, origin, warnings)
    locations = {
        ("membership", f"{m.group}:{m.user}"): Location(f"{origin}/{GROUPS_FILE}")
        for m in memberships
    }
    if "users" in kinds:
        locations |= {("user", name): Location(f"{origin}/{USERS_FILE}") for name in snap.users}
    if "groups" in kinds or "memberships" in kinds:  # a group's entry lists its members
        locations |= {("group", name): Location(f"{origin}/{GROUPS_FILE}") for name in snap.groups}
    if "permission_sets" in kinds:
        locations |= {
            ("permission_set", name): Location(
                f"{origin}/{PERMISSION_SETS_DIR}/{file_name_for(name)}"
            )
            for name in snap.permission_sets
        }
    desired = Desired(
        users=dict(snap.users) if "users" in kinds else {},
        groups=dict(snap.groups) if "groups" in kinds else {},
        memberships=frozenset(memberships),
        permission_sets=dict(snap.permission_sets) if "permission_sets" in kinds else {},
        rules=tuple(rules),
        locations=locations,
        declared=frozenset(kinds),
    )
    return RestoreInput(desired, tuple(warnings))


def _warn_missing(warnings: list[str], count: int, what: str) -> None:
    if count:
        warnings.append(
            f"skipping {count} {what} naming a group, user or permission set that is "
            "neither restored nor in AWS any more"
        )


def _assignment_rules(
    snap: State, live: State, exists: Any, origin: str, warnings: list[str]
) -> list[AssignmentRule]:
    """One explicit-account rule per (account, permission set), located at the
    snapshot file it comes from so plan reasons name it."""
    gone: dict[str, int] = {}
    dangling = 0
    grouped: dict[tuple[str, str], list[Assignment]] = {}
    for a in snap.sorted_assignments():
        if a.account not in live.accounts:
            gone[a.account] = gone.get(a.account, 0) + 1
            continue
        principal_kind = "users" if a.principal_type == "USER" else "groups"
        if not (
            exists("permission_sets", a.permission_set) and exists(principal_kind, a.principal)
        ):
            dangling += 1
            continue
        grouped.setdefault((a.account, a.permission_set), []).append(a)
    if gone:
        ids = ", ".join(sorted(gone))
        warnings.append(
            f"skipping {sum(gone.values())} assignment(s) on {len(gone)} account(s) "
            f"no longer in the organization: {ids}"
        )
    _warn_missing(warnings, dangling, "assignment(s)")
    return [
        AssignmentRule(
            permission_set=ps,
            groups=tuple(a.principal for a in items if a.principal_type == "GROUP"),
            users=tuple(a.principal for a in items if a.principal_type == "USER"),
            accounts=(account,),
            location=Location(f"{origin}/{ASSIGNMENTS_DIR}/{file_name_for(account)}"),
        )
        for (account, ps), items in sorted(grouped.items())
    ]


@dataclass(frozen=True)
class Verdict:
    """How a State read back after a test restore compares with its snapshot."""

    counts: dict[str, int]  # kind -> records in the snapshot
    diff: StateDiff  # snapshot -> restored, Identity Center kinds only

    @property
    def restorable(self) -> bool:
        return self.diff.empty

    def summary(self) -> str:
        """`8 users, 5 groups, ... match` or the differences, one per line."""
        counted = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in self.counts.items())
        if self.restorable:
            return f"restorable: {counted} match"
        lines = [f"not restorable: {len(self.diff.changes)} difference(s) after restoring"]
        for change in self.diff.changes:
            detail = ", ".join(f"{a.path}: {a.before!r} -> {a.after!r}" for a in change.attributes)
            word = {"added": "extra", "removed": "missing", "changed": "differs"}[change.action]
            lines.append(
                f"  {change.kind} {change.key}: {word}" + (f" ({detail})" if detail else "")
            )
        return "\n".join(lines)


def verify_restored(snapshot: State, restored: State) -> Verdict:
    """Compare every Identity Center record and attribute (the organization
    was seeded, not restored, so it is not evidence)."""
    counts = {k: v for k, v in snapshot.counts().items() if k in RESTORABLE_KINDS}
    return Verdict(counts, diff_states(snapshot, restored, RESTORABLE_KINDS))
