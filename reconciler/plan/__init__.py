"""Plan: compare desired with live state and produce ordered, explained changes.

Pure (no I/O, no boto3): `build_plan(desired, live, settings)` returns a Plan;
renderers and apply consume it. Apply checks a plan file against a fresh read
with `resource_digest` (per change) and `state_fingerprint` (whole read).
"""

from reconciler.plan.builder import build_plan
from reconciler.plan.changes import ACTIONS, FORMAT_VERSION, Change, Plan
from reconciler.plan.documents import live_document
from reconciler.plan.fingerprint import document_digest, resource_digest, state_fingerprint
from reconciler.plan.ordering import PHASES, in_apply_order
from reconciler.plan.safety import TooManyDeletesError, protected_by

__all__ = [
    "ACTIONS",
    "FORMAT_VERSION",
    "PHASES",
    "Change",
    "Plan",
    "TooManyDeletesError",
    "build_plan",
    "document_digest",
    "in_apply_order",
    "live_document",
    "protected_by",
    "resource_digest",
    "state_fingerprint",
]
