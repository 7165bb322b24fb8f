"""The schemathesis project file for Locker's run: real values in, every warning fatal.

``write_config`` writes ``schemathesis.toml`` and the Web Fuzzing Commons auth
file: the two users, both ``peers`` of the ``object_level_authorization``
check; the seeded values as ``[dictionaries]`` bound to path parameters and body
fields with a probability, so generated values still come too; deterministic
generation with no example database or failure cache, so a run is reproducible.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from schemathesis.config import SchemathesisWarning

from tests.e2e.fuzz_seed import Seeded

# Path parameter (or body field) -> the dictionary its real values come from.
BINDINGS = {
    "path.file_id": "file_ids",
    "path.name": "group_names",
    "path.user_id": "user_ids",
    "path.link_id": "link_ids",
    "path.token": "link_tokens",
    "path.grant_id": "grant_ids",
    "body.user": "usernames",
    "body.expiresAt": "expiries",
}
PROBABILITY = 0.7  # the rest stay generated: unknown ids must be Locker's 404s
# Per operation ("METHOD path"): bindings that win over the project's.
OPERATION_BINDINGS: dict[str, dict[str, tuple[str, float]]] = {
    # Deletes take objects made to be deleted, so the seeded ones stay for every other operation.
    "DELETE /files/{file_id}": {"path.file_id": ("doomed_file_ids", PROBABILITY)},
    "DELETE /groups/{name}": {"path.name": ("doomed_group_names", PROBABILITY)},
    # A grant or link id is found only under its own file.
    "DELETE /files/{file_id}/grants/{grant_id}": {"path.file_id": ("shared_file_ids", 0.9)},
    "DELETE /files/{file_id}/links/{link_id}": {"path.file_id": ("shared_file_ids", 0.9)},
    # Part routes serve only a pending multipart upload, whose part numbers go up to its partCount.
    "POST /files/{file_id}/parts": {
        "path.file_id": ("multipart_file_ids", PROBABILITY),
        "body.parts[*].partNumber": ("part_numbers", 0.9),
    },
    "GET /files/{file_id}/parts": {"path.file_id": ("multipart_file_ids", PROBABILITY)},
    # An unknown user in the body is a 404 like an unknown group or file, so a stateful step that
    # follows a create must name a real user, or schemathesis takes the 404 for a lost resource.
    "POST /groups/{name}/members": {"body.user": ("usernames", 1.0)},
    "POST /files/{file_id}/grants": {"body.user": ("usernames", 1.0)},
}
# Operations whose schema-valid requests are mostly 400s in the coverage phase, which sends the
# document's own values and no dictionaries: a grant's example expiry is in the past (a schema has
# no clock), and part numbers reach the document's 10000, past the pending upload's partCount.
# schemathesis applies per-operation warning settings to only some warnings, so this one is left
# out of fail-on and the test holds it to exactly these operations.
VALIDATION_MISMATCH_EXPECTED = frozenset({"POST /files/{file_id}/grants", "POST /files/{file_id}/parts"})
FATAL_WARNINGS = [w.value for w in SchemathesisWarning if w != SchemathesisWarning.VALIDATION_MISMATCH]


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
        # Speed is measured by make bench, never here: a slow answer on a loaded machine is no failure.
        "request-timeout = 300",
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
        f"fail-on = {_toml(FATAL_WARNINGS)}",  # an operation stuck on 404s, a binding matching nothing, ...
        "[checks.negative_data_rejection]",
        # 413: a body over 16 KiB is refused by size before its fields are read.
        'expected-statuses = ["400", "401", "403", "404", "405", "409", "413", "415", "422", "429"]',
    ]
    for name, values in seeded.values.items():
        lines += [f"[dictionaries.{name}]", f"values = {_toml(values)}"]
    lines.append("[parameters]")
    lines += [_binding(key, dictionary, PROBABILITY) for key, dictionary in BINDINGS.items()]
    for label, bindings in OPERATION_BINDINGS.items():
        lines += ["[[operations]]", f"include-name = {_toml(label)}", "[operations.parameters]"]
        lines += [_binding(key, name, probability) for key, (name, probability) in bindings.items()]
    config = directory / "schemathesis.toml"
    config.write_text("\n".join(lines) + "\n")
    return config
