"""A plan file from `idc plan -o`, read back and checked before `idc apply PLAN`.

A plan file was reviewed (in a pull request) against one live state of one
Identity Center instance. It names resources by name only, so it is refused,
before anything changes, when it is not an idc plan file, when it was made
against another instance (another profile or region would otherwise receive
the same-named changes), or when something it touches changed since.
"""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.desired.schema import validate_document
from reconciler.errors import Diagnostic, IdcError, InputError
from reconciler.model import State
from reconciler.plan import FORMAT_VERSION, Plan, resource_digest


def load_plan(path: Path) -> Plan:
    """The plan file, checked against schemas/plan.schema.json before use, so
    a truncated or hand-edited file is refused with what is wrong in it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise IdcError(f"{path}: cannot read plan: {exc.strerror or exc}") from exc
    except ValueError as exc:  # not UTF-8, not JSON
        raise IdcError(f"{path}: not an idc plan file ({exc})") from exc
    if isinstance(data, dict) and data.get("format_version") != FORMAT_VERSION:
        raise IdcError(
            f"{path}: not an idc plan file (unsupported plan format_version "
            f"{data.get('format_version')!r}; this idc writes {FORMAT_VERSION})"
        )
    problems = validate_document(data, "plan", str(path))
    if problems:
        raise InputError(
            [Diagnostic(d.path, 0, 0, f"not an idc plan file: {d.message}") for d in problems]
        )
    return Plan.from_json(data)


def check_against_live(plan: Plan, live: State, path: Path) -> None:
    """Refuse a plan made against another instance, or one that is stale.

    The instance is checked first: against another instance every resource
    looks "changed", and the stale message would send the user re-planning
    against the wrong instance. Plan files written before the instance was
    recorded carry none and are judged by their fingerprints alone.
    """
    for field, planned, actual in (
        ("instance", plan.instance_arn, live.meta.instance_arn),
        ("identity store", plan.identity_store_id, live.meta.identity_store_id),
    ):
        if planned and actual and planned != actual:
            raise IdcError(
                f"plan {path} was made against {field} {planned}, but this apply would "
                f"change {field} {actual}; nothing was changed. Check --profile/--region "
                "(or idc.yaml's instance), or run `idc plan` against this instance"
            )
    stale = [
        c.key_text()
        for c in plan.changes
        if resource_digest(live, c.kind, dict(c.key)) != plan.touched.get(c.key_text())
    ]
    if stale:
        raise IdcError(
            f"plan {path} is stale: {len(stale)} resource(s) it changes were changed "
            f"since it was made: {', '.join(stale[:10])}"
            + (f" and {len(stale) - 10} more" if len(stale) > 10 else "")
            + "; run `idc plan` again and review the new plan"
        )
