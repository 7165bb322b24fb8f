"""``/files/{id}/grants`` and ``/shared``: share a file with users and groups, and what others shared."""

from __future__ import annotations

import time
from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import runtime, sharing_validation, validation
from chalicelib.routes.common import (
    ANY_BODY,
    AUTHORIZER,
    add_preflights,
    caller,
    caller_name,
    current_request,
    json_body,
)
from chalicelib.routes.idempotent import idempotent

grants = Blueprint(__name__)
PATHS = ("/files/{file_id}/grants", "/files/{file_id}/grants/{grant_id}", "/shared")


@grants.route("/files/{file_id}/grants", methods=["POST"], authorizer=AUTHORIZER, content_types=ANY_BODY)
@idempotent(grants, "POST /files/{file_id}/grants")
def add_grant(file_id: str) -> Response:
    """Let a user or a group read the file (201; 200 when only the expiry changed)."""
    body = json_body(grants)
    to = sharing_validation.grant_body(body, time.time())
    answer, created = runtime.sharing().grants.grant(caller(), caller_name(), file_id, to)
    return Response(body=answer, status_code=201 if created else 200)


@grants.route("/files/{file_id}/grants", methods=["GET"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def list_grants(file_id: str) -> dict[str, Any]:
    """The file's grants (owner only)."""
    return runtime.sharing().grants.list_grants(caller(), file_id)


@grants.route(
    "/files/{file_id}/grants/{grant_id}", methods=["DELETE"], authorizer=AUTHORIZER, content_types=ANY_BODY
)
def revoke_grant(file_id: str, grant_id: str) -> Response:
    """Revoke a grant; it stops working at the grantee's next request."""
    runtime.sharing().grants.revoke(caller(), file_id, grant_id)
    return Response(body="", status_code=204)


@grants.route("/shared", methods=["GET"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def shared_with_me() -> dict[str, Any]:
    """Files others shared with the caller, directly or through groups, newest grant first."""
    params = {k: v for k, v in (current_request(grants).query_params or {}).items() if k != "status"}
    return runtime.sharing().grants.shared(caller(), validation.list_query(params))


add_preflights(grants, PATHS, "grants")
