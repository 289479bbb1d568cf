"""`idc --sim` keeps a change the moment AWS would, even if the process dies."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reconciler.errors import InputError
from reconciler.sim.embedded import embedded_simulator


def test_change_survives_kill_without_cleanup(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from reconciler.sim.embedded import embedded_simulator
        with embedded_simulator(Path({str(tmp_path)!r})) as sim:
            sim.client("identitystore").create_group(
                IdentityStoreId=sim.identity_store_id, DisplayName="Survivors")
            os._exit(9)  # like kill -9: no context exit, no final save
        """
    )
    done = subprocess.run([sys.executable, "-c", script], check=False)
    assert done.returncode == 9
    with embedded_simulator(tmp_path) as sim:
        groups = sim.client("identitystore").list_groups(IdentityStoreId=sim.identity_store_id)
        names = {g["DisplayName"] for g in groups["Groups"]}
    assert "Survivors" in names
    assert "Platform" in names  # the demo seed is still there too


def test_realism_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IDC_SIM_REALISM", '{"latency": 0.01, "async_delay": 0.5}')
    with embedded_simulator(tmp_path) as sim:
        assert sim.realism.latency == 0.01
        assert sim.realism.async_delay == 0.5
    monkeypatch.setenv("IDC_SIM_REALISM", '{"no_such_knob": 1}')
    with pytest.raises(InputError, match="IDC_SIM_REALISM"), embedded_simulator(tmp_path):
        pass
