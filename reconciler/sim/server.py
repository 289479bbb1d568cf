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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from moto.server import ThreadedMotoServer

from reconciler.errors import InputError
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
        server = ThreadedMotoServer(ip_address=bind, port=port, verbose=False)
        try:
            server.start()
        except OSError as exc:
            raise InputError(f"cannot listen on {bind}:{port}: {exc.strerror or exc}") from None
        try:
            actual_host, actual_port = server.get_host_and_port()
            yield Endpoint(sim, actual_host, actual_port)
        finally:
            server.stop()
