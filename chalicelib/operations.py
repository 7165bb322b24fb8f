"""What each route answers, beyond its body schemas: success statuses, error statuses, parameters.

One entry per real route (``unmatched.declared(app.routes)`` without the CORS
preflights); ``tests/unit/test_openapi.py`` fails when a route has no entry or
an entry no route. ``openapi`` turns these into the document's operations.
Error statuses are every one the route's code can raise, so a client (and
schemathesis) is never surprised by an undocumented status.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    """One success answer: a schema in ``components.schemas`` (None: no body)."""

    schema: str | None
    description: str
    media: tuple[str, ...] = ("application/json",)
    headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Operation:
    """How one method on one path behaves, as the document tells it."""

    answers: dict[int, Answer]
    errors: tuple[int, ...]
    body: str | None = None  # request schema in ``components.schemas``
    query: tuple[str, ...] = ()
    public: bool = False  # no bearer token
    idempotency_key: bool = False
    html_errors: bool = False  # the link page answers browsers' 404 in HTML
    notes: str = ""


BODY = (400, 413, 415)  # what json_body and the body's validator can answer
NO_CONTENT = {204: Answer(None, "Done; no body.")}
PAGE = ("limit", "cursor")


def _ok(schema: str, description: str = "OK") -> dict[int, Answer]:
    return {200: Answer(schema, description)}


def _made(schema: str, again: str) -> dict[int, Answer]:
    return {201: Answer(schema, "Created."), 200: Answer(schema, again)}


OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/health"): Operation(_ok("Health"), (), public=True),
    ("GET", "/openapi.json"): Operation(
        {200: Answer("OpenAPIDocument", "This document.")}, (503,), public=True
    ),
    ("POST", "/files"): Operation(
        {201: Answer("CreatedFile", "The pending file and where to send its bytes.")},
        (*BODY, 409, 429, 503),
        body="NewFile",
        idempotency_key=True,
    ),
    ("GET", "/files"): Operation(
        _ok("FilePage", "The caller's files, newest first."), (400, 503), query=(*PAGE, "status")
    ),
    ("GET", "/files/{file_id}"): Operation(_ok("FileAnswer"), (404, 503)),
    ("DELETE", "/files/{file_id}"): Operation(NO_CONTENT, (403, 404, 409, 503)),
    ("POST", "/files/{file_id}/complete"): Operation(
        _ok("FileAnswer", "The file, ready (or as it already was)."), (403, 404, 409, 422, 503)
    ),
    ("GET", "/files/{file_id}/download"): Operation(_ok("Download"), (404, 409, 503)),
    ("POST", "/files/{file_id}/parts"): Operation(
        _ok("PartUrls"), (*BODY, 403, 404, 409, 503), body="PartRequests"
    ),
    ("GET", "/files/{file_id}/parts"): Operation(_ok("StoredParts"), (403, 404, 409, 503)),
    ("POST", "/uploads/sign"): Operation(
        _ok("Presigned", "Uppy's PresignedResponse."), (*BODY, 403, 404, 409, 429, 503), body="SignRequest"
    ),
    ("POST", "/files/{file_id}/grants"): Operation(
        _made("GrantAnswer", "The grantee had a grant: its expiry is updated."),
        (*BODY, 403, 404, 409, 503),
        body="GrantRequest",
        idempotency_key=True,
    ),
    ("GET", "/files/{file_id}/grants"): Operation(_ok("GrantList"), (403, 404, 503)),
    ("DELETE", "/files/{file_id}/grants/{grant_id}"): Operation(NO_CONTENT, (403, 404, 503)),
    ("GET", "/shared"): Operation(_ok("SharedPage", "Newest grant first."), (400, 503), query=PAGE),
    ("POST", "/groups"): Operation(
        {201: Answer("GroupAnswer", "Created; the caller manages it.")},
        (*BODY, 409, 503),
        body="GroupRequest",
    ),
    ("GET", "/groups"): Operation(_ok("GroupList"), (503,)),
    ("DELETE", "/groups/{name}"): Operation(NO_CONTENT, (403, 404, 503)),
    ("GET", "/groups/{name}/members"): Operation(_ok("MemberList"), (403, 404, 503)),
    ("POST", "/groups/{name}/members"): Operation(
        _made("MemberAnswer", "Already a member."), (*BODY, 403, 404, 409, 503), body="MemberRequest"
    ),
    ("DELETE", "/groups/{name}/members/{user_id}"): Operation(NO_CONTENT, (403, 404, 409, 503)),
    ("POST", "/files/{file_id}/links"): Operation(
        {201: Answer("LinkAnswer", "The link, with its url (shown only here).")},
        (*BODY, 403, 404, 409, 503),
        body="LinkRequest",
        idempotency_key=True,
    ),
    ("GET", "/files/{file_id}/links"): Operation(_ok("LinkList"), (403, 404, 503)),
    ("DELETE", "/files/{file_id}/links/{link_id}"): Operation(NO_CONTENT, (403, 404, 503)),
    ("GET", "/l/{token}"): Operation(
        {
            200: Answer(
                "LinkDescription",
                "The link page (HTML), or with Accept: application/json its description. Uses nothing.",
                media=("text/html", "application/json"),
            )
        },
        (404, 503),
        public=True,
        html_errors=True,
    ),
    ("POST", "/l/{token}"): Operation(
        {
            303: Answer(
                "Empty",
                "Uses one download: Location is a presigned GET living at most 30 s.",
                headers=("Location",),
            ),
            200: Answer("LinkDownload", "With Accept: application/json: uses one download."),
        },
        (404, 503),
        public=True,
        html_errors=True,
        notes="Reads no body and accepts any Content-Type (a plain HTML form posts it).",
    ),
    ("GET", "/files/{file_id}/activity"): Operation(
        _ok("ActivityPage", "Newest first."), (400, 403, 404, 503), query=PAGE
    ),
    ("GET", "/activity"): Operation(
        _ok("ActivityPage", "Newest first, deleted files included."), (400, 503), query=PAGE
    ),
}
