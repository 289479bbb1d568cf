"""The simulator behind `idc --sim`: one consistent AWS per repository.

Each `idc --sim` invocation is a new process, so the simulated state is
saved to `<repo>/.idc/sim/state.pickle` when a command ends and restored when
the next one starts; the first one seeds the demo organization. Only the
simulated account and region (123456789012, eu-west-1) are kept, which is
everything `idc` talks to. The file is written atomically, so a killed
command leaves the previous state, never half of one.

A command holds an OS lock on `<repo>/.idc/sim/state.lock` from before it
reads the state until after its last write: every command saves the whole
state, so two overlapping ones would otherwise let the one that read first
write back what it read over the other's changes. A second command waits
(and says so); the kernel drops the lock of a killed one.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import filelock
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from moto.organizations.models import organizations_backends

from reconciler.errors import InputError
from reconciler.fsutil import atomic_write_bytes
from reconciler.sim import sts
from reconciler.sim.cloudtrail import TRAIL
from reconciler.sim.realism import FaultRule, Realism
from reconciler.sim.runtime import RUNTIME
from reconciler.sim.seed import seed_demo
from reconciler.sim.simulator import Simulator

STATE_FILE = "state.pickle"
LOCK_FILE = "state.lock"
PATIENCE = 1.0  # seconds to wait silently for another command's lock
FORMAT = 1


def _load_private_key(der: bytes) -> Any:
    return serialization.load_der_private_key(der, None)


class _Pickler(pickle.Pickler):
    """pickle, plus the private keys moto's KMS keeps for every key (as
    PKCS#8 DER: cryptography's key objects cannot be pickled themselves)."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, PrivateKeyTypes.__args__):  # type: ignore[attr-defined]
            der = obj.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            return _load_private_key, (der,)
        return NotImplemented


def snapshot_state(sim: Simulator) -> bytes:
    """Everything the simulated account holds, as bytes."""
    state: dict[str, Any] = {
        "format": FORMAT,
        # moto's AWS-managed policy catalogue is a cache it reloads on demand.
        "sso_admin": {**sim.sso_admin.__dict__, "aws_managed_policies": None},
        "identity_store": sim.identity_store.__dict__,
        "organizations": sim.organizations.__dict__,
        "master_accounts": dict(organizations_backends.master_accounts),
        # KMS keys (encryption.key: kms:...), so a data key wrapped by one
        # command is unwrapped by the next.
        # Pickled on its own: the key-aware pickler is slower, and KMS is small.
        "kms": _pickle_kms(sim.kms.__dict__),
        "s3": _s3_objects(sim),
        "iam_roles": sts.roles(),
        "cloudtrail": list(TRAIL.events),
    }
    return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)


def _s3_objects(sim: Simulator) -> list[tuple[str, str, list[tuple[str, bytes, Any, Any]]]]:
    """Buckets and their objects (`idc --sim export --to s3://...`, then
    import or restore in the next command): name, region, and each key's
    bytes and server-side encryption, as plain data (moto's objects hold
    open temporary files, which do not pickle)."""
    return [
        (
            bucket.name,
            bucket.region_name,
            [
                (k, o.value, o.encryption, o.kms_key_id)
                for k, o in bucket.keys.items()
                if o is not None
            ],
        )
        for bucket in sim.s3.buckets.values()
    ]


def _restore_s3(
    sim: Simulator, buckets: list[tuple[str, str, list[tuple[str, bytes, Any, Any]]]]
) -> None:
    backend = sim.s3
    for name, region, objects in buckets:
        if name not in backend.buckets:
            backend.create_bucket(name, region)
        for key, value, encryption, kms_key_id in objects:
            backend.put_object(name, key, value, encryption=encryption, kms_key_id=kms_key_id)


def _pickle_kms(backend: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(backend)
    return out.getvalue()


def restore_state(sim: Simulator, data: bytes, source: str = "simulator state") -> None:
    try:
        state = pickle.loads(data)
    except Exception as exc:  # any unpickling failure means an unusable file
        raise InputError(f"{source}: unreadable ({exc}); run `idc sim reset`") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise InputError(f"{source}: written by another idc version; run `idc sim reset`")
    sim.sso_admin.__dict__.update(state["sso_admin"])
    sim.identity_store.__dict__.update(state["identity_store"])
    sim.organizations.__dict__.update(state["organizations"])
    organizations_backends.master_accounts.update(state["master_accounts"])
    if "kms" in state:  # absent in files written before KMS was kept
        sim.kms.__dict__.update(pickle.loads(state["kms"]))
    _restore_s3(sim, state.get("s3", []))
    sts.set_roles(state.get("iam_roles", {}))
    TRAIL.events = list(state.get("cloudtrail", ()))


def realism_from_env() -> Realism | None:
    """`IDC_SIM_REALISM` holds Realism fields as JSON, e.g.
    '{"latency": 0.05, "async_delay": 0.2}', so `idc --sim` runs (and the
    crash tests that kill them) can have AWS-like timing."""
    raw = os.environ.get("IDC_SIM_REALISM")
    if not raw:
        return None
    try:
        fields = json.loads(raw)
        faults = [FaultRule(**rule) for rule in fields.pop("faults", [])]
        return Realism(**fields, faults=faults)
    except (ValueError, TypeError) as exc:
        raise InputError(f"IDC_SIM_REALISM: not a Realism as JSON ({exc})") from None


def _say_waiting(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def state_lock(state_dir: Path, on_wait: Callable[[str], None] = _say_waiting) -> Iterator[None]:
    """Hold the lock on the simulator state in `state_dir`, waiting for it
    as long as another command holds it (saying so once, after a moment)."""
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(state_dir / LOCK_FILE)
    try:
        lock.acquire(timeout=PATIENCE)
    except filelock.Timeout:
        on_wait(
            f"waiting for another idc --sim command to finish (it holds {state_dir / LOCK_FILE})"
        )
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def _write_through(path: Path, sim: Simulator) -> Callable[[], None]:
    """Save the state after a call that may have changed it. Most such calls
    (every sso-admin read may settle async work) change nothing; rewriting
    (and fsyncing) the same bytes would only cost time, so an unchanged
    state is not written again. The lock makes this process the only writer."""
    written = path.read_bytes()

    def save() -> None:
        nonlocal written
        data = snapshot_state(sim)
        if data != written:
            atomic_write_bytes(path, data)
            written = data

    return save


@contextmanager
def embedded_simulator(state_dir: Path, realism: Realism | None = None) -> Iterator[Simulator]:
    """Run a Simulator holding the state saved in `state_dir` (else the demo).

    State is written through after every call that may change it, like AWS
    keeps a change the moment it is accepted: a command that fails or is
    killed leaves exactly the changes it made before, never fewer. The
    state lock is held throughout (see the module docstring)."""
    path = Path(state_dir) / STATE_FILE
    with state_lock(Path(state_dir)), Simulator(realism or realism_from_env()) as sim:
        if path.exists():
            restore_state(sim, path.read_bytes(), str(path))
        else:
            seed_demo(sim)
            atomic_write_bytes(path, snapshot_state(sim))
        RUNTIME.after_change = _write_through(path, sim)
        try:
            yield sim
        finally:
            RUNTIME.after_change = None
            atomic_write_bytes(path, snapshot_state(sim))
