from tests.conftest import IdcRunner


def test_help_lists_every_command_with_a_description(idc: IdcRunner) -> None:
    from reconciler.cli.main import COMMANDS

    result = idc("--help")
    assert result.exit_code == 0
    for verb in COMMANDS:
        line = next(l for l in result.stdout.splitlines() if l.strip().startswith(verb + " "))
        assert len(line.split(None, 1)[1]) > 10, line


def test_unknown_command_is_exit_1_not_click_2(idc: IdcRunner) -> None:
    result = idc("frobnicate")
    assert result.exit_code == 1
    assert "No such command" in result.stderr
    assert "Traceback" not in result.output
