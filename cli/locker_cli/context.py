"""What every command gets: its arguments, the environment, HTTP clients, and the stored session.

Built once per run by :func:`locker_cli.main.main`; tests hand it an httpx
transport to count or break requests without a network.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

import httpx

from locker_cli.api import LockerApi
from locker_cli.errors import AUTH, CliError
from locker_cli.files import config_dir, state_dir
from locker_cli.resume import ResumeStore
from locker_cli.session import CredentialStore, Session

LIMITS = httpx.Limits(max_connections=64, max_keepalive_connections=32)


@dataclass
class Context:
    """One run of the command."""

    args: argparse.Namespace
    env: dict[str, str]
    out: TextIO = field(default_factory=lambda: sys.stdout)
    transport: httpx.BaseTransport | None = None
    _http: httpx.Client | None = None

    @property
    def http(self) -> httpx.Client:
        """One client (connection pool) for Cognito, Locker and storage."""
        if self._http is None:
            self._http = httpx.Client(transport=self.transport, limits=LIMITS, follow_redirects=False)
        return self._http

    @property
    def profile(self) -> str:
        return str(self.args.profile or self.env.get("LOCKER_PROFILE") or "default")

    @property
    def quiet(self) -> bool:
        return bool(self.args.quiet)

    def credentials(self) -> CredentialStore:
        """The credentials file in the config directory."""
        return CredentialStore(config_dir(self.env) / "credentials.json")

    def resume_store(self) -> ResumeStore:
        """Unfinished uploads, in the state directory."""
        return ResumeStore(state_dir(self.env) / "uploads")

    def session(self) -> Session:
        """The profile's session; raises CliError (auth) when nobody is logged in."""
        store = self.credentials()
        stored = store.load(self.profile)
        if stored is None:
            raise CliError(f"not logged in (profile {self.profile}): run `locker login`", AUTH)
        return Session(store, self.profile, stored, self.http, _password_prompt())

    def api(self, session: Session | None = None) -> LockerApi:
        """Locker's API as the logged-in user (``--api-url`` overrides the stored one)."""
        session = session or self.session()
        return LockerApi(self.http, self.args.api_url or session.stored.api_url, session)

    def print(self, text: str) -> None:
        """One line of the command's result on stdout."""
        print(text, file=self.out, flush=True)

    def close(self) -> None:
        if self._http is not None:
            self._http.close()


def _password_prompt() -> Callable[[str], str] | None:
    """Ask on the terminal when there is one; scripts get a clear error instead."""
    return getpass.getpass if sys.stdin.isatty() else None
