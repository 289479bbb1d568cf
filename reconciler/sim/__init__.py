"""The simulator: moto plus the fixes and realism IAM Identity Center needs.

Public API: `Simulator`, `Realism`, `FaultRule`, `seed_demo`, `seed_scale`,
`seed_organization`;
`reconciler.sim.embedded.embedded_simulator` for `idc --sim`, and
`reconciler.sim.server` for `idc sim serve`.
"""

from reconciler.sim.realism import FaultRule, Realism
from reconciler.sim.scale import seed_scale
from reconciler.sim.seed import seed_demo, seed_organization
from reconciler.sim.simulator import Simulator, SimulatorError

__all__ = [
    "FaultRule",
    "Realism",
    "Simulator",
    "SimulatorError",
    "seed_demo",
    "seed_organization",
    "seed_scale",
]
