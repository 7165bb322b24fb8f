"""The ``locker`` command's entry point: parse the verb, run it, turn failures into exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TextIO

import httpx

from locker_cli import __version__
from locker_cli.commands import VERB_GROUPS
from locker_cli.context import Context
from locker_cli.errors import INTERRUPTED, CliError

DESCRIPTION = "Locker's files from the terminal: log in, upload, list, download, delete."
EPILOG = (
    "exit codes: 0 ok, 1 failed, 2 usage, 3 not logged in or token refused, 4 not found, "
    "5 refused by Locker, 6 bytes did not match, 7 unavailable (try again), 130 interrupted "
    "(an upload resumes when rerun)"
)


def build_parser() -> argparse.ArgumentParser:
    """The parser with every verb of VERB_GROUPS."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--profile", help="which stored session to use (default: $LOCKER_PROFILE or 'default')"
    )
    common.add_argument("--api-url", help="Locker's API URL (default: the one you logged in to)")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser = argparse.ArgumentParser(prog="locker", description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"locker {__version__}")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    for group in VERB_GROUPS:
        group.register(verbs, common)
    return parser


def main(
    argv: list[str] | None = None,
    env: dict[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
    out: TextIO | None = None,
) -> int:
    """Run one command; returns its exit status (errors are printed to stderr as one line)."""
    args = build_parser().parse_args(argv)
    ctx = Context(args, dict(os.environ if env is None else env), out or sys.stdout, transport)
    try:
        code: int = args.handler(ctx)
        return code
    except CliError as error:
        print(f"locker: {error.message}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("locker: interrupted", file=sys.stderr)
        return INTERRUPTED
    finally:
        ctx.close()


def run() -> None:
    """The console script."""
    sys.exit(main())
