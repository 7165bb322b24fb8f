"""The OpenAPI document: current, valid, true to the app's routes, every error in Locker's shape."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from chalice.test import Client
from openapi_spec_validator import validate

from chalicelib import openapi
from chalicelib.operations import OPERATIONS
from scripts import openapi as script
from tests import hostile, tokens

ROOT = script.DOCUMENT.parents[1]
COMMITTED: dict[str, Any] = json.loads(script.DOCUMENT.read_text())
ERROR = {"$ref": "#/components/schemas/Error"}


def _app() -> Any:
    from app import app

    return app


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m.upper(), p, op) for p, item in document["paths"].items() for m, op in item.items()]


def _real_routes() -> set[tuple[str, str]]:
    """What the app serves, read straight off Chalice's route table: no 404/405 refusals, no preflights."""
    return {
        (method, path)
        for path, entries in _app().routes.items()
        for method, entry in entries.items()
        if method != "OPTIONS" and not entry.view_name.startswith("unmatched_")
    }


def test_the_committed_document_is_the_generated_one() -> None:
    assert script.DOCUMENT.read_text() == script.generate(), "docs/openapi.json is stale: run make openapi"


def test_the_check_mode_fails_on_a_stale_document(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    stale = tmp_path / "openapi.json"
    stale.write_text(script.DOCUMENT.read_text().replace('"Locker"', '"Lockr"', 1))
    monkeypatch.setattr(script, "DOCUMENT", stale)
    assert script.main(["--check"]) == 1
    stale.write_text(script.generate())
    assert script.main(["--check"]) == 0


def test_the_document_is_valid_openapi_3_1() -> None:
    assert COMMITTED["openapi"] == "3.1.0"
    validate(COMMITTED)


def test_its_operations_are_exactly_the_apps_routes() -> None:
    assert {(m, p) for m, p, _ in _operations(COMMITTED)} == _real_routes()
    assert set(OPERATIONS) == _real_routes()


def test_every_operation_is_named_and_summarised_by_its_view() -> None:
    app = _app()
    for method, path, operation in _operations(COMMITTED):
        view = app.routes[path][method]
        assert operation["operationId"] == view.view_name
        assert operation["summary"] == view.view_function.__doc__.strip().splitlines()[0]


def test_every_error_status_uses_the_error_schema() -> None:
    errors = 0
    for _, _, operation in _operations(COMMITTED):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                errors += 1
                assert response["content"]["application/json"]["schema"] == ERROR
    assert errors > len(COMMITTED["paths"])
    assert set(COMMITTED["components"]["schemas"]["Error"]["required"]) == {"Code", "Message"}


def test_every_503_says_when_to_retry_and_every_401_how_to_authenticate() -> None:
    for method, path, operation in _operations(COMMITTED):
        responses = operation["responses"]
        if (method, path) != ("GET", "/health"):
            assert responses["503"]["headers"]["Retry-After"]["required"] is True, (method, path)
        if "401" in responses:
            assert "WWW-Authenticate" in responses["401"]["headers"]


def test_public_routes_have_no_security_and_every_other_needs_the_bearer_and_may_answer_401() -> None:
    assert COMMITTED["security"] == [{"CognitoBearer": []}]
    assert COMMITTED["components"]["securitySchemes"]["CognitoBearer"]["scheme"] == "bearer"
    for method, path, operation in _operations(COMMITTED):
        public = (method, path) in hostile.PUBLIC_ROUTES
        assert ("security" in operation and operation["security"] == []) == public, (method, path)
        assert ("401" in operation["responses"]) != public, (method, path)


def test_routes_that_read_a_body_document_it_and_its_refusals() -> None:
    for method, path, operation in _operations(COMMITTED):
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= set(operation["responses"]), (method, path)
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            assert schema["$ref"].removeprefix("#/components/schemas/") in COMMITTED["components"]["schemas"]


def test_the_idempotent_creates_document_their_key_and_its_409() -> None:
    keyed = {
        (m, p)
        for m, p, op in _operations(COMMITTED)
        if any(param["name"] == "Idempotency-Key" for param in op.get("parameters", []))
    }
    assert keyed == {
        ("POST", "/files"),
        ("POST", "/files/{file_id}/grants"),
        ("POST", "/files/{file_id}/links"),
    }
    for method, path in keyed:
        assert "409" in COMMITTED["paths"][path][method.lower()]["responses"]


def test_get_openapi_json_needs_no_token_and_tells_this_deployments_limits(
    api_env: tokens.FakeFetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOCKER_MAX_SIZE", "12345")
    monkeypatch.setenv("LOCKER_ALLOWED_TYPES", "text/plain,image/png")
    with Client(_app()) as client:
        response = client.http.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    served = json.loads(response.body)
    new_file = served["components"]["schemas"]["NewFile"]["properties"]
    assert new_file["size"]["maximum"] == 12345
    assert new_file["contentType"]["enum"] == ["text/plain", "image/png"]
    assert served["paths"] == COMMITTED["paths"]


def test_the_document_is_built_on_first_request_and_its_code_not_even_imported_before() -> None:
    probe = (
        "import sys\n"
        "import app\n"
        "print('chalicelib.openapi' in sys.modules)\n"
        "from chalicelib import openapi\n"
        "calls = []\n"
        "openapi.build = lambda *a: calls.append(a)\n"
        "import scripts.openapi\n"
        "print(openapi._served is None, calls == [])\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert shown.stdout.split() == ["False", "True", "True"]


def test_served_builds_once_per_container(
    api_env: tokens.FakeFetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    real = openapi.build

    def counting(routes: Any, settings: Any) -> dict[str, Any]:
        built.append(1)
        return real(routes, settings)

    monkeypatch.setattr(openapi, "build", counting)
    first = openapi.served(_app().routes)
    assert openapi.served(_app().routes) is first
    assert built == [1]
