"""`idc restore --strategy prompt`: ask about each conflicting resource.

A conflict is an update (live differs from the backup) or a delete (live
holds what the backup does not); creates restore what is missing and are
not asked about. Each question shows the change as the plan prints it,
attribute diff included, and takes y (apply it), n (leave it), all (apply
this and every later one), none (leave this and every later one) or quit
(stop; nothing is changed). Only asked on a terminal: the command refuses
`prompt` before reading AWS when stdin is not one.
"""

from __future__ import annotations

import click

from reconciler.cli.context import AppContext
from reconciler.errors import IdcError
from reconciler.plan import Change
from reconciler.render.text import change_lines

ANSWERS = ("y", "n", "all", "none", "quit")


class Prompter:
    """`decide` for reconciler.plan.strategy.apply_strategy, remembering all/none."""

    def __init__(self, app: AppContext) -> None:
        self._app = app
        self._always: bool | None = None

    def decide(self, change: Change) -> bool:
        if self._always is not None:
            return self._always
        for line in change_lines(change):
            click.echo(line.plain, err=True)
        answer = click.prompt(
            f"{change.action.capitalize()} {change.key_text()}? [y/n/all/none/quit]",
            type=click.Choice(ANSWERS),
            show_choices=False,
            err=True,
        )
        if answer == "quit":
            raise IdcError("restore stopped at the prompt; nothing was changed")
        if answer in ("all", "none"):
            self._always = answer == "all"
            return self._always
        return bool(answer == "y")
