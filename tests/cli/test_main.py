import pytest

from reconciler.cli.main import COMMANDS
from tests.conftest import IdcRunner


def test_help_lists_every_command_with_a_description(
    idc: IdcRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = idc("--help")
    assert result.exit_code == 0, result.output
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
