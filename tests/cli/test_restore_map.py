"""`idc restore --map FILE`: the demo organization's backup restored into a
fresh, empty simulator whose accounts have other ids; the target's state
read back equals the backup under the map, record for record, field by
field. And a bad map file is a located error before AWS is touched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.aws.clients import AwsSession
from reconciler.aws.ratelimit import RateLimits
from reconciler.aws.reader import read_state
from reconciler.sim import Simulator
from reconciler.sim.seed import seed_organization
from reconciler.store.history import History
from reconciler.store.mapping import RestoreMap, map_state
from reconciler.store.restore import verify_restored
from tests.cli.test_restore import repo
from tests.conftest import run_idc

__all__ = ["repo"]


@pytest.fixture
def target() -> Iterator[Simulator]:
    with Simulator() as sim:
        yield sim


def test_the_demo_backup_restores_into_an_organization_with_other_ids(
    repo: Path, target: Simulator
) -> None:
    a = History(repo).snapshot("A").read()[0]
    ids = {i: "9" + i[1:] for i in a.accounts if i != target.account_id}
    assert len(set(ids.values()) | set(a.accounts)) == len(ids) + len(a.accounts)
    amap = RestoreMap(accounts=ids)
    backup = map_state(a, amap)
    seed_organization(target, backup)  # the target's organization, empty Identity Center
    lines = ["accounts:"] + [f'  "{k}": "{v}"' for k, v in sorted(ids.items())]
    (repo / "map.yaml").write_text("\n".join(lines) + "\n")

    result = run_idc(
        "--repo", str(repo), "restore", "A", "--map", str(repo / "map.yaml"), "--auto-approve"
    )
    assert result.exit_code == 0, result.output
    assert "Apply complete" in result.stderr
    session = AwsSession(
        limits=RateLimits(sso_admin_tps=None, identitystore_tps=None, organizations=False)
    )
    restored = read_state(session)
    verdict = verify_restored(backup, restored)
    assert verdict.restorable, verdict.summary()
    assert verdict.counts["assignments"] == len(a.assignments) == 39
    assert {x.account for x in restored.assignments} <= set(ids.values()) | {target.account_id}


def test_an_unmapped_missing_account_is_a_compatibility_error(
    repo: Path, target: Simulator
) -> None:
    a = History(repo).snapshot("A").read()[0]
    ids = {i: "9" + i[1:] for i in a.accounts if i != target.account_id}
    seed_organization(target, map_state(a, RestoreMap(accounts=ids)))
    first, *rest = sorted(ids)
    lines = ["accounts:"] + [f'  "{k}": "{ids[k]}"' for k in rest]
    (repo / "map.yaml").write_text("\n".join(lines) + "\n")
    result = run_idc(
        "--repo", str(repo), "restore", "A", "--map", str(repo / "map.yaml"), "--check"
    )
    assert result.exit_code == 1
    assert f"account {first} is not in the target organization" in result.stderr
    assert f"(mapped from {rest[0]})" not in result.stderr  # mapped ones are fine


def test_a_bad_map_file_is_located_and_touches_nothing(repo: Path) -> None:
    (repo / "map.yaml").write_text(
        'accounts:\n  "111111111111": "22222"\n  "333": "444444444444"\nregions: {}\n'
    )
    result = run_idc(
        "--repo", str(repo), "--sim", "restore", "A", "--map", str(repo / "map.yaml"), "--dry-run"
    )
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert "map.yaml:2:" in result.stderr and "map.yaml:4:1" in result.stderr
    assert "regions" in result.stderr and "Plan:" not in result.stdout
    assert "333" in result.stderr
