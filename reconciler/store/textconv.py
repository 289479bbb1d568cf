"""A snapshot file with its encrypted fields decrypted, for people.

`idc decrypt --textconv` is git's textconv for `state/**` (`.gitattributes`:
`state/** diff=idc`), so `git diff` and `git log -p` show key holders the
values, while the repository keeps only ciphertext. git hands over a
temporary copy of the blob, so the key's record (which fields, the wrapped
data key) is taken from the snapshot of the working tree, else HEAD's; the
output is exactly the file an unencrypted snapshot would have written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.desired.yaml_io import dump_yaml, load_yaml_text
from reconciler.errors import IdcError
from reconciler.store.fields import FieldKeys, is_sealed, map_document
from reconciler.store.history import History
from reconciler.store.manifest import parse_manifest
from reconciler.store.snapshot_files import MANIFEST_FILE


def has_sealed(doc: Mapping[str, Any]) -> bool:
    found: list[bool] = []

    def note(_name: str, value: Any) -> Any:
        found.append(is_sealed(value))
        return value

    map_document(doc, note)
    return any(found)


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
