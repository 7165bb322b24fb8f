"""``/files/{id}/activity`` and ``/activity``: who did what to the caller's files."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import runtime, validation
from chalicelib.routes.common import ANY_BODY, AUTHORIZER, add_preflights, caller, current_request

activity = Blueprint(__name__)
PATHS = ("/files/{file_id}/activity", "/activity")


def _query() -> validation.ListQuery:
    params = {k: v for k, v in (current_request(activity).query_params or {}).items() if k != "status"}
    return validation.list_query(params)


@activity.route("/files/{file_id}/activity", methods=["GET"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def file_activity(file_id: str) -> dict[str, Any]:
    """The file's activity, newest first (owner only)."""
    query = _query()
    locker = runtime.locker()
    locker.own(caller(), file_id)
    return locker.trail.for_file(caller(), file_id, query)


@activity.route("/activity", methods=["GET"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def my_activity() -> dict[str, Any]:
    """Activity across all of the caller's files, deleted ones included."""
    return runtime.locker().trail.for_owner(caller(), _query())


add_preflights(activity, PATHS, "activity")
