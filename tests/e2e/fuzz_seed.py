"""The users and objects a schemathesis run needs, so its requests get past Locker's 404s.

``seed`` logs in the demo user (who owns the stack's seeded files), makes the
second user the ``object_level_authorization`` check replays reads as, and
creates what requests should hit: another ready file, a pending multipart
upload, groups with members, grants, links, and objects made only to be deleted.
Their ids become schemathesis dictionaries (``tests.e2e.fuzz_config``).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tests.e2e.api import Api
from tests.e2e.stack import Stack

PEER_PASSWORD = "Fuzz-peer-2026"
LINK = {"maxDownloads": 100}  # the most a link allows; a run uses about half
MULTIPART_SIZE = 320 * 1024 * 1024  # above the 100 MiB threshold: a pending multipart upload


@dataclass
class Seeded:
    """The users and the real values a run draws from."""

    demo: Api
    peer: Api
    values: dict[str, list[str]] = field(default_factory=dict)


def _ok(answer: Any, *statuses: int) -> dict[str, Any]:
    assert answer.status_code in statuses, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _in(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + seconds))


def _made(api: Api, path: str, body: dict[str, Any], name: str) -> dict[str, Any]:
    made: dict[str, Any] = _ok(api.call("POST", path, json=body), 201)[name]
    return made


def seed(stack: Stack) -> Seeded:
    """Log in the demo user, make the peer, and create what the run should find."""
    demo_user = stack.info["demoUser"]
    demo = Api(stack.api, stack.login(demo_user["username"], demo_user["password"])["AccessToken"], None)
    run = uuid.uuid4().hex[:8]
    sub, token = stack.new_user(f"peer-{run}@example.com", PEER_PASSWORD)
    peer = Api(stack.api, token, sub)
    # Whom requests may share with: never the peer, so nothing of the demo user's is the peer's to see.
    third = f"third-{run}@example.com"
    stack.new_user(third, PEER_PASSWORD)
    reader = stack.info["readerUser"]["username"]
    # The stack's seeded files, and one more uploaded here (a stateful run may delete what it lists).
    demo.upload(b"fuzzing target", "text/plain", filename="target.txt")
    files = [item["id"] for item in _ok(demo.call("GET", "/files", params={"status": "ready"}), 200)["items"]]
    multipart = _ok(demo.declare(b"", size=MULTIPART_SIZE, filename="big.bin"), 201)
    pending = multipart["file"]["id"]
    doomed = [_ok(demo.declare(b"doomed"), 201)["file"]["id"] for _ in range(2)]
    group, doomed_group = f"fuzz-team-{run}", f"fuzz-doomed-{run}"
    for name in (group, doomed_group):
        _ok(demo.call("POST", "/groups", json={"name": name}), 201)
    users = (reader, third)
    members = [_made(demo, f"/groups/{group}/members", {"user": user}, "member") for user in users]
    shared = files[0]  # what the grants and links below are on
    grants = [_made(demo, f"/files/{shared}/grants", {"user": user}, "grant") for user in users]
    links = [_made(demo, f"/files/{shared}/links", LINK, "link") for _ in range(4)]
    values = {
        "file_ids": [*files, pending],
        "doomed_file_ids": doomed,
        "group_names": [group],
        "doomed_group_names": [doomed_group],
        "shared_file_ids": [shared],
        "multipart_file_ids": [pending],
        "user_ids": [member["id"] for member in members],
        # Two links DELETE may remove; the other two's tokens stay usable for the whole run.
        "link_ids": [link["id"] for link in links[:2]],
        "link_tokens": [urlsplit(link["url"]).path.rsplit("/", 1)[-1] for link in links[2:]],
        "grant_ids": [grant["id"] for grant in grants],
        "part_numbers": list(range(1, multipart["upload"]["partCount"] + 1)),
        "usernames": list(users),
        # A grant's expiry must lie within the coming year, which no schema can say.
        "expiries": [_in(3600), _in(30 * 86400)],
    }
    return Seeded(demo, peer, values)
