"""What schemathesis needs to fuzz Locker past its 404s: two users, real ids, and its config.

``seed`` makes the objects a run should hit (the demo user's seeded files, a group
with a member, links, grants, a pending multipart upload) and ``write_config``
writes the schemathesis project file that feeds their ids into generated requests
(``[dictionaries]`` bound to path and body parameters with a probability, so
random values still come too), the two users as a Web Fuzzing Commons auth file
with both as ``peers`` for the ``object_level_authorization`` check, and a fixed
seed with ``deterministic`` generation, so a CI run can be reproduced exactly.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.e2e.api import Api
from tests.e2e.stack import Stack

PEER_PASSWORD = "Fuzz-peer-2026"
LINK = {"maxDownloads": 100}  # the most a link allows; a run uses about half
MULTIPART_SIZE = 200 * 1024 * 1024  # above the 100 MiB threshold: a pending multipart upload


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
    pending = _ok(demo.declare(b"", size=MULTIPART_SIZE, filename="big.bin"), 201)["file"]["id"]
    doomed = [_ok(demo.declare(b"doomed"), 201)["file"]["id"] for _ in range(2)]
    group, doomed_group = f"fuzz-team-{run}", f"fuzz-doomed-{run}"
    for name in (group, doomed_group):
        _ok(demo.call("POST", "/groups", json={"name": name}), 201)
    member = _ok(demo.call("POST", f"/groups/{group}/members", json={"user": reader}), 201)["member"]
    links = [_ok(demo.call("POST", f"/files/{files[0]}/links", json=LINK), 201)["link"] for _ in "ab"]
    grant = _ok(demo.call("POST", f"/files/{files[0]}/grants", json={"user": reader}), 201)["grant"]
    values = {
        "file_ids": [*files, pending],
        "doomed_file_ids": doomed,
        "group_names": [group],
        "doomed_group_names": [doomed_group],
        "user_ids": [member["id"]],
        "link_ids": [links[1]["id"]],  # the one DELETE may remove; the other's token stays usable
        "link_tokens": [urlsplit(links[0]["url"]).path.rsplit("/", 1)[-1]],
        "grant_ids": [grant["id"]],
        "usernames": [reader, third],
    }
    return Seeded(demo, peer, values)


# Path parameter (or body field) -> the dictionary its real values come from.
BINDINGS = {
    "path.file_id": "file_ids",
    "path.name": "group_names",
    "path.user_id": "user_ids",
    "path.link_id": "link_ids",
    "path.token": "link_tokens",
    "path.grant_id": "grant_ids",
    "body.user": "usernames",
}
PROBABILITY = 0.7  # the rest stay generated: unknown ids must be Locker's 404s
# Per operation: (method, path) -> bindings that replace the project's.
OPERATION_BINDINGS: dict[tuple[str, str], dict[str, tuple[str, float]]] = {
    # Deletes take objects made to be deleted, so the seeded ones stay for every other operation.
    ("DELETE", "/files/{file_id}"): {"path.file_id": ("doomed_file_ids", PROBABILITY)},
    ("DELETE", "/groups/{name}"): {"path.name": ("doomed_group_names", PROBABILITY)},
    # An unknown user in the body is a 404 like an unknown group or file, so a stateful step that
    # follows a create must name a real user, or schemathesis takes the 404 for a lost resource.
    ("POST", "/groups/{name}/members"): {"body.user": ("usernames", 1.0)},
    ("POST", "/files/{file_id}/grants"): {"body.user": ("usernames", 1.0)},
}


def _toml(value: Any) -> str:
    return json.dumps(value)  # JSON strings, numbers, arrays and booleans are TOML too


def _binding(key: str, dictionary: str, probability: float) -> str:
    return f'{_toml(key)} = {{ dictionary = "{dictionary}", probability = {probability} }}'


def write_config(directory: Path, seeded: Seeded, *, max_examples: int) -> Path:
    """Write the WFC auth file and schemathesis.toml; returns the config's path."""
    wfc = directory / "users.wfc.json"
    users = [("demo", seeded.demo.token), ("peer", seeded.peer.token)]
    entries = [
        {"name": name, "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {token}"}]}
        for name, token in users
    ]
    wfc.write_text(json.dumps({"auth": entries}))
    lines = [
        # No state kept between runs (a crash cache replays old failures first): each run is the same.
        "[cache]",
        "enabled = false",
        "[generation]",
        f"max-examples = {max_examples}",
        "deterministic = true",
        'database = "none"',
        "[auth.wfc]",
        f"path = {_toml(str(wfc))}",
        'peers = ["demo", "peer"]',
        "[warnings]",
        "fail-on = true",  # an operation stuck on 404s, a binding matching no parameter, ...
        "[checks.negative_data_rejection]",
        # 413: a body over 16 KiB is refused by size before its fields are read.
        'expected-statuses = ["400", "401", "403", "404", "405", "409", "413", "415", "422", "429"]',
    ]
    for name, values in seeded.values.items():
        lines += [f"[dictionaries.{name}]", f"values = {_toml(values)}"]
    lines.append("[parameters]")
    lines += [_binding(key, dictionary, PROBABILITY) for key, dictionary in BINDINGS.items()]
    for (method, path), bindings in OPERATION_BINDINGS.items():
        lines += ["[[operations]]", f"include-method = {_toml(method)}", f"include-path = {_toml(path)}"]
        lines.append("[operations.parameters]")
        lines += [_binding(key, name, probability) for key, (name, probability) in bindings.items()]
    config = directory / "schemathesis.toml"
    config.write_text("\n".join(lines) + "\n")
    return config
