"""The journals of one change read together: a run, its resumes, its rollbacks.

An apply that crashed is finished by a resume, which writes its own journal
naming its parent; a rollback names the journal it undoes. Deciding what to
resume or undo needs the whole family: an operation done by the resume is
done, one the apply left in doubt and a resume retried is whatever the
retry made of it. The latest journal that touched an operation decides its
fate (`Fate`, in reconciler.apply.journal), because each run records only
what it did itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reconciler.apply.journal import Fate, Journal, children, read_journal


def family(journal: Journal) -> list[Journal]:
    """The journal's run and its resumes: walk up resume parents to the run
    that started it, then collect every resume below, oldest first."""
    directory = journal.path.parent
    root = journal
    while root.header.kind == "resume" and root.header.parent:
        parent_path = directory / root.header.parent
        if not parent_path.is_file():
            break
        root = read_journal(parent_path)
    members = [root]
    queue = [root.name]
    while queue:
        found = children(directory, queue.pop(0), ("resume",))
        members.extend(found)
        queue.extend(j.name for j in found)
    return members


def family_fates(members: Sequence[Journal]) -> dict[int, Fate]:
    """Each operation's fate over the family; the latest run touching it decides.

    A resume never re-runs what an earlier run finished, so a DONE is never
    followed by another record of the same op; an op left in doubt is either
    confirmed DONE by a later resume or retried there (DONE, FAILED, IN_DOUBT).
    """
    count = len(members[0].header.pairs)
    fates = dict.fromkeys(range(count), Fate.NOT_RUN)
    for member in members:  # oldest first
        fates.update(member.fates)
    return fates


def rollbacks_of(members: Sequence[Journal]) -> list[Journal]:
    """Rollback journals whose parent is a member of the family, oldest first."""
    if not members:
        return []
    directory: Path = members[0].path.parent
    found: list[Journal] = []
    for member in members:
        found.extend(children(directory, member.name, ("rollback",)))
    return sorted(found, key=lambda j: j.name)


def is_undo(journal: Journal) -> bool:
    """Whether the family this journal belongs to undoes another change:
    a rollback, or a resume of one (resumes carry the rollback's `undoes`)."""
    return journal.header.kind == "rollback" or bool(journal.header.undoes)
