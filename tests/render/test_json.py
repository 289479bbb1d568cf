from __future__ import annotations

import json

from jsonschema import Draft202012Validator

from reconciler.desired.schema import load_schema
from reconciler.plan import Plan
from reconciler.render.json import render_json
from tests.render.plans import case_plan


def test_json_plan_is_the_plan_file_and_valid_against_the_schema() -> None:
    plan = case_plan("order-follows-apply-phases")
    data = json.loads(render_json(plan))
    Draft202012Validator(load_schema("plan")).validate(data)
    assert data["summary"] == {"create": 7, "update": 1, "delete": 7}
    assert Plan.from_json(data).changes == plan.changes
    update = next(c for c in data["changes"] if c["action"] == "update")
    assert update["reprovision"] == ["222222222222", "222222222223"]
    assert update["before"]["session_duration"] == "PT8H"
    assert update["after"]["session_duration"] == "PT2H"
    # touched: every change with a live side; creates touch nothing
    assert set(data["touched"]) == {
        f"{c['kind']}:" + ":".join(c["key"].values())
        for c in data["changes"]
        if c["action"] != "create"
    }
