"""`python -m benchmarks [--quick] [--only NAME]`: run every benchmark module.

Every `benchmarks/*_bench.py` module's `main(quick=...)` runs in turn (one
module failing does not hide the others' results); the combined table of
their rows is printed at the end. Exit status 1 when a module failed or a
row missed its target, so `make bench` fails on a regression.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path

from benchmarks.common import Row, format_table, missed

Bench = Callable[[bool], list[Row]]


def bench_modules() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.endswith("_bench"))


def _loader(name: str) -> Bench:
    def run(quick: bool) -> list[Row]:
        rows: list[Row] = importlib.import_module(f"benchmarks.{name}").main(quick=quick)
        return rows

    return run


def run_benches(benches: Mapping[str, Bench], quick: bool = False) -> int:
    """Run each bench, print the combined table and what missed; the exit status."""
    rows: list[Row] = []
    failed: list[str] = []
    for name, bench in benches.items():
        print(f"== {name}", flush=True)
        try:
            rows.extend(bench(quick))
        except Exception:
            traceback.print_exc()
            failed.append(name)
    print()
    print(format_table(rows))
    misses = missed(rows)
    for row in misses:
        print(f"missed: {row.bench} {row.case} {row.metric}: target {row.target}", file=sys.stderr)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed or misses else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller organizations, faster")
    parser.add_argument("--only", action="append", default=[], help="run only this module")
    args = parser.parse_args(argv)
    names = [
        name
        for name in bench_modules()
        if not args.only or name in args.only or name.removesuffix("_bench") in args.only
    ]
    return run_benches({name: _loader(name) for name in names}, quick=args.quick)


if __name__ == "__main__":
    sys.exit(main())
