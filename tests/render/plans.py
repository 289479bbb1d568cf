"""Plans for renderer tests, built by the real planner from golden cases."""

from __future__ import annotations

from pathlib import Path

from reconciler.desired.loader import load_desired
from reconciler.desired.settings import Settings, load_settings
from reconciler.plan import Plan, build_plan
from tests.plan.livedoc import load_live
from tests.plan.test_golden import CASES


def case_plan(name: str) -> Plan:
    case: Path = CASES / name
    settings = load_settings(case) if (case / "idc.yaml").is_file() else Settings()
    desired = load_desired(case, settings)
    return build_plan(desired, load_live(case / "live.yaml"), settings, allow_deletes=True)
