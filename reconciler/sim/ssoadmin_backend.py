"""sso-admin state with the behaviour moto 5.2.1 lacks (AWS-NOTES 3, 4 and 6.1).

Subclasses moto's backend so moto keeps managing its lifetime (reset, one per
account and region) and its AWS-managed policy catalogue, and replaces the
list-based assignment store with indexed dicts: snapshots of 50,000
assignments must not scan a list per call. Asynchronous operations become
status records whose effect is applied when they succeed (`settle`).
"""

from __future__ import annotations

import hashlib
import importlib
import json
from typing import Any

from moto.core.utils import unix_time
from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.moto_api._internal import mock_random as random
from moto.organizations.models import organizations_backends
from moto.ssoadmin.models import ManagedPolicy, PermissionSet, SSOAdminBackend

from reconciler.sim import validation as check
from reconciler.sim.awserrors import conflict, not_found, quota, validation
from reconciler.sim.runtime import RUNTIME

DEMO_INSTANCE_ARN = "arn:aws:sso:::instance/ssoins-6804a1b2c3d4e5f6"
DEMO_IDENTITY_STORE_ID = "d-9067a1b2c3"
DEMO_ACCOUNT, DEMO_REGION = "123456789012", "eu-west-1"
MAX_OUTSTANDING_CREATES = 15
MAX_GROUPS_PER_PS_ACCOUNT = 100  # AWS-NOTES 1.1: not adjustable

AKey = tuple[str, str, str, str]


class SimPermissionSet(PermissionSet):
    """moto's permission set plus what AWS also keeps: a permissions boundary
    and a version that tells provisioned accounts whether they are current."""

    boundary: dict[str, Any] | None = None
    version: int = 1  # (permission set ARN, account, principal type, principal id)


def instance_ids(account_id: str, region: str) -> tuple[str, str]:
    """Fixed ids: the demo's for the demo account and region, else derived."""
    if (account_id, region) == (DEMO_ACCOUNT, DEMO_REGION):
        return DEMO_INSTANCE_ARN, DEMO_IDENTITY_STORE_ID
    digest = hashlib.sha256(f"{account_id}/{region}".encode()).hexdigest()
    return f"arn:aws:sso:::instance/ssoins-{digest[:16]}", f"d-{digest[16:26]}"


class SimSSOAdminBackend(SSOAdminBackend):
    @property
    def _url_module(self) -> Any:
        """moto finds a backend's URL table next to its class; ours is moto's."""
        return importlib.import_module("moto.ssoadmin.urls")

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        instance = self.instances[0]
        instance.instance_arn, instance.identity_store_id = instance_ids(account_id, region_name)
        instance.created_date = 1577836800.0
        self.ps_by_arn: dict[str, SimPermissionSet] = {}
        self.assignments: dict[AKey, float] = {}
        self.by_ps_account: dict[tuple[str, str], dict[AKey, None]] = {}
        self.by_principal: dict[tuple[str, str], dict[AKey, None]] = {}
        self.provisioned: dict[str, dict[str, int]] = {}  # PS ARN -> account -> version
        self.statuses: dict[str, dict[str, dict[str, Any]]] = {
            "create": {},
            "delete": {},
            "provision": {},
        }
        self.pending: list[tuple[float, str, str, Any]] = []  # (due, kind, request id, payload)
        self.last_write: dict[str, float] = {}

    # --- instance and lookups ------------------------------------------------

    @property
    def instance(self) -> Any:
        return self.instances[0]

    def check_instance(self, instance_arn: str | None) -> None:
        if instance_arn != self.instance.instance_arn:
            check.check_text("instanceArn", instance_arn, 10, 1224, None)
            raise not_found(f"Could not find Instance with arn {instance_arn}")

    def _find_permission_set(self, instance_arn: Any, permission_set_arn: Any) -> SimPermissionSet:
        self.check_instance(instance_arn)
        ps = self.ps_by_arn.get(permission_set_arn)
        if ps is None:
            ps_id = str(permission_set_arn).split("/")[-1]
            raise not_found(f"Could not find PermissionSet with id {ps_id}")
        return ps

    def _find_managed_policy(self, managed_policy_arn: str) -> ManagedPolicy:
        """moto reads the catalogue's `path` key but the data says `Path`, so it
        rejects every AWS managed policy outside `/` (job-function/...)."""
        if self.aws_managed_policies is None:
            self.aws_managed_policies = json.loads(aws_managed_policies_data)
        name = managed_policy_arn.split("/")[-1]
        policy = self.aws_managed_policies.get(name)
        if policy is not None:
            path = policy.get("Path", "/")
            if managed_policy_arn == f"arn:{self.partition}:iam::aws:policy{path}{name}":
                return ManagedPolicy(managed_policy_arn, name)
        raise not_found(f"Policy does not exist with ARN: {managed_policy_arn}")

    def find_by_arn(self, permission_set_arn: Any) -> SimPermissionSet:
        return self._find_permission_set(self.instance.instance_arn, permission_set_arn)

    def new_permission_set_arn(self) -> str:
        instance_id = self.instance.instance_arn.split("/")[-1]
        return f"arn:aws:sso:::permissionSet/{instance_id}/ps-{random.get_random_hex(16)}"

    # --- permission sets -----------------------------------------------------

    def create_permission_set(
        self, name, description, instance_arn, session_duration, relay_state, tags
    ):
        self.check_instance(instance_arn)
        if any(ps.name == name for ps in self.ps_by_arn.values()):
            raise conflict(f"PermissionSet with name {name} already exists.")
        if len(self.ps_by_arn) >= 3500:
            raise quota("You have exceeded AWS SSO limits: 3500 permission sets per instance.")
        ps = SimPermissionSet(
            name,
            description,
            instance_arn,
            session_duration or "PT1H",
            relay_state,
            list(tags or []),
        )
        ps.permission_set_arn = self.new_permission_set_arn()
        ps.boundary = None
        ps.version = 1
        self.ps_by_arn[ps.permission_set_arn] = ps
        self.permission_sets.append(ps)
        return permission_set_json(ps)

    def touch(self, ps: SimPermissionSet) -> None:
        """Record a change: every account it is provisioned to becomes stale."""
        self.guard(ps)
        self.bump(ps)

    def bump(self, ps: SimPermissionSet) -> None:
        self.last_write[ps.permission_set_arn] = RUNTIME.now()
        ps.version = ps.version + 1

    def guard(self, ps: SimPermissionSet) -> None:
        """With realism.conflicts, refuse a write while another is propagating."""
        realism = RUNTIME.realism
        now = RUNTIME.now()
        if realism.conflicts:
            busy = any(
                kind == "provision" and payload[0] == ps.permission_set_arn
                for _, kind, _, payload in self.pending
            )
            recent = now - self.last_write.get(ps.permission_set_arn, 0.0) < realism.conflict_window
            if busy or recent:
                raise conflict(
                    "The request failed because another request to modify the permission set "
                    f"{ps.permission_set_arn.split('/')[-1]} is in progress. Retry with backoff."
                )

    def update_permission_set(self, instance_arn, permission_set_arn, **changes):  # type: ignore[override]
        ps = self._find_permission_set(instance_arn, permission_set_arn)
        self.touch(ps)
        for attr, value in changes.items():
            if value is not None:
                setattr(ps, attr, value)
        return permission_set_json(ps)

    def delete_permission_set(self, instance_arn, permission_set_arn):
        ps = self._find_permission_set(instance_arn, permission_set_arn)
        assigned = any(
            (permission_set_arn, account) in self.by_ps_account
            for account in self.provisioned.get(permission_set_arn, {})
        )
        changing = any(p[3][0] == permission_set_arn for p in self.pending)
        if assigned or changing:
            raise conflict(
                "Could not delete because PermissionSet is still assigned in, or being "
                "de-provisioned from, one or more accounts. Delete the account assignments, "
                "wait for them to complete, and retry."
            )
        self.touch(ps)
        del self.ps_by_arn[permission_set_arn]
        self.permission_sets.remove(ps)
        self.provisioned.pop(permission_set_arn, None)
        return permission_set_json(ps)

    def put_boundary(self, ps: SimPermissionSet, boundary: Any) -> None:
        check.check_boundary(boundary)
        self.touch(ps)
        if boundary.get("CustomerManagedPolicyReference"):
            ref = dict(boundary["CustomerManagedPolicyReference"])
            ref.setdefault("Path", "/")
            ps.boundary = {"CustomerManagedPolicyReference": ref}
        else:
            ps.boundary = {"ManagedPolicyArn": boundary["ManagedPolicyArn"]}

    def get_boundary(self, ps: SimPermissionSet) -> dict[str, Any]:
        if ps.boundary is None:
            raise not_found(
                "Could not find PermissionsBoundary for PermissionSet "
                + ps.permission_set_arn.split("/")[-1]
            )
        return dict(ps.boundary)

    def delete_boundary(self, ps: SimPermissionSet) -> None:
        self.get_boundary(ps)
        self.touch(ps)
        ps.boundary = None

    # --- tags ----------------------------------------------------------------

    def tag(self, ps: SimPermissionSet, tags: list[dict[str, str]]) -> None:
        check.check_tags(tags)
        merged = {t["Key"]: t.get("Value", "") for t in ps.tags or []}
        merged.update({t["Key"]: t.get("Value", "") for t in tags})
        if len(merged) > check.MAX_TAGS:
            raise quota(
                f"Tag limit exceeded: a permission set can have at most {check.MAX_TAGS} tags."
            )
        ps.tags = [{"Key": k, "Value": v} for k, v in merged.items()]

    def untag(self, ps: SimPermissionSet, keys: list[str]) -> None:
        ps.tags = [t for t in ps.tags or [] if t["Key"] not in set(keys)]

    # --- assignments ---------------------------------------------------------

    def add_assignment(self, key: AKey, created: float | None = None) -> None:
        """Record an assignment (idempotent) and provision its permission set."""
        if key in self.assignments:
            return
        self.assignments[key] = created if created is not None else unix_time()
        self.by_ps_account.setdefault((key[0], key[1]), {})[key] = None
        self.by_principal.setdefault((key[2], key[3]), {})[key] = None
        ps = self.ps_by_arn[key[0]]
        self.provisioned.setdefault(key[0], {})[key[1]] = ps.version

    def remove_assignment(self, key: AKey) -> None:
        """Drop an assignment; the last one of a PS in an account de-provisions it."""
        if self.assignments.pop(key, None) is None:
            return
        bucket = self.by_ps_account.get((key[0], key[1]), {})
        bucket.pop(key, None)
        self.by_principal.get((key[2], key[3]), {}).pop(key, None)
        if not bucket:
            self.by_ps_account.pop((key[0], key[1]), None)
            self.provisioned.get(key[0], {}).pop(key[1], None)
            if not self.provisioned.get(key[0], True):
                self.provisioned.pop(key[0], None)

    def start(
        self, kind: str, record: dict[str, Any], payload: Any, failure: str | None = None
    ) -> dict[str, Any]:
        """Create a status record: SUCCEEDED at once, or IN_PROGRESS until due;
        FAILED with `failure` (or a fault rule's reason) instead of succeeding."""
        request_id = str(random.uuid4())
        record = {
            "Status": "IN_PROGRESS",
            "RequestId": request_id,
            **record,
            "CreatedDate": unix_time(),
        }
        self.statuses[kind][request_id] = record
        failure = RUNTIME.take_async_failure() or failure
        delay = RUNTIME.realism.async_delay
        if failure is not None:
            payload = ("__fail__", failure)
        if delay > 0:
            self.pending.append((RUNTIME.now() + delay, kind, request_id, payload))
        else:
            self.finish(kind, request_id, payload)
        return dict(record)

    def settle(self) -> None:
        """Complete every asynchronous operation whose time has come."""
        if not self.pending:
            return
        now = RUNTIME.now()
        due = [p for p in self.pending if p[0] <= now]
        if due:
            self.pending = [p for p in self.pending if p[0] > now]
            for _, kind, request_id, payload in due:
                self.finish(kind, request_id, payload)

    def finish(self, kind: str, request_id: str, payload: Any) -> None:
        record = self.statuses[kind][request_id]
        if isinstance(payload, tuple) and payload and payload[0] == "__fail__":
            record["Status"], record["FailureReason"] = "FAILED", payload[1]
            return
        try:
            if kind == "create":
                self.add_assignment(payload)
            elif kind == "delete":
                self.remove_assignment(payload)
            elif not self.reprovision(payload):
                record["Status"] = "FAILED"
                record["FailureReason"] = "Received a 404 status error: Assignment not found."
                return
        except KeyError:
            record["Status"] = "FAILED"
            record["FailureReason"] = "Received a 404 status error: Permission set not found."
            return
        record["Status"] = "SUCCEEDED"

    def reprovision(self, payload: Any) -> bool:
        """Bring the accounts of a provisioning request up to date; False when
        ALL_PROVISIONED_ACCOUNTS named an account de-provisioned meanwhile
        (its last assignment deleted), which AWS fails with "Assignment not
        found" (AWS-NOTES 3, TF-35158). The other accounts are updated."""
        ps_arn, accounts, *rest = payload
        every = bool(rest and rest[0])
        ps = self.ps_by_arn[ps_arn]
        current = self.provisioned.get(ps_arn, {})
        gone = [a for a in accounts if every and a not in current]
        for account in accounts:
            if account not in gone:
                self.provisioned.setdefault(ps_arn, {})[account] = ps.version
        return not gone

    def in_flight(self, kind: str) -> int:
        return sum(1 for p in self.pending if p[1] == kind)

    def check_target_account(self, account_id: str) -> str | None:
        """Refuse an account outside the instance's organization, synchronously;
        for a member account that is not ACTIVE, the FailureReason its
        asynchronous request will end with.

        Outside the organization: AWS documents no error and no public report
        shows one, so both the synchronous refusal and its ValidationException
        text are our best guess (unverified); the other option, IN_PROGRESS
        then FAILED, is what AWS is seen doing for failures *inside* a member
        account. Suspended or closed member: provisioning was seen to end
        FAILED with this reason (aws-samples/aws-identitycenter-codepipeline-
        auto-assignment issue 31). A simulator built without an organization
        (tests of one service) has nothing to check against."""
        org: Any = organizations_backends[self.account_id][self.partition]
        if org.org is None:
            return None
        account = next((a for a in org.accounts if a.id == account_id), None)
        if account is None:
            raise validation(
                f"The request failed because the AWS account {account_id} is not a member "
                "of the organization that this IAM Identity Center instance belongs to."
            )
        if getattr(account, "state", "ACTIVE") == "ACTIVE":
            return None
        return (
            "AWS SSO is unable to complete your request at this time. Obtaining permissions "
            f"to manage your AWS account '{account_id}' takes longer than usual. Please try "
            "again in a few minutes. If this problem continues, contact AWS Support."
        )

    def check_group_quota(self, key: AKey) -> None:
        """At most 100 groups per permission set in one account, queued ones included."""
        if key[2] != "GROUP" or key in self.assignments:
            return
        settled = self.by_ps_account.get((key[0], key[1]), {})
        queued = {p[3] for p in self.pending if p[1] == "create" and p[3][:2] == key[:2]}
        groups = {k for k in settled if k[2] == "GROUP"} | {k for k in queued if k[2] == "GROUP"}
        if len(groups - {key}) >= MAX_GROUPS_PER_PS_ACCOUNT:
            raise quota(
                f"You have exceeded the limit of {MAX_GROUPS_PER_PS_ACCOUNT} groups assigned "
                "to one permission set in one AWS account."
            )

    def create_assignment(self, params: dict[str, Any], principal_exists: bool) -> dict[str, Any]:
        key = self.assignment_key(params)
        unreachable = self.check_target_account(key[1])
        if not principal_exists:
            raise not_found(f"Could not find {params['PrincipalType'].lower()} with id {key[3]}")
        self.check_group_quota(key)
        if self.in_flight("create") >= MAX_OUTSTANDING_CREATES:
            raise quota(
                "You have exceeded the limit of 15 outstanding CreateAccountAssignment requests."
            )
        return self.start("create", self.status_fields(params), key, unreachable)

    def delete_assignment(self, params: dict[str, Any]) -> dict[str, Any]:
        key = self.assignment_key(params)
        if key not in self.assignments:
            raise not_found(
                "Could not find AccountAssignment for the given principal, permission set "
                "and account"
            )
        return self.start("delete", self.status_fields(params), key)

    def assignment_key(self, params: dict[str, Any]) -> AKey:
        self.check_instance(params.get("InstanceArn"))
        check.check_account_id("targetId", params.get("TargetId"))
        if params.get("TargetType") != "AWS_ACCOUNT":
            raise validation("TargetType must be AWS_ACCOUNT")
        check.check_principal(params.get("PrincipalType"), params.get("PrincipalId"))
        self.find_by_arn(params.get("PermissionSetArn", ""))
        return (
            params["PermissionSetArn"],
            params["TargetId"],
            params["PrincipalType"],
            params["PrincipalId"],
        )

    @staticmethod
    def status_fields(params: dict[str, Any]) -> dict[str, Any]:
        names = ("TargetId", "TargetType", "PermissionSetArn", "PrincipalType", "PrincipalId")
        return {n: params[n] for n in names}

    def provision(self, params: dict[str, Any]) -> dict[str, Any]:
        ps = self._find_permission_set(params.get("InstanceArn"), params.get("PermissionSetArn"))
        target_type = params.get("TargetType")
        unreachable = None
        if target_type == "AWS_ACCOUNT":
            check.check_account_id("targetId", params.get("TargetId"))
            unreachable = self.check_target_account(params["TargetId"])
            accounts = [params["TargetId"]]
        elif target_type == "ALL_PROVISIONED_ACCOUNTS":
            accounts = sorted(self.provisioned.get(ps.permission_set_arn, {}))
            self.check_all_provisioned(len(accounts))
        else:
            raise validation("TargetType must be AWS_ACCOUNT or ALL_PROVISIONED_ACCOUNTS")
        if RUNTIME.realism.conflicts and any(
            kind == "provision" and payload[0] == ps.permission_set_arn
            for _, kind, _, payload in self.pending
        ):
            raise conflict(
                "A provisioning operation for this permission set is already in progress."
            )
        if self.in_flight("provision") >= 3:
            raise conflict(
                "Too many concurrent ProvisionPermissionSet calls (at most 3). Retry later."
            )
        record: dict[str, Any] = {"PermissionSetArn": ps.permission_set_arn}
        if target_type == "AWS_ACCOUNT":
            record["AccountId"] = params["TargetId"]
        every = target_type == "ALL_PROVISIONED_ACCOUNTS"
        payload = (ps.permission_set_arn, accounts, every)
        return self.start("provision", record, payload, unreachable)

    @staticmethod
    def check_all_provisioned(count: int) -> None:
        """ALL_PROVISIONED_ACCOUNTS reaches at most 3500 accounts; beyond that
        AWS says to provision each account with AWS_ACCOUNT (AWS-NOTES 1.1,
        the quotas page's throttle table). AWS documents neither the error nor
        its text: ValidationException is the only error of ProvisionPermissionSet's
        model that fits a request the service will not carry out, and refusing
        synchronously (nothing provisioned) is our best guess (unverified)."""
        limit = RUNTIME.realism.all_provisioned_max
        if count > limit:
            raise validation(
                f"The permission set is provisioned to {count} AWS accounts; "
                f"TargetType ALL_PROVISIONED_ACCOUNTS supports at most {limit}. "
                "Provision each account with TargetType AWS_ACCOUNT."
            )

    def is_current(self, ps_arn: str, account: str) -> bool:
        ps = self.ps_by_arn.get(ps_arn)
        return ps is not None and self.provisioned.get(ps_arn, {}).get(account) == getattr(
            ps, "version", 1
        )


def permission_set_json(ps: SimPermissionSet) -> dict[str, Any]:
    out = {
        "Name": ps.name,
        "PermissionSetArn": ps.permission_set_arn,
        "Description": ps.description,
        "CreatedDate": ps.created_date,
        "SessionDuration": ps.session_duration,
        "RelayState": ps.relay_state,
    }
    return {k: v for k, v in out.items() if v is not None}
