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

    Point clients at it with `--endpoint-url` or `AWS_ENDPOINT_URL`, with
    region eu-west-1 and any credentials. State lives in memory until it
    stops (Ctrl-C).

    \b
    Examples:
      idc sim serve --port 5005 &
      aws --endpoint-url http://127.0.0.1:5005 sso-admin list-instances
    """
    with simulator_required("idc sim serve"):
        from reconciler.sim.server import serving

    with serving(host=host, port=port, seed=seed) as endpoint:
        sim = endpoint.sim
        app.say(f"simulator listening on {endpoint.url} (seed: {seed})")
        app.say(f"  instance {sim.instance_arn}, identity store {sim.identity_store_id}")
        app.say(f"  export AWS_ENDPOINT_URL={endpoint.url} AWS_DEFAULT_REGION={sim.region}")
        click.echo(endpoint.url)
        stopped = threading.Event()
        with contextlib.suppress(KeyboardInterrupt):
            stopped.wait(stop_after)
    app.say("simulator stopped")


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
