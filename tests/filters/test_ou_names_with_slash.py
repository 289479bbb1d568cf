"""OU names may hold `/` (Organizations allows any character): paths encode it
as %2F, so a sibling `Prod/Legacy` is never read as inside `Prod`."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from reconciler.desired.filters import FilterReferenceError, Inventory, check, expand
from reconciler.model import State, codec
from reconciler.model.accounts import Account, OrgUnit
from reconciler.sim import Simulator, seed_organization
from reconciler.sim.embedded import embedded_simulator
from reconciler.store.snapshot_files import parse_snapshot, render_data_files
from tests.conftest import IdcRunner

PROD = {"444444444444", "444444444445", "444444444446"}  # the demo's /Root/Prod subtree


def ids_in(text: str) -> set[str]:
    return {line.split()[0] for line in text.splitlines() if line[:12].isdigit()}


def add_legacy_ou(repo: Path) -> str:
    """Give the repository's simulated organization an OU named `Prod/Legacy`
    beside `Prod`, with one account in it, through the Organizations API."""
    with embedded_simulator(repo / ".idc" / "sim"):
        org = boto3.client("organizations", region_name="us-east-1")
        root = org.list_roots()["Roots"][0]["Id"]
        ou = org.create_organizational_unit(ParentId=root, Name="Prod/Legacy")
        created = org.create_account(Email="legacy@example.com", AccountName="legacy-app")
        account = created["CreateAccountStatus"]["AccountId"]
        org.move_account(
            AccountId=account,
            SourceParentId=root,
            DestinationParentId=ou["OrganizationalUnit"]["Id"],
        )
    return str(account)


@pytest.mark.usefixtures("unpaced")  # filters, not timing
def test_an_ou_named_with_a_slash_is_not_inside_its_namesake(
    idc: IdcRunner, tmp_path: Path
) -> None:
    legacy = add_legacy_ou(tmp_path)

    prod = idc("--repo", str(tmp_path), "--sim", "accounts", "--filter", "ou:/Root/Prod")
    assert prod.exit_code == 0, prod.output
    assert ids_in(prod.stdout) == PROD

    exact = idc("--repo", str(tmp_path), "--sim", "accounts", "--filter", "ou:/Root/Prod%2FLegacy")
    assert exact.exit_code == 0, exact.output
    assert ids_in(exact.stdout) == {legacy}
    assert "/Root/Prod%2FLegacy" in exact.stdout

    plain = idc("--repo", str(tmp_path), "--sim", "accounts", "--filter", "ou:/Root/Prod/Legacy")
    assert plain.exit_code == 1
    assert "did you mean /Root/Prod%2FLegacy?" in plain.output
    assert "a '/' inside an OU name is written %2F" in plain.output


def org(*units: tuple[str, str], accounts: dict[str, str]) -> Inventory:
    org_units = [OrgUnit("r-root", "/Root"), *(OrgUnit(i, p) for i, p in units)]
    return Inventory(
        [Account(i, f"acct-{i}", ou_path=p) for i, p in accounts.items()],
        org_units,
    )


CHILD_AND_SIBLING = org(
    ("ou-root-00000001", "/Root/Prod"),
    ("ou-root-00000002", "/Root/Prod/Legacy"),  # Legacy inside Prod
    ("ou-root-00000003", "/Root/Prod%2FLegacy"),  # Prod/Legacy beside Prod
    accounts={
        "111111111111": "/Root/Prod",
        "222222222222": "/Root/Prod/Legacy",
        "333333333333": "/Root/Prod%2FLegacy",
    },
)


def test_child_and_slashed_sibling_are_told_apart() -> None:
    inv = CHILD_AND_SIBLING
    assert expand("ou:/Root/Prod", inv) == {"111111111111", "222222222222"}
    assert expand("ou:/Root/Prod/Legacy", inv) == {"222222222222"}
    assert expand("ou:/Root/Prod%2FLegacy", inv) == {"333333333333"}
    assert expand("ou:/Root/Prod%2fLegacy", inv) == {"333333333333"}  # %2f == %2F
    assert expand("ou:ou-root-00000003", inv) == {"333333333333"}


def test_a_plain_slash_that_could_mean_the_slashed_ou_is_a_warning() -> None:
    issues = check("ou:/Root/Prod/Legacy", CHILD_AND_SIBLING)
    assert [i.message for i in issues] == [
        "ou:/Root/Prod/Legacy selects OU 'Legacy' inside 'Prod', not the OU named "
        "'Prod/Legacy'; for that one write ou:/Root/Prod%2FLegacy "
        "(in an OU path, a '/' inside an OU name is written %2F)"
    ]
    assert check("ou:/Root/Prod%2FLegacy", CHILD_AND_SIBLING) == []


def test_an_unknown_path_suggests_the_encoded_one() -> None:
    inv = org(
        ("ou-root-00000003", "/Root/Prod%2FLegacy"),
        accounts={"333333333333": "/Root/Prod%2FLegacy"},
    )
    hint = r"did you mean /Root/Prod%2FLegacy\? \(in an OU path, a '/' inside an OU name"
    with pytest.raises(FilterReferenceError, match=hint):
        expand("ou:/Root/Prod/Legacy", inv)


def test_a_percent_in_an_ou_name_reads_literally_or_encoded() -> None:
    inv = org(("ou-root-00000004", "/Root/100%25"), accounts={"444444444444": "/Root/100%25"})
    assert expand("ou:/Root/100%", inv) == expand("ou:/Root/100%25", inv) == {"444444444444"}


def test_snapshot_and_restore_keep_the_slashed_ou_whole() -> None:
    state = State.build(
        accounts=[Account("333333333333", "legacy-app", ou_path="/Root/Prod%2FLegacy")],
        org_units=[
            OrgUnit("r-ab12", "/Root"),
            OrgUnit("ou-ab12-prod0001", "/Root/Prod"),
            OrgUnit("ou-ab12-lgcy0001", "/Root/Prod%2FLegacy"),
        ],
    )
    files = render_data_files(state)
    assert b"ou: /Root/Prod%2FLegacy" in files["accounts.yaml"]
    assert parse_snapshot(files).accounts == state.accounts
    # an older file's unencoded % reads as the same OU, written canonically
    old = codec.account_from_doc({"id": "444444444444", "name": "x", "ou": "/Root/100%"})
    assert old.ou_path == "/Root/100%25"

    with Simulator() as sim:
        seed_organization(sim, state)
        client = sim.client("organizations")
        unit = client.describe_organizational_unit(OrganizationalUnitId="ou-ab12-lgcy0001")
        assert unit["OrganizationalUnit"]["Name"] == "Prod/Legacy"
        parents = client.list_parents(ChildId="ou-ab12-lgcy0001")["Parents"]
        assert parents == [{"Id": "r-ab12", "Type": "ROOT"}]
