"""Apply, resume and rollback: journals in, AWS mutations out.

Every run writes its own journal. A resume or rollback journal names its
parent, so the history of one change (apply, resumes after crashes, the
rollback, a resumed rollback) can be read back as one family
(reconciler.apply.family) and each operation's `Fate` decided from all of it;
in-doubt operations are settled by asking live state (`Writer.is_applied`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.apply.audit import AuditLog
from reconciler.apply.executor import MAX_IN_FLIGHT, Executor, Outcome, Step, WriterLike
from reconciler.apply.family import family, family_fates, rollbacks_of
from reconciler.apply.journal import (
    Fate,
    Header,
    JournalKind,
    JournalWriteError,
    JournalWriter,
    new_journal_path,
    read_journal,
)
from reconciler.apply.lease import LockLostError
from reconciler.apply.ops import OpPair
from reconciler.apply.undo import UndoPlan, check_undo, plan_undo
from reconciler.desired.settings import Settings
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
    guard: Callable[[], None] = lambda: None  # Executor.guard: may this run still write?
    stop_at_first_failure: bool = False  # Executor.stop_at_first_failure


class RunInterrupted(IdcError):
    """Ctrl-C (or a lost lock: `reason`) stopped a run; its journal (ended
    "interrupted") says what ran, and operations it left in doubt are settled
    against live state by `--resume` or `rollback`."""

    def __init__(self, journal: Path, reason: str = "") -> None:
        self.journal = journal
        self.reason = reason
        super().__init__(f"{reason or 'interrupted'} (journal {journal})")


@dataclass
class RunResult:
    journal: Path
    outcome: Outcome
    skipped: int = 0  # already done (or found applied) before this run
    continue_on_error: bool = False  # failures did not stop it, nor roll it back
    # The journal could not be written, so the run stopped before its next
    # call; `outcome` holds what it did until then.
    journal_error: JournalWriteError | None = None

    @property
    def ok(self) -> bool:
        return self.outcome.ok and self.journal_error is None

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


class NothingToResume(IdcError):
    """The journal's change already finished: no new journal is written."""


class ResumeRefused(IdcError):
    """Resuming would not finish the change the journal started."""


def resume(target: Target, path: Path, *, continue_on_error: bool = False) -> RunResult:
    """Finish what the journal at `path` (and its earlier resumes) started:
    what never ran, what failed or was skipped, what a crash left undone
    (in-doubt operations found in effect are recorded, not repeated).

    Refused when the change was rolled back since: resuming would re-apply
    only what never ran, not the change. A run started with continue_on_error
    keeps it: retrying its failures must not roll back the good changes it
    kept when one fails again.
    """
    journal = read_journal(path)
    members = family(journal)
    root = members[0]
    rollbacks = rollbacks_of(members)
    if rollbacks:
        last = rollbacks[-1].name
        raise ResumeRefused(
            f"{journal.name} was rolled back by {last}; resuming would re-apply only the "
            "operations that never ran, not the whole change. To apply it again exactly, "
            f"undo the rollback (`idc rollback {last}`), or run `idc plan` for a new plan"
        )
    fates = family_fates(members)
    if all(fate is Fate.DONE for fate in fates.values()):
        raise NothingToResume(
            f"{journal.name} already finished: all {len(fates)} operation(s) done; "
            "nothing to resume"
        )
    header = _header(
        target,
        "resume",
        root.header.pairs,
        root.header.plan_fingerprint,
        parent=journal.name,
        undoes=root.header.undoes,
        continue_on_error=continue_on_error or root.header.continue_on_error,
    )
    confirmed: list[int] = []
    steps: list[Step] = []
    for seq, (op, inverse) in enumerate(root.header.pairs):
        if fates[seq] is Fate.DONE:
            continue
        if fates[seq] is Fate.IN_DOUBT and target.writer.is_applied(op):
            confirmed.append(seq)
            continue
        steps.append((seq, op, inverse))
    done = sum(1 for fate in fates.values() if fate is Fate.DONE)
    # in doubt and not in effect: possibly half done, so finished from live state
    half_done = frozenset(seq for seq, _, _ in steps if fates[seq] is Fate.IN_DOUBT)
    return _run(target, header, steps, confirmed=confirmed, skipped=done, converge=half_done)


def undo_plan(target: Target, path: Path, *, force: bool = False) -> UndoPlan:
    """What rolling back the journal at `path` would do (reconciler.apply.undo)."""
    return plan_undo(target.writer, path, force=force)


def rollback(
    target: Target,
    path: Path,
    *,
    settings: Settings | None = None,
    force: bool = False,
    allow_deletes: bool = False,
    plan: UndoPlan | None = None,
) -> RunResult:
    """Apply the inverses of everything the journal's change applied that is
    still live, journaled; refused before any change by `check_undo` (drift,
    protect, max_deletes). `plan`: one already made by `undo_plan` (and shown)."""
    plan = plan or undo_plan(target, path, force=force)
    check_undo(plan, settings or Settings(), force=force, allow_deletes=allow_deletes)
    pairs = [(inverse, op) for _, inverse, op in plan.steps]
    header = _header(
        target,
        "rollback",
        pairs,
        plan.journal.header.plan_fingerprint,
        parent=path.name,
        undoes=tuple(seq for seq, _, _ in plan.steps),
    )
    steps = [(i, inverse, op) for i, (inverse, op) in enumerate(pairs)]
    converge = frozenset(i for i, (seq, _, _) in enumerate(plan.steps) if seq in plan.converge)
    return _run(target, header, steps, converge=converge)


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
    converge: frozenset[int] = frozenset(),
) -> RunResult:
    path = new_journal_path(target.journal_dir)
    writer = JournalWriter(path, header)  # JournalWriteError: nothing ran
    executor: Executor | None = None
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
            converge=converge,
            guard=target.guard,
            stop_at_first_failure=target.stop_at_first_failure,
        )
        try:
            outcome = executor.run(steps)
        except KeyboardInterrupt:
            writer.end("interrupted", "stopped by the user; in-flight operations are in doubt")
            raise RunInterrupted(path) from None
        except LockLostError as exc:
            writer.end("interrupted", str(exc))
            raise RunInterrupted(path, str(exc)) from None
        if outcome.ok:
            writer.end("succeeded")
        else:
            (_, op, _), error = outcome.failures[0]
            more = len(outcome.failures) - 1
            also = f" (and {more} more failed)" if more else ""
            left = f"; {len(outcome.skipped)} skipped" if outcome.skipped else ""
            writer.end("failed", f"{op.describe()}: {error}{also}{left}")
    except JournalWriteError as exc:
        return RunResult(
            path,
            executor.outcome if executor is not None else Outcome(),
            skipped=skipped,
            continue_on_error=header.continue_on_error,
            journal_error=exc,
        )
    finally:
        writer.close()
    return RunResult(
        path,
        outcome,
        skipped=skipped + len(confirmed),
        continue_on_error=header.continue_on_error,
    )
