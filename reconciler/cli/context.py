"""What every command gets from the global options, passed explicitly via click.

No module-level state: a command asks its AppContext for the repo, the console
and an AWS session, and the context owns their lifetimes.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from rich.console import Console


@dataclass
class AppContext:
    repo: Path
    # True when --repo was not given and idc.yaml was found in a parent
    # directory (`idc init` then still means the current directory).
    repo_found: bool = False
    profile: str | None = None
    region: str | None = None
    sim: bool = False
    quiet: bool = False
    verbose: int = 0
    color: bool = True
    notify: str | None = None
    # Set by `plan --detailed-exitcode` when live differs from desired/: the
    # plan's summary, for `notify_on: [drift]`.
    drift: str = ""
    role_arn: str | None = None
    external_id: str | None = None
    stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    # While a command holds the apply lock: raises if it may no longer write
    # (its S3 lease was lost); make_target hands it to the executor.
    lock_guard: Callable[[], None] | None = None
    _session: Any = None
    _field_keys: Any = None

    @property
    def err(self) -> Console:
        """Progress and messages go to stderr so stdout stays machine-readable."""
        return Console(stderr=True, no_color=not self.color, highlight=False)

    @property
    def out(self) -> Console:
        return Console(no_color=not self.color, highlight=False, soft_wrap=True)

    def say(self, message: str) -> None:
        """Progress on stderr, unwrapped and taken literally: paths and the
        commands suggested in messages stay copyable, `[...]` stays text."""
        if not self.quiet:
            click.echo(self.hinted(message), err=True)

    def global_options(self, args: str = "") -> list[str]:
        """The global options of this run that the command `idc ARGS` needs
        too: the repository (unless ARGS names it, as `init DIR` does), the
        simulator, an explicit region or profile (not one from AWS_PROFILE,
        which the next command sees as well)."""
        verb = args.split(" ", 1)[0]
        options: list[str] = []
        named = re.search(rf"(^|\s){re.escape(str(self.repo))}(\s|$)", args)
        if self.repo != Path(".") and not named:
            options += ["--repo", str(self.repo)]
        if verb != "sim":  # `idc sim ...` is the simulator already
            if self.sim:
                options.append("--sim")
            if self.region:
                options += ["--region", self.region]
            if self.profile and not self.sim and self.profile != os.environ.get("AWS_PROFILE"):
                options += ["--profile", self.profile]
        return options

    def command_line(self, args: str) -> str:
        """`idc ARGS` as the user should type it next: with this run's global
        options, so a copied hint acts on the same repository and AWS."""
        return shlex.join(["idc", *self.global_options(args)]) + (f" {args}" if args else "")

    def hinted(self, message: str) -> str:
        """`message` with every suggested command (`idc ...` in backticks,
        written by any layer without knowing the global options) completed by
        `command_line`. A suggestion that spells out options is left alone."""
        return _SUGGESTED.sub(lambda m: f"`{self.command_line(m.group(1))}`", message)

    def field_keys(self) -> Any:
        """The key for encrypted fields in state/ (reconciler.store.fields),
        resolved only when a snapshot needs it; kms: keys use `aws()`."""
        if self._field_keys is None:
            from reconciler.store.fields import FieldKeys

            self._field_keys = FieldKeys(self.repo, session=self.aws)
        return self._field_keys

    def backup_key(self) -> Any:
        """The key of idc.yaml's `encryption.key`, for encrypted backups."""
        from reconciler.desired.settings import load_settings
        from reconciler.store.keys import settings_key

        return settings_key(load_settings(self.repo), self.repo, self.aws)

    def backups(self) -> Any:
        """Opens exported backups (a folder or s3://) where a command takes
        a revision; AWS and the key are reached only when a backup needs them."""
        from reconciler.store.backup_import import BackupReader

        return BackupReader(self.aws, self.backup_key)

    def release_aws(self) -> None:
        """End this run's AWS session (and save and stop the --sim
        simulator), for a command that goes on without it."""
        self.stack.close()
        self._session = None

    def aws(self) -> Any:
        """The AWS session for this run; with --sim, the embedded simulator
        is started first (and its state saved when the command ends).

        The region is --region, else `region:` of idc.yaml, else the AWS
        default chain (AWS_REGION, the profile). The simulator is one account
        in one region reached without credentials, so --sim uses neither
        --profile nor a region of the user's: either would only make it fail.
        A role (--role-arn, else `aws.role_arn` of idc.yaml) is assumed for
        every call, with --sim too (the simulator's STS grants only a role that
        exists and trusts the caller, as AWS does; the demo has `idc-apply`).
        """
        if self._session is None:
            from reconciler.aws.clients import AwsSession

            if self.sim:
                from reconciler.cli.sim_extra import simulator_required

                with simulator_required("--sim"):
                    from reconciler.sim.embedded import embedded_simulator
                self.stack.enter_context(embedded_simulator(self.repo / ".idc" / "sim"))
                role, external_id = self._role()
                self._session = AwsSession(role_arn=role, external_id=external_id)
            else:
                role, external_id = self._role()
                self._session = AwsSession(
                    profile=self.profile,
                    region=self.aws_region(),
                    role_arn=role,
                    external_id=external_id,
                )
        return self._session

    def _role(self) -> tuple[str | None, str | None]:
        """The role to assume and its external id: the options, else idc.yaml's `aws:`."""
        if self.role_arn:
            return self.role_arn, self.external_id
        from reconciler.desired.settings import SETTINGS_FILE, load_settings

        if (self.repo / SETTINGS_FILE).is_file():
            settings = load_settings(self.repo)
            return settings.role_arn, settings.external_id
        return None, None

    def aws_region(self) -> str | None:
        """--region, else idc.yaml's `region:` (None: the AWS default chain)."""
        if self.region:
            return self.region
        from reconciler.desired.settings import SETTINGS_FILE, load_settings

        if (self.repo / SETTINGS_FILE).is_file():
            return load_settings(self.repo).region
        return None


# `idc verb ...` in backticks, not starting with an option (`idc --sim`).
_SUGGESTED = re.compile(r"`idc ([^`\-][^`]*)`")

pass_app = click.make_pass_decorator(AppContext)
