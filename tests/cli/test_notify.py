"""--notify tells a webhook or an SNS topic about failures, and only failures."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from reconciler.sim import Simulator
from tests.conftest import IdcRunner


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
