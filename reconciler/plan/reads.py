"""Which live kinds a plan needs, so `idc plan` reads no more than it uses.

A kind this repository does not manage is read only when something refers to
it by name: SCIM-provisioned users and groups are needed to check the
principals of assignment rules, but never their attributes' history.
"""

from __future__ import annotations

from reconciler.desired.settings import Settings
from reconciler.desired.types import Desired


def kinds_to_read(desired: Desired, settings: Settings) -> frozenset[str]:
    """Kinds for `aws.reader.read_state(kinds=...)` (it adds what each needs:
    memberships pull users and groups, assignments pull principals and accounts)."""
    manage = settings.manage
    kinds: set[str] = set()
    if manage.users:
        kinds.add("user")
    if manage.groups:
        kinds.add("group")
    if manage.memberships:
        kinds.add("membership")
    if manage.permission_sets:
        kinds.add("permission_set")
    if manage.assignments:
        kinds.add("assignment")
        if desired.rules:  # rules name permission sets: check they exist
            kinds.add("permission_set")
    return frozenset(kinds)
