"""Identity Store users: every attribute the API lets us write, plus read-only ids.

Multi-valued attributes are tuples so a User is hashable and compares by value.
Identity Store allows at most one email, address, phone number and role, and
three photos; the model keeps tuples anyway so validation, not the model,
decides what is too many.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class PersonName:
    formatted: str | None = None
    family: str | None = None
    given: str | None = None
    middle: str | None = None
    honorific_prefix: str | None = None
    honorific_suffix: str | None = None


@dataclass(frozen=True, order=True)
class TypedValue:
    """Email, phone number or role: {Value, Type, Primary}."""

    value: str
    type: str | None = None
    primary: bool | None = None


@dataclass(frozen=True, order=True)
class Address:
    street_address: str | None = None
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    formatted: str | None = None
    type: str | None = None
    primary: bool | None = None


@dataclass(frozen=True, order=True)
class Photo:
    value: str
    type: str | None = None
    display: str | None = None
    primary: bool | None = None


@dataclass(frozen=True, order=True)
class ExternalId:
    """Set by an IdP through SCIM; read-only for us, kept so restores can match."""

    issuer: str
    id: str


@dataclass(frozen=True)
class User:
    user_name: str
    display_name: str | None = None
    name: PersonName | None = None
    nick_name: str | None = None
    profile_url: str | None = None
    title: str | None = None
    user_type: str | None = None
    preferred_language: str | None = None
    locale: str | None = None
    timezone: str | None = None
    website: str | None = None
    birthdate: str | None = None
    emails: tuple[TypedValue, ...] = ()
    phone_numbers: tuple[TypedValue, ...] = ()
    addresses: tuple[Address, ...] = ()
    roles: tuple[TypedValue, ...] = ()
    photos: tuple[Photo, ...] = ()
    external_ids: tuple[ExternalId, ...] = ()

    def __post_init__(self) -> None:
        # A name with no parts is no name: documents omit it, AWS returns none.
        if self.name == PersonName():
            object.__setattr__(self, "name", None)

    @property
    def key(self) -> str:
        return self.user_name


# Attributes a reconciler compares and writes; external_ids is read-only.
USER_WRITABLE_FIELDS: tuple[str, ...] = (
    "display_name",
    "name",
    "nick_name",
    "profile_url",
    "title",
    "user_type",
    "preferred_language",
    "locale",
    "timezone",
    "website",
    "birthdate",
    "emails",
    "phone_numbers",
    "addresses",
    "roles",
    "photos",
)
