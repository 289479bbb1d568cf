"""Repository settings (idc.yaml, SPEC section 4) as one frozen value.

Every command reads settings first, so a bad idc.yaml fails early with the same
located diagnostics as desired files, and defaults live here, in one place.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from reconciler.desired.schema import validate_document
from reconciler.desired.yaml_io import load_yaml
from reconciler.errors import Diagnostic, InputError

SETTINGS_FILE = "idc.yaml"
DEFAULT_MAX_DELETES = 25

KeySource = Literal["env", "file", "kms"]


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


@dataclass(frozen=True)
class Safety:
    max_deletes: int = DEFAULT_MAX_DELETES
    protect: tuple[str, ...] = ()  # globs over Change.key_text()

    def protected(self, key_text: str) -> str | None:
        """The first protect glob matching `kind:part:part`, or None.

        Names match case-sensitively (AWS names are); the principal type of an
        assignment key matches either case, so the SPEC's
        `assignment:PS:group:NAME:*` and `assignment:PS:GROUP:NAME:*` both work.
        """
        texts = [key_text]
        parts = key_text.split(":")
        if parts[0] == "assignment" and len(parts) > 2:
            texts.append(":".join([*parts[:2], parts[2].swapcase(), *parts[3:]]))
        return next(
            (g for g in self.protect if any(fnmatch.fnmatchcase(t, g) for t in texts)), None
        )


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
    lock_s3: str | None = None  # s3://bucket/key of the cross-machine apply lock

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any] | None) -> Settings:
        """Settings from a schema-valid idc.yaml document; absent keys take defaults."""
        doc = doc or {}
        manage = doc.get("manage") or {}
        safety = doc.get("safety") or {}
        accounts = doc.get("accounts") or {}
        key = (doc.get("encryption") or {}).get("key")
        return cls(
            instance=str(doc.get("instance", "auto")),
            region=doc.get("region"),
            manage=Manage(**{k: bool(v) for k, v in manage.items()}),
            safety=Safety(
                max_deletes=int(safety.get("max_deletes", DEFAULT_MAX_DELETES)),
                protect=tuple(str(g) for g in safety.get("protect") or ()),
            ),
            accounts=AccountScope(**{k: bool(v) for k, v in accounts.items()}),
            encryption_key=EncryptionKey.parse(str(key)) if key else None,
            lock_s3=(doc.get("lock") or {}).get("s3"),
        )


def load_settings(repo: Path) -> Settings:
    """Read and validate `<repo>/idc.yaml`; every problem in one InputError."""
    path = repo / SETTINGS_FILE
    if not path.is_file():
        where = "the current directory" if str(repo) in ("", ".") else str(repo)
        raise InputError(
            Diagnostic(
                SETTINGS_FILE,
                0,
                0,
                f"no {SETTINGS_FILE} in {where}: not an idc repository "
                f"(create one with `idc init {repo}`, or pass --repo DIR)",
            )
        )
    data = load_yaml(path, SETTINGS_FILE)
    if data is None:  # an empty idc.yaml means "all defaults"
        return Settings()
    problems = validate_document(data, "settings", SETTINGS_FILE)
    if problems:
        raise InputError(problems)
    return Settings.from_doc(data)
