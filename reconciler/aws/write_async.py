"""Running many asynchronous sso-admin requests at AWS's concurrency limits.

Identity Center allows 15 outstanding CreateAccountAssignment requests and 3
concurrent ProvisionPermissionSet calls, and 20 calls per second across all of
sso-admin. At that rate every call counts, so polling is built to spend about
one Describe*Status call per request:

- Each request is first polled once the time requests have recently taken
  (an adaptive estimate) has passed; requests that come due together are
  polled in one round, concurrently. A request still IN_PROGRESS is polled
  again at the estimate or after half its age, whichever is later, so polls
  of a slow request thin out geometrically; never a fixed long sleep.
- The estimate learns from each poll's elapsed time: a request still running
  at `e` seconds lifts it to 1.3e, one found finished lowers it to 0.97e, so
  it settles just above the real duration (measured: 2.0 sso-admin calls per
  assignment at 20 TPS with 1 s IN_PROGRESS, benchmarks/apply_bench.py).

Why not ListAccountAssignmentCreationStatus(Filter=IN_PROGRESS)? It spares
polls of unfinished requests, but its items carry no FailureReason, so every
finished request still needs its own Describe: at least one list call per
round on top of one Describe per request, more than the above when the
estimate is good. Calls happen on a small thread pool (boto3 clients are thread
safe; the session's rate limiter paces them); `on_start`/`on_done` run on the
caller's thread, in order, so a journal needs no locking.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reconciler.aws.write_assignments import ASYNC_CALLS, AWS_CONCURRENCY, describe, submit
from reconciler.errors import AwsError
from reconciler.model.operations import ASYNC_OPS, Op

if TYPE_CHECKING:
    from reconciler.aws.write_context import WriteContext

OnStart = Callable[[Op], None]
OnDone = Callable[[Op, AwsError | None], None]


@dataclass
class PollClock:
    """When to poll: an estimate of how long requests take, learnt as they finish.

    Learning is from the elapsed time of each first poll, not by scaling the
    estimate per result, so the fifteen results of one polling round move it
    once, not fifteen times: a request still running after `e` seconds lifts
    the estimate to at least 1.3e; one found finished lowers it to at most
    0.97e, so the estimate keeps probing a little earlier until it meets
    requests still running.
    """

    estimate: float = 1.0
    floor: float = 0.05
    ceiling: float = 10.0
    shrink: float = 0.97
    grow: float = 1.3

    def first_poll(self) -> float:
        return self.estimate

    def next_poll(self, elapsed: float) -> float:
        """Delay after a poll `elapsed` seconds into the request found it still
        running: up to the estimate, and at least half the time so far, so
        polls of a slow request thin out geometrically."""
        return self._bounded(max(self.estimate - elapsed, 0.5 * elapsed))

    def learn(self, elapsed: float, finished: bool) -> None:
        """A poll `elapsed` seconds after the submit found the request
        finished (or not)."""
        if finished:
            self.estimate = self._bounded(min(self.estimate, elapsed * self.shrink))
        else:
            self.estimate = self._bounded(max(self.estimate, elapsed * self.grow))

    def _bounded(self, value: float) -> float:
        return min(self.ceiling, max(self.floor, value))


@dataclass
class Request:
    op: Op
    request_id: str = ""
    submitted: float = 0.0  # when the submit call's answer arrived
    due: float = 0.0
    polls: int = 0


@dataclass
class AsyncRunner:
    """Runs ops with at most `max_in_flight` outstanding (and 3 provisions)."""

    ctx: WriteContext
    run_sync: Callable[[Op], None]
    clock: PollClock = field(default_factory=PollClock)
    # AWS gives no completion deadline; after this long we stop waiting and
    # report the request (its outcome is then settled by is_applied).
    max_wait: float = 900.0

    def run(
        self,
        ops: Sequence[Op],
        on_start: OnStart,
        on_done: OnDone,
        max_in_flight: int = 15,
        stop: Callable[[], bool] | None = None,
    ) -> None:
        """`stop()` true: start nothing more, finish what is in flight."""
        queue = list(ops)
        waiting: list[Request] = []  # started, IN_PROGRESS, next poll at `due`
        running: dict[Future[dict[str, Any]], Request] = {}  # a call on the way
        workers = max(2, min(32, 2 * max_in_flight))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="idc-async")
        try:
            while queue or waiting or running:
                if stop is not None and stop():
                    queue.clear()
                self._start(queue, waiting, running, pool, on_start, on_done, max_in_flight)
                self._poll_due(waiting, running, pool)
                if running:
                    timeout = _until(waiting)
                    finished, _ = wait(list(running), timeout=timeout, return_when=FIRST_COMPLETED)
                    for future in finished:
                        self._settle(running.pop(future), future, waiting, on_done)
                elif waiting:
                    time.sleep(_until(waiting) or 0.0)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _start(
        self,
        queue: list[Op],
        waiting: list[Request],
        running: dict[Future[dict[str, Any]], Request],
        pool: ThreadPoolExecutor,
        on_start: OnStart,
        on_done: OnDone,
        max_in_flight: int,
    ) -> None:
        """Submit queued ops while their kind (and the total) has a free slot."""
        outstanding = [r.op.name for r in waiting] + [r.op.name for r in running.values()]
        index = 0
        while index < len(queue) and len(outstanding) < max_in_flight:
            op = queue[index]
            if op.name not in ASYNC_OPS:
                queue.pop(index)
                on_start(op)
                try:
                    self.run_sync(op)
                except AwsError as exc:
                    on_done(op, exc)
                else:
                    on_done(op, None)
                continue
            limit = min(max_in_flight, AWS_CONCURRENCY.get(op.name, max_in_flight))
            if outstanding.count(op.name) >= limit or _busy_role(op, waiting, running):
                index += 1
                continue
            queue.pop(index)
            on_start(op)
            request = Request(op)
            running[pool.submit(submit, self.ctx, op)] = request
            outstanding.append(op.name)

    def _poll_due(
        self,
        waiting: list[Request],
        running: dict[Future[dict[str, Any]], Request],
        pool: ThreadPoolExecutor,
    ) -> None:
        """Poll, in one round, every request due now or within a short slack.

        A first poll planned before the estimate rose (other requests were
        found still running at that age) is moved to the new estimate instead.
        """
        if not waiting:
            return
        now = time.monotonic()
        horizon = now + self.clock.floor
        due = [r for r in waiting if r.due <= horizon]
        for request in due:
            if not request.polls and now - request.submitted < self.clock.estimate:
                request.due = request.submitted + self.clock.estimate
                if request.due > horizon:
                    continue
            waiting.remove(request)
            request.polls += 1
            running[pool.submit(describe, self.ctx, request.op, request.request_id)] = request

    def _settle(
        self,
        request: Request,
        future: Future[dict[str, Any]],
        waiting: list[Request],
        on_done: OnDone,
    ) -> None:
        """Handle a finished submit or describe call."""
        try:
            status = future.result()
        except AwsError as exc:
            on_done(request.op, exc)
            return
        state, now = status.get("Status"), time.monotonic()
        elapsed = now - request.submitted
        if request.polls:
            self.clock.learn(elapsed, finished=state != "IN_PROGRESS")
        if state == "IN_PROGRESS":
            if not request.polls:
                request.request_id, request.submitted = str(status["RequestId"]), now
                request.due = now + self.clock.first_poll()
            elif elapsed > self.max_wait:
                call = ASYNC_CALLS[request.op.name]
                reason = (
                    f"request {request.request_id} still IN_PROGRESS after {elapsed:.0f} s; "
                    "check it later with " + call.describe
                )
                on_done(
                    request.op, AwsError(call.describe, request.op.describe(), reason, "Timeout")
                )
                return
            else:
                request.due = now + self.clock.next_poll(elapsed)
            waiting.append(request)
        elif state == "SUCCEEDED":
            on_done(request.op, None)
        else:
            call = ASYNC_CALLS[request.op.name]
            reason = str(status.get("FailureReason") or f"request ended with status {state}")
            # AWS ran the request and reports it failed: nothing changed.
            failed = AwsError(call.submit, request.op.describe(), reason, "FAILED", refused=True)
            on_done(request.op, failed)


def _busy_role(
    op: Op, waiting: list[Request], running: dict[Future[dict[str, Any]], Request]
) -> bool:
    """A provision waits while another one of its permission set or account runs.

    AWS updates one IAM role per account at a time and answers a second
    provisioning of a permission set still being provisioned with
    ConflictException; waiting for the slot costs nothing, a conflict costs a
    call and a backoff.
    """
    if op.name != "provision_permission_set":
        return False
    name, account = op.args["name"], op.args.get("account")
    for other in [*waiting, *running.values()]:
        if other.op.name != "provision_permission_set":
            continue
        other_account = other.op.args.get("account")
        if other.op.args["name"] == name:
            return True
        # An account-less provision may reach any account.
        if account is None or other_account is None or str(other_account) == str(account):
            return True
    return False


def _until(waiting: list[Request]) -> float | None:
    """Seconds until the next poll is due (None when nothing waits)."""
    if not waiting:
        return None
    return max(0.0, min(r.due for r in waiting) - time.monotonic())
