"""`idc export` and `idc import` to and from directories, through the CLI:
yaml/json round trips, the CSV tables, an interrupted export, bad input,
storage.warn_bytes and the audit log."""

from __future__ import annotations

import json
from pathlib import Path

import git
import pytest

from reconciler.sim import Simulator
from reconciler.store import backup_targets
from reconciler.store.backup_csv import CSV_FILES, read_csv
from reconciler.store.state_dir import read_state_dir
from tests.conftest import IdcRunner, run_idc
from tests.store.conftest import make_git_repo


def snapshot_repo(path: Path) -> Path:
    make_git_repo(path)
    result = run_idc("--repo", str(path), "init", "--from-live")
    assert result.exit_code == 0, result.output
    result = run_idc("--repo", str(path), "snapshot", "--tag", "v1")
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def repo(tmp_path: Path, sim: Simulator) -> Path:
    return snapshot_repo(tmp_path / "repo")


def export(repo: Path, *args: str) -> tuple[int, str, str]:
    result = run_idc("--repo", str(repo), "export", *args)
    return result.exit_code, result.stdout, result.stderr


def only_backup(target: Path) -> Path:
    (folder,) = [p for p in target.iterdir() if p.is_dir()]
    return folder


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_import_round_trip(repo: Path, tmp_path: Path, fmt: str, idc: IdcRunner) -> None:
    code, out, err = export(repo, "--to", str(tmp_path / "bk"), "--format", fmt)
    assert code == 0, out + err
    backup = only_backup(tmp_path / "bk")
    sha = git.Repo(repo).head.commit.hexsha
    assert backup.name.endswith(f"Z-{sha[:12]}") and f"ok      {backup}" in out
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["source"]["revision"] == sha and manifest["format"] == fmt
    stored = {p.relative_to(backup).as_posix() for p in backup.rglob("*") if p.is_file()}
    assert stored == set(manifest["files"]) | {"manifest.json"}
    assert f"state/users.{fmt}" in manifest["files"]

    result = idc("--repo", str(repo), "history", "diff", "HEAD", str(backup))
    assert result.exit_code == 0 and result.stdout.rstrip().endswith("no changes"), result.output

    other = tmp_path / "other"
    make_git_repo(other)
    result = idc("--repo", str(other), "import", str(backup), "--commit")
    assert result.exit_code == 0, result.output
    assert "verified, 19 files" in result.stdout and "Committed as" in result.stdout
    assert read_state_dir(other / "state") == read_state_dir(repo / "state")  # byte for byte
    subject = git.Repo(other).head.commit.message.splitlines()[0]
    assert subject == f"imported from {backup}"


def test_csv_tables_for_auditors(repo: Path, tmp_path: Path, idc: IdcRunner) -> None:
    code, out, err = export(repo, "--to", str(tmp_path / "csv"), "--format", "csv")
    assert code == 0, out + err
    backup = only_backup(tmp_path / "csv")
    assert sorted(p.name for p in backup.iterdir()) == sorted([*CSV_FILES, "manifest.json"])
    rows = {name: list(read_csv(backup / name)) for name in CSV_FILES}
    assert len(rows["assignments.csv"]) == 39 and len(rows["users.csv"]) == 8
    platform = [r for r in rows["assignments.csv"] if r["principal_name"] == "Platform"]
    assert platform and all(
        r["account_name"] and r["ou_path"].startswith("/Root") for r in platform
    )
    assert {r["principal_type"] for r in rows["assignments.csv"]} == {"GROUP", "USER"}

    result = idc("--repo", str(repo), "restore", str(backup), "--dry-run")
    assert result.exit_code == 1 and "a csv export is a report for auditors" in result.stderr


def test_a_failed_target_leaves_no_backup_and_the_others_are_written(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A target whose third file fails: no manifest, no folder; the second
    target is still written, and the exit status is 1."""
    broken, good = tmp_path / "broken", tmp_path / "good"
    real_put = backup_targets.DirTarget.put
    calls: list[str] = []

    def put(self: backup_targets.DirTarget, backup: str, name: str, path: Path) -> None:
        if self.root == broken:
            calls.append(name)
            if len(calls) == 3:
                raise OSError(28, "No space left on device")
        real_put(self, backup, name, path)

    monkeypatch.setattr(backup_targets.DirTarget, "put", put)
    # OSError is not an IdcError: the exporter must still contain it to its target.
    code, out, err = export(repo, "--to", str(broken), "--to", str(good))
    assert len(calls) == 3  # the fault fired mid-export, after two files
    assert code == 1, out + err
    assert "1 of 2 target(s) failed" in err and "No space left on device" in out
    assert list(broken.iterdir()) == []  # the partial folder was removed
    assert (only_backup(good) / "manifest.json").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "xml"), "Invalid value for '--format'"),
        (("--rev", "nope"), "unknown revision 'nope'"),
        (("--encrypt",), "no encryption.key"),
    ],
)
def test_bad_export_input(repo: Path, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    code, out, err = export(repo, "--to", str(tmp_path / "bk"), *args)
    assert code in (1, 2) and message in err, out + err
    assert "Traceback" not in err
    assert not (tmp_path / "bk").exists() or not any((tmp_path / "bk").iterdir())


def test_a_target_that_is_not_a_directory_or_s3(repo: Path, tmp_path: Path) -> None:
    code, out, err = export(repo, "--to", "ftp://host/x")
    assert code == 1 and "a target is a directory or s3://BUCKET/PREFIX" in err
    (tmp_path / "file").write_text("x")
    code, out, err = export(repo, "--to", str(tmp_path / "file"))
    assert code == 1 and "exists and is not a directory" in out + err


def test_manifest_problems_are_refused_before_reading(
    repo: Path, tmp_path: Path, idc: IdcRunner
) -> None:
    assert export(repo, "--to", str(tmp_path / "bk"))[0] == 0
    backup = only_backup(tmp_path / "bk")
    manifest = backup / "manifest.json"
    good = manifest.read_text()
    doc = json.loads(good)
    manifest.write_text(json.dumps({**doc, "comment": "hand-edited"}, indent=2))
    result = idc("--repo", str(repo), "import", str(backup))
    line = next(
        n for n, text in enumerate(manifest.read_text().splitlines(), 1) if "comment" in text
    )
    assert result.exit_code == 1 and f"{manifest}:{line}:" in result.stderr, result.output
    assert "comment" in result.stderr

    manifest.write_text(json.dumps({**doc, "format_version": 2}))
    result = idc("--repo", str(repo), "import", str(backup))
    assert result.exit_code == 1 and "written by a newer idc" in result.stderr

    manifest.write_text(good)
    (backup / "state" / "users.yaml").write_bytes(b"users: []\n")
    result = idc("--repo", str(repo), "import", str(backup), "--commit")
    assert (
        result.exit_code == 1 and "users.yaml: " in result.stderr and "truncated" in result.stderr
    )
    assert "Traceback" not in result.stderr

    manifest.unlink()
    result = idc("--repo", str(repo), "import", str(backup))
    assert result.exit_code == 1 and "not a complete backup" in result.stderr


def test_storage_warning_and_audit_log(repo: Path, tmp_path: Path, idc: IdcRunner) -> None:
    settings = repo / "idc.yaml"
    settings.write_text(settings.read_text() + "storage:\n  warn_bytes: 1000\n")
    code, out, err = export(repo, "--to", str(tmp_path / "bk"))
    assert code == 0, out + err
    assert "more than storage.warn_bytes (1,000)" in err and "idc --repo" in err
    assert "prune --target" in err
    backup = only_backup(tmp_path / "bk")
    assert idc("--repo", str(repo), "import", str(backup)).exit_code == 0
    entries = [
        json.loads(line) for line in (repo / "journal" / "audit.jsonl").read_text().splitlines()
    ]
    export_entry, import_entry = entries[-2:]
    assert export_entry["call"] == "export" and export_entry["target"] == str(backup)
    assert export_entry["result"] == "ok" and export_entry["caller"]
    assert import_entry["call"] == "import" and import_entry["details"]["counts"]["users"] == 8
