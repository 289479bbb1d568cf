"""The local apply lock (an OS lock) and the S3 lock object."""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.synchronize
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reconciler.apply.lock import LockHeldError, apply_lock
from tests.conftest import ROOT

# Holds the apply lock the way a running apply does, says so, then waits to be killed.
HOLD = """
import sys, time
from pathlib import Path
from reconciler.apply.lock import apply_lock
with apply_lock(Path(sys.argv[1]), journal="20250101T000000000000Z-dead01.jsonl"):
    print("held", flush=True)
    time.sleep(600)
"""


def killed_while_holding(repo: Path) -> int:
    """Start a process that takes the lock, SIGKILL it while it holds it."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(repo)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    holder.send_signal(signal.SIGKILL)
    assert holder.wait() == -signal.SIGKILL
    return holder.pid


def _race(repo: str, log: str, start: multiprocessing.synchronize.Barrier) -> None:
    """One contender: try until it has held the lock once, logging enter, exit
    and any warning it is given."""

    def note(text: str) -> None:
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        os.write(fd, f"{text}\n".encode())
        os.close(fd)

    start.wait()
    while True:
        try:
            with apply_lock(Path(repo), warn=lambda message: note(f"warned {message}")):
                note(f"enter {os.getpid()}")
                time.sleep(0.02)  # long enough for a second holder to show up
                note(f"exit {os.getpid()}")
                return
        except LockHeldError:
            time.sleep(0.001)


def test_a_second_lock_is_refused_naming_the_holder(tmp_path: Path) -> None:
    with apply_lock(tmp_path, journal="20250101T000000Z-abc123.jsonl"):
        with pytest.raises(LockHeldError) as caught, apply_lock(tmp_path):
            pass
        message = str(caught.value)
        assert f"pid {os.getpid()}" in message and "20250101T000000Z-abc123.jsonl" in message
    with apply_lock(tmp_path):  # free again
        pass


def test_racing_processes_hold_the_lock_one_at_a_time(tmp_path: Path) -> None:
    """Eight processes start at once, right after a holder was killed: each
    gets the lock in turn, no two are ever inside together, and none is told
    about the dead holder."""
    killed_while_holding(tmp_path)
    log = tmp_path / "log"
    context = multiprocessing.get_context("fork")
    start = context.Barrier(8)
    racers = [
        context.Process(target=_race, args=(str(tmp_path), str(log), start)) for _ in range(8)
    ]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(60)
        assert racer.exitcode == 0
    lines = log.read_text().splitlines()
    entries = lines[0::2]
    assert [line.split()[0] for line in lines] == ["enter", "exit"] * 8
    assert lines[1::2] == [line.replace("enter", "exit") for line in entries]
    assert sorted(int(line.split()[1]) for line in entries) == sorted(r.pid for r in racers)


def test_a_lock_held_by_a_killed_process_is_free_for_the_next_apply(tmp_path: Path) -> None:
    """No stale lock, no warning, nothing to delete by hand: the next holder
    is reported as the holder, not the dead one."""
    dead = killed_while_holding(tmp_path)
    warnings: list[str] = []
    with (
        apply_lock(tmp_path, journal="next.jsonl", warn=warnings.append),
        pytest.raises(LockHeldError) as caught,
        apply_lock(tmp_path),
    ):
        pass
    assert warnings == []
    assert f"pid {os.getpid()}" in str(caught.value) and "next.jsonl" in str(caught.value)
    assert f"pid {dead}" not in str(caught.value)


def test_a_leftover_holder_record_naming_a_live_process_does_not_block(tmp_path: Path) -> None:
    """The record only explains a refusal; the OS decides. A record left by a
    crash whose pid now belongs to another live process (pid reuse) is harmless."""
    record = json.dumps(
        {"host": socket.gethostname(), "pid": os.getppid(), "user": "someone", "time": "t"}
    )
    (tmp_path / ".idc").mkdir()
    for name in ("apply.lock", "apply.holder.json"):
        (tmp_path / ".idc" / name).write_text(record)
    with apply_lock(tmp_path) as me:
        assert me.pid == os.getpid()
