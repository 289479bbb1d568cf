"""`python -m benchmarks [--quick] [--only NAME]`: run every benchmark module.

Every `benchmarks/*_bench.py` module's `main(quick=...)` runs in turn (one
module failing does not hide the others' results); the combined table of
their rows is printed at the end. Exit status 1 when a module failed.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import traceback
from pathlib import Path

from benchmarks.common import Row, format_table


def bench_modules() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.endswith("_bench"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller organizations, faster")
    parser.add_argument("--only", action="append", default=[], help="run only this module")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    failed: list[str] = []
    for name in bench_modules():
        if args.only and name not in args.only and name.removesuffix("_bench") not in args.only:
            continue
        print(f"== {name}", flush=True)
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            rows.extend(module.main(quick=args.quick) or [])
        except Exception:
            traceback.print_exc()
            failed.append(name)
    print()
    print(format_table(rows))
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
