"""The schemas are complete, self-consistent, and accept what the product writes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from reconciler.desired.schema import (
    PATTERN_WORDS,
    SCHEMA_NAMES,
    load_schema,
    validate_document,
)
from reconciler.desired.yaml_io import load_yaml, load_yaml_text
from reconciler.model import codec
from reconciler.plan.changes import Change, Plan
from tests.conftest import ROOT

DEMO = ROOT / "reconciler" / "sim" / "data" / "demo.yaml"


def test_every_schema_file_is_loaded_by_name() -> None:
    on_disk = sorted(
        p.name.removesuffix(".schema.json")
        for p in (ROOT / "reconciler" / "schemas").glob("*.json")
    )
    assert on_disk == sorted(SCHEMA_NAMES)


def _properties(node: Any, trail: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for name, sub in (node.get("properties") or {}).items():
            yield f"{trail}.{name}", sub
        for key, value in node.items():
            yield from _properties(value, f"{trail}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _properties(value, f"{trail}[{index}]")


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_is_documented_draft_2020_12(name: str) -> None:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] and schema["title"] and schema["examples"]
    undocumented = [
        trail
        for trail, prop in _properties(schema)
        if "description" not in prop and "$ref" not in prop
    ]
    assert undocumented == []
    validator = Draft202012Validator(schema)
    for example in schema["examples"]:
        assert list(validator.iter_errors(example)) == []


def test_objects_reject_unknown_keys_everywhere() -> None:
    schema = load_schema("desired")
    objects = [
        trail
        for trail, prop in _properties(schema)
        if prop.get("type") == "object" and "properties" in prop
    ]
    loose = [
        t
        for t, p in _properties(schema)
        if p.get("type") == "object"
        and "properties" in p
        and p.get("additionalProperties") is not False
    ]
    assert objects and loose == []


def test_demo_identity_documents_validate(tmp_path: Path) -> None:
    demo = load_yaml(DEMO)
    doc = {k: demo[k] for k in ("users", "groups", "permission_sets", "assignments")}
    assert validate_document(doc, "desired", "demo.yaml") == []


def test_demo_organization_as_accounts_file_validates() -> None:
    demo = load_yaml(DEMO)
    org = demo["organization"]
    accounts = [codec.account_to_doc(codec.account_from_doc(a)) for a in org["accounts"]]
    doc = {
        "management_account": org["management_account"],
        "accounts": accounts,
        "org_units": [{"id": org["root_id"], "path": "/Root"}, *org["org_units"]],
    }
    assert validate_document(doc, "accounts", "state/accounts.yaml") == []


def test_accounts_file_rejects_unquoted_ids() -> None:
    doc = {"accounts": [{"id": 111111111111, "name": "x"}]}
    (problem,) = validate_document(doc, "accounts", "state/accounts.yaml")
    assert problem.message.startswith("accounts[0].id: expected a string, got an integer")


def test_plan_json_validates_against_plan_schema() -> None:
    plan = Plan(
        changes=(
            Change(
                "create",
                "assignment",
                {
                    "permission_set": "ReadOnly",
                    "principal_type": "GROUP",
                    "principal": "Platform",
                    "account": "111111111111",
                },
                after={"permission_set": "ReadOnly"},
                reason="desired",
            ),
            Change(
                "update",
                "permission_set",
                {"name": "ReadOnly"},
                before={"name": "ReadOnly"},
                after={"name": "ReadOnly", "session_duration": "PT2H"},
                reprovision=("111111111111",),
            ),
        ),
        fingerprint="a" * 64,
        warnings=("careful",),
        touched={"permission_set:ReadOnly": "b" * 64},
    )
    assert validate_document(plan.to_json(), "plan", "plan.json") == []
    broken = plan.to_json()
    broken["changes"][0]["action"] = "destroy"
    (problem,) = validate_document(broken, "plan", "plan.json")
    assert problem.message == (
        'changes[0].action: must be one of create, update, delete; got "destroy"'
    )


def test_manifest_schema_checks_hashes() -> None:
    doc = {
        "time": "2024-05-01T12:00:00Z",
        "instance_arn": "arn:aws:sso:::instance/ssoins-6804a1b2c3d4e5f6",
        "identity_store_id": "d-9067a1b2c3",
        "tool_version": "0.1.0",
        "counts": {"users": 8},
        "files": {"users.yaml": "0" * 64, "permission_sets/ReadOnly.yaml": "short"},
    }
    (problem,) = validate_document(doc, "manifest", "state/manifest.yaml")
    assert problem.message == (
        'files.permission_sets/ReadOnly.yaml: "short" is not a sha256 in lower-case hex '
        "(64 characters)"
    )


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        for value in node.values():
            yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_pattern_is_said_in_words(name: str) -> None:
    """A message never shows a regex: each shipped pattern has its words."""
    missing = [p for p in _patterns(load_schema(name)) if p not in PATTERN_WORDS]
    assert missing == []


@pytest.mark.parametrize(
    ("key", "valid"),
    [
        ("env:IDC_KEY", True),
        ("file:.idc/key", True),
        ("kms:alias/idc-backups", True),
        ("kms:arn:aws:kms:eu-west-1:111111111111:key/abc", True),
        ("env:", False),
        ("vault:secret/idc", False),
        ("IDC_KEY", False),
    ],
)
def test_encryption_key_spec(key: str, valid: bool) -> None:
    problems = validate_document({"encryption": {"key": key}}, "settings", "idc.yaml")
    assert (problems == []) is valid


@settings(max_examples=60, deadline=None)
@given(account=st.from_regex(r"0[0-9]{11}", fullmatch=True), quoted_list=st.booleans())
def test_an_unquoted_account_id_is_quoted_as_written(account: str, quoted_list: bool) -> None:
    """YAML reads a zero-led id as an integer without its zero: the one
    problem reported quotes the id as typed."""
    value = f"[{account}]" if quoted_list else account
    text = f"assignments:\n  - permission_set: P\n    groups: [G]\n    accounts: {value}\n"
    problems = validate_document(load_yaml_text(text, "a.yaml"), "desired", "a.yaml", text)
    (problem,) = problems
    assert problem.message.endswith(f'got an integer ({int(account)}); quote it: "{account}"')
