"""Runs journaled operations through the Writer, stopping at the first failure
(or, with continue_on_error, at the first failure of a non-independent op).

Synchronous calls run one at a time in order. A run of consecutive
asynchronous operations of one kind (assignment creates, re-provisions,
assignment deletes) goes to `Writer.execute_many` as one batch with bounded
in-flight requests: the phases of reconciler.plan.ordering stay ordered while thousands
of assignments still overlap. Every call is bracketed by an intent record
(fsynced before the call) and a done record, and audited.

A failure that does not prove the call did nothing (`AwsError.refused` is
False: a 5xx, a lost connection, a refusal of a retry after an unanswered
attempt) is checked against live state, and when the op's effect is there it
was the op's own: it counts as done, recorded as verified. A rollback runs
with `settle_failures`, which extends this to refusals: an undo that AWS
refuses (deleting an assignment that is gone, say) whose effect is already
there (someone reverted that change by hand) counts as done. A forward apply
never accepts a refusal so: an apply that found its change already made by
someone else would journal an inverse that undoes their change.

The steps in `converge` (by seq) may be partly in effect already: ops a
failure or kill left in doubt, now redone by a resume or undone by a
rollback. The writer finishes them from live state (`execute(converge=True)`)
instead of replaying calls that already ran.

With `continue_on_error` (idc apply --continue-on-error), a failed
asynchronous op (assignment create/delete, provisioning) does not stop the
run: each is independent of the others, so the rest still apply. An op that
needs a failed one (`ops.needs`: deleting the permission set or principal of
an assignment whose delete failed) is not run but journaled `skipped`. Any
other failure still stops the run: what follows a failed membership removal
or user create depends on it in ways a later resume or rollback could not
put right.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from reconciler.apply.audit import AuditLog
from reconciler.apply.journal import JournalWriter
from reconciler.apply.ops import needs
from reconciler.errors import AwsError, IdcError
from reconciler.model.operations import ASYNC_OPS, Op

MAX_IN_FLIGHT = 15  # AWS allows 15 outstanding CreateAccountAssignment calls

Step = tuple[int, Op, Op]  # (seq, operation, inverse)


class WriterLike(Protocol):
    """What apply needs from reconciler.aws.writer.Writer (and test fakes)."""

    def execute(self, op: Op, *, converge: bool = False) -> Any: ...

    def execute_many(
        self,
        ops: Sequence[Op],
        on_start: Callable[[Op], None],
        on_done: Callable[[Op, AwsError | None], None],
        *,
        max_in_flight: int = MAX_IN_FLIGHT,
        stop: Callable[[], bool] | None = None,
    ) -> Any: ...

    def is_applied(self, op: Op) -> bool: ...


@dataclass
class Outcome:
    done: list[Step] = field(default_factory=list)
    failures: list[tuple[Step, AwsError]] = field(default_factory=list)
    already: list[Step] = field(default_factory=list)  # failed, but in effect in live state
    # continue_on_error: (step not run, the failed or skipped step it needs)
    skipped: list[tuple[Step, Step]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


class Executor:
    def __init__(
        self,
        writer: WriterLike,
        journal: JournalWriter,
        audit: AuditLog,
        on_result: Callable[[Op, AwsError | None], None] = lambda op, err: None,
        max_in_flight: int = MAX_IN_FLIGHT,
        settle_failures: bool = False,
        continue_on_error: bool = False,
        converge: frozenset[int] = frozenset(),
        guard: Callable[[], None] = lambda: None,
        stop_at_first_failure: bool = False,
    ) -> None:
        self.writer = writer
        # Within a batch of asynchronous ops, start none after a failure
        # (those in flight finish): `idc assign --stop-on-error`.
        self.stop_at_first_failure = stop_at_first_failure
        self.journal = journal
        self.audit = audit
        self.on_result = on_result
        self.max_in_flight = max_in_flight
        self.settle_failures = settle_failures
        self.continue_on_error = continue_on_error
        self.converge = converge
        self.outcome = Outcome()
        # Raises when this run may no longer write (its S3 lock lease was
        # lost, reconciler.apply.lease); asked before each step's intent, so
        # the run stops with nothing in doubt because of it.
        self.guard = guard

    def run(self, steps: Sequence[Step]) -> Outcome:
        """Execute `steps` in order; after a failing step (or batch), stop,
        unless continue_on_error and every failure so far was independent.

        `self.outcome` holds what ran so far when an exception (a journal
        write error, Ctrl-C) ends the run early."""
        outcome = self.outcome = Outcome()
        for batch in _batches(steps):
            batch = self._without_dependents(batch, outcome)
            if not batch:
                continue
            self.guard()
            if len(batch) == 1 and batch[0][1].name not in ASYNC_OPS:
                self._run_one(batch[0], outcome)
            else:
                self._run_batch(batch, outcome)
            if outcome.failures and not self._may_go_on(outcome):
                break
        return outcome

    def _may_go_on(self, outcome: Outcome) -> bool:
        return self.continue_on_error and all(s[1].name in ASYNC_OPS for s, _ in outcome.failures)

    def _without_dependents(self, batch: Sequence[Step], outcome: Outcome) -> list[Step]:
        """The batch less the steps that need a failed (or skipped) one; those
        are journaled `skipped` and never called."""
        blocked = [step for step, _ in outcome.failures] + [step for step, _ in outcome.skipped]
        runnable: list[Step] = []
        for step in batch:
            cause = next((b for b in blocked if needs(step[1], b[1])), None)
            if cause is None:
                runnable.append(step)
                continue
            self.journal.skipped(step[0], cause[0])
            outcome.skipped.append((step, cause))
            blocked.append(step)
        return runnable

    def _run_one(self, step: Step, outcome: Outcome) -> None:
        seq, op, inverse = step
        self.journal.intent(seq, op, inverse)
        error: AwsError | None = None
        try:
            self.writer.execute(op, converge=seq in self.converge)
        except IdcError as exc:
            error = _as_aws_error(op, exc)
        self._finish(step, error, outcome)

    def _run_batch(self, batch: Sequence[Step], outcome: Outcome) -> None:
        by_id = {id(op): (seq, op, inverse) for seq, op, inverse in batch}

        def step_of(op: Op) -> Step:
            found = by_id.get(id(op))
            if found is not None:
                return found
            return next(s for s in batch if s[1] == op)  # a writer that copied the op

        def on_start(op: Op) -> None:
            seq, _, inverse = step_of(op)
            self.journal.intent(seq, op, inverse)

        def on_done(op: Op, error: AwsError | None) -> None:
            self._finish(step_of(op), error, outcome)

        ops = [op for _, op, _ in batch]
        if self.stop_at_first_failure:
            self.writer.execute_many(
                ops,
                on_start,
                on_done,
                max_in_flight=self.max_in_flight,
                stop=lambda: bool(outcome.failures),
            )
        else:
            self.writer.execute_many(ops, on_start, on_done, max_in_flight=self.max_in_flight)
        outcome.failures.sort(key=lambda f: f[0][0])

    def _finish(self, step: Step, error: AwsError | None, outcome: Outcome) -> None:
        self.audit.record(step[1], error)  # what AWS answered, even when settled below
        settle = error is not None and (self.settle_failures or not error.refused)
        if settle and self._in_effect(step[1]):
            self.journal.done(step[0], verified=True)
            outcome.done.append(step)
            outcome.already.append(step)
            self.on_result(step[1], None)
            return
        self.journal.done(step[0], error)
        if error is None:
            outcome.done.append(step)
        else:
            outcome.failures.append((step, error))
        self.on_result(step[1], error)

    def _in_effect(self, op: Op) -> bool:
        try:
            return self.writer.is_applied(op)
        except IdcError:
            return False  # cannot tell: the original failure stands


def _batches(steps: Sequence[Step]) -> list[list[Step]]:
    """Consecutive async operations of one name form a batch; others stand alone."""
    out: list[list[Step]] = []
    for step in steps:
        name = step[1].name
        if out and name in ASYNC_OPS and out[-1][-1][1].name == name:
            out[-1].append(step)
        else:
            out.append([step])
    return out


def _as_aws_error(op: Op, exc: IdcError) -> AwsError:
    if isinstance(exc, AwsError):
        return exc
    return AwsError(op.name, op.describe().split(" ", 1)[1], str(exc), type(exc).__name__)
