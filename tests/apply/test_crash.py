"""Crash safety: `kill -9` an apply in the middle of a call, then resume or roll back.

The simulator runs in this process as an HTTP endpoint (so it outlives the
killed apply, as AWS would). Each seed picks one call of the apply and has
the simulator hold it (FaultRule.hold): the apply has journaled its intent
and waits for the answer when it is killed, so every kill lands mid-run, at
a known op. The held request is then lost (it fails, nobody hears it);
requests sent before it may still be running and land after the recovery
has started, as at AWS.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from reconciler.apply.journal import Journal, read_journal
from reconciler.model.operations import ASYNC_OPS
from reconciler.sim import FaultRule, Realism
from reconciler.sim.server import serving
from tests.cli.test_apply import change_desired, journals, live, pending
from tests.conftest import run_idc

FAULT_SEEDS = int(os.environ.get("IDC_FAULT_SEEDS", "20"))


@dataclass(frozen=True)
class Stop:
    """The call held for a seed, and which of the plan's ops it belongs to:
    those named `op`, on `account` when given (else any of them)."""

    operation: str
    resource: str | None
    op: str
    account: str | None = None


# The plan of change_desired plus a policy and a tag (so the permission set
# edit is three calls: UpdatePermissionSet, AttachManagedPolicy, TagResource),
# a user, a group edit, a membership, two assignment creates (one batch),
# four re-provisions. An odd count, so that with finish = seed % 2 every
# (stop, finish) pair comes up within 2 x len(STOPS) seeds; the first three
# are what `make test` runs, two of them inside the permission set's edit.
STOPS = (
    # Both assignments submitted and IN_PROGRESS: killed while polling.
    Stop("DescribeAccountAssignmentCreationStatus", None, "create_assignment"),
    # Inside one multi-call change: its first call has landed, the rest not.
    Stop("AttachManagedPolicyToPermissionSet", None, "update_permission_set"),
    Stop("TagResource", None, "update_permission_set"),
    Stop("CreateUser", "zed@example.com", "create_user"),
    Stop("UpdatePermissionSet", None, "update_permission_set"),
    Stop("UpdateGroup", None, "update_group"),
    Stop("CreateGroupMembership", None, "add_member"),
    Stop("CreateAccountAssignment", "555555555555", "create_assignment", "555555555555"),
    Stop("CreateAccountAssignment", "666666666666", "create_assignment", "666666666666"),
    Stop("ProvisionPermissionSet", "444444444446", "provision_permission_set", "444444444446"),
    Stop("DescribePermissionSetProvisioningStatus", None, "provision_permission_set"),
    Stop("ProvisionPermissionSet", "555555555555", "provision_permission_set", "555555555555"),
    Stop("ProvisionPermissionSet", "666666666666", "provision_permission_set", "666666666666"),
)


def assert_killed_mid_run(journal: Journal, stop: Stop) -> None:
    """What the kill must have left: the run stopped at the held call.

    Every op before the held op's batch is done, the held op is in doubt
    (intent, no done), nothing after its batch started, and there is no end
    record. A batch is the run of consecutive asynchronous ops of one name
    that the executor overlaps; any other op is a batch of its own.
    """
    ops = [op for op, _ in journal.header.pairs]
    held = {
        seq
        for seq, op in enumerate(ops)
        if op.name == stop.op and stop.account in (None, op.args.get("account"))
    }
    assert held, f"no {stop.op} in the plan"
    first, last = min(held), max(held)
    if stop.op in ASYNC_OPS:
        while first > 0 and ops[first - 1].name == stop.op:
            first -= 1
        while last + 1 < len(ops) and ops[last + 1].name == stop.op:
            last += 1
    assert journal.end is None, journal.end
    assert set(range(first)) <= journal.ok, (first, journal.ok)
    assert held & journal.in_doubt, (held, journal.in_doubt)
    assert max(journal.intents) <= last, (last, journal.intents)


EXTRA_POLICY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def change_desired_in_three_calls(repo: Path) -> None:
    change_desired(repo)
    ps = repo / "desired" / "permission_sets" / "Developer.yaml"
    text = ps.read_text()
    text = text.replace(
        "      - arn:aws:iam::aws:policy/PowerUserAccess\n",
        f"      - arn:aws:iam::aws:policy/PowerUserAccess\n      - {EXTRA_POLICY}\n",
    )
    ps.write_text(text.replace("      team: platform\n", "      team: platform\n      tier: dev\n"))


def assert_half_done(stop: Stop) -> None:
    """A kill inside the permission set's edit left it half done in AWS."""
    if stop.op != "update_permission_set" or stop.operation == "UpdatePermissionSet":
        return
    developer = live().permission_sets["Developer"]
    assert developer.session_duration == "PT2H", "the edit's first call had not landed"
    assert ("tier", "dev") not in developer.tags, "the edit had finished"


def start_apply(repo: Path, url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }
    command = [sys.executable, "-c", "from reconciler.cli.main import main; main()"]
    return subprocess.Popen(
        [*command, "--repo", str(repo), "apply", "--auto-approve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_apply_then_recover(tmp_path: Path, seed: int) -> None:
    stop = STOPS[seed % len(STOPS)]
    finish = ("resume", "rollback")[seed % 2]
    release = threading.Event()
    hold = FaultRule(stop.operation, resource=stop.resource, times=1, hold=release)
    with serving() as endpoint:
        sim = endpoint.sim
        try:
            assert run_idc("--repo", str(tmp_path), "init", "--from-live").exit_code == 0
            change_desired_in_three_calls(tmp_path)
            before = live()
            # Asynchronous requests stay IN_PROGRESS a while, as at AWS, so a
            # kill can leave some running that land only after the recovery
            # has started.
            realism = Realism(latency=0.03, jitter=0.03, seed=seed, async_delay=1.5)
            realism.faults = [hold]
            sim.realism = realism
            apply = start_apply(tmp_path, endpoint.url)
            deadline = time.monotonic() + 60  # only so that a broken run fails, not hangs
            while hold.fired == 0 and apply.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)
            apply.send_signal(signal.SIGKILL)
            apply.wait()
            assert hold.fired == 1, f"seed {seed}: the apply never made the {stop.operation} call"
            sim.realism = Realism()
        finally:
            release.set()  # the held request fails; nobody is listening any more
        (journal,) = journals(tmp_path)
        killed = read_journal(journal)
        assert_killed_mid_run(killed, stop)
        assert_half_done(stop)
        result = run_idc(
            "--repo",
            str(tmp_path),
            *(
                ("apply", "--resume", str(journal))
                if finish == "resume"
                else ("rollback", str(journal), "--auto-approve")
            ),
        )
        assert result.exit_code == 0, (seed, stop, result.output)
        # Let any request the killed apply left running land before judging.
        time.sleep(realism.async_delay + 0.2)
        if finish == "resume":
            assert pending(tmp_path) == [], (seed, stop)
        else:
            assert live() == before, (seed, stop)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_killed_apply_resumes_or_rolls_back(tmp_path: Path, seed: int) -> None:
    kill_apply_then_recover(tmp_path, seed)


@pytest.mark.faults
@pytest.mark.parametrize("seed", range(3, 3 + FAULT_SEEDS))
def test_killed_apply_resumes_or_rolls_back_many_seeds(tmp_path: Path, seed: int) -> None:
    kill_apply_then_recover(tmp_path, seed)
