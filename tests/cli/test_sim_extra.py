"""Without the `sim` extra (moto), simulator commands say what to install.

Each case runs `idc` in a fresh interpreter where importing moto fails, as it
does in an install without `idc-reconciler[sim]`, so nothing this test
process already imported can hide a module-level import of the simulator.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

# `sys.modules[name] = None` makes `import name` raise ModuleNotFoundError.
WITHOUT_MOTO = (
    "import sys\n"
    "sys.modules['moto'] = None\n"
    "from reconciler.cli.main import run\n"
    "sys.exit(run(sys.argv[1:]))\n"
)


def idc_without_moto(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_MOTO, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(cwd)},
    )


def example_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "basic", repo)
    return repo


def test_help_and_offline_commands_work_without_the_simulator(tmp_path: Path) -> None:
    assert "GitOps for AWS IAM Identity Center" in idc_without_moto("--help", cwd=tmp_path).stdout
    init = idc_without_moto("--repo", "new", "init", cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    assert (tmp_path / "new" / "schemas" / "desired.schema.json").is_file()
    check = idc_without_moto("--sim", "validate", cwd=example_repo(tmp_path))
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize(
    ("argv", "what"),
    [
        (("--sim", "plan"), "--sim"),
        (("--sim", "snapshot", "--no-commit"), "--sim"),
        (("sim", "serve", "--port", "0", "--stop-after", "0"), "idc sim serve"),
        (("demo",), "idc demo"),
    ],
)
def test_simulator_commands_print_one_line_naming_the_extra(
    tmp_path: Path, argv: tuple[str, ...], what: str
) -> None:
    result = idc_without_moto(*argv, cwd=example_repo(tmp_path))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {what} needs the simulator, which is not installed (no module 'moto'); "
        "install it with: pip install 'idc-reconciler[sim]'"
    ]
    assert "Traceback" not in result.stdout + result.stderr


def test_restore_test_needs_the_simulator_too(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "sys.modules['moto'] = None\n"
        "from reconciler.cli.restore_verify import restore_into_simulator\n"
        "try:\n"
        "    restore_into_simulator(None)\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.startswith("SimulatorMissing idc restore --test needs the simulator")
    assert "idc-reconciler[sim]" in result.stdout
