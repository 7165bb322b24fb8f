"""Real answers conform to the document: each status is documented for its operation, each body
matches that status's schema for its content type. One walk through every route, through
Chalice's test client and the real app (as in test_routes_files)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client
from jsonschema import Draft202012Validator

from chalicelib.users import CognitoDirectory, InMemoryDirectory
from tests import tokens
from tests.unit.test_openapi import COMMITTED
from tests.unit.test_routes_files import ALICE, BOB, BUCKET, PNG, Api

seen: set[tuple[str, str, int]] = set()


class Checked(Api):
    """The app behind the test client; every answer is checked against the document."""

    def call_as(self, template: str, method: str, path: str, **kwargs: Any) -> Any:
        # The probe sends no Cache-Control and the link page errors in HTML, which Api.call refuses.
        if template in ("/health", "/l/{token}"):
            response = self.client.http.request(method, path, headers=kwargs.get("headers") or {})
        else:
            response = self.call(method, path, **kwargs)
        conforms(method, template, response)
        seen.add((method, template, response.status_code))
        return response


def conforms(method: str, template: str, response: Any) -> None:
    operation = COMMITTED["paths"][template][method.lower()]
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, (method, template, response.status_code, response.body)
    if not response.body:
        assert "content" not in documented or response.status_code == 303, (method, template)
        return
    # Chalice's test client leaves a dict answer's type unset; its local server and API Gateway say JSON.
    media = response.headers.get("Content-Type", "application/json").split(";")[0]
    assert media in documented["content"], (method, template, media)
    schema = documented["content"][media]["schema"]
    body = response.body.decode() if media == "text/html" else json.loads(response.body)
    Draft202012Validator({**schema, "components": COMMITTED["components"]}).validate(body)
    for name, header in documented.get("headers", {}).items():
        if header.get("required"):
            assert name in response.headers, (method, template, name)


@pytest.fixture
def api(
    api_env: tokens.FakeFetcher, aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Checked]:
    monkeypatch.setenv("LOCKER_QUOTA_BYTES", str(1 << 40))
    monkeypatch.setenv("LOCKER_MULTIPART_THRESHOLD", "1000")
    people = InMemoryDirectory({"alice": ALICE, "bob": BOB})  # unit tests have no Cognito pool
    monkeypatch.setattr(CognitoDirectory, "find", lambda _, name: people.find(name))
    from app import app

    with Client(app) as client:
        yield Checked(client, aws["s3"])


def _ready(api: Checked) -> dict[str, Any]:
    body = {"filename": "a.png", "contentType": "image/png", "size": len(PNG)}
    created = api.call_as("/files", "POST", "/files", body=body).json_body
    file: dict[str, Any] = created["file"]
    api.call_as("/files/{file_id}/complete", "POST", f"/files/{file['id']}/complete")  # 409: no bytes yet
    api.s3.put_object(Bucket=BUCKET, Key=f"users/{ALICE}/{file['id']}", Body=PNG, ContentType="image/png")
    api.call_as("/files/{file_id}/complete", "POST", f"/files/{file['id']}/complete")
    return file


def test_every_answer_of_a_walk_through_the_api_is_documented_and_matches_its_schema(api: Checked) -> None:
    api.call_as("/health", "GET", "/health", sub=None)
    api.call_as("/openapi.json", "GET", "/openapi.json", sub=None)
    file_id = _ready(api)["id"]
    files = f"/files/{file_id}"
    api.call_as("/files", "GET", "/files?limit=1")
    api.call_as("/files", "GET", "/files?limit=0")
    api.call_as("/files", "GET", "/files", sub=None)
    api.call_as("/files/{file_id}", "GET", files)
    api.call_as("/files/{file_id}", "GET", files, sub=BOB)
    api.call_as("/files/{file_id}/download", "GET", f"{files}/download")
    api.call_as("/files", "POST", "/files", body={"filename": "a.png"})
    api.call_as("/files", "POST", "/files", body=b"{}", headers={"Content-Type": "text/plain"})
    api.call_as("/files", "POST", "/files", body={"filename": "x" * 17000})
    big = {"filename": "big.png", "contentType": "image/png", "size": 2000}
    multipart = api.call_as("/files", "POST", "/files", body=big).json_body["file"]["id"]
    parts = f"/files/{multipart}/parts"
    api.call_as("/files/{file_id}/parts", "POST", parts, body={"parts": [{"partNumber": 1}]})
    api.call_as("/files/{file_id}/parts", "GET", parts)
    api.call_as("/files/{file_id}/parts", "GET", f"{files}/parts")  # 409: not multipart
    sign = {"method": "PUT", "key": "x", "filename": "b.png", "contentType": "image/png", "size": 10}
    api.call_as("/uploads/sign", "POST", "/uploads/sign", body=sign)

    api.call_as("/groups", "POST", "/groups", body={"name": "team"})
    api.call_as("/groups", "POST", "/groups", body={"name": "team"})  # 409
    api.call_as("/groups", "GET", "/groups")
    api.call_as("/groups/{name}/members", "GET", "/groups/team/members")
    api.call_as("/groups/{name}/members", "POST", "/groups/team/members", body={"user": "bob"})
    api.call_as("/groups/{name}/members", "POST", "/groups/team/members", body={"user": "bob"})  # 200
    api.call_as("/groups/{name}/members", "POST", "/groups/team/members", body={"user": "carol"})  # 404
    grant = api.call_as(
        "/files/{file_id}/grants", "POST", f"{files}/grants", body={"group": "team"}
    ).json_body
    api.call_as("/files/{file_id}/grants", "POST", f"{files}/grants", body={"group": "team"})  # 200
    api.call_as("/files/{file_id}/grants", "GET", f"{files}/grants")
    api.call_as("/shared", "GET", "/shared", sub=BOB)
    api.call_as("/files/{file_id}", "GET", files, sub=BOB)  # shared: owner and access
    api.call_as("/files/{file_id}", "DELETE", files, sub=BOB)  # 403
    grant_path = f"{files}/grants/{grant['grant']['id']}"
    api.call_as("/files/{file_id}/grants/{grant_id}", "DELETE", grant_path)

    link = api.call_as("/files/{file_id}/links", "POST", f"{files}/links", body={"maxDownloads": 2}).json_body
    api.call_as("/files/{file_id}/links", "GET", f"{files}/links")
    token_path = "/l/" + link["link"]["url"].rsplit("/", 1)[1]
    html = {"Accept": "text/html"}
    as_json = {"Accept": "application/json"}
    api.call_as("/l/{token}", "GET", token_path, sub=None, headers=html)
    api.call_as("/l/{token}", "GET", token_path, sub=None, headers=as_json)
    api.call_as("/l/{token}", "POST", token_path, sub=None, headers=as_json)
    api.call_as("/l/{token}", "POST", token_path, sub=None, headers=html)  # 303
    api.call_as("/l/{token}", "POST", token_path, sub=None, headers=html)  # 404, HTML
    api.call_as("/l/{token}", "GET", token_path, sub=None, headers=as_json)  # 404, JSON
    api.call_as("/files/{file_id}/links/{link_id}", "DELETE", f"{files}/links/{link['link']['id']}")

    api.call_as("/files/{file_id}/activity", "GET", f"{files}/activity")
    api.call_as("/activity", "GET", "/activity?limit=2")
    api.call_as("/groups/{name}/members/{user_id}", "DELETE", f"/groups/team/members/{ALICE}")  # 409
    api.call_as("/groups/{name}", "DELETE", "/groups/team")
    api.call_as("/files/{file_id}", "DELETE", files)

    statuses = {s for _, _, s in seen}
    assert {200, 201, 204, 303, 400, 401, 403, 404, 409, 413, 415} <= statuses
    assert {(m, t) for m, t, _ in seen} == {
        (m.upper(), p) for p, item in COMMITTED["paths"].items() for m in item
    }
