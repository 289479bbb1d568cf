"""`idc iam-policy snapshot|plan|apply`: the IAM policy each CI role needs.

The workflows assume a different role per job; the plan role runs on every
pull request, so it must not be able to write. This prints, offline and
without credentials, the policy document for one job (reconciler.aws
.iam_policy), ready for `aws iam put-role-policy --policy-document file://...`.
Options add what the role does beyond its job: the S3 apply lock (default:
`lock.s3` of idc.yaml), SNS failure notices (default: the global --notify
when it is an SNS topic), and the IAM rights assigning in the management
account needs.
"""

from __future__ import annotations

import json
import re
from typing import Any

import click

from reconciler.aws.iam_policy import (
    BACKUP_WRITERS,
    JOBS,
    PolicyOptions,
    allowed_actions,
    policy_document,
)
from reconciler.cli.context import AppContext, pass_app
from reconciler.cli.notify import SNS_TOPIC_ARN
from reconciler.desired.settings import SETTINGS_FILE, load_settings

_PARTITION = re.compile(r"^arn:(aws[a-z-]*):")

ABOUT: dict[str, str] = {
    "snapshot": (
        "snapshot (IDC_SNAPSHOT_ROLE_ARN): reads all of Identity Center, the identity "
        "store and the Organizations inventory; read-only."
    ),
    "plan": (
        "plan (IDC_PLAN_ROLE_ARN): the same reads as snapshot, nothing else; it runs on "
        "pull requests, so it can never change Identity Center."
    ),
    "apply": (
        "apply (IDC_APPLY_ROLE_ARN): the plan's reads, the writer's lookups (ids by "
        "name, asynchronous request status) and the writes for users, groups, "
        "memberships, permission sets and assignments; rollback and the post-apply "
        "snapshot use the same role."
    ),
}
NOTES = (
    "Resource is * for sso:, identitystore: and organizations: because the instance "
    "and identity store ids are only known live.",
    "identitystore: actions authorize the Identity Store API; if an SCP or boundary "
    "also restricts sso-directory:, keep both consistent.",
    "sts:GetCallerIdentity (journal caller) needs no permission.",
)


def _options(
    app: AppContext,
    job: str,
    s3_lock: str | None,
    sns_topic: str | None,
    management_account: bool,
    kms_key: str | None = None,
    backups: str | None = None,
) -> PolicyOptions:
    """Explicit options, else what idc.yaml and --notify say the job will use."""
    if job != "apply" and (s3_lock or management_account):
        flag = "--s3-lock" if s3_lock else "--management-account"
        raise click.UsageError(f"{flag} only concerns apply: {job} never writes")
    settings = load_settings(app.repo) if (app.repo / SETTINGS_FILE).is_file() else None
    if s3_lock is None and job == "apply" and settings is not None:
        s3_lock = settings.lock_s3
    configured = settings.encryption_key if settings is not None else None
    if kms_key is None and configured is not None and configured.source == "kms":
        kms_key = configured.ref
    if kms_key is not None and kms_key.startswith("kms:"):
        kms_key = kms_key[len("kms:") :]
    if sns_topic is None and app.notify and app.notify.startswith("arn:"):
        sns_topic = app.notify
    if sns_topic is not None and not SNS_TOPIC_ARN.match(sns_topic):
        raise click.BadParameter(
            f"{sns_topic!r} is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)",
            param_hint="--sns-topic",
        )
    lock = None
    if s3_lock:
        from reconciler.aws.s3_lock import parse_s3_url

        lock = parse_s3_url(s3_lock)
    found = _PARTITION.match(sns_topic or "")
    backup_prefix = None
    if backups:
        from reconciler.aws.s3_objects import parse_s3_prefix

        backup_prefix = parse_s3_prefix(backups)
    return PolicyOptions(
        backups=backup_prefix,
        s3_lock=lock,
        sns_topic=sns_topic,
        management_account=management_account,
        partition=found.group(1) if found else "aws",
        kms_key=kms_key or None,
    )


def explain(job: str, document: dict[str, Any], options: PolicyOptions) -> str:
    """A short text for people: what the role may do and why, then the JSON."""
    actions = allowed_actions(document)
    lines = [ABOUT[job], f"{len(actions)} actions, every one named (no wildcards)."]
    if job == "apply":
        lines.append(
            "RestoreCheckAwsManagedPolicies: iam:GetPolicy on AWS managed policies only "
            "(`idc restore` checks that those a backup attaches exist)."
        )
    if options.s3_lock:
        lines.append(
            f"ApplyLockObject: the apply lock s3://{'/'.join(options.s3_lock)} only "
            "(conditional put, read the holder, delete on release)."
        )
    if options.kms_key:
        lines.append(
            f"EncryptionKey: kms:GenerateDataKey and kms:Decrypt on the KMS key {options.kms_key} "
            "only (encryption.key: envelope encryption of backups and of personal fields)."
        )
    if options.backups:
        bucket, prefix = options.backups
        writes = "read and write (export, prune)" if job in BACKUP_WRITERS else "read only"
        lines.append(
            f"BackupList, BackupObjects: exported backups under s3://{bucket}/{prefix} only, "
            f"{writes}; restore, import and history diff read them."
        )
    if options.sns_topic:
        lines.append(f"NotifyFailures: sns:Publish to {options.sns_topic} only (--notify).")
    if options.management_account:
        lines.append(
            "ManagementAccount*: Identity Center creates the AWSReservedSSO_* roles and "
            "the AWSSSO_* SAML provider in the management account with the caller's IAM "
            "rights (reported by AWS samples maintainers; not stated in the AWS documentation)."
        )
    lines.extend(f"Note: {note}" for note in NOTES)
    return "\n".join(lines) + "\n\n" + json.dumps(document, indent=2) + "\n"


@click.command("iam-policy")
@click.argument("job", type=click.Choice(JOBS))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "text"]),
    default="json",
    show_default=True,
    help="json: the policy document alone; text: what it grants and why, then the JSON.",
)
@click.option(
    "--s3-lock",
    metavar="s3://BUCKET/KEY",
    help="Allow the apply lock object (default: lock.s3 of idc.yaml).",
)
@click.option(
    "--sns-topic",
    metavar="ARN",
    help="Allow sns:Publish to this topic for --notify (default: --notify if an SNS ARN).",
)
@click.option(
    "--management-account",
    is_flag=True,
    help="apply assigns in the management account: add IAM rights on AWSReservedSSO_* roles.",
)
@click.option(
    "--kms-key",
    metavar="KEY_ID_OR_ARN",
    help="Allow data keys from this KMS key (default: encryption.key of idc.yaml, if kms:).",
)
@click.option(
    "--backups",
    metavar="s3://BUCKET/PREFIX",
    help="Allow exported backups under this prefix (idc export --to): read for every job, "
    "write for snapshot and apply.",
)
@pass_app
def command(
    app: AppContext,
    job: str,
    fmt: str,
    s3_lock: str | None,
    sns_topic: str | None,
    management_account: bool,
    kms_key: str | None,
    backups: str | None,
) -> None:
    """Least-privilege IAM policy for the snapshot/plan/apply role.

    Prints the policy document JSON; --format text first explains each
    statement.

    \b
    Examples:
      idc iam-policy apply > apply-policy.json
      idc iam-policy apply --format text --s3-lock s3://my-idc-state/apply.lock
      idc iam-policy snapshot --backups s3://my-backups/idc
    """
    options = _options(app, job, s3_lock, sns_topic, management_account, kms_key, backups)
    document = policy_document(job, options)
    if fmt == "json":
        click.echo(json.dumps(document, indent=2))
    else:
        click.echo(explain(job, document, options), nl=False)
