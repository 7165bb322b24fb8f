"""Large-file uploads: ``/files/{id}/parts`` (Locker's multipart) and ``/uploads/sign`` (Uppy)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import runtime
from chalicelib.routes.common import ANY_BODY, AUTHORIZER, add_preflights, caller, json_body

uploads = Blueprint(__name__)
PATHS = ("/files/{file_id}/parts", "/uploads/sign")


@uploads.route("/files/{file_id}/parts", methods=["POST"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def sign_parts(file_id: str) -> dict[str, Any]:
    """Presigned URLs for some parts of the caller's pending multipart upload."""
    body = json_body(uploads)
    return runtime.parts().sign(caller(), file_id, body)


@uploads.route("/files/{file_id}/parts", methods=["GET"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def list_parts(file_id: str) -> dict[str, Any]:
    """The parts storage already holds for the caller's pending multipart upload (resume)."""
    return runtime.parts().list(caller(), file_id)


@uploads.route("/uploads/sign", methods=["POST"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def sign_upload_request() -> dict[str, Any]:
    """Uppy's ``signRequest``: a PresignableRequest in, a PresignedResponse out."""
    body = json_body(uploads)
    return runtime.uppy().sign_body(caller(), body)


add_preflights(uploads, PATHS, "uploads")
