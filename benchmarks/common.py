"""What every benchmark module shares: result rows, the table, the JSON file.

A benchmark module `benchmarks/<name>_bench.py` defines
`main(quick: bool = False) -> list[Row]`; `python -m benchmarks` runs them all
and prints one combined table. Every row compares a measured value with its
target and says whether it met it, so a reader sees at once what is on
target and `make bench` fails when something is not. Numbers without a
target (retries, call mix, peak RSS) are context: modules print them and
write them to their results file, not to rows.
"""

from __future__ import annotations

import json
import platform
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from reconciler.sim import Simulator, seed_scale

RESULTS = Path(__file__).resolve().parent / "results"
TPS = 20.0  # sso-admin's shared rate, the yardstick of every wall-time target
LATENCY = 0.03  # seconds the simulator adds to every call
MEMORY_TARGET_MB = 300.0


@dataclass(frozen=True)
class OrgSize:
    """A synthetic organization the simulator seeds (seed_scale), by size."""

    name: str
    users: int
    groups: int
    permission_sets: int
    accounts: int
    assignments: int
    memory_mb: float = MEMORY_TARGET_MB

    def seed(self, sim: Simulator) -> dict[str, int]:
        return seed_scale(
            sim,
            users=self.users,
            groups=self.groups,
            permission_sets=self.permission_sets,
            accounts=self.accounts,
            assignments=self.assignments,
        )


@dataclass(frozen=True)
class Row:
    bench: str  # module, e.g. "snapshot"
    case: str  # e.g. "large"
    metric: str  # e.g. "API calls"
    value: float
    unit: str  # "" for a count
    target: str  # human-readable target, e.g. "<= 1.05 x 6712"
    ok: bool  # whether `value` met `target`

    def __post_init__(self) -> None:
        if not self.target or not isinstance(self.ok, bool):
            raise ValueError(f"benchmark row {self.metric!r} needs a target and whether it met it")


def missed(rows: list[Row]) -> list[Row]:
    return [r for r in rows if not r.ok]


def write_results(bench: str, rows: list[Row], extra: dict[str, Any] | None = None) -> Path:
    """benchmarks/results/<bench>.json (gitignored): rows plus the machine."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{bench}.json"
    payload = {
        "bench": bench,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "rows": [asdict(r) for r in rows],
        **(extra or {}),
    }
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


CaseRun = Callable[[], tuple[list[Row], dict[str, Any]]]


def run_cases(bench: str, cases: Sequence[tuple[str, CaseRun]], quick: bool) -> list[Row]:
    """Run each (label, case) in turn, printing its rows as it ends, then
    write every case's rows and details to the bench's results file."""
    rows: list[Row] = []
    details = []
    for label, run in cases:
        print(f"-- {bench} {label}", flush=True)
        case_rows, detail = run()
        rows += case_rows
        details.append(detail)
        print(format_table(case_rows), flush=True)
    write_results(bench, rows, {"cases": details, "quick": quick})
    return rows


def max_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def format_value(value: float, unit: str) -> str:
    text = f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:.2f}"
    return f"{text} {unit}".strip()


def format_table(rows: list[Row]) -> str:
    headers = ("bench", "case", "metric", "value", "target", "")
    cells = [
        (
            r.bench,
            r.case,
            r.metric,
            format_value(r.value, r.unit),
            r.target,
            "ok" if r.ok else "MISS",
        )
        for r in rows
    ]
    widths = [
        max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(headers)
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for c in cells:
        lines.append("  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)).rstrip())
    return "\n".join(lines)
