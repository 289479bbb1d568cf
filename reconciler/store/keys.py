"""The key named by `encryption.key` in idc.yaml, resolved to something that
makes and unwraps data keys.

Three sources: `env:NAME` and `file:PATH` hold 32 random bytes, base64 (a
master key kept by the user; data keys are wrapped with AES key wrap, RFC
3394, under a key derived from it), and `kms:KEY_ID_OR_ARN` (envelope
encryption: AWS KMS generates each data key and unwraps it, the master key
never leaves KMS). Every problem names the source, so "which key?" never
needs a traceback; no key material is ever printed.

A data key serves one purpose (`backup`, `fields`): the purpose is mixed
into the local key-wrapping key and is the KMS encryption context, so a data
key wrapped for one purpose never unwraps as the other.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from reconciler.aws.kms_keys import WRONG_KEY_CODES, decrypt_data_key, generate_data_key
from reconciler.desired.settings import SETTINGS_FILE, EncryptionKey, Settings
from reconciler.desired.types import Location
from reconciler.errors import AwsError, Diagnostic, IdcError, InputError

KEY_BYTES = 32
MAKE_KEY = "make one with `openssl rand -base64 32`"
PURPOSES = ("backup", "fields")


class DecryptError(IdcError):
    """Ciphertext that does not open: wrong key, altered or truncated data."""


def derive(
    material: bytes, info: str, *, length: int = KEY_BYTES, salt: bytes | None = None
) -> bytes:
    """A key for one use (`info`) from a master key, by HKDF-SHA256."""
    return HKDF(hashes.SHA256(), length, salt=salt, info=info.encode()).derive(material)


class KeySource(Protocol):
    """What envelope encryption needs from a key, whatever its source."""

    @property
    def spec(self) -> EncryptionKey: ...

    @property
    def key_id(self) -> str: ...

    def new_data_key(self, purpose: str) -> tuple[bytes, bytes]:
        """(a fresh 32-byte data key, its wrapped form to store beside the data)."""
        ...

    def unwrap(self, wrapped: bytes, purpose: str, where: str) -> bytes:
        """The data key of `wrapped`; DecryptError naming `where` when it does not open."""
        ...


def _wrong_key(where: str, spec: EncryptionKey) -> DecryptError:
    return DecryptError(
        f"{where}: cannot decrypt with the key from {spec}: it is not the key this was "
        "encrypted with, or the data was altered"
    )


@dataclass(frozen=True)
class LocalKey:
    """`env:NAME` or `file:PATH`: 32 bytes the user keeps."""

    spec: EncryptionKey
    material: bytes = field(repr=False)

    @property
    def key_id(self) -> str:
        return str(self.spec)

    def _kek(self, purpose: str) -> bytes:
        return derive(self.material, f"idc key wrap v1 {purpose}")

    def new_data_key(self, purpose: str) -> tuple[bytes, bytes]:
        plain = os.urandom(KEY_BYTES)
        return plain, aes_key_wrap(self._kek(purpose), plain)

    def unwrap(self, wrapped: bytes, purpose: str, where: str) -> bytes:
        try:
            return aes_key_unwrap(self._kek(purpose), wrapped)
        except (InvalidUnwrap, ValueError):
            raise _wrong_key(where, self.spec) from None


@dataclass(frozen=True)
class KmsKey:
    """`kms:KEY_ID_OR_ARN`: data keys from AWS KMS (GenerateDataKey, Decrypt)."""

    spec: EncryptionKey
    session: Callable[[], Any] = field(repr=False, compare=False)

    @property
    def key_id(self) -> str:
        return str(self.spec)

    @staticmethod
    def _context(purpose: str) -> dict[str, str]:
        return {"idc:purpose": purpose}

    def new_data_key(self, purpose: str) -> tuple[bytes, bytes]:
        return generate_data_key(self.session(), self.spec.ref, self._context(purpose))

    def unwrap(self, wrapped: bytes, purpose: str, where: str) -> bytes:
        try:
            return decrypt_data_key(self.session(), self.spec.ref, wrapped, self._context(purpose))
        except AwsError as exc:
            if exc.code in WRONG_KEY_CODES:
                raise DecryptError(
                    f"{where}: cannot decrypt with {self.spec}: KMS says {exc.code}: "
                    f"{exc.reason} (another KMS key, or the data was altered)"
                ) from None
            raise


def read_material(spec: EncryptionKey, repo: Path) -> bytes:
    """The 32 bytes of an `env:` or `file:` key; IdcError naming the source."""
    if spec.source == "env":
        text = os.environ.get(spec.ref)
        if text is None:
            raise IdcError(
                f"encryption key {spec}: the environment variable {spec.ref} is not set "
                f"({MAKE_KEY}, and export it as {spec.ref})"
            )
    else:
        path = repo / spec.ref
        try:
            text = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not base64 text"
            raise IdcError(f"encryption key {spec}: cannot read {path}: {reason}") from None
    try:
        material = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise IdcError(f"encryption key {spec}: not base64 ({MAKE_KEY})") from None
    if len(material) != KEY_BYTES:
        raise IdcError(
            f"encryption key {spec}: {len(material)} bytes, a key is {KEY_BYTES} random "
            f"bytes in base64 ({MAKE_KEY})"
        )
    return material


def resolve_key(
    spec: EncryptionKey,
    *,
    repo: Path,
    session: Callable[[], Any] | None = None,
    where: Location | None = None,
) -> KeySource:
    """The key `spec` names. `session`: the AWS session factory, for kms: keys
    (called only when KMS is actually asked, so offline commands stay offline).
    `where`: where the spec is written (idc.yaml's encryption.key), to locate
    a key that cannot be read."""
    if spec.source == "kms":
        if session is None:
            raise IdcError(f"encryption key {spec}: AWS KMS is not reachable from this command")
        return KmsKey(spec, session)
    try:
        return LocalKey(spec, read_material(spec, repo))
    except IdcError as exc:
        if where is None:
            raise
        raise InputError(Diagnostic(where.path, where.line, where.column, str(exc))) from None


def settings_key(
    settings: Settings, repo: Path, session: Callable[[], Any] | None = None
) -> KeySource:
    """The key of idc.yaml's `encryption.key`; InputError when there is none."""
    if settings.encryption_key is None:
        raise InputError(
            Diagnostic(
                SETTINGS_FILE,
                0,
                0,
                "no encryption.key: set one (env:NAME, file:PATH or kms:KEY_ID)",
            )
        )
    return resolve_key(
        settings.encryption_key, repo=repo, session=session, where=settings.encryption_location
    )
