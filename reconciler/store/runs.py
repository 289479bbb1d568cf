"""Run records: one JSON line per CI run in `journal/runs.jsonl`.

A scheduled snapshot that silently stopped succeeding is a backup nobody
has. The workflows end every run with `idc ci record-run`, which appends
when it ran, which job, how it ended and how long it took; the workflow
commits the file with the journals, so the record survives the runner and
`idc history stats` can show each job's success rate from git alone.

The file is rewritten whole through an atomic replace (never appended in
place), so a runner killed mid-write leaves the previous records intact.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reconciler.apply.journal import JOURNAL_DIR, RUNS_FILE
from reconciler.errors import IdcError
from reconciler.fsutil import atomic_write_text

RESULTS = ("success", "failure", "cancelled")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class RunRecord:
    time: str  # when the run started, UTC
    job: str  # plan, apply, snapshot, ...
    result: str  # one of RESULTS
    seconds: float  # wall time of the run
    url: str = ""  # the CI run, when known

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v != ""}


def runs_path(repo: Path) -> Path:
    return repo / JOURNAL_DIR / RUNS_FILE


def record_run(
    repo: Path, job: str, result: str, *, started: float, finished: float, url: str = ""
) -> RunRecord:
    """Append one run to journal/runs.jsonl and return it."""
    if result not in RESULTS:
        raise IdcError(f"run result {result!r} is not one of {', '.join(RESULTS)}")
    record = RunRecord(
        time=datetime.fromtimestamp(started, UTC).strftime(TIME_FORMAT),
        job=job,
        result=result,
        seconds=round(max(finished - started, 0.0), 1),
        url=url,
    )
    path = runs_path(repo)
    old = path.read_text("utf-8") if path.is_file() else ""
    lead = "" if not old or old.endswith("\n") else "\n"
    atomic_write_text(path, f"{old}{lead}{json.dumps(record.to_json(), sort_keys=True)}\n")
    return record


def load_runs(repo: Path) -> list[RunRecord]:
    """The recorded runs, oldest first; a line that is not a run record is
    skipped (a hand-edited or merge-conflicted line must not hide the rest)."""
    path = runs_path(repo)
    if not path.is_file():
        return []
    runs = []
    for line in path.read_text("utf-8", errors="replace").splitlines():
        try:
            data = json.loads(line)
            runs.append(
                RunRecord(
                    time=str(data["time"]),
                    job=str(data["job"]),
                    result=str(data["result"]),
                    seconds=float(data["seconds"]),
                    url=str(data.get("url", "")),
                )
            )
        except (ValueError, KeyError, TypeError):
            continue
    return runs


def success_rates(runs: Iterable[RunRecord]) -> dict[str, dict[str, Any]]:
    """Per job: runs, successes, the rate, and the last result and time."""
    out: dict[str, dict[str, Any]] = {}
    for run in runs:
        job = out.setdefault(run.job, {"runs": 0, "succeeded": 0, "seconds": []})
        job["runs"] += 1
        job["succeeded"] += run.result == "success"
        job["seconds"].append(run.seconds)
        job["last"] = {"time": run.time, "result": run.result}
    for job in out.values():
        seconds = job.pop("seconds")
        job["rate"] = round(job["succeeded"] / job["runs"], 3)
        job["mean_seconds"] = round(sum(seconds) / len(seconds), 1)
    return out
