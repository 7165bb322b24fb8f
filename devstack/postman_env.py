"""Writes the Postman environment for the local stack from stack.json's values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

UPLOAD_FILE = "assets/1.png"  # relative to the repository root, newman's --working-dir


def environment(stack: dict[str, Any]) -> dict[str, Any]:
    """A Postman (v2.1) environment pointing the collection at this stack."""
    values = {
        "apiUrl": stack["apiUrl"],
        "cognitoEndpoint": stack["awsEndpointUrl"] + "/",
        "region": stack["region"],
        "clientId": stack["clientId"],
        "username": stack["demoUser"]["username"],
        "password": stack["demoUser"]["password"],
        "otherUsername": stack["readerUser"]["username"],
        "otherPassword": stack["readerUser"]["password"],
        "accessToken": "",
        "uploadFile": UPLOAD_FILE,
        "uploadSize": str((Path(__file__).resolve().parent.parent / UPLOAD_FILE).stat().st_size),
    }
    return {
        "name": "Locker (local emulator)",
        "values": [
            {
                "key": k,
                "value": v,
                "type": "secret" if k in ("password", "otherPassword", "accessToken") else "default",
                "enabled": True,
            }
            for k, v in values.items()
        ],
        "_postman_variable_scope": "environment",
    }


def write(stack: dict[str, Any], path: Path) -> None:
    """Write the environment file for ``stack`` to ``path``."""
    path.write_text(json.dumps(environment(stack), indent=2) + "\n")
