"""Golden plans: every directory under cases/ is one scenario, as data.

    cases/<name>/desired/*.yaml   desired state (the real loader reads it)
    cases/<name>/idc.yaml         optional settings (defaults otherwise)
    cases/<name>/live.yaml        live state (see livedoc.py)
    cases/<name>/options.yaml     optional build_plan flags: allow_deletes, strict
    cases/<name>/expected.json    {"summary", "changes", "warnings"[, "notes", "in_sync"]}
                                  or {"error": [lines of the error message]}

Set IDC_REGOLD=1 to rewrite expected.json from the current planner, then
review the diff like any other change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from reconciler.desired.loader import load_desired
from reconciler.desired.settings import Settings, load_settings
from reconciler.desired.yaml_io import load_yaml
from reconciler.errors import IdcError
from reconciler.plan import build_plan
from tests.plan.livedoc import load_live

CASES = Path(__file__).parent / "cases"
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "live.yaml").is_file())


def run_case(case: Path) -> dict[str, Any]:
    settings = load_settings(case) if (case / "idc.yaml").is_file() else Settings()
    options = load_yaml(case / "options.yaml") if (case / "options.yaml").is_file() else {}
    try:
        desired = load_desired(case, settings)
        plan = build_plan(desired, load_live(case / "live.yaml"), settings, **dict(options or {}))
    except IdcError as exc:
        return {"error": str(exc).splitlines()}
    data = plan.to_json()
    out = {k: data[k] for k in ("summary", "changes", "warnings")}
    expected_path = case / "expected.json"
    if expected_path.is_file() and "notes" in json.loads(expected_path.read_text()):
        out["notes"] = list(plan.notes)
        out["in_sync"] = dict(plan.in_sync)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_golden_plan(name: str) -> None:
    case = CASES / name
    actual = run_case(case)
    expected_path = case / "expected.json"
    if os.environ.get("IDC_REGOLD"):
        expected_path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n")
    expected = json.loads(expected_path.read_text())
    assert actual == expected


def test_there_are_many_cases() -> None:
    assert len(NAMES) >= 30
