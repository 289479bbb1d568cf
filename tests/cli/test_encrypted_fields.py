"""Encrypted personal fields in state/ (`encryption.fields`), end to end on
the embedded simulator: no plaintext in any byte of state/, deterministic
ciphertext (an unchanged organization commits nothing, one changed email is
a one-line diff), git textconv, and history/restore with and without the key."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import git
import pytest

from reconciler.sim.embedded import embedded_simulator
from reconciler.store.state_dir import read_state_dir
from tests.conftest import ROOT, run_idc, unpace
from tests.store.conftest import make_git_repo

KEY_VAR = "IDC_TEST_FIELDS_KEY"
FIELDS = "[user_name, display_name, name, emails, phone_numbers, addresses]"
OLD, NEW = "carol@example.com", "carol.new@example.org"


def idc_in(repo: Path, *args: str) -> tuple[int, str, str]:
    result = run_idc("--repo", str(repo), "--sim", *args)
    return result.exit_code, result.stdout, result.stderr


def change_email(repo: Path, user: str, email: str) -> None:
    with embedded_simulator(repo / ".idc" / "sim") as sim:
        ids = sim.client("identitystore")
        store = sim.identity_store_id
        user_id = ids.get_user_id(
            IdentityStoreId=store,
            AlternateIdentifier={
                "UniqueAttribute": {"AttributePath": "userName", "AttributeValue": user}
            },
        )["UserId"]
        ids.update_user(
            IdentityStoreId=store,
            UserId=user_id,
            Operations=[
                {
                    "AttributePath": "emails",
                    "AttributeValue": [{"Value": email, "Type": "work", "Primary": True}],
                }
            ],
        )


def plaintexts() -> list[bytes]:
    """Every user name, email and display name of the demo organization."""
    import yaml

    users = yaml.safe_load((ROOT / "state" / "users.yaml").read_text())["users"]
    out = [u["user_name"].encode() for u in users]
    out += [e["value"].encode() for u in users for e in u.get("emails", ())]
    out += [u["display_name"].encode() for u in users if u.get("display_name")]
    return out


@pytest.fixture(scope="module")
def encrypted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A repository with three snapshots: S1, S2 (nothing changed: no commit)
    and S3 (one email changed)."""
    repo = tmp_path_factory.mktemp("enc") / "repo"
    make_git_repo(repo)
    (repo / "idc.yaml").write_text(f"encryption:\n  key: env:{KEY_VAR}\n  fields: {FIELDS}\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(KEY_VAR, base64.b64encode(os.urandom(32)).decode())
        unpace(mp)  # encryption is not about timing
        for run in range(2):
            code, out, err = idc_in(repo, "snapshot")
            assert code == 0, out + err
            assert ("diff.idc.textconv" in err) == (run == 0), err  # said once, for a new key
        change_email(repo, "carol@example.com", NEW)
        code, out, err = idc_in(repo, "snapshot", "--tag", "S3")
        assert code == 0, out + err
        yield repo


@pytest.fixture
def key(encrypted: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    value = os.environ[KEY_VAR]
    monkeypatch.setenv(KEY_VAR, value)
    return value


def test_no_plaintext_in_any_byte_of_state_or_the_commit_messages(encrypted: Path) -> None:
    files = read_state_dir(encrypted / "state")
    assert b"enc:v1:" in files["users.yaml"] and b"enc:v1:" in files["groups.yaml"]
    secrets = [*plaintexts(), NEW.encode()]
    for path, data in files.items():
        for secret in secrets:
            assert secret not in data, (path, secret)
    for commit in git.Repo(encrypted).iter_commits():
        message = str(commit.message)
        assert "@example" not in message and "users" in message, message


def test_unchanged_org_no_commit_and_one_email_is_a_one_line_diff(encrypted: Path) -> None:
    repo = git.Repo(encrypted)
    assert len(list(repo.iter_commits())) == 2  # the second snapshot found nothing to commit
    numstat = repo.git.diff("--numstat", "HEAD~1", "HEAD", "--", "state/").splitlines()
    changed = {line.split("\t")[2]: line.split("\t")[:2] for line in numstat}
    assert changed["state/users.yaml"] == ["1", "1"]
    assert set(changed) == {"state/users.yaml", "state/manifest.yaml"}


def test_textconv_shows_plaintext_in_git_diff(encrypted: Path, key: str, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    shutil.copytree(encrypted, clone)
    (clone / ".gitattributes").write_text("state/** diff=idc\n")
    command = f"{sys.executable} -m reconciler.cli decrypt --textconv"
    subprocess.run(["git", "config", "diff.idc.textconv", command], cwd=clone, check=True)
    diff = subprocess.run(
        ["git", "diff", "HEAD~1", "HEAD", "--", "state/users.yaml"],
        cwd=clone,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ).stdout
    removed = [line for line in diff.splitlines() if line.startswith("-") and "---" not in line]
    added = [line for line in diff.splitlines() if line.startswith("+") and "+++" not in line]
    assert removed == [f"-      - value: {OLD}"] or removed[0].endswith(OLD), diff
    assert len(added) == 1 and added[0].endswith(NEW), diff
    assert "enc:v1:" not in diff


def test_decrypt_prints_the_file_an_unencrypted_snapshot_would_be(
    encrypted: Path, key: str
) -> None:
    code, out, err = idc_in(encrypted, "decrypt", str(encrypted / "state" / "groups.yaml"))
    assert code == 0, err
    assert out.startswith("# yaml-language-server:") and "enc:v1:" not in out
    assert "      - alice@example.com\n" in out


def test_history_diff_and_show_decrypt_with_the_key(encrypted: Path, key: str) -> None:
    code, out, err = idc_in(encrypted, "history", "diff", "HEAD~1", "HEAD")
    assert code == 0, out + err
    assert OLD in out and NEW in out and "enc:v1:" not in out


def test_without_the_key_one_line_naming_it(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_VAR, raising=False)
    for args in (("history", "diff", "HEAD~1", "HEAD"), ("restore", "HEAD~1", "--dry-run")):
        code, out, err = idc_in(encrypted, *args)
        assert code == 1, out + err
        (line,) = err.strip().splitlines()
        assert f"env:{KEY_VAR}" in line and "not set" in line and "Traceback" not in err, err
    users = str(encrypted / "state" / "users.yaml")
    code, out, err = idc_in(encrypted, "decrypt", "--textconv", users)
    assert code == 0 and "enc:v1:" in out and f"env:{KEY_VAR}" in err


def test_wrong_key_is_named(encrypted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_VAR, base64.b64encode(os.urandom(32)).decode())
    code, _out, err = idc_in(encrypted, "history", "diff", "HEAD~1", "HEAD")
    assert code == 1
    assert f"cannot decrypt with the key from env:{KEY_VAR}" in err, err


def test_restore_decrypts_and_brings_back_the_old_email(
    encrypted: Path, key: str, tmp_path: Path
) -> None:
    repo = tmp_path / "restore"
    shutil.copytree(encrypted, repo)
    code, out, err = idc_in(repo, "restore", "HEAD~1", "--auto-approve")
    assert code == 0, out + err
    assert "enc:v1:" not in out + err
    with embedded_simulator(repo / ".idc" / "sim") as sim:
        ids = sim.client("identitystore")
        users = ids.list_users(IdentityStoreId=sim.identity_store_id)["Users"]
        carol = next(u for u in users if u["UserName"] == "carol@example.com")
        assert [e["Value"] for e in carol["Emails"]] == [OLD]


def test_plan_decrypts_desired_files_copied_from_a_snapshot(
    encrypted: Path, key: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    repo = tmp_path / "plan"
    shutil.copytree(encrypted, repo)
    old_users = git.Repo(repo).git.show("HEAD~1:state/users.yaml")
    assert "enc:v1:" in old_users
    (repo / "desired").mkdir(exist_ok=True)
    (repo / "desired" / "users.yaml").write_text(old_users + "\n")
    code, out, err = idc_in(repo, "plan")
    assert code == 0, out + err
    assert OLD in out and "enc:v1:" not in out, out
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in out, out
    monkeypatch.delenv(KEY_VAR, raising=False)
    code, out, err = idc_in(repo, "plan")
    assert code == 1
    (line,) = err.strip().splitlines()
    assert f"env:{KEY_VAR}" in line and "not set" in line, err
