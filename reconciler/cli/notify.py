"""Notifications: tell webhooks, Slack or SNS topics that a command failed,
or (`notify_on: [drift]`) that a plan found drift.

Targets are `notify:` in idc.yaml, or the global --notify for one run.

Scheduled snapshots and applies run unattended; a failure nobody hears of is
a backup that silently stopped. The message carries the command, the repo
and idc's own error text (which never holds secrets), nothing else. A
notification that cannot be delivered is a warning: it never changes the
command's exit code.
"""

from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.request
from datetime import UTC, datetime

from reconciler.cli.context import AppContext
from reconciler.desired.settings import SETTINGS_FILE, load_settings
from reconciler.errors import IdcError

TIMEOUT_SECONDS = 10
# An SNS topic in any partition (aws, aws-cn, aws-us-gov): published to, not posted.
SNS_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}$")


def failure_message(
    argv: list[str], error: str, repo: str, event: str = "failed"
) -> dict[str, str]:
    command = " ".join(a for a in argv if not a.startswith("--notify") and a != "--notify")
    return {
        "text": f"idc {event} on {socket.gethostname()}: `idc {command}`\n{error}",
        "command": f"idc {command}",
        "event": event,
        "error": error,
        "repo": repo,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def notify_targets(app: AppContext, event: str) -> list[str]:
    """Who hears of `event` (failure, drift): idc.yaml's `notify:`, or
    --notify for this run ("" means nobody, silently), when `notify_on:`
    (default: failure) lists the event. An idc.yaml that does not load
    counts as the defaults (the failure reported may be that very file)."""
    settings = None
    try:
        if (app.repo / SETTINGS_FILE).is_file():
            settings = load_settings(app.repo)
    except IdcError:
        settings = None
    events = settings.notify_on if settings is not None else ("failure",)
    if event not in events:
        return []
    if app.notify is not None:
        return [app.notify] if app.notify.strip() else []
    return list(settings.notify) if settings is not None else []


def notify_failure(app: AppContext, argv: list[str], error: str, event: str = "failure") -> None:
    """Tell every target of `event`; one that cannot be told is a warning."""
    said = {"failure": "failed", "drift": "found drift"}[event]
    message = failure_message(_without_notify(argv), error, str(app.repo.resolve()), said)
    for target in notify_targets(app, event):
        try:
            if SNS_TOPIC_ARN.match(target):
                from reconciler.aws.notify import publish_sns

                publish_sns(app.aws(), target, f"idc {said}", message["text"])
            elif target.startswith(("https://", "http://")):
                _post_json(target, _payload_for(target, message))
            else:
                raise IdcError("--notify takes an https:// webhook URL or an SNS topic ARN")
        except (IdcError, OSError, urllib.error.URLError) as exc:
            app.err.print(f"warning: could not notify {_redact(target)}: {exc}")


def _without_notify(argv: list[str]) -> list[str]:
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--notify":
            skip = True
        elif not arg.startswith("--notify="):
            out.append(arg)
    return out


def _payload_for(url: str, message: dict[str, str]) -> dict[str, str]:
    """Slack incoming webhooks take {"text": ...}; others get every field."""
    return {"text": message["text"]} if "hooks.slack.com" in url else message


def _post_json(url: str, payload: dict[str, str]) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json", "User-Agent": "idc-reconciler"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        response.read()


def _redact(target: str) -> str:
    """Webhook URLs embed their secret in the path: show only the host."""
    if target.startswith(("https://", "http://")):
        return target.split("/")[0] + "//" + target.split("/")[2] + "/…"
    return target
