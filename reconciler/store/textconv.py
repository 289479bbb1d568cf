"""A snapshot file with its encrypted fields decrypted, for people.

`idc decrypt --textconv` is git's textconv for `state/**` (`.gitattributes`:
`state/** diff=idc`), so `git diff` and `git log -p` show key holders the
values, while the repository keeps only ciphertext. git hands over a
temporary copy of the blob, so the key's record (which fields, the wrapped
data key) is taken from the snapshot of the working tree, else HEAD's; the
output is exactly the file an unencrypted snapshot would have written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from reconciler.desired.sealed import has_sealed
from reconciler.desired.yaml_io import dump_yaml, load_yaml_text
from reconciler.errors import IdcError
from reconciler.store.fields import FieldCipher, FieldKeys
from reconciler.store.history import History
from reconciler.store.manifest import parse_manifest
from reconciler.store.snapshot_files import MANIFEST_FILE


def current_record(keys: FieldKeys) -> tuple[Mapping[str, Any], str]:
    """The `encryption:` record of the working tree's snapshot (else HEAD's)
    and where it was found; IdcError when no snapshot has one."""
    snapshot = History(keys.repo, keys).snapshot()
    where = f"{snapshot.origin}/{MANIFEST_FILE}"
    data = snapshot.files.get(MANIFEST_FILE)
    manifest = parse_manifest(data, snapshot.origin) if data is not None else None
    if manifest is None or not manifest.encryption:
        raise IdcError(
            f"{where}: records no encrypted fields, so nothing says which key opens them"
        )
    return manifest.encryption, where


def desired_opener(keys: FieldKeys) -> Callable[[str, str, str], str]:
    """load_desired's `open_value`: desired files copied from an encrypted
    snapshot open with the key of the snapshot in state/ (found on first use)."""

    found: list[FieldCipher] = []

    def open_value(shown: str, name: str, value: str) -> str:
        if not found:
            record, where = current_record(keys)
            found.append(keys.opener(record, where))
        return found[0].open(name, value, shown)

    return open_value


def decrypted_text(data: bytes, shown: str, keys: FieldKeys) -> bytes:
    """`data` with its `enc:v1:` values decrypted; unchanged when it has none
    (or is not a YAML document: the manifest, a stray file)."""
    try:
        text = data.decode("utf-8")
        doc = load_yaml_text(text, shown)
    except (UnicodeDecodeError, IdcError):
        return data
    if not isinstance(doc, Mapping) or not has_sealed(doc):
        return data
    record, where = current_record(keys)
    plain = keys.opener(record, where).open_document(shown, doc)
    header = "".join(line for line in text.splitlines(keepends=True)[:2] if line.startswith("#"))
    return dump_yaml(dict(plain), header).encode("utf-8")
