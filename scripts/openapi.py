"""Writes ``docs/openapi.json``: the OpenAPI document of a deployment with the default limits.

``make openapi`` runs it after a route, schema or answer changes;
``tests/unit/test_openapi.py`` fails while the committed file differs from
what this generates. A deployment serves its own limits at ``GET /openapi.json``
(allowed types, maximum size); only those can differ from the committed file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chalicelib import config, openapi

DOCUMENT = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"
# Only what config.load requires without a default; none of it reaches the document.
_PLACEHOLDERS = {
    "AWS_DEFAULT_REGION": "us-east-1",
    config.BUCKET: "locker-bucket",
    config.TABLE: "locker-table",
    config.USER_POOL_ID: "us-east-1_Placeholder",
    config.CLIENT_IDS: "placeholder",
    config.CURSOR_KEY: "placeholder-cursor-key-of-32-characters",
}


def generate() -> str:
    """The committed document, rendered: every default limit, the app's real routes."""
    from app import app  # the route table exists once app.py has registered every blueprint

    return openapi.render(openapi.build(app.routes, config.load(_PLACEHOLDERS)))


def main(argv: list[str] | None = None) -> int:
    """Write the document (or, with --check, say whether the committed one is current)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/openapi.json is stale")
    args = parser.parse_args(argv)
    text = generate()
    if args.check:
        current = DOCUMENT.read_text() if DOCUMENT.exists() else ""
        if current != text:
            print(f"{DOCUMENT.name} is stale: run make openapi", file=sys.stderr)
            return 1
        return 0
    DOCUMENT.write_text(text)
    print("wrote docs/openapi.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
