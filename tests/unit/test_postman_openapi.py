"""The Postman collection and the OpenAPI document stay in step: every request the collection sends
to Locker is an operation of the document, and every operation has at least one request."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from tests.unit.test_openapi import COMMITTED, ROOT

COLLECTION = ROOT / "postman" / "locker.postman_collection.json"
LOCKER = "{{apiUrl}}"
# linkUrl is the url Locker answered for a new link: {{apiUrl}}/l/<token>.
ALIASES = {"{{linkUrl}}": LOCKER + "/l/{token}"}
# Everything else the collection talks to: Cognito to log in, storage through presigned URLs.
NOT_LOCKER = {"{{cognitoEndpoint}}", "{{uploadUrl}}", "{{downloadUrl}}"}


def _requests(items: list[dict[str, Any]]) -> Iterator[tuple[str, str, str]]:
    for item in items:
        if "item" in item:
            yield from _requests(item["item"])
        else:
            url = item["request"]["url"]
            yield item["name"], item["request"]["method"], url if isinstance(url, str) else url["raw"]


def _template_matches(template: str, path: str) -> bool:
    pattern = re.sub(r"\\{\w+\\}", "[^/]+", re.escape(template))
    return re.fullmatch(pattern, path) is not None


def _operation(method: str, url: str) -> tuple[str, str]:
    url = ALIASES.get(url, url)
    assert url.startswith(LOCKER + "/"), url
    path = url.removeprefix(LOCKER).split("?")[0]
    if path in COMMITTED["paths"]:  # a concrete path wins over a template, as in Chalice
        return method, path
    matches = [t for t in COMMITTED["paths"] if _template_matches(t, path)]
    assert len(matches) == 1, (method, url, matches)
    return method, matches[0]


def _locker_requests() -> list[tuple[str, str, str]]:
    found = list(_requests(json.loads(COLLECTION.read_text())["item"]))
    assert {url for _, _, url in found if not url.startswith(LOCKER) and url not in ALIASES} == NOT_LOCKER
    return [r for r in found if r[2] not in NOT_LOCKER]


def test_every_request_to_locker_is_an_operation_of_the_document() -> None:
    for name, method, url in _locker_requests():
        operation = _operation(method, url)
        assert method.lower() in COMMITTED["paths"][operation[1]], (name, operation)


def test_every_operation_of_the_document_has_a_request_in_the_collection() -> None:
    covered = {_operation(method, url) for _, method, url in _locker_requests()}
    documented = {(m.upper(), p) for p, item in COMMITTED["paths"].items() for m in item}
    assert documented - covered == set()


def test_the_matcher_tells_templates_apart() -> None:
    assert _operation("GET", "{{apiUrl}}/files/{{fileId}}/download") == ("GET", "/files/{file_id}/download")
    assert _operation("GET", "{{apiUrl}}/files?limit=5") == ("GET", "/files")
    assert _operation("POST", "{{linkUrl}}") == ("POST", "/l/{token}")
