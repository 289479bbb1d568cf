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
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


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
