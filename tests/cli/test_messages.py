"""Error messages a new user meets in ordinary use: no empty `error: :`
prefix, unknown revisions point at `idc history list`, a bad --tag costs no
AWS read, and a tag failing after the commit says what was committed."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import Diagnostic, InputError
from tests.conftest import IdcRunner
from tests.store.conftest import make_git_repo


def test_a_problem_without_a_file_has_no_empty_prefix() -> None:
    assert str(InputError("unknown revision 'x'")) == "unknown revision 'x'"
    assert str(Diagnostic("", 0, 0, "odd", "warning")) == "warning: odd"
    assert str(Diagnostic("idc.yaml", 3, 0, "bad")) == "idc.yaml:3:1: bad"


@pytest.fixture
def snapshotted(tmp_path: Path, idc: IdcRunner, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with one snapshot, the current directory (hints carry no --repo)."""
    monkeypatch.chdir(tmp_path)
    make_git_repo(tmp_path)
    (tmp_path / "idc.yaml").write_text("instance: auto\n")
    first = idc("--repo", str(tmp_path), "--sim", "snapshot")
    assert first.exit_code == 0, first.output
    return tmp_path


@pytest.mark.parametrize(
    "args", [("restore", "no-such-rev", "--test"), ("history", "show", "no-such-rev")]
)
def test_an_unknown_revision_suggests_history_list(
    idc: IdcRunner, snapshotted: Path, args: tuple[str, ...]
) -> None:
    result = idc("--sim", *args)
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: unknown revision 'no-such-rev' in ")
    assert line.endswith("`idc --sim history list` shows the snapshots to choose from")


@pytest.mark.parametrize("tag", ["a..b", "with space", "-dash", "end.lock", "x~1", "a:b"])
def test_a_bad_tag_name_is_refused_before_reading_aws(
    tmp_path: Path, idc: IdcRunner, tag: str
) -> None:
    repo = make_git_repo(tmp_path)
    result = idc("--repo", str(tmp_path), "--sim", "snapshot", "--tag", tag)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: --tag {tag!r} is not a valid git tag name: it may not contain spaces, "
        "`..`, `~ ^ : ? * [ \\`, start with `-` or `.`, or end with `/`, `.` or `.lock` "
        "(see `git check-ref-format --help`)\n"
    )
    assert not (tmp_path / ".idc" / "sim").exists()  # the simulator never started
    assert not (tmp_path / "state").exists() and not repo.head.is_valid()


def test_a_good_tag_name_with_a_slash_is_accepted(tmp_path: Path, idc: IdcRunner) -> None:
    repo = make_git_repo(tmp_path)
    result = idc("--repo", str(tmp_path), "--sim", "snapshot", "--tag", "release/2026-12")
    assert result.exit_code == 0, result.output
    assert [t.name for t in repo.tags] == ["release/2026-12"]


def test_a_tag_failing_after_the_commit_says_what_was_committed(
    tmp_path: Path, idc: IdcRunner
) -> None:
    """Signing annotated tags with a signer that always fails: git refuses
    the tag only after the snapshot commit exists."""
    repo = make_git_repo(tmp_path)
    with repo.config_writer() as config:
        config.set_value("tag", "gpgSign", "true")
        config.set_value("gpg", "program", "false")
    result = idc("--repo", str(tmp_path), "--sim", "snapshot", "--tag", "v1")
    assert result.exit_code == 1
    sha = repo.head.commit.hexsha[:12]
    assert repo.head.commit.message.startswith("snapshot: ")
    error = result.stderr.splitlines()[-1]  # after the read's progress line
    assert error.startswith(f"error: snapshot committed as {sha}, but not tagged: git tag v1")
    assert "gpg failed to sign the data" in error  # git's own reason, on the one line
    assert error.endswith(f"tag it with `git tag -a v1 {sha}`")
    assert not repo.tags


def test_a_plan_that_cannot_be_saved_says_where_and_why(tmp_path: Path, idc: IdcRunner) -> None:
    """Found by trying ordinary mistakes: this was `unexpected FileExistsError`."""
    assert idc("--repo", str(tmp_path), "--sim", "init", "--from-live").exit_code == 0
    (tmp_path / "afile").write_text("")
    out = tmp_path / "afile" / "plan.json"
    result = idc("--repo", str(tmp_path), "--sim", "plan", "--out", str(out))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == f"error: cannot save the plan to {out}: File exists"


def test_history_outside_git_suggests_nothing_it_lacks(
    tmp_path: Path, idc: IdcRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--no-commit is snapshot's way out, not history's."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "idc.yaml").write_text("instance: auto\n")
    result = idc("history")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: . is not a git repository: run `git init` (or `idc init`) there first\n"
    )


def test_a_revision_before_any_snapshot_says_to_take_one(
    tmp_path: Path, idc: IdcRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    make_git_repo(tmp_path)
    result = idc("--sim", "restore", "HEAD~1", "--test")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: unknown revision 'HEAD~1': no snapshot is committed in {tmp_path.resolve()} "
        "yet (`idc --sim snapshot` takes one)\n"
    )


def test_a_path_the_system_refuses_is_named_not_unexpected(tmp_path: Path, idc: IdcRunner) -> None:
    """Found by trying ordinary mistakes: `idc init` under a file was
    `unexpected NotADirectoryError`; any file the system refuses is reported
    as the path and the reason."""
    (tmp_path / "afile").write_text("")
    target = tmp_path / "afile" / "repo"
    result = idc("init", str(target))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == f"error: {target}: Not a directory"
