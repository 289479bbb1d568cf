"""`idc export --encrypt`: every file sealed under a key from env:, file: or
the simulator's KMS; no personal data in any byte; a wrong key, a truncated
file and a tampered one each refused by name, with nothing imported."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

import git
import pytest

from reconciler.sim import Simulator
from reconciler.store.envelope import MAGIC
from tests.cli.test_export import export, only_backup, snapshot_repo
from tests.conftest import IdcRunner
from tests.store.conftest import demo_state, make_git_repo

KEY_VAR = "IDC_TEST_BACKUP_KEY"


def personal_data() -> list[bytes]:
    state = demo_state()
    out = [u.user_name.encode() for u in state.users.values()]
    out += [e.value.encode() for u in state.users.values() for e in u.emails]
    out += [u.display_name.encode() for u in state.users.values() if u.display_name]
    return out


def set_key(repo: Path, spec: str) -> None:
    settings = repo / "idc.yaml"
    settings.write_text(settings.read_text() + f"encryption:\n  key: {spec}\n")


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def repo(tmp_path: Path, sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = snapshot_repo(tmp_path / "repo")
    monkeypatch.setenv(KEY_VAR, new_key())
    set_key(repo, f"env:{KEY_VAR}")
    return repo


def encrypted_backup(repo: Path, target: Path, *args: str) -> Path:
    code, out, err = export(repo, "--to", str(target), "--encrypt", *args)
    assert code == 0, out + err
    return only_backup(target)


@pytest.mark.parametrize("fmt", ["yaml", "csv"])
def test_no_personal_data_in_any_byte(repo: Path, tmp_path: Path, fmt: str) -> None:
    backup = encrypted_backup(repo, tmp_path / "bk", "--format", fmt)
    files = [p for p in backup.rglob("*") if p.is_file()]
    secrets = personal_data()
    assert secrets
    for path in files:
        data = path.read_bytes()
        if path.name != "manifest.json":
            assert data.startswith(MAGIC), path
        for secret in secrets:
            assert secret not in data, (path, secret)
    header = json.loads((backup / "manifest.json").read_text())["encryption"]
    assert header["algorithm"] == "AES-256-GCM" and header["key"] == f"env:{KEY_VAR}"


def test_import_with_the_key_and_refusals(
    repo: Path, tmp_path: Path, idc: IdcRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = encrypted_backup(repo, tmp_path / "bk")
    other = tmp_path / "other"
    make_git_repo(other)
    (other / "idc.yaml").write_text(f"encryption:\n  key: env:{KEY_VAR}\n")
    result = idc("--repo", str(repo), "history", "diff", "HEAD", str(backup))
    assert result.exit_code == 0 and "no changes" in result.stdout, result.output

    def refused(message: str) -> None:
        result = idc("--repo", str(other), "import", str(backup), "--commit")
        assert result.exit_code == 1 and message in result.stderr, result.output
        assert "Traceback" not in result.stderr
        assert not (other / "state").exists()  # nothing imported
        assert not git.Repo(other).head.is_valid()

    real = os.environ[KEY_VAR]
    monkeypatch.setenv(KEY_VAR, new_key())
    refused("cannot decrypt with the key from env:" + KEY_VAR)
    monkeypatch.setenv(KEY_VAR, base64.b64encode(os.urandom(16)).decode())
    refused("16 bytes, a key is 32 random bytes")
    monkeypatch.setenv(KEY_VAR, real)

    users = backup / "state" / "users.yaml"
    sealed = users.read_bytes()
    users.write_bytes(sealed[:-7])
    refused("state/users.yaml: ")
    # Tampered, and the manifest's sha256 and size forged to match: the
    # ciphertext's own authentication still refuses it, naming the file.
    forged = bytearray(sealed)
    forged[-20] ^= 0x01
    users.write_bytes(bytes(forged))
    manifest = backup / "manifest.json"
    doc = json.loads(manifest.read_text())
    doc["files"]["state/users.yaml"] = {
        "sha256": hashlib.sha256(forged).hexdigest(),
        "size": len(forged),
    }
    manifest.write_text(json.dumps(doc, indent=2))
    refused("users.yaml")

    users.write_bytes(sealed)
    doc["files"]["state/users.yaml"] = {
        "sha256": hashlib.sha256(sealed).hexdigest(),
        "size": len(sealed),
    }
    manifest.write_text(json.dumps(doc, indent=2))
    result = idc("--repo", str(other), "import", str(backup), "--commit")
    assert result.exit_code == 0, result.output
    assert (other / "state" / "users.yaml").read_bytes() == (
        repo / "state" / "users.yaml"
    ).read_bytes()


def forge(backup: Path, name: str = "state/users.yaml") -> None:
    """Flip one ciphertext byte and rewrite the manifest's sha256 and size to
    match, so only the encryption's own authentication can catch it."""
    path = backup / name
    forged = bytearray(path.read_bytes())
    forged[-20] ^= 0x01
    path.write_bytes(bytes(forged))
    manifest = backup / "manifest.json"
    doc = json.loads(manifest.read_text())
    doc["files"][name] = {"sha256": hashlib.sha256(forged).hexdigest(), "size": len(forged)}
    manifest.write_text(json.dumps(doc, indent=2))


def refused_import(idc: IdcRunner, repo: Path, backup: Path, message: str) -> None:
    result = idc("--repo", str(repo), "import", str(backup))
    assert result.exit_code == 1 and message in result.stderr, result.output
    assert "Traceback" not in result.stderr


def test_file_key(repo: Path, tmp_path: Path, idc: IdcRunner) -> None:
    (repo / "backup.key").write_text(new_key() + "\n")
    settings = repo / "idc.yaml"
    settings.write_text(settings.read_text().replace(f"env:{KEY_VAR}", "file:backup.key"))
    backup = encrypted_backup(repo, tmp_path / "bk")
    result = idc("--repo", str(repo), "import", str(backup))
    assert result.exit_code == 0 and "verified" in result.stdout, result.output
    real = (repo / "backup.key").read_text()
    (repo / "backup.key").write_text(new_key() + "\n")
    refused_import(idc, repo, backup, "file:backup.key")
    (repo / "backup.key").write_text(real)
    forge(backup)
    refused_import(idc, repo, backup, "users.yaml")


def test_kms_key(repo: Path, tmp_path: Path, sim: Simulator, idc: IdcRunner) -> None:
    kms = sim.client("kms")
    first = kms.create_key()["KeyMetadata"]["KeyId"]
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    settings = repo / "idc.yaml"
    plain = settings.read_text().replace(f"env:{KEY_VAR}", "{KEY}")
    settings.write_text(plain.replace("{KEY}", f"kms:{first}"))
    backup = encrypted_backup(repo, tmp_path / "bk")
    header = json.loads((backup / "manifest.json").read_text())["encryption"]
    assert header["key_source"] == "kms"
    result = idc("--repo", str(repo), "import", str(backup))
    assert result.exit_code == 0, result.output
    settings.write_text(plain.replace("{KEY}", f"kms:{other}"))
    refused_import(idc, repo, backup, "IncorrectKeyException")
    settings.write_text(plain.replace("{KEY}", f"kms:{first}"))
    forge(backup, "state/groups.yaml")
    refused_import(idc, repo, backup, "groups.yaml")
