"""How a run ended, in words, and the automatic rollback of a failed one.

Shared by `idc apply`, `idc restore` and `idc rollback` (and the restore
library, reconciler.store.restore_run): a failed run is undone first
(reconciler.apply.recovery) unless told not to or unsafe, and the returned
ApplyError says where that left AWS and how to go on.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from reconciler.apply.journal import read_journal
from reconciler.apply.recovery import recover
from reconciler.apply.runner import RunResult, Target
from reconciler.desired.settings import Settings
from reconciler.errors import ApplyError


def shown_path(repo: Path, path: Path) -> str:
    """`path` relative to the repository when inside it (as users type it)."""
    with contextlib.suppress(ValueError):
        return str(path.relative_to(repo))
    return str(path)


def what_stopped(result: RunResult) -> str:
    """Why a run did not finish (its journal, or its first failure), as
    words to follow "apply" or "rollback"."""
    if result.journal_error is not None:
        return (
            f"stopped after {len(result.outcome.done)} operation(s): "
            f"{result.journal_error} (an operation in flight is in doubt, checked against "
            "live state by what follows)"
        )
    failure = result.first_failure
    assert failure is not None
    op, error = failure
    return f"failed at {op.describe()}: {error}"


def conclude(
    result: RunResult,
    retarget: Callable[[str, str], Target],
    settings: Settings,
    repo: Path,
    *,
    rollback_on_failure: bool,
    announce: Callable[[], None],
) -> ApplyError:
    """The closing error of a failed run (not a --continue-on-error one),
    after rolling it back when that is safe and wanted. `retarget(instance,
    store)` makes a fresh Target for the rollback; `announce` runs just
    before the rollback does."""
    assert not result.ok
    shown = shown_path(repo, result.journal)
    done = len(result.outcome.done)
    message = f"apply {what_stopped(result)}"
    header = read_journal(result.journal).header
    recovery = recover(
        result,
        lambda: retarget(header.instance_arn, header.identity_store_id),
        settings,
        rollback_on_failure=rollback_on_failure,
        announce=announce,
    )
    resume_hint = f"finish with `idc apply --resume {shown}` once the cause is fixed"
    if recovery.undoes_a_change:
        return ApplyError(
            f"{message}; this run undoes an earlier change, so it is not rolled back "
            f"automatically; {done} operation(s) of it done; {resume_hint}",
            shown,
            undo_hint=False,
        )
    if recovery.refused is not None:
        return ApplyError(
            f"{message}; {done} operation(s) stayed applied: the automatic rollback was "
            f"refused: {recovery.refused}; {resume_hint}",
            shown,
        )
    if recovery.undo_error is not None:
        return ApplyError(
            f"{message}; {done} operation(s) stayed applied: the automatic rollback could "
            f"not start: {recovery.undo_error}; once the cause is fixed, undo with "
            f"`idc rollback {shown}` or finish with `idc apply --resume {shown}`",
            shown,
            undo_hint=False,
        )
    if not rollback_on_failure:
        return ApplyError(f"{message}; {done} operation(s) stayed applied; {resume_hint}", shown)
    if recovery.nothing_applied:
        return ApplyError(
            f"{message}; nothing of it took effect, AWS is unchanged", shown, undo_hint=False
        )
    assert recovery.undo is not None
    undo_shown = shown_path(repo, recovery.undo.journal)
    if not recovery.rolled_back:
        return ApplyError(
            f"{message}; the automatic rollback also {what_stopped(recovery.undo)}; "
            f"finish it with `idc apply --resume {undo_shown}`",
            shown,
            undo_hint=False,
        )
    undone = len(recovery.undo.outcome.done)
    return ApplyError(
        f"{message}; rolled back automatically: {undone} operation(s) undone, AWS is as "
        f"before the apply (rollback journal {undo_shown})",
        shown,
        undo_hint=False,
    )
