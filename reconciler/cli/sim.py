"""`idc sim`: the simulator as a local endpoint, and resetting `--sim` state."""

from __future__ import annotations

import contextlib
import threading

import click

from reconciler.cli.context import AppContext, pass_app
from reconciler.cli.sim_extra import simulator_required


@click.group("sim")
def command() -> None:
    """The embedded AWS simulator (Identity Center, Organizations).

    \b
    Examples:
      idc sim serve --port 5005
      idc sim reset
    """


@command.command("serve")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=5000,
    show_default=True,
    help="TCP port; 0 picks a free one.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address to bind.")
@click.option(
    "--seed",
    type=click.Choice(["demo", "empty"]),
    default="demo",
    show_default=True,
    help="Start with the demo organization or an empty Identity Center.",
)
@click.option(
    "--stop-after",
    type=click.FloatRange(min=0),
    default=None,
    metavar="SECONDS",
    help="Stop by itself after this many seconds (for scripts and CI).",
)
@pass_app
def serve(app: AppContext, port: int, host: str, seed: str, stop_after: float | None) -> None:
    """Serve the simulator over HTTP for the AWS CLI, SDKs and other tools.

    It prints the environment to point a shell at it (endpoint, region and
    dummy credentials; paste the export lines), and its URL on stdout. Its
    state is its own, in memory until it stops (Ctrl-C): `idc --sim` keeps a
    separate one in .idc/sim. Point idc at it as at AWS, without --sim.

    \b
    Examples:
      idc sim serve --port 5005 &
      AWS_ENDPOINT_URL=http://127.0.0.1:5005 aws sso-admin list-instances
    """
    with simulator_required("idc sim serve"):
        from reconciler.sim.server import serving

    with serving(host=host, port=port, seed=seed) as endpoint:
        sim = endpoint.sim
        app.say(f"simulator listening on {endpoint.url} (seed: {seed})")
        app.say(f"  instance {sim.instance_arn}, identity store {sim.identity_store_id}")
        app.say("point the AWS CLI, SDKs or idc (without --sim) at it with:")
        for name, value in environment(endpoint.url, sim.region).items():
            app.say(f"export {name}={value}")
        click.echo(endpoint.url)
        stopped = threading.Event()
        with contextlib.suppress(KeyboardInterrupt):
            stopped.wait(stop_after)
    app.say("simulator stopped")


def environment(url: str, region: str) -> dict[str, str]:
    """What a shell needs for the AWS CLI to talk to the served simulator:
    it signs requests, so it needs credentials (any will do)."""
    return {
        "AWS_ENDPOINT_URL": url,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }


@command.command("reset")
@pass_app
def reset(app: AppContext) -> None:
    """Forget the state `idc --sim` keeps in this repository (.idc/sim).

    The next `idc --sim` command starts again from the demo organization.

    \b
    Examples:
      idc sim reset
      idc --repo /tmp/org sim reset
    """
    from reconciler.sim.embedded import STATE_FILE, state_lock

    state = app.repo / ".idc" / "sim"
    if not (state / STATE_FILE).exists():
        app.say("no simulator state to remove")
        return
    # Under the lock, so a command still running cannot write it back.
    with state_lock(state):
        (state / STATE_FILE).unlink(missing_ok=True)
    app.say(f"removed {state / STATE_FILE}; the next `idc --sim` command starts from the demo")
