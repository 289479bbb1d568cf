"""`idc sim serve` as a newcomer uses it: the environment block it prints is
all a fresh shell needs to reach it, and a taken port fails at once."""

import os
import socket
import subprocess
import sys
from pathlib import Path

IDC = [sys.executable, "-m", "reconciler.cli"]


def _clean_env(**extra: str) -> dict[str, str]:
    """No AWS variables, no config files: only what the test adds."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**keep, "AWS_CONFIG_FILE": "/nonexistent", **extra}


def test_the_printed_export_lines_are_enough_for_an_aws_client(tmp_path: Path) -> None:
    serve = subprocess.Popen(
        [*IDC, "sim", "serve", "--port", "0", "--stop-after", "120"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_clean_env(),
    )
    try:
        assert serve.stderr is not None
        exports: dict[str, str] = {}
        while "AWS_SECRET_ACCESS_KEY" not in exports:
            line = serve.stderr.readline()
            assert line, "sim serve ended before printing its environment"
            if line.startswith("export "):
                name, _, value = line.removeprefix("export ").strip().partition("=")
                exports[name] = value
        assert set(exports) == {
            "AWS_ENDPOINT_URL",
            "AWS_DEFAULT_REGION",
            "AWS_REGION",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
        }
        script = (
            "import boto3\n"
            "print(boto3.client('sso-admin').list_instances()['Instances'][0]['InstanceArn'])\n"
        )
        client = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            env=_clean_env(AWS_SHARED_CREDENTIALS_FILE="/nonexistent", **exports),
            timeout=120,
            cwd=tmp_path,
        )
        assert client.returncode == 0, client.stderr
        assert client.stdout.startswith("arn:aws:sso:::instance/")
    finally:
        serve.terminate()
        serve.wait(timeout=60)


def test_a_taken_port_fails_at_once_with_the_remedy() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*IDC, "sim", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            env=_clean_env(),
            timeout=120,  # a hang (the old behaviour) fails the test instead of blocking it
        )
    assert result.returncode == 1
    assert result.stderr == (
        f"error: cannot listen on 127.0.0.1:{port}: Address already in use (another "
        "program, or another `idc sim serve`, uses it); pick another --port, or --port 0 "
        "for a free one\n"
    )
