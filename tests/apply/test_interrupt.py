"""Ctrl-C during `idc apply`: the user is told which journal holds the run
and how to go on, and going on from it converges."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from reconciler.apply.journal import read_journal
from reconciler.sim import Realism
from reconciler.sim.server import serving
from tests.cli.test_apply import change_desired, journals, live, pending
from tests.conftest import run_idc


def _apply_then_ctrl_c(repo: Path, url: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }
    command = [sys.executable, "-c", "from reconciler.cli.main import main; main()"]
    apply = subprocess.Popen(
        [*command, "--repo", str(repo), "apply", "--auto-approve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while apply.poll() is None and time.monotonic() < deadline:
        found = journals(repo)
        if found and b'"create_assignment"' in found[0].read_bytes().split(b"\n", 1)[-1]:
            break  # an assignment request is on its way
        time.sleep(0.01)
    apply.send_signal(signal.SIGINT)
    out, err = apply.communicate(timeout=60)
    return subprocess.CompletedProcess(apply.args, apply.returncode, out, err)


def test_ctrl_c_names_the_journal_and_resume_finishes(tmp_path: Path) -> None:
    realism = Realism(latency=0.02, async_delay=1.0)
    with serving(realism=realism) as endpoint:
        assert run_idc("--repo", str(tmp_path), "init", "--from-live").exit_code == 0
        change_desired(tmp_path)

        stopped = _apply_then_ctrl_c(tmp_path, endpoint.url)

        assert stopped.returncode == 1, stopped.stderr
        (journal,) = journals(tmp_path)
        shown = f"journal/{journal.name}"
        assert f"idc --repo {tmp_path} apply --resume {shown}" in stopped.stderr
        assert f"idc --repo {tmp_path} rollback {shown}" in stopped.stderr
        assert "Traceback" not in stopped.stderr
        record = read_journal(journal)
        assert record.end is not None and record.end["status"] == "interrupted"
        assert record.in_doubt  # the assignment requests that were running

        resumed = run_idc("--repo", str(tmp_path), "apply", "--resume", shown)
        assert resumed.exit_code == 0, resumed.output
        time.sleep(realism.async_delay)
        assert pending(tmp_path) == []


def test_ctrl_c_then_rollback_restores_exactly(tmp_path: Path) -> None:
    realism = Realism(latency=0.02, async_delay=1.0)
    with serving(realism=realism) as endpoint:
        assert run_idc("--repo", str(tmp_path), "init", "--from-live").exit_code == 0
        change_desired(tmp_path)
        before = live()

        stopped = _apply_then_ctrl_c(tmp_path, endpoint.url)
        assert stopped.returncode == 1, stopped.stderr
        (journal,) = journals(tmp_path)

        undone = run_idc("--repo", str(tmp_path), "rollback", journal.name, "--auto-approve")
        assert undone.exit_code == 0, undone.output
        time.sleep(realism.async_delay)  # anything the interrupted run left running has landed
        assert live() == before
