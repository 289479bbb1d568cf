"""Field encryption below the CLI: deterministic AES-SIV bound to the field,
one data key per repository reused from the manifest, and snapshots that
read back equal to the state they were rendered from."""

from __future__ import annotations

import base64
import os
from dataclasses import replace
from pathlib import Path

import pytest

from reconciler.desired.settings import EncryptionKey, Settings
from reconciler.model import State
from reconciler.store.fields import FieldKeys
from reconciler.store.keys import DecryptError
from reconciler.store.manifest import parse_manifest, read_snapshot, render_snapshot

FIELDS = ("user_name", "emails", "name")


def keys_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, var: str = "IDC_FK") -> FieldKeys:
    monkeypatch.setenv(var, base64.b64encode(os.urandom(32)).decode())
    settings = Settings(encryption_key=EncryptionKey("env", var), encryption_fields=FIELDS)
    return FieldKeys(tmp_path, settings=settings)


def test_seal_is_deterministic_and_bound_to_its_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cipher = keys_for(tmp_path, monkeypatch).sealer(None)
    assert cipher is not None
    sealed = cipher.seal("emails", "a@example.com")
    assert sealed.startswith("enc:v1:") and sealed == cipher.seal("emails", "a@example.com")
    assert sealed != cipher.seal("emails", "b@example.com")
    assert sealed != cipher.seal("user_name", "a@example.com")
    assert cipher.open("emails", sealed, "users.yaml") == "a@example.com"
    with pytest.raises(DecryptError, match=r"^users.yaml: cannot decrypt a value of `name`"):
        cipher.open("name", sealed, "users.yaml")  # moved to another field
    flipped = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(DecryptError, match="altered"):
        cipher.open("emails", flipped, "users.yaml")


def test_snapshot_round_trip_reuses_the_data_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo: State
) -> None:
    keys = keys_for(tmp_path, monkeypatch)
    first = render_snapshot(demo, keys=keys, time="2026-01-01T00:00:00Z")
    manifest = parse_manifest(first["manifest.yaml"])
    assert manifest.encryption and manifest.encryption["fields"] == list(FIELDS)
    assert b"alice@example.com" not in first["users.yaml"] + first["groups.yaml"]
    state, _ = read_snapshot(first, keys=keys)
    assert replace(state, meta=demo.meta) == demo
    # A later render of the same state, given the last one: byte-identical.
    again = render_snapshot(demo, previous=first, keys=keys, time="2026-02-02T00:00:00Z")
    assert again == first
    # A fresh repository (no previous snapshot) makes a new data key: other bytes.
    fresh = render_snapshot(demo, keys=keys, time="2026-01-01T00:00:00Z")
    assert fresh["users.yaml"] != first["users.yaml"]


def test_reading_without_any_key_names_the_key_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo: State
) -> None:
    files = render_snapshot(demo, keys=keys_for(tmp_path, monkeypatch))
    needed = r"^state/manifest.yaml: user_name, emails, name are encrypted with the key env:IDC_FK"
    with pytest.raises(DecryptError, match=needed):
        read_snapshot(files)
    other = keys_for(tmp_path, monkeypatch, "IDC_OTHER")
    with pytest.raises(DecryptError, match="cannot decrypt with the key from env:IDC_OTHER"):
        read_snapshot(files, keys=other)
