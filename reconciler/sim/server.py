"""The simulator as a local HTTP endpoint (`idc sim serve`).

moto's threaded werkzeug server answers AWS requests over HTTP; the fixes
and the realism gate are installed on moto's classes, so the AWS CLI or any
SDK pointed at the endpoint (`--endpoint-url`, `AWS_ENDPOINT_URL`) gets the
same behaviour as in-process tests. It binds to loopback only: this is a
test double with no authentication, never something to expose.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from moto.server import ThreadedMotoServer

from reconciler.errors import IdcError, InputError
from reconciler.sim.realism import Realism
from reconciler.sim.seed import seed_demo
from reconciler.sim.simulator import Simulator

SEEDS = ("demo", "empty")


@dataclass(frozen=True)
class Endpoint:
    sim: Simulator
    host: str
    port: int

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def check_loopback(host: str) -> str:
    """Only loopback addresses (or `localhost`) may be bound."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise InputError(f"--host {host}: the simulator only listens on loopback (127.0.0.1, ::1)")


class _Server(ThreadedMotoServer):
    """moto's server, but a failure to bind ends `start` with a reason: moto
    binds in its thread, where werkzeug exits the thread and `start` waits
    for ever."""

    failure: str | None = None

    def _server_entry(self) -> None:
        try:
            super()._server_entry()
        except (OSError, SystemExit) as exc:
            self.failure = getattr(exc, "strerror", None) or "the port is not available"
            self._server_ready_event.set()


def _check_free(host: str, port: int) -> None:
    """Fail at once, with the remedy, when the port is taken (bound as the
    server will bind it, address reuse included, so TIME_WAIT is no obstacle)."""
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise IdcError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc} (another program, "
                "or another `idc sim serve`, uses it); pick another --port, or --port 0 "
                "for a free one"
            ) from None


@contextmanager
def serving(
    host: str = "127.0.0.1", port: int = 0, seed: str = "demo", realism: Realism | None = None
) -> Iterator[Endpoint]:
    """Run the served simulator for the block; port 0 picks a free port."""
    if seed not in SEEDS:
        raise InputError(f"--seed {seed}: expected one of {', '.join(SEEDS)}")
    bind = check_loopback(host)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log per request
    with Simulator(realism) as sim:
        if seed == "demo":
            seed_demo(sim)
        _check_free(bind, port)
        server = _Server(ip_address=bind, port=port, verbose=False)
        server.start()
        if server.failure is not None:
            raise IdcError(f"cannot listen on {bind}:{port}: {server.failure}")
        try:
            actual_host, actual_port = server.get_host_and_port()
            yield Endpoint(sim, actual_host, actual_port)
        finally:
            server.stop()
