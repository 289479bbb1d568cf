"""Apply's gateway to AWS: performs semantic ops and checks whether they took effect.

The apply engine thinks in `Op`s (model.operations): named, journaled, each
with an exact inverse. The Writer turns one Op into the AWS calls it takes,
resolving names to ids as it goes, and raises AwsError naming the failed call,
the op's target and AWS's own reason (for asynchronous requests, the
FailureReason). `execute_many` runs large batches of asynchronous ops at AWS's
concurrency limits; `is_applied` answers, from live state, whether an op's
effect is present, which is what resume and rollback need for an intent whose
`done` record a crash prevented.

A permission-set create or update takes several calls, so it can be left
half done: by a failure between its calls, a kill, or a lost response. Such
an op is in doubt, and `execute(op, converge=True)` finishes it from
whatever is live: it reads the permission set and makes only the calls still
needed (a create adopts the set its own first call made). Resume redoes an
in-doubt op that way and rollback undoes one that way. A forward apply does
the same once by itself when a call's outcome is unknown (a 5xx or lost
connection, then a retry that says "already attached"), so a lost response
is settled where it happened. A refusal that comes after earlier calls of
the same op took effect is not a proof that nothing changed: it is reported
with `refused` cleared, so the journal holds the op in doubt.

After any failure the name->id cache is dropped: a failed call may have
created or deleted what it names, and the checks that follow (is_applied,
a rollback) must see live state, not the cache.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reconciler.aws import write_groups, write_permission_sets, write_users
from reconciler.aws.clients import AwsSession
from reconciler.aws.write_assignments import assignment_exists, await_in_flight, is_provisioned
from reconciler.aws.write_async import AsyncRunner, OnDone, OnStart, PollClock
from reconciler.aws.write_context import ConflictRetry, WriteContext, for_op, half_done
from reconciler.errors import AwsError
from reconciler.model.operations import ASYNC_OPS, Op

# AWS: at most 15 outstanding CreateAccountAssignment requests (not adjustable).
MAX_OUTSTANDING_ASSIGNMENTS = 15


class Writer:
    """Executes Ops against one Identity Center instance and its identity store."""

    def __init__(
        self,
        session: AwsSession,
        instance_arn: str,
        identity_store_id: str,
        *,
        conflict_retry: ConflictRetry | None = None,
        poll_clock: PollClock | None = None,
        async_timeout: float = 900.0,
    ) -> None:
        self.ctx = WriteContext(
            session, instance_arn, identity_store_id, conflict_retry or ConflictRetry()
        )
        self._runner = AsyncRunner(
            self.ctx, self._execute_sync, poll_clock or PollClock(), max_wait=async_timeout
        )
        self._quiet = False  # no asynchronous request was IN_PROGRESS when last asked
        self._sync: dict[str, Callable[[dict[str, Any], str], None]] = {
            "create_user": lambda a, r: write_users.create_user(self.ctx, a["doc"], r),
            "update_user": lambda a, r: write_users.update_user(self.ctx, a, r),
            "delete_user": lambda a, r: write_users.delete_user(self.ctx, a["user_name"], r),
            "create_group": lambda a, r: write_groups.create_group(self.ctx, a["doc"], r),
            "update_group": lambda a, r: write_groups.update_group(self.ctx, a, r),
            "delete_group": lambda a, r: write_groups.delete_group(self.ctx, a["name"], r),
            "add_member": lambda a, r: write_groups.add_member(self.ctx, a["group"], a["user"], r),
            "remove_member": lambda a, r: write_groups.remove_member(
                self.ctx, a["group"], a["user"], r
            ),
            "create_permission_set": lambda a, r: write_permission_sets.create_permission_set(
                self.ctx, a["doc"], r
            ),
            "update_permission_set": lambda a, r: write_permission_sets.update_permission_set(
                self.ctx, a, r
            ),
            "delete_permission_set": lambda a, r: write_permission_sets.delete_permission_set(
                self.ctx, a["name"], r
            ),
        }
        # The multi-call ops, finishing from live state whatever part is done.
        self._converge: dict[str, Callable[[dict[str, Any], str], None]] = {
            "create_permission_set": lambda a, r: write_permission_sets.converge_permission_set(
                self.ctx, a["doc"], r, adopt=True
            ),
            "update_permission_set": lambda a, r: write_permission_sets.converge_permission_set(
                self.ctx, a["after"], r, adopt=False
            ),
        }

    @property
    def conflicts_retried(self) -> int:
        """ConflictExceptions that a backoff retry got past (for reports and tests)."""
        return self.ctx.conflicts_retried

    def execute(self, op: Op, *, converge: bool = False) -> None:
        """Perform one op fully (asynchronous ones polled to completion).

        `converge`: the op may be partly in effect already (module docstring)."""
        if op.name not in ASYNC_OPS:
            self._execute_sync(op, converge=converge)
            return
        errors: list[AwsError] = []

        def done(_: Op, error: AwsError | None) -> None:
            if error is not None:
                errors.append(error)

        self._runner.run([op], lambda _: None, done, max_in_flight=1)
        if errors:
            raise errors[0]

    def execute_many(
        self,
        ops: Sequence[Op],
        on_start: OnStart,
        on_done: OnDone,
        *,
        max_in_flight: int = MAX_OUTSTANDING_ASSIGNMENTS,
        stop: Callable[[], bool] | None = None,
    ) -> None:
        """Perform independent ops, asynchronous ones concurrently.

        `on_start(op)` runs before the op's first call (journal the intent
        there); `on_done(op, error)` after it completed, with None or the
        AwsError. A failed op does not stop the others. At most
        `max_in_flight` requests are outstanding, and at most 3
        ProvisionPermissionSet. Non-asynchronous ops run one by one. Once
        `stop()` is true no further op starts (those in flight finish).
        """
        self._runner.run(ops, on_start, on_done, max_in_flight=max(1, max_in_flight), stop=stop)

    def prime(self, permission_sets: Mapping[str, str], principal: tuple[str, str, str]) -> None:
        """Ids a caller just read (every permission set name -> ARN, and one
        principal as (type, name, id)), so writes need not look them up again."""
        self.ctx.names.prime(permission_sets, principal)

    def _execute_sync(self, op: Op, *, converge: bool = False) -> None:
        handler = self._sync.get(op.name)
        if handler is None:
            raise ValueError(f"not a synchronous op: {op.name}")
        finish = self._converge.get(op.name)
        target = op.describe()
        start = self.ctx.writes_made()
        try:
            (finish if converge and finish else handler)(op.args, target)
        except AwsError as exc:
            self.ctx.names.forget()
            if finish is None or exc.refused:
                raise for_op(half_done(exc, self.ctx.writes_made() - start), target) from exc
            # Outcome unknown (a lost response?): finish from live state, once.
            try:
                finish(op.args, target)
            except AwsError as again:
                self.ctx.names.forget()
                raise for_op(half_done(again, 1), target) from again

    def is_applied(self, op: Op) -> bool:
        """Whether the op's effect is present in live state now.

        For an asynchronous op, requests a crashed run left IN_PROGRESS are
        waited for first (once per Writer: a recovery runs after the crash,
        so nothing of the crashed run starts later)."""
        ctx, a = self.ctx, op.args
        if op.name in ASYNC_OPS and not self._quiet:
            await_in_flight(ctx, self._runner.max_wait)
            self._quiet = True
        checks: dict[str, Callable[[], bool]] = {
            "create_user": lambda: write_users.user_matches(ctx, a["doc"]),
            "update_user": lambda: write_users.user_matches(ctx, a["after"]),
            "delete_user": lambda: ctx.names.find_user_id(a["user_name"]) is None,
            "create_group": lambda: write_groups.group_matches(ctx, a["doc"]),
            "update_group": lambda: write_groups.group_matches(ctx, a["after"]),
            "delete_group": lambda: ctx.names.find_group_id(a["name"]) is None,
            "add_member": lambda: ctx.names.find_membership_id(a["group"], a["user"]) is not None,
            "remove_member": lambda: ctx.names.find_membership_id(a["group"], a["user"]) is None,
            "create_permission_set": lambda: write_permission_sets.permission_set_matches(
                ctx, a["doc"]
            ),
            "update_permission_set": lambda: write_permission_sets.permission_set_matches(
                ctx, a["after"]
            ),
            "delete_permission_set": lambda: ctx.names.find_permission_set_arn(a["name"]) is None,
            "provision_permission_set": lambda: is_provisioned(ctx, a),
            "create_assignment": lambda: assignment_exists(ctx, a),
            "delete_assignment": lambda: not assignment_exists(ctx, a),
        }
        return checks[op.name]()
