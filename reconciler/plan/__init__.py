"""Plan: compare desired with live state and produce ordered, explained changes.

Pure (no I/O, no boto3): `build_plan(desired, live, settings)` returns a Plan;
renderers and apply consume it. A plan file carries `changes_digest` (its
changes as written) and `touched` (`resource_digest` per change), which
reconciler.apply.plan_check compares before applying it; `check_protect`
refuses safety.protect patterns that protect nothing.
"""

from reconciler.plan.builder import build_plan
from reconciler.plan.changes import ACTIONS, FORMAT_VERSION, Change, Plan, Skipped, changes_digest
from reconciler.plan.documents import live_document
from reconciler.plan.fingerprint import document_digest, resource_digest, state_fingerprint
from reconciler.plan.ordering import PHASES, in_apply_order
from reconciler.plan.protect import check_protect
from reconciler.plan.safety import TooManyDeletesError, protected_by

__all__ = [
    "ACTIONS",
    "FORMAT_VERSION",
    "PHASES",
    "Change",
    "Plan",
    "Skipped",
    "TooManyDeletesError",
    "build_plan",
    "changes_digest",
    "check_protect",
    "document_digest",
    "in_apply_order",
    "live_document",
    "protected_by",
    "resource_digest",
    "state_fingerprint",
]
