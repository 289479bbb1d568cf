"""Identity Store users, every attribute, from ListUsers alone.

ListUsers returns complete User records (the same shape as DescribeUser), so
one call per 100 users reads them all; a DescribeUser per user would cost 100
times more calls for nothing. The user id is kept beside the model because
memberships and assignments name users by id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.aws.paging import paginate
from reconciler.aws.read_context import ReadContext
from reconciler.model import Address, ExternalId, PersonName, Photo, TypedValue, User


def _typed_values(items: Any) -> tuple[TypedValue, ...]:
    return tuple(
        TypedValue(value=i["Value"], type=i.get("Type"), primary=i.get("Primary"))
        for i in items or ()
        if "Value" in i
    )


def external_ids_from_api(raw: Mapping[str, Any]) -> tuple[ExternalId, ...]:
    """IdP-set ids of a user or group, sorted so the order AWS returns never shows as a change."""
    return tuple(
        sorted(ExternalId(issuer=e["Issuer"], id=e["Id"]) for e in raw.get("ExternalIds") or ())
    )


def _name(raw: Mapping[str, Any] | None) -> PersonName | None:
    if not raw:
        return None
    return PersonName(
        formatted=raw.get("Formatted"),
        family=raw.get("FamilyName"),
        given=raw.get("GivenName"),
        middle=raw.get("MiddleName"),
        honorific_prefix=raw.get("HonorificPrefix"),
        honorific_suffix=raw.get("HonorificSuffix"),
    )


def _address(raw: Mapping[str, Any]) -> Address:
    return Address(
        street_address=raw.get("StreetAddress"),
        locality=raw.get("Locality"),
        region=raw.get("Region"),
        postal_code=raw.get("PostalCode"),
        country=raw.get("Country"),
        formatted=raw.get("Formatted"),
        type=raw.get("Type"),
        primary=raw.get("Primary"),
    )


def _photo(raw: Mapping[str, Any]) -> Photo:
    return Photo(
        value=raw["Value"],
        type=raw.get("Type"),
        display=raw.get("Display"),
        primary=raw.get("Primary"),
    )


def user_from_api(raw: Mapping[str, Any]) -> User:
    """Model of an identitystore User record (ListUsers/DescribeUser shape)."""
    return User(
        user_name=raw["UserName"],
        display_name=raw.get("DisplayName"),
        name=_name(raw.get("Name")),
        nick_name=raw.get("NickName"),
        profile_url=raw.get("ProfileUrl"),
        title=raw.get("Title"),
        user_type=raw.get("UserType"),
        preferred_language=raw.get("PreferredLanguage"),
        locale=raw.get("Locale"),
        timezone=raw.get("Timezone"),
        website=raw.get("Website"),
        birthdate=raw.get("Birthdate"),
        emails=_typed_values(raw.get("Emails")),
        phone_numbers=_typed_values(raw.get("PhoneNumbers")),
        addresses=tuple(_address(a) for a in raw.get("Addresses") or ()),
        roles=_typed_values(raw.get("Roles")),
        photos=tuple(_photo(p) for p in raw.get("Photos") or () if "Value" in p),
        external_ids=external_ids_from_api(raw),
    )


def read_users(ctx: ReadContext) -> dict[str, User]:
    """Every user of the identity store, by user id."""
    users: dict[str, User] = {}
    for raw in paginate(
        ctx.client("identitystore"),
        "ListUsers",
        "Users",
        f"identity store {ctx.identity_store_id}",
        IdentityStoreId=ctx.identity_store_id,
    ):
        users[raw["UserId"]] = user_from_api(raw)
        if len(users) % 100 == 0:
            ctx.report("users", len(users), None)
    ctx.report("users", len(users), len(users))
    return users
