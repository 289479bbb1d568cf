"""Live State from one YAML document, for golden cases and property tests.

The document is the desired-state format (SPEC section 5) with assignments as
explicit account-id lists, plus the organization (`accounts`, `org_units`,
`management_account`) and `provisioned` (permission set -> account ids), i.e.
what `read_state` returns, written by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reconciler.desired.yaml_io import load_yaml
from reconciler.model import Assignment, Membership, State, StateMeta, codec


def state_from_doc(doc: Mapping[str, Any]) -> State:
    groups, memberships = [], []
    for item in doc.get("groups") or ():
        group, members = codec.group_from_doc(item)
        groups.append(group)
        memberships.extend(Membership(group.name, m) for m in members)
    assignments = [
        Assignment(str(rule["permission_set"]), ptype, str(name), str(account))
        for rule in doc.get("assignments") or ()
        for ptype, names in (("GROUP", rule.get("groups")), ("USER", rule.get("users")))
        for name in names or ()
        for account in rule["accounts"]
    ]
    return State.build(
        users=[codec.user_from_doc(u) for u in doc.get("users") or ()],
        groups=groups,
        memberships=memberships,
        permission_sets=[
            codec.permission_set_from_doc(p) for p in doc.get("permission_sets") or ()
        ],
        assignments=assignments,
        accounts=[codec.account_from_doc(a) for a in doc.get("accounts") or ()],
        org_units=[codec.org_unit_from_doc(o) for o in doc.get("org_units") or ()],
        provisioned={
            str(k): [str(a) for a in v] for k, v in (doc.get("provisioned") or {}).items()
        },
        meta=StateMeta(
            instance_arn="arn:aws:sso:::instance/ssoins-0000000000000000",
            management_account_id=str(doc.get("management_account", "")),
        ),
    )


def load_live(path: Path) -> State:
    return state_from_doc(load_yaml(path) or {})
