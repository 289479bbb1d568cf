"""The error hierarchy every layer raises and the CLI catches once.

Errors carry what a user needs to act: the file position of bad input, the AWS
call and resource with AWS's own reason, or the journal that can undo an apply.
"""

from __future__ import annotations

from dataclasses import dataclass


class IdcError(Exception):
    """Base of every error the CLI reports as `error: ...` with exit 1."""


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in an input file, 1-based line and column (0 when unknown)."""

    path: str
    line: int
    column: int
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}:{self.column or 1}"
        prefix = "" if self.severity == "error" else f"{self.severity}: "
        # A problem with no file (a bad revision, a bad option) has no place
        # to name: `: unknown revision` would read as a missing word.
        return f"{where}: {prefix}{self.message}" if where else f"{prefix}{self.message}"


class InputError(IdcError):
    """Bad input: every diagnostic found in one run, each located."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic | str) -> None:
        if isinstance(diagnostics, str):
            diagnostics = [Diagnostic("", 0, 0, diagnostics)]
        elif isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = sorted(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class AwsError(IdcError):
    """An AWS call failed: which call, on what, and AWS's own words.

    `refused` is True only when the failure proves the request changed
    nothing: AWS answered it with a client error (4xx, not a timeout) and no
    earlier attempt of the same call may have reached AWS unanswered (a 5xx
    or a lost connection before a retry), or it was never sent at all. Any
    other failure leaves the call's effect in doubt, to be settled against
    live state (reconciler.apply.fates).
    """

    def __init__(
        self, operation: str, resource: str, reason: str, code: str = "", refused: bool = False
    ) -> None:
        self.operation = operation
        self.resource = resource
        self.reason = reason
        self.code = code
        self.refused = refused
        detail = f"{code}: {reason}" if code else reason
        call = f"{operation} on {resource}" if resource else operation or "AWS call"
        super().__init__(f"{call} failed: {detail}")


class ApplyError(IdcError):
    """An apply stopped; the journal tells what happened and undoes it.

    `undo_hint=False` when there is nothing left to undo (the automatic
    rollback did it) or undoing is not the way on (a rollback that stopped).
    """

    def __init__(self, message: str, journal: str, *, undo_hint: bool = True) -> None:
        self.journal = journal
        hint = f"; undo with `idc rollback {journal}`" if undo_hint else ""
        super().__init__(f"{message} (journal: {journal}{hint})")
