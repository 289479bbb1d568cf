"""Organizations listing fixes: AWS pages of at most 20, in a stable order.

moto pages ListAccounts 100 at a time keyed by JoinedTimestamp, so accounts
that joined in the same second break its tokens, and ListChildren is not
paginated at all; these replacements use offset tokens over stable orders.
"""

from __future__ import annotations

import json
from typing import Any

from reconciler.sim.paging import page


def _paged(key: str, items: list[Any], params: dict[str, Any]) -> str:
    chunk, token = page(items, params.get("MaxResults"), params.get("NextToken"), default=20)
    out: dict[str, Any] = {key: chunk}
    if token:
        out["NextToken"] = token
    return json.dumps(out)


def list_accounts(self: Any) -> str:
    params = json.loads(self.body or "{}")
    backend = self.organizations_backend
    backend.describe_organization()  # AWSOrganizationsNotInUseException outside an org
    accounts = [a.describe() for a in backend.accounts]
    return _paged("Accounts", accounts, params)


def list_children(self: Any) -> str:
    params = json.loads(self.body or "{}")
    children = self.organizations_backend.list_children(
        ParentId=params.get("ParentId"), ChildType=params.get("ChildType")
    )["Children"]
    return _paged("Children", children, params)


OPERATIONS = {"list_accounts": list_accounts, "list_children": list_children}
