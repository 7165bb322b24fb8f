"""``/groups``: named sets of users that files can be shared with."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import runtime, sharing_validation
from chalicelib.routes.common import (
    ANY_BODY,
    AUTHORIZER,
    add_preflights,
    caller,
    caller_name,
    json_body,
)

groups = Blueprint(__name__)
PATHS = ("/groups", "/groups/{name}", "/groups/{name}/members", "/groups/{name}/members/{user_id}")


@groups.route("/groups", methods=["POST"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def create_group() -> Response:
    """Create a group; the caller manages it and is its first member."""
    name = sharing_validation.group_body(json_body(groups))
    return Response(body=runtime.sharing().groups.create(caller(), caller_name(), name), status_code=201)


@groups.route("/groups", methods=["GET"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def list_groups() -> dict[str, Any]:
    """Groups the caller manages or belongs to."""
    return runtime.sharing().groups.list(caller())


@groups.route("/groups/{name}", methods=["DELETE"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def delete_group(name: str) -> Response:
    """Delete a group (manager only); its grants stop at once."""
    runtime.sharing().groups.delete(caller(), name)
    return Response(body="", status_code=204)


@groups.route("/groups/{name}/members", methods=["GET"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def list_members(name: str) -> dict[str, Any]:
    """The group's members (manager only)."""
    return runtime.sharing().groups.members(caller(), name)


@groups.route("/groups/{name}/members", methods=["POST"], authorizer=AUTHORIZER, content_types=ANY_BODY)
def add_member(name: str) -> Response:
    """Add a user by username (manager only): 201, or 200 if already a member."""
    user = sharing_validation.member_body(json_body(groups))
    answer, added = runtime.sharing().groups.add(caller(), name, user)
    return Response(body=answer, status_code=201 if added else 200)


@groups.route(
    "/groups/{name}/members/{user_id}", methods=["DELETE"], authorizer=AUTHORIZER, content_types=ANY_BODY
)
def remove_member(name: str, user_id: str) -> Response:
    """Remove a member (manager), or leave (the member)."""
    runtime.sharing().groups.remove(caller(), name, user_id)
    return Response(body="", status_code=204)


add_preflights(groups, PATHS, "groups")
