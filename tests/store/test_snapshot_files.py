"""State <-> snapshot files: lossless, canonical, schema-valid, clear on bad input."""

from __future__ import annotations

import json
import posixpath
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

from reconciler.desired.yaml_io import load_yaml_text
from reconciler.errors import InputError
from reconciler.model import PermissionSet, State
from reconciler.model.codec import plain
from reconciler.store.manifest import read_snapshot, render_snapshot, sha256
from reconciler.store.snapshot_files import file_name_for, parse_snapshot, render_data_files
from tests.store.strategies import states

SCHEMAS = Path(__file__).resolve().parents[2] / "reconciler" / "schemas"


def _schema_named_by(path: str, modeline: str) -> Path:
    """The schema a state file's modeline names, resolved as in a repository
    `idc init` made: relative to `state/<path>`, into the repository's
    `schemas/` (a copy of the package's schemas)."""
    target = posixpath.normpath(posixpath.join("state", posixpath.dirname(path), modeline))
    assert posixpath.dirname(target) == "schemas", (path, modeline)
    return SCHEMAS / posixpath.basename(target)


# 40 examples in `make test`; the 150 this property had run under `make faults`.
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(states())
def test_state_to_files_to_state_round_trips_every_field(state: State) -> None:
    check_round_trip(state)


@pytest.mark.faults
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(states())
def test_state_to_files_to_state_round_trips_every_field_many_examples(state: State) -> None:
    check_round_trip(state)


def check_round_trip(state: State) -> None:
    """State -> files -> state is the identity, and rendering is canonical."""
    files = render_snapshot(state, time="2024-05-01T12:00:00Z")
    back, manifest = read_snapshot(files)
    assert back == state
    assert manifest.files == {p: sha256(b) for p, b in files.items() if p != "manifest.yaml"}
    # Canonical: rendering what was read gives the same bytes.
    assert render_snapshot(back, time="2024-05-01T12:00:00Z") == files


def test_demo_files_are_split_as_the_spec_says(demo: State) -> None:
    files = render_data_files(demo)
    assert {"accounts.yaml", "users.yaml", "groups.yaml"} <= set(files)
    assert {p for p in files if p.startswith("permission_sets/")} == {
        f"permission_sets/{n}.yaml" for n in demo.permission_sets
    }
    assert {p for p in files if p.startswith("assignments/")} == {
        f"assignments/{a.account}.yaml" for a in demo.assignments
    }
    text = files["assignments/444444444446.yaml"].decode()
    assert "'444444444446'" in text and "Payments" in text and "666666666666" not in text
    for path, data in files.items():
        lines = data.decode().splitlines()
        modeline = lines[0].removeprefix("# yaml-language-server: $schema=")
        # relative to the file, it names a schema in the repository's schemas/
        assert _schema_named_by(path, modeline).is_file()
        assert "do not edit" in lines[1]


def test_every_file_validates_against_the_schema_its_header_names(demo: State) -> None:
    for path, data in render_snapshot(demo).items():
        text = data.decode()
        modeline = text.splitlines()[0].split("$schema=")[1]
        schema_path = _schema_named_by(path, modeline)
        validator = jsonschema.Draft202012Validator(
            json.loads(schema_path.read_text()), format_checker=jsonschema.FormatChecker()
        )
        errors = [e.message for e in validator.iter_errors(plain(load_yaml_text(text, path)))]
        assert errors == [], path


def test_permission_set_names_unsafe_as_file_names_are_encoded_and_read_back() -> None:
    assert file_name_for("ReadOnly") == "ReadOnly.yaml"
    assert file_name_for("a/b") == "a%2Fb.yaml"
    state = State.build(permission_sets=[PermissionSet.build("a/b"), PermissionSet.build("..")])
    files = render_data_files(state)
    assert "permission_sets/a%2Fb.yaml" in files
    assert all("/" not in p.split("/", 1)[1] for p in files if p.startswith("permission_sets/"))
    assert set(parse_snapshot(files).permission_sets) == {"a/b", ".."}


def test_a_malformed_file_is_an_error_naming_it(demo: State) -> None:
    files = render_snapshot(demo)
    files["users.yaml"] = b"users:\n  - display_name: no key\n"
    with pytest.raises(InputError, match=r"state/users\.yaml: not a valid snapshot file"):
        read_snapshot(files)
    files["users.yaml"] = b"users: [unclosed\n"
    with pytest.raises(InputError, match=r"state/users\.yaml:\d+:\d+"):
        read_snapshot(files)


def test_a_missing_file_is_an_error_naming_it(demo: State) -> None:
    files = render_snapshot(demo)
    del files["groups.yaml"]
    with pytest.raises(InputError, match=r"HEAD:state/groups\.yaml: missing"):
        read_snapshot(files, origin="HEAD:state")
    with pytest.raises(InputError, match="no snapshot there"):
        read_snapshot({}, origin="state")
