"""Locker's HTTP routes. Each view parses, calls chalicelib, and returns a dict.

Authentication is not a per-route opt-in: ``gateway.middleware`` verifies the
bearer token for every route except ``GET /health`` before any view runs.
Deployed, API Gateway's Cognito authorizer also checks it first (``deployment``).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from chalice.app import Chalice, Cron, Request, Response

from chalicelib import deployment, gateway, runtime, validation
from chalicelib.gateway import current_principal

app = Chalice(app_name="locker")
app.log.setLevel(logging.INFO)  # Chalice defaults its logger (and so locker.*) to ERROR
app.register_middleware(gateway.middleware, "http")
runtime.fail_fast_in_lambda(os.environ)
AUTHORIZER = deployment.gateway_authorizer(os.environ)
# Routes that take no body accept any Content-Type (curl -d '' sends a form type);
# only POST /files reads a body, and it must be JSON (415 otherwise).
ANY_BODY = ["*/*"]
FILE_PATHS = ("/files", "/files/{file_id}", "/files/{file_id}/complete", "/files/{file_id}/download")


def _owner() -> str:
    return current_principal().sub


def _request() -> Request:
    request = app.current_request
    if request is None:  # Chalice sets it before any view runs
        raise RuntimeError("no current request")
    return request


@app.route("/health", methods=["GET"])
def health() -> dict[str, str]:
    """Liveness probe; the only route that needs no token."""
    return {"status": "ok"}


@app.route("/files", methods=["POST"], authorizer=AUTHORIZER)
def create_file() -> Response:
    """Declare an upload; answers the pending file and its presigned PUT."""
    locker = runtime.locker()
    body = validation.json_object(_request().raw_body)
    created = locker.create(_owner(), validation.new_file(body, locker.settings))
    return Response(body=created, status_code=201)


@app.route("/files", methods=["GET"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def list_files() -> dict[str, Any]:
    """The caller's files, newest first."""
    query = validation.list_query(_request().query_params)
    return runtime.locker().list(_owner(), query)


@app.route("/files/{file_id}", methods=["GET"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def get_file(file_id: str) -> dict[str, Any]:
    """One of the caller's files."""
    return runtime.locker().get(_owner(), file_id)


@app.route("/files/{file_id}/complete", methods=["POST"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def complete_file(file_id: str) -> dict[str, Any]:
    """Check the uploaded bytes and make the file ready (idempotent)."""
    return runtime.locker().complete(_owner(), file_id)


@app.route("/files/{file_id}/download", methods=["GET"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def download_file(file_id: str) -> dict[str, Any]:
    """A short-lived download URL for a ready file."""
    return runtime.locker().download(_owner(), file_id)


@app.route("/files/{file_id}", methods=["DELETE"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def delete_file(file_id: str) -> Response:
    """Delete the object, its record and its quota."""
    runtime.locker().delete(_owner(), file_id)
    return Response(body="", status_code=204)


def _preflight(**_: str) -> Response:
    """CORS preflight; the middleware answers it before this runs."""
    return Response(body="", status_code=204)


for _number, _path in enumerate(FILE_PATHS):
    app.route(_path, methods=["OPTIONS"], name=f"preflight_{_number}")(_preflight)


@app.on_cw_event(deployment.OBJECT_CREATED_PATTERN, name="object_created")
def object_created(event: Any) -> None:
    """The bucket's ObjectCreated events (EventBridge) run the same completion as the API."""
    locker = runtime.locker()
    key = deployment.created_key(event.to_dict(), locker.settings.bucket)
    if key is not None:
        locker.object_created(key)


@app.schedule(Cron("17", "*", "*", "*", "?", "*"), name="sweep")
def sweep(event: Any) -> None:
    """Hourly: reclaim abandoned uploads and finish half-done deletes."""
    runtime.locker().sweep()
