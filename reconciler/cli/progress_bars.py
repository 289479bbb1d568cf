"""Live progress bars on stderr, for the commands that read or write a lot.

Only when stderr is a terminal and not --quiet: logs and CI get the one
summary line each command prints instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from reconciler.aws.read_context import Progress as ReadProgress
from reconciler.cli.context import AppContext


def _bars(app: AppContext) -> Progress | None:
    """A transient rich display on stderr; None when there is no terminal."""
    console = app.err
    if app.quiet or not console.is_terminal:
        return None
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    return Progress(*columns, TimeElapsedColumn(), console=console, transient=True)


@contextmanager
def read_progress(app: AppContext) -> Iterator[ReadProgress | None]:
    """One bar per read phase, as the reader reports them."""
    bars = _bars(app)
    if bars is None:
        yield None
        return
    with bars:
        tasks: dict[str, object] = {}

        def report(phase: str, done: int, total: int | None) -> None:
            task = tasks.get(phase)
            if task is None:
                task = tasks[phase] = bars.add_task(phase, total=total)
            bars.update(task, completed=done, total=total)  # type: ignore[arg-type]

        yield report


@contextmanager
def write_progress(app: AppContext, what: str, total: int) -> Iterator[Callable[[], None]]:
    """A bar of `total` writes; call the yielded function once per write
    that ended (done or failed)."""
    bars = _bars(app) if total else None
    if bars is None:
        yield lambda: None
        return
    with bars:
        task = bars.add_task(what, total=total)
        yield lambda: bars.advance(task)
