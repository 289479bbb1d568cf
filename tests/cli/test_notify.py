"""--notify tells a webhook or an SNS topic about failures, and only failures."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from reconciler.sim import Simulator
from tests.conftest import IdcRunner, run_idc
from tests.store.conftest import make_git_repo


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, str]]]]:
    received: list[dict[str, str]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hooks/secret-token", received
    finally:
        server.shutdown()
        server.server_close()


def test_failure_is_posted_to_the_webhook(
    idc: IdcRunner, tmp_path: Path, webhook: tuple[str, list[dict[str, str]]]
) -> None:
    url, received = webhook
    result = idc("--notify", url, "--repo", str(tmp_path), "validate")
    assert result.exit_code == 1
    assert len(received) == 1
    message = received[0]
    assert "idc.yaml" in message["error"]
    assert message["command"].endswith("validate")
    assert "secret-token" not in json.dumps(message)  # the URL is not echoed back


def test_success_sends_nothing(
    idc: IdcRunner, tmp_path: Path, webhook: tuple[str, list[dict[str, str]]]
) -> None:
    url, received = webhook
    assert idc("--notify", url, "init", str(tmp_path)).exit_code == 0
    assert received == []


def test_unreachable_webhook_is_a_warning_not_a_new_failure(idc: IdcRunner, tmp_path: Path) -> None:
    result = idc("--notify", "http://127.0.0.1:9/x/secret", "--repo", str(tmp_path), "validate")
    assert result.exit_code == 1
    assert "warning: could not notify http://127.0.0.1:9/…" in result.stderr
    assert "secret" not in result.stderr


def test_failure_is_published_to_sns(idc: IdcRunner, tmp_path: Path) -> None:
    with Simulator() as sim:
        sns, sqs = sim.client("sns"), sim.client("sqs")
        topic = sns.create_topic(Name="idc-alerts")["TopicArn"]
        queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"])
        result = idc("--notify", topic, "--repo", str(tmp_path), "validate")
        assert result.exit_code == 1
        messages = sqs.receive_message(QueueUrl=queue).get("Messages", [])
    assert len(messages) == 1
    assert "idc.yaml" in json.loads(messages[0]["Body"])["Message"]


def adopted(repo: Path, settings: str) -> Path:
    """The demo organization adopted as desired/, with `settings` in idc.yaml."""
    make_git_repo(repo)
    result = run_idc("--repo", str(repo), "init", "--from-live")
    assert result.exit_code == 0, result.output
    (repo / "idc.yaml").write_text((repo / "idc.yaml").read_text() + settings)
    return repo


def test_idc_yaml_notify_tells_of_failures_and_drift(
    tmp_path: Path, sim: Simulator, webhook: tuple[str, list[dict[str, str]]]
) -> None:
    """notify: in idc.yaml, notify_on: [failure, drift]: a plan that finds
    live state drifted from desired/ is reported, one in sync is not."""
    url, received = webhook
    repo = adopted(tmp_path / "repo", f"notify: [{url}]\nnotify_on: [failure, drift]\n")
    result = run_idc("--repo", str(repo), "plan", "--detailed-exitcode")
    assert result.exit_code == 0 and received == [], result.output
    users = repo / "desired" / "users.yaml"
    users.write_text(users.read_text().replace("display_name: Alice", "display_name: Alice B.", 1))
    result = run_idc("--repo", str(repo), "plan", "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    (message,) = received
    assert message["event"] == "found drift"
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in message["error"]
    received.clear()
    result = run_idc("--repo", str(repo), "restore", "no-such-rev", "--dry-run")
    assert result.exit_code == 1 and received[0]["event"] == "failed"


def test_drift_is_not_told_unless_asked_and_empty_notify_means_none(
    tmp_path: Path, sim: Simulator, webhook: tuple[str, list[dict[str, str]]]
) -> None:
    url, received = webhook
    repo = adopted(tmp_path / "repo", f"notify: [{url}]\n")  # notify_on defaults to failure
    users = repo / "desired" / "users.yaml"
    users.write_text(users.read_text().replace("display_name: Alice", "display_name: Alice B.", 1))
    assert run_idc("--repo", str(repo), "plan", "--detailed-exitcode").exit_code == 2
    assert received == []
    result = run_idc("--notify", "", "--repo", str(repo), "restore", "no-such-rev", "--dry-run")
    assert result.exit_code == 1 and received == [] and "notify" not in result.stderr
