"""A restore killed with `kill -9` mid-way: `idc apply --resume` finishes it
(live becomes the snapshot), `idc rollback` undoes it (live is exactly what it
was before the restore).

As in tests/apply/test_crash.py, the simulator is served over HTTP from this
process (it outlives the killed restore, as AWS would) and holds one chosen
call of the restore (FaultRule.hold), so the kill lands while that call is
journaled as intended and unanswered. Snapshots compare live state file by
file, as tests/cli/test_restore.py does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from reconciler.apply.journal import read_journal
from reconciler.aws.ratelimit import RateLimits
from reconciler.sim import FaultRule, Realism
from reconciler.sim.server import serving
from tests.cli.test_apply import change_desired, journals
from tests.cli.test_restore import committed_files, remove_grace_and_billing, snapshot_files
from tests.conftest import run_idc
from tests.store.conftest import make_git_repo

# grace is deleted between A and B; restoring A creates her again, after
# the restore has started (its journal holds ops before this one).
HELD = FaultRule("CreateUser", resource="grace@example.com", times=1)
UNLIMITED = RateLimits(sso_admin_tps=None, identitystore_tps=None, organizations=False)


@pytest.fixture(autouse=True)
def _fast_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """The served simulator has no rate limits: the in-process commands (the
    setup, the recovery, the snapshots judging it) need not keep AWS's; the
    killed restore, a subprocess, keeps them."""
    monkeypatch.setattr("reconciler.aws.clients.RateLimits", lambda: UNLIMITED)


def idc(repo: Path, *args: str) -> str:
    result = run_idc("--repo", str(repo), *args)
    assert result.exit_code == 0, result.output
    return result.output


def start_restore(repo: Path, url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "AWS_ENDPOINT_URL": url}
    command = [sys.executable, "-c", "from reconciler.cli.main import main; main()"]
    return subprocess.Popen(
        [*command, "--repo", str(repo), "restore", "A", "--auto-approve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("finish", ["resume", "rollback"])
def test_a_killed_restore_resumes_or_rolls_back_exactly(tmp_path: Path, finish: str) -> None:
    repo = tmp_path
    with serving() as endpoint:
        make_git_repo(repo)
        idc(repo, "init", "--from-live")
        idc(repo, "snapshot", "-m", "A", "--tag", "A")
        change_desired(repo)
        remove_grace_and_billing(repo)
        idc(repo, "apply", "--auto-approve")
        idc(repo, "snapshot", "-m", "B", "--tag", "B")
        assert committed_files(repo, "A") != committed_files(repo, "B")
        before = len(journals(repo))

        release = threading.Event()
        hold = FaultRule(HELD.operation, resource=HELD.resource, times=1, hold=release)
        endpoint.sim.realism = Realism(faults=[hold])
        try:
            restore = start_restore(repo, endpoint.url)
            deadline = time.monotonic() + 60  # only so that a broken run fails, not hangs
            while hold.fired == 0 and restore.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)
            restore.send_signal(signal.SIGKILL)
            restore.wait()
            assert hold.fired == 1, "the restore never made the held call"
            endpoint.sim.realism = Realism()
        finally:
            release.set()  # the held request fails; nobody is listening any more

        journal = journals(repo)[before:]
        assert len(journal) == 1, journal
        killed = read_journal(journal[0])
        assert killed.end is None, killed.end
        assert killed.ok, "the restore was killed before its first op finished"
        assert killed.in_doubt, "the held call was not journaled as intended"
        # half restored: neither the snapshot nor what it replaced
        idc(repo, "snapshot", "--no-commit")
        assert snapshot_files(repo) not in (committed_files(repo, "A"), committed_files(repo, "B"))

        if finish == "resume":
            idc(repo, "apply", "--resume", str(journal[0]))
            expected = committed_files(repo, "A")
        else:
            idc(repo, "rollback", str(journal[0]), "--auto-approve")
            expected = committed_files(repo, "B")
        idc(repo, "snapshot", "--no-commit")
        assert snapshot_files(repo) == expected
