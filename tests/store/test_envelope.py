"""Envelope encryption of files with env:, file: and kms: keys: round trips,
and every way a file can fail to open gives one DecryptError naming it."""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.aws.clients import AwsSession
from reconciler.desired.settings import EncryptionKey
from reconciler.errors import IdcError
from reconciler.sim import Simulator
from reconciler.store.envelope import (
    MAGIC,
    Decryptor,
    Envelope,
    decrypt_file,
    encrypt_file,
    is_encrypted,
)
from reconciler.store.keys import DecryptError, KeySource, resolve_key

DATA = b"users:\n- user_name: alice\n  emails:\n  - value: alice@example.com\n" * 50
NAME = "users.yaml"


def b64key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture(scope="module")
def kms() -> Iterator[tuple[KeySource, KeySource]]:
    """Two KMS keys in the simulator's KMS, as key sources."""
    with Simulator() as sim:
        client = sim.client("kms")
        first = client.create_key()["KeyMetadata"]["Arn"]
        second = client.create_key()["KeyMetadata"]["KeyId"]
        client.create_alias(AliasName="alias/idc-test", TargetKeyId=second)
        session = AwsSession()
        yield (
            resolve_key(
                EncryptionKey.parse(f"kms:{first}"), repo=Path("."), session=lambda: session
            ),
            resolve_key(
                EncryptionKey.parse("kms:alias/idc-test"), repo=Path("."), session=lambda: session
            ),
        )


def local_pair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> tuple[KeySource, KeySource]:
    if kind == "env":
        monkeypatch.setenv("IDC_KEY_A", b64key())
        monkeypatch.setenv("IDC_KEY_B", b64key())
        specs = ("env:IDC_KEY_A", "env:IDC_KEY_B")
    else:
        (tmp_path / "a.key").write_text(b64key() + "\n")
        (tmp_path / "b.key").write_text(b64key())
        specs = ("file:a.key", "file:b.key")
    a, b = (resolve_key(EncryptionKey.parse(s), repo=tmp_path) for s in specs)
    return a, b


@pytest.fixture(params=["env", "file", "kms"])
def keys(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[KeySource, KeySource]:
    if request.param == "kms":
        pair: tuple[KeySource, KeySource] = request.getfixturevalue("kms")
        return pair
    return local_pair(tmp_path, monkeypatch, request.param)


def test_round_trip_and_no_plaintext(keys: tuple[KeySource, KeySource]) -> None:
    key, _ = keys
    blob = encrypt_file(DATA, name=NAME, key=key)
    assert is_encrypted(blob) and not is_encrypted(DATA)
    assert b"alice" not in blob and b"example.com" not in blob
    assert decrypt_file(blob, name=NAME, key=key) == DATA
    # A fresh data key and salt each time: equal files give unequal ciphertexts.
    assert encrypt_file(DATA, name=NAME, key=key) != blob


def test_wrong_key_names_the_file_and_both_keys(keys: tuple[KeySource, KeySource]) -> None:
    key, other = keys
    blob = encrypt_file(DATA, name=NAME, key=key)
    with pytest.raises(DecryptError, match=rf"^{NAME}: cannot decrypt with .*{other.key_id}"):
        decrypt_file(blob, name=NAME, key=other)


def test_tampered_byte_anywhere_fails(keys: tuple[KeySource, KeySource]) -> None:
    key, _ = keys
    blob = encrypt_file(DATA, name=NAME, key=key)
    for offset in (len(MAGIC) + 6, len(blob) // 2, len(blob) - 1):
        damaged = bytearray(blob)
        damaged[offset] ^= 0x01
        with pytest.raises(DecryptError, match=rf"^{NAME}: "):
            decrypt_file(bytes(damaged), name=NAME, key=key)


def test_truncated_and_renamed_fail(keys: tuple[KeySource, KeySource]) -> None:
    key, _ = keys
    blob = encrypt_file(DATA, name=NAME, key=key)
    for cut in (3, len(MAGIC) + 2, 40, len(blob) - 1, len(blob) - 17):
        with pytest.raises(
            DecryptError,
            match=rf"^{NAME}: (truncated|does not authenticate|the encryption header|not a file)",
        ):
            decrypt_file(blob[:cut], name=NAME, key=key)
    with pytest.raises(DecryptError, match="renamed"):
        decrypt_file(blob, name="groups.yaml", key=key)
    with pytest.raises(DecryptError, match="altered"):
        decrypt_file(blob + b"\x00", name=NAME, key=key)


def test_chunked_stream_detects_a_dropped_last_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, _ = local_pair(tmp_path, monkeypatch, "env")
    envelope = Envelope.new(key, chunk_bytes=64)
    data = os.urandom(64 * 5)  # exactly five full chunks, then an empty last one
    out = io.BytesIO()
    written = envelope.encrypt_stream(io.BytesIO(data), out, name="big.csv")
    blob = out.getvalue()
    assert written == len(blob)
    plain = io.BytesIO()
    assert Decryptor(key).decrypt_stream(io.BytesIO(blob), plain, name="big.csv") == len(data)
    assert plain.getvalue() == data
    # Cut exactly at a chunk boundary: the now-last chunk was not sealed as last.
    with pytest.raises(DecryptError, match=r"big.csv: does not authenticate"):
        Decryptor(key).decrypt(blob[:-(16)], name="big.csv")
    with pytest.raises(DecryptError, match=r"big.csv: does not authenticate"):
        Decryptor(key).decrypt(blob[: -(16 + 80)], name="big.csv")


def test_one_envelope_many_files_and_header_check(keys: tuple[KeySource, KeySource]) -> None:
    key, other = keys
    envelope = Envelope.new(key)
    header = envelope.header()
    assert header["algorithm"] == "AES-256-GCM" and header["key"] == key.key_id
    assert header["key_source"] == key.spec.source and header["format_version"] == 1
    blobs = {n: envelope.encrypt(DATA + n.encode(), name=n) for n in ("a.yaml", "b.yaml")}
    opener = Decryptor(key)
    opener.check(header, "manifest.json")
    assert {n: opener.decrypt(b, name=n) for n, b in blobs.items()} == {
        n: DATA + n.encode() for n in blobs
    }
    with pytest.raises(DecryptError, match=r"^manifest.json: "):
        Decryptor(other).check(header, "manifest.json")
    with pytest.raises(DecryptError, match=r"manifest.json: encrypted in format version 2"):
        opener.check({**header, "format_version": 2}, "manifest.json")


def test_kind_mismatch_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_key, _ = local_pair(tmp_path, monkeypatch, "env")
    file_key, _ = local_pair(tmp_path, monkeypatch, "file")
    blob = encrypt_file(DATA, name=NAME, key=env_key)
    with pytest.raises(
        DecryptError, match=r"encrypted with the key env:IDC_KEY_A, but the key given is file:a.key"
    ):
        decrypt_file(blob, name=NAME, key=file_key)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (None, "the environment variable IDC_K is not set"),
        ("not base64!", "not base64"),
        (base64.b64encode(b"x" * 16).decode(), "16 bytes, a key is 32 random bytes"),
    ],
)
def test_bad_env_key(monkeypatch: pytest.MonkeyPatch, value: str | None, problem: str) -> None:
    if value is None:
        monkeypatch.delenv("IDC_K", raising=False)
    else:
        monkeypatch.setenv("IDC_K", value)
    with pytest.raises(IdcError, match=f"^encryption key env:IDC_K: {problem}"):
        resolve_key(EncryptionKey.parse("env:IDC_K"), repo=Path("."))


def test_bad_file_key(tmp_path: Path) -> None:
    with pytest.raises(IdcError, match=r"^encryption key file:none.key: cannot read"):
        resolve_key(EncryptionKey.parse("file:none.key"), repo=tmp_path)
    (tmp_path / "short.key").write_text(base64.b64encode(b"k" * 31).decode())
    with pytest.raises(IdcError, match=r"^encryption key file:short.key: 31 bytes"):
        resolve_key(EncryptionKey.parse("file:short.key"), repo=tmp_path)


def test_settings_key_error_is_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reconciler.desired.settings import load_settings
    from reconciler.errors import InputError
    from reconciler.store.keys import settings_key

    monkeypatch.delenv("IDC_NOPE", raising=False)
    (tmp_path / "idc.yaml").write_text("encryption:\n  key: env:IDC_NOPE\n")
    with pytest.raises(
        InputError, match=r"^idc.yaml:2:3: encryption key env:IDC_NOPE: the environment"
    ):
        settings_key(load_settings(tmp_path), tmp_path)
