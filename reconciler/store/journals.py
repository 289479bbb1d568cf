"""The journals of a repository as a list people read: `idc journal list`
and `idc rollback --last`.

Each journal in journal/ is one run: an apply (or restore), a rollback, or a
resume of either. Its status comes from its end record (succeeded, failed,
interrupted); a journal without one is `in progress` while the apply lock is
held, else `interrupted` (the process died: `idc apply --resume` or
`idc rollback` settle it). Families (apply.family) tie runs together, so an
apply lists the rollbacks that undid it and a rollback the run it undoes.
Files there that are not journals (the audit log, a stray file) are counted
and skipped, never an error.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.apply.family import family, family_fates, is_undo, rollbacks_of
from reconciler.apply.journal import JOURNAL_DIR, NOT_JOURNALS, Fate, Journal, read_journal
from reconciler.apply.lock import LocalLock
from reconciler.errors import IdcError

STATUSES = ("succeeded", "failed", "interrupted", "in progress")


@dataclass(frozen=True)
class JournalEntry:
    name: str
    path: Path
    kind: str  # "apply", "rollback" or "resume"
    time: str  # when the run started (header)
    status: str  # one of STATUSES
    ops: int  # operations the run set out to do
    fates: dict[str, int]  # Fate value -> how many of its ops, this run's records only
    parent: str | None  # the journal this one resumes or rolls back
    rolled_back_by: tuple[str, ...] = ()  # apply families: rollbacks of it, oldest first
    resumed_by: tuple[str, ...] = ()  # runs that resumed this one
    message: str = ""  # the end record's message (why it failed or stopped)

    def to_json(self) -> dict[str, Any]:
        return {
            "journal": self.name,
            "kind": self.kind,
            "time": self.time,
            "status": self.status,
            "ops": self.ops,
            "fates": self.fates,
            "parent": self.parent,
            "rolled_back_by": list(self.rolled_back_by),
            "resumed_by": list(self.resumed_by),
            "message": self.message,
        }


@dataclass(frozen=True)
class JournalList:
    entries: tuple[JournalEntry, ...]  # newest first
    skipped: tuple[str, ...] = ()  # file names in journal/ that are not journals


def list_journals(repo: Path) -> JournalList:
    """Every journal in the repository's journal/, newest first."""
    directory = repo / JOURNAL_DIR
    journals: list[Journal] = []
    skipped: list[str] = []
    paths = sorted(directory.glob("*.jsonl")) if directory.is_dir() else []
    for path in paths:
        if path.name in NOT_JOURNALS:
            continue
        try:
            journals.append(read_journal(path))
        except IdcError:
            skipped.append(path.name)
    running = LocalLock(repo).is_held()
    unfinished = [j.name for j in journals if j.end is None]
    entries = [_entry(j, journals, running and j.name == unfinished[-1]) for j in journals]
    return JournalList(tuple(reversed(entries)), tuple(skipped))


def _entry(journal: Journal, journals: list[Journal], running: bool) -> JournalEntry:
    header = journal.header
    end = journal.end or {}
    status = str(end.get("status") or ("in progress" if running else "interrupted"))
    counts = Counter(f.value for f in journal.fates.values())
    counts[Fate.NOT_RUN.value] = len(header.pairs) - sum(counts.values())
    rolled_back: tuple[str, ...] = ()
    if header.kind == "apply" and not is_undo(journal):
        rolled_back = tuple(j.name for j in rollbacks_of(family(journal)))
    resumed = tuple(
        j.name for j in journals if j.header.kind == "resume" and j.header.parent == journal.name
    )
    return JournalEntry(
        name=journal.name,
        path=journal.path,
        kind=header.kind,
        time=header.time,
        status=status,
        ops=len(header.pairs),
        fates={f.value: counts[f.value] for f in Fate if counts[f.value]},
        parent=header.parent,
        rolled_back_by=rolled_back,
        resumed_by=resumed,
        message=str(end.get("message") or ""),
    )


def last_to_roll_back(repo: Path) -> Path:
    """The newest apply (its family's first run) that something of took
    effect and that no rollback has finished undoing; IdcError when none."""
    listing = list_journals(repo)
    by_name = {e.name: e for e in listing.entries}
    for entry in listing.entries:  # newest first
        if entry.kind != "apply" or is_undo(read_journal(entry.path)):
            continue
        members = family(read_journal(entry.path))
        fates = family_fates(members).values()
        if not any(f in (Fate.DONE, Fate.IN_DOUBT) for f in fates):
            continue  # nothing of it took effect: nothing to undo
        if any(_undone(by_name, r.name) for r in rollbacks_of(members)):
            continue
        return entry.path
    raise IdcError(
        f"no apply to roll back in {repo / JOURNAL_DIR}: every apply there is already "
        "rolled back or changed nothing (see `idc journal list`)"
    )


def _undone(by_name: dict[str, JournalEntry], rollback: str) -> bool:
    """A rollback finished: it, or a resume of it, succeeded."""
    entry = by_name.get(rollback)
    if entry is None:
        return False
    return entry.status == "succeeded" or any(_undone(by_name, r) for r in entry.resumed_by)
