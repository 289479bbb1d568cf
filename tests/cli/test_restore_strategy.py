"""`idc restore --strategy` and `--select` on the same conflicting live state.

Between snapshot A and now (fixture `changed` of test_restore): a user
(zed) with a Platform membership and two assignments was added, Developers'
description and the Developer permission set's session duration changed,
and grace with her memberships, the Billing permission set and its
assignment were deleted. Each strategy must do exactly its part; the
outcome is compared with A as a semantic diff, key by key."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.sim.embedded import STATE_FILE
from reconciler.store.history import History
from reconciler.store.restore import RESTORABLE_KINDS
from reconciler.store.semantic_diff import diff_states
from tests.cli.test_restore import idc_in, repo, snapshot_files

__all__ = ["repo"]

# What live state holds beyond A after B (kept by strategies that never delete).
ZED = {
    ("users", "zed@example.com", "added"),
    ("memberships", "Platform:zed@example.com", "added"),
    ("assignments", "Developer:USER:zed@example.com:555555555555", "added"),
    ("assignments", "Developer:USER:zed@example.com:666666666666", "added"),
}
# A's values that B changed (kept by skip, which never updates).
EDITS = {
    ("groups", "Developers", "changed"),
    ("permission_sets", "Developer", "changed"),
}


def live_minus_a(repo: Path) -> set[tuple[str, str, str]]:
    """How live state now differs from snapshot A, as (kind, key, action)."""
    code, _, err = idc_in(repo, "snapshot", "-m", "now", "--tag", "now")
    assert code == 0, err
    history = History(repo)
    a, now = history.snapshot("A").read()[0], history.snapshot("now").read()[0]
    return {(c.kind, c.key, c.action) for c in diff_states(a, now, RESTORABLE_KINDS).changes}


@pytest.mark.parametrize(
    ("strategy", "left", "skipped"),
    [
        ("overwrite", set(), 0),
        ("merge", ZED, 4),
        ("skip", ZED | EDITS, 6),
    ],
)
def test_each_strategy_does_exactly_its_part(
    repo: Path, strategy: str, left: set[tuple[str, str, str]], skipped: int
) -> None:
    code, out, err = idc_in(repo, "restore", "A", "--strategy", strategy, "--auto-approve")
    assert code == 0, out + err
    # grace, her memberships, Billing and its assignment always come back
    assert "  + user grace@example.com" in out and "  + permission_set Billing" in out
    if skipped:
        assert f"Skipped ({skipped}), not done by this plan:" in out
        assert f"  {strategy} strategy: never deletes (4):" in out
        assert "    delete user:zed@example.com" in out
    else:
        assert "Skipped (" not in out
    if strategy == "skip":
        assert "  skip strategy: never updates (2):" in out
        assert "    update group:Developers" in out
    assert live_minus_a(repo) == left


def test_an_unknown_strategy_is_refused_before_aws(repo: Path) -> None:
    before = (repo / ".idc" / "sim" / STATE_FILE).read_bytes()
    code, _, err = idc_in(repo, "restore", "A", "--strategy", "replace", "--dry-run")
    assert code == 1 and "Invalid value for '--strategy'" in err and "'overwrite'" in err
    assert "Traceback" not in err
    assert (repo / ".idc" / "sim" / STATE_FILE).read_bytes() == before


def test_prompt_without_a_terminal_is_refused(repo: Path) -> None:
    before = (repo / ".idc" / "sim" / STATE_FILE).read_bytes()
    code, _, err = idc_in(repo, "restore", "A", "--strategy", "prompt", "--auto-approve")
    assert code == 1
    assert "--strategy prompt asks about each conflicting resource and needs a terminal" in err
    assert (repo / ".idc" / "sim" / STATE_FILE).read_bytes() == before


def test_select_brings_what_a_selected_assignment_needs(repo: Path) -> None:
    code, out, err = idc_in(
        repo, "restore", "A", "--select", "assignment:Billing:user:grace@*", "--auto-approve"
    )
    assert code == 0, out + err
    assert "  + assignment Billing to USER grace@example.com in 123456789012" in out
    assert "needed by selected assignment:Billing:USER:grace@example.com:123456789012" in out
    assert "  + permission_set Billing" in out and "  + user grace@example.com" in out
    assert "Plan: 3 to add, 0 to change, 0 to destroy." in out
    assert "  not selected by --select (8):" in out
    assert "# 2 change(s) brought along because selected ones need them" in out
    # grace is back without her memberships (not selected, not needed)
    assert live_minus_a(repo) == ZED | EDITS | {
        ("memberships", "Auditors:grace@example.com", "removed"),
        ("memberships", "Security:grace@example.com", "removed"),
    }


def test_select_of_a_delete_brings_the_deletes_under_it(repo: Path) -> None:
    code, out, err = idc_in(repo, "restore", "A", "--select", "user:zed@*", "--auto-approve")
    assert code == 0, out + err
    assert "Plan: 0 to add, 0 to change, 4 to destroy." in out
    assert live_minus_a(repo) == EDITS | {
        ("users", "grace@example.com", "removed"),
        ("memberships", "Auditors:grace@example.com", "removed"),
        ("memberships", "Security:grace@example.com", "removed"),
        ("permission_sets", "Billing", "removed"),
        ("assignments", "Billing:USER:grace@example.com:123456789012", "removed"),
    }


def test_a_select_matching_nothing_is_an_error_with_a_suggestion(repo: Path) -> None:
    assert idc_in(repo, "snapshot", "--no-commit")[0] == 0
    before = snapshot_files(repo)
    code, out, err = idc_in(
        repo,
        "restore",
        "A",
        "--select",
        "user:grace@*",
        "--select",
        "permision_set:Billing",
        "--select",
        "group:Developrs",
        "--dry-run",
    )
    assert code == 1 and "Traceback" not in err
    assert '--select "permision_set:Billing" matches no resource' in err
    assert '--select "group:Developrs" matches no resource' in err
    assert 'did you mean "group:Developers"?' in err
    assert "user:grace@*" not in err
    assert "Plan:" not in out
    # live state is untouched (the simulator's saved bytes may differ after a read)
    assert idc_in(repo, "snapshot", "--no-commit")[0] == 0
    assert snapshot_files(repo) == before


def test_prompt_on_a_terminal_asks_per_conflict(repo: Path) -> None:
    """Driven through a pseudo-terminal: n to the first question, then none."""
    import os
    import pty
    import subprocess
    import sys

    main, child = pty.openpty()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reconciler.cli",
            "--repo",
            str(repo),
            "--sim",
            "restore",
            "A",
            "--strategy",
            "prompt",
            "--auto-approve",
        ],
        stdin=child,
        stdout=subprocess.PIPE,
        stderr=child,
        env={**os.environ, "NO_COLOR": "1"},
    )
    os.close(child)
    seen = b""
    answers = [b"n\n", b"none\n"]
    while answers or proc.poll() is None:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        seen += chunk
        if answers and seen.count(b"[y/n/all/none/quit]") > 2 - len(answers):
            os.write(main, answers.pop(0))
    out = proc.communicate(timeout=120)[0].decode()
    os.close(main)
    text = seen.decode(errors="replace")
    assert proc.returncode == 0, text + out
    assert "Update permission_set:Developer? [y/n/all/none/quit]" in text
    assert '~ session_duration = "PT2H" -> "PT4H"' in text
    assert "declined at the prompt (6):" in out
    assert "Plan: 5 to add, 0 to change, 0 to destroy." in out
