"""``/files/{id}/links`` (the owner's) and ``/l/{token}`` (anyone holding a link, no bearer token)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import failures, linkpage, runtime, sharing_validation
from chalicelib.errors import LinkNotFound, ServiceUnavailableError
from chalicelib.routes.common import (
    ANY_BODY,
    AUTHORIZER,
    add_preflights,
    caller,
    current_request,
    json_body,
    public_base,
)
from chalicelib.routes.idempotent import idempotent

links = Blueprint(__name__)
PATHS = ("/files/{file_id}/links", "/files/{file_id}/links/{link_id}")
PUBLIC_PATH = "/l/{token}"


@links.route("/files/{file_id}/links", methods=["POST"], authorizer=AUTHORIZER, content_types=ANY_BODY)
@idempotent(links, "POST /files/{file_id}/links")
def create_link(file_id: str) -> Response:
    """A download link for the file; its url is shown only in this answer."""
    request = current_request(links)
    expires_in, max_downloads = sharing_validation.link_body(json_body(links))
    answer = runtime.sharing().links.create(
        caller(), file_id, expires_in, max_downloads, public_base(request)
    )
    return Response(body=answer, status_code=201)


@links.route("/files/{file_id}/links", methods=["GET"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def list_links(file_id: str) -> dict[str, Any]:
    """The file's links, with downloads left (owner only)."""
    return runtime.sharing().links.list(caller(), file_id)


@links.route(
    "/files/{file_id}/links/{link_id}", methods=["DELETE"], authorizer=AUTHORIZER, content_types=ANY_BODY
)
def revoke_link(file_id: str, link_id: str) -> Response:
    """Revoke a link at once."""
    runtime.sharing().links.revoke(caller(), file_id, link_id)
    return Response(body="", status_code=204)


add_preflights(links, PATHS, "links")


def _unavailable(browser: bool, exc: ServiceUnavailableError) -> Response:
    """A dependency failed: the contract's 503, shaped and headed like every answer under /l/."""
    if browser:
        return linkpage.html_response(503, linkpage.unavailable_page())
    return linkpage.json_response(503, {"Code": type(exc).__name__, "Message": str(exc)})


def _not_found(browser: bool) -> Response:
    if browser:
        return linkpage.html_response(404, linkpage.not_found_page())
    return linkpage.json_response(404, {"Code": "NotFoundError", "Message": "link not found"})


def _page(token: str, browser: bool) -> Response:
    service = runtime.sharing().links
    try:
        with failures.unclassified("link page"):
            described = service.describe(token)
    except LinkNotFound:
        return _not_found(browser)
    except ServiceUnavailableError as exc:
        return _unavailable(browser, exc)
    if not browser:
        return linkpage.json_response(200, described)
    return linkpage.html_response(200, linkpage.download_page(described), service.storage_origin())


@links.route(PUBLIC_PATH, methods=["GET", "HEAD"], content_types=ANY_BODY)
def link_page(token: str) -> Response:
    """The link's page (or JSON description); never uses a download. HEAD: the same, without a body."""
    request = current_request(links)
    page = _page(token, linkpage.wants_html(request.headers))
    if request.method == "HEAD":
        return Response(body="", status_code=page.status_code, headers=page.headers)
    return page


@links.route(PUBLIC_PATH, methods=["POST"], content_types=ANY_BODY)
def use_link(token: str) -> Response:
    """Use one download: 303 to a presigned GET living at most 30 s (200 JSON if asked)."""
    headers = current_request(links).headers
    try:
        with failures.unclassified("link use"):
            issued = runtime.sharing().links.consume(token)
    except LinkNotFound:
        return _not_found(linkpage.wants_html(headers))
    except ServiceUnavailableError as exc:
        return _unavailable(linkpage.wants_html(headers), exc)
    if "application/json" in headers.get("accept", ""):
        return linkpage.json_response(200, issued)
    return linkpage.json_response(303, {}, {"Location": issued["url"]})
