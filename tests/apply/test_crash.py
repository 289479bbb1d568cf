"""Crash safety: `kill -9` an apply at a random instant, then resume or roll back.

The simulator runs in this process as an HTTP endpoint (so it outlives the
killed apply, as AWS would), with per-call latency so there is time to kill
the apply between, and during, its calls.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reconciler.apply.journal import read_journal
from reconciler.sim import Realism
from reconciler.sim.server import serving
from tests.cli.test_apply import change_desired, journals, live, pending
from tests.conftest import run_idc

FAULT_SEEDS = int(os.environ.get("IDC_FAULT_SEEDS", "20"))


def kill_apply_then_recover(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    finish = ("resume", "rollback")[seed % 2]
    # Asynchronous requests stay IN_PROGRESS a while, as at AWS, so a kill can
    # leave some running that land only after the recovery has started.
    realism = Realism(latency=0.03, jitter=0.03, seed=seed, async_delay=1.5)
    with serving(realism=realism) as endpoint:
        sim = endpoint.sim
        assert run_idc("--repo", str(tmp_path), "init", "--from-live").exit_code == 0
        change_desired(tmp_path)
        before = live()
        env = {
            **os.environ,
            "AWS_ENDPOINT_URL": endpoint.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "eu-west-1",
        }
        apply = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from reconciler.cli.main import main; main()",
                "--repo",
                str(tmp_path),
                "apply",
                "--auto-approve",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Kill after a random number of journal records (so every stage of
        # the apply is hit across seeds), plus a random instant within a call.
        records = rng.randint(1, 20)
        deadline = time.monotonic() + 60
        while apply.poll() is None and time.monotonic() < deadline:
            found = journals(tmp_path)
            if found and found[0].read_bytes().count(b"\n") >= records:
                break
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.08))
        apply.send_signal(signal.SIGKILL)
        apply.wait()
        sim.realism = Realism()
        (journal,) = journals(tmp_path)
        killed = read_journal(journal)
        print(
            f"seed {seed}: killed after {len(killed.ok)} done, {len(killed.in_doubt)} in doubt,"
            f" ended={killed.end is not None}"
        )
        result = run_idc(
            "--repo",
            str(tmp_path),
            *(
                ("apply", "--resume", str(journal))
                if finish == "resume"
                else ("rollback", str(journal), "--auto-approve")
            ),
        )
        assert result.exit_code == 0, (seed, result.output)
        # Let any request the killed apply left running land before judging.
        time.sleep(realism.async_delay + 0.2)
        if finish == "resume":
            assert pending(tmp_path) == [], seed
        else:
            assert live() == before, seed


@pytest.mark.parametrize("seed", [0, 1])
def test_killed_apply_resumes_or_rolls_back(tmp_path: Path, seed: int) -> None:
    kill_apply_then_recover(tmp_path, seed)


@pytest.mark.faults
@pytest.mark.parametrize("seed", range(2, 2 + FAULT_SEEDS))
def test_killed_apply_resumes_or_rolls_back_many_seeds(tmp_path: Path, seed: int) -> None:
    kill_apply_then_recover(tmp_path, seed)
