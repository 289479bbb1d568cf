"""Two `idc --sim` commands at once: the second waits, nothing is lost.

Every command saves the whole simulated state, so a read-only command that
read the state before an apply and saved it after would undo the apply. The
plan here is held inside a call (FaultRule.hold_path) while the apply runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.cli.test_apply import change_desired
from tests.conftest import IdcRunner

IDC = [sys.executable, "-c", "from reconciler.cli.main import main; main()"]


def wait_until(condition: Callable[[], bool], what: str, limit: float = 120.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_overlapping_commands_keep_the_apply(tmp_path: Path, idc: IdcRunner) -> None:
    repo = tmp_path / "repo"
    assert idc("--repo", str(repo), "--sim", "init", "--from-live").exit_code == 0
    change_desired(repo)
    release = tmp_path / "release"
    hold = {"operation": "sso-admin:ListPermissionSets", "times": 1, "hold_path": str(release)}
    env = {k: v for k, v in os.environ.items() if k != "IDC_SIM_REALISM"}
    plan_env = {**env, "IDC_SIM_REALISM": json.dumps({"faults": [hold]})}
    plan = subprocess.Popen(
        [*IDC, "--repo", str(repo), "--sim", "plan"],
        env=plan_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    apply_err = tmp_path / "apply.err"
    try:
        wait_until(Path(f"{release}.held").exists, "the plan to be held mid-run")
        with apply_err.open("wb") as err:
            apply = subprocess.Popen(
                [*IDC, "--repo", str(repo), "--sim", "apply", "--auto-approve"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        waiting = "waiting for another idc --sim command"
        wait_until(
            lambda: apply.poll() is not None or waiting in apply_err.read_text(),
            "the apply to finish or to wait",
        )
        release.touch()
        assert apply.wait(timeout=300) == 0, apply_err.read_text()
        plan.wait(timeout=300)
    finally:
        release.touch()
        plan.kill()
    again = idc("--repo", str(repo), "--sim", "apply", "--auto-approve")
    assert again.exit_code == 0 and "No changes" in again.stderr, again.output
    assert waiting in apply_err.read_text()
