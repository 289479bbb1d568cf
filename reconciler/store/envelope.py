"""Encrypted files: AES-256-GCM under a random data key, wrapped by the
user's key (reconciler.store.keys), in a self-describing format.

API (all errors are IdcError subclasses naming the file, never a traceback):

    encrypt_file(data, *, name, key) -> bytes        one file, its own data key
    decrypt_file(blob, *, name, key) -> bytes
    Envelope.new(key)                               one data key for many files
        .header() -> dict                           for a manifest's `encryption`
        .encrypt(data, *, name) -> bytes
        .encrypt_stream(src, dst, *, name) -> int   bytes written; constant memory
    Decryptor(key)                                  unwraps each data key once
        .check(header, where) -> None               the key opens this header's data key
        .decrypt(blob, *, name) -> bytes
        .decrypt_stream(src, dst, *, name) -> int   plaintext bytes written
    is_encrypted(blob) -> bool

A file is `MAGIC`, a 4-byte header length, a JSON header (format version,
algorithm, key id, key source kind, the wrapped data key, a random salt,
the chunk size), then the data in chunks of `chunk_bytes`, each sealed with
AES-256-GCM. Each file gets its own key, HKDF(data key, salt), so one data
key can serve every file of a backup (one KMS call, not one per file) with
no nonce shared between files; a chunk's nonce is its number and whether it
is the last one, so chunks cannot be reordered, dropped or cut off at a
chunk boundary without failing authentication. The authenticated data of
every chunk is a digest of the whole header and the file's name, so the
file name, the format version and the key id cannot be changed either.

Streams decrypt chunk by chunk: plaintext reaches `dst` before the end is
authenticated, so a caller writes it to a temporary file and keeps it only
when decrypt_stream returns (an error means: discard everything written).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import struct
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from reconciler.store.keys import DecryptError, KeySource, derive

FORMAT_VERSION = 1
ALGORITHM = "AES-256-GCM"
MAGIC = b"IDCENC\x00\n"
PURPOSE = "backup"  # the key-wrapping purpose of backup data keys (keys.PURPOSES)
CHUNK_BYTES = 1 << 20
TAG_BYTES = 16
SALT_BYTES = 16
_LENGTH = struct.Struct(">I")
MAX_HEADER_BYTES = 64 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    return base64.b64decode(str(text), validate=True)


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def is_encrypted(blob: bytes) -> bool:
    """Whether `blob` starts like a file this module wrote."""
    return blob.startswith(MAGIC)


@dataclass(frozen=True)
class Envelope:
    """One data key, to encrypt any number of files (a backup's)."""

    key: KeySource
    data_key: bytes = field(repr=False)
    wrapped: bytes
    chunk_bytes: int = CHUNK_BYTES

    @classmethod
    def new(cls, key: KeySource, *, chunk_bytes: int = CHUNK_BYTES) -> Envelope:
        """A fresh random data key (for kms: one GenerateDataKey call)."""
        plain, wrapped = key.new_data_key(PURPOSE)
        return cls(key, plain, wrapped, chunk_bytes)

    def header(self) -> dict[str, Any]:
        """What a manifest records about the encryption (no secret in it)."""
        return {
            "format_version": FORMAT_VERSION,
            "algorithm": ALGORITHM,
            "key": self.key.key_id,
            "key_source": self.key.spec.source,
            "wrapped_data_key": _b64(self.wrapped),
            "chunk_bytes": self.chunk_bytes,
        }

    def encrypt(self, data: bytes, *, name: str) -> bytes:
        out = io.BytesIO()
        self.encrypt_stream(io.BytesIO(data), out, name=name)
        return out.getvalue()

    def encrypt_stream(self, src: BinaryIO, dst: BinaryIO, *, name: str) -> int:
        """Encrypt `src` to `dst` chunk by chunk; the number of bytes written."""
        salt = os.urandom(SALT_BYTES)
        file_header = {**self.header(), "salt": _b64(salt)}
        head = _head_bytes(file_header)
        aad = _aad(head, name)
        aead = AESGCM(derive(self.data_key, "idc envelope v1", salt=salt))
        dst.write(head)
        written = len(head)
        index = 0
        chunk = src.read(self.chunk_bytes)
        while True:
            following = src.read(self.chunk_bytes) if len(chunk) == self.chunk_bytes else b""
            last = not following
            sealed = aead.encrypt(_nonce(index, last), chunk, aad)
            dst.write(sealed)
            written += len(sealed)
            if last:
                return written
            chunk, index = following, index + 1


def encrypt_file(data: bytes, *, name: str, key: KeySource) -> bytes:
    """`data` encrypted under a data key of its own, wrapped by `key`."""
    return Envelope.new(key).encrypt(data, name=name)


def decrypt_file(blob: bytes, *, name: str, key: KeySource) -> bytes:
    """The plaintext of `blob`; DecryptError naming `name` when the key is
    wrong or the file was altered, truncated or renamed."""
    return Decryptor(key).decrypt(blob, name=name)


def _head_bytes(file_header: dict[str, Any]) -> bytes:
    text = json.dumps(file_header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return MAGIC + _LENGTH.pack(len(text)) + text


def _aad(head: bytes, name: str) -> bytes:
    """Authenticated data of every chunk: the header (version, key id,
    wrapped key, salt) and the file name."""
    return hashlib.sha256(head + b"\x00" + name.encode("utf-8")).digest()


class Decryptor:
    """Opens files encrypted under `key`; each wrapped data key is unwrapped
    once (one KMS Decrypt per backup, not per file)."""

    def __init__(self, key: KeySource) -> None:
        self.key = key
        self._data_keys: dict[bytes, bytes] = {}

    def check(self, header: dict[str, Any], where: str) -> None:
        """Fail now, naming `where`, unless `header` (Envelope.header(), as a
        manifest holds it) is a format this version reads and `key` opens it."""
        self._data_key(_checked(header, where), where)

    def decrypt(self, blob: bytes, *, name: str) -> bytes:
        out = io.BytesIO()
        self.decrypt_stream(io.BytesIO(blob), out, name=name)
        return out.getvalue()

    def decrypt_stream(self, src: BinaryIO, dst: BinaryIO, *, name: str) -> int:
        """Decrypt `src` to `dst`; the plaintext length. On DecryptError,
        whatever reached `dst` must be thrown away."""
        head, file_header = _read_head(src, name)
        header = _checked(file_header, name)
        if len(header["salt"]) != SALT_BYTES:
            raise DecryptError(f"{name}: the encryption header is damaged (altered)")
        aead = AESGCM(derive(self._data_key(header, name), "idc envelope v1", salt=header["salt"]))
        aad = _aad(head, name)
        size = header["chunk_bytes"] + TAG_BYTES
        written, index = 0, 0
        sealed = src.read(size)
        while True:
            following = src.read(size) if len(sealed) == size else b""
            last = not following
            if len(sealed) < TAG_BYTES:
                raise DecryptError(f"{name}: truncated (the encrypted data ends too early)")
            try:
                chunk = aead.decrypt(_nonce(index, last), sealed, aad)
            except InvalidTag:
                raise DecryptError(
                    f"{name}: does not authenticate: the file was altered, truncated or "
                    "renamed (nothing of it can be trusted)"
                ) from None
            dst.write(chunk)
            written += len(chunk)
            if last:
                return written
            sealed, index = following, index + 1

    def _data_key(self, header: dict[str, Any], where: str) -> bytes:
        wrapped = header["wrapped"]
        if wrapped not in self._data_keys:
            if header["key_source"] != self.key.spec.source:
                raise DecryptError(
                    f"{where}: encrypted with the key {header['key']}, but the key given is "
                    f"{self.key.key_id} (a {self.key.spec.source}: key)"
                )
            self._data_keys[wrapped] = self.key.unwrap(wrapped, PURPOSE, where)
        return self._data_keys[wrapped]


def _read_head(src: BinaryIO, name: str) -> tuple[bytes, dict[str, Any]]:
    magic = src.read(len(MAGIC))
    if magic != MAGIC:
        raise DecryptError(f"{name}: not a file encrypted by idc (or its start was altered)")
    packed = src.read(_LENGTH.size)
    if len(packed) < _LENGTH.size:
        raise DecryptError(f"{name}: truncated (the encryption header is incomplete)")
    (length,) = _LENGTH.unpack(packed)
    if length > MAX_HEADER_BYTES:
        raise DecryptError(f"{name}: the encryption header is damaged (altered or not idc's)")
    text = src.read(length)
    if len(text) < length:
        raise DecryptError(f"{name}: truncated (the encryption header is incomplete)")
    try:
        doc = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise DecryptError(f"{name}: the encryption header is damaged (altered)") from None
    if not isinstance(doc, dict):
        raise DecryptError(f"{name}: the encryption header is damaged (altered)")
    return magic + packed + text, doc


def _checked(header: dict[str, Any], where: str) -> dict[str, Any]:
    """The header's fields, typed; DecryptError for a newer or damaged one."""
    version = header.get("format_version")
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise DecryptError(
            f"{where}: encrypted in format version {version}; this idc reads version "
            f"{FORMAT_VERSION} and older: upgrade idc"
        )
    try:
        if version != FORMAT_VERSION or header["algorithm"] != ALGORITHM:
            raise ValueError("unknown version or algorithm")
        chunk = int(header["chunk_bytes"])
        if chunk <= 0:
            raise ValueError("bad chunk size")
        return {
            "key": str(header["key"]),
            "key_source": str(header["key_source"]),
            "wrapped": _unb64(header["wrapped_data_key"]),
            "salt": _unb64(header["salt"]) if "salt" in header else b"",
            "chunk_bytes": chunk,
        }
    except (KeyError, TypeError, ValueError):
        raise DecryptError(
            f"{where}: the encryption header is damaged or not idc's "
            f"(expected {ALGORITHM}, format version {FORMAT_VERSION})"
        ) from None
