"""Unknown routes and methods get Locker's own 404/405, never the local gateway's echo."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chalice.app import Chalice
from chalice.test import Client

from chalicelib.routes import unmatched
from tests import tokens
from tests.unit.test_gateway import bearer, fetcher, good

__all__ = ["fetcher"]  # the fixture, imported for the tests below

ORIGIN = "https://app.example.com"
UNKNOWN_PATHS = ["/nope", "/files/abc/nope", "/files/abc/complete/more", "/health/x", "/a/b/c/d/e/f/g/h"]


def _app() -> Chalice:
    from app import app

    return app


def call(method: str, path: str, headers: dict[str, str]) -> Any:
    with Client(_app()) as client:
        return client.http.request(method, path, headers=headers)


def assert_lockers(response: Any, status: int, code: str, sent: dict[str, str]) -> dict[str, Any]:
    """Locker's shape and headers, and nothing the caller sent comes back."""
    assert response.status_code == status
    body: dict[str, Any] = json.loads(response.body)
    assert set(body) == {"Code", "Message"}
    assert body["Code"] == code
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    answered = response.body.decode() + json.dumps(dict(response.headers))
    for value in sent.values():
        assert value.partition(" ")[2] not in answered
    return body


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "PATCH"])
def test_an_unknown_route_is_lockers_404(fetcher: tokens.FakeFetcher, method: str, path: str) -> None:
    headers = bearer(good())
    body = assert_lockers(call(method, path, headers), 404, "NotFoundError", headers)
    assert body == unmatched.NOT_FOUND


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/files", "GET, OPTIONS, POST"),
        ("PATCH", "/files", "GET, OPTIONS, POST"),
        ("POST", "/files/01J0", "DELETE, GET, OPTIONS"),
        ("HEAD", "/files/01J0/download", "GET, OPTIONS"),
        ("DELETE", "/health", "GET"),
    ],
)
def test_a_wrong_method_on_a_known_route_is_a_405_naming_what_is_allowed(
    fetcher: tokens.FakeFetcher, method: str, path: str, allow: str
) -> None:
    sent = bearer(good())
    response = call(method, path, {**sent, "Content-Type": "application/x-www-form-urlencoded"})
    assert_lockers(response, 405, "MethodNotAllowedError", sent)
    assert response.headers["Allow"] == allow


def test_unknown_routes_and_methods_still_need_a_token(fetcher: tokens.FakeFetcher) -> None:
    for method, path in (("GET", "/nope"), ("PUT", "/files"), ("GET", "/a/b/c")):
        sent = {"Authorization": "Bearer not-a-token-at-all"}
        assert_lockers(call(method, path, sent), 401, "UnauthorizedError", sent)
        assert call(method, path, {}).status_code == 401


def test_unmatched_answers_carry_cors_for_the_spa(
    fetcher: tokens.FakeFetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib import config

    monkeypatch.setenv("LOCKER_WEB_ORIGIN", ORIGIN)
    config.reset()
    for method, path, status in (("GET", "/nope", 404), ("PUT", "/files", 405)):
        response = call(method, path, {**bearer(good()), "Origin": ORIGIN})
        assert response.status_code == status
        assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert "WWW-Authenticate" in response.headers["Access-Control-Expose-Headers"]  # the SPA reads 401s


def test_a_method_no_route_can_declare_is_a_405(fetcher: tokens.FakeFetcher) -> None:
    """TRACE: Chalice's own 405 would list the 405 routes as allowed."""
    with Client(_app()) as client:
        response = client.http.request("TRACE", "/files", headers=bearer(good()))
        unknown = client.http.request("TRACE", "/nope", headers=bearer(good()))
    assert_lockers(response, 405, "MethodNotAllowedError", bearer(good()))
    assert response.headers["Allow"] == "GET, OPTIONS, POST"
    assert_lockers(unknown, 404, "NotFoundError", bearer(good()))


def test_every_route_of_the_app_answers_every_method() -> None:
    routes = _app().routes
    for path, entries in routes.items():
        assert set(entries) == set(unmatched.METHODS), path
    for path in unmatched.catch_all_paths():
        assert path in routes
    # Chalice's local matcher tries routes in sorted order: a real route must sort before the
    # catch-all of its depth, or the catch-all would shadow it.
    for path in unmatched.declared(routes):
        catch_all = unmatched.catch_all_paths()[path.count("/") - 1]
        assert sorted([path, catch_all])[0] == path, path


def test_declared_lists_only_the_routes_views_were_written_for() -> None:
    routes = unmatched.declared(_app().routes)
    assert routes["/files"] == ("GET", "OPTIONS", "POST")
    assert routes["/health"] == ("GET",)
    assert not any(path.startswith("/{" + unmatched.CATCH_ALL_PARAM) for path in routes)


def test_register_reads_the_route_table_it_is_given() -> None:
    app = Chalice("probe")

    @app.route("/things/{thing}", methods=["PUT"])
    def put_thing(thing: str) -> dict[str, str]:
        return {"thing": thing}

    unmatched.register(app)
    assert set(app.routes["/things/{thing}"]) == set(unmatched.METHODS)
    with Client(app) as client:
        assert client.http.request("PUT", "/things/a").json_body == {"thing": "a"}
        refused = client.http.request("GET", "/things/a")
        missing = client.http.request("GET", "/things/a/b")
    assert refused.status_code == 405
    assert refused.headers["Allow"] == "PUT"
    assert missing.status_code == 404
