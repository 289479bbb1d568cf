"""The `-v` report of a run's AWS calls: per operation, retries, wall time.

Speed is a feature users can check: `idc snapshot -v` shows how many calls a
read took, how many were retried (throttling, 5xx) and how long it waited
on the client-side rate limiter, next to the decisions the reader made.
"""

from __future__ import annotations

from reconciler.aws.clients import CallStats


def format_call_stats(stats: CallStats, bound: int | None = None) -> str:
    """A plain-text table; `bound` (see aws.call_bound) is shown when given."""
    rows = sorted(stats.calls.items(), key=lambda kv: (-kv[1], kv[0]))
    width = max([len("operation"), *(len(name) for name, _ in rows)])
    lines = [f"{'operation':<{width}}  {'calls':>7}  {'retries':>7}"]
    for name, count in rows:
        retries = max(0, stats.attempts.get(name, 0) - count)
        lines.append(f"{name:<{width}}  {count:>7}  {retries:>7}")
    total = stats.total_calls
    retries = max(0, stats.total_attempts - total)
    lines.append(f"{'total':<{width}}  {total:>7}  {retries:>7}")
    elapsed = stats.elapsed()
    summary = f"{total} calls in {elapsed:.1f}s"
    if elapsed > 0:
        summary += f" ({total / elapsed:.1f}/s)"
    summary += (
        f", {stats.throttle_wait:.1f}s (summed over threads) waited on client-side rate limits"
    )
    if bound:
        summary += f"; lower bound {bound} calls ({total / bound:.2f}x)"
    lines.append(summary)
    lines.extend(stats.notes)
    return "\n".join(lines)
