"""The demo organization (reconciler/sim/data/demo.yaml) as a filter Inventory,
so expansion tests read against the same accounts users see in `idc demo`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from reconciler.desired.filters import Inventory
from reconciler.model.accounts import Account, OrgUnit
from reconciler.model.state import State, StateMeta

DEMO = Path(__file__).resolve().parents[2] / "reconciler" / "sim" / "data" / "demo.yaml"


def demo_state() -> State:
    org: dict[str, Any] = YAML(typ="safe", pure=True).load(DEMO.read_text())["organization"]
    accounts = [
        Account(
            id=str(a["id"]),
            name=a["name"],
            status=a.get("status", "ACTIVE"),
            ou_path=a["ou"],
            tags=tuple(sorted((str(k), str(v)) for k, v in (a.get("tags") or {}).items())),
        )
        for a in org["accounts"]
    ]
    org_units = [OrgUnit(org["root_id"], "/Root")] + [
        OrgUnit(ou["id"], ou["path"]) for ou in org["org_units"]
    ]
    return State.build(
        accounts=accounts,
        org_units=org_units,
        meta=StateMeta(management_account_id=str(org["management_account"])),
    )


@pytest.fixture
def demo() -> Inventory:
    return Inventory.from_state(demo_state())
