"""Mistyped routes and methods over HTTP: Locker's JSON 404/405, never the local server's echo."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.e2e.api import Api
from tests.e2e.stack import Stack

DEEP = "/" + "/".join(f"s{n}" for n in range(40))  # deeper than any catch-all route


def lockers(answer: requests.Response, status: int, code: str, token: str) -> dict[str, Any]:
    """Locker's shape and security headers; nothing of the token comes back."""
    assert answer.status_code == status
    assert answer.headers["Content-Type"].startswith("application/json")
    body: dict[str, Any] = answer.json()
    assert set(body) == {"Code", "Message"}
    assert body["Code"] == code
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert token[-20:] not in answer.text
    assert all(token[-20:] not in value for value in answer.headers.values())
    return body


@pytest.mark.parametrize("path", ["/nope", "/files/abc/nope", "/Files", "/health/x", DEEP])
def test_an_unknown_route_with_a_token_is_lockers_404(alice: Api, path: str) -> None:
    for method in ("GET", "POST", "PUT"):
        lockers(alice.call(method, path), 404, "NotFoundError", alice.token)


@pytest.mark.parametrize(
    ("method", "path"), [("PUT", "/files"), ("PATCH", "/files/x"), ("TRACE", "/files"), ("QUERY", "/files/x")]
)
def test_a_wrong_method_is_a_405_with_allow(alice: Api, method: str, path: str) -> None:
    answer = alice.call(method, path)
    lockers(answer, 405, "MethodNotAllowedError", alice.token)
    assert "GET" in answer.headers["Allow"]
    assert method not in answer.headers["Allow"]


def test_unknown_routes_carry_cors_for_the_spa(alice: Api, stack: Stack) -> None:
    origin = stack.info["webUrl"]
    answer = alice.call("GET", "/nope", headers={"Origin": origin})
    lockers(answer, 404, "NotFoundError", alice.token)
    assert answer.headers["Access-Control-Allow-Origin"] == origin


def test_unknown_routes_without_a_token_are_the_generic_401(stack: Stack) -> None:
    answer = requests.get(stack.api + "/nope", timeout=10)
    assert answer.status_code == 401
    assert answer.json()["Code"] == "UnauthorizedError"
