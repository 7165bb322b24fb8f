"""The environment a process needs to run Locker against the embedded emulator.

Shared by ``make run`` (devstack/run.py) and the benchmarks (bench/stack.py).
For the default ports and region these are exactly the values the ``local``
stage of .chalice/config.json names, which is what lets a plain
``chalice local --stage local`` use the emulator with nothing exported.
"""

from __future__ import annotations

import json
from pathlib import Path

from devstack.emulator.server import CREDENTIALS

ROOT = Path(__file__).resolve().parent.parent
# Real-AWS variables that must not reach a process talking to the emulator.
REAL_AWS_ONLY = ("AWS_SESSION_TOKEN", "AWS_PROFILE")


def stage_environment(stage: str = "local") -> dict[str, str]:
    """The stage's ``environment_variables`` from .chalice/config.json."""
    stages = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]
    return dict(stages[stage]["environment_variables"])


def emulator_environment(endpoint: str, region: str) -> dict[str, str]:
    """Credentials, region and endpoint that point every AWS SDK client at the emulator."""
    access_key, secret_key = next(iter(CREDENTIALS.items()))
    return {
        "AWS_ACCESS_KEY_ID": access_key,
        "AWS_SECRET_ACCESS_KEY": secret_key,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_ENDPOINT_URL": endpoint,
    }


def pool_environment(endpoint: str, pool_id: str, client_id: str) -> dict[str, str]:
    """Locker's Cognito settings for a pool on the emulator.

    Tokens name the pool's real-AWS issuer (``<region>_...`` gives the region),
    while the emulator serves the pool's JWKS itself.
    """
    region = pool_id.partition("_")[0]
    return {
        "LOCKER_USER_POOL_ID": pool_id,
        "LOCKER_CLIENT_IDS": client_id,
        "LOCKER_ISSUER": f"https://cognito-idp.{region}.amazonaws.com/{pool_id}",
        "LOCKER_JWKS_URL": f"{endpoint}/{pool_id}/.well-known/jwks.json",
    }
