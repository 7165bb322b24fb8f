"""Who did what to which file: recording activity events and reading them a page at a time.

Events name their actor (a user, a link or the system) and carry small details
(never URLs or tokens). Pages are newest first with a cursor bound to the
caller and the list; a file's trail and the owner's trail outlive the file.

An event can join the transaction of the change it records (``write``: a file
created, so its ``created`` event exists exactly when the file does). Most
events are written after their change has committed (a grant stored, a download
used): ``add_committed`` never fails such a
request, since a 503 would tell the caller nothing changed when it did; a lost
event is logged instead. ``add`` raises, for events that must exist before
their effect does (a download URL is handed out only once its event is stored).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from chalicelib import cursor, failures
from chalicelib.activity import Activity, Event
from chalicelib.cursor import POSITION_RE
from chalicelib.errors import ServiceUnavailableError
from chalicelib.gateway import principal_or_none
from chalicelib.model import new_file_id
from chalicelib.validation import ListQuery
from chalicelib.writes import Write

SYSTEM: dict[str, str] = {"type": "system"}


def user_actor(sub: str) -> dict[str, str]:
    """The user ``sub`` as an actor, named from the verified token when they are the caller."""
    principal = principal_or_none()
    name = principal.username if principal is not None and principal.sub == sub else ""
    return {"type": "user", "id": sub, "name": name}


def link_actor(link_id: str) -> dict[str, str]:
    """A download link as an actor."""
    return {"type": "link", "id": link_id}


def _valid_position(value: str) -> bool:
    return bool(POSITION_RE.match(value))


class Trail:
    """Records and lists activity for one store."""

    def __init__(self, activity: Activity, cursor_key: bytes, clock: Callable[[], float] = time.time) -> None:
        self._activity = activity
        self._key = cursor_key
        self._clock = clock

    def _event(
        self, file_id: str, owner: str, kind: str, actor: dict[str, str], detail: dict[str, Any] | None
    ) -> Event:
        at_ms = int(self._clock() * 1000)
        return Event(new_file_id(at_ms), at_ms, file_id, owner, kind, actor, detail or {})

    def add(
        self, file_id: str, owner: str, kind: str, actor: dict[str, str], detail: dict[str, Any] | None = None
    ) -> None:
        """Record one event now."""
        self._activity.record(self._event(file_id, owner, kind, actor, detail))

    def write(
        self, file_id: str, owner: str, kind: str, actor: dict[str, str], detail: dict[str, Any] | None = None
    ) -> Write:
        """One event, to be committed in the transaction of the change it records (``writes``)."""
        return self._activity.write(self._event(file_id, owner, kind, actor, detail))

    def add_committed(
        self, file_id: str, owner: str, kind: str, actor: dict[str, str], detail: dict[str, Any] | None = None
    ) -> None:
        """Record an event of a change that has committed already; a failure is logged, not raised."""
        try:
            with failures.unclassified(f"activity {kind}"):
                self.add(file_id, owner, kind, actor, detail)
        except ServiceUnavailableError:
            pass  # logged (the error code only) by failures.unavailable: the change itself stands

    def _page(
        self, caller: str, listing: str, query: ListQuery, read: Callable[[str | None, int], list[Event]]
    ) -> dict[str, Any]:
        before = None
        if query.cursor:
            before = cursor.decode_position(self._key, caller, listing, query.cursor, _valid_position)
        events = read(before, query.limit + 1)
        page = events[: query.limit]
        more = len(events) > query.limit
        next_cursor = cursor.encode_position(self._key, caller, listing, page[-1].position) if more else None
        return {"items": [e.to_api() for e in page], "nextCursor": next_cursor}

    def for_file(self, caller: str, file_id: str, query: ListQuery) -> dict[str, Any]:
        """One page of a file's activity (the caller is its owner: checked by the caller)."""
        return self._page(
            caller, f"activity:{file_id}", query, lambda b, c: self._activity.for_file(file_id, b, c)
        )

    def for_owner(self, caller: str, query: ListQuery) -> dict[str, Any]:
        """One page of the activity on all of the caller's files, deleted ones included."""
        return self._page(caller, "activity", query, lambda b, c: self._activity.for_owner(caller, b, c))
