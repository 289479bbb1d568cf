"""SNS delivery for `--notify` (the only AWS call notifications need)."""

from __future__ import annotations

from reconciler.aws.clients import AwsSession
from reconciler.aws.errors import aws_call


def publish_sns(session: AwsSession, topic_arn: str, subject: str, message: str) -> None:
    with aws_call("Publish", topic_arn):
        session.client("sns").publish(TopicArn=topic_arn, Subject=subject, Message=message)
