"""Fixtures shared by the CLI test modules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.sim import Simulator, seed_demo
from tests.cli.test_apply import change_desired
from tests.cli.test_restore import idc_in, remove_grace_and_billing
from tests.conftest import unpace
from tests.store.conftest import make_git_repo


@pytest.fixture
def sim() -> Iterator[Simulator]:
    """The demo organization in a simulator in this process: `idc` without
    --sim talks to it (a module may define its own `sim` to seed more)."""
    with Simulator() as sim:
        seed_demo(sim)
        yield sim


def delete_group(sim: Simulator, name: str) -> None:
    """Someone removes a group in the console (its memberships and
    assignments go with it)."""
    ids, store = sim.client("identitystore"), sim.identity_store_id
    group = ids.get_group_id(
        IdentityStoreId=store,
        AlternateIdentifier={
            "UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": name}
        },
    )["GroupId"]
    ids.delete_group(IdentityStoreId=store, GroupId=group)


@pytest.fixture(scope="session")
def changed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Snapshot A (tagged), then live changed by `idc apply` and snapshot B;
    each test works on a copy (the `repo` fixture of test_restore), so the
    expensive part runs once per worker for every restore module."""
    repo = tmp_path_factory.mktemp("restore")
    with pytest.MonkeyPatch.context() as mp:
        for name, value in (
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("AWS_CONFIG_FILE", "/nonexistent"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
        ):
            mp.setenv(name, value)
        mp.delenv("AWS_PROFILE", raising=False)
        unpace(mp)  # the restore tests are not about timing
        make_git_repo(repo)
        code, _, err = idc_in(repo, "init", "--from-live")
        assert code == 0, err
        code, _, err = idc_in(repo, "snapshot", "-m", "A", "--tag", "A")
        assert code == 0, err
        change_desired(repo)
        remove_grace_and_billing(repo)
        code, out, err = idc_in(repo, "apply", "--auto-approve")
        assert code == 0, out + err
        assert "Plan: 4 to add, 2 to change, 5 to destroy." in out
        code, _, err = idc_in(repo, "snapshot", "-m", "B", "--tag", "B")
        assert code == 0, err
    # Outside the context: these variables must not leak into other modules
    # (each test gets its own from the autouse fixture in tests/conftest.py).
    yield repo
