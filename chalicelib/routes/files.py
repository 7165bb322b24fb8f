"""``/files``: declare, complete, list, read, download and delete the caller's files."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import runtime, validation
from chalicelib.routes.common import ANY_BODY, AUTHORIZER, add_preflights, caller, current_request, json_body
from chalicelib.routes.idempotent import idempotent

files = Blueprint(__name__)
PATHS = ("/files", "/files/{file_id}", "/files/{file_id}/complete", "/files/{file_id}/download")


@files.route("/files", methods=["POST"], authorizer=AUTHORIZER, content_types=ANY_BODY)
@idempotent(files, "POST /files")
def create_file() -> Response:
    """Declare an upload; answers the pending file and its presigned PUT."""
    locker = runtime.locker()
    body = json_body(files)
    created = locker.create(caller(), validation.new_file(body, locker.settings))
    return Response(body=created, status_code=201)


@files.route("/files", methods=["GET"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def list_files() -> dict[str, Any]:
    """The caller's files, newest first."""
    query = validation.list_query(current_request(files).query_params)
    return runtime.locker().list(caller(), query)


@files.route("/files/{file_id}", methods=["GET"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def get_file(file_id: str) -> dict[str, Any]:
    """One of the caller's files."""
    return runtime.locker().get(caller(), file_id)


@files.route("/files/{file_id}/complete", methods=["POST"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def complete_file(file_id: str) -> dict[str, Any]:
    """Check the uploaded bytes and make the file ready (idempotent)."""
    return runtime.locker().complete(caller(), file_id)


@files.route("/files/{file_id}/download", methods=["GET"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def download_file(file_id: str) -> dict[str, Any]:
    """A short-lived download URL for a ready file."""
    return runtime.locker().download(caller(), file_id)


@files.route("/files/{file_id}", methods=["DELETE"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def delete_file(file_id: str) -> Response:
    """Delete the object, its record and its quota."""
    runtime.locker().delete(caller(), file_id)
    return Response(body="", status_code=204)


add_preflights(files, PATHS, "files")
