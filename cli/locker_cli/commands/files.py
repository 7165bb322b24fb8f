"""``locker ls`` and ``locker rm``."""

from __future__ import annotations

import argparse
import json

from locker_cli import fmt
from locker_cli.context import Context

STATUSES = ("pending", "ready", "rejected")


def register(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add ``ls`` and ``rm``."""
    ls = verbs.add_parser("ls", parents=[common], help="list your files, newest first")
    ls.add_argument("--status", choices=STATUSES, help="only files with this status")
    ls.add_argument("--limit", type=int, help="at most this many files (default: all)")
    ls.add_argument("--json", action="store_true", help="print a JSON array of file objects")
    ls.set_defaults(handler=ls_command)
    rm = verbs.add_parser("rm", parents=[common], help="delete files (a pending upload is aborted)")
    rm.add_argument("ids", nargs="+", metavar="ID", help="file id, as `locker ls` shows it")
    rm.set_defaults(handler=rm_command)


def ls_command(ctx: Context) -> int:
    """List files as a table (or JSON)."""
    if ctx.args.limit is not None and ctx.args.limit < 1:
        ctx.args.limit = None
    items = list(ctx.api().list_files(ctx.args.status, ctx.args.limit))
    if ctx.args.json:
        ctx.print(json.dumps(items, indent=2))
        return 0
    rows = [[f["id"], fmt.size(int(f["size"])), f["status"], f["createdAt"], f["filename"]] for f in items]
    for line in fmt.table(rows, ["ID", "SIZE", "STATUS", "CREATED", "NAME"]):
        ctx.print(line)
    return 0


def rm_command(ctx: Context) -> int:
    """Delete each id in turn; stops at the first failure."""
    api = ctx.api()
    for file_id in ctx.args.ids:
        api.delete(file_id)
        ctx.print(f"deleted {file_id}")
    return 0
