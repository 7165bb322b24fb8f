"""``locker upload`` and ``locker download``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from locker_cli import fmt
from locker_cli.context import Context
from locker_cli.download import download
from locker_cli.errors import USAGE, CliError
from locker_cli.upload import Options, Uploader

MAX_WORKERS = 32


def register(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add ``upload`` and ``download``."""
    up = verbs.add_parser(
        "upload", parents=[common], help="upload files (large ones in parallel parts, resumable)"
    )
    up.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    up.add_argument("--name", help="the file name Locker keeps (default: the local name; one PATH only)")
    up.add_argument("--type", dest="content_type", help="content type (default: guessed from the name)")
    up.add_argument("-w", "--workers", type=int, default=4, help="parts sent at once (default: 4)")
    up.add_argument("--json", action="store_true", help="print the result as JSON")
    up.set_defaults(handler=upload_command)
    down = verbs.add_parser("download", parents=[common], help="download a file; checks its size and SHA-256")
    down.add_argument("id", metavar="ID")
    down.add_argument(
        "-o", "--output", type=Path, help="file or directory to write (default: its name, here)"
    )
    down.add_argument("-f", "--force", action="store_true", help="overwrite an existing file")
    down.add_argument("--json", action="store_true", help="print the result as JSON")
    down.set_defaults(handler=download_command)


def upload_command(ctx: Context) -> int:
    """Upload each path in turn; stops at the first failure (rerun to resume)."""
    args = ctx.args
    if not 1 <= args.workers <= MAX_WORKERS:
        raise CliError(f"--workers must be between 1 and {MAX_WORKERS}", USAGE)
    if args.name and len(args.paths) > 1:
        raise CliError("--name needs exactly one PATH", USAGE)
    session = ctx.session()
    api = ctx.api(session)
    uploader = Uploader(
        api, ctx.http, ctx.resume_store(), session.stored.username, session.stored.multipart_threshold
    )
    for path in args.paths:
        outcome = uploader.upload(Options(path, args.name, args.content_type, args.workers, ctx.quiet))
        file = outcome.file
        if args.json:
            result = {
                "file": file,
                "parts": outcome.parts,
                "sent": outcome.sent,
                "alreadyStored": outcome.already_stored,
            }
            ctx.print(json.dumps(result))
            continue
        how = (
            "one request"
            if not outcome.parts
            else (
                f"{outcome.sent} of {outcome.parts} parts sent"
                + (f", {outcome.already_stored} already in storage" if outcome.already_stored else "")
            )
        )
        size = fmt.size(int(file["size"]))
        ctx.print(f"uploaded {file['filename']} ({size}, {how}): {file['status']} {file['id']}")
    return 0


def download_command(ctx: Context) -> int:
    """Download one file, verified."""
    done = download(ctx.api(), ctx.http, ctx.args.id, ctx.args.output, ctx.args.force, ctx.quiet)
    if ctx.args.json:
        ctx.print(
            json.dumps({"file": done.file, "path": str(done.path), "sha256Checked": done.sha256_checked})
        )
        return 0
    checked = "size and SHA-256 verified" if done.sha256_checked else "size verified"
    ctx.print(
        f"downloaded {done.file['filename']} to {done.path} ({fmt.size(int(done.file['size']))}, {checked})"
    )
    return 0
