"""``make token``: print a fresh access token from the running local stack."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from devstack import cognito

STACK = Path(__file__).resolve().parent.parent / ".local" / "stack.json"


def main() -> None:
    """Log in with USER_PASSWORD_AUTH (the demo user unless --user/--password) and print the token."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--user", help="username (email); default: the demo user")
    parser.add_argument("--password", help="password; default: the demo user's")
    parser.add_argument("--stack", type=Path, default=STACK, help="stack.json of the running stack")
    args = parser.parse_args()
    if not args.stack.exists():
        sys.exit(f"{args.stack} not found: start the stack first with `make run` or `make emulator`")
    stack = json.loads(args.stack.read_text())
    username = args.user or stack["demoUser"]["username"]
    password = args.password or stack["demoUser"]["password"]
    try:
        tokens = cognito.login(
            stack["awsEndpointUrl"] + "/", stack["region"], stack["clientId"], username, password
        )
    except Exception as error:  # one clear line, not a traceback, for a wrong password or a stopped stack
        sys.exit(f"could not log in as {username}: {error}")
    print(tokens["AccessToken"])


if __name__ == "__main__":
    main()
