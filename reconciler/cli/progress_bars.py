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


@contextmanager
def read_progress(app: AppContext) -> Iterator[ReadProgress | None]:
    """A live rich progress display on stderr, only when stderr is a terminal
    (logs and CI get the one summary line instead)."""
    console = app.err
    if app.quiet or not console.is_terminal:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        tasks: dict[str, object] = {}

        def report(phase: str, done: int, total: int | None) -> None:
            task = tasks.get(phase)
            if task is None:
                task = tasks[phase] = bar.add_task(phase, total=total)
            bar.update(task, completed=done, total=total)  # type: ignore[arg-type]

        yield report


@contextmanager
def write_progress(app: AppContext, what: str, total: int) -> Iterator[Callable[[], None]]:
    """A bar of `total` writes; call the yielded function once per write
    that ended (done or failed)."""
    console = app.err
    if app.quiet or not console.is_terminal or total == 0:
        yield lambda: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(what, total=total)
        yield lambda: bar.advance(task)
