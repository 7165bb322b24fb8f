"""Idempotency-Key over HTTP against the local stack: concurrent retries, link replay, CORS."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.e2e.api import Api
from tests.e2e.stack import ROOT, Stack

PNG = (ROOT / "assets" / "1.png").read_bytes()
DECLARE = {"filename": "retried.png", "contentType": "image/png", "size": len(PNG)}


def test_twenty_concurrent_retries_with_one_key_create_exactly_one_file(alice: Api) -> None:
    key = f"e2e-{uuid.uuid4()}"

    def send(_: int) -> requests.Response:
        return alice.call("POST", "/files", json=DECLARE, headers={"Idempotency-Key": key})

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(send, range(20)))
    created = [a for a in answers if a.status_code == 201]
    busy = [a for a in answers if a.status_code == 409]
    assert len(created) + len(busy) == 20, [a.status_code for a in answers]
    assert all(a.headers["Retry-After"] and a.json()["Code"] == "ConflictError" for a in busy)
    assert created and all(a.json() == created[0].json() for a in created)
    file_id = created[0].json()["file"]["id"]
    assert [f["id"] for f in alice.call("GET", "/files").json()["items"]] == [file_id]
    retried = send(0)
    assert retried.status_code == 201 and retried.json()["file"]["id"] == file_id
    assert retried.headers["Idempotent-Replayed"] == "true"
    other = alice.call("POST", "/files", json={**DECLARE, "size": 1}, headers={"Idempotency-Key": key})
    assert other.status_code == 409 and key not in other.text


def test_a_retried_link_answers_the_same_working_url(alice: Api) -> None:
    file_id = alice.upload(PNG)["id"]
    key = f"link-{uuid.uuid4()}"
    body = {"maxDownloads": 1}
    first = alice.call("POST", f"/files/{file_id}/links", json=body, headers={"Idempotency-Key": key})
    again = alice.call("POST", f"/files/{file_id}/links", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert len(alice.call("GET", f"/files/{file_id}/links").json()["items"]) == 1
    url = first.json()["link"]["url"]
    head = requests.head(url, timeout=10)  # public like GET, no body, uses nothing
    assert head.status_code == 200 and head.content == b""
    page = requests.get(url, headers={"Accept": "application/json"}, timeout=10)
    assert page.status_code == 200 and page.json()["downloadsLeft"] == 1


def test_a_browser_may_send_the_header_and_read_retry_after(stack: Stack, alice: Api) -> None:
    headers = {
        "Origin": stack.info["webUrl"],
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
    }
    preflight = requests.options(stack.api + "/files", headers=headers, timeout=10)
    assert preflight.status_code in (200, 204)
    allowed = {h.strip().lower() for h in preflight.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key"} <= allowed
    answer = alice.call("GET", "/files", headers={"Origin": stack.info["webUrl"]})
    exposed = {h.strip().lower() for h in answer.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"retry-after", "idempotent-replayed"} <= exposed
