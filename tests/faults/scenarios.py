"""Locker's multi-step operations, each as: what it starts from, the request, and what must hold.

A scenario's ``act`` is the caller's request (or the event Lambda delivers);
the harness runs it once clean to count its calls, then once per call with that
call failing, then again as the caller's retry. ``expect`` says what the caller
must find after the retry (the operation done, exactly once where it matters).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.faults.world import ALICE, BOB, PART, PNG, World

OK = "ok"  # a Lambda handler returned


@dataclass(frozen=True)
class Answer:
    """What the caller saw: an HTTP status (or ``ok``/``raised <error>`` for a handler)."""

    status: int | str
    retry_after: bool = False
    body: Any = None


def http(response: Any) -> Answer:
    """The answer of one request."""
    return Answer(
        response.status_code, "Retry-After" in response.headers, response.json_body if response.body else None
    )


def handler(run: Callable[[], None]) -> Answer:
    """The outcome of one Lambda invocation: returned, or raised (Lambda then retries the event)."""
    try:
        run()
    except Exception as exc:  # the outcome is the error's class, judged by the harness
        return Answer(f"raised {type(exc).__name__}")
    return Answer(OK)


# A check after the retry: the world, the scenario's context, and how many times the
# operation may have happened by now (the first attempt's, if it was applied, and the retry's).
Check = Callable[[World, dict[str, Any], frozenset[int]], list[str]]


def _nothing(_w: World, _c: dict[str, Any], _n: frozenset[int]) -> list[str]:
    return []


@dataclass(frozen=True)
class Scenario:
    """One multi-step operation under test."""

    name: str
    setup: Callable[[World], dict[str, Any]]
    act: Callable[[World, dict[str, Any]], Answer]
    done: frozenset[int | str]  # what success looks like (also for the retry)
    expect: Check = _nothing
    retry_done: frozenset[int | str] = field(default_factory=frozenset)  # more answers a retry may give

    def retry_ok(self, answer: Answer) -> bool:
        """Whether the retry's answer says the operation is done."""
        return answer.status in self.done | self.retry_done


def _status(w: World, path: str, sub: str = ALICE) -> int:
    return int(w.call("GET", path, sub=sub).status_code)


# --- files --------------------------------------------------------------------------------------


def _create_body(size: int) -> dict[str, Any]:
    return {"filename": "c.png", "contentType": "image/png", "size": size}


def _files_made(w: World, c: dict[str, Any], times: frozenset[int]) -> list[str]:
    files = w.ok("GET", "/files", 200)["items"]
    return [] if len(files) in times else [f"{len(files)} files made, expected {sorted(times)}"]


def _ready(w: World, c: dict[str, Any], _n: frozenset[int]) -> list[str]:
    got = w.ok("GET", f"/files/{c['id']}", 200)["file"]["status"]
    problems = [] if got == "ready" else [f"file is {got}, not ready"]
    if _status(w, f"/files/{c['id']}/download") != 200:
        problems.append("ready file cannot be downloaded")
    return problems


def _gone(w: World, c: dict[str, Any], _n: frozenset[int]) -> list[str]:
    problems = []
    if _status(w, f"/files/{c['id']}") != 404:
        problems.append("deleted file still answers")
    if c.get("link") and w.call("GET", c["link"], sub=None, accept="application/json").status_code != 404:
        problems.append("link of a deleted file still answers")
    if c.get("grants") and _status(w, f"/files/{c['id']}/download", BOB) != 404:
        problems.append("grantee still reaches a deleted file")
    return problems


def _delete_setup(w: World) -> dict[str, Any]:
    file_id = w.ready_file()
    w.group()
    w.grant(file_id, {"user": "bob"})
    w.grant(file_id, {"group": "team"})
    return {"id": file_id, "link": w.link(file_id), "grants": True}


def _sweep_setup(w: World) -> dict[str, Any]:
    expired = w.uploaded_file()
    multipart = w.multipart_file()
    keep = w.ready_file()
    w.group("gone")
    w.ok("DELETE", "/groups/gone", 204)
    w.clock.offset += 2 * 24 * 3600  # the pending uploads expire
    return {"expired": expired, "multipart": multipart, "keep": keep}


def _swept(w: World, c: dict[str, Any], _n: frozenset[int]) -> list[str]:
    problems = []
    for name in ("expired", "multipart"):
        if _status(w, f"/files/{c[name]}") != 404:
            problems.append(f"expired {name} upload still answers")
    return problems + _ready(w, {"id": c["keep"]}, _n)


# --- sharing ------------------------------------------------------------------------------------


def _shared_setup(w: World) -> dict[str, Any]:
    file_id = w.ready_file()
    w.group()
    return {"id": file_id}


def _bob_reads(w: World, c: dict[str, Any], _n: frozenset[int]) -> list[str]:
    problems = [] if _status(w, f"/files/{c['id']}/download", BOB) == 200 else ["grantee cannot download"]
    grants = w.ok("GET", f"/files/{c['id']}/grants", 200)["items"]
    return problems + ([] if len(grants) == 1 else [f"{len(grants)} grants after one grant and its retry"])


def _bob_refused(w: World, c: dict[str, Any], _n: frozenset[int]) -> list[str]:
    return [] if _status(w, f"/files/{c['id']}/download", BOB) == 404 else ["bob still reaches the file"]


def _revoke_setup(w: World) -> dict[str, Any]:
    c = _shared_setup(w)
    c["grant"] = w.grant(c["id"], {"user": "bob"})
    return c


def _team_setup(w: World) -> dict[str, Any]:
    c = _shared_setup(w)
    w.grant(c["id"], {"group": "team"})
    return c


def _joiner_setup(w: World) -> dict[str, Any]:
    file_id = w.ready_file()
    w.ok("POST", "/groups", 201, body={"name": "team"})
    w.grant(file_id, {"group": "team"})
    return {"id": file_id}


def _bob_lists(w: World, c: dict[str, Any], _n: frozenset[int]) -> list[str]:
    """A new member reaches the group's file and finds it in ``GET /shared`` (from the inbox)."""
    problems = [] if _status(w, f"/files/{c['id']}/download", BOB) == 200 else ["new member cannot download"]
    shared = w.ok("GET", "/shared", 200, sub=BOB)["items"]
    if [i["id"] for i in shared] != [c["id"]]:
        problems.append(f"bob's shared list holds {len(shared)} files, not the group's one")
    return problems


def _group_gone(w: World, c: dict[str, Any], _n: frozenset[int]) -> list[str]:
    problems = _bob_refused(w, c, _n)
    if _status(w, "/groups/team/members") != 404:
        problems.append("deleted group still answers")
    if w.ok("GET", "/groups", 200, sub=BOB)["items"]:
        problems.append("bob still sees the deleted group")
    return problems


def _link_setup(w: World) -> dict[str, Any]:
    c = _shared_setup(w)
    c["link"] = w.link(c["id"])
    return c


def _links_made(w: World, c: dict[str, Any], times: frozenset[int]) -> list[str]:
    links = w.ok("GET", f"/files/{c['id']}/links", 200)["items"]
    return [] if len(links) in times else [f"{len(links)} links made, expected {sorted(times)}"]


def _downloads_used(w: World, c: dict[str, Any], times: frozenset[int]) -> list[str]:
    answer = w.call("GET", c["link"], sub=None, accept="application/json")
    used = 2 - (answer.json_body.get("downloadsLeft", 0) if answer.status_code == 200 else 0)
    return [] if used in times else [f"{used} downloads used, expected {sorted(times)}"]


SCENARIOS = [
    Scenario(
        "create (POST /files)",
        lambda w: {},
        lambda w, c: http(w.call("POST", "/files", body=_create_body(len(PNG)))),
        frozenset({201}),
        _files_made,
    ),
    Scenario(
        "multipart create (POST /files)",
        lambda w: {},
        lambda w, c: http(w.call("POST", "/files", body=_create_body(PART + len(PNG)))),
        frozenset({201}),
        _files_made,
    ),
    Scenario(
        "complete (POST /files/{id}/complete)",
        lambda w: {"id": w.uploaded_file()},
        lambda w, c: http(w.call("POST", f"/files/{c['id']}/complete")),
        frozenset({200}),
        _ready,
    ),
    Scenario(
        "complete (Object Created event)",
        lambda w: {"id": w.uploaded_file()},
        lambda w, c: handler(lambda: w.object_created(f"users/{ALICE}/{c['id']}")),
        frozenset({OK}),
        _ready,
    ),
    Scenario(
        "multipart complete",
        lambda w: {"id": w.multipart_file()},
        lambda w, c: http(w.call("POST", f"/files/{c['id']}/complete")),
        frozenset({200}),
        _ready,
    ),
    Scenario(
        "multipart abort (DELETE /files/{id})",
        lambda w: {"id": w.multipart_file()},
        lambda w, c: http(w.call("DELETE", f"/files/{c['id']}")),
        frozenset({204}),
        _gone,
        frozenset({404}),
    ),
    Scenario(
        "delete (grants, link)",
        _delete_setup,
        lambda w, c: http(w.call("DELETE", f"/files/{c['id']}")),
        frozenset({204}),
        _gone,
        frozenset({404}),
    ),
    Scenario("sweep", _sweep_setup, lambda w, c: handler(w.sweep), frozenset({OK}), _swept),
    Scenario(
        "grant to a user",
        _shared_setup,
        lambda w, c: http(w.call("POST", f"/files/{c['id']}/grants", body={"user": "bob"})),
        frozenset({201}),
        _bob_reads,
        frozenset({200}),
    ),
    Scenario(
        "grant to a group",
        _shared_setup,
        lambda w, c: http(w.call("POST", f"/files/{c['id']}/grants", body={"group": "team"})),
        frozenset({201}),
        _bob_reads,
        frozenset({200}),
    ),
    Scenario(
        "revoke a grant",
        _revoke_setup,
        lambda w, c: http(w.call("DELETE", f"/files/{c['id']}/grants/{c['grant']}")),
        frozenset({204}),
        _bob_refused,
        frozenset({404}),
    ),
    Scenario(
        "link create",
        _shared_setup,
        lambda w, c: http(w.call("POST", f"/files/{c['id']}/links", body={"maxDownloads": 2})),
        frozenset({201}),
        _links_made,
    ),
    Scenario(
        "link use (POST /l/{token})",
        _link_setup,
        lambda w, c: http(w.call("POST", c["link"], sub=None, accept="application/json")),
        frozenset({200}),
        _downloads_used,
    ),
    Scenario(
        "group delete",
        _team_setup,
        lambda w, c: http(w.call("DELETE", "/groups/team")),
        frozenset({204}),
        _group_gone,
        frozenset({404}),
    ),
    Scenario(
        "member add",
        _joiner_setup,
        lambda w, c: http(w.call("POST", "/groups/team/members", body={"user": "bob"})),
        frozenset({201}),
        _bob_lists,
        frozenset({200}),
    ),
    Scenario(
        "member remove",
        _team_setup,
        lambda w, c: http(w.call("DELETE", f"/groups/team/members/{BOB}")),
        frozenset({204}),
        _bob_refused,
        frozenset({404}),
    ),
]
