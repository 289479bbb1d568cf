"""Where a run writes and under which lock: shared by apply, restore, rollback.

`held_lock` takes the repository's apply lock (and the S3 lease of `lock.s3`
in idc.yaml) and yields the guard a run checks before each write, so a run
whose lease was lost stops instead of racing the next holder. `build_target`
makes the Target a run writes through: the real Writer, the journal
directory, and the caller's identity, journaled so a later reader knows who
changed what.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from reconciler.apply.journal import JOURNAL_DIR
from reconciler.apply.lease import S3Lease
from reconciler.apply.lock import apply_lock, unshared_lock_warning
from reconciler.apply.runner import Target
from reconciler.aws.s3_lock import S3LockStore
from reconciler.desired.settings import Settings
from reconciler.errors import AwsError
from reconciler.model.operations import Op

Guard = Callable[[], None]
Warn = Callable[[str], None]


def _no_guard() -> None:
    return None


@contextlib.contextmanager
def held_lock(
    repo: Path, settings: Settings, aws: Callable[[], Any], command: str, warn: Warn
) -> Iterator[Guard]:
    """Hold the apply lock for `command` ("idc restore"); yields the guard that
    raises once the S3 lease (if any) is lost. `aws` gives the session, asked
    only for an S3 lease; `warn` hears why the lock may not be shared and of a
    dead run's lease taken over."""
    warning = unshared_lock_warning(repo, settings.lock_s3, os.environ)
    if warning:
        warn(f"warning: {warning}")
    lease = None
    if settings.lock_s3:
        lease = S3Lease(S3LockStore(aws(), settings.lock_s3), settings.lock_lease_seconds)
    with apply_lock(repo, warn=lambda m: warn(f"warning: {m}"), remote=lease, command=command):
        yield lease.check if lease is not None else _no_guard


def build_target(
    session: Any,
    repo: Path,
    instance_arn: str,
    identity_store_id: str = "",
    *,
    warn: Warn,
    on_result: Callable[[Op, AwsError | None], None] = lambda op, err: None,
    guard: Guard = _no_guard,
) -> Target:
    """A Target writing through the real Writer into `repo`'s journal/, as
    the session's caller (unknown caller: warned, still journaled). Without
    an identity store id, the instance is looked up first."""
    from reconciler.aws.writer import Writer

    if not identity_store_id:
        from reconciler.aws.instance import find_instance

        found = find_instance(session.client("sso-admin"), instance_arn or "auto")
        instance_arn, identity_store_id = found.arn, found.identity_store_id
    try:
        caller = session.caller_identity()
    except Exception as exc:  # AwsError or botocore's: still journal, caller unknown
        warn(f"warning: caller identity unknown ({exc})")
        caller = {}
    return Target(
        writer=Writer(session, instance_arn, identity_store_id),
        journal_dir=repo / JOURNAL_DIR,
        instance_arn=instance_arn,
        identity_store_id=identity_store_id,
        caller=caller,
        on_result=on_result,
        guard=guard,
    )
