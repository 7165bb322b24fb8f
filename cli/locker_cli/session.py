"""The signed-in user's session: stored per profile, refreshed before it expires.

``locker login`` saves the endpoints and tokens to ``credentials.json`` in the
config directory (mode 0600). Every other command loads them, refreshes the
access token with the refresh token when it is about to expire (or when
Locker answers 401), and, when the refresh token is no longer accepted,
asks for the password again if a terminal is attached.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import httpx

from locker_cli import cognito
from locker_cli.config import Endpoints
from locker_cli.errors import AUTH, CliError
from locker_cli.files import read_private, write_private

EARLY_REFRESH_SECONDS = 60  # Locker allows 60 s of clock skew; refresh before that


@dataclass(frozen=True)
class Stored:
    """One profile's saved session."""

    api_url: str
    cognito_url: str
    client_id: str
    multipart_threshold: int
    username: str
    access_token: str
    refresh_token: str | None
    expires_at: float

    @property
    def endpoints(self) -> Endpoints:
        return Endpoints(self.api_url, self.cognito_url, self.client_id, self.multipart_threshold)


class CredentialStore:
    """``credentials.json``: ``{"profiles": {name: Stored}}``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def load(self, profile: str) -> Stored | None:
        """The saved session of ``profile``, if any."""
        found = (read_private(self.path) or {}).get("profiles", {}).get(profile)
        try:
            return Stored(**found) if isinstance(found, dict) else None
        except TypeError:
            return None  # written by another version: log in again

    def save(self, profile: str, stored: Stored | None) -> None:
        """Save (or, with None, forget) ``profile``'s session, keeping the other profiles."""
        with self._lock:
            data = read_private(self.path) or {}
            profiles = data.get("profiles") if isinstance(data.get("profiles"), dict) else {}
            assert isinstance(profiles, dict)
            if stored is None:
                profiles.pop(profile, None)
            else:
                profiles[profile] = asdict(stored)
            write_private(self.path, {"profiles": profiles})


class Session:
    """Hands out a valid access token for one profile, refreshing and saving as needed."""

    def __init__(
        self,
        store: CredentialStore,
        profile: str,
        stored: Stored,
        http: httpx.Client,
        ask_password: Callable[[str], str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store, self._profile, self._stored = store, profile, stored
        self._http, self._ask, self._clock = http, ask_password, clock
        self._lock = threading.Lock()

    @property
    def stored(self) -> Stored:
        return self._stored

    def token(self) -> str:
        """A token that is valid for at least another minute."""
        with self._lock:
            if self._clock() >= self._stored.expires_at - EARLY_REFRESH_SECONDS:
                self._renew(self._stored.access_token)
            return self._stored.access_token

    def refreshed(self, rejected: str) -> str:
        """A new token after Locker refused ``rejected`` (another thread may have renewed it already)."""
        with self._lock:
            if self._stored.access_token == rejected:
                self._renew(rejected)
            return self._stored.access_token

    def _renew(self, current: str) -> None:
        stored = self._stored
        tokens: cognito.Tokens | None = None
        if stored.refresh_token:
            try:
                tokens = cognito.refresh(
                    self._http, stored.cognito_url, stored.client_id, stored.refresh_token
                )
            except CliError as error:
                if error.exit_code != AUTH:
                    raise
        if tokens is None:
            if self._ask is None:
                raise CliError(f"the session of {stored.username} has expired: run `locker login`", AUTH)
            password = self._ask(f"Session expired. Password for {stored.username}: ")
            tokens = cognito.password_login(
                self._http, stored.cognito_url, stored.client_id, stored.username, password
            )
        if tokens.access_token == current:
            raise CliError(f"Locker refuses the token of {stored.username}: run `locker login`", AUTH)
        self._stored = replace(
            stored,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token or stored.refresh_token,
            expires_at=tokens.expires_at,
        )
        self._store.save(self._profile, self._stored)
