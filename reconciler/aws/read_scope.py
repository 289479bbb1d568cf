"""The few reads `idc assign` / `idc revoke` need, never a full snapshot.

Granting one permission set to one principal across accounts needs:

    organizations:  the OU walk (ids, names, status, OU paths); tags only
                    when the selector filters on them (one call per account)
    identitystore:  GetUserId / GetGroupId by unique attribute (1-2 calls)
    sso-admin:      ListInstances, ListPermissionSets + DescribePermissionSet
                    each (AWS has no lookup by name), the accounts the
                    permission set is provisioned to, and ListAccountAssignments
                    in the selected accounts among those only

An assignment exists only where its permission set is provisioned, so the
accounts the permission set is not provisioned to hold none and are not
asked. Users and groups are listed only to suggest a name after a miss.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from reconciler.aws.clients import AwsSession
from reconciler.aws.errors import is_not_found
from reconciler.aws.instance import find_instance
from reconciler.aws.paging import call, list_all
from reconciler.aws.read_accounts import OrgTree, account_status, read_accounts, walk_organization
from reconciler.aws.read_assignments import list_pair_assignments
from reconciler.aws.read_context import Progress, ReadAbandoned, ReadContext
from reconciler.aws.read_permission_sets import list_permission_set_arns, read_permission_set_names
from reconciler.errors import AwsError, IdcError
from reconciler.model import Account, Assignment, OrgUnit, PrincipalType

PRINCIPAL_TYPES: tuple[PrincipalType, ...] = ("USER", "GROUP")  # asked in this order
# identitystore unique attribute per principal type, and the id field returned.
_UNIQUE = {
    "USER": ("GetUserId", "userName", "UserId"),
    "GROUP": ("GetGroupId", "displayName", "GroupId"),
}


@dataclass(frozen=True)
class Principal:
    type: PrincipalType
    name: str  # user name or group display name
    id: str


@dataclass(frozen=True)
class Scope:
    """What the command reads before choosing accounts."""

    instance_arn: str
    identity_store_id: str
    management_account_id: str
    accounts: tuple[Account, ...]
    org_units: tuple[OrgUnit, ...]
    principal: Principal
    permission_set: str
    permission_set_arn: str
    permission_set_arns: Mapping[str, str]  # every permission set: name -> ARN
    provisioned: frozenset[str]  # accounts the permission set is provisioned to


def read_scope(
    session: AwsSession,
    *,
    instance: str,
    permission_set: str,
    principal: str,
    principal_type: str | None,
    tags: bool,
    progress: Progress | None = None,
) -> Scope:
    """Organization, principal, permission set and where it is provisioned,
    read side by side (each API family has its own rate limit)."""
    ctx = ReadContext(session, progress)
    try:
        found = find_instance(ctx.client("sso-admin"), instance)
        ctx.instance_arn, ctx.identity_store_id = found.arn, found.identity_store_id
        with ThreadPoolExecutor(3, "idc-scope") as pool:
            org_f = pool.submit(ctx.run_phase, _organization, ctx, tags)
            who_f = pool.submit(ctx.run_phase, find_principal, ctx, principal, principal_type)
            ps_f = pool.submit(ctx.run_phase, _permission_set, ctx, permission_set)
            try:
                (tree, accounts), who = org_f.result(), who_f.result()
                arn, arns, provisioned = ps_f.result()
            except ReadAbandoned:
                raise ctx.failure or RuntimeError("read abandoned") from None
    finally:
        ctx.close()
    return Scope(
        instance_arn=found.arn,
        identity_store_id=found.identity_store_id,
        management_account_id=tree.management_account_id,
        accounts=tuple(accounts),
        org_units=tree.org_units,
        principal=who,
        permission_set=permission_set,
        permission_set_arn=arn,
        permission_set_arns=arns,
        provisioned=provisioned,
    )


def _organization(ctx: ReadContext, tags: bool) -> tuple[OrgTree, list[Account]]:
    tree = walk_organization(ctx)
    if tags:
        return tree, read_accounts(ctx, tree)
    return tree, [
        Account(
            id=raw["Id"],
            name=raw.get("Name", ""),
            status=account_status(raw),
            ou_path=raw["OuPath"],
        )
        for raw in tree.raw_accounts
    ]


def find_principal(ctx: ReadContext, name: str, principal_type: PrincipalType | None) -> Principal:
    """The user or group called `name`, looked up directly by its unique
    attribute; both types are asked when `principal_type` is None, and a
    name that is both a user and a group is an error naming both."""
    types: tuple[PrincipalType, ...] = (principal_type,) if principal_type else PRINCIPAL_TYPES
    found = [
        Principal(kind, name, pid)
        for kind in types
        if (pid := _unique_id(ctx, kind, name)) is not None
    ]
    if len(found) > 1:
        raise IdcError(
            f"{name!r} is both a user and a group; say which with --principal-type USER "
            "or --principal-type GROUP"
        )
    if found:
        return found[0]
    what = " or ".join(f"{t.lower()}" for t in types)
    close = difflib.get_close_matches(name, _names(ctx, types), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else ""
    raise IdcError(f"no {what} named {name!r} in the identity store{hint}")


def _unique_id(ctx: ReadContext, kind: str, name: str) -> str | None:
    operation, path, key = _UNIQUE[kind]
    try:
        result = call(
            ctx.client("identitystore"),
            operation,
            f"{kind.lower()} {name}",
            IdentityStoreId=ctx.identity_store_id,
            AlternateIdentifier={
                "UniqueAttribute": {"AttributePath": path, "AttributeValue": name}
            },
        )
    except AwsError as exc:
        if is_not_found(exc):
            return None
        raise
    return str(result[key])


def _names(ctx: ReadContext, types: Collection[str]) -> list[str]:
    """Every user and group name of `types`: only after a miss, for did-you-mean."""
    store, sid = ctx.client("identitystore"), ctx.identity_store_id
    names: list[str] = []
    if "USER" in types:
        users = list_all(store, "ListUsers", "Users", f"identity store {sid}", IdentityStoreId=sid)
        names += [u["UserName"] for u in users]
    if "GROUP" in types:
        groups = list_all(
            store, "ListGroups", "Groups", f"identity store {sid}", IdentityStoreId=sid
        )
        names += [g["DisplayName"] for g in groups if g.get("DisplayName")]
    return names


def _permission_set(ctx: ReadContext, name: str) -> tuple[str, dict[str, str], frozenset[str]]:
    """The permission set's ARN, every name -> ARN, and the accounts it is
    provisioned to; an unknown name is an error with the closest name."""
    names = read_permission_set_names(ctx, list_permission_set_arns(ctx))
    arns = {ps: arn for arn, ps in names.items()}
    arn = arns.get(name)
    if arn is None:
        close = difflib.get_close_matches(name, list(arns), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise IdcError(f"no permission set named {name!r}{hint}")
    provisioned = list_all(
        ctx.client("sso-admin"),
        "ListAccountsForProvisionedPermissionSet",
        "AccountIds",
        f"accounts {name} is provisioned to",
        InstanceArn=ctx.instance_arn,
        PermissionSetArn=arn,
    )
    return arn, arns, frozenset(provisioned)


def read_held(
    session: AwsSession,
    scope: Scope,
    accounts: Collection[str],
    progress: Progress | None = None,
) -> set[Assignment]:
    """The principal's assignments of the permission set in `accounts`: one
    ListAccountAssignments per account it is provisioned to (none elsewhere)."""
    asked = sorted(set(accounts) & scope.provisioned)
    who = scope.principal
    ctx = ReadContext(session, progress)
    ctx.instance_arn, ctx.identity_store_id = scope.instance_arn, scope.identity_store_id

    def held_in(account: str) -> Assignment | None:
        items = list_pair_assignments(
            ctx.client("sso-admin"),
            scope.instance_arn,
            scope.permission_set_arn,
            account,
            scope.permission_set,
        )
        hit = any(
            i["PrincipalType"] == who.type and i["PrincipalId"] == who.id for i in items or ()
        )
        return Assignment(scope.permission_set, who.type, who.name, account) if hit else None

    try:
        return set(ctx.fan_out("sso-admin", "assignments", held_in, asked))
    finally:
        ctx.close()
