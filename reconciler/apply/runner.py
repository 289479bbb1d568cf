"""Apply, resume and rollback: journals in, AWS mutations out.

Every run writes its own journal. A resume or rollback journal names its
parent, so the history of one change (apply, resumes after crashes, the
rollback, a resumed rollback) can be read back as one family and each
operation's fate decided from all of it: done somewhere, failed, or in doubt
(then settled by asking live state through `Writer.is_applied`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.apply.audit import AuditLog
from reconciler.apply.executor import MAX_IN_FLIGHT, Executor, Outcome, Step, WriterLike
from reconciler.apply.journal import (
    Header,
    Journal,
    JournalKind,
    JournalWriter,
    children,
    new_journal_path,
    read_journal,
)
from reconciler.apply.ops import OpPair, undo_order
from reconciler.errors import AwsError, IdcError
from reconciler.model.operations import Op


@dataclass
class Target:
    """Where and as whom a run mutates: everything a journal header records."""

    writer: WriterLike
    journal_dir: Path
    instance_arn: str = ""
    identity_store_id: str = ""
    caller: dict[str, str] = field(default_factory=dict)
    on_result: Callable[[Op, AwsError | None], None] = lambda op, err: None
    max_in_flight: int = MAX_IN_FLIGHT


class RunInterrupted(IdcError):
    """Ctrl-C stopped a run; its journal (ended "interrupted") says what ran,
    and operations it left in doubt are settled against live state by
    `--resume` or `rollback`."""

    def __init__(self, journal: Path) -> None:
        self.journal = journal
        super().__init__(f"interrupted (journal {journal})")


@dataclass
class RunResult:
    journal: Path
    outcome: Outcome
    skipped: int = 0  # already done (or found applied) before this run
    continue_on_error: bool = False  # failures did not stop it, nor roll it back

    @property
    def ok(self) -> bool:
        return self.outcome.ok

    @property
    def first_failure(self) -> tuple[Op, AwsError] | None:
        if not self.outcome.failures:
            return None
        step, error = self.outcome.failures[0]
        return step[1], error


def apply_pairs(
    target: Target,
    pairs: Sequence[OpPair],
    fingerprint: str = "",
    *,
    continue_on_error: bool = False,
) -> RunResult:
    """Run a plan's operations under a new `apply` journal; with
    continue_on_error, failed independent ops do not stop it (executor)."""
    header = _header(target, "apply", pairs, fingerprint, continue_on_error=continue_on_error)
    steps = [(seq, op, inverse) for seq, (op, inverse) in enumerate(pairs)]
    return _run(target, header, steps)


def resume(target: Target, path: Path, *, continue_on_error: bool = False) -> RunResult:
    """Finish what the journal at `path` (and its earlier resumes) started:
    what never ran, what failed or was skipped, what a crash left undone.

    A run started with continue_on_error keeps it: retrying the failures of
    such a run must not roll back the good changes it kept when one fails again.
    """
    journal = read_journal(path)
    family = _family(journal)
    done, unsure = _settle(family)
    header = _header(
        target,
        "resume",
        journal.header.pairs,
        journal.header.plan_fingerprint,
        parent=journal.name,
        undoes=journal.header.undoes,
        continue_on_error=continue_on_error or journal.header.continue_on_error,
    )
    confirmed: list[int] = []
    steps: list[Step] = []
    for seq, (op, inverse) in enumerate(journal.header.pairs):
        if seq in done:
            continue
        if seq in unsure and target.writer.is_applied(op):
            confirmed.append(seq)
            continue
        steps.append((seq, op, inverse))
    return _run(target, header, steps, confirmed=confirmed, skipped=len(done))


def undo_plan(target: Target, path: Path) -> tuple[Journal, list[Step]]:
    """What rolling back the journal at `path` would do: (seq undone, inverse, op),
    in undo order, leaving out what an earlier rollback already undid."""
    journal = read_journal(path)
    family = _family(journal)
    done, unsure = _settle(family)
    applied = set(done) | {
        s for s in unsure if target.writer.is_applied(family[0].header.pairs[s][0])
    }
    applied -= _already_undone(journal.path.parent, family, target.writer)
    pairs = family[0].header.pairs
    ordered = undo_order([(seq, *pairs[seq]) for seq in sorted(applied)])
    return journal, ordered


def rollback(target: Target, path: Path) -> RunResult:
    """Apply the inverses of everything the journal's run applied, journaled."""
    journal, undo = undo_plan(target, path)
    pairs = [(inverse, op) for _, inverse, op in undo]
    header = _header(
        target,
        "rollback",
        pairs,
        journal.header.plan_fingerprint,
        parent=journal.name,
        undoes=tuple(seq for seq, _, _ in undo),
    )
    steps = [(i, inverse, op) for i, (inverse, op) in enumerate(pairs)]
    return _run(target, header, steps)


# --- internals -------------------------------------------------------------


def _header(
    target: Target,
    kind: JournalKind,
    pairs: Sequence[OpPair],
    fingerprint: str,
    parent: str | None = None,
    undoes: Sequence[int] = (),
    continue_on_error: bool = False,
) -> Header:
    return Header(
        kind=kind,
        pairs=tuple(pairs),
        plan_fingerprint=fingerprint,
        instance_arn=target.instance_arn,
        identity_store_id=target.identity_store_id,
        caller=target.caller,
        parent=parent,
        undoes=tuple(undoes),
        continue_on_error=continue_on_error,
    )


def _run(
    target: Target,
    header: Header,
    steps: Sequence[Step],
    confirmed: Sequence[int] = (),
    skipped: int = 0,
) -> RunResult:
    path = new_journal_path(target.journal_dir)
    writer = JournalWriter(path, header)
    try:
        for seq in confirmed:  # in doubt before, found applied: record it, no call
            op, inverse = header.pairs[seq]
            writer.intent(seq, op, inverse)
            writer.done(seq, verified=True)
        audit = AuditLog(target.journal_dir, target.caller.get("arn", ""), path.name)
        executor = Executor(
            target.writer,
            writer,
            audit,
            target.on_result,
            max_in_flight=target.max_in_flight,
            # Undoing (a rollback, or a resume of one) accepts an undo found
            # already in effect; applying never does (executor docstring).
            settle_failures=header.kind == "rollback" or bool(header.undoes),
            continue_on_error=header.continue_on_error,
        )
        try:
            outcome = executor.run(steps)
        except KeyboardInterrupt:
            writer.end("interrupted", "stopped by the user; in-flight operations are in doubt")
            raise RunInterrupted(path) from None
        if outcome.ok:
            writer.end("succeeded")
        else:
            (_, op, _), error = outcome.failures[0]
            more = len(outcome.failures) - 1
            also = f" (and {more} more failed)" if more else ""
            left = f"; {len(outcome.skipped)} skipped" if outcome.skipped else ""
            writer.end("failed", f"{op.describe()}: {error}{also}{left}")
    finally:
        writer.close()
    return RunResult(
        path,
        outcome,
        skipped=skipped + len(confirmed),
        continue_on_error=header.continue_on_error,
    )


def _family(journal: Journal) -> list[Journal]:
    """The journal's run and its resumes: walk up resume parents to the run
    that started it, then collect every resume below, oldest first."""
    directory = journal.path.parent
    root = journal
    while root.header.kind == "resume" and root.header.parent:
        parent_path = directory / root.header.parent
        if not parent_path.is_file():
            break
        root = read_journal(parent_path)
    family = [root]
    queue = [root.name]
    while queue:
        found = children(directory, queue.pop(0), ("resume",))
        family.extend(found)
        queue.extend(j.name for j in found)
    return family


def _settle(family: Sequence[Journal]) -> tuple[set[int], set[int]]:
    """(seqs done somewhere in the family, seqs started but never done)."""
    done: set[int] = set()
    started: set[int] = set()
    for journal in family:
        done |= journal.ok
        started |= journal.intents
    return done, started - done


def _already_undone(directory: Path, family: Sequence[Journal], writer: WriterLike) -> set[int]:
    """Seqs of the family that earlier (possibly interrupted) rollbacks undid."""
    undone: set[int] = set()
    for member in family:
        for rb in children(directory, member.name, ("rollback",)):
            rb_family = _family(rb)
            done, unsure = _settle(rb_family)
            for i in done | {s for s in unsure if writer.is_applied(rb.header.pairs[s][0])}:
                undone.add(rb.header.undoes[i])
    return undone
