"""Users' personal fields stored encrypted in state/ (`encryption.fields`).

Each value is encrypted on its own with AES-SIV, which is deterministic: the
same value under the same key always gives the same text, so an unchanged
organization still gives byte-identical snapshot files (no commit) and one
changed email is one changed line in `git diff`. The field's name is the
authenticated data, so a value cannot be moved to another field unnoticed.
A value is written `enc:v1:` + base64url of the SIV ciphertext.

The AES-SIV key comes from a data key made once per repository, wrapped by
`encryption.key` (keys.py, purpose "fields") and recorded with the list of
fields in the snapshot manifest (`encryption:`); every later snapshot reuses
it, so ciphertexts stay stable. Each snapshot thus says how it was
encrypted: an old revision opens with its own manifest.

Only values under the listed fields are encrypted; the document shapes stay
those of docs/formats.md. `user_name` also covers the user names in groups'
`members` and assignments' `users`, the same value everywhere.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

from reconciler.desired.sealed import PREFIX, is_sealed, map_document
from reconciler.desired.settings import SETTINGS_FILE, Settings, load_settings
from reconciler.errors import IdcError
from reconciler.store.keys import DecryptError, KeySource, derive, settings_key

PURPOSE = "fields"
SIV_KEY_BYTES = 64  # AES-256-SIV


@dataclass(frozen=True)
class FieldCipher:
    """AES-SIV over the values of the listed fields."""

    data_key: bytes = field(repr=False)
    fields: tuple[str, ...]
    record: Mapping[str, Any]  # the manifest's `encryption:` section

    def __post_init__(self) -> None:
        siv = AESSIV(derive(self.data_key, "idc fields v1", length=SIV_KEY_BYTES))
        object.__setattr__(self, "_siv", siv)

    def seal(self, name: str, value: str) -> str:
        sealed = self._siv.encrypt(value.encode("utf-8"), [name.encode()])  # type: ignore[attr-defined]
        return PREFIX + base64.urlsafe_b64encode(sealed).decode("ascii").rstrip("=")

    def open(self, name: str, value: str, where: str) -> str:
        text = value[len(PREFIX) :]
        try:
            sealed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            return str(self._siv.decrypt(sealed, [name.encode()]).decode("utf-8"))  # type: ignore[attr-defined]
        except (binascii.Error, ValueError, InvalidTag, UnicodeDecodeError):
            raise DecryptError(
                f"{where}: cannot decrypt a value of `{name}` with the key from "
                f"{self.record.get('key')}: the value was altered (or belongs to another field)"
            ) from None

    def seal_document(self, shown: str, doc: Mapping[str, Any]) -> Mapping[str, Any]:
        def seal(name: str, value: Any) -> Any:
            return (
                self.seal(name, value) if name in self.fields and isinstance(value, str) else value
            )

        return map_document(doc, seal)

    def open_document(self, shown: str, doc: Mapping[str, Any]) -> Mapping[str, Any]:
        def open_(name: str, value: Any) -> Any:
            return self.open(name, value, shown) if is_sealed(value) else value

        return map_document(doc, open_)


class FieldKeys:
    """The key to seal and open personal fields with, resolved only when a
    snapshot actually needs it (so unencrypted repositories never read a key
    nor call KMS). `session`: the AWS session factory, for kms: keys."""

    def __init__(
        self,
        repo: Path,
        *,
        settings: Settings | None = None,
        session: Callable[[], Any] | None = None,
    ) -> None:
        self.repo = repo
        self._settings = settings
        self.session = session
        self._key: KeySource | None = None
        self._opened: dict[str, FieldCipher] = {}
        self.made_data_key = False  # sealer made a new one (a first encrypted snapshot)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            has_settings = (self.repo / SETTINGS_FILE).is_file()
            self._settings = load_settings(self.repo) if has_settings else Settings()
        return self._settings

    def key(self) -> KeySource:
        if self._key is None:
            self._key = settings_key(self.settings, self.repo, self.session)
        return self._key

    def sealer(self, previous: Mapping[str, Any] | None) -> FieldCipher | None:
        """The cipher for a new snapshot (None: no fields to encrypt).
        `previous`: the last snapshot's `encryption:`; its data key is
        reused while encryption.key is unchanged, so ciphertexts are too."""
        fields = self.settings.encryption_fields
        if not fields:
            return None
        key = self.key()
        if previous and previous.get("key") == key.key_id and previous.get("wrapped_data_key"):
            cipher = self.opener(previous, f"{SETTINGS_FILE} encryption.key")
            return FieldCipher(cipher.data_key, fields, {**cipher.record, "fields": list(fields)})
        plain, wrapped = key.new_data_key(PURPOSE)
        self.made_data_key = True
        record = {
            "key": key.key_id,
            "fields": list(fields),
            "wrapped_data_key": base64.b64encode(wrapped).decode("ascii"),
        }
        return FieldCipher(plain, fields, record)

    def opener(self, record: Mapping[str, Any], where: str) -> FieldCipher:
        """The cipher a snapshot's `encryption:` record names; DecryptError
        (one line naming the key source) when it cannot be had."""
        wrapped_text = str(record.get("wrapped_data_key") or "")
        if wrapped_text in self._opened:
            return self._opened[wrapped_text]
        wanted = record.get("key", "?")
        fields = ", ".join(str(f) for f in record.get("fields") or ()) or "some fields"
        if self.settings.encryption_key is None:
            raise DecryptError(
                f"{where}: {fields} are encrypted with the key {wanted}, and idc.yaml names no "
                f"key: set encryption.key: {wanted} (and provide that key)"
            )
        try:
            key = self.key()
        except DecryptError:
            raise
        except IdcError as exc:  # a key that cannot be read: say which and why, once
            raise DecryptError(f"{where}: {fields} are encrypted; {exc}") from None
        try:
            wrapped = base64.b64decode(wrapped_text, validate=True)
        except (binascii.Error, ValueError):
            raise DecryptError(f"{where}: the encryption record is damaged") from None
        data_key = key.unwrap(wrapped, PURPOSE, where)
        cipher = FieldCipher(data_key, tuple(str(f) for f in record.get("fields") or ()), record)
        self._opened[wrapped_text] = cipher
        return cipher
