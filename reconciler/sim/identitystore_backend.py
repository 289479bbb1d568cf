"""Identity Store state with the behaviour moto 5.2.1 lacks (AWS-NOTES 5, 6.2).

Users and groups are kept as the AWS-shaped documents DescribeUser and
DescribeGroup return, so every attribute (Roles, Photos, Website, Birthdate,
Extensions...) round-trips, and UpdateUser/UpdateGroup can apply
AttributeOperations on their camelCase paths. Memberships are indexed both
ways so duplicate checks and listings never scan the whole store.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from moto.identitystore.models import IdentityStoreBackend
from moto.moto_api._internal import mock_random as random
from moto.ssoadmin.models import ssoadmin_backends

from reconciler.sim.awserrors import conflict, not_found, validation

USER_STRINGS = (
    "DisplayName",
    "NickName",
    "ProfileUrl",
    "UserType",
    "Title",
    "PreferredLanguage",
    "Locale",
    "Timezone",
    "Website",
    "Birthdate",
)
USER_LISTS = {"Emails": 1, "Addresses": 1, "PhoneNumbers": 1, "Roles": 1, "Photos": 3}
NAME_PARTS = (
    "Formatted",
    "FamilyName",
    "GivenName",
    "MiddleName",
    "HonorificPrefix",
    "HonorificSuffix",
)
USER_WRITABLE = ("UserName", "Name", *USER_STRINGS, *USER_LISTS, "Extensions")
RESERVED_NAMES = {"administrator", "awsadministrators"}
BIRTHDATE = re.compile(r"\d{4}-\d{2}-\d{2}")
EXTENSION_KEY = re.compile(r"aws:identitystore:[a-z]{1,20}")


def pascal(segment: str) -> str:
    return segment[:1].upper() + segment[1:]


def pascal_keys(value: Any) -> Any:
    """AttributeValue documents may use the camelCase member names; store Pascal."""
    if isinstance(value, dict):
        return {
            pascal(k) if not k.startswith("aws:") else k: pascal_keys(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [pascal_keys(v) for v in value]
    return value


def _text(field: str, value: Any, hi: int = 1024) -> None:
    if not isinstance(value, str) or not 1 <= len(value) <= hi or not value.strip():
        raise validation(
            f"{field}: The attribute {field} must be a non-empty string of at most {hi} characters"
        )


def validate_user(doc: dict[str, Any]) -> None:
    """The checks IAM Identity Center applies to a user it will accept."""
    user_name = doc.get("UserName")
    if not user_name:
        raise validation("userName is a required attribute")
    _text("userName", user_name, 128)
    if any(c.isspace() for c in user_name) or user_name.lower() in RESERVED_NAMES:
        raise validation(f"userName: {user_name!r} is not a valid user name")
    missing = [a for a in ("DisplayName",) if not doc.get(a)]
    name = doc.get("Name") or {}
    missing += [
        f"name.{p[:1].lower()}{p[1:]}" for p in ("GivenName", "FamilyName") if not name.get(p)
    ]
    if missing:
        raise validation(", ".join(f"{m}: The attribute {m} is required" for m in missing))
    for part, value in name.items():
        if part not in NAME_PARTS:
            raise validation(f"name.{part} is not a valid attribute")
        _text(f"name.{part}", value)
    for attr in USER_STRINGS:
        if attr in doc:
            _text(attr, doc[attr])
    if "Birthdate" in doc and not BIRTHDATE.fullmatch(doc["Birthdate"]):
        raise validation("birthdate: must be a date in the format YYYY-MM-DD")
    for attr, most in USER_LISTS.items():
        items = doc.get(attr)
        if items is None:
            continue
        if not isinstance(items, list) or len(items) > most:
            raise validation(f"{attr}: at most {most} value(s) allowed")
        for item in items:
            if not isinstance(item, dict) or (attr == "Photos" and not item.get("Value")):
                raise validation(f"{attr}: each item must be an object with a Value")
        if sum(1 for i in items if i.get("Primary")) > 1:
            raise validation(f"{attr}: at most one item can be primary")
    for key in doc.get("Extensions") or {}:
        if key != "aws:identitystore:enterprise" or not EXTENSION_KEY.fullmatch(key):
            raise validation(f"Extension {key} is not supported")


class SimIdentityStoreBackend(IdentityStoreBackend):
    @property
    def _url_module(self) -> Any:
        """moto finds a backend's URL table next to its class; ours is moto's."""
        return importlib.import_module("moto.identitystore.urls")

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.users: dict[str, dict[str, Any]] = {}
        self.user_by_name: dict[str, str] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.group_by_name: dict[str, str] = {}
        self.memberships: dict[str, dict[str, Any]] = {}
        self.membership_by_pair: dict[tuple[str, str], str] = {}
        self.by_group: dict[str, dict[str, None]] = {}
        self.by_user: dict[str, dict[str, None]] = {}

    # --- identity store -------------------------------------------------------

    def store_id(self) -> str:
        backend = ssoadmin_backends[self.account_id][self.region_name]
        return str(backend.instances[0].identity_store_id)

    def check_store(self, store_id: Any) -> str:
        if store_id != self.store_id():
            raise not_found("IDENTITY_STORE not found.", "IDENTITY_STORE", store_id)
        return str(store_id)

    def principal_exists(self, store_id: str, principal_type: str, principal_id: str) -> bool:
        if store_id != self.store_id():
            return False
        return principal_id in (self.users if principal_type == "USER" else self.groups)

    # --- users ----------------------------------------------------------------

    def user(self, user_id: Any) -> dict[str, Any]:
        user = self.users.get(user_id)
        if user is None:
            raise not_found("USER not found.", "USER", user_id)
        return user

    def put_user(self, doc: dict[str, Any], user_id: str | None = None) -> str:
        """Validate and store a whole user document (create or full replace)."""
        validate_user(doc)
        key = doc["UserName"].lower()
        owner = self.user_by_name.get(key)
        if owner is not None and owner != user_id:
            raise conflict("Duplicate UserName", "UNIQUENESS_CONSTRAINT_VIOLATION")
        if user_id is None:
            user_id = str(random.uuid4())
        else:
            self.user_by_name.pop(self.users[user_id]["UserName"].lower(), None)
        doc = {"UserId": user_id, **{k: v for k, v in doc.items() if k != "UserId"}}
        doc.setdefault("UserStatus", "ENABLED")
        self.users[user_id] = doc
        self.user_by_name[key] = user_id
        return user_id

    def create_user_doc(self, params: dict[str, Any]) -> str:
        doc = {k: params[k] for k in USER_WRITABLE if params.get(k) is not None}
        return self.put_user(doc)

    def update_user_doc(self, user_id: Any, operations: Any) -> None:
        user = dict(self.user(user_id))
        apply_operations(user, operations, user=True)
        self.put_user(user, user_id)

    def delete_user_doc(self, user_id: Any) -> None:
        user = self.user(user_id)
        for membership_id in list(self.by_user.get(user_id, {})):
            self.drop_membership(membership_id)
        self.user_by_name.pop(user["UserName"].lower(), None)
        del self.users[user_id]

    # --- groups ---------------------------------------------------------------

    def group(self, group_id: Any) -> dict[str, Any]:
        group = self.groups.get(group_id)
        if group is None:
            raise not_found("GROUP not found.", "GROUP", group_id)
        return group

    def put_group(self, doc: dict[str, Any], group_id: str | None = None) -> str:
        name = doc.get("DisplayName")
        _text("displayName", name)
        assert isinstance(name, str)
        if name.lower() in RESERVED_NAMES:
            raise validation(f"displayName: {name!r} is reserved")
        if "Description" in doc:
            _text("description", doc["Description"])
        owner = self.group_by_name.get(name)
        if owner is not None and owner != group_id:
            raise conflict("Duplicate GroupDisplayName", "UNIQUENESS_CONSTRAINT_VIOLATION")
        if group_id is None:
            group_id = str(random.uuid4())
        else:
            self.group_by_name.pop(self.groups[group_id]["DisplayName"], None)
        self.groups[group_id] = {
            "GroupId": group_id,
            **{k: v for k, v in doc.items() if k != "GroupId"},
        }
        self.group_by_name[name] = group_id
        return group_id

    def update_group_doc(self, group_id: Any, operations: Any) -> None:
        group = dict(self.group(group_id))
        apply_operations(group, operations, user=False)
        self.put_group(group, group_id)

    def delete_group_doc(self, group_id: Any) -> None:
        group = self.group(group_id)
        for membership_id in list(self.by_group.get(group_id, {})):
            self.drop_membership(membership_id)
        self.group_by_name.pop(group["DisplayName"], None)
        del self.groups[group_id]

    # --- memberships ------------------------------------------------------------

    def add_membership(self, group_id: str, user_id: Any) -> str:
        self.group(group_id)
        self.user(user_id)
        if (group_id, user_id) in self.membership_by_pair:
            raise conflict("Member is already in the group", "UNIQUENESS_CONSTRAINT_VIOLATION")
        membership_id = str(random.uuid4())
        self.memberships[membership_id] = {
            "MembershipId": membership_id,
            "GroupId": group_id,
            "MemberId": {"UserId": user_id},
        }
        self.membership_by_pair[(group_id, user_id)] = membership_id
        self.by_group.setdefault(group_id, {})[membership_id] = None
        self.by_user.setdefault(user_id, {})[membership_id] = None
        return membership_id

    def membership(self, membership_id: Any) -> dict[str, Any]:
        found = self.memberships.get(membership_id)
        if found is None:
            raise not_found("GROUP_MEMBERSHIP not found.", "GROUP_MEMBERSHIP", membership_id)
        return found

    def drop_membership(self, membership_id: Any) -> None:
        found = self.membership(membership_id)
        group_id, user_id = found["GroupId"], found["MemberId"]["UserId"]
        del self.memberships[membership_id]
        self.membership_by_pair.pop((group_id, user_id), None)
        self.by_group.get(group_id, {}).pop(membership_id, None)
        self.by_user.get(user_id, {}).pop(membership_id, None)


def apply_operations(doc: dict[str, Any], operations: Any, user: bool) -> None:
    """UpdateUser/UpdateGroup AttributeOperations: replace (or add) the value at
    a camelCase path; an absent or null AttributeValue removes the attribute."""
    if not isinstance(operations, list) or not 1 <= len(operations) <= 100:
        raise validation("Operations must contain between 1 and 100 items")
    writable = USER_WRITABLE if user else ("DisplayName", "Description")
    for op in operations:
        path = op.get("AttributePath") if isinstance(op, dict) else None
        if not isinstance(path, str) or not 1 <= len(path) <= 255:
            raise validation("AttributePath must be between 1 and 255 characters")
        head, _, rest = path.partition(".")
        attr = pascal(head)
        if attr not in writable or (rest and attr != "Name"):
            raise validation(f"Invalid attribute path: {path}")
        value = pascal_keys(op.get("AttributeValue"))
        if rest:
            part = pascal(rest)
            if part not in NAME_PARTS:
                raise validation(f"Invalid attribute path: {path}")
            name = dict(doc.get("Name") or {})
            if value is None:
                name.pop(part, None)
            else:
                name[part] = value
            doc["Name"] = name
        elif value is None:
            if attr in ("UserName", "DisplayName"):
                raise validation(f"{path} is a required attribute and cannot be removed")
            doc.pop(attr, None)
        else:
            doc[attr] = value
