"""`idc revoke`: `idc assign`'s command (reconciler.cli.assign) deleting instead."""

from reconciler.cli.assign import make_command

command = make_command("revoke")
