"""schemathesis hooks for Locker's run: forgive only the refusals a JSON Schema cannot predict.

schemathesis loads this module by name from ``SCHEMATHESIS_HOOKS``
(``tests/e2e/test_schemathesis.py`` sets it). ``positive_data_acceptance`` (ST202)
fails when a request the document calls valid is refused. A few of Locker's rules
are not about a value's shape, so no schema can state them; a 400 with one of
their messages is the contract working, not a failure, and is dropped here.
Everything else, and every other check, stays as schemathesis reports it. The
README's Tests section lists the same rules.
"""

from __future__ import annotations

import re
from typing import Any

import schemathesis

# Locker's 400 message -> why no schema can say which values Locker accepts.
UNEXPRESSIBLE = {
    r"cursor is invalid$": "a cursor is valid only as Locker issued it: MAC-bound to the caller and list",
    r"expiresAt must be (in the future|at most one year ahead)$": "a grant's expiry is relative to now",
    r"(parts\[[0-9]+\]\.)?partNumber must be an integer from 1 to [0-9]+$": (
        "a part number goes up to the file's own partCount, which only the file knows"
    ),
    r"filename must (not contain control characters|be between|contain a visible name)": (
        "Unicode categories (C*, what renders as nothing) and the length after NFC normalisation"
    ),
    r"parts\[[0-9]+\]\.partNumber [0-9]+ is repeated$": (
        "uniqueItems compares whole items: {partNumber: 5} and {partNumber: 5, sha256} differ"
    ),
}
_RULES = [re.compile(pattern) for pattern in UNEXPRESSIBLE]
# Locker reads JSON with Python's json: 12 is an integer and 12.0 is not, a 400 naming the field
# (tests/unit/test_validation.py). JSON Schema's data model cannot tell them apart: 12.0 is an
# "integer" there, so schemathesis sends it as valid.
_FIELD = re.compile(r"^(?:[A-Za-z]+\[[0-9]+\]\.)?([A-Za-z]+) must be (?:an integer|between)")


def _integral_floats(value: Any) -> set[str]:
    """Names of the object fields (at any depth) holding a float with no fraction, like 12.0."""
    names: set[str] = set()
    if isinstance(value, dict):
        for name, item in value.items():
            if isinstance(item, float) and item.is_integer():
                names.add(str(name))
            names |= _integral_floats(item)
    elif isinstance(value, list):
        for item in value:
            names |= _integral_floats(item)
    return names


def _message(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    message = body.get("Message") if isinstance(body, dict) else None
    return message if isinstance(message, str) else ""


def forgiven(message: str, body: Any) -> bool:
    """Whether a 400 with ``message`` to a schema-valid ``body`` is one no schema could predict."""
    if any(rule.match(message) for rule in _RULES):
        return True
    named = _FIELD.match(message)
    return named is not None and named.group(1) in _integral_floats(body)


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure but a schema-valid request's 400 naming a rule no schema can state."""
    if failure.code != "ST202" or response.status_code != 400:
        return True
    return not forgiven(_message(response), case.body)
