"""Users by name: grants and memberships name people by Cognito username.

``CognitoDirectory`` resolves a name with ``AdminGetUser`` on Locker's own pool
(the role may call it on that pool only); ``InMemoryDirectory`` is the fake.
Unknown and disabled users are both "not found", never told apart; any other
Cognito failure is a 503 (``failures``), never taken for "no such user".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.failures import error_code, unavailable

# Cognito's username pattern, bounded: anything else cannot name a user.
_USERNAME_RE = re.compile(r"^[\w.@+=,-]{1,128}$")


@dataclass(frozen=True)
class User:
    """A user as grants and member lists show them."""

    id: str
    name: str


class Directory(Protocol):
    """Looks users up by name."""

    def find(self, username: str) -> User | None:
        """The enabled user called ``username``, or None."""


def valid_username(value: str) -> bool:
    """Whether ``value`` could be a Cognito username at all."""
    return bool(_USERNAME_RE.fullmatch(value))  # fullmatch: "$" alone would let a final newline in


class CognitoDirectory:
    """Users of one Cognito user pool."""

    def __init__(self, client: Any, pool_id: str) -> None:
        self._cognito = client
        self._pool = pool_id

    def find(self, username: str) -> User | None:
        if not valid_username(username):
            return None
        try:
            found = self._cognito.admin_get_user(UserPoolId=self._pool, Username=username)
        except ClientError as exc:
            if error_code(exc) == "UserNotFoundException":
                return None
            raise unavailable("Cognito AdminGetUser", exc) from None
        except BotoCoreError as exc:
            raise unavailable("Cognito AdminGetUser", exc) from None
        if not found.get("Enabled", True):
            return None
        attributes = {a["Name"]: a["Value"] for a in found.get("UserAttributes", [])}
        sub = attributes.get("sub")
        if not sub:
            return None
        # With email as the username, Cognito's Username is an opaque id: show the email.
        name = found["Username"]
        if name == sub and "email" in attributes:
            name = attributes["email"]
        return User(sub, name)


class InMemoryDirectory:
    """A fixed set of users, for tests."""

    def __init__(self, users: dict[str, str] | None = None) -> None:
        self._users = dict(users or {})

    def add(self, username: str, sub: str) -> None:
        """Make ``username`` known with ``sub``."""
        self._users[username] = sub

    def find(self, username: str) -> User | None:
        sub = self._users.get(username)
        return User(sub, username) if sub else None
