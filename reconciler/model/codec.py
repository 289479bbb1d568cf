"""Model <-> document conversion, shared by desired files, snapshots and the writer.

Desired state and snapshots are ONE format (docs/formats.md), so one codec
serves both. Documents put the natural key first, then the other fields in
alphabetical order, and omit what is unset: the same model always gives the
same document. `*_from_doc` expects schema-valid input.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import fields
from typing import Any

from reconciler.model import (
    Account,
    Address,
    Assignment,
    CustomerManagedPolicy,
    ExternalId,
    Group,
    OrgUnit,
    PermissionsBoundary,
    PermissionSet,
    PersonName,
    Photo,
    TypedValue,
    User,
)
from reconciler.model.accounts import ROOT_PATH, canonical_ou_path

Doc = dict[str, Any]


def _compact(key_name: str, values: Mapping[str, Any]) -> Doc:
    """Key first, the rest sorted, empty values dropped."""
    out: Doc = {key_name: values[key_name]} if key_name else {}
    for name in sorted(values):
        if name == key_name:
            continue
        value = values[name]
        if value is None or value == [] or value == {} or value == ():
            continue
        out[name] = value
    return out


def _record_doc(record: Any) -> Doc:
    return _compact("", {f.name: getattr(record, f.name) for f in fields(record)})


# --- users -----------------------------------------------------------------


def user_to_doc(user: User) -> Doc:
    return _compact(
        "user_name",
        {
            "user_name": user.user_name,
            "display_name": user.display_name,
            "name": _record_doc(user.name) if user.name else None,
            "nick_name": user.nick_name,
            "profile_url": user.profile_url,
            "title": user.title,
            "user_type": user.user_type,
            "preferred_language": user.preferred_language,
            "locale": user.locale,
            "timezone": user.timezone,
            "website": user.website,
            "birthdate": user.birthdate,
            "emails": [_record_doc(v) for v in user.emails],
            "phone_numbers": [_record_doc(v) for v in user.phone_numbers],
            "addresses": [_record_doc(v) for v in user.addresses],
            "roles": [_record_doc(v) for v in user.roles],
            "photos": [_record_doc(v) for v in user.photos],
            "external_ids": [_record_doc(v) for v in user.external_ids],
        },
    )


def user_from_doc(doc: Mapping[str, Any]) -> User:
    name = doc.get("name")
    return User(
        user_name=str(doc["user_name"]),
        display_name=doc.get("display_name"),
        name=PersonName(**dict(name)) if name else None,
        nick_name=doc.get("nick_name"),
        profile_url=doc.get("profile_url"),
        title=doc.get("title"),
        user_type=doc.get("user_type"),
        preferred_language=doc.get("preferred_language"),
        locale=doc.get("locale"),
        timezone=doc.get("timezone"),
        website=doc.get("website"),
        birthdate=None if doc.get("birthdate") is None else str(doc["birthdate"]),
        emails=tuple(TypedValue(**dict(v)) for v in doc.get("emails") or ()),
        phone_numbers=tuple(TypedValue(**dict(v)) for v in doc.get("phone_numbers") or ()),
        addresses=tuple(Address(**dict(v)) for v in doc.get("addresses") or ()),
        roles=tuple(TypedValue(**dict(v)) for v in doc.get("roles") or ()),
        photos=tuple(Photo(**dict(v)) for v in doc.get("photos") or ()),
        external_ids=tuple(ExternalId(**dict(v)) for v in doc.get("external_ids") or ()),
    )


# --- groups ----------------------------------------------------------------


def group_to_doc(group: Group, members: Iterable[str] = ()) -> Doc:
    return _compact(
        "name",
        {
            "name": group.name,
            "description": group.description,
            "members": sorted(members),
            "external_ids": [_record_doc(v) for v in group.external_ids],
        },
    )


def group_from_doc(doc: Mapping[str, Any]) -> tuple[Group, list[str]]:
    """The group and the user names listed as its members."""
    group = Group(
        name=str(doc["name"]),
        description=doc.get("description"),
        external_ids=tuple(ExternalId(**dict(v)) for v in doc.get("external_ids") or ()),
    )
    return group, [str(m) for m in doc.get("members") or ()]


# --- permission sets -------------------------------------------------------


def permission_set_to_doc(ps: PermissionSet) -> Doc:
    boundary: Doc | None = None
    if ps.permissions_boundary is not None:
        pb = ps.permissions_boundary
        boundary = (
            {"managed_policy_arn": pb.managed_policy_arn}
            if pb.managed_policy_arn
            else {"customer_managed_policy": _record_doc(pb.customer_managed_policy)}
        )
    return _compact(
        "name",
        {
            "name": ps.name,
            "description": ps.description,
            "session_duration": ps.session_duration,
            "relay_state": ps.relay_state,
            "managed_policies": list(ps.managed_policies),
            "customer_managed_policies": [_record_doc(c) for c in ps.customer_managed_policies],
            "inline_policy": ps.inline_policy_document,
            "permissions_boundary": boundary,
            "tags": dict(ps.tags),
        },
    )


def permission_set_from_doc(doc: Mapping[str, Any]) -> PermissionSet:
    boundary = None
    pb = doc.get("permissions_boundary")
    if pb:
        cmp = pb.get("customer_managed_policy")
        boundary = PermissionsBoundary(
            managed_policy_arn=pb.get("managed_policy_arn"),
            customer_managed_policy=CustomerManagedPolicy(**dict(cmp)) if cmp else None,
        )
    return PermissionSet.build(
        str(doc["name"]),
        description=doc.get("description"),
        session_duration=doc.get("session_duration"),
        relay_state=doc.get("relay_state"),
        managed_policies=[str(a) for a in doc.get("managed_policies") or ()],
        customer_managed_policies=[
            CustomerManagedPolicy(**dict(c)) for c in doc.get("customer_managed_policies") or ()
        ],
        inline_policy=plain(doc.get("inline_policy")),
        permissions_boundary=boundary,
        tags={str(k): str(v) for k, v in (doc.get("tags") or {}).items()},
    )


def plain(value: Any) -> Any:
    """ruamel nodes -> plain JSON values (for canonical_json, and for parts
    of a document kept as read, which must render like freshly made ones)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


# --- assignments -----------------------------------------------------------


def assignment_rules(assignments: Iterable[Assignment]) -> list[Doc]:
    """Group concrete assignments into explicit rules: per permission set, the
    principals that share one set of accounts form one rule."""
    accounts_of: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for a in assignments:
        accounts_of[(a.permission_set, a.principal_type, a.principal)].add(a.account)
    rules: dict[tuple[str, tuple[str, ...]], dict[str, list[str]]] = defaultdict(
        lambda: {"GROUP": [], "USER": []}
    )
    for (ps, ptype, principal), accounts in accounts_of.items():
        rules[(ps, tuple(sorted(accounts)))][ptype].append(principal)
    out: list[Doc] = []
    for (ps, account_ids), principals in sorted(rules.items()):
        out.append(
            _compact(
                "permission_set",
                {
                    "permission_set": ps,
                    "groups": sorted(principals["GROUP"]),
                    "users": sorted(principals["USER"]),
                    "accounts": list(account_ids),
                },
            )
        )
    return out


# --- accounts --------------------------------------------------------------


def account_to_doc(account: Account) -> Doc:
    return _compact(
        "id",
        {
            "id": account.id,
            "name": account.name,
            "status": account.status,
            "ou": account.ou_path,
            "tags": dict(account.tags),
        },
    )


def account_from_doc(doc: Mapping[str, Any]) -> Account:
    return Account(
        id=str(doc["id"]),
        name=str(doc["name"]),
        status=str(doc.get("status", "ACTIVE")),
        ou_path=canonical_ou_path(str(doc.get("ou", ROOT_PATH))),
        tags=tuple(sorted((str(k), str(v)) for k, v in (doc.get("tags") or {}).items())),
    )


def org_unit_to_doc(ou: OrgUnit) -> Doc:
    return {"id": ou.id, "path": ou.path}


def org_unit_from_doc(doc: Mapping[str, Any]) -> OrgUnit:
    return OrgUnit(id=str(doc["id"]), path=canonical_ou_path(str(doc["path"])))
