"""A failed run undone automatically, as a library call the CLI only reports.

`idc apply` and `idc apply --resume` stop at the first failure and, unless
told not to, roll back what the change did, so AWS is left as it was. Three
cases never roll back automatically:

- `--continue-on-error` runs keep what succeeded by design;
- a run whose change is itself an undo (a rollback, or a resume of one):
  rolling that back would re-apply the change the user is undoing;
- an automatic rollback the undo guards refuse (a later change would be
  overwritten, a protected resource touched): it is reported and the change
  kept for `--resume`, never forced.

A run stopped because its journal could not be written is rolled back like
a failed one; when the rollback's own journal cannot be written either (the
disk is still full), that is reported and nothing more is attempted.

The automatic rollback is exempt from safety.max_deletes: it deletes only
what the failed run created moments ago, under the approval that run had.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reconciler.apply.family import family, is_undo
from reconciler.apply.journal import JournalWriteError, read_journal
from reconciler.apply.runner import RunResult, Target, rollback, undo_plan
from reconciler.apply.undo import UndoRefused
from reconciler.desired.settings import Settings


@dataclass
class Recovery:
    """A run and what became of it after a failure."""

    run: RunResult
    undo: RunResult | None = None  # the automatic rollback, when one ran
    refused: UndoRefused | None = None  # why the automatic rollback did not run
    undo_error: JournalWriteError | None = None  # its journal could not be written
    undoes_a_change: bool = False  # the run was a rollback (or its resume)
    nothing_applied: bool = False  # live state showed nothing of it took effect

    @property
    def rolled_back(self) -> bool:
        """AWS is as before the failed run: undone completely, or untouched."""
        return self.nothing_applied or (self.undo is not None and self.undo.ok)


def recover(
    run: RunResult,
    undo_target: Callable[[], Target],
    settings: Settings,
    *,
    rollback_on_failure: bool = True,
    announce: Callable[[], None] = lambda: None,
) -> Recovery:
    """Roll a failed run back when that is safe and wanted (module docstring).

    `undo_target` makes a fresh Target (a new Writer with no name->id cache
    from before the failure); `announce` runs just before the rollback does."""
    undoes = is_undo(family(read_journal(run.journal))[0])
    recovery = Recovery(run, undoes_a_change=undoes)
    if run.ok or run.continue_on_error or undoes or not rollback_on_failure:
        return recovery
    announce()
    target = undo_target()
    plan = undo_plan(target, run.journal)
    if not plan.steps and not plan.drifted:
        recovery.nothing_applied = True  # AWS is as before: no rollback journal
        return recovery
    try:
        recovery.undo = rollback(
            target, run.journal, settings=settings, allow_deletes=True, plan=plan
        )
    except UndoRefused as exc:
        recovery.refused = exc
    except JournalWriteError as exc:
        recovery.undo_error = exc
    return recovery
