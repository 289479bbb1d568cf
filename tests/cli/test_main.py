import os
import subprocess
import sys
from pathlib import Path

import pytest

from reconciler.cli.main import COMMANDS
from tests.conftest import IdcRunner


def test_help_lists_every_command_with_a_description(tmp_path: Path) -> None:
    """Run as a user would, in an 80-column terminal: click cuts a command's
    first docstring line with "..." when it does not fit beside the longest verb."""
    env = {**os.environ, "COLUMNS": "80"}
    result = subprocess.run(
        [sys.executable, "-m", "reconciler.cli", "--help"],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=True,
    )  # fmt: skip
    for verb in COMMANDS:
        line = next(ln for ln in result.stdout.splitlines() if ln.strip().startswith(verb + " "))
        description = line.split(None, 1)[1]
        assert len(description) > 10, line
        assert not description.endswith("..."), f"cut short in an 80-column terminal: {line}"


@pytest.mark.parametrize("verb", sorted(COMMANDS))
def test_every_command_has_help(idc: IdcRunner, verb: str) -> None:
    result = idc(verb, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage: idc " + verb in result.stdout


def test_unknown_command_is_exit_1_not_click_2(idc: IdcRunner) -> None:
    result = idc("frobnicate")
    assert result.exit_code == 1
    assert "No such command" in result.stderr
    assert "Traceback" not in result.output


def test_bad_option_is_exit_1_without_traceback(idc: IdcRunner) -> None:
    result = idc("--no-such-option")
    assert result.exit_code == 1
    assert "Traceback" not in result.output


def test_a_closed_stdout_ends_quietly(tmp_path: Path) -> None:
    """`idc ... | head` closes the pipe early: no "unexpected BrokenPipeError".
    The read end is closed before idc starts, so its first write fails."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "reconciler.cli", "iam-policy", "apply"],
            stdout=write_end, stderr=subprocess.PIPE, text=True, cwd=tmp_path, check=False,
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert result.returncode == 1
    assert result.stderr == ""
