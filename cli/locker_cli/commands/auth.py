"""``locker login`` and ``locker logout``."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from locker_cli import cognito, config
from locker_cli.context import Context
from locker_cli.errors import USAGE, CliError
from locker_cli.session import Stored

ENV_USER = "LOCKER_USER"
ENV_PASSWORD = "LOCKER_PASSWORD"


def register(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add ``login`` and ``logout``."""
    login = verbs.add_parser("login", parents=[common], help="log in with your Locker username and password")
    login.add_argument("--user", help=f"username (default: ${ENV_USER}, or the local stack's demo user)")
    login.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    login.add_argument("--region", help="AWS region of the user pool (Cognito's public endpoint)")
    login.add_argument("--cognito-url", help="Cognito endpoint (default: the local stack's emulator)")
    login.add_argument("--client-id", help="the user pool's app client id")
    login.add_argument("--stack", type=Path, help="a local stack.json (default: .local/stack.json)")
    login.set_defaults(handler=login_command)
    logout = verbs.add_parser("logout", parents=[common], help="forget this profile's tokens")
    logout.set_defaults(handler=logout_command)


def login_command(ctx: Context) -> int:
    """Log in with USER_PASSWORD_AUTH and store the session (0600)."""
    args = ctx.args
    stack = config.read_stack(config.stack_path(args.stack, ctx.env))
    flags = {
        "api_url": args.api_url,
        "cognito_url": args.cognito_url,
        "region": args.region,
        "client_id": args.client_id,
    }
    endpoints = config.resolve(flags, ctx.env, stack.endpoints if stack else None)
    username, password = _credentials(ctx, stack)
    tokens = cognito.password_login(ctx.http, endpoints.cognito_url, endpoints.client_id, username, password)
    stored = Stored(
        api_url=endpoints.api_url,
        cognito_url=endpoints.cognito_url,
        client_id=endpoints.client_id,
        multipart_threshold=endpoints.multipart_threshold,
        username=username,
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_at=tokens.expires_at,
    )
    store = ctx.credentials()
    store.save(ctx.profile, stored)
    ctx.print(
        f"logged in as {username} to {endpoints.api_url} (profile {ctx.profile}; tokens in {store.path})"
    )
    return 0


def _credentials(ctx: Context, stack: config.LocalStack | None) -> tuple[str, str]:
    demo = stack.demo_user if stack else None
    username = ctx.args.user or ctx.env.get(ENV_USER) or (demo[0] if demo else None)
    if not username:
        raise CliError("which user? pass --user (or set LOCKER_USER)", USAGE)
    if ctx.args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif ctx.env.get(ENV_PASSWORD):
        password = ctx.env[ENV_PASSWORD]
    elif demo and username == demo[0]:
        password = demo[1]
    elif sys.stdin.isatty():
        password = getpass.getpass(f"Password for {username}: ")
    else:
        raise CliError("no password: pass --password-stdin (or set LOCKER_PASSWORD)", USAGE)
    if not password:
        raise CliError("the password is empty", USAGE)
    return username, password


def logout_command(ctx: Context) -> int:
    """Forget the profile's tokens (they stay valid at Cognito until they expire)."""
    store = ctx.credentials()
    had = store.load(ctx.profile) is not None
    store.save(ctx.profile, None)
    ctx.print(f"logged out (profile {ctx.profile})" if had else f"not logged in (profile {ctx.profile})")
    return 0
