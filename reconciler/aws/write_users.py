"""Identity Store user writes: CreateUser, UpdateUser attribute operations, DeleteUser.

Users are written from codec documents (desired state and snapshots are one
format). An update sends only what changed, as UpdateUser AttributeOperations:
single-valued attributes by their camelCase path (`title`, `name.givenName`),
multi-valued ones (`emails`, `addresses`, ...) as a full replacement, because
Identity Store rejects element paths like `emails[0].value` ("please provide
full replacement of Multi-Value attribute types"). A dropped attribute is an
operation without AttributeValue, which removes it.
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any

from reconciler.aws.errors import unless_missing
from reconciler.aws.read_users import user_from_api
from reconciler.model import PersonName, User
from reconciler.model.codec import user_from_doc

if TYPE_CHECKING:
    from reconciler.aws.write_context import WriteContext

# UpdateUser accepts at most 100 operations per call.
MAX_OPERATIONS = 100

# model field -> (API member, UpdateUser attribute path) for single values.
SCALARS: dict[str, tuple[str, str]] = {
    "display_name": ("DisplayName", "displayName"),
    "nick_name": ("NickName", "nickName"),
    "profile_url": ("ProfileUrl", "profileUrl"),
    "title": ("Title", "title"),
    "user_type": ("UserType", "userType"),
    "preferred_language": ("PreferredLanguage", "preferredLanguage"),
    "locale": ("Locale", "locale"),
    "timezone": ("Timezone", "timezone"),
    "website": ("Website", "website"),
    "birthdate": ("Birthdate", "birthdate"),
}
NAME_PARTS: dict[str, tuple[str, str]] = {
    "formatted": ("Formatted", "name.formatted"),
    "family": ("FamilyName", "name.familyName"),
    "given": ("GivenName", "name.givenName"),
    "middle": ("MiddleName", "name.middleName"),
    "honorific_prefix": ("HonorificPrefix", "name.honorificPrefix"),
    "honorific_suffix": ("HonorificSuffix", "name.honorificSuffix"),
}
# model field -> (API member, attribute path) for multi-valued attributes.
LISTS: dict[str, tuple[str, str]] = {
    "emails": ("Emails", "emails"),
    "phone_numbers": ("PhoneNumbers", "phoneNumbers"),
    "addresses": ("Addresses", "addresses"),
    "roles": ("Roles", "roles"),
    "photos": ("Photos", "photos"),
}


def _api_key(field_name: str) -> str:
    """street_address -> StreetAddress (the API's record member names)."""
    return "".join(part.capitalize() for part in field_name.split("_"))


def _record_to_api(record: Any) -> dict[str, Any]:
    return {
        _api_key(f.name): getattr(record, f.name)
        for f in fields(record)
        if getattr(record, f.name) is not None
    }


def create_params(user: User) -> dict[str, Any]:
    """CreateUser parameters carrying every writable attribute of `user`."""
    params: dict[str, Any] = {"UserName": user.user_name}
    for attr, (member, _) in SCALARS.items():
        if getattr(user, attr) is not None:
            params[member] = getattr(user, attr)
    if user.name is not None:
        params["Name"] = {
            member: getattr(user.name, part)
            for part, (member, _) in NAME_PARTS.items()
            if getattr(user.name, part) is not None
        }
    for attr, (member, _) in LISTS.items():
        if getattr(user, attr):
            params[member] = [_record_to_api(v) for v in getattr(user, attr)]
    return params


def attribute_operations(before: User, after: User) -> list[dict[str, Any]]:
    """UpdateUser operations turning `before` into `after`: changed attributes
    replaced, dropped ones removed, unchanged ones untouched."""
    ops: list[dict[str, Any]] = []
    if before.user_name != after.user_name:
        ops.append(_set("userName", after.user_name))
    for attr, (_, path) in SCALARS.items():
        old, new = getattr(before, attr), getattr(after, attr)
        if old != new:
            ops.append(_set(path, new))
    old_name, new_name = before.name or PersonName(), after.name or PersonName()
    for part, (_, path) in NAME_PARTS.items():
        old, new = getattr(old_name, part), getattr(new_name, part)
        if old != new:
            ops.append(_set(path, new))
    for attr, (_, path) in LISTS.items():
        old, new = getattr(before, attr), getattr(after, attr)
        if old != new:
            ops.append(_set(path, [_record_to_api(v) for v in new] if new else None))
    return ops


def _set(path: str, value: Any) -> dict[str, Any]:
    """Replace `path` with `value`; no value removes the attribute."""
    if value is None:
        return {"AttributePath": path}
    return {"AttributePath": path, "AttributeValue": value}


def _comparable(user: User) -> User:
    """Writable attributes only: external ids are the IdP's, not ours."""
    return User(**{f.name: getattr(user, f.name) for f in fields(User) if f.name != "external_ids"})


# --- operations ----------------------------------------------------------------


def create_user(ctx: WriteContext, doc: dict[str, Any], resource: str) -> None:
    user = user_from_doc(doc)
    result = ctx.store_call("CreateUser", resource, **create_params(user))
    ctx.names.remember_user(user.user_name, result["UserId"])


def update_user(ctx: WriteContext, args: dict[str, Any], resource: str) -> None:
    before, after = user_from_doc(args["before"]), user_from_doc(args["after"])
    user_id = ctx.names.user_id(args["user_name"])
    ops = attribute_operations(before, after)
    for start in range(0, len(ops), MAX_OPERATIONS):
        chunk = ops[start : start + MAX_OPERATIONS]
        ctx.store_call("UpdateUser", resource, UserId=user_id, Operations=chunk)
    if before.user_name != after.user_name:
        ctx.names.remember_user(before.user_name, None)
        ctx.names.remember_user(after.user_name, user_id)


def delete_user(ctx: WriteContext, user_name: str, resource: str) -> None:
    user_id = ctx.names.user_id(user_name)
    ctx.store_call("DeleteUser", resource, UserId=user_id)
    ctx.names.remember_user(user_name, None)


def live_user(ctx: WriteContext, user_name: str) -> User | None:
    user_id = ctx.names.find_user_id(user_name)
    if user_id is None:
        return None
    described = unless_missing(
        lambda: ctx.store_call("DescribeUser", f"user {user_name}", UserId=user_id)
    )
    return None if described is None else user_from_api(described)


def user_matches(ctx: WriteContext, doc: dict[str, Any]) -> bool:
    """True when the user exists with exactly the document's writable attributes."""
    wanted = user_from_doc(doc)
    live = live_user(ctx, wanted.user_name)
    return live is not None and _comparable(live) == _comparable(wanted)
