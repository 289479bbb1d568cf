"""identitystore operations replacing or adding to moto's IdentityStoreResponse.

Installed under the operations' snake_case names by `reconciler.sim.patches`;
shapes follow the Identity Store API reference.
"""

from __future__ import annotations

import json
from typing import Any

from reconciler.sim.awserrors import not_found, validation
from reconciler.sim.identitystore_backend import SimIdentityStoreBackend
from reconciler.sim.paging import page


def _params(self: Any) -> dict[str, Any]:
    return json.loads(self.body or "{}")


def _store(self: Any) -> tuple[SimIdentityStoreBackend, str, dict[str, Any]]:
    params = _params(self)
    backend: SimIdentityStoreBackend = self.identitystore_backend
    return backend, backend.check_store(params.get("IdentityStoreId")), params


def _paged(key: str, items: list[Any], params: dict[str, Any]) -> str:
    chunk, token = page(items, params.get("MaxResults"), params.get("NextToken"))
    out: dict[str, Any] = {key: chunk}
    if token:
        out["NextToken"] = token
    return json.dumps(out)


def _user_out(user: dict[str, Any], store_id: str, extensions: Any) -> dict[str, Any]:
    out = {k: v for k, v in user.items() if k != "Extensions"}
    wanted = {k: v for k, v in (user.get("Extensions") or {}).items() if k in (extensions or ())}
    if wanted:
        out["Extensions"] = wanted
    out["IdentityStoreId"] = store_id
    return out


def _filter(params: dict[str, Any], allowed: str) -> str | None:
    filters = params.get("Filters") or []
    if len(filters) > 1:
        raise validation("Filters can contain at most 1 item")
    if not filters:
        return None
    if str(filters[0].get("AttributePath", "")).lower() != allowed.lower():
        raise validation(f"Filtering is only supported on {allowed}")
    return str(filters[0].get("AttributeValue"))


# --- users -------------------------------------------------------------------


def create_user(self: Any) -> str:
    backend, store_id, params = _store(self)
    user_id = backend.create_user_doc(params)
    return json.dumps({"UserId": user_id, "IdentityStoreId": store_id})


def describe_user(self: Any) -> str:
    backend, store_id, params = _store(self)
    user = backend.user(params.get("UserId"))
    return json.dumps(_user_out(user, store_id, params.get("Extensions")))


def update_user(self: Any) -> str:
    backend, _, params = _store(self)
    backend.update_user_doc(params.get("UserId"), params.get("Operations"))
    return "{}"


def delete_user(self: Any) -> str:
    backend, _, params = _store(self)
    backend.delete_user_doc(params.get("UserId"))
    return "{}"


def list_users(self: Any) -> str:
    backend, store_id, params = _store(self)
    wanted = _filter(params, "UserName")
    users = backend.users.values()
    if wanted is not None:
        user_id = backend.user_by_name.get(wanted.lower())
        users = [backend.users[user_id]] if user_id else []  # type: ignore[assignment]
    items = [_user_out(u, store_id, params.get("Extensions")) for u in users]
    return _paged("Users", items, params)


def get_user_id(self: Any) -> str:
    backend, store_id, params = _store(self)
    alt = params.get("AlternateIdentifier") or {}
    user_id = None
    if "UniqueAttribute" in alt:
        path = str(alt["UniqueAttribute"].get("AttributePath", "")).lower()
        value = alt["UniqueAttribute"].get("AttributeValue")
        if not value:
            raise validation("attribute value cannot be empty or null for attribute path")
        if path == "username":
            user_id = backend.user_by_name.get(str(value).lower())
        elif path == "emails.value":
            user_id = next(
                (
                    u["UserId"]
                    for u in backend.users.values()
                    for e in u.get("Emails") or ()
                    if e.get("Value") == value
                ),
                None,
            )
        else:
            raise validation(f"The attribute {path} is not a unique attribute")
    elif "ExternalId" in alt:
        ext = alt["ExternalId"]
        user_id = next(
            (u["UserId"] for u in backend.users.values() if ext in (u.get("ExternalIds") or ())),
            None,
        )
    if user_id is None:
        raise not_found("USER not found.", "USER")
    return json.dumps({"UserId": user_id, "IdentityStoreId": store_id})


# --- groups ------------------------------------------------------------------


def create_group(self: Any) -> str:
    backend, store_id, params = _store(self)
    doc = {k: params[k] for k in ("DisplayName", "Description") if params.get(k) is not None}
    if "DisplayName" not in doc:
        raise validation("displayName is a required attribute")
    group_id = backend.put_group(doc)
    return json.dumps({"GroupId": group_id, "IdentityStoreId": store_id})


def describe_group(self: Any) -> str:
    backend, store_id, params = _store(self)
    return json.dumps({**backend.group(params.get("GroupId")), "IdentityStoreId": store_id})


def update_group(self: Any) -> str:
    backend, _, params = _store(self)
    backend.update_group_doc(params.get("GroupId"), params.get("Operations"))
    return "{}"


def delete_group(self: Any) -> str:
    backend, _, params = _store(self)
    backend.delete_group_doc(params.get("GroupId"))
    return "{}"


def list_groups(self: Any) -> str:
    backend, store_id, params = _store(self)
    wanted = _filter(params, "DisplayName")
    groups = list(backend.groups.values())
    if wanted is not None:
        groups = [g for g in groups if g["DisplayName"] == wanted]
    return _paged("Groups", [{**g, "IdentityStoreId": store_id} for g in groups], params)


def get_group_id(self: Any) -> str:
    backend, store_id, params = _store(self)
    alt = params.get("AlternateIdentifier") or {}
    group_id = None
    if "UniqueAttribute" in alt:
        if str(alt["UniqueAttribute"].get("AttributePath", "")).lower() != "displayname":
            raise validation("The attribute is not a unique attribute")
        group_id = backend.group_by_name.get(str(alt["UniqueAttribute"].get("AttributeValue")))
    elif "ExternalId" in alt:
        ext = alt["ExternalId"]
        group_id = next(
            (g["GroupId"] for g in backend.groups.values() if ext in (g.get("ExternalIds") or ())),
            None,
        )
    if group_id is None:
        raise not_found("GROUP not found.", "GROUP")
    return json.dumps({"GroupId": group_id, "IdentityStoreId": store_id})


# --- memberships -------------------------------------------------------------


def _member(params: dict[str, Any]) -> str:
    member = params.get("MemberId") or {}
    if "UserId" not in member:
        raise validation("MemberId must contain a UserId")
    return str(member["UserId"])


def _membership_out(m: dict[str, Any], store_id: str) -> dict[str, Any]:
    return {"IdentityStoreId": store_id, **m}


def create_group_membership(self: Any) -> str:
    backend, store_id, params = _store(self)
    membership_id = backend.add_membership(str(params.get("GroupId")), _member(params))
    return json.dumps({"MembershipId": membership_id, "IdentityStoreId": store_id})


def delete_group_membership(self: Any) -> str:
    backend, _, params = _store(self)
    backend.drop_membership(params.get("MembershipId"))
    return "{}"


def describe_group_membership(self: Any) -> str:
    backend, store_id, params = _store(self)
    return json.dumps(_membership_out(backend.membership(params.get("MembershipId")), store_id))


def get_group_membership_id(self: Any) -> str:
    backend, store_id, params = _store(self)
    group_id, user_id = params.get("GroupId"), _member(params)
    membership_id = backend.membership_by_pair.get((str(group_id), user_id))
    if membership_id is None:
        raise not_found("GROUP_MEMBERSHIP not found.", "GROUP_MEMBERSHIP")
    return json.dumps({"MembershipId": membership_id, "IdentityStoreId": store_id})


def is_member_in_groups(self: Any) -> str:
    backend, _, params = _store(self)
    user_id = _member(params)
    group_ids = params.get("GroupIds") or []
    if not 1 <= len(group_ids) <= 100:
        raise validation("GroupIds must contain between 1 and 100 items")
    results = [
        {
            "GroupId": g,
            "MemberId": {"UserId": user_id},
            "MembershipExists": (g, user_id) in backend.membership_by_pair,
        }
        for g in group_ids
    ]
    return json.dumps({"Results": results})


def list_group_memberships(self: Any) -> str:
    backend, store_id, params = _store(self)
    group_id = params.get("GroupId")
    backend.group(group_id)
    items = [
        _membership_out(backend.memberships[m], store_id)
        for m in backend.by_group.get(str(group_id), {})
    ]
    return _paged("GroupMemberships", items, params)


def list_group_memberships_for_member(self: Any) -> str:
    backend, store_id, params = _store(self)
    user_id = _member(params)
    backend.user(user_id)
    items = [
        _membership_out(backend.memberships[m], store_id) for m in backend.by_user.get(user_id, {})
    ]
    return _paged("GroupMemberships", items, params)


OPERATIONS = {
    name: obj
    for name, obj in dict(globals()).items()
    if callable(obj) and not name.startswith("_") and getattr(obj, "__module__", "") == __name__
}
