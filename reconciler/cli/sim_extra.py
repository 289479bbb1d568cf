"""The one guard around importing the simulator, an optional extra.

The simulator (moto) is installed by `pip install 'idc-reconciler[sim]'`;
real use against AWS does not need it. Every CLI path into `reconciler.sim`
(`--sim`, `idc demo`, `idc sim serve`, `idc restore --test`) imports it
lazily inside `simulator_required()`, so without the extra the user reads
one line saying what to install instead of a traceback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from reconciler.errors import IdcError

INSTALL_HINT = "pip install 'idc-reconciler[sim]'"


class SimulatorMissing(IdcError):
    """The simulator's optional dependencies are not installed."""


@contextlib.contextmanager
def simulator_required(what: str) -> Iterator[None]:
    """Turn a missing simulator dependency, raised by imports inside the
    block, into one line naming `what` needed it and the install command."""
    try:
        yield
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").partition(".")[0]
        if not missing or missing == "reconciler":
            raise  # our own module missing is a bug, not a missing extra
        raise SimulatorMissing(
            f"{what} needs the simulator, which is not installed "
            f"(no module {missing!r}); install it with: {INSTALL_HINT}"
        ) from None
