"""Can the target hold the backup? Checked before a restore's first write.

A restore that fails half-way (an assignment on a closed account, the
eleventh managed policy of a permission set) leaves a half-restored
organization to roll back; everything that can be known from the backup and
one read of the target is checked first, and every problem is reported
together, so one run names all there is to fix. `idc restore REV --check`
runs only this.

Checked, for the kinds restored:
- every account an assignment names exists in the target organization and
  is ACTIVE (after `--map`, under its target id);
- every AWS managed policy a restored permission set attaches (or uses as
  its permissions boundary) exists; the caller asks IAM which of
  `managed_policy_arns(backup)` are missing;
- quotas: permission sets per instance, managed policies per permission set,
  inline policy size;
- with users or groups not managed (SCIM), every user and group a restored
  membership or assignment names exists in the target.
Pure: the caller reads the target (and asks IAM about the policies).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from reconciler.desired.semantic import MAX_INLINE_POLICY_CHARS
from reconciler.desired.settings import Settings
from reconciler.errors import IdcError
from reconciler.model import State

# Identity Center quotas (not adjustable on the Identity Center side).
MAX_PERMISSION_SETS = 3500  # per instance
MAX_MANAGED_POLICIES = 20  # AWS + customer managed per permission set (IAM role quota raised)
SHOWN = 10  # problems named per kind of problem; the rest are counted


class Incompatible(IdcError):
    """Every reason the target cannot hold the backup, one per line (the CLI
    prints each); raised before anything is touched."""

    def __init__(self, label: str, problems: Iterable[str]) -> None:
        self.label = label
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))

    def headline(self) -> str:
        return (
            f"the target cannot hold {self.label}: {len(self.problems)} problem(s), "
            "nothing was changed"
        )


def check_compatible(
    backup: State,
    target: State,
    kinds: Iterable[str],
    settings: Settings,
    *,
    mapped: Mapping[str, str] | None = None,
    missing_policies: Collection[str] = (),
) -> list[str]:
    """Every problem restoring `kinds` of `backup` (already under the account
    map; `mapped` is target id -> backup id, for messages) into `target`;
    `missing_policies`: the AWS managed policy ARNs IAM does not know."""
    kinds = tuple(kinds)
    mapped = mapped or {}
    problems: list[str] = []
    if "assignments" in kinds:
        problems.extend(_accounts(backup, target, mapped))
    if "permission_sets" in kinds:
        problems.extend(missing_policy_problems(backup, missing_policies))
        problems.extend(_quotas(backup, target))
    if "memberships" in kinds or "assignments" in kinds:
        problems.extend(_scim_principals(backup, target, kinds, settings))
    return problems


def managed_policy_arns(backup: State) -> set[str]:
    """Every managed policy ARN the backup's permission sets attach or use as
    a permissions boundary (AWS and customer managed alike; the caller keeps
    the AWS ones)."""
    arns: set[str] = set()
    for ps in backup.permission_sets.values():
        arns.update(ps.managed_policies)
        boundary = ps.permissions_boundary
        if boundary is not None and boundary.managed_policy_arn:
            arns.add(boundary.managed_policy_arn)
    return arns


def missing_policy_problems(backup: State, missing: Collection[str]) -> list[str]:
    """One problem per AWS managed policy in `missing` that a permission set
    of `backup` attaches or uses as its boundary, naming them."""
    users: dict[str, list[str]] = {arn: [] for arn in missing}
    for name, ps in sorted(backup.permission_sets.items()):
        boundary = ps.permissions_boundary
        named = set(ps.managed_policies)
        if boundary is not None and boundary.managed_policy_arn:
            named.add(boundary.managed_policy_arn)
        for arn in named & users.keys():
            users[arn].append(name)
    return [
        f"AWS managed policy {arn} does not exist; permission set(s) {', '.join(names)} attach it"
        for arn, names in sorted(users.items())
        if names
    ]


def _accounts(backup: State, target: State, mapped: Mapping[str, str]) -> list[str]:
    out: list[str] = []
    used: dict[str, int] = {}
    for a in backup.assignments:
        used[a.account] = used.get(a.account, 0) + 1
    for account in sorted(used):
        was = f" (mapped from {mapped[account]})" if account in mapped else ""
        found = target.accounts.get(account)
        if found is None:
            out.append(
                f"account {account}{was} is not in the target organization; "
                f"{used[account]} assignment(s) name it"
            )
        elif found.status != "ACTIVE":
            out.append(
                f"account {account}{was} ({found.name}) is {found.status}, not ACTIVE; "
                f"{used[account]} assignment(s) name it"
            )
    return out


def _quotas(backup: State, target: State) -> list[str]:
    out: list[str] = []
    total = len(backup.permission_sets.keys() | target.permission_sets.keys())
    if total > MAX_PERMISSION_SETS:
        out.append(
            f"{total} permission sets (the backup's and the target's) exceed the quota of "
            f"{MAX_PERMISSION_SETS} per instance"
        )
    for name, ps in sorted(backup.permission_sets.items()):
        policies = len(ps.managed_policies) + len(ps.customer_managed_policies)
        if policies > MAX_MANAGED_POLICIES:
            out.append(
                f"permission set {name} attaches {policies} managed policies; at most "
                f"{MAX_MANAGED_POLICIES} fit one permission set"
            )
        size = len(ps.inline_policy or "")
        if size > MAX_INLINE_POLICY_CHARS:
            out.append(
                f"permission set {name}: its inline policy has {size} characters; "
                f"at most {MAX_INLINE_POLICY_CHARS} fit"
            )
    return out


def _scim_principals(
    backup: State, target: State, kinds: tuple[str, ...], settings: Settings
) -> list[str]:
    """Users and groups idc does not manage must already be in the target."""
    wanted: dict[str, set[str]] = {"user": set(), "group": set()}
    if "memberships" in kinds:
        for m in backup.memberships:
            wanted["user"].add(m.user)
            wanted["group"].add(m.group)
    if "assignments" in kinds:
        for a in backup.assignments:
            wanted["user" if a.principal_type == "USER" else "group"].add(a.principal)
    out: list[str] = []
    for kind, names in wanted.items():
        if kind in settings.manage:
            continue
        pool = target.users if kind == "user" else target.groups
        missing = sorted(names - pool.keys())
        if missing:
            shown = ", ".join(missing[:SHOWN])
            more = f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
            out.append(
                f"{len(missing)} {kind}(s) the backup refers to are not in the target's "
                f"identity store, and manage.{kind}s is false (your IdP provisions them): "
                f"{shown}{more}"
            )
    return out
