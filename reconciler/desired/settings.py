"""Repository settings (idc.yaml, docs/formats.md#idcyaml) as one frozen value.

Every command reads settings first, so a bad idc.yaml fails early with the same
located diagnostics as desired files, and defaults live here, in one place.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from reconciler.desired.schema import load_schema, validate_document
from reconciler.desired.types import Location
from reconciler.desired.yaml_io import load_yaml_text, position, read_text
from reconciler.errors import Diagnostic, InputError
from reconciler.model.users import USER_WRITABLE_FIELDS

SETTINGS_FILE = "idc.yaml"
DEFAULT_MAX_DELETES = 25
# The S3 lock lease: renewed every third of it, taken over once it runs out.
DEFAULT_LEASE_SECONDS = 900

KeySource = Literal["env", "file", "kms"]
# What `encryption.fields` may list: the user document's fields
# (reconciler.model.codec.user_to_doc) but external_ids, which restores match by.
ENCRYPTABLE_FIELDS: tuple[str, ...] = ("user_name", *USER_WRITABLE_FIELDS)


@dataclass(frozen=True)
class Manage:
    """Kinds this repository is authoritative for; false means never touched."""

    users: bool = True
    groups: bool = True
    memberships: bool = True
    permission_sets: bool = True
    assignments: bool = True

    def __contains__(self, kind: str) -> bool:
        """`"user" in settings.manage`: accepts plan kinds and plural field names."""
        plural = kind if kind.endswith("s") else kind + "s"
        return bool(getattr(self, plural))

    @property
    def scim(self) -> bool:
        """Users and groups come from an external IdP (SCIM provisioning)."""
        return not self.users and not self.groups


# The keyword segment of an assignment key (`assignment:PS:GROUP:NAME:ACCOUNT`).
PRINCIPAL_TYPE_SEGMENT = 2
PRINCIPAL_TYPES = ("USER", "GROUP")


def protect_glob(pattern: str) -> str:
    """The glob a `safety.protect` pattern matches keys with.

    One rule: a pattern matches `Change.key_text()` (the key as the plan
    prints it) exactly and case-sensitively, because AWS names are
    case-sensitive; only the principal type of an assignment is a keyword,
    written in any case (`group`, `Group`, `GROUP`) and matched as the key's
    `GROUP`/`USER`.
    """
    parts = pattern.split(":")
    if (
        parts[0] == "assignment"
        and len(parts) > PRINCIPAL_TYPE_SEGMENT
        and parts[PRINCIPAL_TYPE_SEGMENT].upper() in PRINCIPAL_TYPES
    ):
        parts[PRINCIPAL_TYPE_SEGMENT] = parts[PRINCIPAL_TYPE_SEGMENT].upper()
    return ":".join(parts)


@dataclass(frozen=True)
class Safety:
    max_deletes: int = DEFAULT_MAX_DELETES
    protect: tuple[str, ...] = ()  # patterns over Change.key_text(), see protect_glob
    # Where each pattern is written in idc.yaml, for located errors.
    protect_locations: tuple[Location, ...] = field(default=(), compare=False)

    @cached_property
    def globs(self) -> tuple[str, ...]:
        """`protect` as matched (protect_glob), computed once per settings."""
        return tuple(protect_glob(p) for p in self.protect)

    def protected(self, key_text: str) -> str | None:
        """The first protect pattern (as written) matching `kind:part:part`, or None."""
        return next(
            (p for p, g in zip(self.protect, self.globs, strict=True) if fnmatchcase(key_text, g)),
            None,
        )

    def location(self, index: int) -> Location:
        """Where protect pattern `index` is written (just the file when unknown)."""
        if index < len(self.protect_locations):
            return self.protect_locations[index]
        return Location(SETTINGS_FILE)


@dataclass(frozen=True)
class AccountScope:
    """What filter expressions may expand to (explicit account ids always work)."""

    include_suspended: bool = False
    include_management: bool = False


@dataclass(frozen=True)
class EncryptionKey:
    """`env:NAME`, `file:PATH` or `kms:KEY_ID_OR_ARN`, split; resolved by whoever encrypts."""

    source: KeySource
    ref: str

    @classmethod
    def parse(cls, spec: str) -> EncryptionKey:
        source, sep, ref = spec.partition(":")
        if not sep or not ref or source not in ("env", "file", "kms"):
            raise ValueError(f"key must be env:NAME, file:PATH or kms:KEY_ID, got {spec!r}")
        return cls(source, ref)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return f"{self.source}:{self.ref}"


@dataclass(frozen=True)
class Settings:
    instance: str = "auto"  # "auto" or an instance ARN
    region: str | None = None
    manage: Manage = field(default_factory=Manage)
    safety: Safety = field(default_factory=Safety)
    accounts: AccountScope = field(default_factory=AccountScope)
    encryption_key: EncryptionKey | None = None
    # User fields stored encrypted in state/ (encryption.fields), in schema order.
    encryption_fields: tuple[str, ...] = ()
    # Where encryption.key is written, so a key that cannot be read is located.
    encryption_location: Location = field(default=Location(SETTINGS_FILE), compare=False)
    lock_s3: str | None = None  # s3://bucket/key of the cross-machine apply lock
    lock_lease_seconds: int = DEFAULT_LEASE_SECONDS
    role_arn: str | None = None  # aws.role_arn: assumed for every call
    external_id: str | None = None
    storage_warn_bytes: int = 0  # storage.warn_bytes: export warns above it (0: never)
    notify: tuple[str, ...] = ()  # webhook URLs and SNS topic ARNs told of failures (and drift)
    notify_on: tuple[str, ...] = ("failure",)

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any] | None) -> Settings:
        """Settings from a schema-valid idc.yaml document; absent keys take defaults."""
        doc = doc or {}
        manage = doc.get("manage") or {}
        safety = doc.get("safety") or {}
        accounts = doc.get("accounts") or {}
        encryption = doc.get("encryption") or {}
        key = encryption.get("key")
        lock = doc.get("lock") or {}
        aws = doc.get("aws") or {}
        storage = doc.get("storage") or {}
        protect = safety.get("protect") or ()
        return cls(
            instance=str(doc.get("instance", "auto")),
            region=doc.get("region"),
            manage=Manage(**{k: bool(v) for k, v in manage.items()}),
            safety=Safety(
                max_deletes=int(safety.get("max_deletes", DEFAULT_MAX_DELETES)),
                protect=tuple(str(g) for g in protect),
                protect_locations=tuple(
                    Location(SETTINGS_FILE, *position(protect, i)) for i in range(len(protect))
                ),
            ),
            accounts=AccountScope(**{k: bool(v) for k, v in accounts.items()}),
            encryption_key=EncryptionKey.parse(str(key)) if key else None,
            encryption_fields=tuple(
                f for f in ENCRYPTABLE_FIELDS if f in (encryption.get("fields") or ())
            ),
            encryption_location=Location(SETTINGS_FILE, *position(encryption, "key")),
            lock_s3=lock.get("s3"),
            lock_lease_seconds=int(lock.get("lease_seconds", DEFAULT_LEASE_SECONDS)),
            role_arn=aws.get("role_arn"),
            external_id=aws.get("external_id"),
            storage_warn_bytes=int(storage.get("warn_bytes", 0)),
            notify=tuple(str(t) for t in doc.get("notify") or ()),
            notify_on=tuple(str(e) for e in doc.get("notify_on", ("failure",))),
        )


def region_problem(region: str) -> str | None:
    """Why `region` is not an AWS region name (None when it is one): the
    rule `region:` in idc.yaml is held to, so --region is held to it too."""
    pattern = load_schema("settings")["properties"]["region"]["pattern"]
    if re.search(pattern, region):
        return None
    return f"{region!r} is not an AWS region name (like eu-west-1 or us-east-1)"


def find_repo(start: Path) -> Path | None:
    """The nearest of `start` and its parents holding idc.yaml, as git finds
    .git, so commands work from any directory of the repository; relative to
    `start` (`..`, `../..`) so messages quote a path the user can type."""
    here = start.resolve()
    for directory in (here, *here.parents):
        if (directory / SETTINGS_FILE).is_file():
            relative = os.path.relpath(directory, here)
            return start if relative == "." else start / relative
    return None


def load_settings(repo: Path) -> Settings:
    """Read and validate `<repo>/idc.yaml`; every problem in one InputError."""
    path = repo / SETTINGS_FILE
    if not path.is_file():
        where = "the current directory or its parents" if str(repo) in ("", ".") else str(repo)
        raise InputError(
            Diagnostic(
                SETTINGS_FILE,
                0,
                0,
                f"no {SETTINGS_FILE} in {where}: not an idc repository "
                f"(create one with `idc init {repo}`, or pass --repo DIR)",
            )
        )
    text = read_text(path, SETTINGS_FILE)
    data = load_yaml_text(text, SETTINGS_FILE)
    if data is None:  # an empty idc.yaml means "all defaults"
        return Settings()
    problems = validate_document(data, "settings", SETTINGS_FILE, text)
    if problems:
        raise InputError(problems)
    return Settings.from_doc(data)
